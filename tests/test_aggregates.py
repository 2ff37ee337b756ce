"""The SQL aggregations (DuckDB here, Spark SQL by the same text) against pandas and hand-worked values."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.data import aggregates

TX = pd.DataFrame(
    {
        "customer_id": ["A", "A", "A", "B", "B"],
        "date": pd.to_datetime(["2021-12-31", "2023-01-15", "2023-01-15", "2024-12-31", "2024-06-30"]),
        "amount": [100.0, 50.0, 25.0, -10.0, 40.0],
        "margin": [10.0, 5.0, np.nan, -1.0, 4.0],
        "invoice_id": ["F1", "F2", "F2", None, None],
    }
)


def test_customer_summary_by_hand(tmp_path: Path):
    TX.to_parquet(tmp_path / "t.parquet", index=False)
    got = aggregates.customer_summary(tmp_path / "t.parquet", start="2022-01-01", end="2024-12-31", window_months=12)
    assert list(got.columns) == aggregates.CUSTOMER_SUMMARY_COLUMNS
    a, b = got.iloc[0], got.iloc[1]
    assert (a.customer_id, a.lines, a.invoices, a.lines_in_period) == ("A", 3, 2, 2)
    assert (a.revenue, a.margin, a.revenue_in_period, a.revenue_window) == (175.0, 15.0, 75.0, 0.0)
    assert a.first_date == pd.Timestamp("2021-12-31") and a.last_date_in_period == pd.Timestamp("2023-01-15")
    assert (b.lines, b.invoices, b.revenue, b.revenue_window) == (2, 2, 30.0, 30.0)  # no invoice numbers: each line counts one


def test_monthly_series_by_hand():
    got = aggregates.monthly_series(TX, start="2022-01-01", end="2024-12-31")
    assert got["month"].tolist() == [pd.Timestamp("2023-01-01"), pd.Timestamp("2024-06-01"), pd.Timestamp("2024-12-01")]
    assert got[["customers", "lines", "invoices"]].values.tolist() == [[1, 2, 1], [1, 1, 1], [1, 1, 1]]
    assert got["revenue"].tolist() == [75.0, 40.0, -10.0]


def test_sql_agrees_with_pandas_on_the_demo_data():
    tx = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "demo" / "transactions.csv", dtype=str)
    tx = tx.assign(
        date=pd.to_datetime(tx["date"], errors="coerce"),
        amount=pd.to_numeric(tx["amount"], errors="coerce"),
        margin=pd.to_numeric(tx["margin"], errors="coerce"),
    )
    tx = tx.dropna(subset=["date", "amount", "customer_id"])
    got = aggregates.customer_summary(tx, start="2022-01-01", end="2024-12-31")
    want = tx.groupby("customer_id").agg(lines=("amount", "size"), revenue=("amount", "sum"), first_date=("date", "min")).reset_index()
    pd.testing.assert_frame_equal(
        got[["customer_id", "lines", "revenue", "first_date"]].reset_index(drop=True),
        want[["customer_id", "lines", "revenue", "first_date"]],
        check_dtype=False,
    )
    monthly = aggregates.monthly_series(tx, start="2022-01-01", end="2024-12-31")
    inside = tx[tx["date"].between("2022-01-01", "2024-12-31")]
    assert monthly["revenue"].sum() == pytest.approx(inside["amount"].sum())
    assert monthly["lines"].sum() == len(inside)


def test_the_queries_use_only_portable_sql():
    sql = aggregates.customer_summary_sql("transactions", start="2022-01-01", end="2024-12-31") + aggregates.monthly_sql(
        "transactions", start="2022-01-01", end="2024-12-31"
    )
    functions = {f.upper() for f in re.findall(r"([A-Za-z_]+)\s*\(", sql)}
    assert functions <= {"COUNT", "SUM", "MIN", "MAX", "CAST", "EXTRACT", "COALESCE"}


LINES = pd.DataFrame(
    {
        "customer_id": ["A", "A", "A", "A", "B", "B", "A"],
        "date": pd.to_datetime(["2023-01-15"] * 4 + ["2023-02-01", "2023-02-01", "2023-01-15"]),
        "amount": [10.0, 20.0, 5.0, -4.0, 7.0, 8.0, 1.0],
        "margin": [1.0, np.nan, 0.5, -0.4, np.nan, np.nan, 0.1],
        "invoice_id": ["F1", "F1", "F1", "F1", None, None, "F2"],
        "quantity": [1.0, 2.0, 1.0, -1.0, 1.0, 1.0, 1.0],
        "product_range": ["x", "x", "y", "x", "x", "x", "x"],
        "channel": ["web"] * 7,
        "source_row": [2, 3, 4, 5, 6, 7, 8],
        "in_period": [True] * 7,
    }
).astype({"customer_id": "str", "invoice_id": "str", "product_range": "str", "channel": "str"})


def test_merged_lines_by_hand():
    got = aggregates.merge_lines(LINES)
    want = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "B", "B", "A"],
            "date": pd.to_datetime(["2023-01-15"] * 3 + ["2023-02-01", "2023-02-01", "2023-01-15"]),
            # F1 range x: 10 + 20 (the missing margin adds nothing); range y apart; the credit line apart
            "amount": [30.0, 5.0, -4.0, 7.0, 8.0, 1.0],
            "margin": [1.0, 0.5, -0.4, np.nan, np.nan, 0.1],
            "invoice_id": ["F1", "F1", "F1", None, None, "F2"],
            "quantity": [3.0, 1.0, -1.0, 1.0, 1.0, 1.0],
            "product_range": ["x", "y", "x", "x", "x", "x"],
            "channel": ["web"] * 6,
            "source_row": [2, 4, 5, 6, 7, 8],  # lines without an invoice number stay apart
            "in_period": [True] * 6,
        }
    ).astype(LINES.dtypes.to_dict())
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("drop", [["product_range", "channel", "quantity"], ["margin"]])
def test_merged_lines_without_optional_columns(drop):
    got = aggregates.merge_lines(LINES.drop(columns=drop))
    assert list(got.columns) == [c for c in LINES.columns if c not in drop]
    f1_sales = got[(got["invoice_id"] == "F1") & (got["amount"] > 0)]
    assert f1_sales["amount"].tolist() == ([35.0] if "product_range" in drop else [30.0, 5.0])


def test_nothing_merges_without_invoice_numbers():
    frame = LINES.drop(columns="invoice_id")
    assert aggregates.merge_lines(frame) is frame


def test_merged_lines_from_parquet_keep_the_dtypes_pandas_reads(tmp_path: Path):
    LINES.to_parquet(tmp_path / "t.parquet", index=False)
    pd.testing.assert_frame_equal(aggregates.merge_lines(tmp_path / "t.parquet"), aggregates.merge_lines(LINES))


def test_the_merge_query_uses_only_portable_sql():
    sql = aggregates.merged_lines_sql("transactions", columns=list(LINES.columns))
    functions = {f.upper() for f in re.findall(r"([A-Za-z_]+)\s*\(", sql)}
    assert functions <= {"SUM", "MIN"}
