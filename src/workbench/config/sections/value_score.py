"""Parameters of ``03_rfm_value``: the value score of seed 003 (YAML section ``value_score:``)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator
from typing_extensions import TypedDict

from workbench.config.defaults import (
    DEFAULT_CLASSES,
    DEFAULT_MARGIN_BANDS,
    DEFAULT_REVENUE_BANDS,
)
from workbench.config.sections.base import Section


class BandSpec(TypedDict):
    """Points for an annual value strictly above ``above`` (in ``unit``s); ``above: null`` = everything else."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    above: float | None
    points: float


class ClassSpec(TypedDict):
    """A value class: scores >= ``min_score`` points; ``min_score: null`` = everything else."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    name: str
    min_score: float | None


def _check_bands(bands: list[BandSpec], key: str) -> None:
    edges = [b["above"] for b in bands]
    if not bands or edges[-1] is not None or None in edges[:-1]:
        raise ValueError(f"value_score.{key}: list the bands from the highest, and only the last with above: null (everything else); got above = {edges}")
    if any(b >= a for a, b in zip(edges[:-2], edges[1:-1])):
        raise ValueError(f"value_score.{key}: the 'above' edges must decrease strictly from the first band; got {edges[:-1]}")
    if any(b["points"] < 0 for b in bands):
        raise ValueError(f"value_score.{key}: points must be 0 or more; got {[b['points'] for b in bands]}")


class ValueScoreSection(Section):
    """The ``value_score:`` section. Document every key, with its default, in parameters/_template.yaml."""

    window_years: float = Field(3.0, gt=0, le=10)
    unit: float = Field(1000.0, gt=0)
    revenue_bands: list[BandSpec] = Field(default_factory=lambda: [BandSpec(above=a, points=p) for a, p in DEFAULT_REVENUE_BANDS])
    margin_bands: list[BandSpec] = Field(default_factory=lambda: [BandSpec(above=a, points=p) for a, p in DEFAULT_MARGIN_BANDS])
    bonus_per_purchase: float = Field(2.0, ge=0)
    purchases: Literal["days", "invoices"] = "days"
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
        """Keyword arguments of :func:`workbench.analysis.value.compute_value_score`."""
        return {
            "window_years": self.window_years,
            "unit": self.unit,
            "bonus_per_purchase": self.bonus_per_purchase,
            "purchases": self.purchases,
            "classes": self.class_list(),
            "revenue_bands": [(b["above"], b["points"]) for b in self.revenue_bands],
            "margin_bands": [(b["above"], b["points"]) for b in self.margin_bands],
        }
