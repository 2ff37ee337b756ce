"""How strong hidden selection would have to be to explain the effect away: the E-value, and hidden selection on the purchase rate.

VanderWeele & Ding (2017, Annals of Internal Medicine): the E-value is the minimum strength of
association, on the risk-ratio scale, that an unmeasured confounder would need with both the
enrolment and the outcome, beyond the measured covariates, to move the estimate to no effect.
For a difference in means the standardised difference ``d = effect / SD(outcome)`` is first
converted to an approximate risk ratio ``RR = exp(0.91 d)`` (their proposal for continuous
outcomes), then ``E = RR + sqrt(RR (RR - 1))`` (with ``RR`` replaced by ``1 / RR`` below 1).
The E-value of the interval is that of the limit closest to no effect, 1 when the interval
covers 0.

The E-value speaks of a generic confounder. The headline's own blind spot is more specific:
enrolment that favours companies whose *true* purchase rate is higher than their history shows
(a sales team that knows its accounts). :func:`compute_hidden_selection` re-estimates the year-1
effect as if enrolment odds were proportional to ``lambda ** strength`` at equal history
(``lambda`` the BG/NBD purchase rate): enrolment ``2 ** strength`` times as likely for a company
that truly buys twice as often. Within the model this is exact: it moves the prior shape of a
member's rate from ``r`` to ``r + strength``
(:func:`~workbench.analysis.uplift.counterfactual.tilted_fit`). Its interval is the headline's,
shifted by the same amount (the shift's own uncertainty is left out). In the simulator's
``latent`` worlds, where the sales team invites on the true rate and amount, the strength at which
the re-estimate equals the truth has a median of 0.82 (effect worlds) to 1.06 (``latent_survival``
null worlds) over 30 seeds each, and 0 in the ``observables`` worlds
(``benchmarks/results/uplift_hidden_coverage.md``). :data:`REFERENCE_STRENGTH` (0.75) sits just
below: when it brings an interval above 0 down to 0, the page calls the evidence weak; with it,
at most 3 % of the null worlds of any scenario end with an effect claimed without that warning.
Selection on the true amount per
purchase is not covered: the headline reads each member's value per purchase from its own
history, shrunk by one pseudo-purchase only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

E_VALUE_COLUMNS = ["measure", "standardised_difference", "risk_ratio", "e_value"]
HIDDEN_SELECTION_COLUMNS = ["strength", "ratio_per_doubling", "att", "ci_low", "ci_high"]
HIDDEN_STRENGTHS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
REFERENCE_STRENGTH = 0.75  # just below what the simulator's latent worlds need (module docstring)


def _e(rr: float) -> float:
    rr = 1 / rr if rr < 1 else rr
    return rr + math.sqrt(rr * (rr - 1))


def compute_e_value(effect: float, ci_low: float, ci_high: float, *, outcome_sd: float) -> pd.DataFrame:
    """E-values of an effect on a continuous outcome and of its interval's limit closest to 0.

    Parameters
    ----------
    effect, ci_low, ci_high
        The estimate and its interval (currency per company).
    outcome_sd
        Standard deviation of the outcome among comparable companies (currency), > 0.

    Returns
    -------
    pd.DataFrame
        Rows ``estimate`` and ``interval``: ``standardised_difference`` (no unit), ``risk_ratio``
        (approximate, no unit) and ``e_value`` (risk-ratio scale, >= 1; 1 = no hidden selection needed).

    Raises
    ------
    ValueError
        ``outcome_sd`` is not positive.
    """
    if not outcome_sd > 0:
        raise ValueError(f"outcome_sd must be positive, got {outcome_sd}; give the outcome's standard deviation in the currency")
    closest = 0.0 if ci_low <= 0 <= ci_high else (ci_low if effect > 0 else ci_high)
    rows = []
    for name, value in (("estimate", effect), ("interval", closest)):
        d = value / outcome_sd
        rr = math.exp(0.91 * d)
        rows.append((name, d, rr, _e(rr)))
    return pd.DataFrame(rows, columns=E_VALUE_COLUMNS)


def compute_hidden_selection(att_by_strength: Mapping[float, float], *, ci_low: float, ci_high: float) -> pd.DataFrame:
    """The year-1 effect under hidden selection on the purchase rate, one row per strength.

    Parameters
    ----------
    att_by_strength
        The effect re-estimated at each strength (currency per company); strength 0 is the
        headline itself and must be present.
    ci_low, ci_high
        The headline's interval (currency per company).

    Returns
    -------
    pd.DataFrame
        :data:`HIDDEN_SELECTION_COLUMNS`, by increasing ``strength`` (no unit): ``ratio_per_doubling``
        ``2 ** strength`` (how many times as likely to enrol a company that truly buys twice as often
        is), ``att`` and the interval shifted with it (currency per company).

    Raises
    ------
    ValueError
        Strength 0 is missing.
    """
    if 0.0 not in att_by_strength:
        raise ValueError(f"att_by_strength needs strength 0 (the headline itself), got strengths {sorted(att_by_strength)}")
    base = att_by_strength[0.0]
    rows = [(g, 2.0**g, att, ci_low + att - base, ci_high + att - base) for g, att in sorted(att_by_strength.items())]
    return pd.DataFrame(rows, columns=HIDDEN_SELECTION_COLUMNS)


def explaining_strength(table: pd.DataFrame, *, column: str = "att") -> float | None:
    """The smallest strength at which ``column`` of :func:`compute_hidden_selection` reaches 0.

    Linear between the table's strengths. 0 when the value is not above 0 to begin with; None when it
    stays above 0 over the whole table (stronger than its last strength).
    """
    g, v = table["strength"].to_numpy(dtype=float), table[column].to_numpy(dtype=float)
    if v[0] <= 0:
        return 0.0
    below = np.flatnonzero(v <= 0)
    if not len(below):
        return None
    i = below[0]
    return float(g[i - 1] + (g[i] - g[i - 1]) * v[i - 1] / (v[i - 1] - v[i]))
