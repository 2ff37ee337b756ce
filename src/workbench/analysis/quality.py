"""Data quality (notebook ``00_data_quality``): the ledger, rejections, coverage and warnings.

Every ``compute_*`` function takes tables and plain arguments and returns a
DataFrame with fixed column names; every ``plot_*`` function draws a computed
result on an ``ax``.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Collection, Mapping

import pandas as pd

from workbench import formatting as fmt
from workbench.formatting import N_, tr

WARNING_COLUMNS = ["table", "topic", "message"]
TRANSACTION_COLUMNS = ["customer_id", "date", "amount"]
"""The transaction columns the checks of this module read (with ``in_period`` when given)."""


def ledger_metrics(ledger: pd.DataFrame) -> dict[str, int]:
    """``data.<table>.rows_read`` / ``rows_kept`` / ``rows_rejected`` / ``rows_out_of_period`` from a ledger."""
    out = {}
    for row in ledger.itertuples():
        for col in ("rows_read", "rows_kept", "rows_rejected", "rows_out_of_period"):
            out[f"data.{row.table}.{col}"] = int(getattr(row, col))
    return out


def compute_ledger(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger with the rejected share and a check that it balances.

    Returns
    -------
    pd.DataFrame
        ``table, rows_read, rows_kept, rows_rejected, rows_out_of_period, rejected_share, balanced``;
        ``rejected_share`` is a fraction of rows read (0-1).
    """
    out = ledger[["table", "rows_read", "rows_kept", "rows_rejected", "rows_out_of_period"]].copy()
    out["rejected_share"] = out["rows_rejected"] / out["rows_read"]
    out["balanced"] = out["rows_read"] == out["rows_kept"] + out["rows_rejected"]
    return out.reset_index(drop=True)


def compute_rejections(rejected: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows by table and reason, most frequent first.

    Returns
    -------
    pd.DataFrame
        ``table, reason, rows, example_row, example_value``: the count, and the
        source line and value of the first such row (to find it in the file).
    """
    if rejected.empty:
        return pd.DataFrame(
            {
                "table": pd.Series(dtype="str"),
                "reason": pd.Series(dtype="str"),
                "rows": pd.Series(dtype="int64"),
                "example_row": pd.Series(dtype="int64"),
                "example_value": pd.Series(dtype="str"),
            }
        )
    grouped = rejected.groupby(["table", "reason"], sort=False)
    out = grouped.agg(rows=("source_row", "size"), example_row=("source_row", "first"), example_value=("detail", "first")).reset_index()
    out["rows"] = out["rows"].astype("int64")
    return out.sort_values(["rows", "table", "reason"], ascending=[False, True, True], kind="stable").reset_index(drop=True)


def compute_monthly_activity(transactions: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Transactions per calendar month of the period, months without any included.

    Returns
    -------
    pd.DataFrame
        ``month`` (Period[M]), ``rows``, ``customers`` (distinct), ``revenue`` (net, currency),
        ``credit_note_rows`` and ``credit_note_amount`` (currency, negative).
    """
    months = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")
    t = transactions.assign(month=transactions["date"].dt.to_period("M"), credit=transactions["amount"] < 0)
    grouped = t.groupby("month")
    out = pd.DataFrame(
        {
            "rows": grouped.size(),
            "customers": grouped["customer_id"].nunique(),
            "revenue": grouped["amount"].sum(),
            "credit_note_rows": grouped["credit"].sum(),
            "credit_note_amount": t[t["credit"]].groupby("month")["amount"].sum(),
        }
    ).reindex(months)
    out = out.fillna({"rows": 0, "customers": 0, "revenue": 0.0, "credit_note_rows": 0, "credit_note_amount": 0.0})
    out = out.astype({"rows": "int64", "customers": "int64", "credit_note_rows": "int64", "revenue": "float64", "credit_note_amount": "float64"})
    return out.rename_axis("month").reset_index()


def compute_credit_notes(transactions: pd.DataFrame) -> pd.DataFrame:
    """Credit notes (negative amounts) in rows and in money.

    Returns
    -------
    pd.DataFrame
        One row: ``rows``, ``credit_note_rows``, ``row_share`` (0-1), ``gross_revenue``
        (sum of positive amounts), ``credit_note_amount`` (sum of negative amounts, < 0),
        ``amount_share`` (credit notes as a fraction of gross revenue, 0-1), ``zero_amount_rows``.
    """
    amount = transactions["amount"]
    gross = float(amount[amount > 0].sum())
    credit = float(amount[amount < 0].sum())
    n = len(transactions)
    n_credit = int((amount < 0).sum())
    return pd.DataFrame(
        {
            "rows": [n],
            "credit_note_rows": [n_credit],
            "row_share": [n_credit / n if n else float("nan")],
            "gross_revenue": [gross],
            "credit_note_amount": [credit],
            "amount_share": [-credit / gross if gross else float("nan")],
            "zero_amount_rows": [int((amount == 0).sum())],
        }
    )


def compute_amount_bins(transactions: pd.DataFrame, *, edges: list[float] | None = None) -> pd.DataFrame:
    """Invoices by amount band (positive amounts only; credit notes are counted apart).

    Parameters
    ----------
    edges
        Band edges in the currency; by default 0, 10, 50, 100, 500, 1 000, 5 000,
        10 000, 50 000, 100 000 and above.

    Returns
    -------
    pd.DataFrame
        ``band`` (label), ``low``, ``high`` (currency; the band is [low, high)), ``rows``, ``revenue`` (currency).
    """
    edges = edges or [0, 10, 50, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000, float("inf")]
    positive = transactions.loc[transactions["amount"] > 0, "amount"]
    cut = pd.cut(positive, bins=edges, right=False)
    grouped = positive.groupby(cut, observed=False)
    out = pd.DataFrame({"rows": grouped.size().astype("int64"), "revenue": grouped.sum().astype("float64")}).reset_index(drop=True)
    lows, highs = edges[:-1], edges[1:]
    out.insert(0, "high", highs)
    out.insert(0, "low", lows)
    out.insert(0, "band", [_band_label(lo, hi) for lo, hi in zip(lows, highs)])
    return out


def _band_label(low: float, high: float) -> str:
    def short(x: float) -> str:
        return f"{x / 1000:g}k" if x >= 1000 else f"{x:g}"

    return f"≥ {short(low)}" if high == float("inf") else f"{short(low)}–{short(high)}"


def compute_possible_duplicates(transactions: pd.DataFrame) -> pd.DataFrame:
    """Kept rows that share customer, date and amount with another kept row.

    Exact duplicates (identical source rows) are already rejected; these differ
    in some other column (an invoice number, a line) and are kept, but may be
    double entries.

    Returns
    -------
    pd.DataFrame
        ``customer_id, date, amount, rows`` for each repeated combination, most repeated first.
    """
    keys = ["customer_id", "date", "amount"]
    repeated = transactions[transactions.duplicated(keys, keep=False)]  # few rows: the grouping below stays small
    sizes = repeated.groupby(keys, sort=True).size().rename("rows").reset_index()
    out = sizes[sizes["rows"] > 1]
    return out.sort_values("rows", ascending=False, kind="stable").reset_index(drop=True)


def compute_coverage(tables: Mapping[str, pd.DataFrame], rejected: pd.DataFrame) -> pd.DataFrame:
    """How the tables cover each other.

    Parameters
    ----------
    tables
        Normalised tables (transactions restricted to the period), by name; only ``transactions``,
        ``customers`` and ``members`` are looked up.
    rejected
        Rejected rows (for members without a company).

    Returns
    -------
    pd.DataFrame
        ``check, count, of, share``: customers without transactions, transaction
        customers missing from the customers table, members without a company
        (rejected because their company is missing or unknown), member companies
        without any registered person. ``share = count / of`` (0-1).
    """
    rows = []
    tx_customers = set(tables["transactions"]["customer_id"].unique())
    if "customers" in tables:
        known = set(tables["customers"]["customer_id"])
        rows.append((N_("customers without transactions in the period"), len(known - tx_customers), len(known)))
        rows.append((N_("transaction customers missing from the customers table"), len(tx_customers - known), len(tx_customers)))
    if "members" in tables:
        members_rejected = rejected[(rejected["table"] == "members") & rejected["reason"].isin(["unknown customer", "missing customer_id"])]
        read = len(tables["members"]) + int((rejected["table"] == "members").sum())
        rows.append((N_("members without a company (rejected)"), len(members_rejected), read))
        if "customers" in tables and "status" in tables["customers"]:
            member_companies = set(tables["customers"].loc[tables["customers"]["status"] == "member", "customer_id"])
            rows.append(
                (N_("member companies without a registered person"), len(member_companies - set(tables["members"]["customer_id"])), len(member_companies))
            )
    out = pd.DataFrame(rows, columns=["check", "count", "of"])
    out["share"] = (out["count"] / out["of"].where(out["of"] > 0)).astype("float64")
    return out


def compute_warnings(
    tables: Mapping[str, pd.DataFrame],
    *,
    ledger: pd.DataFrame,
    rejected: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    max_rejected_share: float,
    max_credit_note_share: float,
    min_months: int,
    event_kinds: Collection[str] | None = None,
) -> pd.DataFrame:
    """Plain-language warnings a consultant should read before trusting the rest.

    Parameters
    ----------
    tables
        The normalised tables by name (``transactions`` required, with ``in_period`` when known;
        its :data:`TRANSACTION_COLUMNS` suffice). Only ``transactions``, ``customers``, ``members``
        and ``events`` are looked up, so a lazy mapping reads no other table.
    ledger, rejected
        The row ledger and the rejected rows of the data layer.
    start, end
        The analysis period (both days included).
    max_rejected_share, max_credit_note_share
        Thresholds (fractions 0-1) above which a warning is raised.
    min_months
        Months of data needed for year-over-year figures.
    event_kinds
        The event kinds counted by the engagement pillars (``engagement.kinds``); events of
        any other kind are listed in a warning (they count in no pillar). None: not checked.

    Returns
    -------
    pd.DataFrame
        ``table, topic, message``, one row per warning (empty when all is well).
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    out: list[tuple[str, str, str]] = []
    for row in compute_ledger(ledger).itertuples():
        if row.rejected_share > max_rejected_share:
            out.append(
                (
                    row.table,
                    "rejections",
                    tr(
                        "{table}: {rejected} of {read} rows rejected ({share}, above the {threshold} threshold); read the reasons before trusting the figures.",
                        table=tr(row.table),
                        rejected=row.rows_rejected,
                        read=row.rows_read,
                        share=fmt.percent(row.rejected_share, 1, tight=True),
                        threshold=fmt.percent(max_rejected_share, 0, tight=True),
                    ),
                )
            )
    out += _unmapped_kinds(tables.get("events"), event_kinds)
    tx = tables["transactions"]
    tx = tx[tx["in_period"]] if "in_period" in tx else tx
    if tx.empty:
        out.append(
            (
                "transactions",
                "period",
                tr(
                    "transactions: no transaction falls inside the period {start} to {end}; check period in the parameters.",
                    start=fmt.date(start),
                    end=fmt.date(end),
                ),
            )
        )
        return pd.DataFrame(out, columns=WARNING_COLUMNS)
    out += _transaction_warnings(tx, start=start, end=end, max_credit_note_share=max_credit_note_share, min_months=min_months)
    for c in compute_coverage(ChainMap({"transactions": tx}, tables), rejected).itertuples():
        if c.count and (c.check.startswith("members without") or c.check.startswith("transaction customers") or (c.share or 0) > 0.2):
            out.append(("coverage", c.check, f"{c.count} {tr(c.check)} ({fmt.percent(c.share, 1, tight=True)})."))
    return pd.DataFrame(out, columns=WARNING_COLUMNS)


def _transaction_warnings(
    tx: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp, max_credit_note_share: float, min_months: int
) -> list[tuple[str, str, str]]:
    """Credit notes, coverage of the period, export gaps and possible double entries of the in-period transactions."""
    out: list[tuple[str, str, str]] = []
    credit = compute_credit_notes(tx).iloc[0]
    if credit["amount_share"] > max_credit_note_share:
        out.append(
            (
                "transactions",
                "credit notes",
                tr(
                    "transactions: credit notes amount to {share} of gross revenue (threshold {threshold}); check that returns are not booked twice.",
                    share=fmt.percent(credit["amount_share"], 1, tight=True),
                    threshold=fmt.percent(max_credit_note_share, 0, tight=True),
                ),
            )
        )
    monthly = compute_monthly_activity(tx, start=start, end=end)
    covered = monthly[monthly["rows"] > 0]["month"]
    first, last = covered.min(), covered.max()
    span = (last - first).n + 1
    if span < min_months:
        out.append(
            (
                "transactions",
                "coverage",
                tr(
                    "transactions: data cover {span} month(s) of the period; year-over-year figures need at least {min_months}.",
                    span=span,
                    min_months=min_months,
                ),
            )
        )
    gaps = monthly[(monthly["rows"] == 0) & (monthly["month"] > first) & (monthly["month"] < last)]["month"]
    if len(gaps):
        shown = ", ".join(str(m) for m in gaps[:6]) + (" ..." if len(gaps) > 6 else "")
        out.append(
            (
                "transactions",
                "coverage",
                tr("transactions: {n} month(s) without any transaction inside the data ({shown}); an export gap?", n=len(gaps), shown=shown),
            )
        )
    if len(covered) and (first > pd.Timestamp(start).to_period("M") or last < pd.Timestamp(end).to_period("M")):
        out.append(
            (
                "transactions",
                "coverage",
                tr(
                    "transactions: data run from {first} to {last}, the period from {start} to {end}; figures near the edges are partial.",
                    first=first,
                    last=last,
                    start=f"{start:%Y-%m}",
                    end=f"{end:%Y-%m}",
                ),
            )
        )
    dup = compute_possible_duplicates(tx)
    if len(dup):
        extra = int((dup["rows"] - 1).sum())
        out.append(
            (
                "transactions",
                "duplicates",
                tr("transactions: {n} kept row(s) repeat the customer, date and amount of another row (possible double entries; kept).", n=extra),
            )
        )
    return out


def kind_rows(kind: str, n: int) -> str:
    """``'quiz' (3 rows)``: an event kind and its row count, in the report language."""
    return repr(kind) + " (" + tr("{n} rows", n=n) + ")"


def _unmapped_kinds(events: pd.DataFrame | None, event_kinds: Collection[str] | None) -> list[tuple[str, str, str]]:
    """One warning listing the event kinds (with their row counts) that no engagement pillar counts."""
    if events is None or event_kinds is None or "kind" not in events or events.empty:
        return []
    counts = events.loc[~events["kind"].isin(list(event_kinds)), "kind"].value_counts()
    if counts.empty:
        return []
    listed = ", ".join(kind_rows(kind, n) for kind, n in counts.items())
    return [
        (
            "events",
            "unmapped event kinds",
            tr(
                "events: {n} event(s) of kinds counted in no engagement pillar: {listed}; "
                "add them under engagement.kinds (or map them onto known kinds with data.events.values.kind).",
                n=int(counts.sum()),
                listed=listed,
            ),
        )
    ]
