"""Reading one client file as raw values: CSV (own tokeniser), XLSX and Parquet.

Every problem that would make a file be read wrong stops here with one
:class:`~workbench.errors.DataError` line naming the parameter key, the file, the
line and the fix. What this module guarantees about the frame it returns:

* the header names are unique, trimmed and in Unicode NFC form (``é`` typed as
  ``e`` + accent matches the parameter file's ``é``); two columns that share a
  name, raw or once trimmed/composed, are refused, naming both;
* ``__source_row__`` is the physical line (CSV, counting title lines, blank lines
  and the lines inside quoted fields) or sheet row (XLSX) where the row starts,
  or the 1-based position of a Parquet row;
* ``__problem__`` is set on CSV rows whose number of fields differs from the
  header's (they are rejected as ``wrong number of fields``); a trailing
  separator on every line is accepted;
* text files are decoded strictly: a byte-order mark, UTF-16, UTF-8 text under a
  declared ``cp1252``/``latin-1`` (mojibake such as ``SociÃ©tÃ©``) and binary
  files (XLSX, XLS, Parquet renamed ``.csv``) are detected and named;
* an unclosed quote that swallows the following lines is refused with its line.

Identifiers are kept as text exactly as written; typed cells (XLSX, Parquet) that
hold a whole number are read as the integer's text (``8.0`` -> ``"8"``), see
:func:`workbench.data.validation.parse_ids`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from workbench.config.params import Params, TableSource
from workbench.errors import DataError

MAX_COLUMNS = 10_000
"""A header with more fields than this is refused (wrong separator or line endings), before any work per field."""
HEAD_ROWS = 25
"""Rows kept in ``frame.attrs["head"]`` to find a header lower down (title lines)."""
_UNIT = "\x1f"
_LINE_END = re.compile(r"\r\n|\n|\r")
_UTF8 = {"utf-8", "utf8", "utf-8-sig", "u8"}
_UTF16 = {"utf-16", "utf16", "utf-16-le", "utf-16-be", "utf-16le", "utf-16be"}


def shown_path(path: Path, params: Params) -> str:
    """``path`` as the user wrote it: relative to the parameter file's folder."""
    return os.path.relpath(path, params.base_dir)


def read_source(table: str, source: TableSource, params: Params) -> pd.DataFrame:
    """Read one source file as raw values (text for CSV, typed for Excel/Parquet).

    Returns
    -------
    pd.DataFrame
        The file's own columns (unique, trimmed, NFC names), ``__source_row__``
        (line or sheet row where the row starts; Parquet: position from 1) and, for CSV,
        ``__problem__`` (NA, or why the row's fields do not line up with the header).
        ``attrs``: ``format``, ``sheets`` (XLSX) and ``head`` (first rows, to locate a header).

    Raises
    ------
    DataError
        Missing, unreadable or mis-typed file, wrong encoding, unclosed quote, duplicate
        column names, missing sheet, or no data rows (one line naming the key and the fix).
    """
    path = params.resolve(source.path)
    shown = shown_path(path, params)
    if not path.is_file():
        raise DataError(f"data.{table}.path: file not found: {path}; fix the path (relative to the parameter file) or remove data.{table}")
    fmt = source.file_format
    if fmt not in ("csv", "xlsx", "parquet"):
        raise DataError(f"data.{table}.path: cannot tell the format of {path.name}; use a .csv, .xlsx or .parquet file or set data.{table}.format")
    try:
        if fmt == "csv":
            frame = _read_csv(table, source, path.read_bytes(), shown)
        elif fmt == "xlsx":
            frame = _read_xlsx(table, source, path, shown)
        else:
            frame = _read_parquet(table, path, shown)
    except PermissionError:
        raise DataError(f"data.{table}.path: cannot read {shown}: permission denied; close it in Excel or fix the file's permissions") from None
    except (OSError, ValueError) as exc:
        raise DataError(
            f"data.{table}.path: cannot read {shown} as {fmt} ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); check the file and data.{table}.format"
        ) from None
    frame.attrs["format"] = fmt
    return frame


# ---------------------------------------------------------------- header
def clean_name(name: object) -> str:
    """A header cell as a column name: text, trimmed, NFC; whole numbers without ``.0``."""
    if name is None or (isinstance(name, float) and name != name):
        return ""
    if isinstance(name, float) and name.is_integer():
        name = int(name)
    return unicodedata.normalize("NFC", str(name)).strip()


def _header(table: str, raw_names: list, shown: str, line: int, *, skip_hint: str = "") -> list[str]:
    """Unique column names from a header row; unnamed columns become ``(column N)``.

    Raises
    ------
    DataError
        Too many fields, or two columns with the same name (raw, or once trimmed and NFC-composed).
    """
    if len(raw_names) > MAX_COLUMNS:
        raise DataError(
            f"data.{table}.sep: {shown} line {line} has {len(raw_names)} fields, more than any table needs ({MAX_COLUMNS}); "
            f"check data.{table}.sep and that the file has one row per line"
        )
    names = [clean_name(n) for n in raw_names]
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            continue
        if name in seen:
            j = seen[name]
            a, b = str(raw_names[j]), str(raw_names[i])
            how = "" if a == b else " once spaces are trimmed" if a.strip() == b.strip() else " once accents are composed (one is typed as letter + accent)"
            raise DataError(
                f"data.{table}: {shown} line {line}: columns {j + 1} ({a!r}) and {i + 1} ({b!r}) have the same name{how}; "
                f"rename one of them in the file (e.g. {name + ' HT'!r} and {name + ' TTC'!r}){skip_hint}"
            )
        seen[name] = i
    return [name or f"(column {i + 1})" for i, name in enumerate(names)]


def _finish(table: str, shown: str, names: list[str], rows: list[list], starts: list[int], problems: list | None, head: list) -> pd.DataFrame:
    """The raw frame: unnamed all-blank columns dropped, ``__source_row__`` and ``__problem__`` added."""
    if not rows:
        raise DataError(f"data.{table}: {shown} has a header but no data rows; export the table again or remove data.{table}")
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    unnamed = [c for c in names if c.startswith("(column ") and frame[c].map(lambda x: x is None or str(x).strip() == "").all()]
    frame = frame.drop(columns=unnamed)
    frame["__source_row__"] = pd.Series(starts, dtype="int64")
    if problems is not None:
        frame["__problem__"] = pd.Series(problems, dtype="object")
    frame.attrs["head"] = head
    return frame


# ---------------------------------------------------------------- CSV
def _decode(table: str, source: TableSource, data: bytes, shown: str) -> str:
    """The file's text under its declared encoding, or a DataError naming the right one."""
    key = f"data.{table}.encoding"
    enc = source.encoding.lower().replace("_", "-")
    if not data.strip():
        raise DataError(f"data.{table}: {shown} is empty; export the table again or remove data.{table}")
    if data[:4] == b"PK\x03\x04":
        raise DataError(f"data.{table}.format: {shown} is an Excel workbook (XLSX), not CSV text; rename it .xlsx or set data.{table}.format: xlsx")
    if data[:4] == b"PAR1":
        raise DataError(f"data.{table}.format: {shown} is a Parquet file, not CSV text; rename it .parquet or set data.{table}.format: parquet")
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise DataError(f"data.{table}.format: {shown} is an old Excel workbook (.xls), not CSV text; save it from Excel as .xlsx or CSV UTF-8")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        if enc in _UTF16:
            return _strict_decode(table, source, data, shown, "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else enc)
        kind = (
            "UTF-16 text (it starts with a UTF-16 byte-order mark)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "UTF-16 text or binary (it holds NUL bytes)"
        )
        raise DataError(f"{key}: {shown} is {kind}, not {source.encoding}; set {key}: utf-16 (or export it as CSV UTF-8)")
    if data[:3] == b"\xef\xbb\xbf" and enc not in _UTF8:
        raise DataError(f"{key}: {shown} starts with a UTF-8 byte-order mark: it is UTF-8 text, not {source.encoding}; set {key}: utf-8")
    if enc in _UTF8:
        return _strict_decode(table, source, data, shown, "utf-8-sig")
    text = _strict_decode(table, source, data, shown, source.encoding)
    if re.search(rb"[\x80-\xff]", data):
        try:
            utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            return text
        line_no = next(i for i, line in enumerate(_LINE_END.split(utf8), 1) if not line.isascii())
        good = next(w for w in _LINE_END.split(utf8)[line_no - 1].split() if not w.isascii())
        bad = good.encode("utf-8").decode(source.encoding, errors="replace")
        raise DataError(f"{key}: {shown} is UTF-8 text, not {source.encoding} (line {line_no}: {bad!r} should read {good!r}); set {key}: utf-8")
    return text


def _strict_decode(table: str, source: TableSource, data: bytes, shown: str, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            f"data.{table}.encoding: {shown} is not {source.encoding} text (byte {exc.object[exc.start]:#04x} at position {exc.start}, line {line}); "
            f"set data.{table}.encoding to the file's encoding (French Excel exports are usually cp1252)"
        ) from None


def _literal_separator(text: str, sep: str) -> str:
    """Rewrite a multi-character separator outside quoted fields as one unit-separator character (taken literally, never a regex)."""
    plain = re.compile(r"[^\r\n" + re.escape(sep[0]) + r"]+|.", re.S)
    quoted = re.compile(r'"(?:[^"]|"")*"?')
    out: list[str] = []
    pos, n, at_start = 0, len(text), True
    while pos < n:
        ch = text[pos]
        if at_start and ch == '"':
            m = quoted.match(text, pos)
            out.append(m.group())
            pos, at_start = m.end(), False
        elif text.startswith(sep, pos):
            out.append(_UNIT)
            pos, at_start = pos + len(sep), True
        elif ch in "\r\n":
            out.append(ch)
            pos, at_start = pos + 1, True
        else:
            m = plain.match(text, pos)
            out.append(m.group())
            pos, at_start = m.end(), False
    return "".join(out)


def _records(text: str | Iterable[str], sep: str, first_line: int):
    """Yield ``(start_line, end_line, fields)`` of every non-blank record.

    ``text`` is the whole text, or (one-character ``sep`` only) its lines as a text file
    opened with ``newline=""`` yields them, so that a large file is tokenised as a stream.
    """
    delimiter = sep
    if len(sep) > 1:
        if _UNIT in text:
            raise ValueError("the file holds control character 0x1f; it cannot be read with a multi-character sep")
        text, delimiter = _literal_separator(text, sep), _UNIT
    lines = io.StringIO(text, newline="") if isinstance(text, str) else text
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    done = 0
    for fields in reader:
        start, done = done + 1, reader.line_num
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue  # a blank line is not a row
        yield start + first_line - 1, done + first_line - 1, fields


def _read_csv(table: str, source: TableSource, data: bytes, shown: str) -> pd.DataFrame:
    """Tokenise a CSV file; see the module docstring for what is refused."""
    text = _decode(table, source, data, shown)
    skip = source.skip_rows
    if skip:
        ends = [m.end() for _, m in zip(range(skip), _LINE_END.finditer(text))]
        if len(ends) < skip:
            raise DataError(f"data.{table}.skip_rows: {shown} has only {len(ends)} line(s); lower data.{table}.skip_rows (now {skip})")
        text = text[ends[-1] :]
    records = _records(text, source.sep, skip + 1)
    try:
        header_line, _, header_fields = next(records)
    except StopIteration:
        raise DataError(f"data.{table}: {shown} is empty{' below the skipped lines' if skip else ''}; export the table again or remove data.{table}") from None
    width = len(header_fields)
    while width > 1 and not header_fields[width - 1].strip():
        width -= 1  # a trailing separator on the header line
    skip_hint = f" (or, if line {header_line} is a title, set data.{table}.skip_rows)"
    names = _header(table, header_fields[:width], shown, header_line, skip_hint=skip_hint if header_line == 1 else "")
    rows, starts, problems, head, counts = [], [], [], [], Counter()
    for start, end, fields in records:
        counts[len(fields)] += 1
        problem = None
        if len(fields) > width and not any(f.strip() for f in fields[width:]):
            fields = fields[:width]  # trailing separator(s)
        if end > start:
            _check_multiline(table, source, shown, names, start, end, fields)
        if len(fields) != width:
            problem = f"{len(fields)} fields on line {start}, the header (line {header_line}) has {width}"
            fields = (fields + [""] * width)[:width]
        rows.append(fields)
        starts.append(start)
        problems.append(problem)
        if len(head) < HEAD_ROWS:
            head.append((start, fields))
    _check_field_counts(table, source, shown, header_line, width, rows, problems, starts, counts)
    return _finish(table, shown, names, rows, starts, problems, head)


def _check_multiline(table: str, source: TableSource, shown: str, names: list[str], start: int, end: int, fields: list[str]) -> None:
    """Refuse a quoted field that runs over lines which look like rows of their own (an unclosed quote)."""
    need = max(1, len(names) - 1)
    for i, value in enumerate(fields):
        lines = _LINE_END.split(value)
        if len(lines) > 1 and (len(fields) != len(names) or any(line.count(source.sep) >= need for line in lines[1:])):
            column = names[i] if i < len(names) else f"field {i + 1}"
            raise DataError(
                f"data.{table}: {shown} line {start}: a quote opened in column {column!r} runs to line {end}, swallowing "
                f'{end - start} line(s) that look like rows; close the quote in the file (a quote inside a quoted field is written twice: "")'
            )


def _check_field_counts(table, source, shown, header_line, width, rows, problems, starts, counts) -> None:
    """Refuse the file when most rows do not line up with the header (wrong ``sep`` or title lines)."""
    bad = [i for i, p in enumerate(problems) if p is not None]
    if not bad or len(bad) * 2 <= len(rows):
        return
    common, _ = counts.most_common(1)[0]
    first = starts[bad[0]]
    if common > width:
        line = next(s for s, p in zip(starts, problems) if p is not None and p.startswith(f"{common} "))
        raise DataError(
            f"data.{table}.skip_rows: {shown} line {header_line} has {width} field(s) but most rows have {common}, from line {line}: "
            f"are there title lines above the header? set data.{table}.skip_rows to the number of lines above the header (now {source.skip_rows})"
        )
    raise DataError(
        f"data.{table}.sep: {shown} line {first} has a different number of fields than the header (line {header_line}, {width} field(s)), "
        f"and so do {len(bad) - 1} other row(s); check data.{table}.sep (now {source.sep!r}) and the quoting"
    )


# ---------------------------------------------------------------- XLSX and Parquet
def _read_xlsx(table: str, source: TableSource, path: Path, shown: str) -> pd.DataFrame:
    """Read one sheet with its header row at ``skip_rows + 1``; fully blank rows are not rows."""
    key = f"data.{table}.sheet"
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, EOFError) as exc:
        with open(path, "rb") as handle:
            zipped = handle.read(4) == b"PK\x03\x04"
        why = "truncated or damaged" if zipped else "not a zip archive: a CSV or old .xls renamed .xlsx?"
        raise DataError(
            f"data.{table}.path: {shown} is not a readable XLSX workbook ({why}: {exc}); export it again from Excel or set data.{table}.format"
        ) from None
    sheets = book.sheet_names
    listed = ", ".join(map(repr, sheets))
    sheet = source.sheet
    if isinstance(sheet, str) and sheet not in sheets:
        raise DataError(f"{key}: no sheet {sheet!r} in {shown}; sheets are {listed}")
    if isinstance(sheet, int) and sheet >= len(sheets):
        quote = f'; to name a sheet write it in quotes (sheet: "{sheet}")' if str(sheet) in sheets or sheet >= 100 else ""
        raise DataError(f"{key}: {shown} has {len(sheets)} sheet(s) ({listed}); a number is a 0-based index, give one below {len(sheets)}{quote}")
    grid = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object, keep_default_na=False, na_values=[])
    grid.index = grid.index + 1  # sheet row numbers
    grid = grid.iloc[source.skip_rows :]
    blank = grid.map(lambda x: x is None or (isinstance(x, float) and x != x) or (isinstance(x, str) and not x.strip())).all(axis=1)
    grid = grid[~blank]
    where = f"sheet {sheets[sheet] if isinstance(sheet, int) else sheet!r} of {shown}"
    if grid.empty:
        raise DataError(f"data.{table}: {where} is empty; set {key} (sheets are {listed}) or export the table again")
    header_row = int(grid.index[0])
    values = grid.iloc[0].tolist()
    while len(values) > 1 and clean_name(values[-1]) == "":
        values.pop()
    names = _header(table, values, where, header_row)
    body = grid.iloc[1:, : len(names)]
    rows = body.values.tolist()
    head = [(int(r), list(v)) for r, v in zip(body.index[:HEAD_ROWS], rows[:HEAD_ROWS])]
    frame = _finish(table, where, names, rows, [int(r) for r in body.index], None, head)
    frame.attrs["sheets"] = sheets
    return frame


def _read_parquet(table: str, path: Path, shown: str) -> pd.DataFrame:
    """Read a Parquet file; a named index (pandas metadata) is kept as columns, an unnamed one dropped."""
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid / ArrowTypeError
        if isinstance(exc, PermissionError):
            raise
        raise DataError(
            f"data.{table}.path: {shown} is not a readable Parquet file ({type(exc).__name__}: {str(exc).splitlines()[0]}); export it again or set data.{table}.format"
        ) from None
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index(level=[n for n in frame.index.names if n is not None])
    frame = frame.reset_index(drop=True)
    names = _header(table, list(frame.columns), shown, 1)
    if frame.empty:
        raise DataError(f"data.{table}: {shown} has a header but no data rows; export the table again or remove data.{table}")
    out = pd.DataFrame({name: frame.iloc[:, i] for i, name in enumerate(names)})
    out["__source_row__"] = pd.Series(range(1, len(out) + 1), dtype="int64")
    out.attrs["head"] = []
    return out
