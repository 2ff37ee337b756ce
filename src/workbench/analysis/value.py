"""The value score of seed 003 (notebook ``03_rfm_value``): points for revenue, margin and purchases.

Over a window of ``window_years`` years ending at the reference date (clipped to ``start``):

- **annual revenue** = net revenue over the window (credit notes included) / the window's length
  in years, and the same for **annual margin**. The length is counted in calendar years, months
  and days: 2022-01-01 to 2024-12-31 is exactly 3 years, 2022-07-01 to 2024-12-31 is 2.5 years
  (the days past whole months count as days / 365.25);
- **points for revenue** and **points for margin**: the annual value, in ``unit`` (1 000 = thousands
  of the currency), is compared with bands listed from the highest, as seed 003 words them: a band
  ``"> X"`` applies to a value **strictly above** X, a band ``"X à Y"`` to a value **from X included**;
  the last band takes everything else, zero and negative values included. With the seed's revenue
  scale (">100 = 10, 50 à 100 = 7.5, 10 à 50 = 2.5, < 10 = 0.5") an annual revenue of exactly 100
  thousand earns 7.5 points (it is not above 100), exactly 50 earns 7.5 and exactly 10 earns 2.5; with
  its margin scale ("> 20 = 20, 10 à 20 = 10, 2 à 10 = 5, < 2 = 1") exactly 20 earns 10, exactly 10
  earns 10 and exactly 2 earns 5;
- **purchase bonus** = ``bonus_per_purchase`` (seed: 2 points) x purchases **per window of
  ``window_years``**: the purchases counted in the window actually scored, x ``window_years`` / its
  length in years. Over a full window the factor is 1 (the seed's rule: 2 points per purchase); over
  a window clipped by the period's start, or the trailing ``window_months`` of segment migration
  (page 05), the count is scaled to ``window_years`` so that one company's score and class mean the
  same on every page (4 purchases in 12 months score like 12 in 3 years). Purchases follow the
  report's one definition (:mod:`workbench.analysis.purchases`: purchase days or invoices);
- **score** = the sum; the **value class** is the first class whose ``min_score`` the score reaches
  (``score >= min_score``), the last class (``min_score`` None) takes everything else.

Only customers with a purchase (a positive amount) in the window are scored.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.analysis.purchases import count_purchases
from workbench.analysis.rfm import in_window, years_between
from workbench.config.defaults import (  # noqa: F401  (re-exported)
    DEFAULT_CLASSES,
    DEFAULT_MARGIN_BANDS,
    DEFAULT_REVENUE_BANDS,
    Band,
    ValueClass,
)
from workbench.data.validation import require_columns

VALUE_COLUMNS = [
    "customer_id",
    "revenue",
    "margin",
    "purchases",
    "annual_revenue",
    "annual_margin",
    "revenue_points",
    "margin_points",
    "purchase_points",
    "score",
    "value_class",
]


def window_bounds(
    *, reference_date: pd.Timestamp, start: pd.Timestamp | None, window_years: float, window_months: int | None = None
) -> tuple[pd.Timestamp, float]:
    """First day of the value window and its length in years (see the module docstring).

    Parameters
    ----------
    reference_date
        Last day of the window.
    start
        Earliest first day (the window is clipped to it); None: no limit.
    window_years
        The value score's window, in years.
    window_months
        Score a trailing window of this many calendar months instead (segment migration); None: ``window_years``.

    Returns
    -------
    (first day, length in years)

    Raises
    ------
    ValueError
        ``window_years`` or ``window_months`` is not positive, or ``start`` is after the reference date.
    """
    if window_years <= 0:
        raise ValueError(f"window_years={window_years}: give a positive number of years (seed 003: 2 or 3)")
    if window_months is not None and window_months <= 0:
        raise ValueError(f"window_months={window_months}: give a positive number of months")
    end = pd.Timestamp(reference_date).normalize()
    months = round(12 * window_years) if window_months is None else int(window_months)
    first = end + pd.Timedelta(days=1) - pd.DateOffset(months=months)
    if start is not None:
        if pd.Timestamp(start) > end:
            raise ValueError(f"start={pd.Timestamp(start):%Y-%m-%d} is after reference_date={end:%Y-%m-%d}; swap them")
        first = max(first, pd.Timestamp(start).normalize())
    return first, years_between(first, end)


def _bands(bands: Sequence, name: str) -> list[tuple[float | None, float, bool]]:
    """The bands as ``(edge, points, strict)`` (a 2-tuple is not strict), checked."""
    out = [(b[0], float(b[1]), bool(b[2]) if len(b) > 2 else False) for b in bands]
    edges = [edge for edge, _, _ in out]
    if not out or edges[-1] is not None or any(e is None for e in edges[:-1]):
        raise ValueError(f"{name}: list the bands from the highest, the last with edge None (everything else); got {list(bands)}")
    if any(b >= a for a, b in zip(edges[:-2], edges[1:-1])):
        raise ValueError(f"{name}: the band edges must decrease strictly from the first band; got {edges[:-1]}")
    return out


def band_points(values: pd.Series | np.ndarray, bands: Sequence[Band]) -> np.ndarray:
    """Points of each value: the first band (listed from the highest) it falls in.

    A value falls in a band ``(edge, points, strict)`` when it is above ``edge``: strictly when ``strict``
    (seed 003's "> 100"), or from the edge included otherwise ("50 à 100" includes 50); the last band
    (edge None) takes the rest. Values in the band's unit (e.g. thousands); returns points.
    """
    checked = _bands(bands, "bands")
    values = np.asarray(values, dtype="float64")
    out = np.full(values.shape, checked[-1][1], dtype="float64")
    for edge, points, strict in reversed(checked[:-1]):
        out[(values > edge) if strict else (values >= edge)] = points
    return out


def classify_scores(scores: pd.Series | np.ndarray, classes: Sequence[ValueClass]) -> np.ndarray:
    """The first class whose ``min_score`` each score reaches (``>=``); the last class takes the rest."""
    mins = [m for _, m in classes]
    if not classes or mins[-1] is not None or any(m is None for m in mins[:-1]) or any(b >= a for a, b in zip(mins[:-2], mins[1:-1])):
        raise ValueError(f"classes: list them from the best with strictly decreasing min_score, the last with min_score None; got {list(classes)}")
    scores = np.asarray(scores, dtype="float64")
    out = np.full(scores.shape, classes[-1][0], dtype=object)
    for name, low in reversed(classes[:-1]):
        out[scores >= low] = name
    return out


def compute_value_score(
    transactions: pd.DataFrame,
    *,
    reference_date: pd.Timestamp,
    start: pd.Timestamp | None = None,
    window_years: float = 3.0,
    window_months: int | None = None,
    unit: float = 1000.0,
    revenue_bands: Sequence[Band] = DEFAULT_REVENUE_BANDS,
    margin_bands: Sequence[Band] = DEFAULT_MARGIN_BANDS,
    bonus_per_purchase: float = 2.0,
    purchase: str = "day",
    classes: Sequence[ValueClass] = DEFAULT_CLASSES,
) -> pd.DataFrame:
    """The seed-003 value score and value class of each customer.

    Parameters
    ----------
    transactions
        Canonical transactions (``customer_id, date, amount``; ``margin`` and ``invoice_id`` optional).
    reference_date
        Last day of the window.
    start
        Earliest day the window may start (the analysis period's start); None: no limit.
    window_years
        The value score's window in years (seed 003: 2 or 3); the purchase bonus counts purchases per
        window of this length.
    window_months
        Score a trailing window of this many months instead (segment migration); None: ``window_years``.
    unit
        Currency units per band unit (1000: bands in thousands of the currency).
    revenue_bands, margin_bands
        ``(edge, points, strict)`` from the highest, the last ``(None, points, ...)`` (see :func:`band_points`);
        compared with the annual revenue / margin in ``unit``.
    bonus_per_purchase
        Points per purchase, per window of ``window_years`` (see the module docstring).
    purchase
        ``"day"`` (distinct purchase days) or ``"invoice"`` (:mod:`workbench.analysis.purchases`).
    classes
        ``(name, min_score)`` from the best, the last ``(name, None)``.

    Returns
    -------
    pd.DataFrame
        :data:`VALUE_COLUMNS`: ``revenue`` and ``margin`` over the window (currency; margin NaN without a
        margin column, and then 0 margin points), ``purchases`` (counted in the window),
        ``annual_revenue`` and ``annual_margin`` (currency per year), ``revenue_points``, ``margin_points``,
        ``purchase_points`` (= bonus x purchases x window_years / window length in years), ``score``
        (points), ``value_class``; one row per customer with a purchase in the window, sorted by customer_id.

    Raises
    ------
    ValueError
        Missing columns, bad window, bands, classes, unit or purchase definition.
    """
    require_columns(transactions)
    if unit <= 0:
        raise ValueError(f"unit={unit}: give the currency units per band unit, e.g. 1000 for bands in thousands")
    _bands(revenue_bands, "revenue_bands")
    _bands(margin_bands, "margin_bands")
    first, years = window_bounds(reference_date=reference_date, start=start, window_years=window_years, window_months=window_months)
    window = in_window(transactions, reference_date=reference_date, start=first)
    counts = count_purchases(window, purchase=purchase)
    customers = pd.Index(sorted(counts.index), name="customer_id")
    window = window[window["customer_id"].isin(customers)]
    g = window.groupby("customer_id")
    revenue = g["amount"].sum().reindex(customers).astype("float64")
    margin = (g["margin"].sum(min_count=1) if "margin" in window.columns else pd.Series(np.nan, index=customers)).reindex(customers).astype("float64")
    out = pd.DataFrame({"revenue": revenue, "margin": margin, "purchases": counts.reindex(customers).astype("int64")}, index=customers)
    out["annual_revenue"] = out["revenue"] / years
    out["annual_margin"] = out["margin"] / years
    out["revenue_points"] = band_points(out["annual_revenue"] / unit, revenue_bands)
    out["margin_points"] = np.where(out["margin"].isna(), 0.0, band_points(out["annual_margin"].fillna(0) / unit, margin_bands))
    out["purchase_points"] = out["purchases"] * float(bonus_per_purchase) * bonus_scale(window_years=window_years, years=years)
    out["score"] = out["revenue_points"] + out["margin_points"] + out["purchase_points"]
    out["value_class"] = classify_scores(out["score"], classes).astype(str)
    return out.reset_index()[VALUE_COLUMNS]


def bonus_scale(*, window_years: float, years: float) -> float:
    """The factor of the purchase bonus: ``window_years`` / the scored window's length in years (1 over a full window).

    Both in years; the scored window is never longer than ``window_years`` on page 03, and is the
    trailing ``window_months`` on page 05.
    """
    if years <= 0:
        raise ValueError(f"years={years}: the scored window must have a positive length")
    return float(window_years) / float(years)


def compute_scale_table(
    *,
    revenue_bands: Sequence[Band] = DEFAULT_REVENUE_BANDS,
    margin_bands: Sequence[Band] = DEFAULT_MARGIN_BANDS,
    unit: float = 1000.0,
    bonus_per_purchase: float = 2.0,
    window_years: float = 3.0,
    currency: str = "EUR",
) -> pd.DataFrame:
    """The scale in words: ``measure, band, points, unit``.

    A band reads "more than X" (strict edge), "from X" (edge included), then "up to Y included" when
    the band above starts strictly above Y, or "below Y" when the band above includes Y.
    """
    rows = []
    for measure, bands in (("annual net revenue", revenue_bands), ("annual gross margin", margin_bands)):
        checked = _bands(bands, measure)
        for k, (edge, points, strict) in enumerate(checked):
            upper = None if k == 0 else checked[k - 1]
            top = "" if upper is None else (f"up to {upper[0]:g} included" if upper[2] else f"below {upper[0]:g}")
            if edge is None:
                band = top or "any value"
            else:
                band = (f"more than {edge:g}" if strict else f"from {edge:g}") + (f", {top}" if top else "")
            rows.append((measure, band, float(points)))
    per = f"{window_years:g} years"
    rows.append(("purchases", f"each purchase per {per}", float(bonus_per_purchase)))
    out = pd.DataFrame(rows, columns=["measure", "band", "points"])
    money = f"thousand {currency} per year" if unit == 1000 else f"{unit:g} {currency} per year"
    out["unit"] = np.where(out["measure"] == "purchases", f"points per purchase (per {per})", money)
    return out


def compute_class_profiles(value: pd.DataFrame, *, classes: Sequence[ValueClass] = DEFAULT_CLASSES) -> pd.DataFrame:
    """Customers, score range and value of each class, best first.

    Returns
    -------
    pd.DataFrame
        ``value_class, min_score`` (points; NaN for the last), ``customers``, ``customer_share`` (0-1),
        ``revenue`` (currency), ``revenue_share`` (0-1), ``margin`` (currency), ``mean_score`` (points),
        ``annual_revenue_per_customer`` (currency per year), ``purchases_per_customer``.
    """
    g = value.groupby("value_class")
    names = [name for name, _ in classes]
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue": g["revenue"].sum(),
            "margin": g["margin"].sum(min_count=1),
            "mean_score": g["score"].mean(),
            "annual_revenue_per_customer": g["annual_revenue"].mean(),
            "purchases_per_customer": g["purchases"].mean(),
        }
    ).reindex(names)
    out["customers"] = out["customers"].fillna(0).astype("int64")
    out["revenue"] = out["revenue"].fillna(0.0)
    out.insert(0, "min_score", [np.nan if m is None else float(m) for _, m in classes])
    out.insert(2, "customer_share", out["customers"] / max(out["customers"].sum(), 1))
    out.insert(4, "revenue_share", out["revenue"] / out["revenue"].sum() if out["revenue"].sum() else np.nan)
    return out.rename_axis("value_class").reset_index()
