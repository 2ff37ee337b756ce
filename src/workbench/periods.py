"""One definition of a month and of the reference date.

- A **window of n months** runs in calendar months: ``add_months(date, n)`` is the same day
  n months later (clamped to the month's last day, as 31 January + 1 month = 28/29 February).
  ``window(end, months=n)`` is the n months up to ``end`` included.
- A **rate per month** (a model's time unit) uses the mean month, ``DAYS_PER_MONTH`` =
  365.25 / 12 days: a unit of measure, never a window.
- The **reference date** is ``period.end``: every "as of" figure is computed at it.
"""

from __future__ import annotations

import pandas as pd

DAYS_PER_MONTH = 365.25 / 12


def add_months(date: pd.Timestamp | str, months: int) -> pd.Timestamp:
    """The same day ``months`` calendar months later (earlier when negative), clamped to the month's end."""
    return pd.Timestamp(date) + pd.DateOffset(months=int(months))


def window(end: pd.Timestamp | str, *, months: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The ``months`` calendar months ending on ``end`` (both days included): ``(first day, end)``."""
    end = pd.Timestamp(end)
    return add_months(end, -months) + pd.Timedelta(days=1), end


def first_month_after(dates: pd.Series | pd.DatetimeIndex, *, days: int = 0) -> pd.DatetimeIndex:
    """The first day of the month after each ``date + days``: where "the 12 months after enrolment" start.

    The enrolment month itself (partly before, partly after, with any sign-up order) is left out;
    ``days`` (a donut) moves the start past a few more days. 2024-03-15 -> 2024-04-01; 2024-03-01 -> 2024-04-01.
    """
    shifted = pd.DatetimeIndex(dates) + pd.Timedelta(days=days)
    return (shifted + pd.offsets.MonthBegin(1)).normalize()


def months_label(months: int) -> str:
    """``12`` → ``12 months``; ``1`` → ``1 month``."""
    return f"{months} month" + ("" if months == 1 else "s")


def like_for_like(
    first: pd.Timestamp | str, last: pd.Timestamp | str, *, months: int, earliest: pd.Timestamp | str | None = None
) -> tuple[tuple[pd.Timestamp, pd.Timestamp], tuple[pd.Timestamp, pd.Timestamp]] | None:
    """THE like-for-like rule: a span compared with the same calendar days ``months`` months earlier.

    ``[first, last]`` (e.g. the part of 2024 inside the analysis period, 2024-01-01 to 2024-06-30) is
    compared with ``[first - months, last - months]`` (2023-01-01 to 2023-06-30), so that a partial
    period is never compared with a whole one. When ``earliest`` (the first day with data) cuts the
    earlier span, both spans are cut by the same days, so that only days present in both count.

    Parameters
    ----------
    first, last
        The current span (both days included).
    months
        How far back the comparison span is, in calendar months (12: the year before).
    earliest
        The first day the earlier span may start; None: no limit.

    Returns
    -------
    ((first, last), (base_first, base_last)) or None
        The current span and the comparison span, or None when no day is left in both.
    """
    first, last = pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize()
    base_first, base_last = add_months(first, -months), add_months(last, -months)
    if earliest is not None and base_first < pd.Timestamp(earliest):
        base_first = pd.Timestamp(earliest).normalize()
        first = add_months(base_first, months)
    if first > last or base_first > base_last:
        return None
    return (first, last), (base_first, base_last)
