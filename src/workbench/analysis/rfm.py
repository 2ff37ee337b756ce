"""RFM scoring and named segments (notebook ``03_rfm_value``), segment profiles and levers.

Definitions (every figure at a reference date, over a window ``[start, reference_date]``):

- **purchase**: as defined once for the report (:mod:`workbench.analysis.purchases`, parameter
  ``purchase``): a transaction with a positive amount, counted per purchase day (``day``) or per
  invoice (``invoice``); credit notes are not purchases;
- ``recency_days``: days from the last purchase to the reference date (0 = bought that day);
- ``frequency``: the customer's purchases in the window (distinct purchase **days** by default,
  several invoices on one day counting once, or distinct **invoices**);
- ``monetary``: net revenue over the window, credit notes included (currency);
- ``margin``: gross margin over the window, credit notes included (currency; NaN without a
  margin column).

Only customers with at least one purchase in the window are scored.

Scoring follows the R package ``rfm``: the thresholds are **values**; with ``n`` scores the
``n - 1`` inner cut points are the ``i / n`` quantiles (linear interpolation, R's default
type 7); a value ``x`` falls in the interval ``[lower, upper)`` of its score, so its score is
``1 + (number of cut points <= x)``. Equal values always get equal scores, and when two cut
points coincide the score between them is skipped (flagged, not an error). Recency is
reversed: ``r_score = n + 1 - score(recency_days)``, so ``n`` means most recent. The combined
``rfm_score`` is ``R * 100 + F * 10 + M``.

Segments: a list of rules ``(name, r, f, m)``, each a closed ``[lo, hi]`` range of scores; the
first rule that matches wins, "Others" when none does. The default map (:data:`DEFAULT_SEGMENTS`)
is listed from the best segment to the worst; with 5 scores it leaves no customer in "Others".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from workbench.analysis.purchases import count_purchases, purchase_rows
from workbench.config.defaults import (  # noqa: F401  (re-exported)
    DEFAULT_LEVERS,
    DEFAULT_SEGMENTS,
    LEVER_EXAMPLES,
    LEVERS,
    OTHERS,
    SegmentRule,
)
from workbench.data.validation import require_columns
from workbench.formatting import tr

DIMENSIONS = ("recency", "frequency", "monetary")
VALUE_COLUMN = {"recency": "recency_days", "frequency": "frequency", "monetary": "monetary"}
RFM_COLUMNS = ["customer_id", "recency_days", "frequency", "monetary", "margin", "r_score", "f_score", "m_score", "rfm_score", "segment"]


# ---------------------------------------------------------------- values
def years_between(first: pd.Timestamp, last: pd.Timestamp) -> float:
    """Length of ``[first, last]`` (both days included) in years: whole years, then months / 12, then days / 365.25.

    2022-01-01 to 2024-12-31 is 3.0; 2022-07-01 to 2024-12-31 is 2.5.
    """
    span = relativedelta((pd.Timestamp(last).normalize() + pd.Timedelta(days=1)).to_pydatetime(), pd.Timestamp(first).normalize().to_pydatetime())
    return span.years + span.months / 12 + span.days / 365.25


def in_window(transactions: pd.DataFrame, *, reference_date: pd.Timestamp, start: pd.Timestamp | None) -> pd.DataFrame:
    """The rows dated in ``[start, reference_date]`` (days included; no lower bound when start is None)."""
    dates = transactions["date"]
    keep = dates <= pd.Timestamp(reference_date)
    if start is not None:
        keep &= dates >= pd.Timestamp(start)
    return transactions[keep]


def compute_rfm_values(transactions: pd.DataFrame, *, reference_date: pd.Timestamp, start: pd.Timestamp | None = None, purchase: str = "day") -> pd.DataFrame:
    """Recency, frequency, monetary value and margin per customer (no scores).

    Parameters
    ----------
    transactions
        Canonical transactions (``customer_id, date, amount``; ``margin`` and ``invoice_id`` optional).
    reference_date
        The 'as of' date; later rows are ignored.
    start
        First day of the window; None uses every row up to the reference date.
    purchase
        ``"day"`` (distinct purchase days) or ``"invoice"`` (distinct invoice numbers), see
        :mod:`workbench.analysis.purchases`.

    Returns
    -------
    pd.DataFrame
        ``customer_id, recency_days`` (days), ``frequency`` (purchases), ``monetary`` (net revenue,
        currency), ``margin`` (currency, NaN without a margin column); customers with a purchase in the
        window, sorted by customer_id.
    """
    require_columns(transactions)
    window = in_window(transactions, reference_date=reference_date, start=start)
    purchases = purchase_rows(window)
    customers = pd.Index(sorted(purchases["customer_id"].unique()), name="customer_id")
    last = purchases.groupby("customer_id")["date"].max().reindex(customers)
    grouped = window[window["customer_id"].isin(customers)].groupby("customer_id")
    margin = grouped["margin"].sum(min_count=1) if "margin" in window.columns else pd.Series(np.nan, index=customers)
    out = pd.DataFrame(
        {
            "recency_days": (pd.Timestamp(reference_date).normalize() - last.dt.normalize()).dt.days.astype("int64"),
            "frequency": count_purchases(window, purchase=purchase).reindex(customers).astype("int64"),
            "monetary": grouped["amount"].sum().reindex(customers).astype("float64"),
            "margin": margin.reindex(customers).astype("float64"),
        },
        index=customers,
    )
    return out.reset_index()


# ---------------------------------------------------------------- scoring
def quantile_cuts(values: pd.DataFrame, *, n_scores: int = 5) -> dict[str, list[float]]:
    """The ``n_scores - 1`` inner cut points of each dimension, as values (R ``rfm``, quantile type 7).

    Parameters
    ----------
    values
        A frame with ``recency_days`` (days), ``frequency`` (purchases) and ``monetary`` (currency),
        e.g. from :func:`compute_rfm_values`.
    n_scores
        Number of scores (2-10).

    Returns
    -------
    dict
        ``{"recency": [...], "frequency": [...], "monetary": [...]}``, each ascending, in the dimension's unit.

    Raises
    ------
    ValueError
        ``n_scores`` outside 2-10, or no customer to score.
    """
    _check_n_scores(n_scores)
    if values.empty:
        raise ValueError("no customer with a purchase in the window: cannot compute RFM quantiles; check the period and the transactions")
    probs = np.arange(1, n_scores) / n_scores
    return {dim: [float(v) for v in np.quantile(values[VALUE_COLUMN[dim]].to_numpy(dtype="float64"), probs)] for dim in DIMENSIONS}


def resolve_cuts(values: pd.DataFrame, *, cuts: Mapping[str, Sequence[float]] | None = None, n_scores: int = 5) -> dict[str, list[float]]:
    """The cut points of every dimension: those given in ``cuts``, the quantiles of ``values`` for the others.

    Parameters
    ----------
    values
        A frame with ``recency_days``, ``frequency``, ``monetary`` (e.g. :func:`compute_rfm_values`).
    cuts
        Fixed cut points for some or all of ``recency`` (days), ``frequency`` (purchases), ``monetary``
        (currency), ``n_scores - 1`` ascending values each; None or a missing dimension: quantiles.

    Raises
    ------
    ValueError
        Unknown dimension, wrong number of cut points or not ascending; no customer when quantiles are needed.
    """
    given = {k: [float(x) for x in v] for k, v in (cuts or {}).items() if v is not None}
    unknown = sorted(set(given) - set(DIMENSIONS))
    if unknown:
        raise ValueError(f"cuts: unknown dimension(s) {', '.join(unknown)}; use recency, frequency, monetary")
    missing = [dim for dim in DIMENSIONS if dim not in given]
    if missing:
        given = {**quantile_cuts(values, n_scores=n_scores), **given}
    _check_cuts(given, n_scores)
    return {dim: given[dim] for dim in DIMENSIONS}


def _check_n_scores(n_scores: int) -> None:
    if not 2 <= n_scores <= 10:
        raise ValueError(f"n_scores={n_scores}: use between 2 and 10 scores (5 is the usual quintile scoring)")


def _check_cuts(cuts: Mapping[str, Sequence[float]], n_scores: int) -> None:
    for dim in DIMENSIONS:
        if dim not in cuts:
            raise ValueError(f"cuts: missing {dim!r}; give {n_scores - 1} ascending cut points for each of recency, frequency, monetary")
        points = list(cuts[dim])
        if len(points) != n_scores - 1 or any(b < a for a, b in zip(points, points[1:])):
            raise ValueError(f"cuts.{dim}={points}: give {n_scores - 1} ascending cut points for {n_scores} scores")


def score_values(values: pd.Series | np.ndarray, cuts: Sequence[float], *, reverse: bool = False) -> np.ndarray:
    """Scores 1..n of ``values`` against ascending inner cut points (``[lower, upper)`` intervals).

    ``score = 1 + number of cut points <= value``; ``reverse`` gives ``n + 1 - score`` (recency).
    """
    score = np.searchsorted(np.asarray(cuts, dtype="float64"), np.asarray(values, dtype="float64"), side="right") + 1
    return (len(cuts) + 2 - score if reverse else score).astype("int64")


def assign_segments(r: np.ndarray, f: np.ndarray, m: np.ndarray, segments: Sequence[SegmentRule] = DEFAULT_SEGMENTS) -> np.ndarray:
    """The first matching segment name for each (R, F, M) score triple, ``"Others"`` when none matches."""
    r, f, m = (np.asarray(x) for x in (r, f, m))
    out = np.full(r.shape, OTHERS, dtype=object)
    todo = np.ones(r.shape, dtype=bool)
    for rule in segments:
        hit = todo & (r >= rule.r[0]) & (r <= rule.r[1]) & (f >= rule.f[0]) & (f <= rule.f[1]) & (m >= rule.m[0]) & (m <= rule.m[1])
        out[hit] = rule.name
        todo &= ~hit
    return out


def segment_map_table(segments: Sequence[SegmentRule] = DEFAULT_SEGMENTS) -> pd.DataFrame:
    """The segment rules as text: ``segment, r, f, m`` (e.g. ``"4–5"``), in the order they are tried."""

    def span(lo_hi: tuple[int, int]) -> str:
        return str(lo_hi[0]) if lo_hi[0] == lo_hi[1] else f"{lo_hi[0]}–{lo_hi[1]}"

    return pd.DataFrame([(s.name, span(s.r), span(s.f), span(s.m)) for s in segments], columns=["segment", "r", "f", "m"])


def segment_order(segments: Sequence[SegmentRule] = DEFAULT_SEGMENTS) -> list[str]:
    """Segment names best first, then ``"Others"``."""
    return [rule.name for rule in segments] + [OTHERS]


def compute_rfm(
    transactions: pd.DataFrame,
    *,
    reference_date: pd.Timestamp,
    start: pd.Timestamp | None = None,
    n_scores: int = 5,
    purchase: str = "day",
    cuts: Mapping[str, Sequence[float]] | None = None,
    segments: Sequence[SegmentRule] = DEFAULT_SEGMENTS,
) -> pd.DataFrame:
    """RFM values, scores and named segment per customer.

    Parameters
    ----------
    transactions
        Canonical transactions (``customer_id, date, amount``; ``margin``, ``invoice_id`` optional).
    reference_date
        The 'as of' date (recency is counted to it; later rows are ignored).
    start
        First day of the window; None: every row up to the reference date.
    n_scores
        Scores per dimension (2-10; 5 = quintiles).
    purchase
        ``"day"`` or ``"invoice"`` (see :func:`workbench.analysis.purchases.count_purchases`).
    cuts
        Fixed inner cut points ``{"recency": days, "frequency": purchases, "monetary": currency}``,
        ``n_scores - 1`` ascending values each (last year's, or frozen from a base period).
        None, or a dimension left out: the quantiles of these customers (:func:`resolve_cuts`).
    segments
        Segment rules, first match wins.

    Returns
    -------
    pd.DataFrame
        :data:`RFM_COLUMNS`: ``customer_id, recency_days`` (days), ``frequency`` (purchases),
        ``monetary`` and ``margin`` (currency), ``r_score, f_score, m_score`` (1..n_scores, n = best),
        ``rfm_score`` (R*100 + F*10 + M), ``segment``; one row per customer with a purchase in the window.

    Raises
    ------
    ValueError
        Missing columns, bad ``n_scores``, ``purchase`` or ``cuts``.
    """
    _check_n_scores(n_scores)
    values = compute_rfm_values(transactions, reference_date=reference_date, start=start, purchase=purchase)
    if values.empty and not all((cuts or {}).get(dim) is not None for dim in DIMENSIONS):
        return _empty_rfm()
    cuts = resolve_cuts(values, cuts=cuts, n_scores=n_scores)
    out = values.copy()
    out["r_score"] = score_values(out["recency_days"], cuts["recency"], reverse=True)
    out["f_score"] = score_values(out["frequency"], cuts["frequency"])
    out["m_score"] = score_values(out["monetary"], cuts["monetary"])
    out["rfm_score"] = out["r_score"] * 100 + out["f_score"] * 10 + out["m_score"]
    out["segment"] = assign_segments(out["r_score"], out["f_score"], out["m_score"], segments).astype(str)
    return out[RFM_COLUMNS]


def _empty_rfm() -> pd.DataFrame:
    dtypes = {
        "customer_id": "str",
        "recency_days": "int64",
        "frequency": "int64",
        "monetary": "float64",
        "margin": "float64",
        "r_score": "int64",
        "f_score": "int64",
        "m_score": "int64",
        "rfm_score": "int64",
        "segment": "str",
    }
    return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in RFM_COLUMNS})


def compute_threshold_table(rfm: pd.DataFrame, *, cuts: Mapping[str, Sequence[float]], n_scores: int = 5) -> pd.DataFrame:
    """The scoring thresholds of each dimension and how many customers each score holds.

    Parameters
    ----------
    rfm
        The result of :func:`compute_rfm`.
    cuts
        The inner cut points it was scored with.

    Returns
    -------
    pd.DataFrame
        ``dimension, score, lower, upper, customers``: a value scores ``score`` when
        ``lower <= value < upper`` (recency in days, reversed: score n is the most recent;
        frequency in purchases; monetary in currency); ``lower``/``upper`` are -inf/inf at the ends.
        A score with ``lower == upper`` is skipped (empty).
    """
    _check_cuts(cuts, n_scores)
    rows = []
    for dim in DIMENSIONS:
        edges = [-np.inf, *cuts[dim], np.inf]
        counts = rfm[f"{dim[0]}_score"].value_counts()
        intervals = range(n_scores - 1, -1, -1) if dim == "recency" else range(n_scores)  # scores 1..n in turn
        for k in intervals:
            score = n_scores - k if dim == "recency" else k + 1
            rows.append((dim, score, float(edges[k]), float(edges[k + 1]), int(counts.get(score, 0))))
    return pd.DataFrame(rows, columns=["dimension", "score", "lower", "upper", "customers"])


def scoring_warnings(thresholds: pd.DataFrame, *, n_scores: int = 5) -> list[str]:
    """One plain sentence per dimension that yields fewer distinct scores than asked, in the report language.

    Parameters
    ----------
    thresholds
        The output of :func:`compute_threshold_table` (``dimension, score, lower, upper, customers``).
    n_scores
        Scores asked per dimension.

    Returns
    -------
    list of str
        One sentence per dimension that yields fewer distinct scores than asked.
    """
    out = []
    for dim in DIMENSIONS:
        rows = thresholds[thresholds["dimension"] == dim]
        used = rows[rows["customers"] > 0]
        if len(used) < n_scores:
            skipped = ", ".join(str(s) for s in sorted(rows.loc[rows["customers"] == 0, "score"]))
            out.append(
                tr(
                    "{dimension}: only {used} distinct scores out of {n_scores} (score(s) {skipped} hold no customer): "
                    "many customers share the same {dimension} value, and equal values always get the same score.",
                    dimension=tr(dim),
                    used=len(used),
                    n_scores=n_scores,
                    skipped=skipped,
                )
            )
    return out


# ---------------------------------------------------------------- profiles and actions
PROFILE_COLUMNS = [
    "segment",
    "customers",
    "customer_share",
    "revenue",
    "revenue_share",
    "margin",
    "margin_per_customer",
    "average_basket",
    "frequency",
    "recency_days",
    "member_share",
]


def compute_segment_profiles(rfm: pd.DataFrame, *, customers: pd.DataFrame | None = None, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Size and value of each segment.

    Parameters
    ----------
    rfm
        The result of :func:`compute_rfm`.
    customers
        The customers table (``customer_id, status``) for the share of programme members; None: NaN.
    order
        Segment names in display order (:func:`segment_order`); segments without customers are kept with 0.

    Returns
    -------
    pd.DataFrame
        :data:`PROFILE_COLUMNS`: ``customers``; ``customer_share`` (0-1); ``revenue`` (net, currency) and
        ``revenue_share`` (0-1 of the total); ``margin`` (currency); ``margin_per_customer`` (currency);
        ``average_basket`` (net revenue per purchase, currency); ``frequency`` (mean purchases per customer);
        ``recency_days`` (mean days since the last purchase); ``member_share`` (0-1 of the segment's customers
        whose status is ``member``).
    """
    frame = rfm.copy()
    if customers is not None and "status" in customers.columns:
        members = set(customers.loc[customers["status"] == "member", "customer_id"])
        frame["member"] = frame["customer_id"].isin(members).astype("float64")
    else:
        frame["member"] = np.nan
    g = frame.groupby("segment")
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue": g["monetary"].sum(),
            "margin": g["margin"].sum(min_count=1),
            "purchases": g["frequency"].sum(),
            "frequency": g["frequency"].mean(),
            "recency_days": g["recency_days"].mean(),
            "member_share": g["member"].mean(),
        }
    )
    names = list(order) if order is not None else sorted(out.index)
    names += [s for s in out.index if s not in names]
    out = out.reindex(names).fillna({"customers": 0, "revenue": 0.0, "purchases": 0})
    out["customers"] = out["customers"].astype("int64")
    total_customers, total_revenue = out["customers"].sum(), out["revenue"].sum()
    out["customer_share"] = out["customers"] / total_customers if total_customers else np.nan
    out["revenue_share"] = out["revenue"] / total_revenue if total_revenue else np.nan
    out["margin_per_customer"] = out["margin"] / out["customers"].where(out["customers"] > 0)
    out["average_basket"] = out["revenue"] / out["purchases"].where(out["purchases"] > 0)
    return out.rename_axis("segment").reset_index()[PROFILE_COLUMNS].astype({c: "float64" for c in PROFILE_COLUMNS[2:]})


def compute_rf_grid(rfm: pd.DataFrame, *, n_scores: int = 5) -> pd.DataFrame:
    """Customers and mean net revenue for every (R, F) score pair.

    Returns
    -------
    pd.DataFrame
        ``r_score, f_score, customers, monetary`` (mean net revenue per customer, currency; NaN when empty),
        every pair of 1..n_scores present, R descending then F ascending.
    """
    grid = pd.MultiIndex.from_product([range(n_scores, 0, -1), range(1, n_scores + 1)], names=["r_score", "f_score"])
    g = rfm.groupby(["r_score", "f_score"])
    out = pd.DataFrame({"customers": g.size(), "monetary": g["monetary"].mean()}).reindex(grid)
    out["customers"] = out["customers"].fillna(0).astype("int64")
    return out.reset_index()


def compute_segment_actions(profiles: pd.DataFrame, *, levers: Mapping[str, Sequence[str]], budget_share: float, years: float) -> pd.DataFrame:
    """Recommended levers and the allowable yearly retention budget per customer, per segment.

    Parameters
    ----------
    profiles
        The result of :func:`compute_segment_profiles`.
    levers
        Segment name -> levers among ``transactional, service, relational, engagement`` (seed 004);
        a segment absent from the mapping gets none.
    budget_share
        Fraction (0-1) of a customer's yearly margin that may be spent to retain it.
    years
        Length of the window the margins cover, in years (to make them yearly).

    Returns
    -------
    pd.DataFrame
        ``segment, customers, levers`` (comma-separated), ``examples`` (of actions, per lever),
        ``margin_per_customer_year`` (currency per customer per year) and ``retention_budget_per_customer``
        (currency per customer per year = margin per customer per year x ``budget_share``; NaN without margins).

    Raises
    ------
    ValueError
        ``budget_share`` outside 0-1, ``years`` <= 0, or an unknown lever.
    """
    if not 0 <= budget_share <= 1:
        raise ValueError(f"budget_share={budget_share}: give a fraction between 0 and 1 of the yearly margin (e.g. 0.1)")
    if years <= 0:
        raise ValueError(f"years={years}: the window length must be positive")
    for name, chosen in levers.items():
        bad = [lv for lv in chosen if lv not in LEVERS]
        if bad:
            raise ValueError(f"levers[{name!r}]: unknown lever(s) {', '.join(bad)}; use {', '.join(LEVERS)}")
    chosen = [list(levers.get(s, ())) for s in profiles["segment"]]
    per_year = profiles["margin_per_customer"] / years
    return pd.DataFrame(
        {
            "segment": profiles["segment"],
            "customers": profiles["customers"],
            "levers": [", ".join(c) for c in chosen],
            "examples": ["; ".join(f"{lv}: {LEVER_EXAMPLES[lv]}" for lv in c) for c in chosen],
            "margin_per_customer_year": per_year,
            "retention_budget_per_customer": per_year * budget_share,
        }
    )


def lever_table() -> pd.DataFrame:
    """The four levers of seed 004 with example actions: ``lever, examples``."""
    return pd.DataFrame({"lever": list(LEVERS), "examples": [LEVER_EXAMPLES[lv] for lv in LEVERS]})


# ---------------------------------------------------------------- export
def compute_crm_export(rfm: pd.DataFrame, value: pd.DataFrame | None = None) -> pd.DataFrame:
    """Customer -> R, F, M, scores, segment (and value score and class), one row per customer.

    Returns
    -------
    pd.DataFrame
        ``customer_id, recency_days, frequency, monetary, r_score, f_score, m_score, rfm_score, segment,
        value_score, value_class`` (value columns empty for a customer without a purchase in the value window).
    """
    out = rfm[["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_score", "segment"]]
    if value is not None:
        out = out.merge(value[["customer_id", "score", "value_class"]].rename(columns={"score": "value_score"}), on="customer_id", how="outer")
    return out.sort_values("customer_id", kind="stable").reset_index(drop=True)
