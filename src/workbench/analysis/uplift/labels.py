"""Reader-facing column labels of the uplift tables (the notebook renames its tables with these).

Labels that carry a parameter (window lengths, currency) are functions of it, so a table
never says "12 months" when the windows are 6. The labels are English and marked for the
message catalogue (:func:`workbench.formatting.N_`); :func:`translated` gives a label dictionary
in the report language, the functions build their labels in it, and :func:`word` shows the codes
of the uplift tables (``members``, ``year 1``, ``revenue``...) in it. English is unchanged.
"""

from __future__ import annotations

from workbench import formatting
from workbench.formatting import N_, tr
from workbench.periods import months_label

BALANCE_LABELS = {
    "mean_members": N_("members"),
    "mean_controls_before": N_("controls, before"),
    "mean_controls_after": N_("controls, after"),
    "smd_before": N_("SMD before"),
    "smd_after": N_("SMD after"),
}
"""Columns of :func:`~workbench.analysis.uplift.matching.compute_balance`."""

_INTERVAL = {"ci_low": N_("interval low"), "ci_high": N_("interval high")}
_COUNTS = {"n_members": N_("members"), "n_controls": N_("controls")}

DID_LABELS = {
    "members_pre": N_("members before"),
    "members_post": N_("members after"),
    "controls_pre": N_("controls before"),
    "controls_post": N_("controls after"),
    "att": N_("effect (ATT)"),
    "counterfactual": N_("members without the programme"),
    "att_pct": "effect (% of without)",  # in the catalogue as "effect ({pct} of without)" (WORDS): a bare % reads as a printf format
    **_INTERVAL,
    **_COUNTS,
}
"""Columns of :func:`~workbench.analysis.uplift.estimation.estimate_did`."""

PLACEBO_LABELS = {"att": N_("placebo effect"), **_INTERVAL, **_COUNTS}
"""Columns of the placebo's ``estimate_did`` (``outcome, att, ci_low, ci_high, n_members, n_controls``)."""

BREAKDOWN_LABELS = {
    "att": N_("effect"),
    **_INTERVAL,
    "counterfactual": N_("without the programme"),
    "att_pct": N_("effect (%)"),
    "n_members": N_("members"),
}
"""Columns of :func:`~workbench.analysis.uplift.estimation.compute_breakdown`."""

SURVIVAL_LABELS = {"silent_share": N_("bought nothing in the 12 months after (share)"), "companies": N_("enrolled companies")}
"""Columns of :func:`~workbench.analysis.uplift.diagnostics.check_survival_selection`."""

WORDS = {
    # words whose catalogue entry means something else elsewhere in the report ("members" are people on page 07)
    "members": N_("members (enrolled companies)"),
    "non-members": N_("non-members (companies not enrolled)"),
    # codes of the uplift tables: groups, windows, outcomes, measures, hypotheses, estimators and their roles
    "effect (% of without)": N_("effect ({pct} of without)"),
    "gap": N_("gap"),
    "year 1": N_("year 1"),
    "year 2": N_("year 2"),
    "basket": N_("basket"),
    "interval": N_("interval"),
    "observed": N_("observed"),
    "enrolment ignores activity": N_("enrolment ignores activity"),
    "only active companies enrol": N_("only active companies enrol"),
    "margin column": N_("margin column"),
    "purchase-model counterfactual": N_("purchase-model counterfactual"),
    "staggered enrolment (Callaway & Sant'Anna)": N_("staggered enrolment (Callaway & Sant'Anna)"),
    "matched difference-in-differences": N_("matched difference-in-differences"),
    "headline": N_("headline"),
    "second estimate": N_("second estimate"),
    "third estimate": N_("third estimate"),
    "typology": N_("typology"),
    "value class": N_("value class"),
    "enrolment cohort": N_("enrolment cohort"),
}
"""Codes of the uplift tables and their catalogue keys (most are their own key)."""

COVARIATES = {
    "log_pre_revenue": N_("revenue before, log"),
    "log_pre_frequency": N_("purchases before, log"),
    "recency_days": N_("days since the last purchase"),
    "trend": N_("trend over the year, log"),
    "tenure_days": N_("tenure, days"),
    "log_hist_rate": N_("purchase rate over the history, log"),
    "log_hist_basket": N_("average basket over the history, log"),
    "log_launch_revenue": N_("revenue before the launch, log"),
    "log_launch_frequency": N_("purchases before the launch, log"),
    "launch_recency_days": N_("days from the last purchase to the launch"),
    "propensity": N_("propensity score"),
}
"""The covariates of :func:`~workbench.analysis.uplift.design.covariate_matrix` (English shows their names as they are)."""


def word(code: str) -> str:
    """A code of the uplift tables (``members``, ``year 1``, ``revenue``, an estimator) in the report language.

    English returns ``code`` unchanged; other languages look up its catalogue key (:data:`WORDS`, else
    the code itself); ``{share} of revenue`` (a margin source) keeps its share. A code without a
    catalogue entry (a client's typology) stays as it is.
    """
    if formatting.language() == "en" or not isinstance(code, str):
        return code
    if code in COVARIATES:
        return tr(COVARIATES[code])
    column, equals, value = code.partition("=")
    if equals and column in ("typology", "region"):  # a 0/1 covariate of a category (typology=installer)
        return f"{tr(column)} = {tr(value)}"
    if code.endswith(" of revenue"):
        return tr("{share} of revenue", share=code.removesuffix(" of revenue").replace("%", "\u00a0%"))
    key = WORDS.get(code, code)
    return tr(key, pct="%") if "{pct}" in key else tr(key)


def translated(labels: dict[str, str]) -> dict[str, str]:
    """A label dictionary of this module in the report language (English: ``labels`` itself)."""
    return labels if formatting.language() == "en" else {k: word(v) for k, v in labels.items()}


def months(n: int) -> str:
    """``12 months`` (:func:`workbench.periods.months_label`) in the report language."""
    return months_label(n) if formatting.language() == "en" else tr("{n} months", n=n)


def naive_labels(*, pre_months: int, post_months: int, currency: str) -> dict[str, str]:
    """Columns of :func:`~workbench.analysis.uplift.estimation.compute_naive`: ``12 months before (EUR)``..."""
    return {
        "pre_revenue": tr("{months} before ({currency})", months=months(pre_months), currency=currency),
        "post_revenue": tr("{months} after ({currency})", months=months(post_months), currency=currency),
    }


def money_labels(*, currency: str) -> dict[str, str]:
    """Columns of :func:`~workbench.analysis.uplift.money.compute_money`."""
    return {"estimate": tr("estimate ({currency} per year)", currency=currency), "low": tr("low"), "high": tr("high")}


WINDOW_LABELS = {
    "att": N_("effect per company"),
    "se": N_("standard error"),
    **_INTERVAL,
    "companies": N_("companies"),
    "member_value": N_("observed revenue per company"),
    "counterfactual_value": N_("predicted without the programme"),
}
"""Columns of :attr:`~workbench.analysis.uplift.staggered.StaggeredResult.windows`."""

HEADLINE_PLACEBO_LABELS = {
    "att": N_("placebo gap per member"),
    **_INTERVAL,
    "members": N_("members evaluated"),
    "months_back": N_("months back"),
    "member_value": N_("observed revenue per member, year before the enrolment month"),
    "counterfactual_value": N_("predicted from the earlier history"),
    "survival_weight": N_("survival weight"),
}
"""Columns of :func:`~workbench.analysis.uplift.placebo.compute_headline_placebo`."""

E_VALUE_LABELS = {"standardised_difference": N_("standardised difference"), "risk_ratio": N_("approx. risk ratio"), "e_value": N_("E-value")}
"""Columns of :func:`~workbench.analysis.uplift.sensitivity.compute_e_value`."""


def hidden_selection_labels(*, currency: str) -> dict[str, str]:
    """Columns of :func:`~workbench.analysis.uplift.sensitivity.compute_hidden_selection`."""
    return {
        "strength": tr("strength"),
        "ratio_per_doubling": tr("enrolment ratio for twice the true purchase rate"),
        "att": tr("year-1 effect per company ({currency})", currency=currency),
        **{k: tr(v) for k, v in _INTERVAL.items()},
    }


def negative_control_labels(*, currency: str) -> dict[str, str]:
    """Columns of :func:`~workbench.analysis.uplift.negative_control.compute_negative_control`."""
    return {
        "ranges": tr("ranges"),
        "att": tr("year-1 effect per company ({currency})", currency=currency),
        **{k: tr(v) for k, v in _INTERVAL.items()},
        "companies": tr("companies evaluated"),
        "member_value": tr("observed revenue per company"),
        "counterfactual_value": tr("predicted without the programme"),
        "revenue_share": tr("share of revenue"),
    }


def money_by_year_labels(*, currency: str) -> dict[str, str]:
    """Columns of :func:`~workbench.analysis.uplift.money.compute_money_by_year`."""
    return {
        "companies": tr("companies evaluated"),
        "incremental_revenue": tr("extra revenue ({currency})", currency=currency),
        "revenue_low": tr("low"),
        "revenue_high": tr("high"),
        "incremental_margin": tr("extra margin ({currency})", currency=currency),
        "margin_low": tr("margin low"),
        "margin_high": tr("margin high"),
        "margin_source": tr("margin from"),
        "points_cost": tr("points ({currency})", currency=currency),
        "fixed_cost": tr("fixed costs ({currency})", currency=currency),
        "total_cost": tr("costs ({currency})", currency=currency),
        "roi": tr("ROI"),
        "roi_low": tr("ROI low"),
        "roi_high": tr("ROI high"),
    }
