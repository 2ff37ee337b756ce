"""The plain-language conclusion of the uplift page, generated from the estimates and stating their uncertainty.

The sentences are written in English inside :func:`workbench.formatting.tr`, so they read in the
report language (numbers and amounts through :mod:`workbench.formatting`, in its locale).
"""

from __future__ import annotations

import pandas as pd

from workbench import formatting as fmt
from workbench.analysis.uplift.labels import months, word
from workbench.analysis.uplift.sensitivity import REFERENCE_STRENGTH, explaining_strength
from workbench.formatting import tr


def _verdict(r: pd.Series) -> str:
    if r["ci_low"] > 0:
        return tr("The programme **increased** members' purchases")
    if r["ci_high"] < 0:
        return tr("Members bought **less** after joining than comparable non-members")
    return tr("The data **cannot tell** whether the programme changed members' purchases")


def _placebo_sentence(p: pd.Series, r: pd.Series, money) -> str:
    band = tr("{att}, interval {low} to {high}", att=money(p["att"]), low=money(p["ci_low"]), high=money(p["ci_high"]))
    if p["ci_low"] > 0 or p["ci_high"] < 0:
        return tr(
            "**Caution:** the placebo (a fake enrolment one window earlier) finds a gap ({band}) where there "
            "should be none: members differ from their matched controls in ways the matching does not capture, "
            "so the estimate above is probably off by a similar amount.",
            band=band,
        )
    if abs(p["att"]) > 0.25 * abs(r["att"]):
        return tr(
            "The placebo (a fake enrolment one window earlier) is not significant ({band}), but its point "
            "estimate is {share} of the effect and its interval is wide: a bias of "
            "that size cannot be ruled out, so read the effect as an upper range rather than a precise figure.",
            band=band,
            share=fmt.percent(abs(p["att"]) / abs(r["att"]), 0),
        )
    return tr("The placebo (a fake enrolment one window earlier) finds no effect ({band}), which supports the design.", band=band)


def conclusion(
    did: pd.DataFrame, *, naive: float, placebo: pd.DataFrame | None, warnings: list[str], currency: str = "EUR", ci_level: float = 0.95, post_months: int = 12
) -> str:
    """A plain-language conclusion generated from the estimates, stating their uncertainty.

    Parameters
    ----------
    did
        :func:`~workbench.analysis.uplift.estimation.estimate_did` result (needs the ``revenue`` row).
    naive
        The naive gap (members - non-members, post-window revenue per company, currency).
    placebo
        ``estimate_did`` of the placebo, or None when it could not be run.
    warnings
        Design warnings (pre-trends, balance, unmatched members).
    currency
        Currency code printed after amounts.
    ci_level
        Confidence level of the intervals (fraction).
    post_months
        Post-window length, calendar months.

    Returns
    -------
    str
        Markdown text: the effect with its interval, whether it is distinguishable from zero,
        the naive gap it replaces, and what the placebo and the warnings say about trusting it.
    """
    r = did.set_index("outcome").loc["revenue"]
    pct = "" if pd.isna(r["att_pct"]) else tr(" ({share} {pct} of what they would have bought without it)", share=fmt.signed(100 * r["att_pct"]), pct="%")

    def money(x: float) -> str:
        return fmt.money(x, currency)

    text = [
        tr(
            "{verdict}: over the {months} after enrolment, about **{att} per member**{pct}, with a {level} interval from {low} to {high} "
            "({n} members compared with similar non-members).",
            verdict=_verdict(r),
            months=months(post_months),
            att=money(r["att"]),
            pct=pct,
            level=fmt.percent(ci_level, 0),
            low=money(r["ci_low"]),
            high=money(r["ci_high"]),
            n=fmt.number(r["n_members"]),
        )
    ]
    if naive > 0 and r["att"] > 0:
        text.append(
            tr(
                "The naive gap between members and non-members ({gap}) is {times} times larger: most of it is who joins, not what the programme does.",
                gap=money(naive),
                times=fmt.number(naive / r["att"], 1),
            )
        )
    if placebo is not None and "revenue" in set(placebo["outcome"]):
        text.append(_placebo_sentence(placebo.set_index("outcome").loc["revenue"], r, money))
    if warnings:
        text.append(tr("Read with the warnings above: {warnings}.", warnings=tr("; ").join(warnings)))
    return " ".join(text)


def evidence_problems(
    *,
    year1: pd.Series,
    disagree: bool,
    pre_trend_p: float | None,
    placebo: pd.Series | None,
    e_value_interval: float | None,
    survival_selected: bool = False,
    headline_placebo: pd.Series | None = None,
    hidden_selection: pd.DataFrame | None = None,
    reference_strength: float = REFERENCE_STRENGTH,
    negative_control: pd.Series | None = None,
    currency: str = "EUR",
) -> list[str]:
    """The reasons, in plain language, not to present the headline effect as established (empty: none).

    Parameters
    ----------
    year1
        The headline's year-1 row (``att``, ``ci_low``, ``ci_high``).
    disagree
        Another estimator's interval does not overlap the headline's.
    pre_trend_p
        p-value of the pre-enrolment effects being 0 (None: not testable).
    placebo
        The matched design's placebo revenue row (``ci_low``, ``ci_high``), or None.
    e_value_interval
        E-value of the interval's limit closest to 0 (1 when it covers 0), or None.
    survival_selected
        The survival check says only still-active companies seem to enrol.
    headline_placebo
        The row of :func:`~workbench.analysis.uplift.placebo.compute_headline_placebo` (``att``,
        ``ci_low``, ``ci_high``; currency per member), or None when it could not run.
    hidden_selection
        :func:`~workbench.analysis.uplift.sensitivity.compute_hidden_selection` of the headline, or
        None: a reason when hidden selection on the purchase rate no stronger than
        ``reference_strength`` brings an interval above 0 down to 0.
    reference_strength
        The strength up to which that counts (no unit; the default sits just below what the
        simulator's ``latent`` worlds need, see :mod:`~workbench.analysis.uplift.sensitivity`).
    negative_control
        The row of :func:`~workbench.analysis.uplift.negative_control.compute_negative_control`
        (``ranges``, ``att``, ``ci_low``, ``ci_high``; currency per company), or None: a reason when
        its interval is above 0 (:func:`negative_control_problem`).
    currency
        Currency code printed after the placebo's and the negative control's amounts.

    Returns
    -------
    list of str
        Plain-language reasons, in the report language.
    """
    out = []
    if survival_selected:
        out.append(
            tr(
                "almost every member bought again after enrolling, as if only still-active companies joined: the comparisons with "
                "other companies then overstate the effect, and the headline's correction for it rests on the purchase model"
            )
        )
    if year1["ci_low"] <= 0 <= year1["ci_high"]:
        out.append(tr("its interval includes no effect at all"))
    if disagree:
        out.append(tr("the estimators disagree beyond their intervals"))
    if pre_trend_p is not None and pre_trend_p < 0.05:
        out.append(tr("members already moved apart from the comparison companies before enrolling (pre-trend test p = {p})", p=fmt.number(pre_trend_p, 3)))
    if placebo is not None and (placebo["ci_low"] > 0 or placebo["ci_high"] < 0):
        out.append(tr("the placebo finds an effect where there can be none"))
    sentence = headline_placebo_problem(headline_placebo, currency=currency)
    if sentence:
        out.append(sentence)
    if e_value_interval is not None and 1 < e_value_interval < 1.25:
        out.append(tr("a weak hidden selection (E-value of the interval {e}) would be enough to explain it away", e=fmt.number(e_value_interval, 2)))
    at = None if hidden_selection is None or year1["ci_low"] <= 0 else explaining_strength(hidden_selection, column="ci_low")
    if at is not None and at <= reference_strength:
        out.append(
            tr(
                "if enrolment favoured companies that truly buy more than their history shows, a little less than in the benchmark's "
                "latent world, the interval would reach no effect (already when a company that truly buys twice as often is {ratio} times as likely to enrol)",
                ratio=fmt.number(2.0**at, 2),
            )
        )
    sentence = negative_control_problem(negative_control, currency=currency)
    if sentence:
        out.append(sentence)
    return out


def _band(row: pd.Series, currency: str) -> str:
    return tr(
        "{att} per member, interval {low} to {high}",
        att=fmt.money(row["att"], currency),
        low=fmt.money(row["ci_low"], currency),
        high=fmt.money(row["ci_high"], currency),
    )


def _negative_control_sentence(control: pd.Series, currency: str) -> str:
    band = _band(control, currency)
    return tr("On revenue in ranges the programme does not reward ({ranges}), the same estimate finds {band}.", ranges=control["ranges"], band=band)


def negative_control_problem(control: pd.Series | None, *, currency: str = "EUR") -> str | None:
    """The reason not to trust the headline when its negative control's interval is above 0, else None.

    Parameters
    ----------
    control
        The row of :func:`~workbench.analysis.uplift.negative_control.compute_negative_control`
        (``ranges``, ``att``, ``ci_low``, ``ci_high``: currency per company), or None.
    currency
        Currency code printed after amounts.

    Returns
    -------
    str or None
        A clause for :func:`evidence_problems` when ``ci_low > 0``; None otherwise (an interval
        below 0 is no sign of hidden selection, see :func:`describe_negative_control`).
    """
    if control is None or not control["ci_low"] > 0:
        return None
    return tr(
        "on revenue in ranges the programme does not reward ({ranges}), the same estimate finds members buying more than predicted "
        "({band}): they would probably have bought more anyway, so the headline likely leans high (unless the programme's effect "
        "spills over into those ranges)",
        ranges=control["ranges"],
        band=_band(control, currency),
    )


def describe_negative_control(control: pd.Series, *, currency: str = "EUR") -> str:
    """One paragraph on the negative control for the page: its figures and how to read them.

    Parameters
    ----------
    control
        The row of :func:`~workbench.analysis.uplift.negative_control.compute_negative_control`
        (``ranges``, ``att``, ``ci_low``, ``ci_high``, ``member_value``, ``counterfactual_value``:
        currency per company; ``companies``; ``revenue_share``, 0-1).
    currency
        Currency code printed after amounts.

    Returns
    -------
    str
        Markdown: the estimate on those ranges, then what an interval above 0, below 0 or
        covering 0 means, and what the check cannot see.
    """
    text = [
        tr(
            "On revenue in {ranges} ({share} of all revenue), which the programme does not reward, the headline's estimator "
            "predicts {cf} per member for year 1 and the members bought {mv}: {band} ({n} companies).",
            ranges=control["ranges"],
            share=fmt.percent(control["revenue_share"], 0),
            cf=fmt.money(control["counterfactual_value"], currency),
            mv=fmt.money(control["member_value"], currency),
            band=_band(control, currency),
            n=fmt.number(control["companies"]),
        )
    ]
    if control["ci_low"] > 0:
        text.append(
            tr(
                "**Its interval is above 0:** members bought more than predicted where the programme should change nothing. Either they "
                "would have bought more anyway (hidden selection, which inflates the headline too), or the programme's effect spills "
                "over into these ranges; the data cannot tell which."
            )
        )
    elif control["ci_high"] < 0:
        text.append(
            tr(
                "Its interval is below 0: members bought less than predicted in these ranges, as when purchases shift towards what earns "
                "points, or when buying more often in the rewarded ranges brings the purchase model's dropout forward. It is no sign "
                "of hidden selection."
            )
        )
    else:
        text.append(
            tr(
                "Its interval covers 0: no sign of members who would have bought more anyway. That is no proof: the check is blind to a "
                "selection that concerns only the rewarded ranges, or ranges bought by other people in the company."
            )
        )
    return " ".join(text)


def describe_hidden_selection(hidden: pd.DataFrame, *, reference_strength: float = REFERENCE_STRENGTH, currency: str = "EUR") -> str:
    """One paragraph on the year-1 effect under hidden selection on the purchase rate.

    Parameters
    ----------
    hidden
        :func:`~workbench.analysis.uplift.sensitivity.compute_hidden_selection` (currency per company).
    reference_strength
        The strength whose row is quoted (no unit; as in :func:`evidence_problems`).
    currency
        Currency code of the amounts.

    Returns
    -------
    str
        Markdown: the effect at the reference strength, then the enrolment ratios at which the
        estimate and its interval reach 0 (or that they do not within the table).
    """

    def ratio(strength: float | None) -> str:
        return tr("more than {x}", x=fmt.number(hidden["ratio_per_doubling"].max(), 1)) if strength is None else fmt.number(2.0**strength, 2)

    ref = hidden.iloc[(hidden["strength"] - reference_strength).abs().argmin()]
    text = [
        tr(
            "If a company that truly buys twice as often were {ratio} times as likely to enrol at equal history (a selection a little "
            "weaker than in the benchmark's latent world, where the sales team invites on how much companies really buy), the year-1 effect would be {att} "
            "(interval {low} to {high}).",
            ratio=fmt.number(ref["ratio_per_doubling"], 2),
            att=fmt.money(ref["att"], currency),
            low=fmt.money(ref["ci_low"], currency),
            high=fmt.money(ref["ci_high"], currency),
        )
    ]
    if hidden["att"].iloc[0] > 0:
        text.append(tr("The estimate reaches no effect at a ratio of {at}.", at=ratio(explaining_strength(hidden))))
        if hidden["ci_low"].iloc[0] > 0:
            text.append(tr("Its interval reaches no effect at a ratio of {at}.", at=ratio(explaining_strength(hidden, column="ci_low"))))
    else:
        text.append(tr("The estimate is not above 0: such a selection would only lower it further."))
    text.append(
        tr(
            "The data cannot tell how strong this selection is: it depends on what the sales team knew when it invited. "
            "Selection on the amount per purchase is not covered (each member's amount is read from its own history)."
        )
    )
    return " ".join(text)


def headline_placebo_problem(placebo: pd.Series | None, *, currency: str = "EUR") -> str | None:
    """The reason not to trust the headline when its own placebo is clearly away from 0, else None.

    Parameters
    ----------
    placebo
        The row of :func:`~workbench.analysis.uplift.placebo.compute_headline_placebo` (``att``,
        ``ci_low``, ``ci_high``: currency per member over the 12 months before the enrolment
        month), or None.
    currency
        Currency code printed after amounts.

    Returns
    -------
    str or None
        A clause for :func:`evidence_problems` when the interval excludes 0 (above: the estimate
        likely leans high; below: it may lean low), None otherwise.
    """
    if placebo is None or not (placebo["ci_low"] > 0 or placebo["ci_high"] < 0):
        return None
    band = tr(
        "{att} per member, interval {low} to {high}",
        att=fmt.money(placebo["att"], currency),
        low=fmt.money(placebo["ci_low"], currency),
        high=fmt.money(placebo["ci_high"], currency),
    )
    if placebo["ci_low"] > 0:
        return tr(
            "the headline's own placebo (its prediction of the members' year before they enrolled) finds them buying more than "
            "predicted when the programme could not have acted yet ({band}): the estimate likely leans high",
            band=band,
        )
    return tr(
        "the headline's own placebo (its prediction of the members' year before they enrolled) finds them buying less than "
        "predicted when the programme could not have acted yet ({band}): the estimate may lean low",
        band=band,
    )


def describe_headline_placebo(placebo: pd.Series, *, currency: str = "EUR") -> str:
    """One paragraph on the headline's placebo for the page: what it predicted, what members bought, and how to read it.

    Parameters
    ----------
    placebo
        The row of :func:`~workbench.analysis.uplift.placebo.compute_headline_placebo` (``att``,
        ``ci_low``, ``ci_high``, ``member_value``, ``counterfactual_value``: currency per member;
        ``members``, ``months_back``).
    currency
        Currency code printed after amounts.

    Returns
    -------
    str
        Markdown: the placebo's figures, then either why an interval excluding 0 is not taken as
        proof here (its known false alarms on the simulator) or why one covering 0 is no proof either.
    """

    def money(x: float) -> str:
        return fmt.money(x, currency)

    text = [
        tr(
            "The headline's placebo: at a pseudo-enrolment date {months} months earlier, the purchase model predicts {cf} per member for "
            "the 12 months before the enrolment month; the members bought {mv} (gap {att}, interval {low} to {high}; {n} members).",
            months=fmt.number(placebo["months_back"]),
            cf=money(placebo["counterfactual_value"]),
            mv=money(placebo["member_value"]),
            att=money(placebo["att"]),
            low=money(placebo["ci_low"]),
            high=money(placebo["ci_high"]),
            n=fmt.number(placebo["members"]),
        )
    ]
    if placebo["ci_low"] > 0 or placebo["ci_high"] < 0:
        text.append(
            tr(
                "Its interval excludes 0. On simulated programmes this also happens where the headline is right: in {share} of those "
                "whose invitations follow the purchase history (the placebo's year is the year the members were chosen on) and in all "
                "of those that only still-active companies join. It is a check to read, not proof that the headline leans high.",
                share=fmt.percent(0.45, 0),
            )
        )
    else:
        text.append(
            tr(
                "Its interval covers 0, which is no proof: a selection on a purchase rate that is not in the history, and "
                "was already there before, shows in it only in {share} of simulated programmes.",
                share=fmt.percent(0.05, 0),
            )
        )
    return " ".join(text)


def headline_conclusion(
    year1: pd.Series,
    *,
    others: pd.DataFrame | None,
    problems: list[str],
    naive: float | None,
    year2: pd.Series | None = None,
    e_value: float | None = None,
    negative_control: pd.Series | None = None,
    currency: str = "EUR",
    ci_level: float = 0.95,
) -> str:
    """The page's conclusion on the headline estimate, with its uncertainty and the other estimates.

    Parameters
    ----------
    year1, year2
        The headline's rows (``att``, ``ci_low``, ``ci_high``, ``companies``; currency per company).
    others
        The other estimators' rows of :func:`~workbench.analysis.uplift.compare_estimates`
        (``estimator``, ``att``, ``ci_low``, ``ci_high``), or None.
    problems
        :func:`evidence_problems`.
    naive
        The naive gap (currency per company), or None.
    e_value
        E-value of the point estimate, or None.
    negative_control
        The row of :func:`~workbench.analysis.uplift.negative_control.compute_negative_control`,
        or None (not run).

    Returns
    -------
    str
        Markdown: the year-1 effect and interval, year 2 when estimated, the other estimates beside
        it, the naive gap it replaces, the negative control when it ran, and either the E-value or
        why the evidence is weak.
    """

    def money(x: float) -> str:
        return fmt.money(x, currency)

    level = fmt.percent(ci_level, 0)
    text = [
        tr(
            "{verdict}: in the 12 months after their enrolment month, about **{att} per enrolled company** "
            "({level} interval {low} to {high}; {n} companies, each compared with what its own purchases before enrolling predicted).",
            verdict=_verdict(year1),
            att=money(year1["att"]),
            level=level,
            low=money(year1["ci_low"]),
            high=money(year1["ci_high"]),
            n=fmt.number(year1["companies"]),
        )
    ]
    if year2 is not None:
        text.append(
            tr("In the second year: {att} (interval {low} to {high}).", att=money(year2["att"]), low=money(year2["ci_low"]), high=money(year2["ci_high"]))
        )
    for r in [] if others is None else others.itertuples(index=False):
        text.append(
            tr(
                "The {estimator} finds {att} (interval {low} to {high}).",
                estimator=word(r.estimator),
                att=money(r.att),
                low=money(r.ci_low),
                high=money(r.ci_high),
            )
        )
    if naive is not None and naive > 0 and year1["att"] > 0:
        text.append(
            tr("The naive gap between members and non-members ({gap}) is {times} times larger.", gap=money(naive), times=fmt.number(naive / year1["att"], 1))
        )
    if negative_control is not None:
        text.append(_negative_control_sentence(negative_control, currency))
    if problems:
        text.append(
            tr(
                "**The evidence is weak, so this figure should not be presented as the programme's established value:** {problems}.",
                problems=tr("; ").join(problems),
            )
        )
    elif e_value is not None:
        text.append(
            tr(
                "An unmeasured difference between members and the others would have to be associated with both enrolment and revenue by a "
                "risk ratio of about {e} each, beyond what the comparison already accounts for, to explain the effect away.",
                e=fmt.number(e_value, 1),
            )
        )
    return " ".join(text)


def describe_counterfactual(result) -> str:
    """One paragraph on the headline's reading of who enrols and the clock of its purchase model.

    Parameters
    ----------
    result
        :class:`~workbench.analysis.uplift.counterfactual.CounterfactualResult`.

    Returns
    -------
    str
        Markdown: the survival weight (0-1) in words and whether the model runs in seasonal time.
    """
    w = result.survival_weight
    who = (
        tr("enrolment looks as if it required being still a customer")
        if w >= 0.67
        else tr("enrolment looks partly tied to being still a customer")
        if w >= 0.33
        else tr("enrolment looks unrelated to being still a customer")
    )
    clock = (
        tr(
            "It runs in seasonal time: a low-season month counts for less than a high-season one, so a history that ends after a high season is not extrapolated as if every month were like it."
        )
        if result.seasonal
        else tr("It runs in calendar time (see the note on why).")
    )
    return " ".join(
        [
            tr("Survival weight {weight}: {who}, from the members' silence after enrolling.", weight=fmt.number(w, 2), who=who),
            tr("The purchase model (BG/NBD) is fitted on every company's purchases before the launch."),
            clock,
        ]
    )
