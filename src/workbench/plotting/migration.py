"""Charts of :mod:`workbench.analysis.migration`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.colors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench.analysis.migration import INACTIVE, NEW, state_order
from workbench.plotting.charts import PALETTE, alluvial, get_ax, heatmap


# ---------------------------------------------------------------- plots
def plot_transition_matrix(matrix: pd.DataFrame, *, share: bool = False, title: str = "", ax: Axes | None = None) -> Axes:
    """Heatmap of a transition matrix (from :func:`transition_matrix`): counts, or row percentages with ``share``."""
    ax = get_ax(ax)
    values = matrix.to_numpy(dtype="float64") * (100 if share else 1)
    heatmap(
        ax,
        values,
        row_labels=list(matrix.index),
        col_labels=list(matrix.columns),
        fmt="{:.0f} %" if share else "{:,.0f}",
        cbar_label="% of the row" if share else "customers",
    )
    ax.tick_params(axis="x", rotation=45)
    for label in ax.get_xticklabels():
        label.set_ha("right")
    ax.set_xlabel("state at the end of the period")
    ax.set_ylabel("state at the start of the period")
    ax.set_title(title or ("Transitions (% of each starting state)" if share else "Transitions (customers)"))
    return ax


def plot_flows(transitions: pd.DataFrame, *, order: Sequence[str], ax: Axes | None = None) -> Axes:
    """Alluvial chart of one step's flows (filter ``transitions`` to one group and ``to_date``); band width = customers."""
    ax = get_ax(ax)
    states = state_order(order)
    cmap = plt.get_cmap("tab20")
    colors = {s: matplotlib.colors.to_hex(cmap(i % cmap.N)) for i, s in enumerate(states)}
    colors.update({NEW: "#9aa5b1", INACTIVE: "#5b5b5b"})
    flows = transitions.rename(columns={"from_state": "source", "to_state": "target", "customers": "value"})
    d0, d1 = transitions["from_date"].iloc[0], transitions["to_date"].iloc[0]
    alluvial(
        ax,
        flows[["source", "target", "value"]],
        left_order=[NEW, *states],
        right_order=states,
        colors=colors,
        left_title=f"{pd.Timestamp(d0):%Y-%m-%d}",
        right_title=f"{pd.Timestamp(d1):%Y-%m-%d}",
    )
    ax.set_xlabel("snapshot date (band width = customers)")
    ax.set_title(f"Flows between segments, {pd.Timestamp(d0):%Y-%m-%d} to {pd.Timestamp(d1):%Y-%m-%d}")
    return ax


def plot_rates(rates: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Stacked bars per step (and group): upgrade, stable and downgrade rates of the active customers (%)."""
    ax = get_ax(ax)
    labels = [
        f"{pd.Timestamp(a):%Y-%m} → {pd.Timestamp(b):%Y-%m}" + ("" if g == "all" else f"\n{g}")
        for g, a, b in zip(rates["group"], rates["from_date"], rates["to_date"])
    ]
    x = np.arange(len(rates))
    bottom = np.zeros(len(rates))
    for column, label, color in (("upgrade_rate", "upgraded", PALETTE[2]), ("stable_rate", "stable", "#b0b7bf"), ("downgrade_rate", "downgraded", PALETTE[3])):
        values = rates[column].fillna(0).to_numpy() * 100
        bars = ax.bar(x, values, bottom=bottom, color=color, label=label)
        ax.bar_label(bars, labels=[f"{v:.0f} %" if v >= 4 else "" for v in values], label_type="center", fontsize=8)
        bottom += values
    ax.set_xticks(x, labels=labels)
    ax.set_ylim(0, 100)
    ax.set_ylabel("share of customers active at the start (%)")
    ax.set_xlabel("period")
    ax.set_title("Upgrades, stable and downgrades per period")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax
