"""Row-level checks shared by every table: parsing and the reasons a row is rejected.

Every function here takes raw values as read from a file (strings, or typed
values from Excel/Parquet) and returns parsed values with ``NA`` where parsing
failed, so that the caller can tell *missing* from *unparseable*.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

_SPACES = re.compile(r"[\s\u00a0\u202f]")
EARLIEST, LATEST = "1900-01-01", "2200-01-01"
"""Dates outside [EARLIEST, LATEST) are rejected as unparseable."""
SPREADSHEET_ERRORS = frozenset(
    {
        "#N/A",
        "#N/A N/A",
        "#NA",
        "#VALUE!",
        "#REF!",
        "#DIV/0!",
        "#NUM!",
        "#NAME?",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#UNKNOWN!",
    }
)
"""Spreadsheet error values: always missing, whatever ``na_values`` says."""
_OFFSET = re.compile(r"(?<=\d\d:\d\d)(?::\d\d(?:[.,]\d+)?)?\s*(Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)$", re.IGNORECASE)
_YEAR_FIRST = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?=$|[T ])")


def _missing(value) -> bool:
    """True for None/NaN/NA/NaT, blank text and spreadsheet error values."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    if isinstance(value, str):
        text = value.strip()
        return not text or text.upper() in SPREADSHEET_ERRORS
    return False


def is_text(raw: pd.Series) -> bool:
    """True when every value of ``raw`` is text or missing (what a CSV gives), checked in C."""
    return pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty")


def _each_text(raw: pd.Series, one) -> np.ndarray | None:
    """``one(value)`` for each value of a text column, computed once per distinct value; None when ``raw`` is not all text.

    A CSV column repeats its values (ids, dates, codes): the per-value Python work is paid per
    distinct value. Missing values (None, NaN, NA) give ``one`` of the value itself.
    """
    if not is_text(raw):
        return None
    codes, uniques = pd.factorize(raw)  # missing values get code -1
    done = np.empty(len(uniques), dtype=object)
    done[:] = [one(u) for u in uniques]
    out = done[np.maximum(codes, 0)] if len(uniques) else np.empty(len(raw), dtype=object)
    if (codes < 0).any():
        missing = np.flatnonzero(codes < 0)
        values = raw.to_numpy(dtype=object)
        out[missing] = [one(values[i]) for i in missing]
    return out


def is_blank(raw: pd.Series) -> pd.Series:
    """True where a raw value is missing, only white space, or a spreadsheet error value (``#N/A``, ``#VALUE!``, ...)."""
    done = _each_text(raw, _missing)
    return pd.Series(done if done is not None else [_missing(x) for x in raw], index=raw.index, dtype=bool)


def blank_markers(raw: pd.Series, markers) -> pd.Series:
    """``raw`` with every value whose trimmed text is one of ``markers`` (the table's ``na_values``) replaced by None."""
    marks = {str(m).strip() for m in markers}

    def one(x):
        return None if isinstance(x, str) and x.strip() in marks else x

    done = _each_text(raw, one)
    return pd.Series(done if done is not None else [one(x) for x in raw], index=raw.index, dtype=object)


def parse_ids(raw: pd.Series) -> pd.Series:
    """Identifiers as text exactly as written, trimmed; blanks and spreadsheet errors become NA.

    The rule that makes one id read the same from every format: text is kept as
    written (``"007"`` stays ``"007"``, ``"8.0"`` stays ``"8.0"``); a *typed*
    number (an XLSX numeric cell, a Parquet number) that is whole is its integer's
    text (``8.0`` -> ``"8"``), as Excel displays it.
    """

    def one(value):
        if _missing(value):
            return pd.NA
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return str(int(value))
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return str(int(value))
        return str(value).strip()

    done = _each_text(raw, one)
    return pd.Series(done if done is not None else [one(v) for v in raw], index=raw.index, dtype="str")


def parse_text(raw: pd.Series) -> pd.Series:
    """Free text, trimmed; blanks become NA."""
    return parse_ids(raw)


def parse_numbers(raw: pd.Series, *, decimal: str = ".", thousands: str | None = None) -> pd.Series:
    """Numbers written with the file's decimal and thousands separators.

    Parameters
    ----------
    raw
        Values as read (text, or numbers from typed formats).
    decimal
        Decimal separator, ``"."`` or ``","``; the other mark is refused (``1.5`` in a
        decimal-comma file is unparseable, not guessed).
    thousands
        Thousands separator, or None. A space also matches the non-breaking
        spaces that French exports use. Accepted only between groups of three digits.

    Returns
    -------
    pd.Series
        float64, NaN where the value is blank or cannot be read as a number.
    """
    out = pd.Series(np.nan, index=raw.index, dtype="float64")
    blank = is_blank(raw)
    if is_text(raw):
        typed = pd.Series(False, index=raw.index)
    else:
        typed = raw.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool))
    take = typed & ~blank
    out.loc[take] = raw[take].astype("float64")
    text_idx = ~typed & ~blank
    if text_idx.any():
        text = raw[text_idx].astype(str).str.strip()
        pattern, group = _number_pattern(decimal, thousands)
        ok = text.str.fullmatch(pattern)
        clean = text[ok]
        if thousands is not None:
            clean = clean.str.replace(group, "", regex=True)
        if decimal != ".":
            clean = clean.str.replace(decimal, ".", regex=False)
        out.loc[clean.index] = pd.to_numeric(clean, errors="coerce")
    out[~np.isfinite(out)] = np.nan
    return out


def _number_pattern(decimal: str, thousands: str | None) -> tuple[str, str]:
    """The full-match pattern of a number, and the pattern of its thousands separator.

    A thousands separator is accepted only between valid groups of three digits
    (``1.234,50``), so ``12.5`` with ``thousands: "."`` is not read as 125.
    """
    point = re.escape(decimal)
    if thousands is None:
        return rf"[+-]?(?={point}?\d)\d*(?:{point}\d+)?(?:[eE][+-]?\d+)?", ""
    group = r"[ \u00a0\u202f]" if thousands.strip() == "" else re.escape(thousands)
    return rf"[+-]?(?={point}?\d)(?:\d{{1,3}}(?:{group}\d{{3}})+|\d*)(?:{point}\d+)?", group


def parse_dates(raw: pd.Series, *, date_format: str | None = None, dayfirst: bool = False) -> pd.Series:
    """Dates, normalised to midnight.

    Parameters
    ----------
    raw
        Values as read (text, or dates from typed formats).
    date_format
        A ``strftime`` format such as ``"%d/%m/%Y"``; every text value must match it.
    dayfirst
        Without a format: read ambiguous dates as day first (``03/04/2024`` is 3 April).
        Year-first dates (ISO ``2024-01-05``, ``2024/01/05``) are always year-month-day,
        whatever ``dayfirst`` says. Without either option, ISO 8601 is expected.

    Returns
    -------
    pd.Series
        datetime64[ns], NaT where the value is blank or not a valid date (``2023-02-30`` is
        invalid, and so is a year outside 1900-2199). A time-zoned value counts on its
        *local* date, the date written in it: ``2024-01-05T23:30:00-05:00`` is 5 January
        (the offset is dropped, not converted to UTC); a tz-aware typed value likewise
        keeps its wall-clock date in its own time zone.
    """
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    blank = is_blank(raw)
    typed = raw.map(lambda v: isinstance(v, (dt.date, np.datetime64, pd.Timestamp)))
    take = typed & ~blank
    if take.any():
        local = [pd.Timestamp(x).tz_localize(None) if pd.Timestamp(x).tzinfo is not None else pd.Timestamp(x) for x in raw[take]]
        out.loc[take] = _plausible(pd.Series(local, index=raw[take].index, dtype="datetime64[ns]"))
    text_idx = ~typed & ~blank
    if text_idx.any():
        text = raw[text_idx].astype(str).str.strip().str.replace(_OFFSET, "", regex=True)
        if date_format:
            parsed = pd.to_datetime(text, format=date_format, errors="coerce")
        elif dayfirst:
            year_first = text.str.extract(_YEAR_FIRST)
            iso = year_first[0].notna()
            parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
            if iso.any():
                ymd = year_first[0] + "-" + year_first[1].str.zfill(2) + "-" + year_first[2].str.zfill(2) + text.str.replace(_YEAR_FIRST, "", regex=True)
                parsed.loc[iso] = pd.to_datetime(ymd[iso], format="ISO8601", errors="coerce")
            if (~iso).any():
                parsed.loc[~iso] = pd.to_datetime(text[~iso], format="mixed", dayfirst=True, errors="coerce")
        else:
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        out.loc[text.index] = _plausible(parsed)
    return out.dt.normalize()


def utc_offsets(raw: pd.Series) -> pd.Series:
    """The UTC offset written at the end of each text date-time, normalised (``Z`` -> ``+00:00``); NA where there is none."""
    text = raw[raw.map(lambda x: isinstance(x, str))].str.strip()
    found = text.str.extract(_OFFSET)[0].dropna()

    def norm(code: str) -> str:
        code = code.upper()
        if code in ("Z", "UTC", "GMT"):
            return "+00:00"
        digits = code[1:].replace(":", "").ljust(4, "0")
        return f"{code[0]}{digits[:2]}:{digits[2:]}"

    return found.map(norm).reindex(raw.index)


def _plausible(parsed: pd.Series) -> pd.Series:
    """Dates outside 1900-2199 are typing errors (``-3`` read as year -3): NaT, and safe in nanoseconds."""
    ok = parsed.notna() & (parsed >= pd.Timestamp(EARLIEST)) & (parsed < pd.Timestamp(LATEST))
    return parsed.where(ok).astype("datetime64[ns]")


TRANSACTION_COLUMNS = ("customer_id", "date", "amount")
"""The transaction columns every analysis needs."""


def require_columns(
    frame: pd.DataFrame,
    columns: Sequence[str] = TRANSACTION_COLUMNS,
    *,
    name: str = "transactions",
    fix: str = "give the canonical transactions table (customer_id, date, amount)",
) -> None:
    """The one check, at an analysis' public boundary, that a frame has the columns it needs.

    Raises
    ------
    ValueError
        ``"<name>: missing column(s) <columns>; <fix>"``.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}; {fix}")


def first_reason(checks: list[tuple[str, pd.Series, pd.Series | None]], index: pd.Index) -> pd.DataFrame:
    """The first failing check of each row.

    Parameters
    ----------
    checks
        ``(reason, failed_mask, detail)`` in priority order; ``detail`` is a
        Series of text explaining the failure row by row (or None).
    index
        The rows.

    Returns
    -------
    pd.DataFrame
        Columns ``reason`` and ``detail`` (NA where the row passed every check).
    """
    reason = pd.Series(pd.NA, index=index, dtype="str")
    detail = pd.Series(pd.NA, index=index, dtype="str")
    for name, failed, why in checks:
        hit = failed.reindex(index, fill_value=False).astype(bool) & reason.isna()
        if hit.any():
            reason[hit] = name
            if why is not None:
                detail[hit] = why.reindex(index)[hit].astype(str)
    return pd.DataFrame({"reason": reason, "detail": detail})
