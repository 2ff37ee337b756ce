"""The member-month truth panel (``truth_members.csv``) and the year-1 / year-2 ATT.

Both come from the factual and counterfactual worlds on the same random numbers
(:mod:`.purchases`), in every scenario (:mod:`.scenarios`).

``truth_members.csv``
    One row per enrolled company (intent to treat: every company that enrolled, status
    ``member`` or ``blocked``) and calendar month, from 24 months before its enrolment month to
    24 months after it, or to the month of ``end`` if earlier. Columns: ``customer_id``,
    ``enrolled_on`` (ISO date), ``month`` (``YYYY-MM``), ``event_month`` (month minus enrolment
    month: 0 is the enrolment month, -1 the month before), ``factual_revenue`` and
    ``counterfactual_revenue``: net revenue in EUR (purchases and credit notes dated in the
    month, rounded to the cent as the exported amounts). Months before the first possible date
    hold 0 (no company existed); the month of ``end`` counts days up to ``end`` only (it is
    incomplete unless ``end`` is a month end). Sorted by customer, month. In the factual world
    the ``factual_revenue`` of a company is exactly what ``transactions.csv`` holds for it.

``uplift_year1_att`` (``truth.json``)
    Mean over the enrolled companies (``member`` or ``blocked``) whose event months 1 to 12
    are all complete months up to ``end``, of factual minus counterfactual net revenue summed
    over event months 1 to 12, EUR per company; 0.0 if there is none. The enrolment month
    (event month 0) is left out: it is partly before enrolment and holds any sign-up order.
    ``uplift_year1_n`` counts those companies, ``uplift_year1_counterfactual_revenue`` is their
    mean counterfactual revenue over the same months (EUR).
``uplift_year2_att``, ``uplift_year2_n``, ``uplift_year2_counterfactual_revenue``
    Likewise over event months 13 to 24.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .base import Grid, cents_to_float
from .constants import TRUTH_EVENT_MONTHS
from .purchases import Attributes, Purchases, World

#: Columns of ``truth_members.csv``, in file order.
TRUTH_MEMBERS_COLUMNS = ("customer_id", "enrolled_on", "month", "event_month", "factual_revenue", "counterfactual_revenue")


@dataclass(frozen=True)
class MonthGrid:
    """Calendar months of the day grid: month index 0 is the month of ``grid.d0``.

    Attributes
    ----------
    of_day : numpy.ndarray
        Month index of every day index of the grid.
    end : int
        Month index of ``end`` (the last day).
    last_complete : int
        Month index of the last month wholly up to ``end``.
    """

    of_day: np.ndarray
    end: int
    last_complete: int


def month_grid(grid: Grid) -> MonthGrid:
    """The calendar months of ``grid``."""
    dates = grid.dates()
    of_day = (dates.astype("datetime64[M]") - dates[0].astype("datetime64[M]")).astype(np.int64)
    end = int(of_day[-1])
    end_is_month_end = (dates[-1] + 1).astype("datetime64[M]") != dates[-1].astype("datetime64[M]")
    return MonthGrid(of_day=of_day, end=end, last_complete=end if end_is_month_end else end - 1)


def monthly_revenue(w: World, purchases: Purchases, attrs: Attributes, months: MonthGrid, n: int, *, keep: np.ndarray | None = None) -> np.ndarray:
    """Net revenue of one world per company and month index, integer cents, shape ``(n, end + 1)``.

    ``keep`` (per purchase) counts only those purchases and their credit notes (e.g. some product ranges).
    """
    width = months.end + 1
    comp = purchases.comp
    ok, cn_ok = (w.ok, w.cn_ok) if keep is None else (w.ok & keep, w.cn_ok & keep)
    key_p = comp[ok] * width + months.of_day[w.day[ok]]
    key_c = comp[cn_ok] * width + months.of_day[w.cn_day[cn_ok]]
    rev = np.bincount(key_p, weights=purchases.amount_c[ok], minlength=n * width)
    rev += np.bincount(key_c, weights=attrs.cn_amount_c[cn_ok], minlength=n * width)
    return np.rint(rev).astype(np.int64).reshape(n, width)


@dataclass(frozen=True)
class MemberMonths:
    """The member-month truth: the table and the year-by-year ATT.

    Attributes
    ----------
    table : pandas.DataFrame
        ``truth_members.csv`` (columns :data:`TRUTH_MEMBERS_COLUMNS`).
    years : dict of str to float or int
        ``uplift_year{1,2}_att``, ``_n`` and ``_counterfactual_revenue`` (EUR per company).
    """

    table: pd.DataFrame
    years: dict[str, float | int]


def member_months(
    grid: Grid,
    purchases: Purchases,
    attrs: Attributes,
    *,
    enrol: np.ndarray,
    ids: np.ndarray,
    factual: World,
    counterfactual: World,
) -> MemberMonths:
    """The member-month panel of the enrolled companies and the year-1 / year-2 truth (module docstring).

    Parameters
    ----------
    grid : Grid
        The day grid.
    purchases, attrs : Purchases, Attributes
        Purchases of both worlds and their amounts and credit notes (cents).
    enrol : numpy.ndarray
        Enrolment day index per company, -1 if never enrolled.
    ids : numpy.ndarray
        Customer ids.
    factual, counterfactual : World
        The two worlds.

    Returns
    -------
    MemberMonths
        The table and the year truths (EUR).
    """
    n = len(enrol)
    months = month_grid(grid)
    rev_f = monthly_revenue(factual, purchases, attrs, months, n)
    rev_c = monthly_revenue(counterfactual, purchases, attrs, months, n)
    who = np.flatnonzero(enrol >= 0)
    em = months.of_day[enrol[who]]
    hi = np.minimum(em + TRUTH_EVENT_MONTHS, months.end)
    counts = hi - (em - TRUTH_EVENT_MONTHS) + 1
    row_comp = np.repeat(who, counts)
    row_em = np.repeat(em, counts)
    event = np.concatenate([np.arange(-TRUTH_EVENT_MONTHS, c - TRUTH_EVENT_MONTHS) for c in counts]) if len(who) else np.zeros(0, np.int64)
    month = row_em + event
    inside = month >= 0
    f = np.zeros(len(month), dtype=np.int64)
    c = np.zeros(len(month), dtype=np.int64)
    f[inside] = rev_f[row_comp[inside], month[inside]]
    c[inside] = rev_c[row_comp[inside], month[inside]]
    first_month = np.datetime64(grid.d0.isoformat(), "M")
    table = pd.DataFrame(
        {
            "customer_id": ids[row_comp],
            "enrolled_on": grid.iso(enrol[row_comp]),
            "month": (first_month + month).astype(str),
            "event_month": event.astype(np.int64),
            "factual_revenue": cents_to_float(f),
            "counterfactual_revenue": cents_to_float(c),
        }
    ).astype({"customer_id": "str", "enrolled_on": "str", "month": "str"})
    years: dict[str, float | int] = {}
    for year in (1, 2):
        lo, top = 12 * (year - 1) + 1, 12 * year
        ok_comp = who[em + top <= months.last_complete]
        in_year = np.isin(row_comp, ok_comp) & (event >= lo) & (event <= top)
        k = len(ok_comp)
        years[f"uplift_year{year}_att"] = float((f[in_year] - c[in_year]).sum() / k / 100.0) if k else 0.0
        years[f"uplift_year{year}_n"] = int(k)
        years[f"uplift_year{year}_counterfactual_revenue"] = float(c[in_year].sum() / k / 100.0) if k else 0.0
    return MemberMonths(table=table, years=years)
