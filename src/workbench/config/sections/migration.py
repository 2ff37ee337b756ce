"""Parameters of ``05_segment_migration``: segment migration between periods (YAML section ``migration:``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from workbench.config.sections.base import Section


class MigrationSection(Section):
    """The ``migration:`` section. Document every key, with its default, in parameters/_template.yaml."""

    step: Literal["year", "quarter"] = "year"
    window_months: int = Field(12, ge=1, le=60)
    occasional: list[str] = Field(default_factory=lambda: ["New Customers", "Promising", "Potential Loyalist", "About To Sleep"])
    regular: list[str] = Field(default_factory=lambda: ["Champions", "Loyal Customers"])

    @model_validator(mode="after")
    def _consistent(self) -> "MigrationSection":
        if not self.occasional or not self.regular:
            raise ValueError("migration.occasional and migration.regular must each name at least one RFM segment")
        both = sorted(set(self.occasional) & set(self.regular))
        if both:
            raise ValueError(f"migration: {', '.join(both)} is in both occasional and regular; a segment belongs to one of them")
        return self
