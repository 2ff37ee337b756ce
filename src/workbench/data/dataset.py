"""Read the client's tables, map them onto the data contract and keep the row ledger.

This is the only module that knows the client's column names. Every row read is
either kept (normalised to the canonical columns of :mod:`workbench.config.contract`)
or rejected with a reason; rows dated outside the analysis period are kept and
counted as out of period. Per table: ``rows_read = rows_kept + rows_rejected``.
"""

from __future__ import annotations

import difflib
import json
import shutil
import unicodedata
import weakref
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.config.contract import LOAD_ORDER, TABLES, TableSpec
from workbench.config.params import Params, TableSource
from workbench.data import aggregates
from workbench.data import validation as v
from workbench.data.readers import read_source, shown_path
from workbench.errors import DataError

LEDGER_COLUMNS = ["table", "file", "rows_read", "rows_kept", "rows_rejected", "rows_out_of_period"]
REJECTED_COLUMNS = ["table", "file", "source_row", "reason", "detail", "raw"]
_COMMON_SEPARATORS = (";", ",", "\t", "|")


def _read_parquet(path: Path, **kwargs) -> pd.DataFrame:
    """``pd.read_parquet``, then Arrow's pool gives back what the conversion left unused (it keeps
    freed memory for reuse otherwise: a notebook would hold it through the page)."""
    frame = pd.read_parquet(path, **kwargs)
    _release_arrow_memory()
    return frame


def _release_arrow_memory() -> None:
    """Give back to the system what Arrow's memory pool keeps of freed buffers."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


class SavedTables(MutableMapping):
    """The tables of a run folder's ``data/``, each read from its Parquet file on first use.

    A notebook pays, in time and memory, only for the tables it uses; the names are known
    at once (``"events" in tables`` reads nothing).
    """

    def __init__(self, folder: Path | None) -> None:
        self._paths = {p.stem: p for p in sorted(folder.glob("*.parquet"))} if folder is not None else {}
        self._read: dict[str, pd.DataFrame] = {}

    def add_file(self, name: str, path: Path) -> None:
        """Make ``name`` the table in the Parquet file ``path`` (read on first use)."""
        self._paths[name] = path
        self._read.pop(name, None)

    def unread_file(self, name: str) -> Path | None:
        """The Parquet file of ``name`` when the table has not been read or replaced since, else None."""
        return None if name in self._read else self._paths.get(name)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._read:
            if name not in self._paths:
                raise KeyError(name)
            self._read[name] = _read_parquet(self._paths[name])
        return self._read[name]

    def __setitem__(self, name: str, frame: pd.DataFrame) -> None:
        self._paths.setdefault(name, None)
        self._read[name] = frame

    def __delitem__(self, name: str) -> None:
        del self._paths[name]
        self._read.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, name: object) -> bool:
        return name in self._paths


@dataclass
class Dataset:
    """The normalised tables of one client, with their ledger.

    Attributes
    ----------
    tables
        Canonical tables by name (only those given). Every kept row, with
        ``source_row`` and, for dated tables, ``in_period``.
    ledger
        One row per table: ``table, file, rows_read, rows_kept, rows_rejected, rows_out_of_period``.
    rejected
        One row per rejected input row: ``table, file, source_row, reason, detail, raw``
        (``raw`` holds the original values as JSON).
    """

    tables: MutableMapping[str, pd.DataFrame]
    ledger: pd.DataFrame
    rejected: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    merged_file: Path | None = None
    """A run folder's ``data/merged/transactions.parquet`` (written by :meth:`save` when lines merge)."""
    _merged: dict[bool, pd.DataFrame] = field(default_factory=dict, repr=False)
    _lines: dict[tuple, pd.DataFrame] = field(default_factory=dict, repr=False)

    def merged_transactions(self, *, in_period: bool = False) -> pd.DataFrame | None:
        """``transactions`` with the lines of each invoice merged into one row, or None without transactions.

        What the analyses read (:func:`workbench.data.aggregates.merge_lines`): sums, customers, purchase
        days and invoices are those of the lines, with several times fewer rows on a line-level export.
        Computed once, or read from the run folder. ``in_period``: only the rows inside the analysis
        period (the run folder's file is then filtered while it is read: the rows outside are never
        held); rows keep their order and the index runs from 0.
        """
        if "transactions" not in self.tables:
            return None
        if in_period not in self._merged:
            unread = self._unread("transactions")
            if self.merged_file is not None and unread is not None:
                filters = [("in_period", "==", True)] if in_period else None
                self._merged[in_period] = _read_parquet(self.merged_file, filters=filters).astype(aggregates.parquet_dtypes(unread).to_dict())
            elif in_period:
                every = self.merged_transactions()
                self._merged[in_period] = every[every["in_period"]].reset_index(drop=True)
            else:
                self._merged[in_period] = aggregates.merge_lines(unread if unread is not None else self.tables["transactions"])
        return self._merged[in_period]

    def _unread(self, name: str) -> Path | None:
        """The run folder's Parquet file of ``name`` while the table is not in memory (:meth:`SavedTables.unread_file`), else None."""
        return self.tables.unread_file(name) if isinstance(self.tables, SavedTables) else None

    def column_names(self, name: str) -> list[str]:
        """The columns of the table ``name`` (the merged transactions have the same), without reading a saved table."""
        unread = self._unread(name)
        if unread is None:
            return [str(c) for c in self.tables[name].columns]
        import pyarrow.parquet as pq

        return pq.read_schema(unread).names

    def lines(self, name: str, *, columns: list[str], in_period: bool = False) -> pd.DataFrame:
        """``columns`` of the table ``name`` as exported, reading only them from a run folder's Parquet file.

        ``in_period``: only the rows inside the analysis period (the table has ``in_period``), filtered
        while reading; rows keep their order and the index runs from 0. Kept for the session, like
        :meth:`merged_transactions`: page 00 and its warnings and coverage share one read.
        """
        key = (name, tuple(columns), in_period)
        if key not in self._lines:
            unread = self._unread(name)
            if unread is not None:
                self._lines[key] = _read_parquet(unread, columns=columns, filters=[("in_period", "==", True)] if in_period else None)
            else:
                frame = self.tables[name]
                self._lines[key] = (frame.loc[frame["in_period"], columns] if in_period else frame[columns]).reset_index(drop=True)
        return self._lines[key].copy(deep=False)

    def save(self, folder: Path) -> None:
        """Write the tables as Parquet, the ledger as CSV and ``rejected_rows.csv`` into ``folder``.

        When some invoice lines merge (:meth:`merged_transactions`), the merged transactions are
        written too, as ``data/merged/transactions.parquet``, so that each notebook reads them ready.
        """
        (folder / "data").mkdir(parents=True, exist_ok=True)
        for name in self.tables:
            unread = self._unread(name)
            if unread is not None:
                shutil.copyfile(unread, folder / "data" / f"{name}.parquet")
            else:
                self.tables[name].to_parquet(folder / "data" / f"{name}.parquet", index=False)
        if "transactions" in self.tables:
            merged = aggregates.merge_lines(folder / "data" / "transactions.parquet")
            if len(merged) < aggregates.parquet_rows(folder / "data" / "transactions.parquet"):
                (folder / "data" / "merged").mkdir(exist_ok=True)
                merged.to_parquet(folder / "data" / "merged" / "transactions.parquet", index=False)
            del merged
        self.ledger.to_csv(folder / "data" / "ledger.csv", index=False)
        self.rejected.to_csv(folder / "rejected_rows.csv", index=False)
        _release_arrow_memory()  # the runner waits on the kernels next: it should not sit on the merge's buffers

    @classmethod
    def read_saved(cls, folder: Path) -> "Dataset":
        """Read what :meth:`save` wrote (each table on first use, see :class:`SavedTables`)."""
        data = folder / "data"
        if not (data / "ledger.csv").is_file():
            raise DataError(f"{folder}: no normalised data in this run folder; run `workbench run` or pass run_dir=None")
        tables = SavedTables(data)
        ledger = pd.read_csv(data / "ledger.csv")
        rejected = pd.read_csv(folder / "rejected_rows.csv", dtype={"detail": "str", "raw": "str"})
        merged = data / "merged" / "transactions.parquet"
        return cls(tables=tables, ledger=ledger, rejected=rejected, merged_file=merged if merged.is_file() else None)


# ---------------------------------------------------------------- mapping
def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def _column_mapping(table: str, spec: TableSpec, source: TableSource, frame: pd.DataFrame, shown_path: str) -> dict[str, str]:
    """Canonical name -> the file's column, checking that every needed column is there.

    Names are compared trimmed and in Unicode NFC form, so a decomposed ``é`` matches.
    """
    found = [c for c in frame.columns if not (c.startswith("__") and c.endswith("__"))]
    mapping: dict[str, str] = {}
    for column in spec.columns:
        wanted = _nfc(source.columns.get(column.name, column.name))
        if wanted in found:
            mapping[column.name] = wanted
            continue
        if column.name not in source.columns and not column.required:
            continue  # optional and not mapped: absent is fine
        raise DataError(
            f"data.{table}.columns.{column.name}: column {wanted!r} not found in {shown_path} ({_missing_column_tip(table, source, frame, found, wanted)}); "
            f'map it with data.{table}.columns.{column.name}: "<column in the file>"'
        )
    return mapping


def _missing_column_tip(table: str, source: TableSource, frame: pd.DataFrame, found: list[str], wanted: str) -> str:
    """Why a column may be missing: a close name, another separator, an encoding, title lines, another sheet."""
    hint = difflib.get_close_matches(wanted, found[:2000], n=1)
    tip = (f"did you mean {hint[0]!r}? " if hint else "") + f"columns found: {', '.join(map(repr, found[:12]))}" + (" ..." if len(found) > 12 else "")
    header_below = next((line for line, values in frame.attrs.get("head", []) if wanted in {_nfc(x) for x in values if isinstance(x, str)}), None)
    if len(found) == 1 and any(sep in found[0] for sep in _COMMON_SEPARATORS):
        used = next(sep for sep in _COMMON_SEPARATORS if sep in found[0])
        tip = f"the file seems to be separated by {used!r}: set data.{table}.sep"
    elif header_below is not None:
        tip += f"; the header seems to be on line {header_below}: set data.{table}.skip_rows: {header_below - 1}"
    elif any("Ã" in c for c in found):
        tip += f"; the names look mis-decoded: check data.{table}.encoding"
    sheets = frame.attrs.get("sheets") or []
    if len(sheets) > 1 and header_below is None:
        tip += f"; the workbook's sheets are {', '.join(map(repr, sheets))}: set data.{table}.sheet (now {source.sheet!r})"
    return tip


# ---------------------------------------------------------------- normalising
def _parse_column(table, column, values: pd.Series, source: TableSource, shown: str, lines: pd.Series, mapped: str):
    """Parse one mapped column; returns ``(parsed, checks)`` of its row-level failures."""
    values = v.blank_markers(values, source.na_values)
    blank = v.is_blank(values)
    checks: list[tuple[str, pd.Series, pd.Series | None]] = []
    if column.required:
        checks.append((f"missing {column.name}", blank, None))
    text = values.astype(str).str.strip()
    if column.kind == "date":
        _check_offsets(table, column.name, mapped, values, shown, lines)
        parsed = v.parse_dates(values, date_format=source.date_format, dayfirst=source.dayfirst)
        checks.append((f"unparseable {column.name}", parsed.isna() & ~blank, text))
    elif column.kind == "number":
        parsed = v.parse_numbers(values, decimal=source.decimal, thousands=source.thousands)
        checks.append((f"unparseable {column.name}", parsed.isna() & ~blank, text))
        if column.low is not None or column.high is not None:
            low = column.low if column.low is not None else -float("inf")
            high = column.high if column.high is not None else float("inf")
            outside = parsed.notna() & ~parsed.between(low, high)
            checks.append((f"out of range {column.name}", outside, text + f" (expected {column.low:g} to {column.high:g})"))
    elif column.kind == "category":
        parsed = v.parse_text(values).map(lambda x: _nfc(x) if isinstance(x, str) else x)
        recode = {_nfc(k): val for k, val in source.values.get(column.name, {}).items()}
        if recode:
            parsed = parsed.map(lambda x: recode.get(x, x) if isinstance(x, str) else x).astype("str")
        if column.allowed:
            bad = parsed.notna() & ~parsed.isin(column.allowed)
            hint = f" (expected one of {', '.join(column.allowed)}; map it under data.{table}.values.{column.name})"
            checks.append((f"invalid {column.name}", bad, text + hint))
    elif column.kind == "text":
        parsed = v.parse_text(values).map(lambda x: _nfc(x) if isinstance(x, str) else x).astype("str")
    else:
        parsed = v.parse_ids(values)
    return parsed, checks


def _check_offsets(table: str, name: str, mapped: str, values: pd.Series, shown: str, lines: pd.Series) -> None:
    """Refuse a date column whose values carry different UTC offsets: their local dates would not be comparable."""
    offsets = v.utc_offsets(values).dropna()
    if offsets.nunique() > 1:
        first = offsets.iloc[0]
        other = offsets[offsets != first].index[0]
        raise DataError(
            f"data.{table}.columns.{name}: column {mapped!r} of {shown} mixes UTC offsets ({first} on line {lines[offsets.index[0]]}, "
            f"{offsets[other]} on line {lines[other]}); export the dates in one time zone (a time-zoned date counts on the local date written in it)"
        )


def _hashable(raw: pd.DataFrame) -> pd.DataFrame:
    """``raw`` with list/array/dict cells (Parquet list columns) as their text, so rows can be compared."""
    out = raw.copy()
    for col in out.columns:
        if out[col].dtype == object and not v.is_text(out[col]) and out[col].map(lambda x: isinstance(x, (list, tuple, dict, np.ndarray))).any():
            out[col] = out[col].map(_raw_value)
    return out


def _raw_value(x):
    """One raw cell as JSON-able text (None when missing)."""
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, (list, tuple, dict)):
        return json.dumps(x, ensure_ascii=False, default=str)
    if x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and x != x):
        return None
    return str(x)


def normalise_table(
    table: str,
    raw: pd.DataFrame,
    source: TableSource,
    *,
    mapping: dict[str, str],
    known_customers: set[str] | None = None,
    known_members: set[str] | None = None,
    period: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    file: str = "",
    rejected_refs: dict[str, dict[str, str]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalise one raw table and split its rows into kept and rejected.

    Parameters
    ----------
    table
        Canonical table name.
    raw
        What :func:`read_source` returned.
    source
        Its reading options (separators, date format, value mapping, ``na_values``).
    mapping
        Canonical column -> column of ``raw``.
    known_customers, known_members
        Identifiers a row may refer to; None skips that check.
    period
        (start, end), both inclusive; sets ``in_period`` on dated tables.
    file
        The file as shown in messages.
    rejected_refs
        ``{"customer_id": {id: why}, "member_id": {...}}``: ids whose own row was rejected,
        so that an ``unknown customer`` says why.

    Returns
    -------
    (kept, rejected)
        ``kept``: canonical columns + ``source_row`` (+ ``in_period``).
        ``rejected``: ``source_row, reason, detail, raw, key`` (``key``: the parsed unique id, or NA).

    Raises
    ------
    DataError
        A date column mixes UTC offsets.
    """
    spec = TABLES[table]
    index = raw.index
    out = pd.DataFrame(index=index)
    checks: list[tuple[str, pd.Series, pd.Series | None]] = []
    if "__problem__" in raw:
        checks.append(("wrong number of fields", raw["__problem__"].notna(), raw["__problem__"]))
    by_kind: dict[str, list] = {"missing": [], "unparseable": [], "invalid": []}
    for column in spec.columns:
        if column.name not in mapping:
            kind_dtype = {"date": "datetime64[ns]", "number": "float64"}.get(column.kind, "str")
            out[column.name] = pd.Series(pd.NA if kind_dtype == "str" else None, index=index, dtype=kind_dtype)
            continue
        parsed, column_checks = _parse_column(table, column, raw[mapping[column.name]], source, file, raw["__source_row__"], mapping[column.name])
        for check in column_checks:
            by_kind["missing" if check[0].startswith("missing") else "unparseable" if check[0].startswith("unparseable") else "invalid"].append(check)
        out[column.name] = parsed
    checks += by_kind["missing"] + by_kind["unparseable"] + by_kind["invalid"]

    source_cols = [c for c in raw.columns if not (c.startswith("__") and c.endswith("__"))]
    if source.drop_duplicates:
        comparable = _hashable(raw[source_cols + ["__source_row__"]])
        duplicated = comparable.duplicated(subset=source_cols, keep="first")
        group = comparable.groupby(source_cols, dropna=False, sort=False).ngroup()
        first_row = comparable["__source_row__"].groupby(group).transform("first")
        checks.append(("exact duplicate", duplicated, "same as row " + first_row.astype(str)))
    status = v.first_reason(checks, index)
    ok = _reference_checks(spec, out, status, known_customers, known_members, rejected_refs or {})

    kept = out[ok].copy()
    kept["source_row"] = raw.loc[ok, "__source_row__"].astype("int64")
    if spec.date_column and period is not None:
        start, end = period
        kept["in_period"] = kept[spec.date_column].between(start, end)
    kept = kept.reset_index(drop=True)

    bad = ~ok
    raw_json = raw.loc[bad, source_cols].apply(lambda row: json.dumps({k: _raw_value(x) for k, x in row.items()}, ensure_ascii=False), axis=1)
    rejected = pd.DataFrame(
        {
            "source_row": raw.loc[bad, "__source_row__"].astype("int64"),
            "reason": status.loc[bad, "reason"],
            "detail": status.loc[bad, "detail"],
            "raw": raw_json if bad.any() else pd.Series(dtype="str"),
            "key": out.loc[bad, spec.unique] if spec.unique else pd.Series(pd.NA, index=raw.index[bad], dtype="str"),
        }
    ).reset_index(drop=True)
    return kept, rejected


def _reference_checks(spec: TableSpec, out: pd.DataFrame, status: pd.DataFrame, known_customers, known_members, rejected_refs) -> pd.Series:
    """Unique keys and references to customers/members; updates ``status`` in place and returns the rows kept."""
    ok = status["reason"].isna()
    if spec.unique:
        seen_before = out[spec.unique].where(ok).duplicated(keep="first") & ok & out[spec.unique].notna()
        status.loc[seen_before, "reason"] = f"duplicate {spec.unique}"
        status.loc[seen_before, "detail"] = out.loc[seen_before, spec.unique].astype(str)
        ok = status["reason"].isna()
    for flag, column, known, what in (
        (spec.refers_to_customer, "customer_id", known_customers, "customer"),
        (spec.refers_to_member, "member_id", known_members, "member"),
    ):
        if not flag or known is None:
            continue
        unknown = ok & out[column].notna() & ~out[column].isin(known)
        if unknown.any():
            why = rejected_refs.get(column, {})
            status.loc[unknown, "reason"] = f"unknown {what}"
            status.loc[unknown, "detail"] = out.loc[unknown, column].map(lambda x: _unknown_detail(str(x), known, why))
        ok = status["reason"].isna()
    return ok


def _unknown_detail(value: str, known: set[str], rejected: dict[str, str]) -> str:
    """The unknown id, and why it is unknown when that can be told."""
    if value in rejected:
        return f"{value} ({rejected[value]})"
    twin = value[:-2] if value.endswith(".0") else value + ".0"
    if twin in known:
        return f"{value} (ids are compared as text: {value!r} is not {twin!r}; export the ids the same way in both files)"
    return value


def choose_engine(params: Params, engine: str | None = None) -> str:
    """``pandas`` or ``duckdb``: ``engine`` if given, else ``data.engine``; ``auto`` picks DuckDB when the
    transactions file is larger than ``data.duckdb_above_mb`` megabytes (10**6 bytes)."""
    engine = engine or params.data.engine
    if engine != "auto":
        return engine
    path = params.resolve(params.data.transactions.path)
    size = path.stat().st_size if path.is_file() else 0
    return "duckdb" if size > params.data.duckdb_above_mb * 1e6 else "pandas"


_IDS_OF = {"customers": ("customer_id",), "transactions": ("customer_id",), "members": ("member_id",)}
"""The ids later tables are checked against."""


@dataclass
class _Loaded:
    """One table once loaded by either engine."""

    kept: pd.DataFrame | Path
    rejected: pd.DataFrame
    rows_read: int
    rows_kept: int
    rows_out_of_period: int
    ids: dict[str, set[str]]


def _load_pandas(name: str, source: TableSource, params: Params, shown: str, **context) -> _Loaded:
    raw = read_source(name, source, params)
    mapping = _column_mapping(name, TABLES[name], source, raw, shown)
    kept, rejected = normalise_table(name, raw, source, mapping=mapping, file=shown, **context)
    out_of_period = int((~kept["in_period"]).sum()) if "in_period" in kept else 0
    ids = {c: set(kept[c]) for c in _IDS_OF.get(name, ())}
    return _Loaded(kept, rejected, len(raw), len(kept), out_of_period, ids)


def _load_duckdb(name: str, source: TableSource, params: Params, shown: str, work: Path, con, **context) -> _Loaded:
    """One CSV table through :mod:`workbench.data.duck` (other formats: the pandas path)."""
    from workbench.data import duck

    if source.file_format != "csv":
        return _load_pandas(name, source, params, shown, **context)
    path = params.resolve(source.path)
    if not path.is_file():
        read_source(name, source, params)  # raises the file-not-found message
    try:
        raw = duck.stream_csv(name, source, path, shown, work / f"raw_{name}.parquet")
    except (OSError, ValueError):  # unreadable: the pandas reader names it
        raw = None
    if raw is None:  # a file the pandas reader refuses (its message) or reads whole (UTF-16, multi-character sep)
        raw = duck.raw_from_frame(read_source(name, source, params), work / f"raw_{name}.parquet")
    stand_in = pd.DataFrame(columns=[*raw.names, "__source_row__"])
    stand_in.attrs["head"] = raw.head
    mapping = _column_mapping(name, TABLES[name], source, stand_in, shown)
    out = work / "tables" / f"{name}.parquet"
    out.parent.mkdir(exist_ok=True)
    kept, out_of_period, rejected = duck.normalise_csv(con, name, raw, source, mapping=mapping, file=shown, out=out, **context)
    raw.path.unlink()
    ids = {c: duck.distinct_ids(con, out, c) for c in _IDS_OF.get(name, ())}
    return _Loaded(out, rejected, raw.rows, kept, out_of_period, ids)


def load_dataset(params: Params, *, engine: str | None = None) -> Dataset:
    """Read, validate and normalise every table named in the parameters.

    Parameters
    ----------
    params
        The client's parameters.
    engine
        ``pandas``, ``duckdb`` or ``auto``; None: ``data.engine`` (see :func:`choose_engine`).
        Both engines give the same tables, ledger, rejected rows and messages.

    Returns
    -------
    Dataset
        With the DuckDB engine, ``tables`` reads each CSV table from its Parquet file on first use.

    Raises
    ------
    DataError
        A file or a mapped column is missing or unreadable (one line naming it and the fix).
    """
    sources = params.data.sources()
    period = (pd.Timestamp(params.period.start), pd.Timestamp(params.period.end))
    use_duckdb = choose_engine(params, engine) == "duckdb"
    tables: MutableMapping[str, pd.DataFrame] = {}
    if use_duckdb:
        from workbench.data import duck

        work = duck.workdir()
        tables = SavedTables(None)
        weakref.finalize(tables, duck.remove, work)
        con = duck.connect(work)
    ledgers: list[dict] = []
    rejected_parts: list[pd.DataFrame] = []
    files: dict[str, Path] = {}
    rejected_refs: dict[str, dict[str, str]] = {}
    ids: dict[str, dict[str, set[str]]] = {}
    for name in LOAD_ORDER:
        source = sources.get(name)
        if source is None:
            continue
        path = params.resolve(source.path)
        files[name] = path
        shown = shown_path(path, params)
        known_customers = ids["customers"]["customer_id"] if "customers" in ids else ids["transactions"]["customer_id"] if "transactions" in ids else None
        known_members = ids["members"]["member_id"] if "members" in ids else None
        context = dict(known_customers=known_customers, known_members=known_members, period=period, rejected_refs=rejected_refs)
        if use_duckdb:
            loaded = _load_duckdb(name, source, params, shown, work, con, **context)
        else:
            loaded = _load_pandas(name, source, params, shown, **context)
        _record(name, shown, loaded, tables, ids, ledgers, rejected_parts, rejected_refs)
    if use_duckdb:
        con.close()
    nonempty = [r for r in rejected_parts if len(r)]
    rejected_all = pd.concat(nonempty, ignore_index=True) if nonempty else pd.DataFrame(columns=REJECTED_COLUMNS)
    return Dataset(tables=tables, ledger=pd.DataFrame(ledgers, columns=LEDGER_COLUMNS), rejected=rejected_all[REJECTED_COLUMNS], files=files)


def _record(name, shown, loaded: _Loaded, tables, ids, ledgers, rejected_parts, rejected_refs) -> None:
    """Book one loaded table: its kept rows, ids, ledger line, rejected rows and rejected keys."""
    rejected = loaded.rejected
    if TABLES[name].unique:
        keys = rejected.dropna(subset=["key"])
        rejected_refs[TABLES[name].unique] = {
            k: f"its {name} row, line {line} of {shown}, was rejected: {reason}" for k, line, reason in zip(keys["key"], keys["source_row"], keys["reason"])
        }
    rejected = rejected.drop(columns="key")
    if loaded.rows_kept + len(rejected) != loaded.rows_read:  # pragma: no cover - an invariant, not a user error
        raise AssertionError(f"ledger of {name} does not balance: {loaded.rows_read} read, {loaded.rows_kept} kept, {len(rejected)} rejected")
    if isinstance(loaded.kept, Path):
        tables.add_file(name, loaded.kept)
    else:
        tables[name] = loaded.kept
    ids[name] = loaded.ids
    ledgers.append(
        {
            "table": name,
            "file": shown,
            "rows_read": loaded.rows_read,
            "rows_kept": loaded.rows_kept,
            "rows_out_of_period": loaded.rows_out_of_period,
            "rows_rejected": len(rejected),
        }
    )
    rejected.insert(0, "file", shown)
    rejected.insert(0, "table", name)
    rejected_parts.append(rejected)
