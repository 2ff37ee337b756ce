"""The one place that imports lifetimes, quietly.

lifetimes sets pandas' ``chained_assignment`` option (a deprecated no-op in pandas 3) and a global
FutureWarning filter at import; the context keeps both warnings and filter changes local. The other
modules of :mod:`workbench.analysis.clv` import the fitters and helpers from here.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from lifetimes import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNBDFitter
    from lifetimes.utils import summary_data_from_transaction_data

__all__ = ["BetaGeoFitter", "GammaGammaFitter", "ModifiedBetaGeoFitter", "ParetoNBDFitter", "summary_data_from_transaction_data"]
