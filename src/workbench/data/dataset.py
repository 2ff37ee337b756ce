"""Read the client's tables, map them onto the data contract and keep the row ledger.

This is the only module that knows the client's column names. Every row read is
either kept (normalised to the canonical columns of :mod:`workbench.config.contract`)
or rejected with a reason; rows dated outside the analysis period are kept and
counted as out of period. Per table: ``rows_read = rows_kept + rows_rejected``.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.config.contract import LOAD_ORDER, TABLES, TableSpec
from workbench.config.params import Params, TableSource
from workbench.data import validation as v
from workbench.errors import DataError

LEDGER_COLUMNS = ["table", "file", "rows_read", "rows_kept", "rows_rejected", "rows_out_of_period"]
REJECTED_COLUMNS = ["table", "file", "source_row", "reason", "detail", "raw"]
_COMMON_SEPARATORS = (";", ",", "\t", "|")


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

    tables: dict[str, pd.DataFrame]
    ledger: pd.DataFrame
    rejected: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)

    def save(self, folder: Path) -> None:
        """Write the tables as Parquet, the ledger as CSV and ``rejected_rows.csv`` into ``folder``."""
        (folder / "data").mkdir(parents=True, exist_ok=True)
        for name, table in self.tables.items():
            table.to_parquet(folder / "data" / f"{name}.parquet", index=False)
        self.ledger.to_csv(folder / "data" / "ledger.csv", index=False)
        self.rejected.to_csv(folder / "rejected_rows.csv", index=False)

    @classmethod
    def read_saved(cls, folder: Path) -> "Dataset":
        """Read what :meth:`save` wrote."""
        data = folder / "data"
        if not (data / "ledger.csv").is_file():
            raise DataError(f"{folder}: no normalised data in this run folder; run `workbench run` or pass run_dir=None")
        tables = {p.stem: pd.read_parquet(p) for p in sorted(data.glob("*.parquet"))}
        ledger = pd.read_csv(data / "ledger.csv")
        rejected = pd.read_csv(folder / "rejected_rows.csv", dtype={"detail": "str", "raw": "str"})
        return cls(tables=tables, ledger=ledger, rejected=rejected)


# ---------------------------------------------------------------- reading
def _rel(path: Path, params: Params) -> str:
    """``path`` as the user wrote it: relative to the parameter file's folder."""
    return os.path.relpath(path, params.base_dir)


def read_source(table: str, source: TableSource, params: Params) -> pd.DataFrame:
    """Read one source file as raw values (text for CSV, typed for Excel/Parquet).

    Returns
    -------
    pd.DataFrame
        The file's own columns (header names trimmed) and ``__source_row__``:
        the line number in a CSV or the row number in a sheet (header = 1), or
        the 1-based row position in a Parquet file.

    Raises
    ------
    DataError
        Missing file, unknown format, unreadable encoding, unparseable CSV,
        missing sheet, or no data rows.
    """
    path = params.resolve(source.path)
    key = f"data.{table}.path"
    if not path.is_file():
        raise DataError(f"{key}: file not found: {path}; fix the path (relative to the parameter file) or remove data.{table}")
    fmt = source.file_format
    try:
        if fmt == "csv":
            encoding = "utf-8-sig" if source.encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else source.encoding
            frame = pd.read_csv(
                path,
                sep=source.sep,
                encoding=encoding,
                dtype=str,
                keep_default_na=False,
                na_values=source.na_values,
                skip_blank_lines=True,
            )
            first_line = 2
        elif fmt == "xlsx":
            sheets = pd.ExcelFile(path).sheet_names
            if isinstance(source.sheet, str) and source.sheet not in sheets:
                raise DataError(f"data.{table}.sheet: no sheet {source.sheet!r} in {_rel(path, params)}; sheets are {', '.join(map(repr, sheets))}")
            if isinstance(source.sheet, int) and source.sheet >= len(sheets):
                raise DataError(f"data.{table}.sheet: {_rel(path, params)} has {len(sheets)} sheet(s); give a sheet name or index below {len(sheets)}")
            frame = pd.read_excel(path, sheet_name=source.sheet, dtype=object, keep_default_na=False, na_values=source.na_values)
            first_line = 2
        elif fmt == "parquet":
            frame = pd.read_parquet(path)
            first_line = 1
        else:
            raise DataError(f"data.{table}.path: cannot tell the format of {path.name}; use a .csv, .xlsx or .parquet file or set data.{table}.format")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"data.{table}.encoding: {_rel(path, params)} is not {source.encoding} text (byte {exc.object[exc.start]:#04x} at position {exc.start}); "
            f"set data.{table}.encoding to the file's encoding (French Excel exports are usually cp1252)"
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"data.{table}: {_rel(path, params)} is empty; export the table again or remove data.{table}") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1]
        raise DataError(
            f"data.{table}.sep: {_rel(path, params)} cannot be read as CSV with sep={source.sep!r} ({detail}); check the separator and quoting"
        ) from None
    except DataError:
        raise
    except (OSError, ValueError) as exc:
        raise DataError(
            f"data.{table}.path: cannot read {_rel(path, params)} as {fmt} ({type(exc).__name__}: {str(exc).splitlines()[0]}); check the file and data.{table}.format"
        ) from None
    if frame.empty:
        raise DataError(f"data.{table}: {_rel(path, params)} has a header but no data rows; export the table again or remove data.{table}")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.reset_index(drop=True)
    frame["__source_row__"] = frame.index + first_line
    return frame


def _column_mapping(table: str, spec: TableSpec, source: TableSource, frame: pd.DataFrame, shown_path: str) -> dict[str, str]:
    """Canonical name -> the file's column, checking that every needed column is there."""
    found = [c for c in frame.columns if c != "__source_row__"]
    mapping: dict[str, str] = {}
    for column in spec.columns:
        wanted = source.columns.get(column.name, column.name)
        if wanted in found:
            mapping[column.name] = wanted
            continue
        if column.name not in source.columns and not column.required:
            continue  # optional and not mapped: absent is fine
        hint = difflib.get_close_matches(wanted, found, n=1)
        tip = (f"did you mean {hint[0]!r}? " if hint else "") + f"columns found: {', '.join(map(repr, found[:12]))}" + (" ..." if len(found) > 12 else "")
        if len(found) == 1 and any(sep in found[0] for sep in _COMMON_SEPARATORS):
            used = next(sep for sep in _COMMON_SEPARATORS if sep in found[0])
            tip = f"the file seems to be separated by {used!r}: set data.{table}.sep"
        elif any("Ã" in c for c in found):
            tip += f"; the names look mis-decoded: check data.{table}.encoding"
        raise DataError(
            f"data.{table}.columns.{column.name}: column {wanted!r} not found in {shown_path} ({tip}); "
            f'map it with data.{table}.columns.{column.name}: "<column in the file>"'
        )
    return mapping


# ---------------------------------------------------------------- normalising
def normalise_table(
    table: str,
    raw: pd.DataFrame,
    source: TableSource,
    *,
    mapping: dict[str, str],
    known_customers: set[str] | None = None,
    known_members: set[str] | None = None,
    period: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalise one raw table and split its rows into kept and rejected.

    Parameters
    ----------
    table
        Canonical table name.
    raw
        What :func:`read_source` returned.
    source
        Its reading options (separators, date format, value mapping).
    mapping
        Canonical column -> column of ``raw``.
    known_customers, known_members
        Identifiers a row may refer to; None skips that check.
    period
        (start, end), both inclusive; sets ``in_period`` on dated tables.

    Returns
    -------
    (kept, rejected)
        ``kept``: canonical columns + ``source_row`` (+ ``in_period``).
        ``rejected``: ``source_row, reason, detail, raw``.
    """
    spec = TABLES[table]
    index = raw.index
    out = pd.DataFrame(index=index)
    checks: list[tuple[str, pd.Series, pd.Series | None]] = []
    unparseable: list[tuple[str, pd.Series, pd.Series | None]] = []
    invalid: list[tuple[str, pd.Series, pd.Series | None]] = []
    for column in spec.columns:
        if column.name not in mapping:
            kind_dtype = {"date": "datetime64[ns]", "number": "float64"}.get(column.kind, "str")
            out[column.name] = pd.Series(pd.NA if kind_dtype == "str" else None, index=index, dtype=kind_dtype)
            continue
        values = raw[mapping[column.name]]
        blank = v.is_blank(values)
        if column.required:
            checks.append((f"missing {column.name}", blank, None))
        text = values.astype(str).str.strip()
        if column.kind == "date":
            parsed = v.parse_dates(values, date_format=source.date_format, dayfirst=source.dayfirst)
            unparseable.append((f"unparseable {column.name}", parsed.isna() & ~blank, text))
        elif column.kind == "number":
            parsed = v.parse_numbers(values, decimal=source.decimal, thousands=source.thousands)
            unparseable.append((f"unparseable {column.name}", parsed.isna() & ~blank, text))
            if column.low is not None or column.high is not None:
                low = column.low if column.low is not None else -float("inf")
                high = column.high if column.high is not None else float("inf")
                outside = parsed.notna() & ~parsed.between(low, high)
                invalid.append((f"out of range {column.name}", outside, text + f" (expected {column.low:g} to {column.high:g})"))
        elif column.kind == "category":
            parsed = v.parse_text(values)
            recode = source.values.get(column.name, {})
            if recode:
                parsed = parsed.map(lambda x: recode.get(x, x) if isinstance(x, str) else x).astype("str")
            if column.allowed:
                bad = parsed.notna() & ~parsed.isin(column.allowed)
                hint = f" (expected one of {', '.join(column.allowed)}; map it under data.{table}.values.{column.name})"
                invalid.append((f"invalid {column.name}", bad, text + hint))
        else:
            parsed = v.parse_ids(values)
        out[column.name] = parsed
    checks += unparseable + invalid

    source_cols = [c for c in raw.columns if c != "__source_row__"]
    if source.drop_duplicates:
        duplicated = raw.duplicated(subset=source_cols, keep="first")
        group = raw.groupby(source_cols, dropna=False, sort=False).ngroup()
        first_row = raw["__source_row__"].groupby(group).transform("first")
        checks.append(("exact duplicate", duplicated, "same as row " + first_row.astype(str)))
    status = v.first_reason(checks, index)

    ok = status["reason"].isna()
    if spec.unique:
        seen_before = out[spec.unique].where(ok).duplicated(keep="first") & ok & out[spec.unique].notna()
        status.loc[seen_before, "reason"] = f"duplicate {spec.unique}"
        status.loc[seen_before, "detail"] = out.loc[seen_before, spec.unique].astype(str)
        ok = status["reason"].isna()
    if spec.refers_to_customer and known_customers is not None:
        unknown = ok & ~out["customer_id"].isin(known_customers)
        status.loc[unknown, "reason"] = "unknown customer"
        status.loc[unknown, "detail"] = out.loc[unknown, "customer_id"].astype(str)
        ok = status["reason"].isna()
    if spec.refers_to_member and known_members is not None:
        unknown = ok & out["member_id"].notna() & ~out["member_id"].isin(known_members)
        status.loc[unknown, "reason"] = "unknown member"
        status.loc[unknown, "detail"] = out.loc[unknown, "member_id"].astype(str)
        ok = status["reason"].isna()

    kept = out[ok].copy()
    kept["source_row"] = raw.loc[ok, "__source_row__"].astype("int64")
    if spec.date_column and period is not None:
        start, end = period
        kept["in_period"] = kept[spec.date_column].between(start, end)
    kept = kept.reset_index(drop=True)

    bad = ~ok
    raw_json = raw.loc[bad, source_cols].apply(
        lambda row: json.dumps({k: (None if pd.isna(x) else str(x)) for k, x in row.items()}, ensure_ascii=False), axis=1
    )
    rejected = pd.DataFrame(
        {
            "source_row": raw.loc[bad, "__source_row__"].astype("int64"),
            "reason": status.loc[bad, "reason"],
            "detail": status.loc[bad, "detail"],
            "raw": raw_json if bad.any() else pd.Series(dtype="str"),
        }
    ).reset_index(drop=True)
    return kept, rejected


def load_dataset(params: Params) -> Dataset:
    """Read, validate and normalise every table named in the parameters.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        A file or a mapped column is missing or unreadable (one line naming it and the fix).
    """
    sources = params.data.sources()
    period = (pd.Timestamp(params.period.start), pd.Timestamp(params.period.end))
    tables: dict[str, pd.DataFrame] = {}
    ledgers: list[dict] = []
    rejected_parts: list[pd.DataFrame] = []
    files: dict[str, Path] = {}
    for name in LOAD_ORDER:
        source = sources.get(name)
        if source is None:
            continue
        path = params.resolve(source.path)
        files[name] = path
        shown = _rel(path, params)
        raw = read_source(name, source, params)
        mapping = _column_mapping(name, TABLES[name], source, raw, shown)
        if "customers" in tables:
            known_customers = set(tables["customers"]["customer_id"])
        elif "transactions" in tables:
            known_customers = set(tables["transactions"]["customer_id"])
        else:
            known_customers = None
        known_members = set(tables["members"]["member_id"]) if "members" in tables else None
        kept, rejected = normalise_table(name, raw, source, mapping=mapping, known_customers=known_customers, known_members=known_members, period=period)
        if len(kept) + len(rejected) != len(raw):  # pragma: no cover - an invariant, not a user error
            raise AssertionError(f"ledger of {name} does not balance: {len(raw)} read, {len(kept)} kept, {len(rejected)} rejected")
        tables[name] = kept
        out_of_period = int((~kept["in_period"]).sum()) if "in_period" in kept else 0
        ledgers.append(
            {"table": name, "file": shown, "rows_read": len(raw), "rows_kept": len(kept), "rows_rejected": len(rejected), "rows_out_of_period": out_of_period}
        )
        rejected.insert(0, "file", shown)
        rejected.insert(0, "table", name)
        rejected_parts.append(rejected)
    nonempty = [r for r in rejected_parts if len(r)]
    rejected_all = pd.concat(nonempty, ignore_index=True) if nonempty else pd.DataFrame(columns=REJECTED_COLUMNS)
    return Dataset(tables=tables, ledger=pd.DataFrame(ledgers, columns=LEDGER_COLUMNS), rejected=rejected_all[REJECTED_COLUMNS], files=files)
