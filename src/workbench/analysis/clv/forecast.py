"""Forward-looking CLV figures: P(alive), expected purchases, discounted CLV, by group, at risk, grids.

The purchase model is any of :data:`~workbench.analysis.clv.fit.PURCHASE_MODELS` (they share
lifetimes' method names). The CLV is on margin when margin rates are given (see
:func:`~workbench.analysis.clv.spend.compute_margin_rates`), on net revenue otherwise.

Spend per purchase (:func:`expected_spend`): the Gamma-Gamma conditional mean
``p (v + x m) / (p x + q - 1)`` of a customer with x repeat purchases of mean net spend m. A repeat
customer whose net repeat spend is not positive (everything returned) enters with m = 0: the model
then weighs that zero against the population mean by the number of purchases, ``p v / (p x + q - 1)``,
instead of giving the population mean (which would value a customer who returns everything like an
average one). A customer without repeat purchase gets the population mean ``p v / (q - 1)``: the model
knows nothing of the customer's repeat spend (the first purchase is not used, as in the model).

Units: expected purchases are purchase days over the horizon; CLV and spends are in the client's
currency (CLV discounted); margin rates, probabilities and shares are fractions 0-1. The
horizon counts months of :data:`workbench.periods.DAYS_PER_MONTH` (365.25 / 12 days), a unit of measure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import formatting
from workbench.analysis.clv.fit import ModelFit
from workbench.analysis.clv.prepare import check_summary, months_to_units
from workbench.analysis.clv.season import Seasonality


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
        "clv_low": f"CLV low ({currency})",
        "clv_high": f"CLV high ({currency})",
        "clv_revenue": f"CLV on revenue ({currency})",
        "margin_rate": "margin rate",
        "spend_basis": "spend per purchase from",
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


#: ``spend_basis`` of :func:`expected_spend`.
SPEND_BASES = {
    "own": "own repeat spend (Gamma-Gamma)",
    "zero": "net repeat spend not positive: Gamma-Gamma with a mean spend of 0",
    "population": "no repeat purchase: population mean",
}


def expected_spend(summary: pd.DataFrame, gg: ModelFit) -> tuple[np.ndarray, np.ndarray]:
    """Expected net spend per future purchase of each customer, and where it comes from (see the module docstring).

    Parameters
    ----------
    summary
        ``frequency`` and ``monetary_value`` (mean net repeat spend, currency) per customer.
    gg
        Gamma-Gamma fit.

    Returns
    -------
    tuple[np.ndarray, np.ndarray]
        Spend per purchase (currency) and its basis, a key of :data:`SPEND_BASES`.
    """
    x = summary["frequency"].to_numpy(dtype=float)
    m = summary["monetary_value"].to_numpy(dtype=float)
    spend = np.asarray(gg.model.conditional_expected_average_profit(x, np.clip(m, 0.0, None)), dtype=float)
    basis = np.where(x == 0, "population", np.where(m > 0, "own", "zero"))
    return spend, basis


def compute_clv(
    summary: pd.DataFrame,
    bgnbd: ModelFit,
    gg: ModelFit,
    *,
    time_unit: str = "week",
    horizon_months: int = 24,
    annual_discount_rate: float = 0.10,
    margin_rates: pd.Series | None = None,
    seasonality: Seasonality | None = None,
) -> pd.DataFrame:
    """P(alive), expected purchases, expected spend and discounted CLV per customer over the horizon.

    CLV = margin rate x expected spend per purchase x sum over months k = 1..horizon of the expected
    purchases in month k (the purchase model's conditional expectations, months of 365.25 / 12 days)
    discounted by ``(1 + annual_discount_rate) ** (-k / 12)``. Expected spend: :func:`expected_spend`.

    Parameters
    ----------
    summary
        From :func:`~workbench.analysis.clv.prepare.compute_summary`.
    bgnbd
        The purchase model (BG/NBD, MBG/NBD or Pareto/NBD) fitted on ``summary``.
    gg
        The Gamma-Gamma fit.
    margin_rates
        Margin rate of each customer (fraction), indexed by ``customer_id``; None: the CLV is on revenue (rate 1).
    seasonality
        The seasonality whose seasonal time ``summary`` is measured in (the month ends of the horizon
        are then converted to it, from its ``end``); None: calendar time.

    Returns
    -------
    pd.DataFrame
        The columns of ``summary`` then ``p_alive`` (0-1), ``expected_purchases`` (purchase days over
        the horizon), ``expected_spend`` (net revenue per purchase, currency), ``spend_basis`` (key of
        :data:`SPEND_BASES`), ``margin_rate`` (fraction; 1 on revenue), ``clv_revenue`` (discounted net
        revenue, currency) and ``clv`` (discounted margin, or revenue without margin rates, currency).

    Raises
    ------
    ValueError
        ``horizon_months`` < 1, ``annual_discount_rate`` outside [0, 1), or a customer without margin rate.
    """
    check_summary(summary, ["frequency", "recency", "T", "monetary_value"], "summary")
    if horizon_months < 1:
        raise ValueError(f"horizon_months must be >= 1, got {horizon_months}; e.g. 24")
    if not 0 <= annual_discount_rate < 1:
        raise ValueError(f"annual_discount_rate must be a fraction in [0, 1), got {annual_discount_rate}; e.g. 0.10 for 10 %")
    model = bgnbd.model
    x, tx, age = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    months = np.arange(horizon_months + 1)
    horizons = months_to_units(months, time_unit=time_unit) if seasonality is None else seasonality.horizon_units(months, time_unit=time_unit)
    predict = model.conditional_expected_number_of_purchases_up_to_time
    cumulative = np.column_stack([np.zeros(len(x))] + [np.asarray(predict(h, x, tx, age), dtype=float) for h in horizons[1:]])
    discount = (1 + annual_discount_rate) ** (-months[1:] / 12)
    spend, basis = expected_spend(summary, gg)
    rate = np.ones(len(x)) if margin_rates is None else summary["customer_id"].map(margin_rates).to_numpy(dtype=float)
    if np.isnan(rate).any():
        raise ValueError("margin_rates: some customers of the summary have no margin rate; build them with compute_margin_rates on the same transactions")
    out = summary.copy()
    out["p_alive"] = np.asarray(model.conditional_probability_alive(x, tx, age), dtype=float)
    out["expected_purchases"] = cumulative[:, -1]
    out["expected_spend"] = spend
    out["spend_basis"] = basis
    out["margin_rate"] = rate
    out["clv_revenue"] = spend * (np.diff(cumulative, axis=1) * discount).sum(axis=1)
    out["clv"] = out["clv_revenue"] * rate
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
    f, r, t = freq.ravel().astype(float), rec.ravel().astype(float), np.full(freq.size, age)  # flat: Pareto/NBD's formulas index 1-D arrays
    if kind == "p_alive":
        values = bgnbd.model.conditional_probability_alive(f, r, t)
    else:
        values = bgnbd.model.conditional_expected_number_of_purchases_up_to_time(horizon, f, r, t)
    values = np.where((freq == 0) & (rec > 0), np.nan, np.asarray(values, dtype=float).reshape(rec.shape))
    return pd.DataFrame(values, index=pd.Index(np.arange(int(age) + 1), name="recency"), columns=pd.Index(np.arange(fmax + 1), name="frequency"))


def compare_clv_by_group(values: dict[str, pd.DataFrame], groups: pd.Series, *, keep: list[str] | None = None) -> pd.DataFrame:
    """Mean CLV per customer of each group under several purchase models (what the model choice changes).

    Parameters
    ----------
    values
        :func:`compute_clv` frames by model name (same customers).
    groups
        Group label of each customer, indexed by ``customer_id``.
    keep
        Groups to show, in this order (default: all, by name).

    Returns
    -------
    pd.DataFrame
        ``group``, ``customers``, ``one_time_buyers`` (share without repeat purchase, 0-1), then one
        column per model name: mean CLV per customer (currency), and ``p_alive <model name>`` (mean, 0-1).
    """
    first = next(iter(values.values()))
    label = first["customer_id"].map(groups).astype("object")
    frame = pd.DataFrame({"group": label.to_numpy(), "one_time": (first["frequency"] == 0).to_numpy()})
    for name, clv in values.items():
        frame[name] = clv["clv"].to_numpy()
        frame[f"p_alive {name}"] = clv["p_alive"].to_numpy()
    grouped = frame.dropna(subset=["group"]).groupby("group")
    out = grouped.agg(customers=("one_time", "size"), one_time_buyers=("one_time", "mean"))
    for name in values:
        out[name] = grouped[name].mean()
    for name in values:
        out[f"p_alive {name}"] = grouped[f"p_alive {name}"].mean()
    out = out.reindex(keep) if keep is not None else out.sort_index()
    out["customers"] = out["customers"].fillna(0).astype("int64")
    return out.rename_axis("group").reset_index()
