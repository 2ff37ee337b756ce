"""Parameters of ``01_programme_kpis``: programme KPIs (evaluation and performance) (YAML section ``kpis:``)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from workbench.config.contract import STATUSES
from workbench.config.sections.base import Section

KPI_KEYS: dict[str, str] = {
    "revenue": "net revenue in the analysis period (currency)",
    "revenue_year": "net revenue of the chosen calendar year, inside the period (currency)",
    "revenue_growth": "revenue of the chosen year vs the same months of the year before (fraction)",
    "active_share": "member companies active in the last N days (fraction)",
    "activation_rate_window": "member companies with a purchase or a redemption within N days of enrolment, among those enrolled N days ago or more (fraction)",
    "penetration_customers": "member companies among all companies (fraction)",
    "penetration_revenue": "revenue of member companies among all revenue (fraction)",
    "points_earned": "points earned in the period (points)",
    "points_growth": "points earned in the chosen year vs the same months of the year before (fraction)",
    "mean_points_per_active_member": "points earned in the last N days per active member company (points)",
    "redemption_rate": "points redeemed / points earned (fraction)",
    "breakage_rate_cohort": "points expired / points earned, over the earning cohorts past expiry (fraction)",
    "expiry_rate": "points expired / points earned (fraction)",
    "points_liability": "outstanding points x value of a point, gross (currency)",
    "points_liability_net": "outstanding points x value of a point x (1 - expected breakage) (currency)",
    "challenge_participation": "member companies that took part in a challenge (fraction)",
}
"""The KPIs of the headline table, by key: ``kpis.targets`` accepts these keys."""

TARGET_DIRECTIONS = ("min", "max")


class KpisSection(Section):
    """The ``kpis:`` section. Document every key, with its default, in parameters/_template.yaml.

    Attributes
    ----------
    active_days
        A company is active when it bought or had a programme event in the last ``active_days`` days
        before the reference date (days).
    year
        The calendar year compared with the year before; None: the year of ``period.end``.
    activation_days
        A member company is activated by a purchase after its enrolment day, or a redemption, within this
        many days of enrolment (days); None: any time.
    point_value
        Value of one point to the programme, in the currency (liability = outstanding points x this).
    points_expiry_months
        Months after which earned points expire (the programme's rule); an earning cohort whose points are
        all past expiry is closed and gives the breakage rate. None: points never expire.
    expected_breakage
        The breakage assumed in the net liability (fraction 0-1); None: the closed cohorts' breakage.
    status, typology, role, region
        Filters restricting the whole notebook (empty list: no filter).
    targets
        Optional targets per KPI key: ``{activation_rate: {min: 0.6}, breakage_rate: {max: 0.35}}``.
    """

    active_days: int = Field(90, ge=1, le=3650)
    year: int | None = Field(None, ge=1900, le=2199)
    activation_days: int | None = Field(90, ge=1, le=3650)
    point_value: float = Field(0.01, ge=0)
    points_expiry_months: int | None = Field(24, ge=1, le=240)
    expected_breakage: float | None = Field(None, ge=0, le=1)
    status: list[str] = Field(default_factory=list)
    typology: list[str] = Field(default_factory=list)
    role: list[str] = Field(default_factory=list)
    region: list[str] = Field(default_factory=list)
    targets: dict[str, dict[str, float]] = Field(default_factory=dict)

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: list[str]) -> list[str]:
        bad = [s for s in value if s not in STATUSES]
        if bad:
            raise ValueError(f"kpis.status: unknown status {', '.join(map(repr, bad))}; use some of {', '.join(STATUSES)} (or [] for all)")
        return value

    @field_validator("targets")
    @classmethod
    def _known_targets(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for key, target in value.items():
            if key not in KPI_KEYS:
                raise ValueError(f"kpis.targets: unknown KPI {key!r}; valid keys are {', '.join(KPI_KEYS)}")
            if not target or any(d not in TARGET_DIRECTIONS for d in target):
                raise ValueError(
                    f"kpis.targets.{key}: got {target!r}; give a lower and/or upper bound as {{min: 0.6}}, {{max: 0.35}} or {{min: 0.2, max: 0.4}}"
                )
        return value

    def year_for(self, end: dt.date) -> int:
        """The year compared (``year``, or the year of the reference date)."""
        return self.year if self.year is not None else end.year
