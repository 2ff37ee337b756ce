"""Forward-looking CLV figures: P(alive), expected purchases, discounted CLV, by group, at risk, grids.

Units: expected purchases are purchase days over the horizon; CLV and spends are in the client's
currency (CLV discounted, net revenue, not margin); probabilities and shares are fractions 0-1. The
horizon counts months of :data:`workbench.periods.DAYS_PER_MONTH` (365.25 / 12 days), a unit of measure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import formatting
from workbench.analysis.clv.fit import ModelFit
from workbench.analysis.clv.prepare import check_summary, months_to_units


def clv_labels(currency: str, *, top_share: float = 0.2) -> dict[str, str]:
    """Column labels of the CLV tables (:func:`compute_clv`, :func:`compute_clv_summary`, :func:`compute_clv_by_group`, :func:`compute_at_risk`).

    Parameters
    ----------
    currency
        The client's currency, shown after each amount's label.
    top_share
        The ``top_share`` given to :func:`compute_clv_summary` (fraction 0-1).

    Returns
    -------
    dict[str, str]
        Column name to label; columns a table does not have are ignored by ``DataFrame.rename``.
    """
    return {
        "clv": f"CLV ({currency})",
        "clv_total": f"total CLV ({currency})",
        "clv_mean": f"mean ({currency})",
        "clv_median": f"median ({currency})",
        "clv_p90": f"90th percentile ({currency})",
        "clv_share": "share of CLV",
        "top_share_of_clv": f"share held by the top {formatting.percent(top_share, 0)}",
        "p_alive": "P(alive)",
        "p_alive_mean": "mean P(alive)",
        "expected_purchases": "expected purchase days",
        "expected_purchases_mean": "expected purchase days",
        "expected_spend": f"expected spend per purchase ({currency})",
        "frequency": "repeat purchase days",
        "last_purchase": "last purchase",
        "total_spend": f"net spend to date ({currency})",
    }


def compute_clv(
    summary: pd.DataFrame, bgnbd: ModelFit, gg: ModelFit, *, time_unit: str = "week", horizon_months: int = 24, annual_discount_rate: float = 0.10
) -> pd.DataFrame:
    """P(alive), expected purchases, expected spend and discounted CLV per customer over the horizon.

    CLV = expected spend per purchase x sum over months k = 1..horizon of the expected purchases in
    month k (BG/NBD conditional expectations, months of 365.25 / 12 days) discounted by
    ``(1 + annual_discount_rate) ** (-k / 12)``. Expected spend is the Gamma-Gamma conditional mean
    for repeat customers with a positive spend, the population mean ``p v / (q - 1)`` otherwise.

    Returns
    -------
    pd.DataFrame
        The columns of ``summary`` then ``p_alive`` (0-1), ``expected_purchases`` (purchase days over
        the horizon), ``expected_spend`` (currency per purchase), ``clv`` (discounted, currency).

    Raises
    ------
    ValueError
        ``horizon_months`` < 1 or ``annual_discount_rate`` outside [0, 1).
    """
    check_summary(summary, ["frequency", "recency", "T", "monetary_value"], "summary")
    if horizon_months < 1:
        raise ValueError(f"horizon_months must be >= 1, got {horizon_months}; e.g. 24")
    if not 0 <= annual_discount_rate < 1:
        raise ValueError(f"annual_discount_rate must be a fraction in [0, 1), got {annual_discount_rate}; e.g. 0.10 for 10 %")
    model = bgnbd.model
    x, tx, age = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    m = summary["monetary_value"].to_numpy(dtype=float)
    months = np.arange(horizon_months + 1)
    horizons = months_to_units(months, time_unit=time_unit)
    predict = model.conditional_expected_number_of_purchases_up_to_time
    cumulative = np.column_stack([np.zeros(len(x))] + [np.asarray(predict(h, x, tx, age), dtype=float) for h in horizons[1:]])
    discount = (1 + annual_discount_rate) ** (-months[1:] / 12)
    own = (x > 0) & (m > 0)
    spend = np.asarray(gg.model.conditional_expected_average_profit(np.where(own, x, 0.0), np.where(own, m, 0.0)), dtype=float)
    out = summary.copy()
    out["p_alive"] = np.asarray(model.conditional_probability_alive(x, tx, age), dtype=float)
    out["expected_purchases"] = cumulative[:, -1]
    out["expected_spend"] = spend
    out["clv"] = spend * (np.diff(cumulative, axis=1) * discount).sum(axis=1)
    return out


def compute_clv_summary(clv: pd.DataFrame, *, top_share: float = 0.2) -> pd.DataFrame:
    """Headline figures of the CLV distribution.

    Returns
    -------
    pd.DataFrame
        One row: ``customers``, ``clv_total``, ``clv_mean``, ``clv_median``, ``clv_p90`` (currency),
        ``top_share_of_clv`` (fraction of total CLV held by the top ``top_share`` of customers),
        ``expected_purchases`` (total over the horizon), ``p_alive_mean`` (0-1).
    """
    values = np.sort(clv["clv"].to_numpy(dtype=float))[::-1]
    n_top = max(1, int(np.ceil(top_share * len(values))))
    total = float(values.sum())
    return pd.DataFrame(
        {
            "customers": [len(values)],
            "clv_total": [total],
            "clv_mean": [float(values.mean())],
            "clv_median": [float(np.median(values))],
            "clv_p90": [float(np.quantile(values, 0.9))],
            "top_share_of_clv": [float(values[:n_top].sum()) / total if total else float("nan")],
            "expected_purchases": [float(clv["expected_purchases"].sum())],
            "p_alive_mean": [float(clv["p_alive"].mean())],
        }
    )


def compute_clv_by_group(clv: pd.DataFrame, groups: pd.Series, *, missing: str = "(unknown)") -> pd.DataFrame:
    """CLV by a grouping of customers (status, typology, RFM segment, value class, ...).

    Parameters
    ----------
    clv
        From :func:`compute_clv`.
    groups
        Group label of each customer, indexed by ``customer_id``. Customers absent from it, or with
        an empty label, fall in the group ``missing``.

    Returns
    -------
    pd.DataFrame
        ``group, customers, clv_total, clv_mean, clv_median`` (currency), ``clv_share`` (fraction of
        total CLV), ``p_alive_mean`` (0-1), ``expected_purchases_mean`` (per customer over the horizon);
        largest ``clv_total`` first.

    Raises
    ------
    ValueError
        ``groups`` has duplicate customer ids.
    """
    if groups.index.has_duplicates:
        raise ValueError("groups: customer_id appears more than once in the index; pass one label per customer")
    label = clv["customer_id"].map(groups).astype("object")
    frame = clv.assign(group=label.where(label.notna() & (label.astype(str) != ""), missing).astype(str))
    grouped = frame.groupby("group")
    out = grouped.agg(
        customers=("clv", "size"),
        clv_total=("clv", "sum"),
        clv_mean=("clv", "mean"),
        clv_median=("clv", "median"),
        p_alive_mean=("p_alive", "mean"),
        expected_purchases_mean=("expected_purchases", "mean"),
    ).reset_index()
    total = out["clv_total"].sum()
    out.insert(5, "clv_share", out["clv_total"] / total if total else float("nan"))
    out["customers"] = out["customers"].astype("int64")
    return out.sort_values(["clv_total", "group"], ascending=[False, True], kind="stable").reset_index(drop=True)


def compute_at_risk(clv: pd.DataFrame, *, min_clv_quantile: float = 0.8, max_p_alive: float = 0.5) -> pd.DataFrame:
    """High-value customers at risk: CLV at or above its ``min_clv_quantile`` and P(alive) at or below ``max_p_alive``.

    Returns
    -------
    pd.DataFrame
        ``customer_id, clv`` (currency), ``p_alive`` (0-1), ``expected_purchases``, ``expected_spend``
        (currency), ``frequency``, ``last_purchase``, ``total_spend`` (currency), largest CLV first.

    Raises
    ------
    ValueError
        A threshold outside [0, 1).
    """
    for name, value in (("min_clv_quantile", min_clv_quantile), ("max_p_alive", max_p_alive)):
        if not 0 <= value < 1:
            raise ValueError(f"{name} must be a fraction in [0, 1), got {value}")
    threshold = clv["clv"].quantile(min_clv_quantile)
    picked = clv.loc[(clv["clv"] >= threshold) & (clv["p_alive"] <= max_p_alive)]
    cols = ["customer_id", "clv", "p_alive", "expected_purchases", "expected_spend", "frequency", "last_purchase", "total_spend"]
    return picked[cols].sort_values(["clv", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def compute_matrix(bgnbd: ModelFit, summary: pd.DataFrame, *, kind: str = "p_alive", horizon: float = 1.0, max_frequency: int | None = None) -> pd.DataFrame:
    """P(alive) or expected purchases on a grid of frequency x recency, for a customer of the oldest age.

    Parameters
    ----------
    kind
        ``p_alive`` (0-1) or ``expected_purchases`` (over ``horizon`` time units).
    max_frequency
        Largest frequency shown; default the 95th percentile of ``summary.frequency`` (at least 5).

    Returns
    -------
    pd.DataFrame
        Rows: recency 0..T (whole time units, T = the largest age in ``summary``); columns: frequency
        0..max_frequency. Impossible cells (no repeat purchase but a recency above 0) are NaN.

    Raises
    ------
    ValueError
        Unknown ``kind``.
    """
    if kind not in ("p_alive", "expected_purchases"):
        raise ValueError(f"kind {kind!r} is not supported; use 'p_alive' or 'expected_purchases'")
    fmax = max_frequency if max_frequency is not None else max(5, int(np.ceil(summary["frequency"].quantile(0.95))))
    age = float(np.floor(summary["T"].max()))
    rec, freq = np.meshgrid(np.arange(age + 1), np.arange(fmax + 1), indexing="ij")
    if kind == "p_alive":
        values = bgnbd.model.conditional_probability_alive(freq, rec, age)
    else:
        values = bgnbd.model.conditional_expected_number_of_purchases_up_to_time(horizon, freq, rec, age)
    values = np.where((freq == 0) & (rec > 0), np.nan, np.asarray(values, dtype=float).reshape(rec.shape))
    return pd.DataFrame(values, index=pd.Index(np.arange(int(age) + 1), name="recency"), columns=pd.Index(np.arange(fmax + 1), name="frequency"))
