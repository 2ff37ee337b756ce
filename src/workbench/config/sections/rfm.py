"""Parameters of ``03_rfm_value``: RFM scoring and named segments (YAML section ``rfm:``)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator
from typing_extensions import TypedDict

from workbench.config.defaults import DEFAULT_LEVERS, DEFAULT_SEGMENTS, SegmentRule
from workbench.config.sections.base import Section

Lever = Literal["transactional", "service", "relational", "engagement"]  # workbench.analysis.rfm.LEVERS
DIMENSIONS = ("recency", "frequency", "monetary")


class RfmThresholds(Section):
    """Fixed inner cut points per dimension (``n_scores - 1`` ascending values), e.g. last year's; null: quantiles."""

    recency: list[float] | None = None
    frequency: list[float] | None = None
    monetary: list[float] | None = None

    @field_validator(*DIMENSIONS)
    @classmethod
    def _ascending(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and any(b < a for a, b in zip(value, value[1:])):
            raise ValueError(f"cut points {value} must be in ascending order; sort them")
        return value


class SegmentSpec(TypedDict):
    """One named segment: closed ranges [lo, hi] of R, F and M scores."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    name: str
    r: tuple[int, int]
    f: tuple[int, int]
    m: tuple[int, int]


class RfmSection(Section):
    """The ``rfm:`` section. Document every key, with its default, in parameters/_template.yaml."""

    n_scores: int = Field(5, ge=2, le=10)
    thresholds: RfmThresholds = RfmThresholds()
    segments: list[SegmentSpec] = Field(default_factory=lambda: [SegmentSpec(name=s.name, r=s.r, f=s.f, m=s.m) for s in DEFAULT_SEGMENTS])
    levers: dict[str, list[Lever]] = Field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_LEVERS.items()})
    retention_budget_share: float = Field(0.10, ge=0, le=1)

    @model_validator(mode="after")
    def _consistent(self) -> "RfmSection":
        for dim in DIMENSIONS:
            points = getattr(self.thresholds, dim)
            if points is not None and len(points) != self.n_scores - 1:
                raise ValueError(
                    f"rfm.thresholds.{dim}: {len(points)} cut point(s) given, {self.n_scores} scores need "
                    f"{self.n_scores - 1}; give n_scores - 1 ascending values, or null for quantiles"
                )
        if not self.segments:
            raise ValueError("rfm.segments: the list is empty; give at least one segment or remove the key for the default map")
        names = [s["name"] for s in self.segments]
        if len(set(names)) != len(names) or not all(names):
            raise ValueError(f"rfm.segments: segment names must be unique and not empty, got {names}")
        for s in self.segments:
            for key in ("r", "f", "m"):
                lo, hi = s[key]
                if lo > hi:
                    raise ValueError(f"rfm.segments: {s['name']!r}: {key}: [{lo}, {hi}] must be [low, high]; swap the two scores")
                if lo < 1 or hi > self.n_scores:
                    raise ValueError(f"rfm.segments: {s['name']!r}: {key}: [{lo}, {hi}] is outside the scores 1-{self.n_scores}; fix the range")
        unknown = [k for k in self.levers if k not in names and k != "Others"]
        if unknown:
            raise ValueError(f"rfm.levers: {', '.join(map(repr, unknown))} is not a segment name; use one of {', '.join(names)} or Others")
        return self

    def segment_rules(self) -> tuple[SegmentRule, ...]:
        """The segment map as :class:`workbench.analysis.rfm.SegmentRule` objects, best first."""
        return tuple(SegmentRule(s["name"], tuple(s["r"]), tuple(s["f"]), tuple(s["m"])) for s in self.segments)

    def cuts(self) -> dict[str, list[float]]:
        """The fixed cut points given (dimensions left null are scored by quantiles)."""
        return {dim: points for dim in DIMENSIONS if (points := getattr(self.thresholds, dim)) is not None}

    def scoring_kwargs(self) -> dict:
        """Keyword arguments of :func:`workbench.analysis.rfm.compute_rfm`."""
        return {"n_scores": self.n_scores, "cuts": self.cuts(), "segments": self.segment_rules()}
