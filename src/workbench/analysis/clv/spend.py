"""What the CLV is valued on (margin or revenue), the holdout check of spend and ranking, left truncation.

- :func:`value_basis` and :func:`compute_margin_rates`: the CLV is on margin when the transactions
  have a ``margin`` column (each customer's own net margin / net revenue), otherwise on
  ``margin_rate`` x revenue when a rate is given, otherwise on revenue (and labelled so).
- :func:`compute_spend_holdout`: the calibration fits' forecast of each customer's value over the
  holdout (expected purchases x expected spend x margin rate, undiscounted) against what happened, and
  against a naive forecast, the customer's value over the last stretch of the calibration period of
  the holdout's length carried forward. Totals, per-customer MAE, Spearman rank correlation, and
  top-decile capture (the share of the actual holdout value made by the tenth of customers with the
  highest forecast).
- :func:`flag_left_truncated`: customers whose first purchase is the export's first day may have
  bought before it; their age T and frequency are then too short.

Units: money in the client's currency; rates, shares and correlations are fractions (-1 to 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis.clv.fit import ModelFit
from workbench.analysis.clv.forecast import expected_spend
from workbench.analysis.clv.validate import expected_holdout

#: Labels of :func:`value_basis`.
VALUE_BASES = {"margin": "gross margin (the margin column)", "margin_rate": "revenue x the margin_rate parameter", "revenue": "net revenue (no margin known)"}
#: Row labels (``forecast``) of :func:`compute_spend_holdout` as the page shows them.
SPEND_CHECK_FORECASTS = {
    "model": "model (calibration fits)",
    "naive": "naive: last period carried forward",
    "actual": "perfect foresight (reference)",
}
#: Column labels of :func:`compute_spend_holdout` as the page shows them.
SPEND_CHECK_LABELS = {
    "forecast": "forecast",
    "actual": "actual total",
    "predicted": "forecast total",
    "error": "error",
    "relative_error": "error (%)",
    "mae": "MAE per customer",
    "spearman": "Spearman rank correlation",
    "top_decile_capture": "top-decile capture",
}
SPEND_CHECK_COLUMNS = ["forecast", "customers", "actual", "predicted", "error", "relative_error", "mae", "spearman", "top_decile_capture"]


def value_basis(transactions: pd.DataFrame, *, margin_rate: float | None) -> str:
    """``margin`` when the transactions have a non-empty ``margin`` column, else ``margin_rate`` when a rate is given, else ``revenue``.

    Parameters
    ----------
    transactions
        Canonical transactions.
    margin_rate
        The ``clv.margin_rate`` parameter (fraction) or None.

    Returns
    -------
    str
        A key of :data:`VALUE_BASES`.
    """
    if "margin" in transactions and transactions["margin"].notna().any():
        return "margin"
    return "revenue" if margin_rate is None else "margin_rate"


def compute_margin_rates(transactions: pd.DataFrame, *, end: pd.Timestamp, margin_rate: float | None = None) -> pd.Series:
    """Margin rate of each customer: net margin / net revenue of its rows up to ``end``.

    On the ``margin`` basis (:func:`value_basis`) a customer's rate is the sum of its margins over
    the sum of its amounts (credit notes included, rows without margin left out of both sums); a
    customer whose net revenue is not positive gets the rate of the whole portfolio. Rates are clipped
    to [-1, 1] (a customer with almost no net revenue left can otherwise get an absurd rate). On the
    ``margin_rate`` basis every customer gets ``margin_rate``; on the ``revenue`` basis, 1.

    Parameters
    ----------
    transactions
        Canonical transactions (``customer_id``, ``date``, ``amount``, optional ``margin``).
    end
        Last day used (included).
    margin_rate
        Rate used without a margin column (fraction), or None.

    Returns
    -------
    pd.Series
        ``margin_rate`` (fraction) by ``customer_id``, every customer with a row up to ``end``.
    """
    rows = transactions.loc[transactions["date"] <= pd.Timestamp(end)]
    customers = pd.Index(rows["customer_id"].unique(), name="customer_id")
    basis = value_basis(transactions, margin_rate=margin_rate)
    if basis != "margin":
        return pd.Series(1.0 if basis == "revenue" else float(margin_rate), index=customers, name="margin_rate")
    known = rows.loc[rows["margin"].notna()]
    sums = known.groupby("customer_id")[["amount", "margin"]].sum().reindex(customers, fill_value=0.0)
    overall = known["margin"].sum() / known["amount"].sum() if known["amount"].sum() > 0 else 0.0
    rate = (sums["margin"] / sums["amount"].where(sums["amount"] > 0)).fillna(overall).clip(-1.0, 1.0)
    return rate.rename("margin_rate")


def customer_value(transactions: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp, margin_rate: float | None = None) -> pd.Series:
    """Each customer's net value over ``start`` < date <= ``end``, on the basis of :func:`value_basis`.

    Returns
    -------
    pd.Series
        Currency, by ``customer_id`` (customers with rows in the window only): sum of margins, of
        amounts x ``margin_rate``, or of amounts, credit notes included.
    """
    rows = transactions.loc[(transactions["date"] > pd.Timestamp(start)) & (transactions["date"] <= pd.Timestamp(end))]
    basis = value_basis(transactions, margin_rate=margin_rate)
    value = rows["margin"].fillna(0.0) if basis == "margin" else rows["amount"] * (1.0 if basis == "revenue" else float(margin_rate))
    return value.groupby(rows["customer_id"]).sum()


def _scores(predicted: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    order = np.argsort(-predicted, kind="stable")
    top = order[: max(1, int(np.ceil(len(order) / 10)))]
    total = float(actual.sum())
    spearman = float(pd.Series(predicted).corr(pd.Series(actual), method="spearman")) if len(actual) > 2 else float("nan")
    return {
        "customers": len(actual),
        "actual": total,
        "predicted": float(predicted.sum()),
        "error": float(predicted.sum() - total),
        "relative_error": float(predicted.sum() / total - 1) if total else float("nan"),
        "mae": float(np.abs(predicted - actual).mean()),
        "spearman": spearman,
        "top_decile_capture": float(actual[top].sum() / total) if total else float("nan"),
    }


def compute_spend_holdout(
    transactions: pd.DataFrame,
    calibration: pd.DataFrame,
    purchase: ModelFit,
    gg: ModelFit,
    *,
    calibration_end: pd.Timestamp,
    end: pd.Timestamp,
    margin_rate: float | None = None,
) -> pd.DataFrame:
    """Holdout value per customer: the calibration fits and a naive forecast against what happened.

    Parameters
    ----------
    transactions
        Canonical transactions up to ``end``.
    calibration
        From :func:`~workbench.analysis.clv.prepare.compute_calibration_holdout` (its customers are the ones checked).
    purchase, gg
        The purchase model and the Gamma-Gamma model fitted on ``calibration``.
    calibration_end, end
        Last day of the calibration period and of the holdout.
    margin_rate
        The ``clv.margin_rate`` parameter (see :func:`value_basis`).

    Returns
    -------
    pd.DataFrame
        Three rows, ``forecast`` = ``model`` (expected holdout purchases x expected spend per purchase
        x margin rate as of ``calibration_end``, undiscounted), ``naive`` (the customer's value over the
        last days of the calibration period, as many as the holdout has, carried forward) and ``actual``
        (the actual values as a forecast: the best possible ranking, for reference); ``customers``,
        ``actual`` and ``predicted`` (totals, currency), ``error`` (predicted - actual), ``relative_error``
        (fraction), ``mae`` (currency per customer), ``spearman`` (-1 to 1), ``top_decile_capture`` (0-1).
    """
    cal_end, end = pd.Timestamp(calibration_end), pd.Timestamp(end)
    ids = calibration["customer_id"]
    spend, _ = expected_spend(calibration, gg)
    rates = ids.map(compute_margin_rates(transactions, end=cal_end, margin_rate=margin_rate)).fillna(1.0).to_numpy()
    model = expected_holdout(calibration, purchase) * spend * rates
    actual = ids.map(customer_value(transactions, start=cal_end, end=end, margin_rate=margin_rate)).fillna(0.0).to_numpy()
    window = pd.Timedelta(days=(end - cal_end).days)
    naive = ids.map(customer_value(transactions, start=cal_end - window, end=cal_end, margin_rate=margin_rate)).fillna(0.0).to_numpy()
    rows = [{"forecast": name, **_scores(np.asarray(pred, dtype=float), actual)} for name, pred in (("model", model), ("naive", naive), ("actual", actual))]
    return pd.DataFrame(rows, columns=SPEND_CHECK_COLUMNS)


def flag_left_truncated(summary: pd.DataFrame, *, export_start: pd.Timestamp) -> pd.Series:
    """True for customers whose first purchase is the export's first day (they may have bought before it).

    Parameters
    ----------
    summary
        ``customer_id`` and ``first_purchase`` per customer.
    export_start
        First date of the transactions the models see.

    Returns
    -------
    pd.Series
        Boolean, aligned with ``summary``.
    """
    return summary["first_purchase"].dt.normalize() == pd.Timestamp(export_start).normalize()
