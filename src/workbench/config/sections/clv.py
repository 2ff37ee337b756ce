"""Parameters of ``04_clv``: purchase model (BG/NBD, MBG/NBD or Pareto/NBD) + Gamma-Gamma customer lifetime value (YAML section ``clv:``)."""

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from workbench.config.sections.base import Section


class ClvSection(Section):
    """The ``clv:`` section. Document every key, with its default, in parameters/_template.yaml.

    Attributes
    ----------
    time_unit
        Unit of recency, T and the model's rates: ``day``, ``week`` or ``month`` (365.25 / 12 days).
        Dates keep a daily resolution whatever the unit.
    calibration_end
        Last day of the calibration period; the holdout runs from the next day to ``period.end``.
        None: ``period.end`` minus a third of the period's calendar months (36 months: the last 12 are held out).
    use_history_before_period
        True: the models see every transaction up to ``period.end``, including those dated before
        ``period.start`` (a customer's first purchase and age are then right). False: only in-period rows.
    penalizer
        L2 penalty of lifetimes on the BG/NBD parameters (0 = plain maximum likelihood); 0.001-0.1 when
        the fit does not converge. The Gamma-Gamma fit takes none (lifetimes would penalise spend in
        currency units).
    horizon_months
        Horizon of the forward-looking figures (expected purchases, CLV), in months.
    annual_discount_rate
        Yearly rate that discounts future spend in the CLV (fraction, 0.10 = 10 %).
    correlation_warning
        Warn when |Pearson correlation| between repeat frequency and mean spend exceeds this (the
        Gamma-Gamma model assumes they are independent).
    at_risk_min_clv_quantile
        "High value": CLV at or above this quantile of all customers' CLV (0.8 = top 20 %).
    at_risk_max_p_alive
        "At risk": probability of being alive at or below this (fraction 0-1).
    model
        Purchase model: ``auto`` (the three are fitted on the calibration period and the one whose
        holdout total misses the actual total by the fewest purchases is used, ties to the higher
        calibration log-likelihood), or ``bgnbd``, ``mbgnbd``, ``paretonbd`` to force one.
    margin_rate
        Gross margin rate (fraction) applied to revenue when the transactions have no ``margin``
        column; None: the CLV is then on revenue, and labelled so. Ignored when margins exist.
    interval_level
        Central probability of the CLV intervals (fraction, 0.9 = 90 %).
    n_draws
        Simulated futures behind the intervals (parameter draws with process noise).
    seed
        Seed of the simulation (same data and seed, same intervals).
    seasonal
        True: estimate a yearly seasonality of the purchase days and run the purchase models in
        seasonal time (needs 30 complete months of purchases, otherwise calendar time is used and the
        page says why); False: calendar time.
    """

    time_unit: Literal["day", "week", "month"] = "week"
    calibration_end: dt.date | None = None
    use_history_before_period: bool = True
    penalizer: float = Field(0.0, ge=0)
    horizon_months: int = Field(24, ge=1, le=120)
    annual_discount_rate: float = Field(0.10, ge=0)
    correlation_warning: float = Field(0.3, gt=0, le=1)
    at_risk_min_clv_quantile: float = Field(0.8, ge=0, lt=1)
    at_risk_max_p_alive: float = Field(0.5, gt=0, lt=1)
    model: Literal["auto", "bgnbd", "mbgnbd", "paretonbd"] = "auto"
    margin_rate: float | None = Field(None, gt=-1, le=1)
    interval_level: float = Field(0.9, gt=0, lt=1)
    n_draws: int = Field(200, ge=20, le=10_000)
    seed: int = Field(42, ge=0)
    seasonal: bool = True

    @field_validator("penalizer")
    @classmethod
    def _small_penalizer(cls, value: float) -> float:
        if value > 1:
            raise ValueError(f"clv.penalizer {value} is too strong: it would swamp the likelihood; use 0 or 0.001-0.1")
        return value

    @field_validator("annual_discount_rate")
    @classmethod
    def _rate_as_fraction(cls, value: float) -> float:
        if value >= 1:
            raise ValueError(f"clv.annual_discount_rate {value} looks like a percentage; give a fraction, e.g. 0.10 for 10 %")
        return value
