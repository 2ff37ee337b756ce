"""Uncertainty of the purchase-model choice: the models' holdout predictive densities and the weights the CLV intervals use.

The problem. :data:`~workbench.analysis.clv.select.SELECTION_RULE` keeps one model, and an interval
built from that model alone takes it as right. The three models differ in their forecast of the
24-month total by more than that interval's parameter and process noise (on the simulator, MBG/NBD
about 4 % below BG/NBD and Pareto/NBD 3-8 % above), and the rule's holdout-total error cannot tell them
apart: in a BG/NBD world it kept BG/NBD in 5 seeds of 20, and the total's 90 % interval covered the
truth in 14 of 20 (``benchmarks/results/clv_coverage.md``).

The fix: model averaging. The draws of :func:`~workbench.analysis.clv.uncertainty.simulate_clv` are
split among the models in proportion to weights, so the interval of the total is that of the mixture
of the models' predictive distributions and carries the uncertainty of the choice.

The evidence for the weights is the **holdout log predictive density** of each model
(:func:`holdout_log_scores`): for each calibration customer, the log of the probability the model fitted
on the calibration period gave to the number of purchases the customer actually made in the holdout
(:func:`holdout_pmf`, exact for the three models). It is a strictly proper scoring rule on data the
fits never saw, it judges the whole predictive distribution of every customer (not only a total whose
errors can cancel), and the three models have four parameters each, so no complexity penalty is
needed; the models then relate as in Akaike weights, with the holdout in place of AIC's correction.
A plain softmax of those totals (pseudo-BMA) puts all the weight on one model whenever they differ by a
few units, which is again "the chosen model is right". :func:`pseudo_bma_weights` therefore uses
pseudo-BMA+ (Yao, Vehtari, Simpson & Gelman 2018, "Using stacking to average Bayesian predictive
distributions", Bayesian Analysis 13(3)): the softmax is averaged over a Bayesian bootstrap
of the customers, so two models within the holdout's sampling error share the weight. Stacking (same
paper) optimises the mixture for one customer's count, not for the total, and was not kept.

What the weights do not change: ``clv.model`` and the point CLV are still the rule's model (its
holdout-total error is by construction no larger than BG/NBD's), and ``clv.model`` set to a model
gives that model all the weight. On the simulator's BG/NBD world the weights go mostly to BG/NBD
(0.93 on average over 20 seeds), although the rule keeps it in only a quarter of the seeds.

Units: counts are purchases (purchase days, or the purchase definition of the summary); probabilities
and weights are fractions 0-1; log scores are natural logs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln, logsumexp, xlogy

from workbench.analysis.clv.fit import ModelFit
from workbench.analysis.clv.prepare import check_summary
from workbench.analysis.clv.uncertainty import _p_alive
from workbench.analysis.clv.validate import pareto_nbd_pmf, pareto_nbd_pmf_at


def _nb_pmf(r: np.ndarray, alpha: np.ndarray, tau: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """E[Poisson(y; lambda tau)] for lambda ~ Gamma(r, alpha): customers (rows) x counts (columns)."""
    r, alpha, tau, y = r[:, None], alpha[:, None], tau[:, None], counts[None, :].astype(float)
    return np.exp(gammaln(r + y) - gammaln(r) - gammaln(y + 1) + r * np.log(alpha / (alpha + tau)) + xlogy(y, tau / (alpha + tau)))


def _bg_alive_pmf(a: float, b_post: np.ndarray, nb: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """P(y purchases | alive now) of the BG/NBD family: survive y purchases and make no more, or drop after the y-th."""
    y = counts[None, :].astype(float)
    b = b_post[:, None]
    survive = np.exp(betaln(a, b + y) - betaln(a, b))  # E[(1 - p)^y], p ~ Beta(a, b)
    drop = np.where(y >= 1, np.exp(betaln(a + 1, b + np.maximum(y - 1, 0)) - betaln(a, b)), 0.0)  # E[p (1 - p)^(y - 1)]
    at_least = 1.0 - np.concatenate([np.zeros((nb.shape[0], 1)), np.cumsum(nb, axis=1)[:, :-1]], axis=1)  # P(N >= y)
    return survive * nb + drop * np.clip(at_least, 0.0, 1.0)


def holdout_pmf(calibration: pd.DataFrame, fit: ModelFit, *, max_count: int | None = None) -> np.ndarray:
    """Each calibration customer's predictive distribution of its holdout purchases, given its calibration history.

    P(Y = y | x, t_x, T) = P(alive at T) P(y | alive) + (1 - P(alive at T)) [y = 0]. Given alive, the
    purchase rate is Gamma(r + x, alpha + T) and, independently, the dropout is Beta(a, b + x) after
    each purchase (BG/NBD; Beta(a, b + x + 1) for MBG/NBD, which also drops at the first purchase) or an
    exponential lifetime of rate Gamma(s, beta + T) (Pareto/NBD). BG/NBD family, for a holdout of
    duration tau: P(y | alive) = E[(1 - p)^y] NB(y) + [y >= 1] E[p (1 - p)^(y - 1)] P(N >= y), N ~ NB
    (the Poisson count over tau mixed over the rate); Pareto/NBD: :func:`~workbench.analysis.clv.validate.pareto_nbd_pmf`
    at the posterior parameters. P(alive) is lifetimes' formula, in logs for Pareto/NBD (lifetimes' own
    ``conditional_probability_alive`` overflows to NaN for a customer with ~150 purchases).

    Parameters
    ----------
    calibration
        From :func:`~workbench.analysis.clv.prepare.compute_calibration_holdout` (``frequency``,
        ``recency``, ``T``, ``duration_holdout`` in time units, ``frequency_holdout``).
    fit
        A purchase model fitted on ``calibration``.
    max_count
        Largest count y; default the largest ``frequency_holdout``.

    Returns
    -------
    np.ndarray
        Probabilities (0-1), customers (rows, in the order of ``calibration``) x counts 0..max_count.
    """
    check_summary(calibration, ["frequency", "recency", "T", "duration_holdout", "frequency_holdout"], "calibration")
    x, tx, age, tau = (calibration[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T", "duration_holdout"))
    counts = np.arange((int(calibration["frequency_holdout"].max()) if max_count is None else max_count) + 1)
    th = fit.params
    p_alive = _p_alive(fit.key, {k: np.array([[v]]) for k, v in th.items()}, x[None, :], tx[None, :], age[None, :])[0]
    if fit.key == "paretonbd":
        alive = np.empty((len(x), len(counts)))
        for t in np.unique(tau):  # one duration in practice: the holdout is the same window for everyone
            rows = tau == t
            post = {"r": th["r"] + x[rows], "alpha": th["alpha"] + age[rows], "s": th["s"], "beta": th["beta"] + age[rows]}
            alive[rows] = pareto_nbd_pmf(post, np.full(rows.sum(), t), counts)
    else:
        nb = _nb_pmf(th["r"] + x, th["alpha"] + age, tau, counts)
        alive = _bg_alive_pmf(th["a"], th["b"] + x + (1.0 if fit.key == "mbgnbd" else 0.0), nb, counts)
    return p_alive[:, None] * alive + (1.0 - p_alive)[:, None] * (counts[None, :] == 0)


def holdout_probability(calibration: pd.DataFrame, fit: ModelFit) -> np.ndarray:
    """The probability each calibration customer's predictive distribution gave to its actual holdout purchases.

    The entry of :func:`holdout_pmf` at the customer's own ``frequency_holdout``. For Pareto/NBD only
    that entry is computed (:func:`~workbench.analysis.clv.validate.pareto_nbd_pmf_at`): the whole
    customers x counts x quadrature-nodes array costs minutes on 50,000 customers with heavy buyers.

    Parameters
    ----------
    calibration
        From :func:`~workbench.analysis.clv.prepare.compute_calibration_holdout`.
    fit
        A purchase model fitted on ``calibration``.

    Returns
    -------
    np.ndarray
        P(Y = actual holdout count) per customer (0-1), in the order of ``calibration``.
    """
    y = calibration["frequency_holdout"].to_numpy(dtype=int)
    if fit.key != "paretonbd":
        return holdout_pmf(calibration, fit)[np.arange(len(y)), y]
    check_summary(calibration, ["frequency", "recency", "T", "duration_holdout", "frequency_holdout"], "calibration")
    x, tx, age, tau = (calibration[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T", "duration_holdout"))
    th = fit.params
    p_alive = _p_alive(fit.key, {k: np.array([[v]]) for k, v in th.items()}, x[None, :], tx[None, :], age[None, :])[0]
    post = {"r": th["r"] + x, "alpha": th["alpha"] + age, "s": np.full(len(x), th["s"]), "beta": th["beta"] + age}
    alive = pareto_nbd_pmf_at(post, tau, y)
    return p_alive * alive + (1.0 - p_alive) * (y == 0)


def holdout_log_scores(calibration: pd.DataFrame, fits: dict[str, ModelFit]) -> pd.DataFrame:
    """Log predictive density of each customer's actual holdout purchases under each model (:func:`holdout_probability`).

    Parameters
    ----------
    calibration
        From :func:`~workbench.analysis.clv.prepare.compute_calibration_holdout`.
    fits
        Purchase models fitted on ``calibration``, by key.

    Returns
    -------
    pd.DataFrame
        One column per model key, one row per calibration customer: log P(actual holdout count) (natural log, <= 0).
    """
    out = {key: np.log(np.clip(holdout_probability(calibration, fit), 1e-300, None)) for key, fit in fits.items()}
    return pd.DataFrame(out, index=calibration.index)


def pseudo_bma_weights(scores: pd.DataFrame, *, n_bootstrap: int = 1000, seed: int = 0) -> pd.Series:
    """Pseudo-BMA+ weights of the models (Yao, Vehtari, Simpson & Gelman 2018): Bayesian-bootstrap-smoothed Akaike-type weights.

    For each of ``n_bootstrap`` Dirichlet(1, ..., 1) weightings u of the n customers, the models' total
    holdout log score is n sum_i u_i log p_m(y_i) and the model weights are their softmax; the weights
    returned are the mean over the bootstraps. A plain softmax of the totals (pseudo-BMA) puts all the
    weight on one model whenever the totals differ by a few units; the bootstrap keeps the weight shared
    when that difference is within the sampling error of the holdout.

    Parameters
    ----------
    scores
        From :func:`holdout_log_scores` (customers x models).
    n_bootstrap
        Bayesian-bootstrap replicates.
    seed
        Seed of the Dirichlet draws.

    Returns
    -------
    pd.Series
        Weight of each model (fraction 0-1, sum 1), indexed by model key.
    """
    values = scores.to_numpy(dtype=float)
    n = values.shape[0]
    u = np.random.default_rng(seed).dirichlet(np.ones(n), size=n_bootstrap)
    elpd = n * u @ values  # bootstraps x models
    w = np.exp(elpd - logsumexp(elpd, axis=1, keepdims=True)).mean(axis=0)
    return pd.Series(w / w.sum(), index=scores.columns, name="weight")


def model_weights(calibration: pd.DataFrame, fits: dict[str, ModelFit], *, n_bootstrap: int = 1000, seed: int = 0) -> pd.Series:
    """The weights of the purchase models in the CLV intervals: :func:`pseudo_bma_weights` of :func:`holdout_log_scores`.

    Parameters
    ----------
    calibration
        From :func:`~workbench.analysis.clv.prepare.compute_calibration_holdout`.
    fits
        Purchase models fitted on ``calibration``, by key.
    n_bootstrap, seed
        As :func:`pseudo_bma_weights`.

    Returns
    -------
    pd.Series
        Weight of each model (fraction 0-1, sum 1), indexed by key, in the order of ``fits``.
    """
    return pseudo_bma_weights(holdout_log_scores(calibration, fits), n_bootstrap=n_bootstrap, seed=seed)


__all__ = ["holdout_log_scores", "holdout_pmf", "holdout_probability", "model_weights", "pseudo_bma_weights"]
