"""The out-of-core data path: a CSV table streamed to Parquet, then validated and normalised in SQL on DuckDB.

Same contract as the pandas path of :mod:`workbench.data.dataset` (``data.engine``): the same
kept rows and dtypes, the same row ledger, the same rejected rows (reason, detail, source line,
raw values) and the same ``DataError`` messages, checked by the tests on both engines.

How each guarantee is kept:

* **Tokenising** is the pandas path's own code (:func:`workbench.data.readers._records`, the
  ``csv`` module) run over the file as a stream of lines, so line numbers, field-count problems
  and unclosed quotes are found the same way; rows go to a Parquet file in chunks of
  :data:`CHUNK_ROWS`, so memory does not grow with the file.
* **File-level problems** (encoding, binary files, title lines, wrong separator, empty file,
  multi-character ``sep``, UTF-16) are detected in a streaming pre-pass; the file is then handed
  to the pandas reader, which raises its own message (or, for a rare layout such as UTF-16 or a
  multi-character separator, reads it; its raw frame is validated in SQL like any other).
* **Values** are parsed in SQL with the pandas path's rules: Python's ``str.strip`` white space
  (``pystrip``), the ``na_values`` markers and spreadsheet errors, the number pattern of
  :func:`workbench.data.validation._number_pattern` (without look-ahead, for RE2), NFC text and
  category codes. Dates are parsed by :func:`workbench.data.validation.parse_dates` itself, once
  per distinct text (a three-year export holds about a thousand), and joined back.

The kept rows are written to Parquet (timestamps in nanoseconds, as pandas writes them) and read
on first use (:class:`workbench.data.dataset.SavedTables`); only the rejected rows come to pandas.
"""

from __future__ import annotations

import codecs
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.config.contract import TABLES, Column
from workbench.config.params import TableSource
from workbench.data import readers
from workbench.data import validation as v

CHUNK_ROWS = 200_000
"""Rows tokenised in Python before they are written to the Parquet intermediate."""
MEMORY_LIMIT = "2GB"
"""DuckDB's own memory limit; above it, it spills to the work folder."""
PY_WHITESPACE = "".join(chr(c) for c in (*range(9, 14), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000))
"""The characters Python's ``str.strip()`` removes (``str.isspace``), so that SQL trims as the pandas path does."""
_BINARY = (b"PK\x03\x04", b"PAR1", b"\xd0\xcf\x11\xe0")


def _q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def connect(workdir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection spilling to ``workdir``, with the ``pystrip`` macro."""
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(workdir / "spill"), "threads": 2})
    con.execute(f"CREATE MACRO pystrip(x) AS CASE WHEN regexp_matches(x, '^[!-~](?:.*[!-~])?$') THEN x ELSE trim(x, {_lit(PY_WHITESPACE)}) END")
    return con


@dataclass
class RawCsv:
    """A CSV table tokenised to Parquet: its columns (no dunder columns), rows and first rows."""

    path: Path
    names: list[str]
    rows: int
    head: list


# ---------------------------------------------------------------- streaming the CSV file
def _codec(source: TableSource, path: Path) -> str | None:
    """The codec to stream ``path`` with, or None when the pandas reader must read it.

    None for every file the pandas reader refuses (its message is then the one raised) and
    for layouts it reads whole: UTF-16 and multi-character separators.
    """
    enc = source.encoding.lower().replace("_", "-")
    if len(source.sep) > 1:
        return None
    with _open(path, "rb") as handle:
        head = handle.read(1 << 16)
        if not head.strip() or head[:4] in _BINARY or head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4096]:
            return None
        if head[:3] == b"\xef\xbb\xbf" and enc not in readers._UTF8:
            return None
        codec = "utf-8-sig" if enc in readers._UTF8 else source.encoding
        declared = codecs.getincrementaldecoder(codec)("strict")
        utf8 = None if enc in readers._UTF8 else codecs.getincrementaldecoder("utf-8")("strict")
        high = False
        handle.seek(0)
        try:
            for chunk in iter(lambda: handle.read(1 << 24), b""):
                declared.decode(chunk)
                if utf8 is not None:
                    high = high or re.search(rb"[\x80-\xff]", chunk) is not None
                    try:
                        utf8.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = None
            declared.decode(b"", final=True)
            if utf8 is not None:
                utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    if high and utf8 is not None:
        return None  # UTF-8 text under a one-byte encoding: the pandas reader names it
    return codec


def _open(path: Path, mode: str = "r", **kwargs):
    """``path.open`` (one place, so that a test can make the file unreadable)."""
    return path.open(mode, **kwargs)


def _writer_table(names: list[str], rows: list[list[str]], starts: list[int], problems: list) -> pa.Table:
    columns = list(zip(*rows)) if rows else [() for _ in names]
    arrays = [pa.array(col, type=pa.string()) for col in columns]
    arrays += [pa.array(starts, type=pa.int64()), pa.array(problems, type=pa.string())]
    return pa.Table.from_arrays(arrays, names=[*names, "__source_row__", "__problem__"])


def stream_csv(table: str, source: TableSource, path: Path, shown: str, out: Path) -> RawCsv | None:
    """Tokenise a CSV file into the Parquet file ``out``, as :func:`readers._read_csv` would read it.

    Returns
    -------
    RawCsv or None
        None when the file must go through the pandas reader (see :func:`_codec`).

    Raises
    ------
    DataError
        Duplicate column names or an unclosed quote (the pandas reader's messages).
    """
    codec = _codec(source, path)
    if codec is None:
        return None
    with _open(path, encoding=codec, newline="") as handle:
        lines = iter(handle)
        for _ in range(source.skip_rows):
            line = next(lines, None)
            if line is None or not line.endswith(("\n", "\r")):
                return None
        records = readers._records(lines, source.sep, source.skip_rows + 1)
        first = next(records, None)
        if first is None:
            return None
        header_line, _, header_fields = first
        width = len(header_fields)
        while width > 1 and not header_fields[width - 1].strip():
            width -= 1
        skip_hint = f" (or, if line {header_line} is a title, set data.{table}.skip_rows)"
        names = readers._header(table, header_fields[:width], shown, header_line, skip_hint=skip_hint if header_line == 1 else "")
        result = _write_rows(table, source, shown, names, header_line, records, out)
    if result is None:
        return None
    rows, head, blank_unnamed = result
    if blank_unnamed:
        keep = [c for c in [*names, "__source_row__", "__problem__"] if c not in blank_unnamed]
        pq.write_table(pq.read_table(out, columns=keep), out)
        names = [n for n in names if n not in blank_unnamed]
    return RawCsv(path=out, names=names, rows=rows, head=head)


def _write_rows(table, source, shown, names, header_line, records, out: Path):
    """The rows of ``records`` into ``out``; ``(rows, head, blank unnamed columns)``, or None if most rows do not line up."""
    width = len(names)
    unnamed = {i for i, n in enumerate(names) if n.startswith("(column ")}
    filled: set[int] = set()
    rows, starts, problems, head = [], [], {}, []
    total = bad = 0
    writer = None
    for start, end, fields in records:
        if len(fields) != width or end > start:  # the rare rows: as readers._read_csv treats them
            if len(fields) > width and not any(f.strip() for f in fields[width:]):
                fields = fields[:width]  # trailing separator(s)
            if end > start:
                readers._check_multiline(table, source, shown, names, start, end, fields)
            if len(fields) != width:
                problems[len(rows)] = f"{len(fields)} fields on line {start}, the header (line {header_line}) has {width}"
                fields = (fields + [""] * width)[:width]
                bad += 1
        rows.append(fields)
        starts.append(start)
        if len(head) < readers.HEAD_ROWS:
            head.append((start, fields))
        if len(rows) >= CHUNK_ROWS:
            writer = _flush(writer, out, names, rows, starts, problems, unnamed, filled)
            total += len(rows)
            rows, starts, problems = [], [], {}
    if rows or writer is None:
        writer = _flush(writer, out, names, rows, starts, problems, unnamed, filled)
        total += len(rows)
    writer.close()
    if total == 0 or (bad and bad * 2 > total):
        return None  # no data rows, or the wrong sep / title lines: the pandas reader says which
    return total, head, [names[i] for i in sorted(unnamed - filled)]


def _flush(writer, out, names, rows, starts, problems, unnamed, filled):
    for i in unnamed - filled:
        if any(row[i].strip() for row in rows):
            filled.add(i)
    chunk = _writer_table(names, rows, starts, [problems.get(i) for i in range(len(rows))] if problems else [None] * len(rows))
    if writer is None:
        writer = pq.ParquetWriter(out, chunk.schema)
    writer.write_table(chunk)
    return writer


def raw_from_frame(frame: pd.DataFrame, out: Path) -> RawCsv:
    """A raw CSV frame read by the pandas reader (UTF-16, multi-character ``sep``) as the Parquet intermediate."""
    names = [c for c in frame.columns if not (c.startswith("__") and c.endswith("__"))]
    body = frame[names].astype(object).where(frame[names].notna(), None)
    chunk = _writer_table(
        names, body.values.tolist(), frame["__source_row__"].tolist(), frame["__problem__"].where(frame["__problem__"].notna(), None).tolist()
    )
    pq.write_table(chunk, out)
    return RawCsv(path=out, names=names, rows=len(frame), head=frame.attrs.get("head", []))


# ---------------------------------------------------------------- values in SQL
def _blank(value: str, stripped: str, markers: list[str]) -> str:
    """SQL: the raw value is missing (NULL, a ``na_values`` marker, white space or a spreadsheet error), as :func:`validation.is_blank`."""
    marks = sorted({str(m).strip() for m in markers} | {""})
    errors = ", ".join(_lit(e) for e in sorted(v.SPREADSHEET_ERRORS))
    return f"({value} IS NULL OR {stripped} IN ({', '.join(_lit(m) for m in marks)}) OR upper({stripped}) IN ({errors}))"


def number_pattern(decimal: str, thousands: str | None) -> tuple[str, str]:
    """:func:`validation._number_pattern` for RE2 (no look-ahead): the full-match pattern and the thousands pattern.

    ``[+-]?(?=P?\\d)\\d*(?:P\\d+)?`` is the same language as ``[+-]?(?:\\d+(?:P\\d+)?|P\\d+)``.
    """
    point = re.escape(decimal)
    if thousands is None:
        return rf"[+-]?(?:\d+(?:{point}\d+)?|{point}\d+)(?:[eE][+-]?\d+)?", ""
    group = "[ \u00a0\u202f]" if thousands.strip() == "" else re.escape(thousands)
    return rf"[+-]?(?:\d{{1,3}}(?:{group}\d{{3}})+(?:{point}\d+)?|\d+(?:{point}\d+)?|{point}\d+)", group


def _number(stripped: str, blank: str, source: TableSource) -> str:
    """SQL: the number in the trimmed text ``stripped`` as DOUBLE (possibly not finite), NULL where blank or unparseable."""
    pattern, group = number_pattern(source.decimal, source.thousands)
    clean = stripped
    if source.thousands is not None:
        clean = f"regexp_replace({clean}, {_lit(group)}, '', 'g')"
    if source.decimal != ".":
        clean = f"replace({clean}, {_lit(source.decimal)}, '.')"
    return f"(CASE WHEN NOT {blank} AND regexp_full_match({stripped}, {_lit(pattern)}) THEN TRY_CAST({clean} AS DOUBLE) END)"


def _finite(number: str) -> str:
    """SQL: ``number`` where finite, else NULL (``parse_numbers`` turns infinities into NaN)."""
    return f"(CASE WHEN isfinite({number}) THEN {number} END)"


def _date_map(con, raw_sql: str, col: str, source: TableSource, table: str, name: str, mapped: str, shown: str) -> pd.DataFrame:
    """Every distinct non-blank text of a date column, parsed by :func:`validation.parse_dates`.

    Raises
    ------
    DataError
        The column mixes UTC offsets (the pandas path's message, with its lines).
    """
    blank = _blank(col, f"pystrip({col})", source.na_values)
    distinct = con.execute(f"SELECT {col} AS value, min(__source_row__) AS line FROM {raw_sql} WHERE NOT {blank} GROUP BY {col} ORDER BY line").df()
    values = pd.Series(distinct["value"].tolist(), dtype=object)
    from workbench.data.dataset import _check_offsets  # the pandas path's own message

    _check_offsets(table, name, mapped, values, shown, pd.Series(distinct["line"].to_numpy()))
    parsed = v.parse_dates(values, date_format=source.date_format, dayfirst=source.dayfirst)
    return pd.DataFrame({"value": pd.Series(distinct["value"].tolist(), dtype=object), "parsed": parsed})


def _range_hint(column: Column) -> str:
    return f" (expected {column.low:g} to {column.high:g})"


@dataclass
class _Layers:
    """The layered query of the row-level checks: each layer selects from the one before.

    ``a``: raw value ``v<i>`` and trimmed text ``s<i>`` (trimmed once: it is the costly step);
    ``b``: blank flag ``b<i>``; ``c``: first parse ``c<i>``; ``d``: final value ``p<i>``.
    ``missing``, ``unparseable``, ``invalid``: ``(reason, condition, detail)`` in column order.
    """

    a: list[str]
    b: list[str]
    c: list[str]
    d: list[str]
    joins: list[str]
    missing: list[tuple[str, str, str]]
    unparseable: list[tuple[str, str, str]]
    invalid: list[tuple[str, str, str]]


def _column_sql(con, q: _Layers, i: int, table: str, column: Column, mapped: str, source: TableSource, shown: str, raw_sql: str) -> None:
    """Add column ``i``'s layers and checks (see ``dataset._parse_column``)."""
    col, name = f"r.{_q(mapped)}", column.name
    blank, text = f"b{i}", f"s{i}"
    q.a += [f"{col} AS v{i}", f"pystrip({col}) AS s{i}"]
    q.b.append(f"{_blank(f'v{i}', f's{i}', source.na_values)} AS b{i}")
    if column.required:
        q.missing.append((f"missing {name}", blank, "NULL"))
    if column.kind == "date":
        view = f"dates_{i}"
        con.register(view, _date_map(con, f"{raw_sql} AS r", col, source, table, name, mapped, shown))
        q.joins.append(f"LEFT JOIN {view} ON {view}.value = v{i}")
        q.c.append(f"(CASE WHEN {blank} THEN NULL ELSE {view}.parsed END) AS c{i}")
        q.d.append(f"c{i} AS p{i}")
        q.unparseable.append((f"unparseable {name}", f"(p{i} IS NULL AND NOT {blank})", text))
    elif column.kind == "number":
        q.c.append(f"{_number(text, blank, source)} AS c{i}")
        q.d.append(f"{_finite(f'c{i}')} AS p{i}")
        q.unparseable.append((f"unparseable {name}", f"(p{i} IS NULL AND NOT {blank})", text))
        if column.low is not None or column.high is not None:
            low = column.low if column.low is not None else float("-inf")
            high = column.high if column.high is not None else float("inf")
            q.invalid.append(
                (f"out of range {name}", f"(p{i} IS NOT NULL AND NOT (p{i} BETWEEN {low!r} AND {high!r}))", f"{text} || {_lit(_range_hint(column))}")
            )
    elif column.kind in ("category", "text"):
        q.c.append(f"(CASE WHEN {blank} THEN NULL ELSE pystrip(nfc_normalize({text})) END) AS c{i}")
        recode = (
            {readers.unicodedata.normalize("NFC", str(k)).strip(): val for k, val in source.values.get(name, {}).items()} if column.kind == "category" else {}
        )
        whens = " ".join(f"WHEN {_lit(k)} THEN {_lit(val)}" for k, val in recode.items())
        q.d.append(f"(CASE c{i} {whens} ELSE c{i} END) AS p{i}" if recode else f"c{i} AS p{i}")
        if column.allowed:
            hint = f" (expected one of {', '.join(column.allowed)}; map it under data.{table}.values.{name})"
            allowed = ", ".join(_lit(a) for a in column.allowed)
            q.invalid.append((f"invalid {name}", f"(p{i} IS NOT NULL AND p{i} NOT IN ({allowed}))", f"{text} || {_lit(hint)}"))
    else:
        q.c.append(f"(CASE WHEN {blank} THEN NULL ELSE {text} END) AS c{i}")
        q.d.append(f"c{i} AS p{i}")


def _case(checks: list[tuple[str, str, str]], field: int) -> str:
    if not checks:
        return "NULL"
    return "(CASE " + " ".join(f"WHEN {cond} THEN {_lit(reason) if field == 0 else detail}" for reason, cond, detail in checks) + " END)"


_EMPTY = {"date": "CAST(NULL AS TIMESTAMP_NS)", "number": "CAST(NULL AS DOUBLE)"}


def _stage_one(con, table: str, raw: RawCsv, source: TableSource, mapping: dict[str, str], shown: str) -> None:
    """``checked``: the parsed columns, ``__reason__`` and ``__detail__`` of the row-level checks, one row per raw row."""
    spec = TABLES[table]
    raw_sql = f"read_parquet({_lit(str(raw.path))})"
    q = _Layers(["r.__source_row__", "r.__problem__"], [], [], [], [], [], [], [])
    out = []
    for i, column in enumerate(spec.columns):
        if column.name not in mapping:
            out.append(f"{_EMPTY.get(column.kind, 'CAST(NULL AS VARCHAR)')} AS {_q(column.name)}")
        else:
            _column_sql(con, q, i, table, column, mapping[column.name], source, shown, raw_sql)
            out.append(f"p{i} AS {_q(column.name)}")
    ordered = [("wrong number of fields", "__problem__ IS NOT NULL", "__problem__"), *q.missing, *q.unparseable, *q.invalid]
    if source.drop_duplicates:
        cols = ", ".join(f"r.{_q(n)}" for n in raw.names)
        q.a += [
            f"row_number() OVER (PARTITION BY {cols} ORDER BY r.__source_row__) AS __dup__",
            f"min(r.__source_row__) OVER (PARTITION BY {cols}) AS __first__",
        ]
        ordered.append(("exact duplicate", "__dup__ > 1", "('same as row ' || CAST(__first__ AS VARCHAR))"))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE checked AS WITH a AS (SELECT {', '.join(q.a)} FROM {raw_sql} AS r), "
        f"b AS (SELECT *, {', '.join(q.b) or 'NULL AS b_'} FROM a), "
        f"c AS (SELECT b.*, {', '.join(q.c) or 'NULL AS c_'} FROM b {' '.join(q.joins)}), "
        f"d AS (SELECT *, {', '.join(q.d) or 'NULL AS d_'} FROM c) "
        f"SELECT __source_row__, {', '.join(out)}, {_case(ordered, 0)} AS __reason__, {_case(ordered, 1)} AS __detail__ FROM d"
    )


def _stage_two(con, table: str, known_customers, known_members, rejected_refs) -> str:
    """SQL of ``final``: ``checked`` with the unique-key and reference checks (see ``dataset._reference_checks``)."""
    from workbench.data.dataset import _unknown_detail

    spec = TABLES[table]
    sql = "SELECT * FROM checked"
    if spec.unique:
        key = _q(spec.unique)
        dup = f"__reason__ IS NULL AND {key} IS NOT NULL AND row_number() OVER (PARTITION BY {key}, __reason__ IS NULL ORDER BY __source_row__) > 1"
        sql = (
            f"SELECT * REPLACE (CASE WHEN {dup} THEN {_lit('duplicate ' + spec.unique)} ELSE __reason__ END AS __reason__, "
            f"CASE WHEN {dup} THEN {key} ELSE __detail__ END AS __detail__) FROM ({sql})"
        )
    for flag, column, known, what in (
        (spec.refers_to_customer, "customer_id", known_customers, "customer"),
        (spec.refers_to_member, "member_id", known_members, "member"),
    ):
        if not flag or known is None:
            continue
        con.register(f"known_{what}", pa.table({"id": pa.array(sorted(known), type=pa.string())}))
        unknown = con.execute(f"SELECT DISTINCT {column} FROM checked WHERE {column} IS NOT NULL AND {column} NOT IN (SELECT id FROM known_{what})").fetchall()
        why = rejected_refs.get(column, {})
        details = [(value, _unknown_detail(value, known, why)) for (value,) in unknown]
        con.register(
            f"unknown_{what}",
            pa.table({"id": pa.array([d[0] for d in details], type=pa.string()), "detail": pa.array([d[1] for d in details], type=pa.string())}),
        )
        hit = f"__reason__ IS NULL AND {column} IN (SELECT id FROM unknown_{what})"
        sql = (
            f"SELECT * REPLACE (CASE WHEN {hit} THEN {_lit('unknown ' + what)} ELSE __reason__ END AS __reason__, "
            f"CASE WHEN {hit} THEN (SELECT u.detail FROM unknown_{what} u WHERE u.id = {column}) ELSE __detail__ END AS __detail__) FROM ({sql})"
        )
    return sql


def _write_kept(con, final: str, table: str, period, out: Path) -> tuple[int, int]:
    """Write the kept rows to ``out`` (Parquet, as pandas would); returns (rows kept, rows out of period)."""
    spec = TABLES[table]
    cols = [_q(c.name) for c in spec.columns] + ["__source_row__ AS source_row"]
    if spec.date_column and period is not None:
        start, end = (f"TIMESTAMP '{pd.Timestamp(p).isoformat(sep=' ')}'" for p in period)
        cols.append(f"({_q(spec.date_column)} BETWEEN {start} AND {end}) AS in_period")
    reader = con.sql(f"SELECT {', '.join(cols)} FROM ({final}) WHERE __reason__ IS NULL ORDER BY __source_row__").to_arrow_reader(CHUNK_ROWS)
    schema = pa.schema([pa.field(f.name, pa.timestamp("ns") if pa.types.is_timestamp(f.type) else f.type) for f in reader.schema])
    kept = out_of_period = 0
    with pq.ParquetWriter(out, schema) as writer:
        for batch in reader:
            batch = pa.RecordBatch.from_arrays([col.cast(field.type) for col, field in zip(batch.columns, schema)], schema=schema)
            writer.write_batch(batch)
            kept += batch.num_rows
            if "in_period" in schema.names and batch.num_rows:
                out_of_period += batch.num_rows - pc.sum(batch.column("in_period")).as_py()
    return kept, out_of_period


def _rejected(con, final: str, table: str, raw: RawCsv) -> pd.DataFrame:
    """The rejected rows as ``dataset.normalise_table`` returns them: ``source_row, reason, detail, raw, key``."""
    from workbench.data.dataset import _raw_value

    spec = TABLES[table]
    key = f"f.{_q(spec.unique)}" if spec.unique else "CAST(NULL AS VARCHAR)"
    cols = ", ".join(f"r.{_q(n)}" for n in raw.names)
    rows = con.execute(
        f"SELECT f.__source_row__, f.__reason__, f.__detail__, {key} AS key, {cols} FROM ({final}) AS f "
        f"JOIN read_parquet({_lit(str(raw.path))}) AS r ON r.__source_row__ = f.__source_row__ WHERE f.__reason__ IS NOT NULL ORDER BY f.__source_row__"
    ).fetchall()
    raw_json = [json.dumps({k: _raw_value(x) for k, x in zip(raw.names, row[4:])}, ensure_ascii=False) for row in rows]
    return pd.DataFrame(
        {
            "source_row": pd.Series([r[0] for r in rows], dtype="int64"),
            "reason": pd.Series([r[1] for r in rows], dtype="str"),
            "detail": pd.Series([r[2] for r in rows], dtype="str"),
            "raw": pd.Series(raw_json, dtype="str"),
            "key": pd.Series([r[3] for r in rows], dtype="str"),
        }
    )


def normalise_csv(
    con,
    table: str,
    raw: RawCsv,
    source: TableSource,
    *,
    mapping: dict[str, str],
    known_customers: set[str] | None,
    known_members: set[str] | None,
    period,
    file: str,
    rejected_refs: dict[str, dict[str, str]],
    out: Path,
) -> tuple[int, int, pd.DataFrame]:
    """:func:`workbench.data.dataset.normalise_table` in SQL: the kept rows are written to ``out``.

    Returns
    -------
    (rows_kept, rows_out_of_period, rejected)
        ``rejected`` as ``normalise_table`` returns it (``source_row, reason, detail, raw, key``).

    Raises
    ------
    DataError
        A date column mixes UTC offsets.
    """
    _stage_one(con, table, raw, source, mapping, file)
    final = _stage_two(con, table, known_customers, known_members, rejected_refs)
    kept, out_of_period = _write_kept(con, final, table, period, out)
    rejected = _rejected(con, final, table, raw)
    con.execute("DROP TABLE checked")
    return kept, out_of_period, rejected


def distinct_ids(con, path: Path, column: str) -> set[str]:
    """The distinct non-missing values of ``column`` in a Parquet table."""
    return {x for (x,) in con.execute(f"SELECT DISTINCT {_q(column)} FROM read_parquet({_lit(str(path))}) WHERE {_q(column)} IS NOT NULL").fetchall()}


def workdir() -> Path:
    """A new work folder for the Parquet intermediates (removed with the dataset's tables, see ``dataset.SavedTables``)."""
    return Path(tempfile.mkdtemp(prefix="workbench-duckdb-"))


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
