"""The plain-language conclusion of the uplift page, generated from the estimates and stating their uncertainty."""

from __future__ import annotations

import pandas as pd

from workbench import formatting as fmt
from workbench.periods import months_label


def _verdict(r: pd.Series) -> str:
    if r["ci_low"] > 0:
        return "The programme **increased** members' purchases"
    if r["ci_high"] < 0:
        return "Members bought **less** after joining than comparable non-members"
    return "The data **cannot tell** whether the programme changed members' purchases"


def _placebo_sentence(p: pd.Series, r: pd.Series, money) -> str:
    band = f"{money(p['att'])}, interval {money(p['ci_low'])} to {money(p['ci_high'])}"
    if p["ci_low"] > 0 or p["ci_high"] < 0:
        return (
            f"**Caution:** the placebo (a fake enrolment one window earlier) finds a gap ({band}) where there "
            "should be none: members differ from their matched controls in ways the matching does not capture, "
            "so the estimate above is probably off by a similar amount."
        )
    if abs(p["att"]) > 0.25 * abs(r["att"]):
        return (
            f"The placebo (a fake enrolment one window earlier) is not significant ({band}), but its point "
            f"estimate is {fmt.percent(abs(p['att']) / abs(r['att']), 0)} of the effect and its interval is wide: a bias of "
            "that size cannot be ruled out, so read the effect as an upper range rather than a precise figure."
        )
    return f"The placebo (a fake enrolment one window earlier) finds no effect ({band}), which supports the design."


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
    pct = "" if pd.isna(r["att_pct"]) else f" ({fmt.signed(100 * r['att_pct'])} % of what they would have bought without it)"

    def money(x: float) -> str:
        return fmt.money(x, currency)

    text = [
        (
            f"{_verdict(r)}: over the {months_label(post_months)} after enrolment, about **{money(r['att'])} per member**{pct}, "
            f"with a {fmt.percent(ci_level, 0)} interval from {money(r['ci_low'])} to {money(r['ci_high'])} "
            f"({fmt.number(r['n_members'])} members compared with similar non-members)."
        )
    ]
    if naive > 0 and r["att"] > 0:
        text.append(
            f"The naive gap between members and non-members ({money(naive)}) is {fmt.number(naive / r['att'], 1)} times "
            "larger: most of it is who joins, not what the programme does."
        )
    if placebo is not None and "revenue" in set(placebo["outcome"]):
        text.append(_placebo_sentence(placebo.set_index("outcome").loc["revenue"], r, money))
    if warnings:
        text.append("Read with the warnings above: " + "; ".join(warnings) + ".")
    return " ".join(text)
