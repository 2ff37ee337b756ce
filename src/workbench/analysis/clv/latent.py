"""A company's latent purchase state at a date, from its history before that date (BG/NBD).

The uplift analysis uses it as a covariate: two companies with the same purchases last year can
be one that still buys and one that has quietly stopped. BG/NBD's P(alive) and its expected
purchases over the next year, computed at the date from the purchases before it only, tell them
apart better than raw recency does.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pandas as pd

from workbench.analysis.clv.fit import ModelFit, fit_bgnbd

STATE_COLUMNS = ["p_alive", "expected_purchases"]


#: Above this, the BG/NBD's ``a`` or ``b`` says the data cannot tell companies' dropout apart (the
#: maximum-likelihood fit runs to the boundary of a single dropout probability ``a / (a + b)``).
DEGENERATE_DROPOUT = 1e3
#: The L2 penalty of lifetimes used when the maximum-likelihood fit is degenerate (its docs suggest 0.001-0.1).
STABILISING_PENALIZER = 0.001


def fit_population(summary: pd.DataFrame, *, penalizer: float = 0.0) -> ModelFit:
    """Fit the population BG/NBD on a history summary (``frequency, recency, T`` in weeks), by maximum likelihood.

    No penalty by default. lifetimes adds ``penalizer x (r^2 + alpha^2 + a^2 + b^2)`` to the
    *per-company mean* log-likelihood, so even 0.001 pulls ``b`` (about 6 in the simulator) towards 0:
    on 2,000 simulated companies it came out near 2.6 instead of 5.3-6.3 unpenalised, which made
    dropout look more heterogeneous and over-predicted the heaviest buyers' next year by 8-10 %
    (the members, in every world; the uplift headline leaned low by about 1,000 EUR per company).

    On a few dozen companies the maximum-likelihood ``a`` and ``b`` can run off together (one dropout
    probability for all, ``a`` or ``b`` above :data:`DEGENERATE_DROPOUT`, seen on 68 companies); their
    uncertainty is then unbounded and every parameter draw overflows. Such a fit is redone with
    :data:`STABILISING_PENALIZER`, and ``fit.penalizer`` says so. A fit that does not converge is
    retried with a small penalty too (:data:`~workbench.analysis.clv.fit.RETRY_POLICY`).
    """
    fit = fit_bgnbd(summary, penalizer=penalizer)
    params = fit.model.params_
    if penalizer == 0 and max(float(params["a"]), float(params["b"])) > DEGENERATE_DROPOUT:
        fit = fit_bgnbd(summary, penalizer=STABILISING_PENALIZER)
    return fit


def latent_state(summary: pd.DataFrame, *, fit: ModelFit, horizon_weeks: float = 52.0) -> pd.DataFrame:
    """P(alive) and the expected purchases over the next ``horizon_weeks`` of each row.

    Parameters
    ----------
    summary
        ``frequency`` (repeat purchase days), ``recency`` and ``T`` (weeks from the first purchase
        to the last one and to the date), one row per company and date. A company without any
        purchase before the date has ``T`` 0: it gets P(alive) 1 and the population's expectation.
    fit
        The population BG/NBD (:func:`fit_population`).
    horizon_weeks
        Horizon of the expected purchases, weeks.

    Returns
    -------
    pd.DataFrame
        ``p_alive`` (probability, 0-1) and ``expected_purchases`` (purchase days over the horizon),
        on the index of ``summary``.
    """
    model = fit.model
    x, tx, t = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    p_alive = np.asarray(model.conditional_probability_alive(x, tx, t), dtype=float)
    expected = np.asarray(model.conditional_expected_number_of_purchases_up_to_time(horizon_weeks, x, tx, t), dtype=float)
    return pd.DataFrame({"p_alive": np.clip(p_alive, 0.0, 1.0), "expected_purchases": expected}, index=summary.index)


def parameter_draws(fit: ModelFit, *, n: int, rng: np.random.Generator) -> list[dict[str, float]]:
    """``n`` draws of the fit's parameters from its estimation uncertainty (log-normal, the fit's covariance).

    The same draws as the CLV intervals (:mod:`workbench.analysis.clv.uncertainty`); a fit without
    a finite covariance gives its estimates ``n`` times.
    """
    from workbench.analysis.clv.uncertainty import _draw_parameters

    drawn = _draw_parameters(fit, n, rng)
    return [{name: float(values[i, 0]) for name, values in drawn.items()} for i in range(n)]


def with_parameters(fit: ModelFit, params: dict[str, float]) -> ModelFit:
    """A copy of ``fit`` whose model predicts with ``params`` (for example one of :func:`parameter_draws`)."""
    model = copy.copy(fit.model)
    model.params_ = pd.Series({name: float(params[name]) for name in fit.model.params_.index})
    return dataclasses.replace(fit, model=model)


def expected_between(summary: pd.DataFrame, *, fit: ModelFit, start_weeks: np.ndarray, end_weeks: np.ndarray) -> pd.DataFrame:
    """P(alive) at the summary's date and the expected purchases between two later times.

    Parameters
    ----------
    summary
        ``frequency``, ``recency``, ``T`` (weeks), one row per company and date.
    fit
        The population model (:func:`fit_population`, or :func:`with_parameters` of it).
    start_weeks, end_weeks
        Per row, the window's bounds in weeks after the summary's date (``start <= end``).

    Returns
    -------
    pd.DataFrame
        ``p_alive`` (0-1) and ``expected_purchases`` (purchase days expected in the window, averaged
        over alive and dead: divide by ``p_alive`` for a company known to be alive at the date).
    """
    model = fit.model
    x, tx, t = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    p_alive = np.clip(np.asarray(model.conditional_probability_alive(x, tx, t), dtype=float), 0.0, 1.0)
    upto = model.conditional_expected_number_of_purchases_up_to_time
    expected = np.asarray(upto(np.asarray(end_weeks, float), x, tx, t), dtype=float) - np.asarray(upto(np.asarray(start_weeks, float), x, tx, t), dtype=float)
    return pd.DataFrame({"p_alive": p_alive, "expected_purchases": np.clip(expected, 0.0, None)}, index=summary.index)
