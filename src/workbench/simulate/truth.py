"""The ground truth (``truth.json``): parameters, the factual/counterfactual ATT and aggregates.

Truth keys (``Simulation.truth``, ``truth.json``)
-------------------------------------------------
``seed``, ``n_customers``
    The arguments.
``start``, ``end``, ``programme_launch``
    ISO dates; the analysis period and the programme launch (start + 6 months).
``first_possible_date``
    ISO date ``start - 365 days``: births (first purchases) start there, so
    some rows are before ``start`` (out of period).
``time_unit``
    ``"week"``: the unit of ``lambda`` and of ``alpha``.
``bgnbd``
    ``{"r", "alpha", "a", "b"}``: population BG/NBD parameters, lifetimes'
    parametrisation (``alpha`` a rate per week, ``r / alpha`` the mean purchase
    rate per week).
``dropout_after_first_purchase``
    ``False``: dropout only after repeat purchases (BG/NBD, not MBG/NBD).
``gg``
    ``{"p", "q", "v"}``: Gamma-Gamma parameters, lifetimes' names (``v`` is
    the rate ``gamma``); the mean purchase amount is ``p * v / (q - 1)`` EUR.
``gg_mean_amount``
    ``p * v / (q - 1)`` in EUR.
``effect``
    Relative increase of the purchase rate after enrolment (0.25 = +25 %);
    0.0 in a null world. In the ``fading`` scenario the increase of year 1.
``seasonality``, ``seasonality_phase``, ``seasonality_peak_day_of_year``
    Amplitude (fraction), phase (radians) and day of year of the peak of
    ``s(t)``.
``uplift_att_revenue``
    Mean over companies with status ``member`` enrolled at least 12 calendar
    months before ``end`` (``add_months(enrolled_on, 12) <= end``) of factual
    minus counterfactual net revenue (purchases and credit notes, EUR, rounded
    amounts) dated in the 12 calendar months starting on the enrolment day:
    ``[enrolled_on, add_months(enrolled_on, 12) - 1 day]``, both days included
    (365 or 366 days), ``add_months`` being :func:`workbench.periods.add_months`
    (same day 12 months later, clamped to the month end: a company enrolled on
    29 February 2024 is counted up to 27 February 2025). Both worlds share the
    same random numbers. 0.0 if no such member.
``uplift_att_n``
    Number of companies in that mean.
``uplift_att_counterfactual_revenue``
    Mean counterfactual net revenue of those companies over the same windows,
    EUR (0.0 if none).
``uplift_att_revenue_pct``
    ``100 * uplift_att_revenue / uplift_att_counterfactual_revenue``, in
    percent; ``None`` if the denominator is 0.
``scenario``, ``null``
    The scenario (:mod:`.scenarios`) and whether the world is its null variant
    (effect 0).
``process``, ``process_parameters``
    The purchase process (:mod:`.processes`): ``bgnbd``, ``pareto`` or ``dormant``, and its
    lifetime parameters: ``{"a", "b"}`` (the Beta dropout probability after each repeat
    purchase) for ``bgnbd``; ``{"s", "beta"}`` (the Gamma lifetime rate per week) for
    ``pareto``; ``{"active_months", "active_shape", "dormant_months", "dormant_shape"}`` (the
    Gamma rates of leaving an active and a dormant spell: mean ``1 / months``, shape) for
    ``dormant``. ``bgnbd`` keeps giving ``r`` and ``alpha`` (the purchase rate) in every
    process; its ``a`` and ``b`` are not used by ``pareto`` and ``dormant``.
``uplift_year1_att``, ``uplift_year1_n``, ``uplift_year1_counterfactual_revenue``, ``uplift_year2_att``, ``uplift_year2_n``, ``uplift_year2_counterfactual_revenue``
    The intent-to-treat effect per enrolled company (``member`` or ``blocked``) over
    event months 1-12 and 13-24 after the enrolment month, EUR; defined in
    :mod:`.effects`, per company and month in ``truth_members.csv``.
``rewarded_ranges``, ``halo``, ``negative_control_ranges``, ``negative_control_year1_att``, ``negative_control_year1_n``, ``negative_control_year1_counterfactual_revenue`` (and ``_year2_``)
    Only with ``simulate(rewarded_ranges=...)``: the effect on the revenue of the ranges the
    programme does not reward, EUR per company (:mod:`.ranges`).
``future_months``
    24: the window of ``future.csv`` (:mod:`.future`), calendar months after ``end``.
``programme``
    The programme rules: ``points_per_eur`` (1), ``expiry_months`` (24),
    ``redemption_threshold`` (2,000 points), ``credit_note_rate`` (0.03).
``aggregates``
    Counts and sums over the **clean** rows, to check a loader:
    ``rows`` (``{table: rows}``), ``transactions_in_period`` (rows with
    ``start <= date <= end``), ``revenue_in_period`` (EUR, sum of their
    amounts, credit notes included), ``margin_in_period`` (EUR),
    ``transactions_before_start``, ``purchases`` (rows with a positive
    amount), ``credit_notes`` (rows with a negative amount),
    ``credit_notes_amount`` (EUR, negative), ``customers_by_status``
    (``{status: companies}``), ``members_companies`` (status ``member``),
    ``enrolled_companies`` (``member`` + ``blocked``), ``members_people``,
    ``points_by_kind`` (``{kind: signed points}``), ``points_balance`` (sum of
    all points), ``events_by_kind`` (``{kind: rows}``), ``survey_responses``,
    ``nps`` (percent promoters minus percent detractors, ``None`` if no
    answer).
``dirty``
    ``{"transactions": {reason: rows}, "events": {reason: rows}}`` with the
    loader's rejection reasons ``"missing customer_id"``,
    ``"unparseable date"``, ``"unparseable amount"``, ``"exact duplicate"``
    (transactions) and ``"unknown customer"`` (events); all zero when
    ``dirty=False``.

All numbers in ``truth`` are plain Python ``int``/``float`` (or ``None``);
the same arguments always give byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .base import Grid, Settings, cents_to_eur
from .constants import (
    ATT_MONTHS,
    BGNBD,
    CREDIT_NOTE_RATE,
    DORMANT,
    EVENT_KINDS,
    EXPIRY_MONTHS,
    FUTURE_MONTHS,
    GG,
    PARETO,
    PEAK_DOY,
    PHASE,
    POINT_KIND_ORDER,
    POINTS_PER_EUR,
    REDEEM_THRESHOLD,
)
from .purchases import Attributes, Purchases, Transactions, World


@dataclass(frozen=True)
class Att:
    """The true average effect on the treated, over the evaluated members.

    Attributes
    ----------
    revenue : float
        Mean factual minus counterfactual net revenue per evaluated company, EUR (0.0 if none).
    n : int
        Number of evaluated companies.
    counterfactual_revenue : float
        Mean counterfactual net revenue per evaluated company, EUR (0.0 if none).
    revenue_pct : float or None
        ``100 * revenue / counterfactual_revenue``, percent; None if the denominator is 0.
    """

    revenue: float
    n: int
    counterfactual_revenue: float
    revenue_pct: float | None


def att_windows(grid: Grid, enrol: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Post-enrolment windows of the ground-truth ATT, as day indices.

    Parameters
    ----------
    grid : Grid
        The day grid.
    enrol : numpy.ndarray
        Enrolment day index per company, -1 if never enrolled.

    Returns
    -------
    (lo, hi, complete) : tuple of numpy.ndarray
        First and last day index (both included) of the ``ATT_MONTHS`` calendar months
        starting on the enrolment day, ``[enrol, add_months(enrol, 12) - 1 day]``, and whether
        the company enrolled at least that many calendar months before ``end``
        (``add_months(enrol, 12) <= end``). Never-enrolled companies get ``complete`` False
        (their ``lo``/``hi`` are meaningless).
    """
    later = grid.months_later(ATT_MONTHS)
    enrolled = enrol >= 0
    lo = np.where(enrolled, enrol, 0)
    after = later[lo]  # day index of add_months(enrolment day, ATT_MONTHS)
    return lo, after - 1, enrolled & (after <= grid.last)


def true_att(
    grid: Grid,
    purchases: Purchases,
    attrs: Attributes,
    *,
    status: np.ndarray,
    enrol: np.ndarray,
    factual: World,
    counterfactual: World,
) -> Att:
    """ATT on net revenue over the first 12 calendar months of membership (enrolment day included).

    Evaluated: companies with status ``member`` enrolled at least 12 calendar months before
    ``end`` (:func:`att_windows`). Revenue counts purchases and credit notes dated in the
    window, in both worlds, in EUR.
    """
    n = len(status)
    comp = purchases.comp
    lo_c, hi_c, complete = att_windows(grid, enrol)
    att_comp = (status == "member") & complete

    def window_revenue(w: World) -> np.ndarray:
        lo, hi = lo_c[comp], hi_c[comp]
        sel_p = w.ok & att_comp[comp] & (w.day >= lo) & (w.day <= hi)
        sel_c = w.cn_ok & att_comp[comp] & (w.cn_day >= lo) & (w.cn_day <= hi)
        rev = np.bincount(comp[sel_p], weights=purchases.amount_c[sel_p], minlength=n)
        rev += np.bincount(comp[sel_c], weights=attrs.cn_amount_c[sel_c], minlength=n)
        return rev  # cents, exact in float64 at these magnitudes

    rev_f = window_revenue(factual)[att_comp]
    rev_c = window_revenue(counterfactual)[att_comp]
    att_n = int(att_comp.sum())
    if att_n:
        uplift = float(np.sum(rev_f - rev_c) / att_n / 100.0)
        cf_mean = float(np.sum(rev_c) / att_n / 100.0)
    else:
        uplift, cf_mean = 0.0, 0.0
    uplift_pct = float(100.0 * uplift / cf_mean) if cf_mean != 0 else None
    return Att(revenue=uplift, n=att_n, counterfactual_revenue=cf_mean, revenue_pct=uplift_pct)


def aggregates(clean: dict[str, pd.DataFrame], tx: Transactions, grid: Grid, *, status: np.ndarray, enrolled: np.ndarray) -> dict[str, Any]:
    """Counts and sums over the clean tables (``truth["aggregates"]``; amounts in EUR)."""
    tx_day, tx_amount_c = tx.day, tx.amount_c
    tx_in = (tx_day >= grid.start_idx) & (tx_day <= grid.last)
    points, events, surveys = clean["points"], clean["events"], clean["surveys"]
    nps_vals = surveys["nps"].to_numpy(np.int64)
    return {
        "rows": {k: len(v) for k, v in clean.items()},
        "transactions_in_period": int(tx_in.sum()),
        "revenue_in_period": cents_to_eur(tx_amount_c[tx_in].sum()),
        "margin_in_period": cents_to_eur(tx.margin_c[tx_in].sum()),
        "transactions_before_start": int((tx_day < grid.start_idx).sum()),
        "purchases": int((tx_amount_c > 0).sum()),
        "credit_notes": int((tx_amount_c < 0).sum()),
        "credit_notes_amount": cents_to_eur(tx_amount_c[tx_amount_c < 0].sum()),
        "customers_by_status": {s: int((status == s).sum()) for s in ("member", "blocked", "pre-registered", "non-member")},
        "members_companies": int((status == "member").sum()),
        "enrolled_companies": int(enrolled.sum()),
        "members_people": len(clean["members"]),
        "points_by_kind": {k: int(points.loc[points["kind"] == k, "points"].sum()) for k in POINT_KIND_ORDER},
        "points_balance": int(points["points"].sum()),
        "events_by_kind": {k: int((events["kind"] == k).sum()) for k in (*EVENT_KINDS, "profile_completed")},
        "survey_responses": len(surveys),
        "nps": (float(100.0 * ((nps_vals >= 9).mean() - (nps_vals <= 6).mean())) if len(nps_vals) else None),
    }


def process_parameters(process: str) -> dict[str, float]:
    """The lifetime parameters of ``process`` (``truth["process_parameters"]``, module docstring)."""
    if process == "pareto":
        return {k: float(v) for k, v in PARETO.items()}
    if process == "dormant":
        return {k: float(v) for k, v in DORMANT.items()}
    return {"a": float(BGNBD["a"]), "b": float(BGNBD["b"])}


def truth_dict(
    settings: Settings,
    grid: Grid,
    att: Att,
    aggregates: dict[str, Any],
    dirty: dict[str, dict[str, int]],
    *,
    years: dict[str, float | int],
) -> dict[str, Any]:
    """The JSON-serialisable ``truth``, keys in file order (documented in this module)."""
    gp, gq, gv = (GG[k] for k in ("p", "q", "v"))
    return {
        "seed": settings.seed,
        "n_customers": settings.n,
        "start": settings.start.isoformat(),
        "end": settings.end.isoformat(),
        "programme_launch": grid.launch.isoformat(),
        "first_possible_date": grid.d0.isoformat(),
        "time_unit": "week",
        "bgnbd": {k: float(v) for k, v in BGNBD.items()},
        "dropout_after_first_purchase": False,
        "gg": {k: float(v) for k, v in GG.items()},
        "gg_mean_amount": float(gp * gv / (gq - 1.0)),
        "effect": settings.effect,
        "seasonality": settings.seasonality,
        "seasonality_phase": float(PHASE),
        "seasonality_peak_day_of_year": PEAK_DOY,
        "uplift_att_revenue": att.revenue,
        "uplift_att_n": att.n,
        "uplift_att_counterfactual_revenue": att.counterfactual_revenue,
        "uplift_att_revenue_pct": att.revenue_pct,
        "scenario": settings.scenario,
        "null": settings.null,
        "process": settings.process,
        "process_parameters": process_parameters(settings.process),
        **years,
        "future_months": FUTURE_MONTHS,
        "programme": {
            "points_per_eur": POINTS_PER_EUR,
            "expiry_months": EXPIRY_MONTHS,
            "redemption_threshold": REDEEM_THRESHOLD,
            "credit_note_rate": CREDIT_NOTE_RATE,
        },
        "aggregates": aggregates,
        "dirty": dirty,
    }
