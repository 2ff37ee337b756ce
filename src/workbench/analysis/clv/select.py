"""Choice of the purchase model: BG/NBD, MBG/NBD and Pareto/NBD compared on the calibration period and the holdout.

:func:`compare_purchase_models` puts the three calibration fits side by side: total log-likelihood
and chi-square on the calibration histogram (how well each reproduces the data it was fitted on),
and, on the holdout it never saw, the error of the total of the customers' conditional forecasts, the
error by calibration frequency and the per-customer MAE. :func:`choose_purchase_model` applies
:data:`SELECTION_RULE`. :func:`calibration_metrics` gives the metric keys a reviewer checks against
published figures (``clv.calibration.<model>.<param>``, ``clv.calibration.<model>.holdout_predicted``).

Why this rule. The CLV the page reports is a sum over the customer base of forecast purchases times
spend, so the error that matters most for it is the error of the *total* forecast on data the fit
has not seen; the holdout is the only check of a forecast. The three models have four parameters
each, so their log-likelihoods compare directly (same AIC/BIC penalty); the log-likelihood judges
the fit to the whole calibration distribution, and breaks ties. A total can be right by luck (errors
of opposite signs cancel), so the page also shows the error by frequency and the per-customer MAE
for the reviewer; they do not enter the rule, which would otherwise need weights nobody can justify.

The rule keeps one model for the point CLV, but the holdout total cannot tell the three models apart
reliably (on the simulator's BG/NBD world it keeps BG/NBD in a quarter of the seeds). So the
intervals do not take the kept model as right: :func:`fit_models` also gives each model a weight from
its holdout log predictive density (:func:`~workbench.analysis.clv.average.model_weights`) and refits
the weighted models on the whole history, and the simulation mixes them (``ClvFits.weights``, ``ClvFits.refits``).

Units: purchases are purchase days (or the purchase definition of the summary); fractions are 0-1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis.clv.average import model_weights
from workbench.analysis.clv.fit import PURCHASE_MODELS, ClvFitError, ModelFit, fit_gamma_gamma, fit_purchase_model
from workbench.analysis.clv.prepare import compute_calibration_holdout
from workbench.analysis.clv.season import Seasonality, estimate_seasonality
from workbench.analysis.clv.validate import (
    compute_chi_square,
    compute_holdout_by_frequency,
    compute_purchase_histogram,
    expected_holdout,
)

#: The rule :func:`choose_purchase_model` applies, in words (shown on the page).
SELECTION_RULE = (
    "the model whose holdout forecast of total repeat purchases misses the actual total by the fewest purchases "
    "(rounded to whole purchases); a tie goes to the higher calibration log-likelihood"
)
#: ``clv.model`` values: ``auto`` applies the rule, the others force a model.
MODEL_CHOICES = ("auto", *PURCHASE_MODELS)
COMPARISON_COLUMNS = [
    "model",
    "name",
    "log_likelihood",
    "chi_square",
    "chi_square_p_value",
    "holdout_actual",
    "holdout_predicted",
    "holdout_error",
    "holdout_relative_error",
    "by_frequency_error",
    "mae",
    "p_alive_one_time_buyers",
]

#: Column labels of :func:`compare_purchase_models` as the page shows them.
COMPARISON_LABELS = {
    "name": "model",
    "log_likelihood": "log-likelihood (calibration)",
    "chi_square": "chi-square (calibration histogram)",
    "chi_square_p_value": "chi-square p-value",
    "holdout_actual": "holdout: actual purchases",
    "holdout_predicted": "holdout: forecast",
    "holdout_error": "holdout: error",
    "holdout_relative_error": "holdout: error (%)",
    "by_frequency_error": "error by frequency (per customer)",
    "mae": "MAE per customer",
    "p_alive_one_time_buyers": "mean P(alive), no repeat purchase",
}


def compare_purchase_models(calibration: pd.DataFrame, fits: dict[str, ModelFit], *, max_frequency: int = 7) -> pd.DataFrame:
    """The calibration fits side by side: fit to the calibration data and errors on the holdout.

    Parameters
    ----------
    calibration
        From :func:`~workbench.analysis.clv.prepare.compute_calibration_holdout`.
    fits
        Purchase models fitted on ``calibration``, by key (``bgnbd``, ``mbgnbd``, ``paretonbd``).
    max_frequency
        Last bin (``max_frequency`` or more) of the histogram and of the error by frequency.

    Returns
    -------
    pd.DataFrame
        One row per model, in the order of ``fits``: ``model`` (key), ``name``, ``log_likelihood``
        (total, unpenalised), ``chi_square`` and ``chi_square_p_value`` (calibration histogram, 0-1),
        ``holdout_actual`` (purchases), ``holdout_predicted`` (sum of conditional expectations),
        ``holdout_error`` (predicted - actual, purchases), ``holdout_relative_error`` (fraction of
        actual), ``by_frequency_error`` (mean over customers of |mean forecast - mean actual| of the
        customer's calibration-frequency bin, purchases per customer), ``mae`` (purchases per
        customer), ``p_alive_one_time_buyers`` (mean P(alive) of the calibration customers without
        repeat purchase, 0-1; exactly 1 under BG/NBD).

    Raises
    ------
    ValueError
        ``fits`` is empty or has an unknown key.
    """
    if not fits or set(fits) - set(PURCHASE_MODELS):
        raise ValueError(f"fits: give one or more of {', '.join(PURCHASE_MODELS)}, got {', '.join(fits) or 'none'}")
    actual = calibration["frequency_holdout"].to_numpy(dtype=float)
    one_time = calibration["frequency"].to_numpy() == 0
    rows = []
    for key, fit in fits.items():
        chi = compute_chi_square(compute_purchase_histogram(calibration, fit, max_frequency=max_frequency)).iloc[0]
        expected = expected_holdout(calibration, fit)
        by_freq = compute_holdout_by_frequency(calibration, fit, max_frequency=max_frequency)
        seen = by_freq["customers"] > 0
        bin_error = float((by_freq.loc[seen, "customers"] * (by_freq.loc[seen, "expected"] - by_freq.loc[seen, "actual"]).abs()).sum() / len(actual))
        p_alive = np.asarray(fit.model.conditional_probability_alive(calibration["frequency"], calibration["recency"], calibration["T"]), dtype=float)
        rows.append(
            {
                "model": key,
                "name": fit.name,
                "log_likelihood": fit.log_likelihood,
                "chi_square": float(chi["chi_square"]),
                "chi_square_p_value": float(chi["p_value"]),
                "holdout_actual": int(actual.sum()),
                "holdout_predicted": float(expected.sum()),
                "holdout_error": float(expected.sum() - actual.sum()),
                "holdout_relative_error": float(expected.sum() / actual.sum() - 1) if actual.sum() else float("nan"),
                "by_frequency_error": bin_error,
                "mae": float(np.abs(expected - actual).mean()),
                "p_alive_one_time_buyers": float(p_alive[one_time].mean()) if one_time.any() else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def choose_purchase_model(comparison: pd.DataFrame, *, model: str = "auto") -> tuple[str, str]:
    """The purchase model the CLV uses: forced by ``model``, or picked by :data:`SELECTION_RULE`.

    Parameters
    ----------
    comparison
        From :func:`compare_purchase_models`.
    model
        ``auto`` (apply the rule) or a key of :data:`~workbench.analysis.clv.fit.PURCHASE_MODELS` (force it).

    Returns
    -------
    tuple[str, str]
        The key of the model and one sentence saying why, for the page.

    Raises
    ------
    ValueError
        ``model`` is not in :data:`MODEL_CHOICES`, or names a model absent from ``comparison``.
    """
    if model not in MODEL_CHOICES:
        raise ValueError(f"clv.model {model!r} is not supported; use one of {', '.join(MODEL_CHOICES)}")
    names = dict(zip(comparison["model"], comparison["name"]))
    if model != "auto":
        if model not in names:
            raise ValueError(f"clv.model {model!r} was asked, but its calibration fit is missing; set clv.model to auto")
        return model, f"{PURCHASE_MODELS[model]} is forced by the parameters (clv.model: {model})."
    ranked = comparison.assign(_miss=comparison["holdout_error"].abs().round(0), _ll=-comparison["log_likelihood"])
    ranked = ranked.sort_values(["_miss", "_ll"], kind="stable")
    best = ranked.iloc[0]
    tied = int((ranked["_miss"] == best["_miss"]).sum()) > 1
    reason = (
        f"{best['name']} is chosen by the rule ({SELECTION_RULE}): its holdout forecast misses the actual total by {abs(best['holdout_error']):.0f} purchases"
    )
    others = ", ".join(f"{row.name} {abs(row.holdout_error):.0f}" for row in ranked.iloc[1:].itertuples())
    reason += f" (against {others})" if others else ""
    return str(best["model"]), reason + (", and it has the higher log-likelihood of the tied models." if tied else ".")


def calibration_metrics(fits: dict[str, ModelFit], comparison: pd.DataFrame) -> dict[str, float]:
    """The calibration figures as metric keys, for ``metrics.json``.

    Parameters
    ----------
    fits
        The calibration fits, by key.
    comparison
        From :func:`compare_purchase_models` on the same fits.

    Returns
    -------
    dict[str, float]
        ``clv.calibration.<model>.<param>`` (each estimate; alpha and beta in time units),
        ``clv.calibration.<model>.loglik`` (total), ``clv.calibration.<model>.chi2``,
        ``clv.calibration.<model>.holdout_predicted`` (sum of conditional expectations over the
        holdout, purchases) and ``clv.calibration.holdout_actual`` (purchases).
    """
    out: dict[str, float] = {}
    by_model = comparison.set_index("model")
    for key, fit in fits.items():
        for name, value in fit.params.items():
            out[f"clv.calibration.{key}.{name}"] = float(value)
        out[f"clv.calibration.{key}.loglik"] = float(fit.log_likelihood)
        out[f"clv.calibration.{key}.chi2"] = float(by_model.loc[key, "chi_square"])
        out[f"clv.calibration.{key}.holdout_predicted"] = float(by_model.loc[key, "holdout_predicted"])
    if len(comparison):
        out["clv.calibration.holdout_actual"] = float(comparison["holdout_actual"].iloc[0])
    return out


def compare_holdout_by_frequency(calibration: pd.DataFrame, fits: dict[str, ModelFit], *, max_frequency: int = 7) -> pd.DataFrame:
    """Mean holdout purchases per customer by calibration frequency: actual, and each model's forecast.

    Returns
    -------
    pd.DataFrame
        ``frequency`` (label), ``customers``, ``actual``, then one column per model named by its
        display name (mean purchases per customer over the holdout).
    """
    out = None
    for fit in fits.values():
        table = compute_holdout_by_frequency(calibration, fit, max_frequency=max_frequency)
        if out is None:
            out = table[["frequency", "customers", "actual"]].copy()
        out[fit.name] = table["expected"].to_numpy()
    return out if out is not None else pd.DataFrame(columns=["frequency", "customers", "actual"])


@dataclass(frozen=True)
class ClvFits:
    """Every fit the CLV notebook shows.

    Attributes
    ----------
    calibration
        The calibration summary with the holdout purchases (:func:`~workbench.analysis.clv.prepare.compute_calibration_holdout`).
    calibration_fits
        The purchase models fitted on ``calibration``, by key (a model that did not converge is left out, see ``notes``).
    comparison
        :func:`compare_purchase_models` of ``calibration_fits``.
    model
        Key of the chosen purchase model; ``reason`` says why (:func:`choose_purchase_model`).
    purchase
        The chosen model refitted on the whole history (used for the forecasts).
    bgnbd
        BG/NBD refitted on the whole history (the chosen model when it is BG/NBD; kept to show what the
        choice changes), or None when it did not converge.
    gamma_gamma
        Gamma-Gamma fitted on the whole history.
    calibration_gamma_gamma
        Gamma-Gamma fitted on the calibration summary (for the holdout check of spend).
    notes
        Plain-language notes (a model left out of the comparison, and why).
    calibration_seasonality
        The seasonality estimated on the calibration period (``seasonal=True``), whose seasonal time
        ``calibration`` is measured in; None: calendar time.
    weights
        Weight of each purchase model in the CLV intervals (fraction 0-1, sum 1, by key): the pseudo-BMA+
        weights of :func:`~workbench.analysis.clv.average.model_weights` with ``clv.model: auto``, 1 for
        the forced model otherwise.
    refits
        The purchase models with a positive weight refitted on the whole history, by key (``purchase`` among them).
    """

    calibration: pd.DataFrame
    calibration_fits: dict[str, ModelFit]
    comparison: pd.DataFrame
    model: str
    reason: str
    purchase: ModelFit
    bgnbd: ModelFit | None
    gamma_gamma: ModelFit
    calibration_gamma_gamma: ModelFit
    notes: tuple[str, ...] = ()
    calibration_seasonality: Seasonality | None = None
    weights: pd.Series | None = None
    refits: dict[str, ModelFit] | None = None

    @property
    def calibration_purchase(self) -> ModelFit:
        """The chosen model's calibration fit."""
        return self.calibration_fits[self.model]

    @property
    def calibration_bgnbd(self) -> ModelFit | None:
        """BG/NBD fitted on the calibration period (None when it did not converge)."""
        return self.calibration_fits.get("bgnbd")


def _calibration_fits(calibration: pd.DataFrame, *, penalizer: float, model: str) -> tuple[dict[str, ModelFit], list[str]]:
    fits: dict[str, ModelFit] = {}
    notes: list[str] = []
    for key in PURCHASE_MODELS:
        try:
            fits[key] = fit_purchase_model(calibration, model=key, penalizer=penalizer)
        except ClvFitError as exc:
            if key == model:
                raise
            notes.append(f"{PURCHASE_MODELS[key]} is left out of the comparison: {exc}")
    if not fits:
        raise ClvFitError("no purchase model converged on the calibration period; " + " ".join(notes))
    return fits, notes


def fit_models(
    transactions: pd.DataFrame,
    summary: pd.DataFrame,
    *,
    calibration_end: pd.Timestamp,
    end: pd.Timestamp,
    time_unit: str = "week",
    penalizer: float = 0.0,
    q_constraint: bool = True,
    model: str = "auto",
    seasonal: bool = False,
) -> ClvFits:
    """The calibration split, the three purchase models, the choice, the refits; the first failure names its step.

    Parameters
    ----------
    transactions
        Canonical transactions (``customer_id``, ``date``, ``amount``) up to ``end``.
    summary
        :func:`~workbench.analysis.clv.prepare.compute_summary` of ``transactions`` at ``end`` in ``time_unit``.
    calibration_end, end
        Last day of the calibration period and of the holdout (the reference date).
    time_unit
        ``day``, ``week`` or ``month`` (365.25 / 12 days).
    penalizer
        L2 penalty of the purchase models (see :func:`~workbench.analysis.clv.fit.fit_purchase_model`); the Gamma-Gamma fit takes none.
    q_constraint
        Passed to :func:`~workbench.analysis.clv.fit.fit_gamma_gamma`.
    model
        ``auto`` (:data:`SELECTION_RULE`) or the key of the purchase model to use.
    seasonal
        Measure the calibration summary in the seasonal time of a seasonality estimated on the
        calibration period (:func:`~workbench.analysis.clv.season.estimate_seasonality`); give then a
        ``summary`` in the seasonal time of the whole history. False: calendar time.

    Returns
    -------
    ClvFits

    Raises
    ------
    ValueError
        A step cannot run (a :class:`~workbench.analysis.clv.fit.ClvFitError` when a model did not
        converge); the message starts with a sentence naming the step, e.g. "The spend model cannot be fitted: ...".
    """
    step = "The calibration period cannot be used"
    try:
        if model not in MODEL_CHOICES:
            raise ValueError(f"clv.model {model!r} is not supported; use one of {', '.join(MODEL_CHOICES)}")
        season = estimate_seasonality(transactions, end=calibration_end) if seasonal else None
        calibration = compute_calibration_holdout(transactions, calibration_end=calibration_end, end=end, time_unit=time_unit, seasonality=season)
        step = "The purchase model cannot be fitted on the calibration period"
        fits, notes = _calibration_fits(calibration, penalizer=penalizer, model=model)
        comparison = compare_purchase_models(calibration, fits)
        chosen, reason = choose_purchase_model(comparison, model=model)
        step = "The purchase model cannot be fitted on the whole history"
        purchase = fit_purchase_model(summary, model=chosen, penalizer=penalizer)
        weights = model_weights(calibration, fits) if model == "auto" else pd.Series({chosen: 1.0}, name="weight")
        refits, weights = _refits(summary, weights, {chosen: purchase}, penalizer, notes)
        bgnbd = refits.get("bgnbd") or (purchase if chosen == "bgnbd" else _try_bgnbd(summary, penalizer))
        step = "The spend model cannot be fitted"
        gamma_gamma = fit_gamma_gamma(summary, q_constraint=q_constraint)
        step = "The spend model cannot be fitted on the calibration period"
        calibration_gg = fit_gamma_gamma(calibration, q_constraint=q_constraint)
    except ValueError as exc:
        raise (ClvFitError if isinstance(exc, ClvFitError) else ValueError)(f"{step}: {exc}") from exc
    return ClvFits(calibration, fits, comparison, chosen, reason, purchase, bgnbd, gamma_gamma, calibration_gg, tuple(notes), season, weights, refits)


def _refits(summary: pd.DataFrame, weights: pd.Series, done: dict[str, ModelFit], penalizer: float, notes: list[str]) -> tuple[dict[str, ModelFit], pd.Series]:
    """Whole-history refits of the models with a positive weight; a failed refit is dropped, the weights renormalised, a note added."""
    refits: dict[str, ModelFit] = {}
    for key in weights.index[weights > 0]:
        try:
            refits[key] = done[key] if key in done else fit_purchase_model(summary, model=key, penalizer=penalizer)
        except ClvFitError as exc:
            notes.append(f"{PURCHASE_MODELS[key]} is left out of the intervals (weight {weights[key]:.2f}): its refit on the whole history failed: {exc}")
    kept = weights.reindex(list(refits))
    return refits, kept / kept.sum()


def _try_bgnbd(summary: pd.DataFrame, penalizer: float) -> ModelFit | None:
    try:
        return fit_purchase_model(summary, model="bgnbd", penalizer=penalizer)
    except ClvFitError:
        return None
