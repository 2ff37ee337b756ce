import datetime as dt

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_series_equal

from workbench.data import validation as v


@pytest.mark.parametrize(
    "raw, decimal, thousands, expected",
    [
        (["1 234,50", "1\u00a0234,50", "1\u202f234,50", "-50,00", "7"], ",", " ", [1234.5, 1234.5, 1234.5, -50.0, 7.0]),
        (["1.234,50", "12,5"], ",", ".", [1234.5, 12.5]),
        (["1,234.50", "12.5"], ".", ",", [1234.5, 12.5]),
        (["abc", "", None, "  ", "1.5", "inf"], ",", None, [np.nan] * 6),  # a dot in a decimal-comma file is refused
        ([3, 2.5, "4"], ".", None, [3.0, 2.5, 4.0]),
    ],
)
def test_parse_numbers(raw, decimal, thousands, expected):
    got = v.parse_numbers(pd.Series(raw, dtype=object), decimal=decimal, thousands=thousands)
    assert_series_equal(got, pd.Series(expected, dtype="float64"))


@pytest.mark.parametrize(
    "raw, kwargs, expected",
    [
        (["05/01/2023", "31/02/2023", "2023-01-05", ""], {"date_format": "%d/%m/%Y"}, ["2023-01-05", None, None, None]),
        (["03/04/2024", "13/04/2024"], {"dayfirst": True}, ["2024-04-03", "2024-04-13"]),
        (["2024-04-03", "2023-02-30", "n/a", "2024-04-03T10:30:00"], {}, ["2024-04-03", None, None, "2024-04-03"]),
        (["-3", "1850-01-01", "2024-01-01"], {}, [None, None, "2024-01-01"]),  # implausible years are unparseable
        ([dt.datetime(2024, 1, 2, 15, 0), pd.Timestamp("2024-01-03"), dt.date(2024, 1, 4)], {}, ["2024-01-02", "2024-01-03", "2024-01-04"]),
    ],
)
def test_parse_dates(raw, kwargs, expected):
    got = v.parse_dates(pd.Series(raw, dtype=object), **kwargs)
    assert_series_equal(got, pd.Series(pd.to_datetime(expected), dtype="datetime64[ns]"))


def test_parse_ids_keeps_leading_zeros_and_undoes_excel_floats():
    got = v.parse_ids(pd.Series(["007", " 42 ", 42.0, 17, "", None], dtype=object))
    assert got.tolist()[:4] == ["007", "42", "42", "17"]
    assert got.isna().tolist() == [False] * 4 + [True, True]


def test_first_reason_takes_the_first_failing_check_in_order():
    idx = pd.RangeIndex(3)
    checks = [
        ("missing a", pd.Series([True, False, False]), None),
        ("bad b", pd.Series([True, True, False]), pd.Series(["x", "y", "z"])),
    ]
    got = v.first_reason(checks, idx)
    assert got["reason"].tolist()[:2] == ["missing a", "bad b"]
    assert pd.isna(got["reason"].iloc[2])
    assert got["detail"].iloc[1] == "y" and pd.isna(got["detail"].iloc[0])


@pytest.mark.parametrize(
    "columns, kwargs, message",
    [
        (["customer_id", "date"], {}, r"^transactions: missing column\(s\) amount; give the canonical transactions table"),
        (
            ["frequency"],
            {"columns": ["frequency", "recency", "T"], "name": "summary", "fix": "build it first"},
            r"^summary: missing column\(s\) recency, T; build it first$",
        ),
    ],
)
def test_require_columns_names_what_is_missing_and_the_fix(columns, kwargs, message):
    with pytest.raises(ValueError, match=message):
        v.require_columns(pd.DataFrame(columns=columns), **kwargs)
    v.require_columns(pd.DataFrame(columns=["customer_id", "date", "amount", "extra"]))  # enough columns: no error


@pytest.mark.parametrize(
    "raw, decimal, thousands, expected",
    [
        (["12.5", "1.234,50", "1.234.567", "12.50,5", "1234,5"], ",", ".", [np.nan, 1234.5, 1234567.0, np.nan, 1234.5]),  # 12.5 is not 125
        (["12,50", "1,234.50", "1,23", "-1,000", ".5"], ".", ",", [np.nan, 1234.5, np.nan, -1000.0, 0.5]),  # "12,50" is not 1250
        (["1 234,5", "12 34,5", "1 234 567"], ",", " ", [1234.5, np.nan, 1234567.0]),
        (["#N/A", "#VALUE!", "#DIV/0!"], ".", None, [np.nan] * 3),
    ],
)
def test_thousands_separators_only_in_groups_of_three(raw, decimal, thousands, expected):
    got = v.parse_numbers(pd.Series(raw, dtype=object), decimal=decimal, thousands=thousands)
    assert_series_equal(got, pd.Series(expected, dtype="float64"))


def test_iso_dates_stay_iso_whatever_dayfirst_says():
    got = v.parse_dates(pd.Series(["2024-01-05", "2024/01/05", "05/01/2024", "2024-01-05 10:00", "2024-1-5"], dtype=object), dayfirst=True)
    assert got.tolist() == [pd.Timestamp("2024-01-05")] * 5


def test_time_zoned_values_count_on_their_local_date():
    raw = pd.Series(
        ["2024-01-05T23:30:00-05:00", "2024-01-05T01:00:00+09:00", "2024-01-05T10:00:00Z", pd.Timestamp("2024-01-05 23:00", tz="Europe/Paris")], dtype=object
    )
    assert v.parse_dates(raw).tolist() == [pd.Timestamp("2024-01-05")] * 4
    assert v.utc_offsets(raw).tolist()[:3] == ["-05:00", "+09:00", "+00:00"] and pd.isna(v.utc_offsets(raw).iloc[3])


def test_spreadsheet_errors_are_blank_and_typed_whole_numbers_are_integer_ids():
    assert v.is_blank(pd.Series(["#N/A", "#REF!", " #value! ", "A", None, "  "], dtype=object)).tolist() == [True, True, True, False, True, True]
    assert v.parse_ids(pd.Series(["8.0", 8.0, np.float64(9.0), np.int64(7), 8.5], dtype=object)).tolist() == ["8.0", "8", "9", "7", "8.5"]
    assert v.blank_markers(pd.Series([" - ", "x", "None"], dtype=object), ["-", "None"]).tolist() == [None, "x", None]
