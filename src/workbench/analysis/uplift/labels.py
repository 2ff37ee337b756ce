"""Reader-facing column labels of the uplift tables (the notebook renames its tables with these).

Labels that carry a parameter (window lengths, currency) are functions of it, so a table
never says "12 months" when the windows are 6.
"""

from __future__ import annotations

from workbench.periods import months_label

BALANCE_LABELS = {
    "mean_members": "members",
    "mean_controls_before": "controls, before",
    "mean_controls_after": "controls, after",
    "smd_before": "SMD before",
    "smd_after": "SMD after",
}
"""Columns of :func:`~workbench.analysis.uplift.matching.compute_balance`."""

_INTERVAL = {"ci_low": "interval low", "ci_high": "interval high"}
_COUNTS = {"n_members": "members", "n_controls": "controls"}

DID_LABELS = {
    "members_pre": "members before",
    "members_post": "members after",
    "controls_pre": "controls before",
    "controls_post": "controls after",
    "att": "effect (ATT)",
    "counterfactual": "members without the programme",
    "att_pct": "effect (% of without)",
    **_INTERVAL,
    **_COUNTS,
}
"""Columns of :func:`~workbench.analysis.uplift.estimation.estimate_did`."""

PLACEBO_LABELS = {"att": "placebo effect", **_INTERVAL, **_COUNTS}
"""Columns of the placebo's ``estimate_did`` (``outcome, att, ci_low, ci_high, n_members, n_controls``)."""

BREAKDOWN_LABELS = {"att": "effect", **_INTERVAL, "counterfactual": "without the programme", "att_pct": "effect (%)", "n_members": "members"}
"""Columns of :func:`~workbench.analysis.uplift.estimation.compute_breakdown`."""


def naive_labels(*, pre_months: int, post_months: int, currency: str) -> dict[str, str]:
    """Columns of :func:`~workbench.analysis.uplift.estimation.compute_naive`: ``12 months before (EUR)``..."""
    return {"pre_revenue": f"{months_label(pre_months)} before ({currency})", "post_revenue": f"{months_label(post_months)} after ({currency})"}


def money_labels(*, currency: str) -> dict[str, str]:
    """Columns of :func:`~workbench.analysis.uplift.money.compute_money`."""
    return {"estimate": f"estimate ({currency} per year)", "low": "low", "high": "high"}


WINDOW_LABELS = {
    "att": "effect per company",
    "se": "standard error",
    **_INTERVAL,
    "companies": "companies",
    "member_value": "observed revenue per company",
    "counterfactual_value": "predicted without the programme",
}
"""Columns of :attr:`~workbench.analysis.uplift.staggered.StaggeredResult.windows`."""

E_VALUE_LABELS = {"standardised_difference": "standardised difference", "risk_ratio": "approx. risk ratio", "e_value": "E-value"}
"""Columns of :func:`~workbench.analysis.uplift.sensitivity.compute_e_value`."""


def money_by_year_labels(*, currency: str) -> dict[str, str]:
    """Columns of :func:`~workbench.analysis.uplift.money.compute_money_by_year`."""
    return {
        "companies": "companies evaluated",
        "incremental_revenue": f"extra revenue ({currency})",
        "revenue_low": "low",
        "revenue_high": "high",
        "incremental_margin": f"extra margin ({currency})",
        "margin_low": "margin low",
        "margin_high": "margin high",
        "margin_source": "margin from",
        "points_cost": f"points ({currency})",
        "fixed_cost": f"fixed costs ({currency})",
        "total_cost": f"costs ({currency})",
        "roi": "ROI",
        "roi_low": "ROI low",
        "roi_high": "ROI high",
    }
