"""The one definition of a purchase, shared by every page (parameter ``purchase:``).

- A **purchase row** is a transaction with a positive amount; credit notes (negative amounts) and
  zero rows reduce or leave revenue but are never purchases.
- **How purchases are counted** is set once for the whole report by the top-level parameter
  ``purchase``:

  - ``day`` (default): one purchase per customer and **purchase day**: several invoices, or the
    lines of one invoice, on the same day count once;
  - ``invoice``: one purchase per distinct ``invoice_id`` of the customer (a purchase row whose
    invoice number is blank counts as one purchase for its day). Needs an ``invoice_id`` column.

Every count of purchases (portfolio frequency and basket, RFM frequency, the value score's purchase
bonus, segment migration) goes through :func:`purchase_ids` or :func:`count_purchases`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

PURCHASE_DEFINITIONS = ("day", "invoice")
"""The accepted values of the ``purchase`` parameter."""


def purchase_rows(transactions: pd.DataFrame) -> pd.DataFrame:
    """The rows that are purchases: a positive ``amount`` (credit notes and zero rows left out)."""
    return transactions[transactions["amount"] > 0]


def purchase_ids(transactions: pd.DataFrame, *, purchase: str = "day") -> pd.Series:
    """An identifier of the purchase each purchase row belongs to.

    Parameters
    ----------
    transactions
        Canonical transactions (``customer_id, date, amount``; ``invoice_id`` for ``invoice``).
    purchase
        ``"day"`` (one purchase per customer and day) or ``"invoice"`` (one per distinct invoice_id).

    Returns
    -------
    pd.Series
        Text identifiers indexed like the purchase rows (:func:`purchase_rows`): two rows carry the
        same identifier when they belong to the same purchase. Identifiers include the customer, so
        they are unique across customers.

    Raises
    ------
    ValueError
        ``purchase`` is not ``day`` or ``invoice``, or ``invoice`` without an ``invoice_id`` column.
    """
    rows = purchase_rows(transactions)
    _check_definition(rows, purchase=purchase)
    customer = rows["customer_id"].astype(str)
    day = customer + "@" + rows["date"].dt.strftime("%Y-%m-%d")
    if purchase == "day":
        return day.rename("purchase_id")
    invoice = customer + "#" + rows["invoice_id"].astype("string")
    return invoice.fillna(day).astype(str).rename("purchase_id")


def _check_definition(rows: pd.DataFrame, *, purchase: str) -> None:
    """Raise the ValueError of :func:`purchase_ids` for an unknown ``purchase`` or ``invoice`` without invoice numbers."""
    if purchase not in PURCHASE_DEFINITIONS:
        raise ValueError(f"purchase={purchase!r}: use 'day' (distinct purchase days per customer) or 'invoice' (distinct invoice numbers)")
    if purchase == "invoice" and "invoice_id" not in rows.columns:
        raise ValueError("purchase='invoice' needs an invoice_id column in transactions; map it in data.transactions.columns, or set purchase: day")


def count_purchases(transactions: pd.DataFrame, *, purchase: str = "day", by: str | Sequence[str] | pd.Series = "customer_id") -> pd.Series:
    """Purchases per group: distinct purchase identifiers (:func:`purchase_ids`) in each group.

    Parameters
    ----------
    transactions
        Canonical transactions; only purchase rows count.
    purchase
        ``"day"`` or ``"invoice"``.
    by
        Column name(s) of ``transactions``, or a Series aligned on its index (e.g. a period key).

    Returns
    -------
    pd.Series
        Number of purchases (int64) per group; groups without a purchase are absent.

    Raises
    ------
    ValueError
        As :func:`purchase_ids`.
    """
    rows = purchase_rows(transactions)
    keys = _purchase_keys(rows, purchase=purchase)
    if isinstance(by, pd.Series):
        groups = [by.loc[rows.index].rename("__by__")]
    elif isinstance(by, str):
        groups = [rows[by].rename("__by__")]
    else:
        groups = [rows[column].rename(f"__by{i}__") for i, column in enumerate(by)]
    distinct = pd.concat([*groups, keys], axis=1).drop_duplicates()
    return distinct.groupby([g.name for g in groups]).size().astype("int64")


def _purchase_keys(rows: pd.DataFrame, *, purchase: str) -> pd.DataFrame:
    """The columns that identify the purchase of each purchase row, as :func:`purchase_ids` spells them.

    ``customer, day`` for ``day``; ``customer, invoice, day`` for ``invoice``, the day kept only where
    the invoice number is blank. Counting distinct key rows counts purchases without writing ten
    million text identifiers.
    """
    _check_definition(rows, purchase=purchase)
    keys = pd.DataFrame({"__customer__": rows["customer_id"].astype(str), "__day__": rows["date"].dt.normalize()})
    if purchase == "invoice":
        invoice = rows["invoice_id"].astype("string")
        keys["__day__"] = keys["__day__"].where(invoice.isna())
        keys["__invoice__"] = invoice
    return keys
