"""Parameters of ``07_engagement``: engagement score, ambassadors, satisfaction, programme fit (YAML section ``engagement:``)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from workbench.config.sections.base import Section

PILLARS = ("business", "social", "technical")


class AmbassadorCriteria(Section):
    """What a company must meet, besides a top engagement score, to be an ambassador."""

    top_share: float = Field(0.10, gt=0, le=1)
    """Share of scored companies, by engagement score, that are candidates (0.10 = the top 10 %)."""
    statuses: list[str] = Field(default_factory=lambda: ["member"])
    """Programme statuses allowed (empty: any); needs the customers table."""
    typologies: list[str] = Field(default_factory=list)
    """Typologies allowed, e.g. ["installer"] for approved installers (empty: any)."""
    value_classes: list[str] = Field(default_factory=list)
    """Value classes allowed, from the value score of 03_rfm_value (empty: any)."""
    min_annual_revenue: float = Field(0.0, ge=0)
    """Minimum revenue over the engagement window, in the currency."""


class EngagementSection(Section):
    """The ``engagement:`` section."""

    window_days: int = Field(365, ge=30)
    """Days before the reference date over which activity is counted."""
    kinds: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "business": ["purchase_declaration"],
            "social": ["login", "visit", "review", "referral", "profile_completed", "challenge"],
            "technical": ["training", "content"],
        }
    )
    """Event kinds counted in each pillar; the business pillar also counts the company's purchase days."""
    weights: dict[str, float] = Field(default_factory=lambda: {"business": 0.4, "social": 0.3, "technical": 0.3})
    """Weight of each pillar in the score (normalised to sum to 1)."""
    cap_quantile: float = Field(0.9, gt=0, le=1)
    """A pillar scores 100 at this quantile of the active entities' activity, linearly below it."""
    ambassadors: AmbassadorCriteria = AmbassadorCriteria()
    tier_thresholds: dict[str, float] = Field(default_factory=lambda: {"silver": 10_000.0, "gold": 50_000.0, "platinum": 150_000.0})
    """Status tiers simulated for the programme-fit evidence: minimum revenue over the window, in the currency
    (companies below the lowest threshold are "base")."""

    @field_validator("kinds", "weights")
    @classmethod
    def _three_pillars(cls, value: dict) -> dict:
        unknown = sorted(set(value) - set(PILLARS))
        if unknown:
            raise ValueError(f"unknown pillar(s) {', '.join(unknown)}; the pillars are {', '.join(PILLARS)}")
        return value

    @model_validator(mode="after")
    def _weights_positive(self) -> "EngagementSection":
        weights = {p: self.weights.get(p, 0.0) for p in PILLARS}
        if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError(
                f"engagement.weights ({self.weights}) must be non-negative with a positive sum; e.g. {{business: 0.4, social: 0.3, technical: 0.3}}"
            )
        return self
