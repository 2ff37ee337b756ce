"""Points KPIs: breakage by earning cohort, the points summary with its liability, redemption by segment."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis.kpis.common import _check_window, _points_of

POINTS_LABELS = {
    "balance": "outstanding",
    "redemption_rate": "redemption rate",
    "unredeemed_rate": "not redeemed (expired or outstanding)",
    "expiry_rate": "expiry rate",
    "breakage_rate_cohort": "breakage (closed cohorts)",
    "breakage_assumed": "expected breakage used",
}
"""Display names of :func:`compute_points_summary`'s columns."""


COHORT_LABELS = {
    "closes_on": "last points expire on",
    "closed": "can no longer redeem",
    "breakage_rate": "breakage (expired / earned)",
}
"""Display names of :func:`compute_breakage_cohorts`'s columns."""


def compute_breakage_cohorts(points: pd.DataFrame, *, end: pd.Timestamp, expiry_months: int | None, grain: str = "year") -> pd.DataFrame:
    """Breakage by earning cohort: points expired / points earned, once the cohort can no longer redeem.

    A cohort is the points earned in one calendar ``grain`` (``year`` or ``month``). Points expire
    ``expiry_months`` calendar months after they were earned, so an expiry dated ``d`` belongs to the
    cohort of ``d - expiry_months``. A cohort is **closed** when its last day plus ``expiry_months`` is on
    or before ``end``: every point of it has then been redeemed or has expired, and its breakage
    (expired / earned) is final. Open cohorts still hold outstanding points, which are not breakage.

    Parameters
    ----------
    points
        The points ledger, earlier movements included.
    end
        The reference date; later movements are ignored.
    expiry_months
        The programme's expiry rule (months); None: points never expire, so no cohort closes.
    grain
        ``year`` or ``month``.

    Returns
    -------
    pd.DataFrame
        ``cohort`` (label), ``earned``, ``expired`` (points, positive), ``closes_on`` (the day its last
        points expire; NaT without expiry), ``closed`` (bool), ``breakage_rate`` = expired / earned
        (fraction 0-1; NaN for an open cohort). Oldest cohort first.

    Raises
    ------
    ValueError
        ``grain`` is not year or month, or ``expiry_months`` is not positive.
    """
    freq = {"year": "Y", "month": "M"}.get(grain)
    if freq is None:
        raise ValueError(f"grain={grain!r}: use 'year' or 'month'")
    if expiry_months is not None and expiry_months <= 0:
        raise ValueError(f"expiry_months={expiry_months}: give the months after which points expire (e.g. 24), or None")
    end = pd.Timestamp(end)
    ledger = points[points["date"] <= end]
    earned_rows = ledger[ledger["kind"] == "earned"]
    earned = _points_of(earned_rows, "earned").groupby(earned_rows["date"].dt.to_period(freq)).sum()
    if expiry_months is not None:
        expired_rows = ledger[ledger["kind"] == "expired"]
        earned_on = expired_rows["date"] - pd.DateOffset(months=int(expiry_months))
        expired = _points_of(expired_rows, "expired").groupby(earned_on.dt.to_period(freq)).sum()
    else:
        expired = pd.Series(dtype="float64")
    cohorts = earned.index.sort_values()
    out = pd.DataFrame({"earned": earned.reindex(cohorts).astype("float64"), "expired": expired.reindex(cohorts, fill_value=0.0).astype("float64")})
    last_days = pd.Series([c.end_time.normalize() for c in cohorts], index=cohorts, dtype="datetime64[ns]")
    out["closes_on"] = last_days + pd.DateOffset(months=int(expiry_months)) if expiry_months is not None else pd.NaT
    out["closed"] = (out["closes_on"] <= end).fillna(False).astype(bool) if expiry_months is not None else False
    out["breakage_rate"] = (out["expired"] / out["earned"].where(out["earned"] > 0)).where(out["closed"])
    out.index = out.index.astype(str)
    return out.rename_axis("cohort").reset_index().astype({"closed": "bool", "closes_on": "datetime64[ns]"})


def expected_breakage(cohorts: pd.DataFrame) -> float:
    """Breakage of the closed cohorts together: their expired / their earned points (fraction; NaN when none is closed)."""
    closed = cohorts[cohorts["closed"]]
    earned = closed["earned"].sum()
    return float(closed["expired"].sum() / earned) if earned > 0 else float("nan")


def compute_points_summary(
    points: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    point_value: float,
    expiry_months: int | None = None,
    breakage: float | None = None,
) -> pd.DataFrame:
    """Points flows of the window, the outstanding balance and what it is worth, gross and net of expected breakage.

    Parameters
    ----------
    points
        The points ledger, including movements before ``start`` (they count in the balance and the cohorts).
    start, end
        The window of the flows (both days included); ``end`` is the balance date.
    point_value
        Value of one point to the programme (currency).
    expiry_months
        The expiry rule (months), for the breakage of closed earning cohorts (:func:`compute_breakage_cohorts`).
    breakage
        The expected breakage to assume (fraction 0-1); None: the closed cohorts' breakage, or 0 when no
        cohort is closed yet.

    Returns
    -------
    pd.DataFrame
        One row: ``earned, redeemed, expired, adjusted`` (points of the window; redeemed and expired as
        positive numbers, adjusted signed), ``balance`` (outstanding points: every signed movement up to
        ``end``), ``redemption_rate`` = redeemed / earned, ``unredeemed_rate`` = 1 - redemption_rate (points
        of the window not redeemed: expired **or still outstanding**, not a breakage), ``expiry_rate`` =
        expired / earned (fractions 0-1), ``liability`` = balance x point_value (currency, gross),
        ``breakage_rate_cohort`` = expired / earned over the closed earning cohorts (fraction; NaN when none),
        ``breakage_assumed`` (the expected breakage used, fraction), ``liability_net`` = balance x point_value
        x (1 - breakage_assumed) (currency; IFRS 15 practice).

    Raises
    ------
    ValueError
        ``point_value`` is negative, or ``breakage`` is outside 0-1.
    """
    if point_value < 0:
        raise ValueError(f"point_value must be >= 0, got {point_value}; give the cost of one point in the currency")
    if breakage is not None and not 0 <= breakage <= 1:
        raise ValueError(f"breakage={breakage}: give the expected breakage as a fraction between 0 and 1, or None to estimate it")
    _check_window(start, end)
    window = points[points["date"].between(pd.Timestamp(start), pd.Timestamp(end))]
    earned = float(_points_of(window, "earned").sum())
    redeemed = float(_points_of(window, "redeemed").sum())
    expired = float(_points_of(window, "expired").sum())
    adjusted = float(_points_of(window, "adjusted").sum())
    balance = float(points.loc[points["date"] <= pd.Timestamp(end), "points"].sum())
    redemption = redeemed / earned if earned > 0 else np.nan
    cohort_rate = expected_breakage(compute_breakage_cohorts(points, end=end, expiry_months=expiry_months))
    assumed = breakage if breakage is not None else (0.0 if np.isnan(cohort_rate) else cohort_rate)
    return pd.DataFrame(
        {
            "earned": [earned],
            "redeemed": [redeemed],
            "expired": [expired],
            "adjusted": [adjusted],
            "balance": [balance],
            "redemption_rate": [redemption],
            "unredeemed_rate": [1 - redemption],
            "expiry_rate": [expired / earned if earned > 0 else np.nan],
            "liability": [balance * point_value],
            "breakage_rate_cohort": [cohort_rate],
            "breakage_assumed": [float(assumed)],
            "liability_net": [balance * point_value * (1 - assumed)],
        }
    )


def compute_redemption_by(
    points: pd.DataFrame, lookup: pd.DataFrame, *, key: str, by: str, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Points earned and redeemed per segment (typology of the company, role of the person, ...).

    Parameters
    ----------
    points
        The points ledger of the window.
    lookup
        A table giving the segment: ``key`` and ``by`` columns (e.g. customers with
        ``customer_id`` and ``typology``, or members with ``member_id`` and ``role``).
    key
        The column joining ``points`` to ``lookup`` (``customer_id`` or ``member_id``).
    by
        The segment column of ``lookup``.
    start, end
        Only movements in this window count (both days included); None: no bound.

    Returns
    -------
    pd.DataFrame
        ``segment, earned, redeemed, redemption_rate``: points (redeemed positive) and
        redeemed / earned (fraction 0-1), largest earner first. Rows without a segment are ``unknown``.

    Raises
    ------
    ValueError
        ``key`` or ``by`` is not a column of its table.
    """
    for frame, column, name in ((points, key, "points"), (lookup, key, "lookup"), (lookup, by, "lookup")):
        if column not in frame.columns:
            raise ValueError(f"{name} has no column {column!r}; columns are {', '.join(frame.columns)}")
    points = points[points["date"].between(pd.Timestamp(start or points["date"].min()), pd.Timestamp(end or points["date"].max()))]
    segment = points[key].map(lookup.drop_duplicates(key).set_index(key)[by]).astype("object").fillna("unknown")
    frame = pd.DataFrame(
        {
            "segment": segment,
            "earned": points["points"].where(points["kind"] == "earned", 0.0),
            "redeemed": -points["points"].where(points["kind"] == "redeemed", 0.0),
        }
    )
    out = frame.groupby("segment")[["earned", "redeemed"]].sum().astype("float64").reset_index()
    out["redemption_rate"] = out["redeemed"] / out["earned"].where(out["earned"] > 0)
    return out.sort_values(["earned", "segment"], ascending=[False, True], kind="stable").reset_index(drop=True)
