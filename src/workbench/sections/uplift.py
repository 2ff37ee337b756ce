"""Parameters of ``06_uplift``: programme uplift, members vs matched non-members (YAML section ``uplift:``)."""

from workbench.sections.base import Section


class UpliftSection(Section):
    """The ``uplift:`` section. Document every key, with its default, in parameters/_template.yaml."""
