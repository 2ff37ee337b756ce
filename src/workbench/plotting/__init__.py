"""Plotting: the house style, shared charts and one module of ``plot_*`` functions per analysis.

Every ``plot_*`` function draws one analysis's output frame on the ``ax`` it is given
(or the current one) and returns it; nothing here computes a figure. Submodules are
imported on first use, so ``plotting.kpis.plot_headline(...)`` works after
``from workbench import plotting``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

_SUBMODULES = ("charts", "quality", "kpis", "portfolio", "rfm", "value", "migration", "engagement", "satisfaction", "clv", "uplift")


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def use_house_style() -> None:
    """Apply the house style to matplotlib (called once by each notebook, never at import)."""
    from workbench.plotting.charts import use_house_style as apply

    apply()
