"""Charts of :mod:`workbench.analysis.portfolio`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench.plotting.charts import (
    PALETTE,
    bridge_chart,
    get_ax,
    heatmap,
    labelled_barh,
    lorenz_curve,
    thousands,
)


# ---------------------------------------------------------------- plots
def plot_components(components: pd.DataFrame, *, currency: str, axes: tuple[Axes, Axes, Axes]) -> tuple[Axes, Axes, Axes]:
    """The three factors per period, one bar chart each (active customers, frequency, basket)."""
    specs = (
        ("active_customers", "customers", "Active customers"),
        ("frequency", "purchases per customer", "Purchase frequency"),
        ("average_basket", currency, "Average basket"),
    )
    for ax, (column, unit, title) in zip(axes, specs):
        ax.bar(components["period"], components[column], color=PALETTE[0])
        ax.set_title(title)
        ax.set_xlabel("period")
        ax.set_ylabel(unit)
        ax.yaxis.set_major_formatter(thousands() if column != "frequency" else ax.yaxis.get_major_formatter())
    return axes


def plot_bridge(bridge: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Revenue bridge (waterfall): base revenue, the three factors' contributions, current revenue.

    The value axis starts near the lowest level (not at zero) so that the contributions stay
    visible; the axis label says so.
    """
    ax = get_ax(ax)
    bridge_chart(ax, bridge["step"].tolist(), bridge["value"].tolist(), totals=(bridge["kind"] == "total").tolist(), zoom=True)
    ax.set_ylabel(f"net revenue ({currency}; axis cut)" if ax.get_ylim()[0] > 0 else f"net revenue ({currency})")
    ax.yaxis.set_major_formatter(thousands())
    ax.set_title(f"Revenue bridge: {bridge['step'].iloc[0]} to {bridge['step'].iloc[-1]}")
    return ax


def plot_flows(retention: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Customers per period: retained, reactivated and new above zero, lost below."""
    ax = get_ax(ax)
    x = np.arange(len(retention))
    bottom = np.zeros(len(retention))
    for i, column in enumerate(("retained", "reactivated", "new")):
        ax.bar(x, retention[column], bottom=bottom, color=PALETTE[i], label=column)
        bottom += retention[column].to_numpy()
    ax.bar(x, -retention["lost"], color=PALETTE[3], label="lost")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, labels=retention["period"].tolist())
    ax.yaxis.set_major_formatter(thousands())
    ax.set_xlabel("period")
    ax.set_ylabel("customers (lost below zero)")
    ax.set_title("Customer flows per period")
    ax.legend(frameon=False, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    return ax


def plot_cohorts(cohorts: pd.DataFrame, *, value: str = "retention", ax: Axes | None = None) -> Axes:
    """Cohort triangle as a heat map: cohorts in rows, age in columns, ``value`` in each cell (retention in %)."""
    ax = get_ax(ax)
    table = cohorts.pivot(index="cohort", columns="age", values=value)
    share = value == "retention"
    heatmap(
        ax,
        100 * table.to_numpy() if share else table.to_numpy(),
        row_labels=table.index.tolist(),
        col_labels=[str(c) for c in table.columns],
        fmt="{:.0f}",
        cbar_label="% of the cohort buying" if share else value,
    )
    ax.set_xlabel("periods since the cohort started")
    ax.set_ylabel("cohort")
    ax.set_title("Cohort retention (% of the cohort buying in each period)" if value == "retention" else f"Cohorts: {value}")
    return ax


def plot_lorenz(lorenz: pd.DataFrame, *, top: float | None = None, ax: Axes | None = None) -> Axes:
    """Lorenz curve of customer revenue, with the line of equality; marks the top ``top`` fraction if given."""
    ax = get_ax(ax)
    lorenz_curve(ax, lorenz["customer_share"].to_numpy(), lorenz["revenue_share"].to_numpy())
    if top is not None:
        ax.axvline(100 * (1 - top), color=PALETTE[1], linestyle=":", label=f"top {top:.0%} of customers to the right")
        ax.legend(frameon=False)
    ax.set_xlabel("customers, smallest first (cumulative %)")
    ax.set_ylabel("net revenue (cumulative %)")
    ax.set_title("Concentration of revenue (Lorenz curve)")
    return ax


def plot_breakdown(breakdown: pd.DataFrame, *, name: str, currency: str, ax: Axes | None = None) -> Axes:
    """Net revenue by segment (horizontal bars)."""
    ax = get_ax(ax)
    labelled_barh(ax, breakdown["segment"].tolist(), breakdown["revenue"].tolist())
    ax.xaxis.set_major_formatter(thousands())
    ax.set_xlabel(f"net revenue ({currency})")
    ax.set_title(f"Revenue by {name}")
    return ax


def plot_seasonality(seasonality: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Seasonal index by month of the year (1 = an average month)."""
    ax = get_ax(ax)
    ax.bar(seasonality["month"], seasonality["index"], color=PALETTE[0])
    ax.axhline(1, color="black", linewidth=0.8)
    ax.set_xticks(range(1, 13), labels=["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
    ax.set_xlabel("month of the year")
    ax.set_ylabel("revenue index (1 = average month)")
    ax.set_title("Seasonality of revenue")
    return ax
