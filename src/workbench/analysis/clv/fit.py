"""Fits of the CLV models with lifetimes: three purchase models and Gamma-Gamma (spend per purchase).

Purchase models (:data:`PURCHASE_MODELS`, :func:`fit_purchase_model`): BG/NBD (Fader, Hardie & Lee
2005), MBG/NBD (Batislam, Denizel & Filiztekin 2007: a customer may also drop out at the first
purchase, so a one-time buyer's P(alive) is below 1) and Pareto/NBD (Schmittlein, Morrison & Colombo
1987: dropout at any time, not only after a purchase). The fits run on the distinct (frequency,
recency, T) rows with weights, with retry policies (:data:`RETRY_POLICY`, :data:`GG_RETRY_POLICY`);
the log-likelihood is the total, natural-scale, unpenalised one; standard errors come by the delta
method from lifetimes' exact (autograd) Hessian, or, for Pareto/NBD (whose lifetimes fit has none),
from a central-difference Hessian of the same likelihood. :func:`~workbench.analysis.clv.select.fit_models`
runs every fit a notebook needs.

Units: ``alpha`` and ``beta`` are in the time unit of the summary; ``v`` and spends are in the client's currency.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench import formatting
from workbench.analysis.clv._lifetimes import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNBDFitter
from workbench.analysis.clv.prepare import check_summary, months_to_units

#: Attempts of the BG/NBD fit, in order: (optimizer tolerance, penalizer). ``None`` keeps the
#: penalizer asked for; the last attempt adds a small penalizer (0.001) when none was asked
#: (lifetimes penalises BG/NBD parameters on a rescaled time axis, so 0.001 is small).
RETRY_POLICY: tuple[tuple[float, float | None], ...] = ((1e-7, None), (1e-4, None), (1e-4, 0.001))
#: Attempts of the Gamma-Gamma fit: tolerance only. lifetimes penalises ``v`` in currency units, so
#: any penalizer swamps the likelihood at B2B amounts (0.001 * 1500 ** 2 = 2250 per customer).
GG_RETRY_POLICY: tuple[tuple[float, float | None], ...] = ((1e-7, None), (1e-4, None))
Z_95 = 1.959963984540054
#: The purchase models, by key (as ``clv.model`` and the metric keys spell them), with their display names.
PURCHASE_MODELS = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "paretonbd": "Pareto/NBD"}


class ClvFitError(ValueError):
    """A model did not converge after every attempt of :data:`RETRY_POLICY`."""


#: Column labels of :func:`format_parameters` as the notebook shows them.
PARAMETER_LABELS = {"std_error": "std. error", "ci_95": "95 % interval"}


@dataclass(frozen=True)
class ModelFit:
    """A fitted model and what the notebook shows about it.

    Attributes
    ----------
    name
        ``BG/NBD``, ``MBG/NBD``, ``Pareto/NBD`` or ``Gamma-Gamma``.
    model
        The fitted lifetimes fitter.
    parameters
        ``parameter, estimate, std_error, ci_low, ci_high`` (95 %, estimate ± 1.96 SE). BG/NBD and
        MBG/NBD: ``r`` (no unit), ``alpha`` (time units), ``a``, ``b``; Pareto/NBD: ``r``, ``alpha``
        (time units), ``s``, ``beta`` (time units); Gamma-Gamma: ``p``, ``q``, ``v`` (currency).
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

    @property
    def key(self) -> str:
        """``bgnbd``, ``mbgnbd``, ``paretonbd`` (see :data:`PURCHASE_MODELS`) or ``gg``."""
        return {v: k for k, v in PURCHASE_MODELS.items()}.get(self.name, "gg")


def _fit_with_retries(
    name: str, make: Any, args: tuple, kwargs: dict, penalizer: float, n: int, policy: tuple[tuple[float, float | None], ...]
) -> tuple[Any, float, float, list[str]]:
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
    raise ClvFitError(
        f"{name} did not converge on {n} customers after {len(failures)} attempts ({'; '.join(failures)}); {hint} the summary for extreme frequencies or spends"
    )


def _parameter_table(model: Any, n: float, hessian: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Estimates, standard errors and covariance from the Hessian of the mean penalised NLL in log parameters.

    ``hessian`` defaults to lifetimes' own (``model._hessian_``, autograd).
    """
    theta = model.params_.to_numpy(dtype=float)
    names = list(model.params_.index)
    notes: list[str] = []
    try:
        cov_log = np.linalg.inv(np.asarray(model._hessian_ if hessian is None else hessian, dtype=float)) / n
    except np.linalg.LinAlgError:
        cov_log = np.full((len(theta), len(theta)), np.nan)
    cov = np.outer(theta, theta) * cov_log
    diag = np.diag(cov)
    if not np.all(np.isfinite(diag) & (diag > 0)):
        notes.append("the Hessian is not positive definite at the estimates: standard errors are not available")
        cov = np.full_like(cov, np.nan)
    se = np.sqrt(np.diag(cov))
    table = pd.DataFrame({"parameter": names, "estimate": theta, "std_error": se, "ci_low": theta - Z_95 * se, "ci_high": theta + Z_95 * se})
    return table, pd.DataFrame(cov, index=names, columns=names), notes


def _retry_notes(name: str, attempts: list[str], penalizer: float, asked: float) -> list[str]:
    notes = []
    if attempts:
        notes.append(f"{name} converged only after {len(attempts)} failed attempt(s) ({'; '.join(attempts)}).")
    if penalizer > asked:
        notes.append(f"{name} needed a penalizer of {penalizer:g} (asked {asked:g}): estimates are shrunk towards 0.")
    return notes


def _fitter(key: str) -> Any:
    """The lifetimes class of a BG/NBD-family model, looked up at call time (tests replace it)."""
    return {"bgnbd": BetaGeoFitter, "mbgnbd": ModifiedBetaGeoFitter}[key]


class _ParetoNBD:
    """lifetimes' Pareto/NBD fit (Nelder-Mead) from a fixed start, restarted from its own solution until it stops improving.

    lifetimes draws a random start when none is given; a fixed start keeps runs reproducible.
    """

    def __init__(self, penalizer: float) -> None:
        self.penalizer = penalizer

    def fit(self, frequency: np.ndarray, recency: np.ndarray, age: np.ndarray, *, weights: np.ndarray, tol: float) -> Any:
        model, start, best = ParetoNBDFitter(self.penalizer), np.ones(4), np.inf
        for _ in range(4):
            model.fit(frequency, recency, age, weights=weights, tol=tol, initial_params=start, maxiter=10_000)
            if not model._negative_log_likelihood_ < best - 1e-9 * abs(best):
                break
            best = model._negative_log_likelihood_
            start = model.params_.to_numpy() * np.array([1.0, model._scale, 1.0, model._scale])
        return model


def _mean_nll(key: str, log_theta: np.ndarray, freq: np.ndarray, rec: np.ndarray, age: np.ndarray, w: np.ndarray) -> float:
    """Unpenalised negative log-likelihood per customer, natural time scale, at ``exp(log_theta)``."""
    if key == "paretonbd":
        return -float((w * ParetoNBDFitter._conditional_log_likelihood(np.exp(log_theta), freq, rec, age)).sum() / w.sum())
    return float(_fitter(key)._negative_log_likelihood(log_theta, freq, rec, age, w, 0.0))


def _numerical_hessian(f: Any, x: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``x`` (log parameters, so one relative step fits all)."""
    k = len(x)
    h = np.zeros((k, k))
    eye = np.eye(k) * step
    for i in range(k):
        for j in range(i, k):
            h[i, j] = h[j, i] = (f(x + eye[i] + eye[j]) - f(x + eye[i] - eye[j]) - f(x - eye[i] + eye[j]) + f(x - eye[i] - eye[j])) / (4 * step**2)
    return h


def fit_purchase_model(summary: pd.DataFrame, *, model: str = "bgnbd", penalizer: float = 0.0) -> ModelFit:
    """Fit a purchase model on the distinct (frequency, recency, T) rows, weighted by customers.

    Parameters
    ----------
    summary
        From :func:`compute_summary` or :func:`compute_calibration_holdout` (``frequency``, ``recency``, ``T``).
    model
        ``bgnbd``, ``mbgnbd`` or ``paretonbd`` (:data:`PURCHASE_MODELS`).
    penalizer
        lifetimes' L2 penalty (0 = maximum likelihood). :data:`RETRY_POLICY` is applied on failure.

    Returns
    -------
    ModelFit
        ``r``, ``alpha`` (time units), ``a``, ``b`` (BG/NBD, MBG/NBD) or ``r``, ``alpha``, ``s``,
        ``beta`` (time units; Pareto/NBD). Pareto/NBD's covariance comes from a central-difference
        Hessian (lifetimes computes none for it).

    Raises
    ------
    ValueError
        Missing columns, no customer, an unknown model, or negative ``penalizer``.
    ClvFitError
        No attempt converged; the message lists each attempt.
    """
    check_summary(summary, ["frequency", "recency", "T"], "summary")
    if model not in PURCHASE_MODELS:
        raise ValueError(f"model {model!r} is not supported; use one of {', '.join(PURCHASE_MODELS)}")
    if penalizer < 0:
        raise ValueError(f"penalizer must be >= 0, got {penalizer}; use 0 or a small value such as 0.001")
    name = PURCHASE_MODELS[model]
    rows = summary.groupby(["frequency", "recency", "T"]).size().rename("weight").reset_index()
    freq, rec, age, w = (rows[c].to_numpy() for c in ("frequency", "recency", "T", "weight"))
    n = int(w.sum())
    make = _ParetoNBD if model == "paretonbd" else _fitter(model)
    fitted, tol, pen, attempts = _fit_with_retries(name, make, (freq, rec, age), {"weights": w}, penalizer, n, RETRY_POLICY)
    log_theta = np.log(fitted.params_.to_numpy(dtype=float))
    hessian = None
    if model == "paretonbd":
        with np.errstate(all="ignore"):
            hessian = _numerical_hessian(lambda th: _mean_nll(model, th, freq, rec, age, w), log_theta)
    table, cov, notes = _parameter_table(fitted, n, hessian)
    ll = -_mean_nll(model, log_theta, freq, rec, age, w) * n
    return ModelFit(name, fitted, table, cov, ll, n, len(rows), tol, pen, tuple(attempts), tuple(_retry_notes(name, attempts, pen, penalizer) + notes))


def fit_bgnbd(summary: pd.DataFrame, *, penalizer: float = 0.0) -> ModelFit:
    """Fit the BG/NBD model: :func:`fit_purchase_model` with ``model="bgnbd"``.

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
    return fit_purchase_model(summary, model="bgnbd", penalizer=penalizer)


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
    check_summary(summary, ["frequency", "monetary_value"], "summary")
    repeat = summary.loc[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < 3:
        raise ValueError(
            f"summary: {len(repeat)} repeat customer(s) with a positive spend; the Gamma-Gamma model needs more (at least 3, and in practice hundreds)"
        )
    rows = repeat.groupby(["frequency", "monetary_value"]).size().rename("weight").reset_index()
    freq, m, w = (rows[c].to_numpy() for c in ("frequency", "monetary_value", "weight"))
    n = int(w.sum())
    model, tol, pen, attempts = _fit_with_retries(
        "Gamma-Gamma", GammaGammaFitter, (freq, m), {"weights": w, "q_constraint": q_constraint}, 0.0, n, GG_RETRY_POLICY
    )
    table, cov, notes = _parameter_table(model, n)
    ll = -float(GammaGammaFitter._negative_log_likelihood(np.log(table["estimate"].to_numpy()), freq.astype(float), m, w, 0.0)) * n
    q = float(model.params_["q"])
    if q <= 1:
        notes.append(f"Gamma-Gamma q = {q:.3g} <= 1: the population mean spend is infinite; customers without repeat purchase cannot be valued")
    return ModelFit(
        "Gamma-Gamma", model, table, cov, ll, n, len(rows), tol, pen, tuple(attempts), tuple(_retry_notes("Gamma-Gamma", attempts, pen, 0.0) + notes)
    )


def format_parameters(fit: ModelFit, *, digits: int = 4) -> pd.DataFrame:
    """The parameter table as text, ``digits`` significant digits (for display: stable across machines).

    Parameters
    ----------
    fit
        From :func:`fit_bgnbd` or :func:`fit_gamma_gamma`.
    digits
        Significant digits shown.

    Returns
    -------
    pd.DataFrame
        ``parameter, estimate, std_error, ci_95`` (text; the interval is estimate ± 1.96 SE).
    """

    def g(x: float) -> str:
        return "" if not np.isfinite(x) else f"{x:.{digits}g}"

    t = fit.parameters
    return pd.DataFrame(
        {
            "parameter": t["parameter"],
            "estimate": t["estimate"].map(g),
            "std_error": t["std_error"].map(g),
            "ci_95": [f"{g(lo)} to {g(hi)}" if np.isfinite(lo) else "" for lo, hi in zip(t["ci_low"], t["ci_high"])],
        }
    )


def describe_fit(fit: ModelFit, *, time_unit: str = "week", currency: str = "EUR") -> list[str]:
    """Plain-language reading of a fit's parameters (means of the fitted distributions).

    Parameters
    ----------
    fit
        From :func:`fit_purchase_model` or :func:`fit_gamma_gamma`.
    time_unit
        The time unit of the summary the purchase model was fitted on.
    currency
        The client's currency (Gamma-Gamma).

    Returns
    -------
    list[str]
        Purchase models: mean purchase rate r / alpha (purchases per time unit while active) and the
        dropout: mean probability a / (a + b) after each repeat purchase (BG/NBD) or after each purchase
        (MBG/NBD), or mean dropout rate s / beta and mean lifetime beta / (s - 1) (Pareto/NBD; 3
        significant digits). Gamma-Gamma: population
        mean spend per purchase p v / (q - 1) (currency, 4 significant digits; infinite when q <= 1).
    """
    p = fit.params
    if fit.key != "gg":
        rate = p["r"] / p["alpha"]
        out = [
            (
                f"While active, a customer buys on {rate:.3g} days per {time_unit} on average (r / alpha), "
                f"that is {rate * months_to_units(12, time_unit=time_unit):.3g} purchase days a year."
            )
        ]
        if fit.key == "bgnbd":
            out.append(
                f"After each repeat purchase a customer stops buying for good with probability {p['a'] / (p['a'] + p['b']):.3g} on average (a / (a + b))."
            )
        elif fit.key == "mbgnbd":
            out.append(
                f"After each purchase, the first included, a customer stops buying for good with probability {p['a'] / (p['a'] + p['b']):.3g} on average (a / (a + b))."
            )
        else:
            life = p["beta"] / (p["s"] - 1) if p["s"] > 1 else float("inf")
            out.append(
                f"A customer stops buying at a random time, at a mean rate of {p['s'] / p['beta']:.3g} per {time_unit} (s / beta); "
                + (f"mean lifetime {life:.3g} {time_unit}s (beta / (s - 1))." if math.isfinite(life) else "the mean lifetime is infinite (s <= 1).")
            )
        return out
    mean = p["p"] * p["v"] / (p["q"] - 1) if p["q"] > 1 else float("inf")
    return [f"The population's mean spend per purchase day is {_significant(mean, 4)} {currency} (p v / (q - 1))."]


def _significant(value: float, digits: int) -> str:
    """``value`` with about ``digits`` significant digits, thousands grouped (``3088.4`` → ``3 088``)."""
    if not math.isfinite(value) or value == 0:
        return formatting.number(value, 0)  # 0, inf, or "" for NaN
    return formatting.number(value, max(0, digits - 1 - math.floor(math.log10(abs(value)))))
