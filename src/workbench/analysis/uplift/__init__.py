"""Uplift of programme members vs matched non-members (notebook ``06_uplift``).

Companies choose to join, and the bigger, more active ones join more, so the
raw gap between members and non-members overstates what the programme adds.
The design here:

1. **Units** (:mod:`.design`). Each evaluated member (status in ``member_statuses``, whose
   ``post_months`` post-window ends before ``end``) is a treated unit dated on its
   enrolment day. Every other company (never enrolled, or enrolled after the
   post-window it is used for) gets a *pseudo-enrolment date* drawn at random
   among the members' enrolment dates (seeded), so controls are observed over
   windows of the same calendar mix. Nothing that happens after a unit's date
   decides whether it is a unit (no "still buying afterwards" rule): members that
   went quiet after joining are evaluated like the others.
2. **Windows** (:mod:`.design`), in calendar months (:func:`workbench.periods.add_months`).
   Pre-window: ``[date - pre_months months, date - 1 day]`` (the date itself, often a big
   enrolment purchase, is left out). Post-window: ``[date, date + post_months months - 1 day]``.
3. **Matching** (:mod:`.matching`). A logistic propensity score (scikit-learn) on pre-window
   behaviour (revenue, purchases, recency, trend, tenure, purchase rate and
   basket over the whole history), on the same behaviour over the ``pre_months`` before
   the programme launch (``launch``, by default the first enrolment: invitation
   lists are usually drawn then), + typology and region when given; then
   ``n_neighbors`` nearest controls per member on the logit of the score (with
   replacement, within a caliper).
4. **Estimate** (:mod:`.estimation`). Difference-in-differences on the matched sample
   (statsmodels WLS with cluster-robust standard errors), with a bootstrap (members and
   controls resampled, seeded) for the confidence intervals; an event study by
   calendar month relative to enrolment; a placebo with the dates one post-window earlier.
5. **Money** (:mod:`.money`) and the plain-language **conclusion** (:mod:`.conclusion`).

Units: revenue, margin and basket in the currency, frequency in purchases
(rows with a positive amount), per company over a window. ``att`` is the mean,
over evaluated members, of revenue in the post-window minus what it would have
been without the programme.

Limits. Matching removes the differences it can see: the estimate is right when
companies join on behaviour the transactions show (selection on observables).
When they join on something the history does not show (a project, a new buyer),
members keep an edge over their controls that the DiD reads as effect; the
placebo and the pre-trend check are the warnings for it. Revenue per company is
heavy-tailed, so the intervals are wide with a few hundred members. On the
simulator, whose invitations depend only on purchases in the year before launch,
the estimate is centred on the truth and the effect-free world gives ~0
(``tests/test_uplift.py``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pandas as pd

from workbench.analysis.uplift.conclusion import (
    conclusion,
    describe_counterfactual,
    describe_headline_placebo,
    describe_hidden_selection,
    describe_negative_control,
    evidence_problems,
    headline_conclusion,
    headline_placebo_problem,
    negative_control_problem,
)
from workbench.analysis.uplift.counterfactual import CounterfactualResult, estimate_counterfactual
from workbench.analysis.uplift.design import (
    CATEGORICALS,
    build_units,
    check_inputs,
    compute_windows,
    covariate_matrix,
    draw_pseudo_dates,
    months_days,
    months_since,
    too_few_units,
)
from workbench.analysis.uplift.diagnostics import check_survival_selection, looks_survival_selected
from workbench.analysis.uplift.estimation import (
    OUTCOMES,
    Bootstrap,
    cohorts,
    compute_breakdown,
    compute_event_study,
    compute_naive,
    compute_subgroup_effects,
    estimate_did,
    monthly_revenue,
    pretrend_check,
    value_class_before,
)
from workbench.analysis.uplift.headline import (
    HeadlineRun,
    compare_estimates,
    estimates_disagree,
    headline_metrics,
    run_headline,
    treated_companies,
)
from workbench.analysis.uplift.labels import (
    BALANCE_LABELS,
    BREAKDOWN_LABELS,
    DID_LABELS,
    E_VALUE_LABELS,
    HEADLINE_PLACEBO_LABELS,
    PLACEBO_LABELS,
    SURVIVAL_LABELS,
    WINDOW_LABELS,
    hidden_selection_labels,
    money_by_year_labels,
    money_labels,
    months,
    naive_labels,
    negative_control_labels,
    translated,
    word,
)
from workbench.analysis.uplift.matching import (
    Matching,
    balance_warnings,
    compute_balance,
    match_units,
    propensity,
    smd,
)
from workbench.analysis.uplift.money import MONEY_ITEMS, compute_money
from workbench.analysis.uplift.negative_control import NEGATIVE_CONTROL_COLUMNS, compute_negative_control, restrict_to_ranges
from workbench.analysis.uplift.placebo import PLACEBO_COLUMNS, compute_headline_placebo, placebo_fires
from workbench.analysis.uplift.sensitivity import REFERENCE_STRENGTH, compute_hidden_selection
from workbench.formatting import tr

__all__ = [
    "NEGATIVE_CONTROL_COLUMNS",
    "compute_negative_control",
    "restrict_to_ranges",
    "describe_negative_control",
    "negative_control_problem",
    "negative_control_labels",
    "REFERENCE_STRENGTH",
    "compute_hidden_selection",
    "CounterfactualResult",
    "compute_headline_placebo",
    "placebo_fires",
    "headline_placebo_problem",
    "describe_headline_placebo",
    "treated_companies",
    "PLACEBO_COLUMNS",
    "HEADLINE_PLACEBO_LABELS",
    "describe_counterfactual",
    "describe_hidden_selection",
    "estimate_counterfactual",
    "compute_subgroup_effects",
    "check_survival_selection",
    "looks_survival_selected",
    "E_VALUE_LABELS",
    "WINDOW_LABELS",
    "SURVIVAL_LABELS",
    "translated",
    "word",
    "months",
    "money_by_year_labels",
    "hidden_selection_labels",
    "evidence_problems",
    "headline_conclusion",
    "HeadlineRun",
    "compare_estimates",
    "estimates_disagree",
    "headline_metrics",
    "run_headline",
    "BALANCE_LABELS",
    "BREAKDOWN_LABELS",
    "CATEGORICALS",
    "DID_LABELS",
    "MONEY_ITEMS",
    "OUTCOMES",
    "PLACEBO_LABELS",
    "Bootstrap",
    "Matching",
    "UpliftResult",
    "UpliftRun",
    "balance_warnings",
    "build_units",
    "check_inputs",
    "cohorts",
    "compute_balance",
    "compute_breakdown",
    "compute_event_study",
    "compute_money",
    "compute_naive",
    "compute_windows",
    "conclusion",
    "covariate_matrix",
    "draw_pseudo_dates",
    "estimate_did",
    "estimate_uplift",
    "headline",
    "match_units",
    "money_labels",
    "monthly_revenue",
    "months_days",
    "months_since",
    "naive_labels",
    "pretrend_check",
    "propensity",
    "run",
    "smd",
    "too_few_units",
    "value_class_before",
]


@dataclass
class UpliftResult:
    """Everything the notebook shows. ``did``, ``naive`` etc. as documented in their functions."""

    windows: pd.DataFrame
    matching: Matching
    balance: pd.DataFrame
    naive: pd.DataFrame
    did: pd.DataFrame
    event_study: pd.DataFrame
    boot: Bootstrap
    warnings: list[str] = field(default_factory=list)

    def att(self, outcome: str = "revenue") -> pd.Series:
        """The :func:`estimate_did` row of ``outcome``."""
        return self.did.set_index("outcome").loc[outcome]

    def naive_gap(self) -> float:
        """Members - non-members, mean post-window revenue per company, unmatched (currency)."""
        return float(self.naive.set_index("group").loc["gap", "post_revenue"])


def estimate_uplift(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    end: pd.Timestamp,
    member_statuses: tuple[str, ...] = ("member",),
    pre_months: int = 12,
    post_months: int = 12,
    n_neighbors: int = 5,
    caliper: float | None = 0.25,
    n_bootstrap: int = 300,
    ci_level: float = 0.95,
    seed: int = 42,
    min_members: int = 30,
    launch: pd.Timestamp | None = None,
    placebo: bool = False,
    donut_days: int = 0,
    purchase: str = "day",
) -> UpliftResult:
    """Run the whole design: units, windows, matching, balance, naive gap, DiD, event study.

    Parameters
    ----------
    transactions
        Canonical transactions, all dates (history before the period is used for pre-windows).
        Rows after ``end`` are ignored.
    customers
        Canonical customers with ``status`` and ``enrolled_on``.
    end
        Reference date.
    member_statuses
        Statuses evaluated as treated.
    pre_months, post_months
        Window lengths, calendar months.
    n_neighbors, caliper
        Matching: controls per member, largest distance (SD of the logit propensity; None: none).
    n_bootstrap, ci_level, seed
        Bootstrap draws, confidence level (fraction), seed of the pseudo dates (bootstrap: seed + 1).
    min_members
        Fewest evaluable members (companies).
    launch
        Programme launch; the behaviour over the ``pre_months`` months before it is matched on too.
        None: the earliest ``enrolled_on`` of the customers table.
    placebo
        Date every member one post-window earlier (a fake enrolment): the estimate should be ~0.
    donut_days
        Days on each side of the (pseudo-)enrolment day left out of both windows
        (:func:`compute_windows`); a member is evaluated when its shifted post-window ends by ``end``.
    purchase
        What one purchase is: ``"day"`` or ``"invoice"`` (the ``purchase`` parameter; frequency and basket).

    Returns
    -------
    UpliftResult

    Raises
    ------
    ValueError
        The programme cannot be evaluated (see :func:`check_inputs`), or fewer than
        ``min_members`` evaluable members or no control.
    """
    reason = check_inputs(customers, member_statuses=member_statuses)
    if reason:
        raise ValueError(f"the programme cannot be evaluated: {reason}")
    tx = transactions[transactions["date"] <= pd.Timestamp(end)]
    observed_to = pd.Timestamp(end) - pd.Timedelta(days=donut_days + 1 if donut_days else 0)  # the post-window moves by d + 1 days
    units = build_units(
        tx, customers, end=observed_to, member_statuses=member_statuses, post_months=post_months, shift=post_months if placebo else 0, seed=seed
    )
    reason = too_few_units(units, end=observed_to, post_months=post_months, min_members=min_members)
    if reason:
        raise ValueError(reason)
    launch = pd.Timestamp(customers["enrolled_on"].min() if launch is None else launch)
    windows = compute_windows(tx, units, pre_months=pre_months, post_months=post_months, launch=launch, donut_days=donut_days, purchase=purchase)
    matching = match_units(windows, covariate_matrix(windows, customers), n_neighbors=n_neighbors, caliper=caliper)
    boot = Bootstrap.draw(len(matching.treated_index), len(matching.control_index), n_draws=n_bootstrap, seed=seed + 1)
    es = compute_event_study(tx, matching, boot=boot, pre_months=pre_months, post_months=post_months, ci_level=ci_level)
    balance = compute_balance(matching)
    warnings = balance_warnings(matching, balance)
    pt = pretrend_check(es)
    if pt:
        warnings.append(pt)
    return UpliftResult(
        windows=windows,
        matching=matching,
        balance=balance,
        naive=compute_naive(windows),
        did=estimate_did(matching, boot=boot, ci_level=ci_level),
        event_study=es,
        boot=boot,
        warnings=warnings,
    )


# --------------------------------------------------------------------------- notebook entry points


@dataclass
class UpliftRun:
    """The analysis, its placebo and its money as the notebook runs them; ``reason`` says why either is missing.

    Attributes
    ----------
    result, placebo
        The estimates, None when they cannot be run (then ``reason``/``placebo_reason`` say why).
    reason, placebo_reason
        Plain-language sentences.
    money
        :func:`compute_money` of ``result`` (None without a result).
    programme_members
        Companies with a member status today, to whom ``money`` applies the effect.
    """

    result: UpliftResult | None
    placebo: UpliftResult | None
    reason: str | None
    placebo_reason: str | None = None
    money: pd.DataFrame | None = None
    programme_members: int = 0


def run(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None,
    *,
    end: pd.Timestamp,
    pre_months: int = 12,
    post_months: int = 12,
    member_statuses: tuple[str, ...] = ("member",),
    n_neighbors: int = 5,
    caliper: float | None = 0.25,
    n_bootstrap: int = 300,
    ci_level: float = 0.95,
    seed: int = 42,
    min_members: int = 30,
    launch: datetime.date | pd.Timestamp | None = None,
    points_cost_rate: float = 0.01,
    platform_cost_per_year: float = 50_000.0,
    animation_cost_per_year: float = 30_000.0,
    margin_rate: float = 0.30,
    donut_days: int = 0,
    purchase: str = "day",
) -> UpliftRun:
    """Estimate the uplift, its placebo and its money, never raising on missing data.

    The keyword values are those of the ``uplift:`` parameters (``wb.params.uplift.estimator_kwargs()``).

    Parameters
    ----------
    transactions
        All kept transactions (``wb.table("transactions", in_period=False)``: pre-windows use history).
    customers
        ``wb.table("customers")`` (None when absent).
    end
        Reference date.
    pre_months, post_months, member_statuses, n_neighbors, caliper, n_bootstrap, ci_level, seed, min_members, launch, donut_days, purchase
        As in :func:`estimate_uplift` (months are calendar months; ``purchase`` is the top-level ``purchase`` parameter).
    points_cost_rate, platform_cost_per_year, animation_cost_per_year, margin_rate
        As in :func:`compute_money` (fractions; currency per year).

    Returns
    -------
    UpliftRun
        ``result`` None with ``reason`` when the programme cannot be evaluated; ``placebo`` None
        with ``placebo_reason`` when the placebo cannot be run (e.g. too little history).
    """
    reason = check_inputs(customers, member_statuses=member_statuses)
    if reason:
        return UpliftRun(None, None, tr("The programme cannot be evaluated: {reason}.", reason=reason))
    kw = {
        "end": end,
        "member_statuses": member_statuses,
        "pre_months": pre_months,
        "post_months": post_months,
        "n_neighbors": n_neighbors,
        "caliper": caliper,
        "n_bootstrap": n_bootstrap,
        "ci_level": ci_level,
        "seed": seed,
        "min_members": min_members,
        "launch": None if launch is None else pd.Timestamp(launch),
        "donut_days": donut_days,
        "purchase": purchase,
    }
    try:
        result = estimate_uplift(transactions, customers, **kw)
    except ValueError as exc:
        return UpliftRun(None, None, tr("The programme cannot be evaluated: {reason}.", reason=exc))
    try:
        placebo, placebo_reason = estimate_uplift(transactions, customers, placebo=True, **kw), None
    except ValueError as exc:
        placebo, placebo_reason = None, tr("The placebo cannot be run: {reason}.", reason=exc)
    n_members = int(customers["status"].isin(member_statuses).sum())
    money = compute_money(
        result.did,
        n_members=n_members,
        points_cost_rate=points_cost_rate,
        margin_rate=margin_rate,
        platform_cost_per_year=platform_cost_per_year,
        animation_cost_per_year=animation_cost_per_year,
    )
    return UpliftRun(result, placebo, None, placebo_reason, money=money, programme_members=n_members)


def headline(run: UpliftRun) -> dict[str, float | int | None]:
    """The ``uplift.*`` metrics (None when not estimable).

    Returns
    -------
    dict
        ``naive``, ``att``, ``att_ci_low``, ``att_ci_high`` (revenue per member over the post-window,
        currency), ``att_pct`` (percent of the counterfactual), ``placebo`` (+ ``_ci_low/_ci_high``),
        ``att_frequency`` (purchases), ``att_basket``, ``att_margin`` (currency), ``members`` and
        ``controls`` (companies), ``roi`` (fraction), ``incremental_margin`` and ``total_cost``
        (currency per year).
    """
    keys = [
        "naive",
        "att",
        "att_ci_low",
        "att_ci_high",
        "att_pct",
        "placebo",
        "placebo_ci_low",
        "placebo_ci_high",
        "att_frequency",
        "att_basket",
        "att_margin",
        "members",
        "controls",
        "roi",
        "incremental_margin",
        "total_cost",
    ]
    out: dict[str, float | int | None] = dict.fromkeys(keys)
    if run.result is None:
        return out
    res = run.result
    did = res.did.set_index("outcome")
    rev = did.loc["revenue"]
    out.update(
        naive=res.naive_gap(),
        att=float(rev["att"]),
        att_ci_low=float(rev["ci_low"]),
        att_ci_high=float(rev["ci_high"]),
        att_pct=100 * float(rev["att_pct"]),
        members=int(rev["n_members"]),
        controls=int(rev["n_controls"]),
    )
    for o in ("frequency", "basket", "margin"):
        out[f"att_{o}"] = float(did.loc[o, "att"]) if o in did.index else None
    if run.placebo is not None:
        p = run.placebo.att()
        out.update(placebo=float(p["att"]), placebo_ci_low=float(p["ci_low"]), placebo_ci_high=float(p["ci_high"]))
    if run.money is not None:
        m = run.money.set_index("item")["estimate"]
        out.update(roi=float(m["roi"]), incremental_margin=float(m["incremental_margin"]), total_cost=float(m["total_cost"]))
    return out
