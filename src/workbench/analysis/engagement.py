"""Engagement (notebook ``07_engagement``): the three-pillar score, ambassadors, programme fit.

The engagement rate of seed 001 combines three families of indicators:
*business* (purchases or purchase declarations), *social* (logins, visits,
interactions, profile completion) and *technical* (trainings, content). Each
pillar counts activity over a window, is scaled 0-100 against the activity of
the most active entities (100 at the ``cap_quantile`` of the active ones,
linear below, capped above), and the score is the weighted mean of the pillars.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

PILLARS = ("business", "social", "technical")
SCORE_COLUMNS = [f"{p}_count" for p in PILLARS] + list(PILLARS) + ["score"]


def _window(frame: pd.DataFrame, *, reference_date: pd.Timestamp, window_days: int) -> pd.DataFrame:
    start = pd.Timestamp(reference_date) - pd.Timedelta(days=window_days - 1)
    return frame[(frame["date"] >= start) & (frame["date"] <= pd.Timestamp(reference_date))]


def activity_counts(
    events: pd.DataFrame | None,
    transactions: pd.DataFrame,
    *,
    level: str,
    kinds: Mapping[str, Sequence[str]],
    reference_date: pd.Timestamp,
    window_days: int,
    members: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Activity per pillar over the window, per member or per company.

    Parameters
    ----------
    events
        Canonical events (``customer_id, member_id, date, kind``), or None.
    transactions
        Canonical transactions; purchase days (positive amounts) count in the business pillar.
    level
        ``"member"`` (one row per person of ``members``; a person's business pillar
        counts their company's purchase days plus their own business events) or
        ``"company"`` (one row per company with a purchase, an event or a person).
    kinds
        Event kinds per pillar.
    reference_date, window_days
        The window is the ``window_days`` days ending on ``reference_date`` (included).
    members
        Canonical members table; required for ``level="member"``.

    Returns
    -------
    pd.DataFrame
        ``member_id`` (member level only), ``customer_id``, ``business_count``,
        ``social_count``, ``technical_count`` (counts of days or events over the window).

    Raises
    ------
    ValueError
        ``level`` is unknown, or ``level="member"`` without a members table.
    """
    if level not in ("member", "company"):
        raise ValueError(f"level must be 'member' or 'company', got {level!r}")
    if level == "member" and members is None:
        raise ValueError("level='member' needs the members table; use level='company'")
    tx = _window(transactions, reference_date=reference_date, window_days=window_days)
    purchase_days = tx[tx["amount"] > 0].groupby("customer_id")["date"].nunique().rename("purchase_days")
    ev = _window(events, reference_date=reference_date, window_days=window_days) if events is not None else None

    key = ["member_id"] if level == "member" else ["customer_id"]
    if level == "member":
        base = members[["member_id", "customer_id"]].drop_duplicates("member_id")
    else:
        ids = set(purchase_days.index) | (set(ev["customer_id"]) if ev is not None else set()) | (set(members["customer_id"]) if members is not None else set())
        base = pd.DataFrame({"customer_id": sorted(ids)})
    out = base.copy()
    for pillar in PILLARS:
        if ev is not None and len(ev):
            hits = ev[ev["kind"].isin(list(kinds.get(pillar, [])))]
            counts = hits.groupby(key[0]).size() if len(hits) else pd.Series(dtype="int64")
        else:
            counts = pd.Series(dtype="int64")
        out[f"{pillar}_count"] = out[key[0]].map(counts).fillna(0).astype("int64")
    out["business_count"] += out["customer_id"].map(purchase_days).fillna(0).astype("int64")
    return out.reset_index(drop=True)


def scale_pillars(counts: pd.DataFrame, *, weights: Mapping[str, float], cap_quantile: float = 0.9, caps: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Scale each pillar's count to 0-100 and combine them into the engagement score.

    ``pillar = 100 × min(1, count / cap)`` where ``cap`` is the ``cap_quantile``
    quantile of the counts of the entities with some activity in that pillar
    (or ``caps[pillar]`` when given); ``score = Σ w·pillar / Σ w``.

    Parameters
    ----------
    counts
        Output of :func:`activity_counts`.
    weights
        Weight per pillar (missing pillars weigh 0).
    cap_quantile
        Quantile (0-1] of the active entities' counts that scores 100.
    caps
        Fixed caps per pillar (e.g. frozen from another period); overrides ``cap_quantile``.

    Returns
    -------
    pd.DataFrame
        ``counts`` with ``business``, ``social``, ``technical`` and ``score`` (0-100) added.
        The caps used are in ``out.attrs["caps"]``.

    Raises
    ------
    ValueError
        A negative weight or weights summing to 0.
    """
    w = {p: float(weights.get(p, 0.0)) for p in PILLARS}
    if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise ValueError(f"weights {dict(weights)} must be non-negative with a positive sum")
    out = counts.copy()
    used = {}
    for p in PILLARS:
        col = out[f"{p}_count"].astype("float64")
        if caps is not None and p in caps:
            cap = float(caps[p])
        else:
            active = col[col > 0]
            cap = float(np.quantile(active, cap_quantile)) if len(active) else 0.0
        used[p] = cap
        out[p] = (100 * np.minimum(1.0, col / cap)) if cap > 0 else 0.0
    total = sum(w.values())
    out["score"] = sum(w[p] * out[p] for p in PILLARS) / total
    out.attrs["caps"] = used
    return out


def compute_engagement(
    events: pd.DataFrame | None,
    transactions: pd.DataFrame,
    *,
    level: str,
    kinds: Mapping[str, Sequence[str]],
    weights: Mapping[str, float],
    reference_date: pd.Timestamp,
    window_days: int = 365,
    cap_quantile: float = 0.9,
    members: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The engagement score per member or per company (see :func:`activity_counts` and :func:`scale_pillars`).

    Returns
    -------
    pd.DataFrame
        ``[member_id,] customer_id, business_count, social_count, technical_count,
        business, social, technical, score`` (pillars and score 0-100), highest score first.
    """
    counts = activity_counts(events, transactions, level=level, kinds=kinds, reference_date=reference_date, window_days=window_days, members=members)
    scored = scale_pillars(counts, weights=weights, cap_quantile=cap_quantile)
    caps = scored.attrs["caps"]
    key = "member_id" if level == "member" else "customer_id"
    scored = scored.sort_values(["score", key], ascending=[False, True], kind="stable").reset_index(drop=True)
    scored.attrs["caps"] = caps
    return scored


def compute_engagement_by_quarter(
    events: pd.DataFrame | None,
    transactions: pd.DataFrame,
    *,
    level: str,
    kinds: Mapping[str, Sequence[str]],
    weights: Mapping[str, float],
    caps: Mapping[str, float],
    caps_window_days: int,
    start: pd.Timestamp,
    end: pd.Timestamp,
    members: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Mean pillar scores per calendar quarter, against caps frozen from the main window.

    The caps are per-window activity levels; for a quarter they are scaled by the
    quarter's length over ``caps_window_days``, so a quarter as active as the
    main window's reference scores the same (no re-scaling per quarter, which
    would hide any trend).

    Returns
    -------
    pd.DataFrame
        ``quarter`` (Period[Q]), ``entities`` (scored), ``business``, ``social``, ``technical``,
        ``score`` (means, 0-100).
    """
    rows = []
    for quarter in pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="Q"):
        q_start, q_end = quarter.start_time.normalize(), min(quarter.end_time.normalize(), pd.Timestamp(end))
        days = (q_end - q_start).days + 1
        counts = activity_counts(events, transactions, level=level, kinds=kinds, reference_date=q_end, window_days=days, members=members)
        q_caps = {p: c * days / caps_window_days for p, c in caps.items()}
        scored = scale_pillars(counts, weights=weights, caps=q_caps)
        rows.append((quarter, len(scored), *scored[list(PILLARS) + ["score"]].mean().tolist()))
    return pd.DataFrame(rows, columns=["quarter", "entities", *PILLARS, "score"])


def compute_pillar_profile(scores: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Mean pillar scores and score per group.

    Parameters
    ----------
    scores
        Output of :func:`compute_engagement`, with the column ``by`` added (e.g. typology or role).

    Returns
    -------
    pd.DataFrame
        ``<by>, entities, business, social, technical, score`` (means, 0-100), highest score first.
    """
    if by not in scores:
        raise ValueError(f"column {by!r} not in the scores; add it (e.g. merge the customers' {by}) first")
    grouped = scores.groupby(scores[by].fillna("(unknown)"))
    out = grouped[list(PILLARS) + ["score"]].mean()
    out.insert(0, "entities", grouped.size())
    return out.reset_index().sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def company_attributes(
    transactions: pd.DataFrame,
    *,
    customers: pd.DataFrame | None,
    events: pd.DataFrame | None,
    reference_date: pd.Timestamp,
    window_days: int,
) -> pd.DataFrame:
    """What the ambassador criteria look at, per company.

    Returns
    -------
    pd.DataFrame
        ``customer_id, revenue`` (net, currency, over the window), ``referrals`` (referral
        events over the window) and, with a customers table, ``status, typology, region``.
    """
    tx = _window(transactions, reference_date=reference_date, window_days=window_days)
    out = tx.groupby("customer_id")["amount"].sum().rename("revenue").reset_index()
    if customers is not None:
        out = customers[["customer_id", "status", "typology", "region"]].merge(out, on="customer_id", how="outer")
        out["revenue"] = out["revenue"].fillna(0.0)
    if events is not None:
        ev = _window(events, reference_date=reference_date, window_days=window_days)
        referrals = ev[ev["kind"] == "referral"].groupby("customer_id").size()
        out["referrals"] = out["customer_id"].map(referrals).fillna(0).astype("int64")
    return out.sort_values("customer_id").reset_index(drop=True)


def compute_ambassadors(
    company_scores: pd.DataFrame,
    companies: pd.DataFrame,
    *,
    top_share: float,
    statuses: Sequence[str] = (),
    typologies: Sequence[str] = (),
    value_classes: Sequence[str] = (),
    min_revenue: float = 0.0,
) -> pd.DataFrame:
    """Companies at the top of the engagement score that also meet the business criteria.

    Parameters
    ----------
    company_scores
        Company-level output of :func:`compute_engagement` (highest score first).
    companies
        One row per ``customer_id`` with ``revenue`` (currency, over the window) and,
        when a criterion uses them, ``status``, ``typology``, ``value_class``, plus
        ``referrals`` (count) if known.
    top_share
        Fraction (0-1] of scored companies, by score, that are candidates; ties at the
        threshold are all candidates.
    statuses, typologies, value_classes
        Allowed values (empty: any).
    min_revenue
        Minimum revenue over the window (currency).

    Returns
    -------
    pd.DataFrame
        ``customer_id, score, revenue, in_top, meets_criteria, ambassador`` plus the
        attribute columns of ``companies``, highest score first.

    Raises
    ------
    ValueError
        ``top_share`` outside (0, 1], or a criterion on a column ``companies`` lacks.
    """
    if not 0 < top_share <= 1:
        raise ValueError(f"top_share must be in (0, 1], got {top_share}")
    for column, allowed in (("status", statuses), ("typology", typologies), ("value_class", value_classes)):
        if allowed and column not in companies:
            raise ValueError(f"the ambassador criterion on {column} needs a {column!r} column; give the customers table or drop the criterion")
    out = company_scores[["customer_id", "score"]].merge(companies, on="customer_id", how="left")
    out["revenue"] = out["revenue"].fillna(0.0)
    n_top = max(1, int(np.ceil(top_share * len(out)))) if len(out) else 0
    threshold = out["score"].nlargest(n_top).min() if n_top else np.inf
    out["in_top"] = (out["score"] >= threshold) & (out["score"] > 0)
    meets = out["revenue"] >= min_revenue
    for column, allowed in (("status", statuses), ("typology", typologies), ("value_class", value_classes)):
        if allowed:
            meets &= out[column].astype("str").isin([str(a) for a in allowed])
    out["meets_criteria"] = meets
    out["ambassador"] = out["in_top"] & out["meets_criteria"]
    return out.sort_values(["score", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def compute_ambassador_summary(ambassadors: pd.DataFrame) -> pd.DataFrame:
    """How many ambassadors, the revenue they carry and their referrals.

    Returns
    -------
    pd.DataFrame
        One row: ``companies`` (scored), ``candidates`` (top score), ``ambassadors``,
        ``ambassador_revenue`` (currency), ``revenue_share`` (0-1, of the scored companies' revenue),
        ``referrals`` (by ambassadors; NaN without a ``referrals`` column).
    """
    amb = ambassadors[ambassadors["ambassador"]]
    total = ambassadors["revenue"].sum()
    return pd.DataFrame(
        {
            "companies": [len(ambassadors)],
            "candidates": [int(ambassadors["in_top"].sum())],
            "ambassadors": [len(amb)],
            "ambassador_revenue": [float(amb["revenue"].sum())],
            "revenue_share": [float(amb["revenue"].sum() / total) if total else float("nan")],
            "referrals": [float(amb["referrals"].sum()) if "referrals" in amb else float("nan")],
        }
    )


def compute_tiers(revenue: pd.Series, *, thresholds: Mapping[str, float]) -> pd.DataFrame:
    """The tier distribution a status programme would have, from revenue thresholds.

    Parameters
    ----------
    revenue
        Revenue per company over the window (currency), indexed by customer_id.
    thresholds
        Tier name -> minimum revenue (currency); below the lowest, the tier is ``"base"``.

    Returns
    -------
    pd.DataFrame
        ``tier, min_revenue, companies, company_share, revenue, revenue_share`` from the lowest tier up
        (shares 0-1).
    """
    ordered = sorted(thresholds.items(), key=lambda kv: kv[1])
    names = ["base"] + [name for name, _ in ordered]
    edges = [-np.inf] + [value for _, value in ordered] + [np.inf]
    tier = pd.cut(revenue, bins=edges, labels=names, right=False)
    grouped = revenue.groupby(tier, observed=False)
    out = pd.DataFrame({"companies": grouped.size(), "revenue": grouped.sum()}).reindex(names).fillna(0)
    out["company_share"] = out["companies"] / max(len(revenue), 1)
    out["revenue_share"] = out["revenue"] / revenue.sum() if revenue.sum() else np.nan
    out.insert(0, "min_revenue", [0.0] + [value for _, value in ordered])
    out = out.rename_axis("tier").reset_index()
    out["companies"] = out["companies"].astype("int64")
    return out[["tier", "min_revenue", "companies", "company_share", "revenue", "revenue_share"]]


def compute_programme_fit(
    transactions: pd.DataFrame,
    *,
    reference_date: pd.Timestamp,
    window_days: int,
    member_scores: pd.DataFrame | None,
    ambassadors: pd.DataFrame | None,
    tiers: pd.DataFrame,
) -> pd.DataFrame:
    """Evidence, from the data, for each programme mechanic of seed 001.

    Returns
    -------
    pd.DataFrame
        ``mechanic, evidence, value, unit``: transactional (median purchase days per
        buying company; share of revenue from companies buying at least monthly),
        status tiers (share of companies above the base tier; revenue share of the top tier),
        relational (share of members with social or technical activity),
        ambassador (ambassador companies; their revenue share).
    """
    tx = _window(transactions, reference_date=reference_date, window_days=window_days)
    purchases = tx[tx["amount"] > 0]
    days = purchases.groupby("customer_id")["date"].nunique()
    revenue = tx.groupby("customer_id")["amount"].sum()
    monthly = days[days >= 12 * window_days / 365].index
    rows = [
        ("transactional", "median purchase days per buying company over the window", float(days.median()) if len(days) else np.nan, "days"),
        (
            "transactional",
            "revenue share of companies buying at least monthly",
            float(revenue.reindex(monthly).sum() / revenue.sum()) if revenue.sum() else np.nan,
            "share",
        ),
        ("status tiers", "companies above the base tier", float(1 - tiers.loc[tiers["tier"] == "base", "company_share"].sum()), "share"),
        ("status tiers", f"revenue share of the top tier ({tiers['tier'].iloc[-1]})", float(tiers["revenue_share"].iloc[-1]), "share"),
    ]
    if member_scores is not None and len(member_scores):
        active = ((member_scores["social_count"] + member_scores["technical_count"]) > 0).mean()
        rows.append(("relational", "members with social or technical activity", float(active), "share"))
    if ambassadors is not None and len(ambassadors):
        summary = compute_ambassador_summary(ambassadors).iloc[0]
        rows.append(("ambassador", "ambassador companies", float(summary["ambassadors"]), "companies"))
        rows.append(("ambassador", "revenue share carried by ambassadors", float(summary["revenue_share"]), "share"))
    return pd.DataFrame(rows, columns=["mechanic", "evidence", "value", "unit"])
