"""Seasonal time of the CLV models (issue 13: the total's interval missed the truth after a low season)."""

import math

import numpy as np
import pandas as pd
import pytest

from workbench.analysis import clv

END = pd.Timestamp("2024-12-31")


def test_no_seasonality_is_calendar_time():
    s = clv.no_seasonality(END)
    assert s.amplitude == 0 and s.reason
    got = s.elapsed_days(pd.Timestamp("2024-01-01"), pd.Series(pd.to_datetime(["2024-01-01", "2024-03-01", "2024-12-31"])))
    np.testing.assert_allclose(got, [0.0, 60.0, 365.0])  # 2024 is a leap year


def test_seasonal_time_by_hand():
    s = clv.Seasonality(0.5, 0.0, END, 36)
    # d = days since 2000-01-01; integral of 1 + 0.5 cos(w d) from 0 to 91 = 91 + 0.5 sin(91 w) / w, w = 2 pi / 365.25
    w = 2 * math.pi / 365.25
    assert s.elapsed_days(pd.Timestamp("2000-01-01"), pd.Timestamp("2000-04-01"))[0] == pytest.approx(91 + 0.5 * math.sin(91 * w) / w)
    assert 91 + 0.5 * math.sin(91 * w) / w == pytest.approx(120.07, abs=0.01)  # the first quarter is the high season here
    # four whole years (1,461 days) are 1,461 days of seasonal time, whatever the season
    assert s.elapsed_days(pd.Timestamp("2020-01-01"), pd.Timestamp("2024-01-01"))[0] == pytest.approx(1461.0)
    assert clv.Seasonality(0.1, -0.2, END).elapsed_days(pd.Timestamp("2020-03-05"), pd.Timestamp("2024-03-05"))[0] == pytest.approx(1461.0)
    assert s.peak_day_of_year == 1  # cos peaks on d = 0, 1 January
    # 24 months of 365.25 / 12 days are two whole years: 104.36 weeks in either time
    assert s.horizon_units(np.array([0, 24]), time_unit="week") == pytest.approx([0.0, 730.5 / 7])


def _seasonal_purchases(amplitude, peak_day, months=48, per_month=400):
    """Repeat purchase days whose monthly count follows 1 + amplitude cos(2 pi (doy - peak) / 365.25), one customer per purchase pair."""
    rows = []
    month_starts = pd.date_range("2021-01-01", periods=months, freq="MS")
    for k, m in enumerate(month_starts):
        mid = m + pd.Timedelta(days=14)
        n = round(per_month * (1 + amplitude * math.cos(2 * math.pi * (mid.day_of_year - peak_day) / 365.25)))
        for i in range(n):
            cid = f"c{k}-{i}"
            rows.append((cid, pd.Timestamp("2020-06-01"), 100.0))  # the first purchase, before the months counted
            rows.append((cid, m + pd.Timedelta(days=i % m.days_in_month), 100.0))
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


def test_estimate_recovers_a_known_season():
    tx = _seasonal_purchases(0.2, peak_day=135)
    s = clv.estimate_seasonality(tx, end=END)
    assert s.reason == "" and s.months == 48
    assert s.amplitude == pytest.approx(0.2, abs=0.01)
    assert abs(s.peak_day_of_year - 135) <= 5


def test_estimate_needs_enough_months():
    tx = _seasonal_purchases(0.2, peak_day=135, months=24)
    s = clv.estimate_seasonality(tx, end=pd.Timestamp("2022-12-31"))
    assert s.amplitude == 0 and "24 complete calendar months" in s.reason and str(clv.SEASON_MIN_MONTHS) in s.reason
    assert "calendar time" in clv.describe_seasonality(s)
    with pytest.raises(ValueError, match="min_months"):
        clv.estimate_seasonality(tx, end=END, min_months=12)


def test_summary_in_seasonal_time():
    tx = pd.DataFrame({"customer_id": ["a", "a", "a"], "date": pd.to_datetime(["2024-01-10", "2024-05-10", "2024-08-01"]), "amount": [10.0, 20.0, 30.0]})
    s = clv.Seasonality(0.2, 0.1, END, 36)
    calendar = clv.compute_summary(tx, end=END, time_unit="week")
    seasonal = clv.compute_summary(tx, end=END, time_unit="week", seasonality=s)
    assert calendar.loc[0, "recency"] == pytest.approx((pd.Timestamp("2024-08-01") - pd.Timestamp("2024-01-10")).days / 7)
    first, last = pd.Timestamp("2024-01-10"), pd.Timestamp("2024-08-01")
    assert seasonal.loc[0, "recency"] == pytest.approx(s.elapsed_days(first, last)[0] / 7)
    assert seasonal.loc[0, "T"] == pytest.approx(s.elapsed_days(first, END)[0] / 7)
    pd.testing.assert_frame_equal(seasonal.drop(columns=["recency", "T"]), calendar.drop(columns=["recency", "T"]))
    # no seasonality: the same summary as calendar time
    flat = clv.compute_summary(tx, end=END, time_unit="week", seasonality=clv.no_seasonality(END))
    pd.testing.assert_frame_equal(flat, calendar)
