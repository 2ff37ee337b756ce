"""Restricting the KPI tables to the companies and people a filter selects (status, typology, region, role)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from workbench.analysis.kpis.common import Tables


def filter_tables(
    tables: Tables,
    *,
    status: Sequence[str] = (),
    typology: Sequence[str] = (),
    region: Sequence[str] = (),
    role: Sequence[str] = (),
) -> tuple[dict[str, pd.DataFrame | None], list[str]]:
    """Restrict every table to the companies (and people) the filters select.

    Parameters
    ----------
    tables
        Canonical tables by name; a missing table is absent or None.
    status, typology, region
        Keep the companies of the customers table with one of these values (empty: no filter).
    role
        Keep the people (members table) with one of these roles, the points and events rows of
        those people, and the companies with at least one of them (empty: no filter).

    Returns
    -------
    (tables, notes)
        The filtered tables (same keys; absent tables stay None) and plain-language notes on
        filters that could not be applied because their table is absent.
    """
    out = {name: tables.get(name) for name in ("transactions", "customers", "members", "points", "events")}
    notes: list[str] = []
    keep: set[str] | None = None
    customers = out["customers"]
    for column, wanted in (("status", status), ("typology", typology), ("region", region)):
        if not wanted:
            continue
        if customers is None:
            notes.append(f"The {column} filter ({', '.join(wanted)}) is ignored: it needs the customers table.")
            continue
        selected = set(customers.loc[customers[column].isin(list(wanted)), "customer_id"])
        keep = selected if keep is None else keep & selected
    members = out["members"]
    people: set[str] | None = None
    if role:
        if members is None:
            notes.append(f"The role filter ({', '.join(role)}) is ignored: it needs the members table.")
        else:
            chosen = members[members["role"].isin(list(role))]
            people = set(chosen["member_id"])
            keep = set(chosen["customer_id"]) if keep is None else keep & set(chosen["customer_id"])
    if keep is None:
        return out, notes
    for name, frame in out.items():
        if frame is None:
            continue
        mask = frame["customer_id"].isin(keep)
        if people is not None and name in ("members", "points", "events"):
            mask &= frame["member_id"].isin(people)
        out[name] = frame[mask].reset_index(drop=True)
    return out, notes
