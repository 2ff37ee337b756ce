"""Customer lifetime value (notebook ``04_clv``): BG/NBD + Gamma-Gamma, fitted with lifetimes.

Every import of and call to lifetimes lives in this subpackage. The steps, one module each:

1. :mod:`~workbench.analysis.clv.prepare`: purchase days (same-day purchases merged, credit notes
   netted), the summary per customer in the time unit, the calibration/holdout split and the
   preparation table.
2. :mod:`~workbench.analysis.clv.fit`: the BG/NBD and Gamma-Gamma fits with their retries,
   standard errors by the delta method, the total log-likelihood.
3. :mod:`~workbench.analysis.clv.validate`: chi-square on the calibration histogram, the holdout by
   frequency, tracking, the holdout error measures, the spend/frequency correlation.
4. :mod:`~workbench.analysis.clv.forecast`: P(alive), expected purchases, discounted CLV, CLV by
   group, high-value customers at risk, the frequency x recency grids.

Units: recency, T, durations and rates are in the chosen time unit (day, week, or month of 365.25 / 12
days); money is in the client's currency; probabilities and shares are fractions 0-1.
"""

from __future__ import annotations

from workbench.analysis.clv.fit import (
    GG_RETRY_POLICY,
    PARAMETER_LABELS,
    RETRY_POLICY,
    ClvFitError,
    ClvFits,
    ModelFit,
    describe_fit,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_models,
    format_parameters,
)
from workbench.analysis.clv.forecast import (
    clv_labels,
    compute_at_risk,
    compute_clv,
    compute_clv_by_group,
    compute_clv_summary,
    compute_matrix,
)
from workbench.analysis.clv.prepare import (
    SUMMARY_COLUMNS,
    UNIT_DAYS,
    compute_calibration_holdout,
    compute_preparation,
    compute_summary,
    load_cdnow_sample,
    months_to_units,
    resolve_calibration_end,
    unit_days,
)
from workbench.analysis.clv.validate import (
    compute_chi_square,
    compute_holdout_accuracy,
    compute_holdout_by_frequency,
    compute_purchase_histogram,
    compute_spend_correlation,
    compute_tracking,
)

__all__ = [
    "GG_RETRY_POLICY",
    "PARAMETER_LABELS",
    "RETRY_POLICY",
    "SUMMARY_COLUMNS",
    "UNIT_DAYS",
    "ClvFitError",
    "ClvFits",
    "ModelFit",
    "clv_labels",
    "compute_at_risk",
    "compute_calibration_holdout",
    "compute_chi_square",
    "compute_clv",
    "compute_clv_by_group",
    "compute_clv_summary",
    "compute_holdout_accuracy",
    "compute_holdout_by_frequency",
    "compute_matrix",
    "compute_preparation",
    "compute_purchase_histogram",
    "compute_spend_correlation",
    "compute_summary",
    "compute_tracking",
    "describe_fit",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_models",
    "format_parameters",
    "load_cdnow_sample",
    "months_to_units",
    "resolve_calibration_end",
    "unit_days",
]
