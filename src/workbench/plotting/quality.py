"""Charts of :mod:`workbench.analysis.quality`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from workbench import formatting as fmt
from workbench.formatting import tr
from workbench.plotting.charts import PALETTE, get_ax, labelled_barh, thousands
from workbench.reporting.glossary import label, table_label


# ---------------------------------------------------------------- plots
def plot_rejections(rejections: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Horizontal bars: rejected rows by table and reason (from :func:`compute_rejections`)."""
    ax = get_ax(ax)
    labels = [f"{table_label(t)}: {label(r)}" for t, r in zip(rejections["table"], rejections["reason"])]
    labelled_barh(ax, labels, rejections["rows"].tolist(), color=PALETTE[3])
    ax.set_xlabel(tr("rejected rows"))
    ax.set_title(tr("Rejected rows by reason"))
    return ax


def plot_monthly_activity(monthly: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Bars of net revenue per month (from :func:`compute_monthly_activity`); empty months in red."""
    ax = get_ax(ax)
    x = range(len(monthly))
    colors = [PALETTE[3] if r == 0 else PALETTE[0] for r in monthly["rows"]]
    ax.bar(x, monthly["revenue"] / 1000, color=colors)
    step = max(1, len(monthly) // 12)
    ax.set_xticks(list(x)[::step], labels=[str(m) for m in monthly["month"]][::step], rotation=45, ha="right")
    ax.yaxis.set_major_formatter(thousands())
    ax.set_ylabel(tr("net revenue (thousand {currency})", currency=currency))
    ax.set_xlabel(tr("invoice month"))
    ax.set_title(tr("Net revenue per month"))
    return ax


def plot_amount_bins(bins: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Bars of invoice counts by amount band (from :func:`compute_amount_bins`)."""
    ax = get_ax(ax)
    bars = ax.bar(bins["band"], bins["rows"], color=PALETTE[0])
    ax.bar_label(bars, labels=[fmt.number(v).replace(fmt.GROUP, "\u2009") for v in bins["rows"]], padding=2, fontsize=8)
    ax.set_xlabel(tr("invoice amount ({currency}, net of tax)", currency=currency))
    ax.set_ylabel(tr("invoices"))
    ax.set_title(tr("Invoices by amount band"))
    ax.tick_params(axis="x", rotation=30)
    return ax
