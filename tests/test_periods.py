"""Tests of the one month definition (:mod:`workbench.periods`), worked by hand."""

from __future__ import annotations

import pandas as pd

from workbench.periods import first_month_after


def test_first_month_after_leaves_the_month_of_the_date_out():
    dates = pd.Series(pd.to_datetime(["2024-03-15", "2024-03-01", "2024-12-31", "2024-02-20"]))
    got = first_month_after(dates)
    assert list(got) == list(pd.to_datetime(["2024-04-01", "2024-04-01", "2025-01-01", "2024-03-01"]))
    assert first_month_after(dates, days=15)[3] == pd.Timestamp("2024-04-01")  # 2024-02-20 + 15 days = 2024-03-06
