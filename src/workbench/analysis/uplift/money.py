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
