"""One parameter section per analysis, each in its own module; :mod:`workbench.config.params` composes them."""

from workbench.config.sections.base import Section
from workbench.config.sections.clv import ClvSection
from workbench.config.sections.engagement import EngagementSection
from workbench.config.sections.kpis import KpisSection
from workbench.config.sections.migration import MigrationSection
from workbench.config.sections.portfolio import PortfolioSection
from workbench.config.sections.rfm import RfmSection
from workbench.config.sections.uplift import UpliftSection
from workbench.config.sections.value_score import ValueScoreSection

__all__ = [
    "Section",
    "ClvSection",
    "EngagementSection",
    "KpisSection",
    "MigrationSection",
    "PortfolioSection",
    "RfmSection",
    "UpliftSection",
    "ValueScoreSection",
]
