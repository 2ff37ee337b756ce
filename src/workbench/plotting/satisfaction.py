"""Charts of :mod:`workbench.analysis.satisfaction`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from workbench.formatting import tr
from workbench.plotting.charts import PALETTE, get_ax


def plot_nps_over_time(nps: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Bars of NPS per period (from :func:`compute_nps` with ``freq``), labelled with the answers."""
    ax = get_ax(ax)
    labels = nps["period"].astype(str).tolist()
    colors = [PALETTE[2] if v >= 0 else PALETTE[3] for v in nps["nps"]]
    bars = ax.bar(labels, nps["nps"], color=colors)
    ax.bar_label(bars, labels=[f"{v:+.0f}\n" + tr("({n} answers)", n=n) for v, n in zip(nps["nps"], nps["answers"])], padding=2, fontsize=8)
    ax.axhline(0, color="#555", linewidth=0.8)
    ax.set_ylim(-100, 100)
    ax.set_ylabel(tr("NPS (−100 to +100)"))
    ax.set_xlabel(tr("survey period"))
    ax.set_title(tr("Net Promoter Score over time"))
    return ax
