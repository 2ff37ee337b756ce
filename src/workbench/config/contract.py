"""The data contract: canonical tables, their columns and the rules a row must meet.

This is the one description of the normalised data that every analysis reads.
The client's own column names and codes are mapped onto it in the parameter
file (``data.<table>.columns`` and ``data.<table>.values``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["id", "text", "date", "number", "category"]

STATUSES = ("member", "pre-registered", "blocked", "non-member")
POINT_KINDS = ("earned", "redeemed", "expired", "adjusted")


@dataclass(frozen=True)
class Column:
    """One canonical column.

    ``required`` columns must be present in the source and filled on every row
    (a row without a value is rejected). ``allowed`` restricts a category to a
    closed vocabulary; ``low``/``high`` bound a number (inclusive).
    """

    name: str
    kind: ColumnKind
    required: bool = False
    allowed: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None
    doc: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One canonical table."""

    name: str
    columns: tuple[Column, ...]
    doc: str
    required: bool = False
    unique: str | None = None
    """Column whose values must be unique (later rows with a seen value are rejected)."""
    date_column: str | None = None
    """Column that places the row in or out of the analysis period."""
    refers_to_customer: bool = False
    """Rows must name a customer known to the customers table (or, without one, to the transactions)."""
    refers_to_member: bool = False
    """A filled member_id must be known to the members table when there is one."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "customers",
            (
                Column("customer_id", "id", required=True, doc="company identifier"),
                Column("name", "text", doc="company name"),
                Column("status", "category", allowed=STATUSES, doc="programme status"),
                Column("enrolled_on", "date", doc="date the company joined the programme"),
                Column("typology", "text", doc="client typology (e.g. installer, distributor)"),
                Column("region", "text", doc="sales region"),
                Column("acquisition_channel", "text", doc="how the company was acquired"),
            ),
            doc="one row per customer company (optional)",
            unique="customer_id",
        ),
        TableSpec(
            "transactions",
            (
                Column("customer_id", "id", required=True, doc="company identifier"),
                Column("date", "date", required=True, doc="invoice date"),
                Column("amount", "number", required=True, doc="net of tax, in the currency; negative = credit note"),
                Column("margin", "number", doc="gross margin, in the currency"),
                Column("invoice_id", "text", doc="invoice number"),
                Column("quantity", "number", doc="units"),
                Column("product_range", "text", doc="product range"),
                Column("channel", "text", doc="sales channel"),
            ),
            doc="one row per invoice or invoice line (required)",
            required=True,
            date_column="date",
        ),
        TableSpec(
            "members",
            (
                Column("member_id", "id", required=True, doc="person identifier"),
                Column("customer_id", "id", required=True, doc="the person's company"),
                Column("role", "text", doc="e.g. owner, sales rep, sales director"),
                Column("registered_on", "date", doc="date the person registered"),
            ),
            doc="the people inside customer companies (optional)",
            unique="member_id",
            refers_to_customer=True,
        ),
        TableSpec(
            "points",
            (
                Column("customer_id", "id", required=True, doc="company identifier"),
                Column("member_id", "id", doc="person identifier"),
                Column("date", "date", required=True, doc="movement date"),
                Column("points", "number", required=True, doc="signed: earned > 0, redeemed or expired < 0"),
                Column("kind", "category", required=True, allowed=POINT_KINDS, doc="movement kind"),
                Column("reason", "text", doc="e.g. purchase, challenge"),
            ),
            doc="points ledger (optional)",
            date_column="date",
            refers_to_customer=True,
            refers_to_member=True,
        ),
        TableSpec(
            "events",
            (
                Column("customer_id", "id", required=True, doc="company identifier"),
                Column("member_id", "id", doc="person identifier"),
                Column("date", "date", required=True, doc="event date"),
                Column("kind", "category", required=True, doc="login, visit, challenge, training, content, referral, review, profile_completed, ..."),
            ),
            doc="engagement events (optional)",
            date_column="date",
            refers_to_customer=True,
            refers_to_member=True,
        ),
        TableSpec(
            "surveys",
            (
                Column("customer_id", "id", required=True, doc="company identifier"),
                Column("date", "date", required=True, doc="answer date"),
                Column("nps", "number", required=True, low=0, high=10, doc="likelihood to recommend, 0-10"),
                Column("ces", "number", low=1, high=7, doc="customer effort score, 1-7"),
            ),
            doc="satisfaction survey answers (optional)",
            date_column="date",
            refers_to_customer=True,
        ),
    )
}

LOAD_ORDER = ("customers", "transactions", "members", "points", "events", "surveys")
"""Tables are loaded in this order so that references can be checked."""
