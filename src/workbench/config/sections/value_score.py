"""Parameters of ``03_rfm_value``: the value score of seed 003 (YAML section ``value_score:``)."""

from __future__ import annotations

from pydantic import ConfigDict, Field, model_validator
from typing_extensions import NotRequired, TypedDict

from workbench.config.defaults import (
    DEFAULT_CLASSES,
    DEFAULT_MARGIN_BANDS,
    DEFAULT_REVENUE_BANDS,
)
from workbench.config.sections.base import Section

BandSpec = TypedDict("BandSpec", {"above": NotRequired["float | None"], "from": NotRequired["float | None"], "points": float})
"""One band of points, listed from the highest, as seed 003 words them: ``above: X`` applies to an annual
value strictly above X (the seed's "> 100"), ``from: X`` to a value from X included (the seed's "50 à 100"
includes 50); neither (or ``above: null``) takes everything else and must be the last band. In ``unit``s."""
BandSpec.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[attr-defined]


def band_edge(band: BandSpec) -> float | None:
    """The band's lower edge (``above`` or ``from``), None for the last band."""
    return band.get("above") if band.get("above") is not None else band.get("from")


def as_band(band: BandSpec) -> tuple[float | None, float, bool]:
    """``(edge, points, strict)`` as :func:`workbench.analysis.value.band_points` takes it."""
    return (band_edge(band), float(band["points"]), band.get("above") is not None)


def band_spec(band: tuple) -> BandSpec:
    """The YAML form of an ``(edge, points, strict)`` tuple."""
    edge, points, strict = band
    return BandSpec(**{"above" if strict or edge is None else "from": edge, "points": points})


class ClassSpec(TypedDict):
    """A value class: scores >= ``min_score`` points; ``min_score: null`` = everything else."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    name: str
    min_score: float | None


def _check_bands(bands: list[BandSpec], key: str) -> None:
    both = [b for b in bands if b.get("above") is not None and b.get("from") is not None]
    if both:
        raise ValueError(f"value_score.{key}: give either above: (strictly above) or from: (included) in a band, not both; got {both}")
    edges = [band_edge(b) for b in bands]
    if not bands or edges[-1] is not None or None in edges[:-1]:
        raise ValueError(
            f"value_score.{key}: list the bands from the highest, each with above: or from:, and only the last without an edge (everything else); got edges {edges}"
        )
    if any(b >= a for a, b in zip(edges[:-2], edges[1:-1])):
        raise ValueError(f"value_score.{key}: the band edges must decrease strictly from the first band; got {edges[:-1]}")
    if any(b["points"] < 0 for b in bands):
        raise ValueError(f"value_score.{key}: points must be 0 or more; got {[b['points'] for b in bands]}")


class ValueScoreSection(Section):
    """The ``value_score:`` section. Document every key, with its default, in parameters/_template.yaml."""

    window_years: float = Field(3.0, gt=0, le=10)
    unit: float = Field(1000.0, gt=0)
    revenue_bands: list[BandSpec] = Field(default_factory=lambda: [band_spec(b) for b in DEFAULT_REVENUE_BANDS])
    margin_bands: list[BandSpec] = Field(default_factory=lambda: [band_spec(b) for b in DEFAULT_MARGIN_BANDS])
    bonus_per_purchase: float = Field(2.0, ge=0)
    classes: list[ClassSpec] = Field(default_factory=lambda: [ClassSpec(name=n, min_score=m) for n, m in DEFAULT_CLASSES])

    @model_validator(mode="after")
    def _consistent(self) -> "ValueScoreSection":
        _check_bands(self.revenue_bands, "revenue_bands")
        _check_bands(self.margin_bands, "margin_bands")
        mins = [c["min_score"] for c in self.classes]
        if not self.classes or mins[-1] is not None or None in mins[:-1] or any(b >= a for a, b in zip(mins[:-2], mins[1:-1])):
            raise ValueError(f"value_score.classes: list them from the best with strictly decreasing min_score, only the last with min_score: null; got {mins}")
        names = [c["name"] for c in self.classes]
        if len(set(names)) != len(names) or not all(names):
            raise ValueError(f"value_score.classes: class names must be unique and not empty, got {names}")
        return self

    def class_list(self) -> list[tuple[str, float | None]]:
        """The classes as ``(name, min_score)``, best first."""
        return [(c["name"], c["min_score"]) for c in self.classes]

    def scoring_kwargs(self) -> dict:
        """Keyword arguments of :func:`workbench.analysis.value.compute_value_score` (the purchase definition apart: top-level ``purchase``)."""
        return {
            "window_years": self.window_years,
            "unit": self.unit,
            "bonus_per_purchase": self.bonus_per_purchase,
            "classes": self.class_list(),
            "revenue_bands": [as_band(b) for b in self.revenue_bands],
            "margin_bands": [as_band(b) for b in self.margin_bands],
        }
