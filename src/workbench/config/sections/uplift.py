"""Parameters of ``06_uplift``: programme uplift, members vs matched non-members (YAML section ``uplift:``)."""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import Field, field_validator

from workbench.config.sections.base import Section

STATUSES = ("member", "pre-registered", "blocked", "non-member")


class UpliftSection(Section):
    """The ``uplift:`` section. Every key is documented, with its default, in parameters/_template.yaml."""

    pre_months: int = Field(12, description="length of the pre-enrolment window, calendar months, enrolment day excluded")
    post_months: int = Field(12, description="length of the post-enrolment window, calendar months, enrolment day included")
    treated: Literal["intent_to_treat", "status"] = Field(
        "intent_to_treat", description="intent_to_treat: every company that enrolled, whatever its status today; status: only member_statuses"
    )
    member_statuses: tuple[str, ...] = Field(("member",), description="customer statuses evaluated as treated with treated: status")
    donut_days: int = Field(0, description="days on each side of the enrolment day left out of both windows (the enrolment month always is)")
    n_neighbors: int = Field(5, description="matched controls per member (nearest propensity, with replacement)")
    caliper: float | None = Field(0.25, description="max distance to a matched control, in SD of the logit propensity; null: none")
    n_bootstrap: int = Field(300, description="bootstrap draws for the confidence intervals")
    ci_level: float = Field(0.95, description="confidence level of the intervals (0-1)")
    seed: int = Field(42, description="seed of the pseudo-enrolment dates and of the bootstrap")
    min_members: int = Field(30, description="fewest evaluable members needed to estimate the uplift")
    launch: datetime.date | None = Field(
        None, description="programme launch; behaviour over the pre-window length before it is matched on too; null: earliest enrolled_on"
    )
    points_cost_rate: float = Field(0.01, description="cost of the points, as a fraction of members' revenue (0-1)")
    platform_cost_per_year: float = Field(50_000.0, description="platform cost per year, currency")
    animation_cost_per_year: float = Field(30_000.0, description="animation cost per year, currency")
    margin_rate: float = Field(0.30, description="gross margin rate used when the transactions have no margin column (0-1)")
    negative_control_ranges: tuple[str, ...] = Field(
        (), description="product ranges the programme does not reward: the headline re-run on their revenue should find about 0; empty: not run"
    )

    def estimator_kwargs(self) -> dict:
        """Keyword arguments of :func:`workbench.analysis.uplift.run` (the matched DiD), as plain values.

        With ``treated: intent_to_treat`` every status counts: the matched design then evaluates
        every company that enrolled (it needs an enrolment date either way).
        """
        out = self.model_dump(exclude={"treated", "negative_control_ranges"})
        if self.treated == "intent_to_treat":
            out["member_statuses"] = STATUSES
        return out

    def headline_kwargs(self) -> dict:
        """Keyword arguments of :func:`workbench.analysis.uplift.headline.run_headline`, as plain values."""
        keys = (
            "treated",
            "member_statuses",
            "donut_days",
            "ci_level",
            "seed",
            "margin_rate",
            "points_cost_rate",
            "platform_cost_per_year",
            "animation_cost_per_year",
            "negative_control_ranges",
        )
        return {k: getattr(self, k) for k in keys} | {"n_bootstrap": max(self.n_bootstrap, 199), "launch": self.launch}

    @field_validator("pre_months", "post_months")
    @classmethod
    def _months(cls, v: int, info) -> int:
        if not 1 <= v <= 36:
            raise ValueError(f"uplift.{info.field_name} is {v}; give a whole number of months between 1 and 36 (12 is usual)")
        return v

    @field_validator("member_statuses")
    @classmethod
    def _statuses(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [s for s in v if s not in STATUSES]
        if bad or not v:
            raise ValueError(f"uplift.member_statuses is {list(v)}; use one or more of {list(STATUSES)} (usually [member])")
        return v

    @field_validator("negative_control_ranges")
    @classmethod
    def _ranges(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        names = [str(r).strip() for r in v]
        if any(not r for r in names) or len(set(names)) < len(names):
            raise ValueError(f"uplift.negative_control_ranges is {list(v)}; list distinct product_range values (e.g. [services]), or [] to skip the check")
        return tuple(names)

    @field_validator("donut_days")
    @classmethod
    def _donut(cls, v: int) -> int:
        if not 0 <= v <= 92:
            raise ValueError(f"uplift.donut_days is {v}; give a number of days between 0 and 92 (0: only the enrolment month is left out)")
        return v

    @field_validator("n_neighbors", "n_bootstrap", "min_members")
    @classmethod
    def _positive(cls, v: int, info) -> int:
        low = 50 if info.field_name == "n_bootstrap" else 1
        if v < low:
            raise ValueError(f"uplift.{info.field_name} is {v}; give a whole number >= {low}")
        return v

    @field_validator("caliper")
    @classmethod
    def _caliper(cls, v: float | None) -> float | None:
        if v is not None and not v > 0:
            raise ValueError(f"uplift.caliper is {v}; give a positive number of standard deviations (e.g. 0.25) or null for none")
        return v

    @field_validator("ci_level")
    @classmethod
    def _level(cls, v: float) -> float:
        if not 0.5 <= v < 1:
            raise ValueError(f"uplift.ci_level is {v}; give a fraction between 0.5 and 1, e.g. 0.95")
        return v

    @field_validator("points_cost_rate", "margin_rate")
    @classmethod
    def _rate(cls, v: float, info) -> float:
        if not 0 <= v <= 1:
            raise ValueError(f"uplift.{info.field_name} is {v}; give a fraction between 0 and 1, e.g. 0.01 for 1 %")
        return v

    @field_validator("platform_cost_per_year", "animation_cost_per_year")
    @classmethod
    def _cost(cls, v: float, info) -> float:
        if v < 0:
            raise ValueError(f"uplift.{info.field_name} is {v}; give a yearly cost >= 0 in the currency")
        return v
