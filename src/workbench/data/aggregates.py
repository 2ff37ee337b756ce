"""Heavy aggregations of the transactions in SQL that DuckDB and Spark SQL both run.

An analysis that needs one row per customer or one row per month should not hold ten million
invoice lines: these queries reduce the normalised ``transactions`` table (the run folder's
``data/transactions.parquet``) to compact frames, on DuckDB here and, unchanged, on Spark SQL
when a client outgrows one machine (see the README, "Large clients").

The SQL is plain: ``SELECT ... GROUP BY``, ``COUNT``, ``COUNT(DISTINCT ...)``, ``SUM``, ``MIN``,
``MAX``, ``CASE WHEN``, ``EXTRACT(YEAR|MONTH FROM ...)``, ``CAST(... AS DATE)``, ``COALESCE`` and
``DATE 'yyyy-mm-dd'`` literals; no engine-specific function. Window bounds are computed in Python
with :mod:`workbench.periods` (calendar months) and written into the query as date literals.
The table name is a parameter: a Parquet path on DuckDB (``read_parquet('...')``), a view on Spark.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench import periods

CUSTOMER_SUMMARY_COLUMNS = [
    "customer_id",
    "lines",
    "invoices",
    "first_date",
    "last_date",
    "revenue",
    "margin",
    "lines_in_period",
    "revenue_in_period",
    "revenue_window",
    "last_date_in_period",
]
"""One row per customer: lines (count), invoices (distinct invoice numbers; lines without one count
one each), first and last invoice dates (all rows), revenue and margin (currency, net of credit notes,
all rows), lines and revenue in the analysis period, revenue in the window (the ``window_months``
calendar months ending on the period's end), last invoice date in the period (NaT if none)."""
MONTHLY_COLUMNS = ["month", "customers", "lines", "invoices", "revenue", "margin"]
"""One row per calendar month with a transaction in the period: month (its first day), active customers,
lines, distinct invoices (counted within the month), revenue and margin (currency)."""


def _date(value) -> str:
    return f"DATE '{pd.Timestamp(value):%Y-%m-%d}'"


def customer_summary_sql(table: str, *, start, end, window_months: int = 12) -> str:
    """The per-customer summary query (columns :data:`CUSTOMER_SUMMARY_COLUMNS`).

    Parameters
    ----------
    table
        What to read: a table or view name, or (DuckDB) ``read_parquet('path')``.
    start, end
        The analysis period, both days included.
    window_months
        Length of the revenue window ending on ``end``, in calendar months.

    Returns
    -------
    str
        SQL that DuckDB and Spark SQL both run.
    """
    w_start, w_end = periods.window(end, months=window_months)
    in_period = f"CAST(date AS DATE) BETWEEN {_date(start)} AND {_date(end)}"
    in_window = f"CAST(date AS DATE) BETWEEN {_date(w_start)} AND {_date(w_end)}"
    return f"""
SELECT customer_id,
       COUNT(*) AS lines,
       COUNT(DISTINCT invoice_id) + SUM(CASE WHEN invoice_id IS NULL THEN 1 ELSE 0 END) AS invoices,
       MIN(date) AS first_date,
       MAX(date) AS last_date,
       SUM(amount) AS revenue,
       COALESCE(SUM(margin), 0) AS margin,
       SUM(CASE WHEN {in_period} THEN 1 ELSE 0 END) AS lines_in_period,
       SUM(CASE WHEN {in_period} THEN amount ELSE 0 END) AS revenue_in_period,
       SUM(CASE WHEN {in_window} THEN amount ELSE 0 END) AS revenue_window,
       MAX(CASE WHEN {in_period} THEN date END) AS last_date_in_period
FROM {table}
GROUP BY customer_id
ORDER BY customer_id"""


def monthly_sql(table: str, *, start, end) -> str:
    """The monthly series query (``year``, ``month_of_year`` then :data:`MONTHLY_COLUMNS` but ``month``), rows in the period.

    Returns
    -------
    str
        SQL that DuckDB and Spark SQL both run.
    """
    return f"""
SELECT EXTRACT(YEAR FROM date) AS year,
       EXTRACT(MONTH FROM date) AS month_of_year,
       COUNT(DISTINCT customer_id) AS customers,
       COUNT(*) AS lines,
       COUNT(DISTINCT invoice_id) + SUM(CASE WHEN invoice_id IS NULL THEN 1 ELSE 0 END) AS invoices,
       SUM(amount) AS revenue,
       COALESCE(SUM(margin), 0) AS margin
FROM {table}
WHERE CAST(date AS DATE) BETWEEN {_date(start)} AND {_date(end)}
GROUP BY EXTRACT(YEAR FROM date), EXTRACT(MONTH FROM date)
ORDER BY year, month_of_year"""


def _run(sql: str, source: Path | pd.DataFrame, name: str = "transactions") -> pd.DataFrame:
    """Run ``sql`` (reading ``{table}``) on DuckDB over a Parquet file or a frame."""
    import duckdb

    con = duckdb.connect()
    try:
        if isinstance(source, pd.DataFrame):
            con.register(name, source)
            table = name
        else:
            table = "read_parquet('" + str(source).replace("'", "''") + "')"
        return con.execute(sql.format(table=table)).df()
    finally:
        con.close()


def customer_summary(source: Path | pd.DataFrame, *, start, end, window_months: int = 12) -> pd.DataFrame:
    """One row per customer of the canonical transactions (a Parquet file or a frame), computed on DuckDB.

    Returns
    -------
    pd.DataFrame
        :data:`CUSTOMER_SUMMARY_COLUMNS`; counts int64, amounts float64 (currency), dates datetime64[ns].
    """
    out = _run(customer_summary_sql("{table}", start=start, end=end, window_months=window_months), source)
    return out.astype(
        {
            "lines": "int64",
            "invoices": "int64",
            "lines_in_period": "int64",
            "first_date": "datetime64[ns]",
            "last_date": "datetime64[ns]",
            "last_date_in_period": "datetime64[ns]",
        }
    )[CUSTOMER_SUMMARY_COLUMNS]


def monthly_series(source: Path | pd.DataFrame, *, start, end) -> pd.DataFrame:
    """One row per calendar month of the period with transactions, computed on DuckDB.

    Returns
    -------
    pd.DataFrame
        :data:`MONTHLY_COLUMNS`; ``month`` the month's first day (datetime64[ns]), counts int64, amounts float64.
    """
    out = _run(monthly_sql("{table}", start=start, end=end), source)
    month = pd.to_datetime(pd.DataFrame({"year": out["year"], "month": out["month_of_year"], "day": 1})).astype("datetime64[ns]")
    out = out.assign(month=month).astype({"customers": "int64", "lines": "int64", "invoices": "int64"})
    return out[MONTHLY_COLUMNS]


MERGE_KEYS = ("customer_id", "date", "invoice_id", "product_range", "channel", "in_period")
"""What the lines merged into one row share: an invoice line is merged with the other lines of its invoice
that have the same customer, date, product range, channel, period flag and sign of amount (when a column
is absent, it is left out of the key). Lines without an invoice number are never merged."""
MERGED_SUMS = ("amount", "margin", "quantity")


def merged_lines_sql(table: str, *, columns: list[str]) -> str:
    """The query merging the lines of one invoice (see :data:`MERGE_KEYS`) into one row.

    Parameters
    ----------
    table
        What to read: a table or view name, or (DuckDB) ``read_parquet('path')``; the normalised
        ``transactions`` (canonical columns with ``source_row`` and ``in_period``).
    columns
        The table's columns: optional canonical columns that are absent are left out.

    Returns
    -------
    str
        SQL that DuckDB and Spark SQL both run. The output has the input's columns in the input's
        order: keys as they were, ``amount``, ``margin`` and ``quantity`` summed (currency, units;
        a sum over lines that all lack a margin stays empty), ``source_row`` the first line's; rows
        ordered by ``source_row``.
    """
    keys = [c for c in MERGE_KEYS if c in columns]
    # a line without an invoice number stays its own row (and sign is part of the key, so a credit
    # line never nets against a sale: purchases stay purchases)
    group = [*keys, "CASE WHEN invoice_id IS NULL THEN source_row END", "CASE WHEN amount > 0 THEN 1 WHEN amount < 0 THEN -1 ELSE 0 END"]
    select = []
    for c in columns:
        if c in keys:
            select.append(c)
        elif c in MERGED_SUMS:
            select.append(f"SUM({c}) AS {c}")
        elif c == "source_row":
            select.append("MIN(source_row) AS source_row")
        else:
            raise ValueError(f"merged_lines_sql: no rule to merge column {c!r} of transactions")
    return f"""
SELECT {", ".join(select)}
FROM {table}
GROUP BY {", ".join(group)}
ORDER BY source_row"""


def merge_lines(source: Path | pd.DataFrame) -> pd.DataFrame:
    """The normalised transactions with the lines of each invoice merged (:func:`merged_lines_sql`), on DuckDB.

    Figures that add amounts, margins or quantities, or count customers, purchase days or invoices,
    are the same on the merged rows as on the lines (up to the order of floating-point sums); only
    counts of rows differ, which is why the data-quality page reads the lines.

    Parameters
    ----------
    source
        The ``transactions`` table: a frame, or the run folder's Parquet file.

    Returns
    -------
    pd.DataFrame
        The same columns and dtypes as ``source``, one row per merged group, in order of ``source_row``
        (``source`` itself, or its file read, when it has no ``invoice_id`` column: nothing to merge).
    """
    dtypes = source.dtypes if isinstance(source, pd.DataFrame) else parquet_dtypes(source)
    if "invoice_id" not in dtypes.index:
        return pd.read_parquet(source) if isinstance(source, Path) else source
    out = _run(merged_lines_sql("{table}", columns=list(dtypes.index)), source)
    return out.astype(dtypes.to_dict())


def parquet_dtypes(path: Path) -> pd.Series:
    """The dtypes ``pd.read_parquet(path)`` gives, read from the file's schema alone."""
    import pyarrow.parquet as pq

    return pq.read_schema(path).empty_table().to_pandas().dtypes


def parquet_rows(path: Path) -> int:
    """The number of rows of a Parquet file, from its metadata."""
    import pyarrow.parquet as pq

    return pq.read_metadata(path).num_rows
