"""Evaluation KPIs (activity): active member companies, statuses, people by role, programme events."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis.kpis.common import Tables, active_companies, member_companies
from workbench.config.contract import STATUSES


def compute_active_profiles(tables: Tables, *, as_of: pd.Timestamp, active_days: int) -> pd.DataFrame:
    """Member companies active and inactive at a date.

    Returns
    -------
    pd.DataFrame
        One row: ``companies`` (member companies), ``active`` (a purchase or an event in the
        ``active_days`` days up to ``as_of``), ``inactive``, ``active_share`` (fraction 0-1).

    Raises
    ------
    ValueError
        Neither a customers table with statuses nor a members table is given.
    """
    population = member_companies(tables)
    if population is None:
        raise ValueError("tables: active profiles need the customers table (with status) or the members table")
    active = len(active_companies(tables, as_of=as_of, active_days=active_days) & population)
    return pd.DataFrame(
        {
            "companies": [len(population)],
            "active": [active],
            "inactive": [len(population) - active],
            "active_share": [active / len(population) if population else np.nan],
        }
    )


def compute_status_counts(customers: pd.DataFrame) -> pd.DataFrame:
    """Companies by programme status, every status shown (0 when none).

    Returns
    -------
    pd.DataFrame
        ``status, companies, share``: the four statuses in the order member, pre-registered,
        blocked, non-member, then ``unknown`` (no status given) when there are any;
        ``share`` is a fraction of all companies (0-1).
    """
    status = customers["status"].astype("object").fillna("unknown")
    order = [*STATUSES, *(["unknown"] if (status == "unknown").any() else [])]
    counts = status.value_counts().reindex(order, fill_value=0).astype("int64")
    out = pd.DataFrame({"status": order, "companies": counts.to_numpy()})
    out["share"] = out["companies"] / max(len(customers), 1)
    return out


def compute_members_by_role(members: pd.DataFrame) -> pd.DataFrame:
    """People registered in the programme by role, most frequent first.

    Returns
    -------
    pd.DataFrame
        ``role, members, companies, share``: people, distinct companies, and the share of all
        people (0-1). A missing role is shown as ``unknown``.
    """
    frame = members.assign(role=members["role"].astype("object").fillna("unknown"))
    grouped = frame.groupby("role")
    out = pd.DataFrame({"members": grouped.size(), "companies": grouped["customer_id"].nunique()}).astype("int64")
    out = out.rename_axis("role").reset_index().sort_values(["members", "role"], ascending=[False, True], kind="stable")
    out["share"] = out["members"] / max(len(members), 1)
    return out.reset_index(drop=True)


def compute_events_summary(events: pd.DataFrame, *, companies: set[str] | None = None) -> pd.DataFrame:
    """Programme events by kind (logins, visits, challenges, trainings, ...).

    Parameters
    ----------
    events
        Events of the period.
    companies
        The population (e.g. member companies): only their events count, and the participation
        share is measured on them; None: every event, share of the companies present in ``events``.

    Returns
    -------
    pd.DataFrame
        ``kind, events, companies, people, participation``: event count, distinct companies and
        people, and ``participation`` = companies with that kind / population (fraction 0-1).
        Most frequent kind first.
    """
    if companies is not None:
        events = events[events["customer_id"].isin(companies)]
    population = len(companies) if companies is not None else events["customer_id"].nunique()
    grouped = events.groupby("kind")
    out = pd.DataFrame({"events": grouped.size(), "companies": grouped["customer_id"].nunique(), "people": grouped["member_id"].nunique()}).astype("int64")
    out = out.rename_axis("kind").reset_index().sort_values(["events", "kind"], ascending=[False, True], kind="stable")
    out["participation"] = out["companies"] / population if population else np.nan
    return out.reset_index(drop=True)
