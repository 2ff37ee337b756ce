"""Charts of :mod:`workbench.analysis.kpis`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from workbench.formatting import tr
from workbench.plotting.charts import MONTHS, PALETTE, get_ax, labelled_barh, thousands
from workbench.reporting.glossary import label


# ---------------------------------------------------------------- plots
def plot_status_counts(counts: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Companies by programme status (horizontal bars)."""
    ax = get_ax(ax)
    labelled_barh(ax, [label(s) for s in counts["status"]], counts["companies"].tolist())
    ax.set_xlabel(tr("companies"))
    ax.set_title(tr("Companies by programme status"))
    return ax


def plot_monthly(monthly: pd.DataFrame, columns: Sequence[str], *, unit: str, title: str, ax: Axes | None = None) -> Axes:
    """Monthly series of one or more KPI columns of :func:`compute_monthly` (lines)."""
    ax = get_ax(ax)
    x = monthly["month"].dt.to_timestamp()
    for i, column in enumerate(columns):
        ax.plot(x, monthly[column], marker="o", markersize=3, color=PALETTE[i % len(PALETTE)], label=tr(column.replace("_", " ")))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(thousands())
    ax.set_xlabel(tr("month"))
    ax.set_ylabel(unit)
    ax.set_title(title)
    if len(columns) > 1:
        ax.legend(frameon=False)
    return ax


def plot_year_over_year(yoy: pd.DataFrame, *, year: int, unit: str, title: str, ax: Axes | None = None) -> Axes:
    """A KPI month by month: ``year`` (bars) against ``year - 1`` (line)."""
    ax = get_ax(ax)
    ax.bar(yoy["month"], yoy["current"], color=PALETTE[0], label=str(year))
    ax.plot(yoy["month"], yoy["previous"], color=PALETTE[1], marker="o", label=str(year - 1))
    ax.set_xticks(range(1, 13), labels=[tr(m) for m in MONTHS])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(thousands())
    ax.set_xlabel(tr("month"))
    ax.set_ylabel(unit)
    ax.set_title(title)
    ax.legend(frameon=False)
    return ax


def plot_redemption_by(by_segment: pd.DataFrame, *, segment_name: str, ax: Axes | None = None) -> Axes:
    """Share of points redeemed per segment (horizontal bars, in %)."""
    ax = get_ax(ax)
    labelled_barh(ax, [label(s) for s in by_segment["segment"]], (100 * by_segment["redemption_rate"]).tolist(), fmt="{:.1f} %")
    ax.set_xlabel(tr("points redeemed / points earned ({pct})", pct="%"))
    ax.set_title(tr("Share of points redeemed by {name}", name=tr(segment_name)))
    return ax


def plot_member_revenue(split: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Revenue per buying company, members against the other companies (horizontal bars)."""
    ax = get_ax(ax)
    labelled_barh(ax, [label(g) for g in split["group"]], split["revenue_per_buyer"].tolist())
    ax.set_xlabel(tr("net revenue per buying company ({currency})", currency=currency))
    ax.xaxis.set_major_formatter(thousands())
    ax.set_title(tr("Revenue per buying company: members vs others (descriptive)"))
    return ax
