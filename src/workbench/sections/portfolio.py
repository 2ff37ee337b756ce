"""Parameters of ``02_portfolio``: portfolio analysis (YAML section ``portfolio:``)."""

from workbench.sections.base import Section


class PortfolioSection(Section):
    """The ``portfolio:`` section. Document every key, with its default, in parameters/_template.yaml."""
