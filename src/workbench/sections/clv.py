"""Parameters of ``04_clv``: BG/NBD + Gamma-Gamma customer lifetime value (YAML section ``clv:``)."""

from workbench.sections.base import Section


class ClvSection(Section):
    """The ``clv:`` section. Document every key, with its default, in parameters/_template.yaml."""
