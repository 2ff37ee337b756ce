"""Validation of the CLV models: fit to the calibration data, the holdout, and the spend model's assumption.

- :func:`compute_purchase_histogram` and :func:`compute_chi_square`: customers by repeat purchases in
  the calibration period, observed vs expected, and Pearson's chi-square.
- :func:`compute_holdout_by_frequency` and :func:`compute_holdout_accuracy`: the conditional
  expectations of the holdout purchases against what happened (totals, MAE, RMSE).
- :func:`compute_tracking`: cohort tracking of the calibration customers over time.
- :func:`compute_spend_correlation`: the Gamma-Gamma model assumes spend independent of frequency.

Units: purchases are purchase days; durations are in the time unit; fractions are 0-1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import gammaln, xlogy

from workbench.analysis.clv.fit import ModelFit
from workbench.analysis.clv.prepare import check_summary, purchase_days, unit_days
from workbench.analysis.clv.season import Seasonality


def _bins(values: pd.Series, max_frequency: int) -> pd.Series:
    return values.clip(upper=max_frequency).astype("int64")


def _labels(max_frequency: int) -> list[str]:
    return [str(k) for k in range(max_frequency)] + [f"{max_frequency}+"]


def pareto_nbd_pmf(params: dict[str, float], ages: np.ndarray, counts: np.ndarray, *, nodes: int = 200) -> np.ndarray:
    """P(X(t) = x) under the Pareto/NBD model, for each age ``t`` (rows) and count ``x`` (columns).

    A customer buys as a Poisson process of rate lambda ~ Gamma(r, alpha) while alive and dies after
    an exponential lifetime of rate mu ~ Gamma(s, beta); integrating lambda out gives the NBD
    probability ``NB(x; u)`` of x purchases over a duration u, so
    ``P(X(t) = x) = NB(x; t) (beta / (beta + t))^s + integral_0^t NB(x; u) s beta^s / (beta + u)^(s + 1) du``
    (alive throughout, or dead at u). The integral is taken by Gauss-Legendre quadrature (``nodes``
    points). lifetimes has only the conditional version of this probability.

    Parameters
    ----------
    params
        ``r``, ``alpha``, ``s``, ``beta`` (alpha and beta in the time unit of ``ages``): numbers, or
        arrays of one value per age (e.g. each customer's posterior parameters).
    ages
        Durations t (time units), 1-d.
    counts
        Purchase counts x (0, 1, ...), 1-d.

    Returns
    -------
    np.ndarray
        Probabilities, shape (len(ages), len(counts)).
    """
    r, alpha, s, beta = (np.asarray(params[k], dtype=float).reshape(-1, 1, 1) for k in ("r", "alpha", "s", "beta"))
    t = np.asarray(ages, dtype=float)[:, None, None]
    x = np.asarray(counts, dtype=float)[None, :, None]
    z, wz = np.polynomial.legendre.leggauss(nodes)
    u = t * (1 + z[None, None, :]) / 2

    def log_nb(dur: np.ndarray) -> np.ndarray:
        return gammaln(r + x) - gammaln(r) - gammaln(x + 1) + r * np.log(alpha / (alpha + dur)) + xlogy(x, dur / (alpha + dur))

    alive = np.exp(log_nb(t) + s * np.log(beta / (beta + t)))[..., 0]
    density = np.exp(log_nb(u) + np.log(s) + s * np.log(beta) - (s + 1) * np.log(beta + u))
    dead = (density * wz[None, None, :]).sum(axis=2) * t[..., 0] / 2
    return alive + dead


def pareto_nbd_pmf_at(params: dict[str, float | np.ndarray], ages: np.ndarray, counts: np.ndarray, *, nodes: int = 200) -> np.ndarray:
    """P(X(t_i) = x_i) under the Pareto/NBD model for each pair (``ages[i]``, ``counts[i]``): one entry of :func:`pareto_nbd_pmf` per row.

    The same formula and quadrature as :func:`pareto_nbd_pmf`, evaluated only at each row's own count,
    so a holdout score costs rows x ``nodes`` instead of rows x counts x ``nodes``.

    Parameters
    ----------
    params
        ``r``, ``alpha``, ``s``, ``beta`` (alpha and beta in the time unit of ``ages``): numbers, or
        arrays of one value per row.
    ages
        Durations t (time units), 1-d.
    counts
        Purchase counts x (0, 1, ...), 1-d, as long as ``ages``.

    Returns
    -------
    np.ndarray
        Probabilities (0-1), one per row.

    Raises
    ------
    ValueError
        ``ages`` and ``counts`` differ in length.
    """
    t = np.asarray(ages, dtype=float)[:, None]
    x = np.asarray(counts, dtype=float)[:, None]
    if t.shape != x.shape:
        raise ValueError(f"ages and counts must have the same length, got {t.shape[0]} and {x.shape[0]}")
    r, alpha, s, beta = (np.asarray(params[k], dtype=float).reshape(-1, 1) for k in ("r", "alpha", "s", "beta"))
    z, wz = np.polynomial.legendre.leggauss(nodes)
    u = t * (1 + z[None, :]) / 2

    def log_nb(dur: np.ndarray) -> np.ndarray:
        return gammaln(r + x) - gammaln(r) - gammaln(x + 1) + r * np.log(alpha / (alpha + dur)) + xlogy(x, dur / (alpha + dur))

    alive = np.exp(log_nb(t) + s * np.log(beta / (beta + t)))[:, 0]
    density = np.exp(log_nb(u) + np.log(s) + s * np.log(beta) - (s + 1) * np.log(beta + u))
    dead = (density * wz[None, :]).sum(axis=1) * t[:, 0] / 2
    return alive + dead


def _pmf(fit: ModelFit, ages: np.ndarray, max_frequency: int) -> np.ndarray:
    if fit.key == "paretonbd":
        return pareto_nbd_pmf(fit.params, ages, np.arange(max_frequency))
    with np.errstate(all="ignore"):
        return np.array([[fit.model.probability_of_n_purchases_up_to_time(age, k) for k in range(max_frequency)] for age in ages])


def compute_purchase_histogram(summary: pd.DataFrame, fit: ModelFit, *, max_frequency: int = 7) -> pd.DataFrame:
    """Customers by number of repeat purchases: observed vs expected by the model given each customer's T.

    Expected count of bin x = sum over customers of P(X(T_i) = x): lifetimes'
    ``probability_of_n_purchases_up_to_time`` (BG/NBD, MBG/NBD) or :func:`pareto_nbd_pmf`; the last
    bin collects ``max_frequency`` or more.

    Parameters
    ----------
    summary
        ``T`` and ``frequency`` per customer.
    fit
        A purchase model fitted on ``summary`` (:func:`~workbench.analysis.clv.fit.fit_purchase_model`).

    Returns
    -------
    pd.DataFrame
        ``frequency`` (label, ``"7+"`` for the last), ``actual``, ``expected`` (customers).
    """
    ages = summary.groupby("T").size()
    probs = _pmf(fit, ages.index.to_numpy(dtype=float), max_frequency)
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


def expected_holdout(calibration: pd.DataFrame, fit: ModelFit) -> np.ndarray:
    """Each calibration customer's conditional expected purchases over the holdout (purchase days, by the model ``fit``).

    Raises
    ------
    ValueError
        ``calibration`` lacks a column of :func:`compute_calibration_holdout`.
    """
    check_summary(calibration, ["frequency", "recency", "T", "frequency_holdout", "duration_holdout"], "calibration")
    return np.asarray(
        fit.model.conditional_expected_number_of_purchases_up_to_time(
            calibration["duration_holdout"].to_numpy(), calibration["frequency"].to_numpy(), calibration["recency"].to_numpy(), calibration["T"].to_numpy()
        ),
        dtype=float,
    )


def compute_holdout_by_frequency(calibration: pd.DataFrame, bgnbd: ModelFit, *, max_frequency: int = 7) -> pd.DataFrame:
    """Mean holdout purchases per customer, actual vs conditional expectation, by calibration frequency.

    Returns
    -------
    pd.DataFrame
        ``frequency`` (calibration repeat purchases, label), ``customers``, ``actual``, ``expected``
        (mean purchase days per customer over the holdout).
    """
    frame = pd.DataFrame(
        {
            "bin": _bins(calibration["frequency"], max_frequency),
            "actual": calibration["frequency_holdout"].astype(float),
            "expected": expected_holdout(calibration, bgnbd),
        }
    )
    grouped = frame.groupby("bin").agg(customers=("actual", "size"), actual=("actual", "mean"), expected=("expected", "mean"))
    grouped = grouped.reindex(range(max_frequency + 1))
    out = pd.DataFrame(
        {
            "frequency": _labels(max_frequency),
            "customers": grouped["customers"].fillna(0).astype("int64").to_numpy(),
            "actual": grouped["actual"].to_numpy(),
            "expected": grouped["expected"].to_numpy(),
        }
    )
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
    expected = expected_holdout(calibration, bgnbd)
    actual = calibration["frequency_holdout"].to_numpy(dtype=float)
    err = expected - actual
    total = float(actual.sum())
    return pd.DataFrame(
        {
            "customers": [len(actual)],
            "actual": [int(total)],
            "expected": [float(expected.sum())],
            "difference": [float(expected.sum()) / total - 1 if total else float("nan")],
            "mae": [float(np.abs(err).mean())],
            "rmse": [float(np.sqrt((err**2).mean()))],
        }
    )


def compute_tracking(
    transactions: pd.DataFrame,
    bgnbd: ModelFit,
    *,
    calibration_end: pd.Timestamp,
    end: pd.Timestamp,
    time_unit: str = "week",
    step_days: int = 7,
    seasonality: Seasonality | None = None,
) -> pd.DataFrame:
    """Cumulative and incremental repeat purchases of the calibration customers, actual vs model.

    The customers are those with a purchase by ``calibration_end``. At each point ``p`` (every
    ``step_days`` back from the day after ``end``, down to their earliest first purchase; only the
    first interval may be shorter), the model's figure is the sum over customers
    of the *unconditional* expected repeat purchases between their first purchase and ``p``
    (lifetimes' ``expected_number_of_purchases_up_to_time``), as in lifetimes'
    ``expected_cumulative_transactions``; the actual figure counts their repeat purchase days
    before ``p``. This cohort tracking differs from the sum of conditional expectations of
    :func:`compute_holdout_accuracy`. With ``seasonality`` (that of the calibration fit) the ages are
    in its seasonal time, so the model's curve follows the seasons.

    Returns
    -------
    pd.DataFrame
        ``date`` (last day counted), ``actual_cumulative``, ``expected_cumulative``,
        ``actual_incremental``, ``expected_incremental`` (purchase days; incremental = since the
        previous point), ``holdout`` (True after ``calibration_end``).
    """
    cal_end, end = pd.Timestamp(calibration_end), pd.Timestamp(end)
    days, _ = purchase_days(transactions, end=end)
    first = days.groupby("customer_id")["date"].transform("min")
    cohort = days.loc[first <= cal_end].assign(first=first[first <= cal_end])
    repeats = cohort.loc[cohort["date"] > cohort["first"], "date"]
    births = cohort.drop_duplicates("customer_id").groupby("first").size()
    origin = births.index.min()
    stop = end + pd.Timedelta(days=1)
    steps = int(np.ceil((stop - origin).days / step_days))
    points = pd.DatetimeIndex([stop - pd.Timedelta(days=step_days * k) for k in range(steps - 1, -1, -1)])
    if seasonality is None:
        ages = (points.to_numpy()[:, None] - births.index.to_numpy()[None, :]) / np.timedelta64(1, "D") / unit_days(time_unit)
    else:
        ages = (seasonality.elapsed_days(origin, points)[:, None] - seasonality.elapsed_days(origin, births.index)[None, :]) / unit_days(time_unit)

    expected_each = np.where(ages > 0, bgnbd.model.expected_number_of_purchases_up_to_time(np.clip(ages, 0, None)), 0.0)
    expected = (expected_each * births.to_numpy()[None, :]).sum(axis=1)
    actual = np.searchsorted(np.sort(repeats.to_numpy()), points.to_numpy(), side="left")
    dates = points - pd.Timedelta(days=1)
    return pd.DataFrame(
        {
            "date": dates,
            "actual_cumulative": actual.astype("int64"),
            "expected_cumulative": expected,
            "actual_incremental": np.diff(actual, prepend=0).astype("int64"),
            "expected_incremental": np.diff(expected, prepend=0.0),
            "holdout": dates > cal_end,
        }
    )


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
        warning = (
            f"Frequency and mean spend are correlated (Pearson {pearson:.2f}, above {threshold:g} in absolute value): "
            "the Gamma-Gamma assumption of independence does not hold well, so expected spend per customer is biased."
        )
    return pd.DataFrame({"customers": [len(repeat)], "pearson": [pearson], "spearman": [spearman], "warning": [warning]})
