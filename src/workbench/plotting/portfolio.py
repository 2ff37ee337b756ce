"""Charts of :mod:`workbench.analysis.portfolio`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench import formatting as fmt
from workbench.formatting import N_, tr
from workbench.plotting.charts import (
    MONTHS,
    PALETTE,
    bridge_chart,
    get_ax,
    heatmap,
    labelled_barh,
    lorenz_curve,
    thousands,
)

FLOWS = (N_("retained"), N_("reactivated"), N_("new"), N_("lost"), N_("active customers"), N_("frequency"), N_("average basket"))
"""Labels of analysis codes drawn as they are (flows, bridge steps), for the catalogue."""


def step_label(step: str) -> str:
    """A revenue-bridge step of :func:`workbench.analysis.portfolio.compute_bridge` in the report language.

    ``revenue 2024`` → ``CA 2024``; the factors (``active customers``, ...) through the catalogue.
    """
    if step.startswith("revenue "):
        return tr("revenue {period}", period=step.removeprefix("revenue "))
    return tr(step)


# ---------------------------------------------------------------- plots
def plot_components(components: pd.DataFrame, *, currency: str, axes: tuple[Axes, Axes, Axes]) -> tuple[Axes, Axes, Axes]:
    """The three factors per period, one bar chart each (active customers, frequency, basket)."""
    specs = (
        ("active_customers", tr("customers"), tr("Active customers")),
        ("frequency", tr("purchases per customer"), tr("Purchase frequency")),
        ("average_basket", currency, tr("Average basket")),
    )
    for ax, (column, unit, title) in zip(axes, specs):
        ax.bar(components["period"], components[column], color=PALETTE[0])
        ax.set_title(title)
        ax.set_xlabel(tr("period"))
        ax.set_ylabel(unit)
        ax.yaxis.set_major_formatter(thousands() if column != "frequency" else ax.yaxis.get_major_formatter())
    return axes


def plot_bridge(bridge: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Revenue bridge (waterfall): base revenue, the three factors' contributions, current revenue.

    The value axis starts near the lowest level (not at zero) so that the contributions stay
    visible; the axis label says so.
    """
    ax = get_ax(ax)
    steps = [step_label(s) for s in bridge["step"]]
    bridge_chart(ax, steps, bridge["value"].tolist(), totals=(bridge["kind"] == "total").tolist(), zoom=True)
    cut = ax.get_ylim()[0] > 0
    ax.set_ylabel(tr("net revenue ({currency}; axis cut)", currency=currency) if cut else tr("net revenue ({currency})", currency=currency))
    ax.yaxis.set_major_formatter(thousands())
    ax.set_title(tr("Revenue bridge: {base} to {current}", base=steps[0], current=steps[-1]))
    return ax


def plot_flows(retention: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Customers per period: retained, reactivated and new above zero, lost below."""
    ax = get_ax(ax)
    x = np.arange(len(retention))
    bottom = np.zeros(len(retention))
    for i, column in enumerate(("retained", "reactivated", "new")):
        ax.bar(x, retention[column], bottom=bottom, color=PALETTE[i], label=tr(column))
        bottom += retention[column].to_numpy()
    ax.bar(x, -retention["lost"], color=PALETTE[3], label=tr("lost"))
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, labels=retention["period"].tolist())
    ax.yaxis.set_major_formatter(thousands())
    ax.set_xlabel(tr("period"))
    ax.set_ylabel(tr("customers (lost below zero)"))
    ax.set_title(tr("Customer flows per period"))
    ax.legend(frameon=False, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    return ax


def plot_cohorts(cohorts: pd.DataFrame, *, value: str = "retention", title: str | None = None, ax: Axes | None = None) -> Axes:
    """Cohort triangle as a heat map: cohorts in rows, age in columns, ``value`` in each cell (retention in %).

    ``title`` replaces the default title (e.g. for member cohorts by enrolment quarter).
    """
    ax = get_ax(ax)
    table = cohorts.pivot(index="cohort", columns="age", values=value)
    share = value == "retention"
    heatmap(
        ax,
        100 * table.to_numpy() if share else table.to_numpy(),
        row_labels=table.index.tolist(),
        col_labels=[str(c) for c in table.columns],
        fmt="{:.0f}",
        cbar_label=tr("{pct} of the cohort buying", pct="%") if share else tr(value),
    )
    ax.set_xlabel(tr("periods since the cohort started"))
    ax.set_ylabel(tr("cohort"))
    if title is None:
        title = tr("Cohort retention ({pct} of the cohort buying in each period)", pct="%") if share else tr("Cohorts: {value}", value=tr(value))
    ax.set_title(title)
    return ax


def plot_lorenz(lorenz: pd.DataFrame, *, top: float | None = None, ax: Axes | None = None) -> Axes:
    """Lorenz curve of customer revenue, with the line of equality; marks the top ``top`` fraction if given."""
    ax = get_ax(ax)
    lorenz_curve(ax, lorenz["customer_share"].to_numpy(), lorenz["revenue_share"].to_numpy())
    if top is not None:
        ax.axvline(100 * (1 - top), color=PALETTE[1], linestyle=":", label=tr("top {share} of customers to the right", share=fmt.percent(top, 0, tight=True)))
        ax.legend(frameon=False)
    ax.set_xlabel(tr("customers, smallest first (cumulative {pct})", pct="%"))
    ax.set_ylabel(tr("net revenue (cumulative {pct})", pct="%"))
    ax.set_title(tr("Concentration of revenue (Lorenz curve)"))
    return ax


def plot_breakdown(breakdown: pd.DataFrame, *, name: str, currency: str, ax: Axes | None = None) -> Axes:
    """Net revenue by segment (horizontal bars)."""
    ax = get_ax(ax)
    labelled_barh(ax, [tr(s) if s == "unknown" else s for s in breakdown["segment"]], breakdown["revenue"].tolist())
    ax.xaxis.set_major_formatter(thousands())
    ax.set_xlabel(tr("net revenue ({currency})", currency=currency))
    ax.set_title(tr("Revenue by {name}", name=tr(name)))
    return ax


def plot_seasonality(seasonality: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Seasonal index by month of the year (1 = an average month)."""
    ax = get_ax(ax)
    ax.bar(seasonality["month"], seasonality["index"], color=PALETTE[0])
    ax.axhline(1, color="black", linewidth=0.8)
    ax.set_xticks(range(1, 13), labels=[tr(m) for m in MONTHS])
    ax.set_xlabel(tr("month of the year"))
    ax.set_ylabel(tr("revenue index (1 = average month)"))
    ax.set_title(tr("Seasonality of revenue"))
    return ax
