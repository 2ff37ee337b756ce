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


def months_label(months: int) -> str:
    """``12`` → ``12 months``; ``1`` → ``1 month``."""
    return f"{months} month" + ("" if months == 1 else "s")
