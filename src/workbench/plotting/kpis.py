"""Charts of :mod:`workbench.analysis.kpis`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from workbench.plotting.charts import PALETTE, get_ax, labelled_barh, thousands


# ---------------------------------------------------------------- plots
def plot_status_counts(counts: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Companies by programme status (horizontal bars)."""
    ax = get_ax(ax)
    labelled_barh(ax, counts["status"].tolist(), counts["companies"].tolist())
    ax.set_xlabel("companies")
    ax.set_title("Companies by programme status")
    return ax


def plot_monthly(monthly: pd.DataFrame, columns: Sequence[str], *, unit: str, title: str, ax: Axes | None = None) -> Axes:
    """Monthly series of one or more KPI columns of :func:`compute_monthly` (lines)."""
    ax = get_ax(ax)
    x = monthly["month"].dt.to_timestamp()
    for i, column in enumerate(columns):
        ax.plot(x, monthly[column], marker="o", markersize=3, color=PALETTE[i % len(PALETTE)], label=column.replace("_", " "))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(thousands())
    ax.set_xlabel("month")
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
    ax.set_xticks(range(1, 13), labels=["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(thousands())
    ax.set_xlabel("month")
    ax.set_ylabel(unit)
    ax.set_title(title)
    ax.legend(frameon=False)
    return ax


def plot_redemption_by(by_segment: pd.DataFrame, *, segment_name: str, ax: Axes | None = None) -> Axes:
    """Share of points redeemed per segment (horizontal bars, in %)."""
    ax = get_ax(ax)
    labelled_barh(ax, by_segment["segment"].tolist(), (100 * by_segment["redemption_rate"]).tolist(), fmt="{:.1f} %")
    ax.set_xlabel("points redeemed / points earned (%)")
    ax.set_title(f"Share of points redeemed by {segment_name}")
    return ax


def plot_member_revenue(split: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Revenue per buying company, members against the other companies (horizontal bars)."""
    ax = get_ax(ax)
    labelled_barh(ax, split["group"].tolist(), split["revenue_per_buyer"].tolist())
    ax.set_xlabel(f"net revenue per buying company ({currency})")
    ax.xaxis.set_major_formatter(thousands())
    ax.set_title("Revenue per buying company: members vs others (descriptive)")
    return ax
