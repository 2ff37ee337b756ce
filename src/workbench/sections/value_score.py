"""Parameters of ``03_rfm_value``: the value score of seed 003 (YAML section ``value_score:``)."""

from workbench.sections.base import Section


class ValueScoreSection(Section):
    """The ``value_score:`` section. Document every key, with its default, in parameters/_template.yaml."""
