"""The page's headline: the staggered estimate of year 1 and year 2, its money, its sensitivity, and the second estimate beside it.

The headline estimator is :mod:`~workbench.analysis.uplift.staggered` (Callaway & Sant'Anna on
not-yet-enrolled and never-enrolled companies); the matched difference-in-differences of
:func:`~workbench.analysis.uplift.estimate_uplift` is shown beside it. The treated group is every
company that enrolled, whatever its status at the reference date (intent to treat), unless the
parameters ask for the status-based variant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.analysis.uplift.money import compute_money_by_year
from workbench.analysis.uplift.sensitivity import compute_e_value
from workbench.analysis.uplift.staggered import StaggeredResult, estimate_staggered

HEADLINE_ESTIMATOR = "staggered"
COMPARISON_COLUMNS = ["estimator", "role", "window", "att", "ci_low", "ci_high"]


@dataclass
class HeadlineRun:
    """What :func:`run_headline` found; ``reason`` says why the revenue estimate is missing.

    Attributes
    ----------
    revenue, margin
        Staggered estimates on net revenue and, when the transactions carry margins, on margin.
    money
        :func:`~workbench.analysis.uplift.money.compute_money_by_year` (None without an estimate).
    e_value
        :func:`~workbench.analysis.uplift.sensitivity.compute_e_value` of the year-1 effect.
    reason
        Why there is no estimate (plain language), else None.
    treated
        Which companies count as treated, in words.
    """

    revenue: StaggeredResult | None
    margin: StaggeredResult | None = None
    money: pd.DataFrame | None = None
    e_value: pd.DataFrame | None = None
    reason: str | None = None
    treated: str = ""
    notes: list[str] = field(default_factory=list)


def treated_companies(customers: pd.DataFrame, *, treated: str, member_statuses: tuple[str, ...]) -> tuple[pd.DataFrame, str]:
    """``customer_id, enrolled_on`` with the enrolment date kept only for the treated companies.

    ``treated="intent_to_treat"``: every company with an enrolment date, whatever its status today
    (a member that left or was blocked after joining stays treated: its status at the reference
    date is a consequence of the programme, not a choice of who to compare). ``"status"``: only
    companies whose status today is in ``member_statuses`` (a labelled variant).
    """
    out = customers[["customer_id", "enrolled_on"]].copy()
    if treated == "status":
        out.loc[~customers["status"].isin(member_statuses), "enrolled_on"] = pd.NaT
        return out, f"companies enrolled with status {', '.join(member_statuses)} at the reference date (status variant)"
    return out, "every company that enrolled, whatever its status at the reference date (intent to treat)"


def run_headline(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None,
    *,
    end: pd.Timestamp,
    launch: pd.Timestamp | None,
    treated: str = "intent_to_treat",
    member_statuses: tuple[str, ...] = ("member",),
    donut_days: int = 0,
    n_bootstrap: int = 499,
    ci_level: float = 0.95,
    seed: int = 42,
    margin_rate: float = 0.30,
    points_cost_rate: float = 0.01,
    platform_cost_per_year: float = 50_000.0,
    animation_cost_per_year: float = 30_000.0,
) -> HeadlineRun:
    """Run the staggered estimator on revenue (and margin), then money and E-value; never raises on unusable data.

    Parameters are those of the ``uplift:`` section (see parameters/_template.yaml); ``launch`` None
    takes the earliest enrolment date.

    Returns
    -------
    HeadlineRun
    """
    if customers is None or "enrolled_on" not in customers or customers["enrolled_on"].notna().sum() == 0:
        return HeadlineRun(None, reason="no customers table with enrolment dates: the programme's effect cannot be estimated")
    companies, who = treated_companies(customers, treated=treated, member_statuses=member_statuses)
    launch = pd.Timestamp(companies["enrolled_on"].min() if launch is None else launch)
    common = dict(end=end, launch=launch, donut_days=donut_days, n_bootstrap=n_bootstrap, ci_level=ci_level, seed=seed)
    try:
        revenue = estimate_staggered(transactions, companies, **common)
    except ValueError as exc:
        return HeadlineRun(None, reason=str(exc), treated=who)
    if revenue.year(1) is None:
        return HeadlineRun(revenue, reason="no enrolment cohort is observed 12 months after enrolment yet", treated=who)
    margin = None
    if "margin" in transactions and transactions["margin"].notna().any():
        margin = estimate_staggered(transactions, companies, outcome="trailing_margin_12m", **common)
    money = compute_money_by_year(
        revenue.windows, margin_windows=None if margin is None else margin.windows, margin_rate=margin_rate, member_revenue=revenue.member_revenue,
        enrolled_companies=revenue.enrolled_companies, points_cost_rate=points_cost_rate, platform_cost_per_year=platform_cost_per_year,
        animation_cost_per_year=animation_cost_per_year,
    )  # fmt: skip
    y1 = revenue.year(1)
    e_value = compute_e_value(y1["att"], y1["ci_low"], y1["ci_high"], outcome_sd=revenue.outcome_sd) if revenue.outcome_sd > 0 else None
    return HeadlineRun(revenue, margin, money, e_value, None, who, list(revenue.notes))


def compare_estimates(headline: StaggeredResult, matched_did: pd.DataFrame | None, *, post_months: int = 12) -> pd.DataFrame:
    """The year-1 revenue effect of both estimators side by side (currency per company).

    Returns
    -------
    pd.DataFrame
        :data:`COMPARISON_COLUMNS`: the headline (staggered) first, then the matched DiD when it ran.
    """
    y1 = headline.year(1)
    rows = [("staggered enrolment (Callaway & Sant'Anna)", "headline", "year 1 after the enrolment month", y1["att"], y1["ci_low"], y1["ci_high"])]
    if matched_did is not None:
        r = matched_did.set_index("outcome").loc["revenue"]
        rows.append(
            ("matched difference-in-differences", "second estimate", f"{post_months} months from the enrolment day", r["att"], r["ci_low"], r["ci_high"])
        )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def estimates_disagree(comparison: pd.DataFrame) -> bool:
    """True when the two estimators' intervals do not overlap (they disagree beyond their uncertainty)."""
    if len(comparison) < 2:
        return False
    a, b = comparison.iloc[0], comparison.iloc[1]
    return bool(a["ci_high"] < b["ci_low"] or b["ci_high"] < a["ci_low"])


def headline_metrics(run: HeadlineRun) -> dict[str, float | int | str | None]:
    """The ``uplift.*`` metrics of the headline estimator (None when not estimable).

    ``att``, ``att_ci_low``, ``att_ci_high`` (year 1, currency per enrolled company), ``att_year2``
    (+ interval), ``estimator``, ``companies_year1``, ``roi`` (year 1, fraction), ``e_value``.
    """
    out: dict[str, float | int | str | None] = dict.fromkeys(
        ["att", "att_ci_low", "att_ci_high", "att_year2", "att_year2_ci_low", "att_year2_ci_high", "companies_year1", "roi", "e_value"]
    )
    out["estimator"] = HEADLINE_ESTIMATOR
    if run.revenue is None or run.revenue.year(1) is None:
        return out
    for key, n in (("att", 1), ("att_year2", 2)):
        row = run.revenue.year(n)
        if row is not None:
            out[key], out[f"{key}_ci_low"], out[f"{key}_ci_high"] = float(row["att"]), float(row["ci_low"]), float(row["ci_high"])
    out["companies_year1"] = int(run.revenue.year(1)["companies"])
    if run.money is not None and len(run.money):
        out["roi"] = float(run.money.iloc[0]["roi"])
    if run.e_value is not None:
        out["e_value"] = float(run.e_value.iloc[0]["e_value"])
    return out
