"""One parameter section per analysis, each in its own module; :mod:`workbench.params` composes them."""

from workbench.sections.base import Section
from workbench.sections.clv import ClvSection
from workbench.sections.engagement import EngagementSection
from workbench.sections.kpis import KpisSection
from workbench.sections.migration import MigrationSection
from workbench.sections.portfolio import PortfolioSection
from workbench.sections.rfm import RfmSection
from workbench.sections.uplift import UpliftSection
from workbench.sections.value_score import ValueScoreSection

__all__ = ["Section", "ClvSection", "EngagementSection", "KpisSection", "MigrationSection", "PortfolioSection", "RfmSection", "UpliftSection", "ValueScoreSection"]
