"""Parameters of ``05_segment_migration``: segment migration between periods (YAML section ``migration:``)."""

from workbench.sections.base import Section


class MigrationSection(Section):
    """The ``migration:`` section. Document every key, with its default, in parameters/_template.yaml."""
