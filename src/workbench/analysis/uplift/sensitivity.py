"""How strong hidden selection would have to be to explain the effect away: the E-value.

VanderWeele & Ding (2017, Annals of Internal Medicine): the E-value is the minimum strength of
association, on the risk-ratio scale, that an unmeasured confounder would need with both the
enrolment and the outcome, beyond the measured covariates, to move the estimate to no effect.
For a difference in means the standardised difference ``d = effect / SD(outcome)`` is first
converted to an approximate risk ratio ``RR = exp(0.91 d)`` (their proposal for continuous
outcomes), then ``E = RR + sqrt(RR (RR - 1))`` (with ``RR`` replaced by ``1 / RR`` below 1).
The E-value of the interval is that of the limit closest to no effect, 1 when the interval
covers 0.
"""

from __future__ import annotations

import math

import pandas as pd

E_VALUE_COLUMNS = ["measure", "standardised_difference", "risk_ratio", "e_value"]


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
