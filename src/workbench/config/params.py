"""The parameter file: one validated schema, one loader.

A client's parameter file is YAML. Its shape is defined here and only here;
``parameters/_template.yaml`` documents every key with its default. Loading
turns every problem (missing file, YAML syntax, unknown key, wrong type) into a
:class:`~workbench.errors.ParameterError` whose message is one line naming the
file, the key and the fix.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from workbench.config.contract import TABLES
from workbench.config.sections import (
    ClvSection,
    EngagementSection,
    KpisSection,
    MigrationSection,
    PortfolioSection,
    RfmSection,
    UpliftSection,
    ValueScoreSection,
)
from workbench.config.sections.base import Section
from workbench.errors import ParameterError

TEMPLATE_HINT = "see parameters/_template.yaml"
DEFAULT_NA_VALUES = ("", "NA", "N/A", "n/a", "null", "NULL", "NaN", "nan", "None", "none", "-", "--")
"""The default ``na_values`` of every table."""


_Strict = Section


class Period(_Strict):
    """Analysis window; ``end`` is the reference date of every 'as of' figure."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
        if self.end <= self.start:
            raise ValueError(f"period.end ({self.end}) must be after period.start ({self.start}); swap or fix the dates")
        return self


class TableSource(_Strict):
    """Where one table comes from and how to read it."""

    path: Path
    format: Literal["csv", "xlsx", "parquet"] | None = None
    sheet: str | int = 0
    sep: str = ","
    decimal: Literal[".", ","] = "."
    thousands: str | None = None
    encoding: str = "utf-8"
    skip_rows: int = Field(0, ge=0)
    """Lines (CSV) or sheet rows (XLSX) above the header to skip, e.g. title lines; blank lines count."""
    date_format: str | None = None
    dayfirst: bool = False
    na_values: list[str] = Field(default_factory=lambda: list(DEFAULT_NA_VALUES))
    """Text meaning "no value"; spreadsheet error values (#N/A, #VALUE!, #REF!, ...) are always missing."""
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    drop_duplicates: bool = True

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r}; use e.g. utf-8, cp1252 or latin-1") from None
        return value

    @field_validator("sep")
    @classmethod
    def _sep_not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("sep must not be empty; use e.g. ',' or ';'")
        if '"' in value or "\n" in value or "\r" in value:
            raise ValueError(f"sep {value!r} cannot hold a quote or a line break; use e.g. ',' or ';' (a sep of several characters is taken literally)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "TableSource":
        if self.date_format and self.dayfirst:
            raise ValueError("give either date_format or dayfirst, not both")
        if self.thousands is not None and self.thousands == self.decimal:
            raise ValueError(f"thousands ({self.thousands!r}) and decimal ({self.decimal!r}) must differ")
        return self

    @property
    def file_format(self) -> str:
        """The format, from ``format`` or else from the file extension."""
        if self.format:
            return self.format
        suffix = self.path.suffix.lower()
        return {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet"}.get(suffix, "unknown")


DUCKDB_ABOVE_MB = 100.0
"""``data.engine: auto`` reads through DuckDB when the transactions file is larger than this (MB, 10**6 bytes): about 1.5 M lines."""


class DataSection(_Strict):
    """The client's tables; only ``transactions`` is required.

    ``engine`` chooses how CSV tables are read, validated and normalised: ``pandas`` in memory,
    ``duckdb`` out of core (a stream to Parquet, then SQL), or ``auto``: DuckDB when the
    transactions file is larger than ``duckdb_above_mb`` megabytes. Both give the same tables,
    row ledger, rejected rows and messages.
    """

    engine: Literal["auto", "pandas", "duckdb"] = "auto"
    duckdb_above_mb: float = Field(DUCKDB_ABOVE_MB, gt=0)
    transactions: TableSource
    customers: TableSource | None = None
    members: TableSource | None = None
    points: TableSource | None = None
    events: TableSource | None = None
    surveys: TableSource | None = None

    @model_validator(mode="after")
    def _mapping_keys_are_canonical(self) -> "DataSection":
        for table, source in self.sources().items():
            spec = TABLES[table]
            for key in source.columns:
                if key not in spec.names:
                    raise ValueError(
                        f"data.{table}.columns.{key}: not a column of the {table} table{_did_you_mean(key, spec.names)}; "
                        f"canonical columns are {', '.join(spec.names)}"
                    )
            for key, recode in source.values.items():
                if key not in spec.names or spec.column(key).kind != "category":
                    cats = [c.name for c in spec.columns if c.kind == "category"] or ["none"]
                    raise ValueError(f"data.{table}.values.{key}: values can be mapped only for the {table} columns {', '.join(cats)}")
                _check_codes(f"data.{table}.values.{key}", recode, spec.column(key).allowed)
        return self

    def sources(self) -> dict[str, TableSource]:
        """The tables that are given, by canonical name."""
        return {name: src for name in TABLES if (src := getattr(self, name)) is not None}


class QualitySection(_Strict):
    """Thresholds of the data-quality warnings (00_data_quality)."""

    max_rejected_share: float = Field(0.01, ge=0, le=1)
    max_credit_note_share: float = Field(0.10, ge=0, le=1)
    min_months: int = Field(12, ge=1)


class ReportSection(_Strict):
    """How the report reads: its language (``en`` or ``fr``).

    The language changes the narrative, the labels and the number and date formats of the
    report pages; parameter keys, metric keys, CLI messages and exported CSV columns stay English.
    """

    language: Literal["en", "fr"] = "en"


class Params(_Strict):
    """A client's parameter file.

    ``purchase`` is the one definition of a purchase for every page (:mod:`workbench.analysis.purchases`):
    ``day`` (distinct purchase days per customer) or ``invoice`` (distinct invoice_id).
    """

    client: str = Field(min_length=1)
    currency: str = "EUR"
    purchase: Literal["day", "invoice"] = "day"
    period: Period
    data: DataSection
    report: ReportSection = ReportSection()
    quality: QualitySection = QualitySection()
    kpis: KpisSection = KpisSection()
    portfolio: PortfolioSection = PortfolioSection()
    rfm: RfmSection = RfmSection()
    value_score: ValueScoreSection = ValueScoreSection()
    clv: ClvSection = ClvSection()
    migration: MigrationSection = MigrationSection()
    uplift: UpliftSection = UpliftSection()
    engagement: EngagementSection = EngagementSection()

    _source: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _sections_agree(self) -> "Params":
        known = [name for name, _ in self.value_score.class_list()]
        unknown = [c for c in self.engagement.ambassadors.value_classes if c not in known]
        if unknown:
            raise ValueError(
                f"engagement.ambassadors.value_classes: {', '.join(map(repr, unknown))} is not a class of value_score.classes; use some of {', '.join(map(repr, known))}"
            )
        return self

    @property
    def source(self) -> Path | None:
        """The parameter file this was loaded from, if any."""
        return self._source

    @property
    def base_dir(self) -> Path:
        """Folder that relative data paths are resolved against."""
        return self._source.parent if self._source else Path.cwd()

    def resolve(self, path: Path) -> Path:
        """``path`` made absolute, relative to the parameter file."""
        return path if path.is_absolute() else (self.base_dir / path).resolve()

    @property
    def slug(self) -> str:
        """The client name as a folder name."""
        keep = "".join(ch.lower() if ch.isalnum() else "-" for ch in self.client)
        return "-".join(filter(None, keep.split("-"))) or "client"


def _check_codes(key: str, recode: dict[str, str], allowed: tuple[str, ...] | None) -> None:
    """Every target of a ``values`` mapping must be one of the column's codes."""
    if not allowed:
        return
    for code, target in recode.items():
        if target not in allowed:
            lower = {a.lower(): a for a in allowed}
            close = lower.get(str(target).strip().lower()) or next(iter(difflib.get_close_matches(str(target), allowed, n=1)), None)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise ValueError(f"{key}.{code}: {target!r} is not a code of this column{hint}; map {code!r} onto one of {', '.join(allowed)}")


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model that holds the key at ``loc`` (to suggest spellings)."""
    model: Any = Params
    for part in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        ann = field.annotation
        candidates = [ann, *getattr(ann, "__args__", ())]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return None
    return model


def _describe(error: dict) -> str:
    loc = tuple(error["loc"])
    key = ".".join(str(p) for p in loc) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        model = _model_at(loc)
        hint = _did_you_mean(loc[-1], model.model_fields) if model else ""
        return f"{key}: unknown key{hint}; remove it or fix its spelling ({TEMPLATE_HINT})"
    if kind == "missing":
        return f"{key}: required key is missing; add it ({TEMPLATE_HINT})"
    msg = error["msg"].removeprefix("Value error, ")
    if kind == "value_error":
        return f"{key}: {msg}" if key != "(top level)" and not msg.startswith(key) else msg
    got = error.get("input")
    quirk = ""
    if isinstance(got, bool) or got is None or any(isinstance(p, bool) or p is None for p in loc):
        quirk = (
            '; YAML reads unquoted yes/no/on/off/true/false as booleans and null/NULL/~ (or nothing) as empty: write the text in quotes, e.g. "Yes" or "NULL"'
        )
    return f"{key}: {msg} (got {got!r}); fix the value ({TEMPLATE_HINT}){quirk}"


def parse_params(raw: Any, *, source: Path | None = None) -> Params:
    """Validate a parsed YAML mapping.

    Parameters
    ----------
    raw
        The mapping read from YAML.
    source
        The file it came from; relative data paths resolve against its folder.

    Returns
    -------
    Params

    Raises
    ------
    ParameterError
        One line per problem, each naming the key and the fix.
    """
    where = f"{source}: " if source else ""
    if raw is None:
        raise ParameterError(f"{where}the parameter file is empty; start from parameters/_template.yaml (client, period, data, ...)")
    if not isinstance(raw, dict):
        kind = {list: "a list", str: "a single text"}.get(type(raw), type(raw).__name__)
        raise ParameterError(f"{where}expected a mapping of keys (client, period, data, ...), got {kind}; start from parameters/_template.yaml")
    try:
        params = Params.model_validate(raw)
    except ValidationError as exc:
        lines = [where + _describe(e) for e in exc.errors()]
        raise ParameterError("\n".join(lines)) from None
    params._source = source.resolve() if source else None
    return params


class _DuplicateKey(Exception):
    def __init__(self, key, line: int, first: int):
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a key given twice in one mapping (YAML keeps the last silently)."""


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            if key in seen:
                raise _DuplicateKey(key, line, seen[key])
            seen[key] = line
        except TypeError:
            continue  # an unhashable key: the schema refuses it later
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def load_params(path: str | Path) -> Params:
    """Read and validate a parameter file.

    Parameters
    ----------
    path
        The YAML file.

    Returns
    -------
    Params

    Raises
    ------
    ParameterError
        The file is missing, is not valid YAML, or fails the schema.
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"{path}: parameter file not found; give the path of a YAML file such as parameters/demo.yaml")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except PermissionError:
        raise ParameterError(f"{path}: cannot read the parameter file: permission denied; fix its permissions") from None
    except OSError as exc:
        raise ParameterError(f"{path}: cannot read the parameter file ({exc.strerror or exc}); check the path") from None
    except UnicodeDecodeError:
        raise ParameterError(f"{path}: not UTF-8 text; save the parameter file as UTF-8") from None
    except _DuplicateKey as exc:
        raise ParameterError(f"{path}: line {exc.line}: key {exc.key!r} is given twice (first on line {exc.first}); keep one of them") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParameterError(f"{path}: invalid YAML{at}: {problem}; fix the syntax (indentation, quotes, colons)") from None
    return parse_params(raw, source=path)


def params_as_dict(params: Params) -> dict:
    """The validated parameters as plain JSON-able data (paths as strings)."""
    return params.model_dump(mode="json")
