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


def is_blank(raw: pd.Series) -> pd.Series:
    """True where a raw value is missing or only white space."""
    blank = raw.isna()
    text = raw[~blank].astype(str).str.strip()
    blank.loc[text.index] = text.eq("")
    return blank.astype(bool)


def parse_ids(raw: pd.Series) -> pd.Series:
    """Identifiers as trimmed strings; ``42.0`` read by Excel becomes ``"42"``; blanks become NA.

    Leading zeros are kept (``"007"`` stays ``"007"``) because files are read as text.
    """

    def one(value):
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            return pd.NA
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        text = str(value).strip()
        return text if text else pd.NA

    return pd.Series([one(v) for v in raw], index=raw.index, dtype="str")


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
        Decimal separator, ``"."`` or ``","``.
    thousands
        Thousands separator, or None. A space also matches the non-breaking
        spaces that French exports use.

    Returns
    -------
    pd.Series
        float64, NaN where the value is blank or cannot be read as a number.
    """
    out = pd.Series(np.nan, index=raw.index, dtype="float64")
    blank = is_blank(raw)
    typed = raw.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool))
    take = typed & ~blank
    out.loc[take] = raw[take].astype("float64")
    text_idx = ~typed & ~blank
    if text_idx.any():
        text = raw[text_idx].astype(str).str.strip()
        if thousands is not None:
            if thousands.strip() == "":
                text = text.str.replace(_SPACES, "", regex=True)
            else:
                text = text.str.replace(thousands, "", regex=False)
        if decimal != ".":
            # A dot in a decimal-comma file is not a decimal point: refuse "1.5" rather than guess.
            text = text.where(~text.str.contains(".", regex=False), "not a number")
            text = text.str.replace(decimal, ".", regex=False)
        out.loc[text.index] = pd.to_numeric(text, errors="coerce")
    out[~np.isfinite(out)] = np.nan
    return out


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
        Without either, ISO 8601 (``2024-04-03``) is expected.

    Returns
    -------
    pd.Series
        datetime64[ns], NaT where the value is blank or not a valid date (``2023-02-30`` is
        invalid, and so is a year outside 1900-2199).
    """
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    blank = is_blank(raw)
    typed = raw.map(lambda v: isinstance(v, (dt.date, np.datetime64, pd.Timestamp)))
    take = typed & ~blank
    if take.any():
        out.loc[take] = _plausible(pd.to_datetime(raw[take], errors="coerce"))
    text_idx = ~typed & ~blank
    if text_idx.any():
        text = raw[text_idx].astype(str).str.strip()
        if date_format:
            parsed = pd.to_datetime(text, format=date_format, errors="coerce")
        elif dayfirst:
            parsed = pd.to_datetime(text, format="mixed", dayfirst=True, errors="coerce")
        else:
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        out.loc[text.index] = _plausible(parsed)
    return out.dt.normalize()


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
