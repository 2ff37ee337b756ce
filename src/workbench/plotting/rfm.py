"""Charts of :mod:`workbench.analysis.rfm`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench.formatting import tr
from workbench.plotting.charts import PALETTE, get_ax, heatmap, labelled_barh, thousands
from workbench.reporting.glossary import label


# ---------------------------------------------------------------- plots
def plot_rf_heatmap(grid: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Customers per (R, F) score pair (from :func:`compute_rf_grid`), R on rows (best on top)."""
    ax = get_ax(ax)
    matrix = grid.pivot(index="r_score", columns="f_score", values="customers").sort_index(ascending=False)
    heatmap(
        ax, matrix.to_numpy(), row_labels=[str(i) for i in matrix.index], col_labels=[str(c) for c in matrix.columns], fmt="{:,.0f}", cbar_label=tr("customers")
    )
    ax.set_xlabel(tr("F score (purchase frequency; 5 = most frequent)"))
    ax.set_ylabel(tr("R score (recency; 5 = most recent)"))
    ax.set_title(tr("Customers by recency and frequency score"))
    return ax


def plot_segment_sizes(profiles: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Paired bars: each segment's share of customers and of net revenue (from :func:`compute_segment_profiles`)."""
    ax = get_ax(ax)
    y = np.arange(len(profiles))
    h = 0.4
    ax.barh(y - h / 2, profiles["customer_share"] * 100, height=h, color=PALETTE[0], label=tr("customers"))
    ax.barh(y + h / 2, profiles["revenue_share"] * 100, height=h, color=PALETTE[1], label=tr("net revenue"))
    ax.set_yticks(y, labels=[label(s) for s in profiles["segment"]])
    ax.invert_yaxis()
    ax.set_xlabel(tr("share of the total ({pct})", pct="%"))
    ax.set_title(tr("Segment sizes: share of customers and of net revenue"))
    ax.legend(loc="lower right")
    return ax


def plot_value_per_segment(profiles: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Bars of net revenue per customer in each segment (currency)."""
    ax = get_ax(ax)
    per_customer = (profiles["revenue"] / profiles["customers"].where(profiles["customers"] > 0)).fillna(0.0)
    labelled_barh(ax, [label(s) for s in profiles["segment"]], per_customer.tolist(), color=PALETTE[2])
    ax.xaxis.set_major_formatter(thousands())
    ax.set_xlabel(tr("net revenue per customer over the window ({currency})", currency=currency))
    ax.set_title(tr("Net revenue per customer by segment"))
    return ax
