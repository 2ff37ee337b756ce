"""Intervals of the CLV, per customer and for the total, by a seeded simulation.

Method (:func:`simulate_clv`). Each of ``n_draws`` draws:

1. **Parameters**: the purchase model's and the Gamma-Gamma model's parameters are drawn from normal
   distributions on the log scale, centred on the estimates, with the fits' covariance (delta method
   from the Hessian; log scale keeps them positive). A fit without covariance is kept at its estimates.
2. **Process**: each customer is alive with the model's P(alive) given its history; if alive, its own
   purchase rate, and its dropout probability (BG/NBD: Beta(a, b + x); MBG/NBD: Beta(a, b + x + 1))
   or dropout rate (Pareto/NBD: Gamma(s, beta + T)), are drawn from their posterior given its history
   (purchase rate Gamma(r + x, alpha + T)); its purchases over the horizon are those of a Poisson process
   with a dropout draw after each (BG/NBD, MBG/NBD) or until its exponential lifetime ends (Pareto/NBD).
   They are drawn in one step, not one by one: the number of purchases (Poisson over the exposure, capped
   by a geometric number of purchases before dropout), then the times of those made only (the first order
   statistics of uniform arrivals), which is the same distribution as purchase-by-purchase (checked in
   ``tests/test_clv_simulation.py``) at a cost in the purchases made rather than in the heaviest buyer's.
   Each purchase's spend is drawn from the Gamma-Gamma model: the customer's spend scale from its
   posterior Gamma(p x + q, v + x m) (m: mean net repeat spend, 0 when not positive), then a
   Gamma(p, scale) amount. A purchase in month k of the horizon is discounted by (1 + rate)^(-k / 12)
   like the point CLV, and valued at the customer's margin rate.

**Several purchase models** (``purchase`` a dict, with ``weights``): the draws are split among the
models in proportion to the weights (:func:`split_draws`, largest remainder) and each model's share is
simulated as above, so the simulated values are a sample of the mixture of the models' predictive
distributions (model averaging; the weights and why: :mod:`workbench.analysis.clv.average`).

The interval of a customer is the central ``level`` range of its simulated values; that of the total,
of the simulated totals. They therefore include **both parameter uncertainty and process noise** (the
randomness of who buys, when and how much), and, with several models, the **uncertainty of the model
choice**, so a customer's interval is wide and often starts at 0.
With a ``seasonality`` the horizon and its month ends are in seasonal time (as the summary's
recency and T), so a purchase's month, for the discount, is that of its seasonal time.
They do **not** include: model misspecification (a seasonality other than the one estimated, trends,
the programme's own effect, a spend that depends on frequency), a purchase process none of the models
describes (with a single model: the uncertainty of its choice), uncertainty of the margin rates (taken as known),
customers not yet acquired, and the left truncation of old customers. The point CLV is the plug-in expectation
(estimates, no simulation); the simulated mean is close to it but not equal.

Units: money in the client's currency; ``level`` is a fraction (0.9 = 90 % intervals).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import hyp2f1

from workbench.analysis.clv.fit import ModelFit
from workbench.analysis.clv.prepare import check_summary, months_to_units
from workbench.analysis.clv.season import Seasonality


@dataclass(frozen=True)
class ClvIntervals:
    """Simulated CLV intervals.

    Attributes
    ----------
    customers
        ``customer_id``, ``clv_mean`` (simulated mean), ``clv_low``, ``clv_high`` (currency), one row per customer of the summary.
    total
        One row: ``clv_mean``, ``clv_low``, ``clv_high`` (currency), ``level`` (fraction), ``n_draws``, ``seed``.
    draws
        The simulated totals, one per draw (currency).
    draw_models
        The purchase model (key) of each draw; one key when a single model is simulated.
    """

    customers: pd.DataFrame
    total: pd.DataFrame
    draws: np.ndarray
    draw_models: np.ndarray | None = None


def _draw_parameters(fit: ModelFit, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    theta = fit.parameters["estimate"].to_numpy(dtype=float)
    cov = fit.covariance.to_numpy(dtype=float)
    if np.all(np.isfinite(cov)):
        cov_log = cov / np.outer(theta, theta)
        logs = rng.multivariate_normal(np.log(theta), cov_log, size=n, method="cholesky" if np.all(np.linalg.eigvalsh(cov_log) > 0) else "eigh")
    else:
        logs = np.tile(np.log(theta), (n, 1))
    return {name: np.exp(logs[:, i])[:, None] for i, name in enumerate(fit.parameters["parameter"])}


def _p_alive(key: str, th: dict[str, np.ndarray], x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
    """P(alive) for every draw (rows) and customer (columns), the lifetimes formulas vectorised over parameters."""
    r, alpha = th["r"], th["alpha"]
    with np.errstate(over="ignore", divide="ignore"):
        if key == "bgnbd":
            odds = th["a"] / (th["b"] + np.maximum(x, 1) - 1) * ((alpha + age) / (alpha + tx)) ** (r + x)
            return np.where(x == 0, 1.0, 1.0 / (1.0 + odds))
        if key == "mbgnbd":
            return 1.0 / (1.0 + th["a"] / (th["b"] + x) * ((alpha + age) / (alpha + tx)) ** (r + x))
    log_a0 = pareto_log_a0(r, alpha, th["s"], th["beta"], x, tx, age)
    s, beta = th["s"], th["beta"]
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + age) + s * np.log(beta + age) + log_a0))


def _log_hyp2f1_c_is_a_plus_1(a: np.ndarray, b: np.ndarray, z: np.ndarray) -> np.ndarray:
    """log 2F1(a, b; a + 1; z) for 0 <= z < 1 by Euler's transformation (1 - z)^(1 - b) 2F1(1, a + 1 - b; a + 1; z), finite for large a, b."""
    return (1.0 - b) * np.log1p(-z) + np.log(hyp2f1(1.0, a + 1.0 - b, a + 1.0, z))


def pareto_log_a0(r, alpha, s, beta, x, tx, age) -> np.ndarray:
    """log A_0 of the Pareto/NBD likelihood (Fader & Hardie 2005, note 009, eq. 19-20), vectorised and finite for heavy buyers.

    lifetimes' ``ParetoNBDFitter._log_A_0`` evaluates 2F1(r + s + x, r + x; r + s + x + 1; z) directly,
    which overflows to inf (and P(alive) to NaN) for a customer with about 150 purchases; the same value
    is computed here through Euler's transformation. Arguments broadcast (parameters: draws x 1;
    ``x``, ``tx``, ``age``: 1 x customers; alpha, beta, tx and age in time units).

    Returns
    -------
    np.ndarray
        log A_0 (-inf when ``tx == age``: a customer who just bought is alive).
    """
    low, high = np.minimum(alpha, beta), np.maximum(alpha, beta)
    t = np.where(alpha < beta, r + x, s + 1.0)
    rsf = r + s + x
    q1, q2 = high + tx, high + age
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p1 = _log_hyp2f1_c_is_a_plus_1(rsf, t, (high - low) / q1)
        log_p2 = _log_hyp2f1_c_is_a_plus_1(rsf, t, (high - low) / q2)
        first, second = log_p1 + rsf * np.log(q2), log_p2 + rsf * np.log(q1)
        return first + np.log(-np.expm1(np.minimum(second - first, 0.0))) - rsf * np.log(q1 * q2)


def _simulate_counts(key: str, th: dict[str, np.ndarray], x: np.ndarray, age: np.ndarray, alive: np.ndarray, horizon: float, rng: np.random.Generator):
    """Purchases of each (draw, customer) over the horizon: (count, Poisson count over the exposure, exposure in time units).

    While alive a customer buys as a Poisson process of rate lambda ~ Gamma(r + x, alpha + T), so
    N ~ Poisson(lambda E) purchases fall in its exposure E: the horizon, or (Pareto/NBD) the part of
    it before an exponential lifetime of rate mu ~ Gamma(s, beta + T) ends. BG/NBD and MBG/NBD drop
    out after each purchase with probability p ~ Beta(a, b + x) (MBG/NBD: b + x + 1), so the customer
    makes min(N, K) of them, K ~ Geometric(p) on 1, 2, ... (the purchase after which it drops). This
    is the purchase-by-purchase process of the module docstring, counted in one step.
    """
    shape = alive.shape
    lam = rng.gamma(th["r"] + x, 1.0 / (th["alpha"] + age), size=shape)
    if key == "paretonbd":
        mu = rng.gamma(np.broadcast_to(th["s"], shape), 1.0 / (th["beta"] + age), size=shape)
        with np.errstate(divide="ignore"):
            exposure = np.minimum(rng.standard_exponential(size=shape) / mu, horizon)
    else:
        exposure = np.full(shape, float(horizon))
    n = np.where(alive, rng.poisson(np.minimum(lam * exposure, 1e12)), 0)
    if key == "paretonbd":
        return n, n, exposure
    drop = rng.beta(np.broadcast_to(th["a"], shape), th["b"] + x + (1 if key == "mbgnbd" else 0), size=shape)
    k = rng.geometric(np.clip(drop, 1e-12, 1.0))
    return np.minimum(n, k), n, exposure


def _purchase_times(count: np.ndarray, n: np.ndarray, exposure: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Times of the first ``count`` (each >= 1) of ``n`` Poisson arrivals on (0, ``exposure``], flat, pair by pair (time units).

    Given n arrivals, their times are n sorted uniforms on the exposure, and the first c of them are
    E S_j / (S_c + G), j = 1..c, with S_j the cumulative sums of c standard exponentials and G ~ Gamma(n + 1 - c)
    independent (the spacings of uniform order statistics), so no arrival beyond the c-th is drawn.
    """
    if not count.size:
        return np.zeros(0)
    gap = rng.standard_exponential(size=int(count.sum()))
    ends = np.cumsum(count)
    cumulative = np.cumsum(gap)
    offset = np.repeat(cumulative[ends - count] - gap[ends - count], count)  # cumulative sum before each pair's first gap
    within = cumulative - offset
    scale = exposure / (within[ends - 1] + rng.gamma((n - count + 1).astype(float)))
    return within * np.repeat(scale, count)


def split_draws(weights: dict[str, float], n_draws: int) -> dict[str, int]:
    """Draws per model in proportion to the weights, by largest remainder (they sum to ``n_draws``; ties go to the first model).

    Parameters
    ----------
    weights
        Weight of each model (non-negative, positive sum; normalised here).
    n_draws
        Total draws.

    Returns
    -------
    dict[str, int]
        Draws of each model, in the order of ``weights`` (0 for a model with too small a weight).

    Raises
    ------
    ValueError
        A negative or non-finite weight, or weights summing to 0.
    """
    w = np.array(list(weights.values()), dtype=float)
    if not len(w) or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"weights must be non-negative with a positive sum, got {weights}")
    raw = w / w.sum() * n_draws
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: n_draws - counts.sum()]:
        counts[i] += 1
    return dict(zip(weights, counts.tolist()))


def _simulate_values(purchase: ModelFit, gg: ModelFit, n: int, data: dict[str, np.ndarray], month_ends: np.ndarray, discount_rate: float, rng) -> np.ndarray:
    """Simulated CLV of each customer (columns) in ``n`` futures (rows) under one purchase model; ``data``: x, tx, age, m, rate (1 x customers).

    Per (draw, customer): alive or not, the number of purchases (:func:`_simulate_counts`); then only
    the purchases made are drawn, each with its time (:func:`_purchase_times`), its month's discount
    and a Gamma(p, scale) amount.
    """
    x, tx, age, m = data["x"], data["tx"], data["age"], data["m"]
    values = np.zeros((n, x.shape[1]))
    for chunk in np.array_split(np.arange(n), max(1, int(np.ceil(n * x.shape[1] / 200_000)))):
        th = _draw_parameters(purchase, len(chunk), rng)
        sp = _draw_parameters(gg, len(chunk), rng)
        alive = rng.random((len(chunk), x.shape[1])) < _p_alive(purchase.key, th, x, tx, age)
        scale = rng.gamma(sp["p"] * x + sp["q"], 1.0 / (sp["v"] + x * m), size=alive.shape)  # spend rate nu, per currency
        count, total, exposure = _simulate_counts(purchase.key, th, x, age, alive, float(month_ends[-1]), rng)
        buyers = np.flatnonzero(count)  # flat (draw, customer) pairs with at least one purchase
        c = count.ravel()[buyers]
        t = _purchase_times(c, total.ravel()[buyers], exposure.ravel()[buyers], rng)
        month = np.searchsorted(month_ends, t)  # k for a purchase in (end of month k - 1, end of month k]
        amount = rng.gamma(np.repeat(np.broadcast_to(sp["p"], alive.shape).ravel()[buyers], c), 1.0 / np.repeat(scale.ravel()[buyers], c))
        value = np.zeros(alive.size)
        discount = (1 + discount_rate) ** (-np.arange(len(month_ends) + 1) / 12)  # by month index, looked up per purchase
        value[buyers] = np.bincount(np.repeat(np.arange(len(buyers)), c), weights=amount * discount[month], minlength=len(buyers))
        values[chunk] = value.reshape(alive.shape) * data["rate"]
    return values


def simulate_clv(
    summary: pd.DataFrame,
    purchase: ModelFit | dict[str, ModelFit],
    gg: ModelFit,
    *,
    weights: dict[str, float] | pd.Series | None = None,
    time_unit: str = "week",
    horizon_months: int = 24,
    annual_discount_rate: float = 0.10,
    margin_rates: pd.Series | None = None,
    n_draws: int = 200,
    level: float = 0.9,
    seed: int = 0,
    seasonality: Seasonality | None = None,
) -> ClvIntervals:
    """Intervals of each customer's CLV and of the total, by the seeded simulation of the module docstring.

    Parameters
    ----------
    summary
        From :func:`~workbench.analysis.clv.prepare.compute_summary`.
    purchase, gg
        The purchase model (BG/NBD, MBG/NBD or Pareto/NBD) and the Gamma-Gamma model fitted on ``summary``.
        ``purchase`` may be several purchase models by key: the draws are then split among them by ``weights``.
    weights
        With several models: weight of each (e.g. :func:`~workbench.analysis.clv.average.pseudo_bma_weights`);
        :func:`split_draws` gives each model its share of ``n_draws``, simulated in the order of ``purchase``.
    time_unit, horizon_months, annual_discount_rate, margin_rates, seasonality
        As :func:`~workbench.analysis.clv.forecast.compute_clv`.
    n_draws
        Simulated futures (each with its own parameter draw).
    level
        Central probability of the intervals (fraction).
    seed
        Seed of every random draw (same inputs and seed, same intervals).

    Returns
    -------
    ClvIntervals
        ``draw_models`` says which model each draw came from.

    Raises
    ------
    ValueError
        ``n_draws`` < 20, ``level`` outside (0, 1), ``purchase`` is not a purchase model, or the weights do not match the models.
    """
    check_summary(summary, ["customer_id", "frequency", "recency", "T", "monetary_value"], "summary")
    if n_draws < 20:
        raise ValueError(f"n_draws must be >= 20 for quantiles to mean anything, got {n_draws}; e.g. 200")
    if not 0 < level < 1:
        raise ValueError(f"level must be a fraction in (0, 1), got {level}; e.g. 0.9")
    models = purchase if isinstance(purchase, dict) else {purchase.key: purchase}
    if any(fit.key == "gg" for fit in models.values()):
        raise ValueError("purchase: give a purchase model (BG/NBD, MBG/NBD or Pareto/NBD), not the Gamma-Gamma fit")
    weights = {key: 1.0 for key in models} if weights is None and len(models) == 1 else dict(weights if weights is not None else {})
    if set(weights) != set(models):
        raise ValueError(f"weights: give one weight per purchase model ({', '.join(models)}), got {', '.join(weights) or 'none'}")
    counts = split_draws({key: weights[key] for key in models}, n_draws)
    rng = np.random.default_rng(seed)
    data = {c: summary[k].to_numpy(dtype=float)[None, :] for c, k in (("x", "frequency"), ("tx", "recency"), ("age", "T"))}
    data["m"] = np.clip(summary["monetary_value"].to_numpy(dtype=float), 0.0, None)[None, :]
    rate = np.ones(len(summary)) if margin_rates is None else summary["customer_id"].map(margin_rates).fillna(1.0).to_numpy(dtype=float)
    data["rate"] = rate[None, :]
    months = np.arange(horizon_months + 1)
    month_ends = months_to_units(months, time_unit=time_unit) if seasonality is None else seasonality.horizon_units(months, time_unit=time_unit)
    values = np.vstack([_simulate_values(models[key], gg, k, data, month_ends, annual_discount_rate, rng) for key, k in counts.items() if k])
    out = _intervals(summary["customer_id"].to_numpy(), values, level=level, n_draws=n_draws, seed=seed)
    return ClvIntervals(out.customers, out.total, out.draws, np.repeat(list(counts), list(counts.values())))


def _intervals(ids: np.ndarray, values: np.ndarray, *, level: float, n_draws: int, seed: int) -> ClvIntervals:
    """The central ``level`` ranges of the simulated values (draws x customers), per customer and of the totals."""
    lo, hi = (1 - level) / 2, (1 + level) / 2
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "clv_mean": values.mean(axis=0),
            "clv_low": np.quantile(values, lo, axis=0),
            "clv_high": np.quantile(values, hi, axis=0),
        }
    )
    totals = values.sum(axis=1)
    total = pd.DataFrame(
        {
            "clv_mean": [float(totals.mean())],
            "clv_low": [float(np.quantile(totals, lo))],
            "clv_high": [float(np.quantile(totals, hi))],
            "level": [level],
            "n_draws": [n_draws],
            "seed": [seed],
        }
    )
    return ClvIntervals(customers, total, totals)
