"""The page's headline: the effect in year 1 and year 2, its money, its sensitivity, and two other estimates beside it.

The headline estimator is :mod:`~workbench.analysis.uplift.counterfactual` (each enrolled company
against what its own purchase history predicts, from a BG/NBD fitted on every company's purchases
before the launch, in seasonal time): in the coverage benchmark it is the one that holds when only
still-active companies enrol and when the sales team invites on the latent purchase rate, where both
comparisons with other companies overstate the effect by several times
(``benchmarks/results/uplift_headline_coverage.md``, ``uplift_coverage.md``). Beside it: the staggered
difference-in-differences (:mod:`~workbench.analysis.uplift.staggered`, Callaway & Sant'Anna on
not-yet-enrolled and never-enrolled companies) and the matched difference-in-differences of
:func:`~workbench.analysis.uplift.estimate_uplift`. The treated group is every company that
enrolled, whatever its status at the reference date (intent to treat), unless the parameters ask
for the status-based variant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.analysis.uplift.counterfactual import CounterfactualResult, estimate_counterfactuals
from workbench.analysis.uplift.money import compute_money_by_year
from workbench.analysis.uplift.negative_control import compute_negative_control
from workbench.analysis.uplift.sensitivity import compute_e_value
from workbench.analysis.uplift.staggered import StaggeredResult, estimate_staggered
from workbench.formatting import tr

HEADLINE_ESTIMATOR = "purchase_model"
ESTIMATOR_NAMES = {
    "purchase_model": "purchase-model counterfactual",
    "staggered": "staggered enrolment (Callaway & Sant'Anna)",
    "matched": "matched difference-in-differences",
}
NEGATIVE_CONTROL_METRICS = ("negative_control_att", "negative_control_att_ci_low", "negative_control_att_ci_high")
COMPARISON_COLUMNS = ["estimator", "role", "window", "att", "ci_low", "ci_high"]


@dataclass
class HeadlineRun:
    """What :func:`run_headline` found; ``reason`` says why the revenue estimate is missing.

    Attributes
    ----------
    revenue, margin
        Headline (purchase-model) estimates on net revenue and, when the transactions carry
        margins, on margin.
    staggered
        The staggered estimate on net revenue (None when it could not run: see ``notes``).
    money
        :func:`~workbench.analysis.uplift.money.compute_money_by_year` (None without an estimate).
    e_value
        :func:`~workbench.analysis.uplift.sensitivity.compute_e_value` of the year-1 effect.
    reason
        Why there is no estimate (plain language), else None.
    treated
        Which companies count as treated, in words.
    negative_control
        :func:`~workbench.analysis.uplift.negative_control.compute_negative_control` (None when
        ``uplift.negative_control_ranges`` is empty or it could not run).
    negative_control_reason
        Why there is no negative control (how to enable it, or the error), else None.
    """

    revenue: CounterfactualResult | None
    margin: CounterfactualResult | None = None
    staggered: StaggeredResult | None = None
    money: pd.DataFrame | None = None
    e_value: pd.DataFrame | None = None
    reason: str | None = None
    treated: str = ""
    notes: list[str] = field(default_factory=list)
    negative_control: pd.DataFrame | None = None
    negative_control_reason: str | None = None


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
        return out, tr("companies enrolled with status {statuses} at the reference date (status variant)", statuses=", ".join(member_statuses))
    return out, tr("every company that enrolled, whatever its status at the reference date (intent to treat)")


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
    negative_control_ranges: tuple[str, ...] = (),
) -> HeadlineRun:
    """Run the headline estimator on revenue (and margin), the staggered one beside it, then money and E-value; never raises on unusable data.

    Parameters are those of the ``uplift:`` section (see parameters/_template.yaml); ``launch`` None
    takes the earliest enrolment date.

    Returns
    -------
    HeadlineRun
    """
    if customers is None or "enrolled_on" not in customers or customers["enrolled_on"].notna().sum() == 0:
        return HeadlineRun(None, reason=tr("no customers table with enrolment dates: the programme's effect cannot be estimated"))
    companies, who = treated_companies(customers, treated=treated, member_statuses=member_statuses)
    launch = pd.Timestamp(companies["enrolled_on"].min() if launch is None else launch)
    common = dict(end=end, launch=launch, donut_days=donut_days, n_bootstrap=n_bootstrap, ci_level=ci_level, seed=seed)
    values = ("amount", "margin") if "margin" in transactions and transactions["margin"].notna().any() else ("amount",)
    try:  # revenue and margin share one seasonality, one population fit and one set of bootstrap draws
        estimates = estimate_counterfactuals(transactions, companies, values=values, **common)
    except ValueError as exc:
        return HeadlineRun(None, reason=str(exc), treated=who)
    revenue, margin = estimates["amount"], estimates.get("margin")
    notes = list(revenue.notes)
    try:
        staggered = estimate_staggered(transactions, companies, **common)
    except ValueError as exc:
        staggered = None
        notes.append(tr("The staggered estimate could not run: {reason}.", reason=exc))
    money = compute_money_by_year(
        revenue.windows, margin_windows=None if margin is None else margin.windows, margin_rate=margin_rate,
        member_revenue=dict(zip(revenue.windows["window"], revenue.windows["member_value"])),
        enrolled_companies=int(companies["enrolled_on"].notna().sum()), points_cost_rate=points_cost_rate,
        platform_cost_per_year=platform_cost_per_year, animation_cost_per_year=animation_cost_per_year,
    )  # fmt: skip
    y1 = revenue.year(1)
    e_value = compute_e_value(y1["att"], y1["ci_low"], y1["ci_high"], outcome_sd=revenue.outcome_sd) if revenue.outcome_sd > 0 else None
    control, control_reason = run_negative_control(transactions, companies, ranges=negative_control_ranges, **common)
    return HeadlineRun(revenue, margin, staggered, money, e_value, None, who, notes, control, control_reason)


def run_negative_control(transactions: pd.DataFrame, companies: pd.DataFrame, *, ranges: tuple[str, ...], **common) -> tuple[pd.DataFrame | None, str | None]:
    """:func:`~workbench.analysis.uplift.negative_control.compute_negative_control`, or None and why not (never raises on its data).

    ``common``: ``end, launch, donut_days, n_bootstrap, ci_level, seed`` as for the headline.
    """
    if not ranges:
        return None, tr(
            "No negative control: list in `uplift.negative_control_ranges` the product ranges the programme does not reward "
            "to check the headline on revenue it cannot have changed."
        )
    try:
        return compute_negative_control(transactions, companies, ranges=ranges, **common), None
    except ValueError as exc:
        return None, tr("The negative control could not run: {reason}.", reason=exc)


def compare_estimates(run: HeadlineRun, matched_did: pd.DataFrame | None, *, post_months: int = 12) -> pd.DataFrame:
    """The year-1 revenue effect of the three estimators side by side (currency per company).

    Returns
    -------
    pd.DataFrame
        :data:`COMPARISON_COLUMNS`: the headline first, then the staggered and the matched
        difference-in-differences when they ran.
    """
    y1 = run.revenue.year(1)
    rows = [(ESTIMATOR_NAMES["purchase_model"], "headline", "year 1 after the enrolment month", y1["att"], y1["ci_low"], y1["ci_high"])]
    s1 = None if run.staggered is None else run.staggered.year(1)
    if s1 is not None:
        rows.append((ESTIMATOR_NAMES["staggered"], "second estimate", "year 1 after the enrolment month", s1["att"], s1["ci_low"], s1["ci_high"]))
    if matched_did is not None:
        r = matched_did.set_index("outcome").loc["revenue"]
        rows.append((ESTIMATOR_NAMES["matched"], "third estimate", f"{post_months} months from the enrolment day", r["att"], r["ci_low"], r["ci_high"]))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def estimates_disagree(comparison: pd.DataFrame) -> bool:
    """True when another estimator's interval does not overlap the headline's (they disagree beyond their uncertainty)."""
    a = comparison.iloc[0]
    return any(bool(a["ci_high"] < b["ci_low"] or b["ci_high"] < a["ci_low"]) for _, b in comparison.iloc[1:].iterrows())


def headline_metrics(run: HeadlineRun) -> dict[str, float | int | str | None]:
    """The ``uplift.*`` metrics of the headline estimator (None when not estimable).

    ``att``, ``att_ci_low``, ``att_ci_high`` (year 1, currency per enrolled company), ``att_year2``
    (+ interval), ``estimator``, ``companies_year1``, ``roi`` (year 1, fraction), ``e_value``,
    ``survival_weight`` (0-1), the staggered estimate's year 1 as ``staggered_att`` (+ interval),
    and the negative control's year 1 as ``negative_control_att`` (+ interval; None when it did not run).
    """
    keys = ["att", "att_ci_low", "att_ci_high", "att_year2", "att_year2_ci_low", "att_year2_ci_high", "companies_year1", "roi", "e_value"]
    others = ["survival_weight", "staggered_att", "staggered_att_ci_low", "staggered_att_ci_high", *NEGATIVE_CONTROL_METRICS]
    out: dict[str, float | int | str | None] = dict.fromkeys([*keys, *others])
    out["estimator"] = HEADLINE_ESTIMATOR
    if run.revenue is None or run.revenue.year(1) is None:
        return out
    for key, n in (("att", 1), ("att_year2", 2)):
        row = run.revenue.year(n)
        if row is not None:
            out[key], out[f"{key}_ci_low"], out[f"{key}_ci_high"] = float(row["att"]), float(row["ci_low"]), float(row["ci_high"])
    out["companies_year1"] = int(run.revenue.year(1)["companies"])
    out["survival_weight"] = float(run.revenue.survival_weight)
    s1 = None if run.staggered is None else run.staggered.year(1)
    if s1 is not None:
        out["staggered_att"], out["staggered_att_ci_low"], out["staggered_att_ci_high"] = float(s1["att"]), float(s1["ci_low"]), float(s1["ci_high"])
    if run.money is not None and len(run.money):
        out["roi"] = float(run.money.iloc[0]["roi"])
    if run.e_value is not None:
        out["e_value"] = float(run.e_value.iloc[0]["e_value"])
    if run.negative_control is not None:
        nc = run.negative_control.iloc[0]
        out.update(zip(NEGATIVE_CONTROL_METRICS, (float(nc["att"]), float(nc["ci_low"]), float(nc["ci_high"]))))
    return out
