"""Performance KPIs of the programme: activation after enrolment, members' revenue against other companies."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis.kpis.common import _check_window, _months
from workbench.analysis.purchases import purchase_rows


def compute_activation(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    points: pd.DataFrame | None = None,
    *,
    end: pd.Timestamp,
    activation_days: int | None = 90,
) -> pd.DataFrame:
    """Member companies activated: a purchase after the enrolment day, or a redemption, within ``activation_days`` of enrolment.

    Parameters
    ----------
    transactions
        Transactions of the window.
    customers
        With ``status`` and ``enrolled_on``; member companies enrolled on or before ``end`` count (a
        member enrolled later, or without an enrolment date, is left out).
    points
        The points ledger (None: activation by purchase only).
    end
        The reference date; nothing after it counts.
    activation_days
        Days after the enrolment day within which the first purchase or redemption must fall (the
        enrolment day + ``activation_days`` included); None: any time up to ``end``.

    Returns
    -------
    pd.DataFrame
        One row per member company: ``customer_id, enrolled_on, purchased_after`` (a purchase dated
        strictly after the enrolment day, within the window), ``redeemed`` (a redemption on or after the
        enrolment day, within the window), ``activated`` (either), ``window_complete`` (the whole
        activation window lies on or before ``end``: only these companies enter the activation rate).
    """
    end = pd.Timestamp(end)
    enrolled_on = pd.to_datetime(customers["enrolled_on"])
    keep = (customers["status"] == "member") & (enrolled_on <= end)
    members = pd.DataFrame({"customer_id": customers.loc[keep, "customer_id"], "enrolled_on": enrolled_on[keep]})
    columns = ["customer_id", "enrolled_on", "purchased_after", "redeemed", "activated", "window_complete"]
    if members.empty:  # nobody enrolled by the reference date (e.g. every member enrolled after period.end)
        return pd.DataFrame({c: pd.Series(dtype="str" if c == "customer_id" else "datetime64[ns]" if c == "enrolled_on" else "bool") for c in columns})
    enrolled = members.drop_duplicates("customer_id").set_index("customer_id")["enrolled_on"]
    limit = enrolled + pd.Timedelta(days=activation_days) if activation_days is not None else pd.Series(end, index=enrolled.index)
    limit = limit.clip(upper=end)

    def after(frame: pd.DataFrame, strictly: bool) -> set[str]:
        frame = frame[frame["customer_id"].isin(enrolled.index)]
        on, until = frame["customer_id"].map(enrolled), frame["customer_id"].map(limit)
        ok = ((frame["date"] > on) if strictly else (frame["date"] >= on)) & (frame["date"] <= until)
        return set(frame.loc[ok, "customer_id"])

    bought = after(purchase_rows(transactions), strictly=True)
    redeemed = after(points[points["kind"] == "redeemed"], strictly=False) if points is not None else set()
    out = members.reset_index(drop=True).copy()
    out["purchased_after"] = out["customer_id"].isin(bought)
    out["redeemed"] = out["customer_id"].isin(redeemed)
    out["activated"] = out["purchased_after"] | out["redeemed"]
    days = 0 if activation_days is None else activation_days
    out["window_complete"] = (out["enrolled_on"] + pd.Timedelta(days=days)) <= end
    return out[columns]


def activation_rate(activation: pd.DataFrame) -> float:
    """Activated / member companies whose activation window is complete (fraction 0-1; NaN when none)."""
    done = activation[activation["window_complete"]]
    return float(done["activated"].mean()) if len(done) else float("nan")


def compute_member_revenue(transactions: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Revenue of member companies beside the other companies (descriptive, not causal).

    Parameters
    ----------
    transactions
        Transactions of the window.
    customers
        With ``status``.

    Returns
    -------
    pd.DataFrame
        Two rows, ``member`` then ``not member`` (pre-registered, blocked, non-member, and
        buyers absent from the customers table): ``group, companies`` (in the customers table),
        ``buyers`` (with a purchase), ``revenue`` (net, currency), ``revenue_share`` (fraction 0-1),
        ``revenue_per_buyer`` (currency).
    """
    is_member = set(customers.loc[customers["status"] == "member", "customer_id"])
    group = np.where(transactions["customer_id"].isin(is_member), "member", "not member")
    tx = transactions.assign(group=group)
    buyers = purchase_rows(tx).groupby("group")["customer_id"].nunique()
    revenue = tx.groupby("group")["amount"].sum()
    groups = ["member", "not member"]
    out = pd.DataFrame(
        {
            "group": groups,
            "companies": [len(is_member), int((~customers["customer_id"].isin(is_member)).sum())],
            "buyers": buyers.reindex(groups, fill_value=0).astype("int64").to_numpy(),
            "revenue": revenue.reindex(groups, fill_value=0.0).astype("float64").to_numpy(),
        }
    )
    total = out["revenue"].sum()
    out["revenue_share"] = out["revenue"] / total if total else np.nan
    out["revenue_per_buyer"] = out["revenue"] / out["buyers"].where(out["buyers"] > 0)
    return out


def compute_member_revenue_monthly(transactions: pd.DataFrame, customers: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Monthly net revenue of member companies and of the other companies (descriptive, not causal).

    Membership is the status at the reference date (as in :func:`compute_member_revenue`), so the
    member line includes those companies' purchases from before they enrolled.

    Returns
    -------
    pd.DataFrame
        ``month`` (Period[M]), ``member``, ``not_member`` (net revenue, currency), every month of [start, end].

    Raises
    ------
    ValueError
        ``end`` before ``start``.
    """
    _check_window(start, end)
    months = _months(start, end)
    is_member = transactions["customer_id"].isin(set(customers.loc[customers["status"] == "member", "customer_id"]))
    inside = transactions["date"].between(pd.Timestamp(start), pd.Timestamp(end))
    month = transactions["date"].dt.to_period("M")
    out = pd.DataFrame(index=months)
    for column, mask in (("member", is_member), ("not_member", ~is_member)):
        sel = inside & mask
        out[column] = transactions.loc[sel, "amount"].groupby(month[sel]).sum().reindex(months, fill_value=0.0).astype("float64")
    return out.reset_index()
