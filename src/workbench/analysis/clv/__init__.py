"""Customer lifetime value (notebook ``04_clv``): a purchase model (BG/NBD, MBG/NBD or Pareto/NBD) + Gamma-Gamma, with lifetimes.

Every import of and call to lifetimes lives in this subpackage. The steps, one module each:

1. :mod:`~workbench.analysis.clv.prepare`: purchase days (same-day purchases merged, credit notes
   netted), the summary per customer in the time unit, the calibration/holdout split and the
   preparation table.
1b. :mod:`~workbench.analysis.clv.season`: a yearly seasonality of the purchase days and the seasonal
   time the models can run on (recency, T and horizons), so a low season is not read as quiet customers.
2. :mod:`~workbench.analysis.clv.fit`: the purchase-model and Gamma-Gamma fits with their retries,
   standard errors by the delta method, the total log-likelihood.
3. :mod:`~workbench.analysis.clv.validate`: chi-square on the calibration histogram, the holdout by
   frequency, tracking, the holdout error measures, the spend/frequency correlation.
4. :mod:`~workbench.analysis.clv.select`: the three purchase models compared on the calibration
   period and the holdout, the documented choice (or ``clv.model``), every fit the page needs.
5. :mod:`~workbench.analysis.clv.forecast`: P(alive), expected purchases, discounted CLV (on margin
   when known), CLV by group, high-value customers at risk, the frequency x recency grids.
6. :mod:`~workbench.analysis.clv.spend`: margin rates, the holdout check of spend and ranking
   against a naive forecast, left-truncated customers.
7. :mod:`~workbench.analysis.clv.uncertainty`: intervals per customer and for the total by a seeded
   simulation (parameter uncertainty and process noise; several models mixed by their weights).
7b. :mod:`~workbench.analysis.clv.average`: each model's holdout predictive distribution and log score,
   and the pseudo-BMA+ weights that carry the uncertainty of the model choice into the intervals.

Units: recency, T, durations and rates are in the chosen time unit (day, week, or month of 365.25 / 12
days); money is in the client's currency; probabilities and shares are fractions 0-1.
"""

from __future__ import annotations

from workbench.analysis.clv.average import holdout_log_scores, holdout_pmf, model_weights, pseudo_bma_weights
from workbench.analysis.clv.fit import (
    GG_RETRY_POLICY,
    PARAMETER_LABELS,
    PURCHASE_MODELS,
    RETRY_POLICY,
    ClvFitError,
    ModelFit,
    describe_fit,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_purchase_model,
    format_parameters,
)
from workbench.analysis.clv.forecast import (
    SPEND_BASES,
    clv_labels,
    compare_clv_by_group,
    compute_at_risk,
    compute_clv,
    compute_clv_by_group,
    compute_clv_summary,
    compute_matrix,
    expected_spend,
)
from workbench.analysis.clv.prepare import (
    SUMMARY_COLUMNS,
    UNIT_DAYS,
    compute_calibration_holdout,
    compute_preparation,
    compute_summary,
    load_cdnow_sample,
    months_to_units,
    not_applicable_reason,
    resolve_calibration_end,
    unit_days,
)
from workbench.analysis.clv.season import MIN_MONTHS as SEASON_MIN_MONTHS
from workbench.analysis.clv.season import Seasonality, describe_seasonality, estimate_seasonality, no_seasonality
from workbench.analysis.clv.select import (
    COMPARISON_COLUMNS,
    COMPARISON_LABELS,
    MODEL_CHOICES,
    SELECTION_RULE,
    ClvFits,
    calibration_metrics,
    choose_purchase_model,
    compare_holdout_by_frequency,
    compare_purchase_models,
    fit_models,
)
from workbench.analysis.clv.spend import (
    SPEND_CHECK_FORECASTS,
    SPEND_CHECK_LABELS,
    VALUE_BASES,
    compute_margin_rates,
    compute_spend_holdout,
    customer_value,
    flag_left_truncated,
    value_basis,
)
from workbench.analysis.clv.uncertainty import ClvIntervals, pareto_log_a0, simulate_clv, split_draws
from workbench.analysis.clv.validate import (
    compute_chi_square,
    compute_holdout_accuracy,
    compute_holdout_by_frequency,
    compute_purchase_histogram,
    compute_spend_correlation,
    compute_tracking,
    expected_holdout,
    pareto_nbd_pmf,
)

__all__ = [
    "not_applicable_reason",
    "SEASON_MIN_MONTHS",
    "Seasonality",
    "estimate_seasonality",
    "describe_seasonality",
    "no_seasonality",
    "ClvIntervals",
    "COMPARISON_COLUMNS",
    "COMPARISON_LABELS",
    "GG_RETRY_POLICY",
    "MODEL_CHOICES",
    "PARAMETER_LABELS",
    "PURCHASE_MODELS",
    "RETRY_POLICY",
    "SELECTION_RULE",
    "SPEND_BASES",
    "SUMMARY_COLUMNS",
    "UNIT_DAYS",
    "SPEND_CHECK_FORECASTS",
    "SPEND_CHECK_LABELS",
    "VALUE_BASES",
    "ClvFitError",
    "ClvFits",
    "ModelFit",
    "calibration_metrics",
    "choose_purchase_model",
    "clv_labels",
    "compare_holdout_by_frequency",
    "compare_purchase_models",
    "compare_clv_by_group",
    "compute_at_risk",
    "compute_calibration_holdout",
    "compute_chi_square",
    "compute_clv",
    "compute_clv_by_group",
    "compute_clv_summary",
    "compute_holdout_accuracy",
    "compute_holdout_by_frequency",
    "compute_margin_rates",
    "compute_matrix",
    "compute_preparation",
    "compute_purchase_histogram",
    "compute_spend_correlation",
    "compute_spend_holdout",
    "compute_summary",
    "compute_tracking",
    "customer_value",
    "describe_fit",
    "expected_holdout",
    "expected_spend",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_models",
    "fit_purchase_model",
    "flag_left_truncated",
    "format_parameters",
    "load_cdnow_sample",
    "months_to_units",
    "pareto_nbd_pmf",
    "resolve_calibration_end",
    "simulate_clv",
    "split_draws",
    "holdout_log_scores",
    "holdout_pmf",
    "model_weights",
    "pareto_log_a0",
    "pseudo_bma_weights",
    "unit_days",
    "value_basis",
]
