"""Preparation for the CLV models: purchase days, the summary per customer, the calibration/holdout split.

1. **Purchase days** (:func:`compute_summary`, :func:`compute_preparation`): a purchase is a day on
   which a customer has an invoice of amount >= 0 (the rows of the same customer and day are merged).
   A zero amount is a purchase of no value (free goods; the published CDNOW figures count them).
   Credit notes (negative amounts) are *netted* at the customer level: every purchase day of a
   customer is scaled by the customer's net-to-gross ratio (1 - credit notes / gross purchases), so
   spend is net of returns, the count of purchases is not changed by returns, and the shape of
   spend per purchase that the Gamma-Gamma model relies on is kept (subtracting a refund from one
   purchase day instead creates near-zero purchases, which biased the spend model's p by up to 10
   standard errors on simulated data). A credit note dated before the customer's first purchase in
   the data (its purchase is outside the data) is left out and counted. Netting only uses rows up to the
   date the summary is taken at, so a calibration summary never sees the holdout.
2. **Summary per customer** in a time unit (day, week, or month of
   :data:`workbench.periods.DAYS_PER_MONTH` = 365.25 / 12 days, a unit of measure) at daily
   resolution: ``frequency`` (repeat purchase days), ``recency`` (first to last purchase), ``T``
   (first purchase to the end date) and ``monetary_value`` (mean net spend of the repeat purchase
   days), as lifetimes' ``summary_data_from_transaction_data`` with ``freq="D"`` and
   ``freq_multiplier`` = days per unit (the convention that reproduces the published CDNOW fit).
3. **Calibration / holdout** (:func:`resolve_calibration_end`, :func:`compute_calibration_holdout`):
   the summary at the calibration end and the purchase days after it.

Units: recency, T and durations are in the chosen time unit; money is in the client's currency.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.analysis.clv._lifetimes import summary_data_from_transaction_data
from workbench.data.validation import require_columns
from workbench.periods import DAYS_PER_MONTH, add_months

if TYPE_CHECKING:
    from workbench.analysis.clv.season import Seasonality

UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": DAYS_PER_MONTH}
SUMMARY_COLUMNS = ["customer_id", "first_purchase", "last_purchase", "frequency", "recency", "T", "monetary_value", "repeat_spend", "total_spend"]


def unit_days(time_unit: str) -> float:
    """Days in one ``time_unit`` (``day`` 1, ``week`` 7, ``month`` 30.4375).

    Raises
    ------
    ValueError
        Unknown unit.
    """
    if time_unit not in UNIT_DAYS:
        raise ValueError(f"time_unit {time_unit!r} is not supported; use one of {', '.join(UNIT_DAYS)}")
    return UNIT_DAYS[time_unit]


def months_to_units(months: float, *, time_unit: str) -> float:
    """A duration of ``months`` mean months (365.25 / 12 days each) in ``time_unit``.

    Parameters
    ----------
    months
        Duration in months (a rate's unit, not a calendar window).
    time_unit
        ``day``, ``week`` or ``month``.

    Returns
    -------
    float
        The duration in time units: 12 months are 52.18 weeks, 365.25 days, 12 months.

    Raises
    ------
    ValueError
        Unknown unit.
    """
    return months * DAYS_PER_MONTH / unit_days(time_unit)


def _check_transactions(transactions: pd.DataFrame) -> None:
    require_columns(transactions)
    if not pd.api.types.is_datetime64_any_dtype(transactions["date"]):
        raise ValueError(f"transactions: column date has dtype {transactions['date'].dtype}; convert it with pd.to_datetime first")


def purchase_days(transactions: pd.DataFrame, *, end: pd.Timestamp) -> tuple[pd.DataFrame, dict[str, float]]:
    """Purchase days with their net value, and what the merging and netting did.

    Parameters
    ----------
    transactions
        Canonical transactions (``customer_id``, ``date`` datetime, ``amount`` currency).
    end
        Last day used (included); later rows are ignored, so netting never sees them.

    Returns
    -------
    tuple[pd.DataFrame, dict[str, float]]
        ``customer_id, date, value`` (one row per customer and purchase day, value in currency, net of
        the customer's credit notes) and counts / amounts (currency) of the rows merged, netted and left
        out, as :func:`compute_preparation` shows them.

    Raises
    ------
    ValueError
        Missing columns or a non-datetime ``date``.
    """
    _check_transactions(transactions)
    end = pd.Timestamp(end)
    t = transactions.loc[transactions["date"] <= end, ["customer_id", "date", "amount"]].copy()
    t["date"] = t["date"].dt.normalize()
    purchase_rows = t[t["amount"] >= 0]
    days = purchase_rows.groupby(["customer_id", "date"], as_index=False).agg(gross=("amount", "sum"))
    gross = days.groupby("customer_id")["gross"].sum()
    first = days.groupby("customer_id")["date"].min()
    credits = t[t["amount"] < 0]
    # a credit note is netted when its customer bought something of value on or before its date
    first_purchase = first.reindex(credits["customer_id"]).to_numpy()  # NaT without any purchase
    nettable = credits["date"].ge(first_purchase) & (gross.reindex(credits["customer_id"]).to_numpy() > 0)
    netted = credits[nettable].groupby("customer_id")["amount"].sum()
    ratio = (1 + netted.reindex(gross.index, fill_value=0.0) / gross.where(gross > 0)).fillna(1.0)
    days["value"] = days["gross"] * days["customer_id"].map(ratio).to_numpy()
    days = days[["customer_id", "date", "value"]].sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)
    report = {
        "rows": len(t),
        "purchase_rows": len(purchase_rows),
        "purchase_days": len(days),
        "gross_amount": float(purchase_rows["amount"].sum()),
        "credit_rows_netted": int(nettable.sum()),
        "credit_amount_netted": float(credits.loc[nettable, "amount"].sum()),
        "credit_rows_unmatched": int((~nettable).sum()),
        "credit_amount_unmatched": float(credits.loc[~nettable, "amount"].sum()),
        "zero_rows": int((t["amount"] == 0).sum()),
        "customers": int(t["customer_id"].nunique()),
        "customers_with_purchase": int(days["customer_id"].nunique()),
    }
    return days, report


def compute_summary(transactions: pd.DataFrame, *, end: pd.Timestamp, time_unit: str = "week", seasonality: Seasonality | None = None) -> pd.DataFrame:
    """Frequency, recency, T and repeat spend per customer, as of ``end``.

    Parameters
    ----------
    transactions
        Canonical transactions (``customer_id``, ``date``, ``amount``); rows after ``end`` are ignored.
    end
        The date the summary is taken at (included): the reference date, or the calibration end.
    time_unit
        ``day``, ``week`` or ``month`` (365.25 / 12 days); dates keep a daily resolution.
    seasonality
        None: recency and T in calendar time. A :class:`~workbench.analysis.clv.season.Seasonality`:
        in its seasonal time (:meth:`~workbench.analysis.clv.season.Seasonality.elapsed_days`).

    Returns
    -------
    pd.DataFrame
        One row per customer with at least one purchase day, by ``customer_id``:
        ``first_purchase``, ``last_purchase`` (dates), ``frequency`` (repeat purchase days, int),
        ``recency`` and ``T`` (time units, calendar or seasonal), ``monetary_value`` (mean net spend per repeat purchase
        day, currency, each day scaled by the customer's net-to-gross ratio; 0 without repeat purchase), ``repeat_spend`` (net spend of the repeat
        purchase days, currency), ``total_spend`` (net spend of every purchase day, currency).

    Raises
    ------
    ValueError
        Missing columns, a non-datetime ``date``, an unknown ``time_unit``, or no purchase up to ``end``.
    """
    multiplier = unit_days(time_unit)
    days, _ = purchase_days(transactions, end=end)
    if days.empty:
        raise ValueError(f"transactions: no purchase (amount >= 0) on or before {pd.Timestamp(end):%Y-%m-%d}; check the period and the amounts")
    summary = summary_data_from_transaction_data(
        days, "customer_id", "date", monetary_value_col="value", observation_period_end=pd.Timestamp(end), freq="D", freq_multiplier=multiplier
    )
    summary.index = summary.index.astype(days["customer_id"].dtype)
    spans = days.groupby("customer_id").agg(first_purchase=("date", "min"), last_purchase=("date", "max"), total_spend=("value", "sum"))
    out = spans.join(summary, how="inner").rename_axis("customer_id").reset_index()
    out["frequency"] = out["frequency"].round().astype("int64")
    out["repeat_spend"] = out["monetary_value"] * out["frequency"]
    if seasonality is not None:
        out["recency"] = seasonality.elapsed_days(out["first_purchase"], out["last_purchase"]) / multiplier
        out["T"] = seasonality.elapsed_days(out["first_purchase"], pd.Timestamp(end)) / multiplier
    return out[SUMMARY_COLUMNS].sort_values("customer_id", kind="stable").reset_index(drop=True)


def compute_preparation(transactions: pd.DataFrame, *, end: pd.Timestamp, time_unit: str = "week") -> pd.DataFrame:
    """How the transactions became purchase days: what was merged, netted, ignored or left out.

    Parameters
    ----------
    transactions, end, time_unit
        As :func:`compute_summary`.

    Returns
    -------
    pd.DataFrame
        ``item, count, amount`` (amount in currency, empty where it does not apply): transaction rows
        up to ``end``, purchase rows, purchase days after merging same-day purchases, credit-note rows
        netted against the customer's purchases, credit-note rows dated before the customer's first
        purchase (left out),
        zero-amount rows (counted as purchases of no value), customers without any purchase (left out of the models), repeat
        customers whose net repeat spend is not positive (left out of the Gamma-Gamma fit, valued at
        the population mean spend).
    """
    _, r = purchase_days(transactions, end=end)
    summary = compute_summary(transactions, end=end, time_unit=time_unit) if r["purchase_days"] else None
    non_positive = 0 if summary is None else int(((summary["frequency"] > 0) & (summary["monetary_value"] <= 0)).sum())
    nan = float("nan")
    rows = [
        ("transaction rows up to the end date", r["rows"], nan),
        ("purchase rows (amount >= 0)", r["purchase_rows"], r["gross_amount"]),
        ("purchase days (same-day purchases merged)", r["purchase_days"], nan),
        ("credit-note rows netted against the customer's purchases", r["credit_rows_netted"], r["credit_amount_netted"]),
        ("credit-note rows before the customer's first purchase (left out)", r["credit_rows_unmatched"], r["credit_amount_unmatched"]),
        ("of which zero-amount rows (purchases of no value)", r["zero_rows"], nan),
        ("customers with at least one purchase", r["customers_with_purchase"], nan),
        ("customers without any purchase (left out)", r["customers"] - r["customers_with_purchase"], nan),
        ("repeat customers whose net repeat spend is not positive (valued at the mean spend)", non_positive, nan),
    ]
    out = pd.DataFrame(rows, columns=["item", "count", "amount"])
    return out.astype({"count": "int64", "amount": "float64"})


def resolve_calibration_end(calibration_end: Any, *, start: pd.Timestamp, end: pd.Timestamp) -> pd.Timestamp:
    """The calibration end: as given, or (None) ``end`` minus a third of the period's calendar months.

    A 36-month period ending 2024-12-31 is calibrated to 2023-12-31 and holds out the last 12 months
    (calendar months, :func:`workbench.periods.add_months`; at least one).

    Parameters
    ----------
    calibration_end
        A date (anything ``pd.Timestamp`` reads) or None for the default.
    start, end
        The analysis period (both days included).

    Returns
    -------
    pd.Timestamp
        The last day of the calibration period.

    Raises
    ------
    ValueError
        The date is not strictly between ``start`` and ``end``.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if calibration_end is None:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return add_months(end, -max(1, months // 3))
    cal = pd.Timestamp(calibration_end)
    if not start < cal < end:
        raise ValueError(
            f"calibration_end {cal:%Y-%m-%d} must fall strictly inside the period {start:%Y-%m-%d} to {end:%Y-%m-%d}; "
            "set clv.calibration_end to a date that leaves a holdout, or remove it for the default"
        )
    return cal


def compute_calibration_holdout(
    transactions: pd.DataFrame, *, calibration_end: pd.Timestamp, end: pd.Timestamp, time_unit: str = "week", seasonality: Seasonality | None = None
) -> pd.DataFrame:
    """The calibration summary of the customers seen by ``calibration_end``, and their holdout purchases.

    ``seasonality`` (None: calendar time) measures recency, T and the holdout's duration in seasonal
    time; estimate it on the calibration period only (``end=calibration_end``), so the holdout stays unseen.

    Returns
    -------
    pd.DataFrame
        The columns of :func:`compute_summary` taken at ``calibration_end`` (so a calibration fit uses
        the same functions as a full fit), plus ``frequency_holdout`` (purchase days after
        ``calibration_end`` up to ``end``, int) and ``duration_holdout`` (time units, calendar or seasonal).

    Raises
    ------
    ValueError
        ``calibration_end`` is not before ``end``, or as :func:`compute_summary`.
    """
    cal_end, end = pd.Timestamp(calibration_end), pd.Timestamp(end)
    if cal_end >= end:
        raise ValueError(f"calibration_end {cal_end:%Y-%m-%d} must be before the end {end:%Y-%m-%d}; leave a holdout period")
    summary = compute_summary(transactions, end=cal_end, time_unit=time_unit, seasonality=seasonality)
    days, _ = purchase_days(transactions, end=end)
    holdout = days.loc[days["date"] > cal_end].groupby("customer_id").size()
    summary["frequency_holdout"] = summary["customer_id"].map(holdout).fillna(0).astype("int64").to_numpy()
    held = (end - cal_end).days if seasonality is None else float(seasonality.elapsed_days(cal_end, end)[0])
    summary["duration_holdout"] = held / unit_days(time_unit)
    return summary


def load_cdnow_sample() -> pd.DataFrame:
    """The CDNOW sample shipped with lifetimes (2,357 customers, 1997-01-01 to 1998-06-30) as canonical transactions.

    Returns
    -------
    pd.DataFrame
        ``customer_id`` (text), ``date`` (datetime), ``amount`` (USD), one row per line of the file.
    """
    path = files("lifetimes") / "datasets" / "CDNOW_sample.txt"
    with path.open("r") as handle:
        raw = pd.read_csv(
            handle,
            sep=r"\s+",
            header=None,
            names=["master_id", "customer_id", "date", "cds", "amount"],
            dtype={"master_id": "str", "customer_id": "str", "date": "str"},
        )
    return pd.DataFrame({"customer_id": raw["customer_id"], "date": pd.to_datetime(raw["date"], format="%Y%m%d"), "amount": raw["amount"].astype("float64")})


def check_summary(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    """Raise a ValueError naming the missing columns of ``frame``, or that it has no customer."""
    require_columns(frame, columns, name=name, fix="build it with compute_summary or compute_calibration_holdout")
    if frame.empty:
        raise ValueError(f"{name}: no customer; check the period and the transactions")


def not_applicable_reason(transactions: pd.DataFrame, *, end: pd.Timestamp, min_repeat_customers: int = 10) -> str | None:
    """Why purchase models cannot be fitted on these transactions, in plain language; None when they can.

    Parameters
    ----------
    transactions
        ``customer_id, date, amount``.
    end
        The reference date.
    min_repeat_customers
        Fewest customers with a repeat purchase day needed to fit a purchase model.
    """
    days, _ = purchase_days(transactions, end=end)
    if days.empty:
        return f"there is no purchase (a non-negative amount) on or before {pd.Timestamp(end):%Y-%m-%d}"
    repeat = int((days.groupby("customer_id").size() > 1).sum())
    if repeat < min_repeat_customers:
        return f"only {repeat} customer(s) bought on more than one day; a purchase model needs at least {min_repeat_customers}"
    return None
