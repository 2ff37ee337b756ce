"""Shared pieces of the programme KPIs: the table type, the monthly columns, member and active companies, points signs."""

from __future__ import annotations

import pandas as pd

from workbench.analysis.purchases import purchase_rows

Tables = dict[str, "pd.DataFrame | None"]


MONTHLY_COLUMNS = [
    "month",
    "revenue",
    "enrolments",
    "registrations",
    "logins",
    "visits",
    "challenges",
    "active_companies",
    "points_earned",
    "points_redeemed",
    "points_expired",
    "cumulative_points",
]


def member_companies(tables: Tables) -> set[str] | None:
    """The member companies (status ``member``; without customers, the members' companies), or None when unknown."""
    customers, members = tables.get("customers"), tables.get("members")
    if customers is not None and customers["status"].notna().any():
        return set(customers.loc[customers["status"] == "member", "customer_id"])
    if members is not None:
        return set(members["customer_id"])
    return None


def _activity_dates(tables: Tables) -> pd.DataFrame:
    """``customer_id, date`` of every purchase (amount > 0) and programme event."""
    parts = []
    tx = tables.get("transactions")
    if tx is not None:
        parts.append(purchase_rows(tx)[["customer_id", "date"]])
    events = tables.get("events")
    if events is not None:
        parts.append(events[["customer_id", "date"]])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"customer_id": pd.Series(dtype="str"), "date": pd.Series(dtype="datetime64[ns]")})


def active_companies(tables: Tables, *, as_of: pd.Timestamp, active_days: int) -> set[str]:
    """Companies with a purchase or an event in the ``active_days`` days up to ``as_of`` (both included)."""
    dates = _activity_dates(tables)
    window = dates["date"].between(pd.Timestamp(as_of) - pd.Timedelta(days=active_days - 1), pd.Timestamp(as_of))
    return set(dates.loc[window, "customer_id"])


def _points_of(points: pd.DataFrame, kind: str) -> pd.Series:
    """Points of one movement kind, as positive numbers (earned: as is; redeemed, expired: negated)."""
    sel = points.loc[points["kind"] == kind, "points"]
    return sel if kind in ("earned", "adjusted") else -sel


def _months(start: pd.Timestamp, end: pd.Timestamp) -> pd.PeriodIndex:
    return pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M", name="month")


def _check_window(start: pd.Timestamp, end: pd.Timestamp) -> None:
    if pd.Timestamp(end) < pd.Timestamp(start):
        raise ValueError(f"end ({end}) is before start ({start}); give start <= end")
