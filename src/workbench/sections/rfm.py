"""Parameters of ``03_rfm_value``: RFM scoring and named segments (YAML section ``rfm:``)."""

from workbench.sections.base import Section


class RfmSection(Section):
    """The ``rfm:`` section. Document every key, with its default, in parameters/_template.yaml."""
