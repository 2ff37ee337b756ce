"""Parameters of ``01_programme_kpis``: programme KPIs (evaluation and performance) (YAML section ``kpis:``)."""

from workbench.sections.base import Section


class KpisSection(Section):
    """The ``kpis:`` section. Document every key, with its default, in parameters/_template.yaml."""
