"""Parameters of ``02_portfolio``: portfolio analysis (YAML section ``portfolio:``)."""

from typing import Literal

from pydantic import Field, field_validator, model_validator

from workbench.config.sections.base import Section


class PortfolioSection(Section):
    """The ``portfolio:`` section. Document every key, with its default, in parameters/_template.yaml.

    Attributes
    ----------
    period_grain
        Length of the periods compared: ``year`` (B2B default: purchase cycles are long) or ``quarter``.
    bridge_base, bridge_current
        The two periods of the revenue bridge, as period labels (``"2023"``, ``"2024Q3"``);
        None: the last two periods of the analysis window.
    top_share
        The fraction of customers whose revenue share is measured (0.2: the top 20 %).
    cohort_grain
        Cohort width of the retention triangle: ``quarter`` or ``year``.
    """

    period_grain: Literal["year", "quarter"] = "year"
    bridge_base: str | None = None
    bridge_current: str | None = None
    top_share: float = Field(0.2, gt=0, lt=1)
    cohort_grain: Literal["quarter", "year"] = "quarter"

    @field_validator("bridge_base", "bridge_current", mode="before")
    @classmethod
    def _year_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _both_or_neither(self) -> "PortfolioSection":
        if (self.bridge_base is None) != (self.bridge_current is None):
            raise ValueError(f"portfolio.bridge_base ({self.bridge_base!r}) and portfolio.bridge_current ({self.bridge_current!r}): give both or neither")
        return self
