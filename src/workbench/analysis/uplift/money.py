"""The effect in money: incremental revenue and margin over a year against the programme's costs, and its ROI."""

from __future__ import annotations

import numpy as np
import pandas as pd

MONEY_ITEMS = ("incremental_revenue", "incremental_margin", "points_cost", "platform_cost", "animation_cost", "total_cost", "roi")


def compute_money(
    did: pd.DataFrame,
    *,
    n_members: int,
    points_cost_rate: float,
    platform_cost_per_year: float,
    animation_cost_per_year: float,
    margin_rate: float = 0.30,
) -> pd.DataFrame:
    """Incremental revenue and margin over a year and the programme's ROI.

    The per-member effect over the post-window is applied to ``n_members`` companies for one
    year. Costs per year: points (``points_cost_rate`` x members' revenue, i.e. members_post x
    n_members), platform and animation. ``roi = (incremental margin - costs) / costs`` (fraction;
    0 = break-even). Margin uses the ``margin`` row of ``did``, or ``margin_rate`` x revenue when
    there is none.

    Parameters
    ----------
    did
        :func:`~workbench.analysis.uplift.estimation.estimate_did` result (needs the ``revenue`` row).
    n_members
        Companies the effect is applied to.
    points_cost_rate
        Cost of the points, fraction of members' revenue.
    platform_cost_per_year, animation_cost_per_year
        Yearly costs, currency.
    margin_rate
        Gross margin rate (fraction) used without a ``margin`` row.

    Returns
    -------
    pd.DataFrame
        ``item, estimate, low, high``: ``incremental_revenue``, ``incremental_margin``,
        ``points_cost``, ``platform_cost``, ``animation_cost``, ``total_cost`` (currency per year)
        and ``roi`` (fraction); low/high carry the bootstrap interval of the margin effect.
    """
    rev = did.set_index("outcome").loc["revenue"]
    if "margin" in set(did["outcome"]):
        mar = did.set_index("outcome").loc["margin"][["att", "ci_low", "ci_high"]].to_numpy(dtype=float)
    else:
        mar = rev[["att", "ci_low", "ci_high"]].to_numpy(dtype=float) * margin_rate
    points = points_cost_rate * float(rev["members_post"]) * n_members
    total = points + platform_cost_per_year + animation_cost_per_year
    inc_rev = rev[["att", "ci_low", "ci_high"]].to_numpy(dtype=float) * n_members
    inc_mar = mar * n_members
    roi = (inc_mar - total) / total if total > 0 else np.full(3, np.nan)
    rows = [
        ("incremental_revenue", *inc_rev),
        ("incremental_margin", *inc_mar),
        ("points_cost", points, points, points),
        ("platform_cost", *[platform_cost_per_year] * 3),
        ("animation_cost", *[animation_cost_per_year] * 3),
        ("total_cost", total, total, total),
        ("roi", *roi),
    ]
    return pd.DataFrame(rows, columns=["item", "estimate", "low", "high"])


MONEY_BY_YEAR_COLUMNS = [
    "window", "companies", "incremental_revenue", "revenue_low", "revenue_high", "incremental_margin", "margin_low", "margin_high",
    "margin_source", "points_cost", "fixed_cost", "total_cost", "roi", "roi_low", "roi_high",
]  # fmt: skip


def compute_money_by_year(
    windows: pd.DataFrame,
    *,
    margin_windows: pd.DataFrame | None,
    margin_rate: float,
    member_revenue: dict[str, float],
    enrolled_companies: int,
    points_cost_rate: float,
    platform_cost_per_year: float,
    animation_cost_per_year: float,
) -> pd.DataFrame:
    """The effect in money, year by year after enrolment, for the evaluated cohorts only.

    Each year's per-company effect (and its interval) is applied to the companies evaluated in that
    year, not to every member: a company enrolled less than a year ago has no year-1 estimate yet.
    The margin effect is estimated on the margin column when the transactions have margins, else
    it is ``margin_rate`` x the revenue effect. Costs for the same companies and year: the points
    (``points_cost_rate`` x their revenue over the year) and the programme's fixed yearly costs
    (platform, animation) apportioned by their share of the enrolled companies.
    ``roi = (incremental margin - costs) / costs`` (fraction; 0 = break-even), its interval from
    the margin effect's.

    Parameters
    ----------
    windows
        ``window`` (``year 1``, ``year 2``), ``att``, ``ci_low``, ``ci_high`` (currency per company over
        the year) and ``companies`` (evaluated), e.g. :attr:`StaggeredResult.windows`.
    margin_windows
        The same for the margin effect, or None when the transactions have no margin.
    margin_rate
        Gross margin rate (0-1) used without margins.
    member_revenue
        Mean revenue per evaluated company over each window (currency), by window name.
    enrolled_companies
        Every company that enrolled (the fixed costs are shared among them).
    points_cost_rate, platform_cost_per_year, animation_cost_per_year
        The programme's costs: a fraction of members' revenue, and currency per year.

    Returns
    -------
    pd.DataFrame
        :data:`MONEY_BY_YEAR_COLUMNS`, one row per window; amounts in currency, ``roi`` a fraction.
    """
    margins = margin_windows.set_index("window") if margin_windows is not None else None
    rows = []
    for w in windows.itertuples(index=False):
        n = int(w.companies)
        revenue = np.array([w.att, w.ci_low, w.ci_high], dtype=float) * n
        if margins is not None and w.window in margins.index:
            m = margins.loc[w.window]
            margin, source = np.array([m["att"], m["ci_low"], m["ci_high"]], dtype=float) * n, "margin column"
        else:
            margin, source = revenue * margin_rate, f"{margin_rate:.0%} of revenue"
        points = points_cost_rate * member_revenue.get(w.window, np.nan) * n
        fixed = (platform_cost_per_year + animation_cost_per_year) * (n / enrolled_companies if enrolled_companies else 0.0)
        total = points + fixed
        roi = (margin - total) / total if total > 0 else np.full(3, np.nan)
        rows.append((w.window, n, *revenue, *margin, source, points, fixed, total, *roi))
    return pd.DataFrame(rows, columns=MONEY_BY_YEAR_COLUMNS)
