"""Customer lifetime value (notebook ``04_clv``): BG/NBD + Gamma-Gamma, fitted with lifetimes.

Every call to lifetimes lives in this module. The steps:

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
2. **Summary per customer** in a time unit (day, week or month of 365.25 / 12 days) at daily
   resolution: ``frequency`` (repeat purchase days), ``recency`` (first to last purchase), ``T``
   (first purchase to the end date) and ``monetary_value`` (mean net spend of the repeat purchase
   days), as lifetimes' ``summary_data_from_transaction_data`` with ``freq="D"`` and
   ``freq_multiplier`` = days per unit (the convention that reproduces the published CDNOW fit).
3. **Fits** (:func:`fit_bgnbd`, :func:`fit_gamma_gamma`): on the distinct (frequency, recency, T)
   rows with weights, with retry policies (:data:`RETRY_POLICY`, :data:`GG_RETRY_POLICY`); the
   log-likelihood is the total, natural-scale, unpenalised one; standard errors come from lifetimes' exact (autograd)
   Hessian by the delta method.
4. **Validation** on a holdout; **forward-looking** P(alive), expected purchases and CLV.

Units: recency, T, durations and rates are in the chosen time unit; money is in the client's
currency; probabilities and shares are fractions 0-1.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

with warnings.catch_warnings():
    # lifetimes sets pandas' chained_assignment option (a deprecated no-op in pandas 3) and a global
    # FutureWarning filter at import; the context keeps both warnings and filter changes local.
    warnings.simplefilter("ignore")
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

from workbench.data.validation import require_columns

DAYS_PER_MONTH = 365.25 / 12
UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": DAYS_PER_MONTH}
SUMMARY_COLUMNS = ["customer_id", "first_purchase", "last_purchase", "frequency", "recency", "T", "monetary_value",
                   "repeat_spend", "total_spend"]
#: Attempts of the BG/NBD fit, in order: (optimizer tolerance, penalizer). ``None`` keeps the
#: penalizer asked for; the last attempt adds a small penalizer (0.001) when none was asked
#: (lifetimes penalises BG/NBD parameters on a rescaled time axis, so 0.001 is small).
RETRY_POLICY: tuple[tuple[float, float | None], ...] = ((1e-7, None), (1e-4, None), (1e-4, 0.001))
#: Attempts of the Gamma-Gamma fit: tolerance only. lifetimes penalises ``v`` in currency units, so
#: any penalizer swamps the likelihood at B2B amounts (0.001 * 1500 ** 2 = 2250 per customer).
GG_RETRY_POLICY: tuple[tuple[float, float | None], ...] = ((1e-7, None), (1e-4, None))
Z_95 = 1.959963984540054


class ClvFitError(ValueError):
    """A model did not converge after every attempt of :data:`RETRY_POLICY`."""


# ---------------------------------------------------------------- data preparation
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


def _check_transactions(transactions: pd.DataFrame) -> None:
    require_columns(transactions)
    if not pd.api.types.is_datetime64_any_dtype(transactions["date"]):
        raise ValueError(f"transactions: column date has dtype {transactions['date'].dtype}; convert it with pd.to_datetime first")


def _purchase_days(transactions: pd.DataFrame, *, end: pd.Timestamp) -> tuple[pd.DataFrame, dict[str, float]]:
    """Purchase days with net value (``customer_id, date, value``) and what the netting did."""
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


def compute_summary(transactions: pd.DataFrame, *, end: pd.Timestamp, time_unit: str = "week") -> pd.DataFrame:
    """Frequency, recency, T and repeat spend per customer, as of ``end``.

    Parameters
    ----------
    transactions
        Canonical transactions (``customer_id``, ``date``, ``amount``); rows after ``end`` are ignored.
    end
        The date the summary is taken at (included): the reference date, or the calibration end.
    time_unit
        ``day``, ``week`` or ``month`` (365.25 / 12 days); dates keep a daily resolution.

    Returns
    -------
    pd.DataFrame
        One row per customer with at least one purchase day, by ``customer_id``:
        ``first_purchase``, ``last_purchase`` (dates), ``frequency`` (repeat purchase days, int),
        ``recency`` and ``T`` (time units), ``monetary_value`` (mean net spend per repeat purchase
        day, currency, each day scaled by the customer's net-to-gross ratio; 0 without repeat purchase), ``repeat_spend`` (net spend of the repeat
        purchase days, currency), ``total_spend`` (net spend of every purchase day, currency).

    Raises
    ------
    ValueError
        Missing columns, a non-datetime ``date``, an unknown ``time_unit``, or no purchase up to ``end``.
    """
    multiplier = unit_days(time_unit)
    days, _ = _purchase_days(transactions, end=end)
    if days.empty:
        raise ValueError(f"transactions: no purchase (amount >= 0) on or before {pd.Timestamp(end):%Y-%m-%d}; check the period and the amounts")
    summary = summary_data_from_transaction_data(
        days, "customer_id", "date", monetary_value_col="value", observation_period_end=pd.Timestamp(end),
        freq="D", freq_multiplier=multiplier)
    summary.index = summary.index.astype(days["customer_id"].dtype)
    spans = days.groupby("customer_id").agg(first_purchase=("date", "min"), last_purchase=("date", "max"),
                                            total_spend=("value", "sum"))
    out = spans.join(summary, how="inner").rename_axis("customer_id").reset_index()
    out["frequency"] = out["frequency"].round().astype("int64")
    out["repeat_spend"] = out["monetary_value"] * out["frequency"]
    return out[SUMMARY_COLUMNS].sort_values("customer_id", kind="stable").reset_index(drop=True)


def compute_preparation(transactions: pd.DataFrame, *, end: pd.Timestamp, time_unit: str = "week") -> pd.DataFrame:
    """How the transactions became purchase days: what was merged, netted, ignored or left out.

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
    _, r = _purchase_days(transactions, end=end)
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

    A 36-month period ending 2024-12-31 is calibrated to 2023-12-31 and holds out the last 12 months.

    Raises
    ------
    ValueError
        The date is not strictly between ``start`` and ``end``.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if calibration_end is None:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return end - pd.DateOffset(months=max(1, months // 3))
    cal = pd.Timestamp(calibration_end)
    if not start < cal < end:
        raise ValueError(f"calibration_end {cal:%Y-%m-%d} must fall strictly inside the period {start:%Y-%m-%d} to {end:%Y-%m-%d}; "
                         "set clv.calibration_end to a date that leaves a holdout, or remove it for the default")
    return cal


def compute_calibration_holdout(transactions: pd.DataFrame, *, calibration_end: pd.Timestamp, end: pd.Timestamp,
                                time_unit: str = "week") -> pd.DataFrame:
    """The calibration summary of the customers seen by ``calibration_end``, and their holdout purchases.

    Returns
    -------
    pd.DataFrame
        The columns of :func:`compute_summary` taken at ``calibration_end`` (so a calibration fit uses
        the same functions as a full fit), plus ``frequency_holdout`` (purchase days after
        ``calibration_end`` up to ``end``, int) and ``duration_holdout`` (time units).

    Raises
    ------
    ValueError
        ``calibration_end`` is not before ``end``, or as :func:`compute_summary`.
    """
    cal_end, end = pd.Timestamp(calibration_end), pd.Timestamp(end)
    if cal_end >= end:
        raise ValueError(f"calibration_end {cal_end:%Y-%m-%d} must be before the end {end:%Y-%m-%d}; leave a holdout period")
    summary = compute_summary(transactions, end=cal_end, time_unit=time_unit)
    days, _ = _purchase_days(transactions, end=end)
    holdout = days.loc[days["date"] > cal_end].groupby("customer_id").size()
    summary["frequency_holdout"] = summary["customer_id"].map(holdout).fillna(0).astype("int64").to_numpy()
    summary["duration_holdout"] = (end - cal_end).days / unit_days(time_unit)
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
        raw = pd.read_csv(handle, sep=r"\s+", header=None, names=["master_id", "customer_id", "date", "cds", "amount"],
                          dtype={"master_id": "str", "customer_id": "str", "date": "str"})
    return pd.DataFrame({"customer_id": raw["customer_id"], "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
                         "amount": raw["amount"].astype("float64")})


# ---------------------------------------------------------------- fits
@dataclass(frozen=True)
class ModelFit:
    """A fitted model and what the notebook shows about it.

    Attributes
    ----------
    name
        ``BG/NBD`` or ``Gamma-Gamma``.
    model
        The fitted lifetimes fitter.
    parameters
        ``parameter, estimate, std_error, ci_low, ci_high`` (95 %, estimate ± 1.96 SE). BG/NBD:
        ``r`` (no unit), ``alpha`` (time units), ``a``, ``b``; Gamma-Gamma: ``p``, ``q``, ``v`` (currency).
    covariance
        Covariance matrix of the estimates (delta method on lifetimes' Hessian in log parameters).
    log_likelihood
        Total log-likelihood of the data at the estimates, unpenalised, in natural units (not
        lifetimes' per-customer mean).
    n_customers
        Customers fitted.
    n_rows
        Distinct rows the optimiser saw (the weights count the customers of each row).
    tol, penalizer
        Optimiser tolerance and L2 penalty of the attempt that converged.
    attempts
        Each attempt that failed, with its tolerance, penalizer and error (empty when the first worked).
    warnings
        Plain-language notes the notebook shows (retries, non-invertible Hessian, infinite mean spend).
    """

    name: str
    model: Any
    parameters: pd.DataFrame
    covariance: pd.DataFrame
    log_likelihood: float
    n_customers: int
    n_rows: int
    tol: float
    penalizer: float
    attempts: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def params(self) -> dict[str, float]:
        """Estimates by name."""
        return dict(zip(self.parameters["parameter"], self.parameters["estimate"]))


def _fit_with_retries(name: str, make: Any, args: tuple, kwargs: dict, penalizer: float, n: int,
                      policy: tuple[tuple[float, float | None], ...]) -> tuple[Any, float, float, list[str]]:
    failures: list[str] = []
    for tol, retry_pen in policy:
        pen = penalizer if retry_pen is None else max(penalizer, retry_pen)
        try:
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore", RuntimeWarning)  # overflow in trial steps of the line search
                warnings.simplefilter("ignore", DeprecationWarning)  # scipy: lifetimes passes disp to L-BFGS-B
                model = make(pen).fit(*args, tol=tol, **kwargs)
            if not np.all(np.isfinite(model.params_.to_numpy())):
                raise ValueError("non-finite parameter estimates")
            return model, tol, pen, failures
        except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            failures.append(f"tol={tol:g}, penalizer={pen:g}: {reason}")
    hint = "set a larger clv.penalizer (e.g. 0.01), or check" if policy is RETRY_POLICY else "check"
    raise ClvFitError(f"{name} did not converge on {n} customers after {len(failures)} attempts ({'; '.join(failures)}); "
                      f"{hint} the summary for extreme frequencies or spends")


def _parameter_table(model: Any, n: float) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Estimates, standard errors and covariance from lifetimes' Hessian of the mean penalised NLL in log parameters."""
    theta = model.params_.to_numpy(dtype=float)
    names = list(model.params_.index)
    notes: list[str] = []
    try:
        cov_log = np.linalg.inv(np.asarray(model._hessian_, dtype=float)) / n
    except np.linalg.LinAlgError:
        cov_log = np.full((len(theta), len(theta)), np.nan)
    cov = np.outer(theta, theta) * cov_log
    diag = np.diag(cov)
    if not np.all(np.isfinite(diag) & (diag > 0)):
        notes.append("the Hessian is not positive definite at the estimates: standard errors are not available")
        cov = np.full_like(cov, np.nan)
    se = np.sqrt(np.diag(cov))
    table = pd.DataFrame({"parameter": names, "estimate": theta, "std_error": se,
                          "ci_low": theta - Z_95 * se, "ci_high": theta + Z_95 * se})
    return table, pd.DataFrame(cov, index=names, columns=names), notes


def _retry_notes(name: str, attempts: list[str], penalizer: float, asked: float) -> list[str]:
    notes = []
    if attempts:
        notes.append(f"{name} converged only after {len(attempts)} failed attempt(s) ({'; '.join(attempts)}).")
    if penalizer > asked:
        notes.append(f"{name} needed a penalizer of {penalizer:g} (asked {asked:g}): estimates are shrunk towards 0.")
    return notes


def fit_bgnbd(summary: pd.DataFrame, *, penalizer: float = 0.0) -> ModelFit:
    """Fit the BG/NBD model on the distinct (frequency, recency, T) rows, weighted by customers.

    Parameters
    ----------
    summary
        From :func:`compute_summary` or :func:`compute_calibration_holdout` (``frequency``, ``recency``, ``T``).
    penalizer
        lifetimes' L2 penalty (0 = maximum likelihood). :data:`RETRY_POLICY` is applied on failure.

    Returns
    -------
    ModelFit
        ``r``, ``alpha`` (time units), ``a``, ``b``.

    Raises
    ------
    ValueError
        Missing columns, no customer, or negative ``penalizer``.
    ClvFitError
        No attempt converged; the message lists each attempt.
    """
    _require(summary, ["frequency", "recency", "T"], "summary")
    if penalizer < 0:
        raise ValueError(f"penalizer must be >= 0, got {penalizer}; use 0 or a small value such as 0.001")
    rows = summary.groupby(["frequency", "recency", "T"]).size().rename("weight").reset_index()
    freq, rec, age, w = (rows[c].to_numpy() for c in ("frequency", "recency", "T", "weight"))
    n = int(w.sum())
    model, tol, pen, attempts = _fit_with_retries("BG/NBD", BetaGeoFitter, (freq, rec, age), {"weights": w}, penalizer, n, RETRY_POLICY)
    table, cov, notes = _parameter_table(model, n)
    ll = -float(BetaGeoFitter._negative_log_likelihood(np.log(table["estimate"].to_numpy()), freq, rec, age, w, 0.0)) * n
    return ModelFit("BG/NBD", model, table, cov, ll, n, len(rows), tol, pen, tuple(attempts),
                    tuple(_retry_notes("BG/NBD", attempts, pen, penalizer) + notes))


def fit_gamma_gamma(summary: pd.DataFrame, *, q_constraint: bool = True) -> ModelFit:
    """Fit the Gamma-Gamma spend model on repeat customers with a positive mean repeat spend.

    Parameters
    ----------
    summary
        From :func:`compute_summary` (``frequency``, ``monetary_value``). Customers without repeat
        purchase, or whose net repeat spend is not positive, are left out (see :func:`compute_preparation`).
        No penalizer is applied (see :data:`GG_RETRY_POLICY`); on failure the tolerance is loosened.
    q_constraint
        Keep q >= 1 (lifetimes' bound), so that the population mean spend ``p v / (q - 1)`` is finite.

    Returns
    -------
    ModelFit
        ``p``, ``q`` (no unit), ``v`` (currency).

    Raises
    ------
    ValueError
        Missing columns or fewer than 3 repeat customers with positive spend.
    ClvFitError
        No attempt converged.
    """
    _require(summary, ["frequency", "monetary_value"], "summary")
    repeat = summary.loc[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < 3:
        raise ValueError(f"summary: {len(repeat)} repeat customer(s) with a positive spend; the Gamma-Gamma model needs more (at least 3, and in practice hundreds)")
    rows = repeat.groupby(["frequency", "monetary_value"]).size().rename("weight").reset_index()
    freq, m, w = (rows[c].to_numpy() for c in ("frequency", "monetary_value", "weight"))
    n = int(w.sum())
    model, tol, pen, attempts = _fit_with_retries("Gamma-Gamma", GammaGammaFitter, (freq, m),
                                                  {"weights": w, "q_constraint": q_constraint}, 0.0, n, GG_RETRY_POLICY)
    table, cov, notes = _parameter_table(model, n)
    ll = -float(GammaGammaFitter._negative_log_likelihood(np.log(table["estimate"].to_numpy()), freq.astype(float), m, w, 0.0)) * n
    q = float(model.params_["q"])
    if q <= 1:
        notes.append(f"Gamma-Gamma q = {q:.3g} <= 1: the population mean spend is infinite; customers without repeat purchase cannot be valued")
    return ModelFit("Gamma-Gamma", model, table, cov, ll, n, len(rows), tol, pen, tuple(attempts),
                    tuple(_retry_notes("Gamma-Gamma", attempts, pen, 0.0) + notes))


def format_parameters(fit: ModelFit, *, digits: int = 4) -> pd.DataFrame:
    """The parameter table as text, ``digits`` significant digits (for display: stable across machines).

    Returns
    -------
    pd.DataFrame
        ``parameter, estimate, std_error, ci_95`` (text; the interval is estimate ± 1.96 SE).
    """
    def g(x: float) -> str:
        return "" if not np.isfinite(x) else f"{x:.{digits}g}"

    t = fit.parameters
    return pd.DataFrame({"parameter": t["parameter"], "estimate": t["estimate"].map(g), "std_error": t["std_error"].map(g),
                         "ci_95": [f"{g(lo)} to {g(hi)}" if np.isfinite(lo) else "" for lo, hi in zip(t["ci_low"], t["ci_high"])]})


def describe_fit(fit: ModelFit, *, time_unit: str = "week", currency: str = "EUR") -> list[str]:
    """Plain-language reading of a fit's parameters (means of the fitted distributions), 3 significant digits.

    Returns
    -------
    list[str]
        BG/NBD: mean purchase rate r / alpha (purchases per time unit while active) and mean dropout
        probability a / (a + b) after each repeat purchase. Gamma-Gamma: population mean spend per
        purchase p v / (q - 1) (currency; infinite when q <= 1).
    """
    p = fit.params
    if fit.name == "BG/NBD":
        rate = p["r"] / p["alpha"]
        return [f"While active, a customer buys on {rate:.3g} days per {time_unit} on average (r / alpha), "
                f"that is {rate * 365.25 / unit_days(time_unit):.3g} purchase days a year.",
                f"After each repeat purchase a customer stops buying for good with probability {p['a'] / (p['a'] + p['b']):.3g} on average (a / (a + b))."]
    mean = p["p"] * p["v"] / (p["q"] - 1) if p["q"] > 1 else float("inf")
    return [f"The population's mean spend per purchase day is {mean:,.4g} {currency} (p v / (q - 1)).".replace(",", "\u202f")]


def _require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    require_columns(frame, columns, name=name, fix="build it with compute_summary or compute_calibration_holdout")
    if frame.empty:
        raise ValueError(f"{name}: no customer; check the period and the transactions")


def compute_spend_correlation(summary: pd.DataFrame, *, threshold: float = 0.3) -> pd.DataFrame:
    """Correlation between repeat frequency and mean repeat spend (the Gamma-Gamma model assumes none).

    Returns
    -------
    pd.DataFrame
        One row: ``customers`` (repeat, positive spend), ``pearson``, ``spearman`` (-1 to 1),
        ``warning`` (text, empty when |pearson| <= ``threshold``).
    """
    repeat = summary.loc[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < 3:
        pearson = spearman = float("nan")
    else:
        pearson = float(repeat["frequency"].corr(repeat["monetary_value"]))
        spearman = float(repeat["frequency"].corr(repeat["monetary_value"], method="spearman"))
    warning = ""
    if np.isfinite(pearson) and abs(pearson) > threshold:
        warning = (f"Frequency and mean spend are correlated (Pearson {pearson:.2f}, above {threshold:g} in absolute value): "
                   "the Gamma-Gamma assumption of independence does not hold well, so expected spend per customer is biased.")
    return pd.DataFrame({"customers": [len(repeat)], "pearson": [pearson], "spearman": [spearman], "warning": [warning]})


# ---------------------------------------------------------------- validation
def _bins(values: pd.Series, max_frequency: int) -> pd.Series:
    return values.clip(upper=max_frequency).astype("int64")


def _labels(max_frequency: int) -> list[str]:
    return [str(k) for k in range(max_frequency)] + [f"{max_frequency}+"]


def compute_purchase_histogram(summary: pd.DataFrame, bgnbd: ModelFit, *, max_frequency: int = 7) -> pd.DataFrame:
    """Customers by number of repeat purchases: observed vs expected by the model given each customer's T.

    Expected count of bin x = sum over customers of P(X(T_i) = x), lifetimes'
    ``probability_of_n_purchases_up_to_time``; the last bin collects ``max_frequency`` or more.

    Returns
    -------
    pd.DataFrame
        ``frequency`` (label, ``"7+"`` for the last), ``actual``, ``expected`` (customers).
    """
    model = bgnbd.model
    ages = summary.groupby("T").size()
    probs = np.array([[model.probability_of_n_purchases_up_to_time(age, k) for k in range(max_frequency)] for age in ages.index])
    probs = np.column_stack([probs, 1.0 - probs.sum(axis=1)])
    expected = (probs * ages.to_numpy()[:, None]).sum(axis=0)
    actual = _bins(summary["frequency"], max_frequency).value_counts().reindex(range(max_frequency + 1), fill_value=0)
    return pd.DataFrame({"frequency": _labels(max_frequency), "actual": actual.to_numpy().astype("int64"), "expected": expected})


def compute_chi_square(histogram: pd.DataFrame, *, n_parameters: int = 4) -> pd.DataFrame:
    """Pearson chi-square of observed vs expected counts (from :func:`compute_purchase_histogram`).

    Returns
    -------
    pd.DataFrame
        One row: ``chi_square``, ``dof`` (bins - 1 - n_parameters), ``p_value`` (0-1; a small value
        means the model's histogram differs from the data), ``min_expected`` (customers; below 5 the
        test is rough).
    """
    chi2 = float((((histogram["actual"] - histogram["expected"]) ** 2) / histogram["expected"]).sum())
    dof = len(histogram) - 1 - n_parameters
    p_value = float(stats.chi2.sf(chi2, dof)) if dof > 0 else float("nan")
    return pd.DataFrame({"chi_square": [chi2], "dof": [dof], "p_value": [p_value], "min_expected": [float(histogram["expected"].min())]})


def _expected_holdout(calibration: pd.DataFrame, bgnbd: ModelFit) -> np.ndarray:
    _require(calibration, ["frequency", "recency", "T", "frequency_holdout", "duration_holdout"], "calibration")
    return np.asarray(bgnbd.model.conditional_expected_number_of_purchases_up_to_time(
        calibration["duration_holdout"].to_numpy(), calibration["frequency"].to_numpy(),
        calibration["recency"].to_numpy(), calibration["T"].to_numpy()), dtype=float)


def compute_holdout_by_frequency(calibration: pd.DataFrame, bgnbd: ModelFit, *, max_frequency: int = 7) -> pd.DataFrame:
    """Mean holdout purchases per customer, actual vs conditional expectation, by calibration frequency.

    Returns
    -------
    pd.DataFrame
        ``frequency`` (calibration repeat purchases, label), ``customers``, ``actual``, ``expected``
        (mean purchase days per customer over the holdout).
    """
    frame = pd.DataFrame({"bin": _bins(calibration["frequency"], max_frequency),
                          "actual": calibration["frequency_holdout"].astype(float), "expected": _expected_holdout(calibration, bgnbd)})
    grouped = frame.groupby("bin").agg(customers=("actual", "size"), actual=("actual", "mean"), expected=("expected", "mean"))
    grouped = grouped.reindex(range(max_frequency + 1))
    out = pd.DataFrame({"frequency": _labels(max_frequency), "customers": grouped["customers"].fillna(0).astype("int64").to_numpy(),
                        "actual": grouped["actual"].to_numpy(), "expected": grouped["expected"].to_numpy()})
    return out


def compute_holdout_accuracy(calibration: pd.DataFrame, bgnbd: ModelFit) -> pd.DataFrame:
    """Holdout totals and per-customer errors of the conditional expectations.

    Returns
    -------
    pd.DataFrame
        One row: ``customers``, ``actual`` (purchase days in the holdout, int), ``expected`` (sum of the
        customers' conditional expectations), ``difference`` (expected / actual - 1, fraction),
        ``mae`` and ``rmse`` (purchases per customer).
    """
    expected = _expected_holdout(calibration, bgnbd)
    actual = calibration["frequency_holdout"].to_numpy(dtype=float)
    err = expected - actual
    total = float(actual.sum())
    return pd.DataFrame({"customers": [len(actual)], "actual": [int(total)], "expected": [float(expected.sum())],
                         "difference": [float(expected.sum()) / total - 1 if total else float("nan")],
                         "mae": [float(np.abs(err).mean())], "rmse": [float(np.sqrt((err ** 2).mean()))]})


def compute_tracking(transactions: pd.DataFrame, bgnbd: ModelFit, *, calibration_end: pd.Timestamp, end: pd.Timestamp,
                     time_unit: str = "week", step_days: int = 7) -> pd.DataFrame:
    """Cumulative and incremental repeat purchases of the calibration customers, actual vs model.

    The customers are those with a purchase by ``calibration_end``. At each point ``p`` (every
    ``step_days`` back from the day after ``end``, down to their earliest first purchase; only the
    first interval may be shorter), the model's figure is the sum over customers
    of the *unconditional* expected repeat purchases between their first purchase and ``p``
    (lifetimes' ``expected_number_of_purchases_up_to_time``), as in lifetimes'
    ``expected_cumulative_transactions``; the actual figure counts their repeat purchase days
    before ``p``. This cohort tracking differs from the sum of conditional expectations of
    :func:`compute_holdout_accuracy`.

    Returns
    -------
    pd.DataFrame
        ``date`` (last day counted), ``actual_cumulative``, ``expected_cumulative``,
        ``actual_incremental``, ``expected_incremental`` (purchase days; incremental = since the
        previous point), ``holdout`` (True after ``calibration_end``).
    """
    cal_end, end = pd.Timestamp(calibration_end), pd.Timestamp(end)
    days, _ = _purchase_days(transactions, end=end)
    first = days.groupby("customer_id")["date"].transform("min")
    cohort = days.loc[first <= cal_end].assign(first=first[first <= cal_end])
    repeats = cohort.loc[cohort["date"] > cohort["first"], "date"]
    births = cohort.drop_duplicates("customer_id").groupby("first").size()
    origin = births.index.min()
    stop = end + pd.Timedelta(days=1)
    steps = int(np.ceil((stop - origin).days / step_days))
    points = pd.DatetimeIndex([stop - pd.Timedelta(days=step_days * k) for k in range(steps - 1, -1, -1)])
    ages = (points.to_numpy()[:, None] - births.index.to_numpy()[None, :]) / np.timedelta64(1, "D") / unit_days(time_unit)
    expected_each = np.where(ages > 0, bgnbd.model.expected_number_of_purchases_up_to_time(np.clip(ages, 0, None)), 0.0)
    expected = (expected_each * births.to_numpy()[None, :]).sum(axis=1)
    actual = np.searchsorted(np.sort(repeats.to_numpy()), points.to_numpy(), side="left")
    dates = points - pd.Timedelta(days=1)
    return pd.DataFrame({"date": dates, "actual_cumulative": actual.astype("int64"), "expected_cumulative": expected,
                         "actual_incremental": np.diff(actual, prepend=0).astype("int64"),
                         "expected_incremental": np.diff(expected, prepend=0.0), "holdout": dates > cal_end})


# ---------------------------------------------------------------- forward-looking
def compute_clv(summary: pd.DataFrame, bgnbd: ModelFit, gg: ModelFit, *, time_unit: str = "week", horizon_months: int = 24,
                annual_discount_rate: float = 0.10) -> pd.DataFrame:
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
    _require(summary, ["frequency", "recency", "T", "monetary_value"], "summary")
    if horizon_months < 1:
        raise ValueError(f"horizon_months must be >= 1, got {horizon_months}; e.g. 24")
    if not 0 <= annual_discount_rate < 1:
        raise ValueError(f"annual_discount_rate must be a fraction in [0, 1), got {annual_discount_rate}; e.g. 0.10 for 10 %")
    model = bgnbd.model
    x, tx, age = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    m = summary["monetary_value"].to_numpy(dtype=float)
    months = np.arange(horizon_months + 1)
    horizons = months * DAYS_PER_MONTH / unit_days(time_unit)
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
    return pd.DataFrame({"customers": [len(values)], "clv_total": [total], "clv_mean": [float(values.mean())],
                         "clv_median": [float(np.median(values))], "clv_p90": [float(np.quantile(values, 0.9))],
                         "top_share_of_clv": [float(values[:n_top].sum()) / total if total else float("nan")],
                         "expected_purchases": [float(clv["expected_purchases"].sum())], "p_alive_mean": [float(clv["p_alive"].mean())]})


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
    out = grouped.agg(customers=("clv", "size"), clv_total=("clv", "sum"), clv_mean=("clv", "mean"), clv_median=("clv", "median"),
                      p_alive_mean=("p_alive", "mean"), expected_purchases_mean=("expected_purchases", "mean")).reset_index()
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


def compute_matrix(bgnbd: ModelFit, summary: pd.DataFrame, *, kind: str = "p_alive", horizon: float = 1.0,
                   max_frequency: int | None = None) -> pd.DataFrame:
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


