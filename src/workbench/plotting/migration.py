"""Charts of :mod:`workbench.analysis.migration`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.colors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench import formatting as fmt
from workbench.analysis.migration import INACTIVE, NEW, state_order
from workbench.formatting import N_, tr
from workbench.plotting.charts import PALETTE, alluvial, get_ax, heatmap
from workbench.reporting.glossary import label
from workbench.reporting.wording import group_label


def _month(date) -> str:
    """A snapshot's month: ``2024-12`` in English, ``12/2024`` in French."""
    return f"{pd.Timestamp(date):%Y-%m}" if fmt.language() == "en" else f"{pd.Timestamp(date):%m/%Y}"


# ---------------------------------------------------------------- plots
def plot_transition_matrix(matrix: pd.DataFrame, *, share: bool = False, title: str = "", ax: Axes | None = None) -> Axes:
    """Heatmap of a transition matrix (from :func:`transition_matrix`): counts, or row percentages with ``share``."""
    ax = get_ax(ax)
    values = matrix.to_numpy(dtype="float64") * (100 if share else 1)
    heatmap(
        ax,
        values,
        row_labels=[label(s) for s in matrix.index],
        col_labels=[label(s) for s in matrix.columns],
        fmt="{:.0f} %" if share else "{:,.0f}",
        cbar_label=tr("{pct} of the row", pct="%") if share else tr("customers"),
    )
    ax.tick_params(axis="x", rotation=45)
    for tick in ax.get_xticklabels():
        tick.set_ha("right")
    ax.set_xlabel(tr("state at the end of the period"))
    ax.set_ylabel(tr("state at the start of the period"))
    ax.set_title(title or (tr("Transitions ({pct} of each starting state)", pct="%") if share else tr("Transitions (customers)")))
    return ax


def plot_flows(transitions: pd.DataFrame, *, order: Sequence[str], ax: Axes | None = None) -> Axes:
    """Alluvial chart of one step's flows (filter ``transitions`` to one group and ``to_date``); band width = customers."""
    ax = get_ax(ax)
    states = state_order(order)
    cmap = plt.get_cmap("tab20")
    colors = {label(s): matplotlib.colors.to_hex(cmap(i % cmap.N)) for i, s in enumerate(states)}
    colors.update({label(NEW): "#9aa5b1", label(INACTIVE): "#5b5b5b"})
    flows = transitions.rename(columns={"from_state": "source", "to_state": "target", "customers": "value"})
    flows = flows.assign(source=flows["source"].map(label), target=flows["target"].map(label))
    d0, d1 = transitions["from_date"].iloc[0], transitions["to_date"].iloc[0]
    alluvial(
        ax,
        flows[["source", "target", "value"]],
        left_order=[label(s) for s in (NEW, *states)],
        right_order=[label(s) for s in states],
        colors=colors,
        left_title=fmt.date(d0),
        right_title=fmt.date(d1),
    )
    ax.set_xlabel(tr("snapshot date (band width = customers)"))
    ax.set_title(tr("Flows between segments, {start} to {end}", start=fmt.date(d0), end=fmt.date(d1)))
    return ax


def plot_rates(rates: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Stacked bars per step (and group): upgrade, stable and downgrade rates of the active customers (%)."""
    ax = get_ax(ax)
    labels = [
        f"{_month(a)} → {_month(b)}" + ("" if g == "all" else f"\n{group_label(g)}") for g, a, b in zip(rates["group"], rates["from_date"], rates["to_date"])
    ]
    x = np.arange(len(rates))
    bottom = np.zeros(len(rates))
    for column, name, color in (
        ("upgrade_rate", N_("upgraded"), PALETTE[2]),
        ("stable_rate", N_("stable"), "#b0b7bf"),
        ("downgrade_rate", N_("downgraded"), PALETTE[3]),
    ):
        values = rates[column].fillna(0).to_numpy() * 100
        bars = ax.bar(x, values, bottom=bottom, color=color, label=tr(name))
        ax.bar_label(bars, labels=[f"{v:.0f} %" if v >= 4 else "" for v in values], label_type="center", fontsize=8)
        bottom += values
    ax.set_xticks(x, labels=labels)
    ax.set_ylim(0, 100)
    ax.set_ylabel(tr("share of customers active at the start ({pct})", pct="%"))
    ax.set_xlabel(tr("period"))
    ax.set_title(tr("Upgrades, stable and downgrades per period"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax
