"""Parameters of ``07_engagement``: engagement score, ambassadors, satisfaction (YAML section ``engagement:``)."""

from workbench.sections.base import Section


class EngagementSection(Section):
    """The ``engagement:`` section. Document every key, with its default, in parameters/_template.yaml."""
