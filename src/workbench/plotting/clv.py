"""Charts of :mod:`workbench.analysis.clv`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench.plotting.charts import (
    PALETTE,
    colour_grid,
    get_ax,
    grouped_bars,
    labelled_barh,
    thousands,
)


# ---------------------------------------------------------------- plots
def plot_purchase_histogram(histogram: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Grouped bars: customers by calibration repeat purchases, actual vs model (from :func:`compute_purchase_histogram`)."""
    ax = get_ax(ax)
    grouped_bars(ax, histogram["frequency"], {"actual": histogram["actual"], "BG/NBD": histogram["expected"]})
    ax.set_xlabel("repeat purchase days in the calibration period")
    ax.set_ylabel("customers")
    ax.yaxis.set_major_formatter(thousands())
    return ax


def plot_holdout_by_frequency(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Lines: mean holdout purchases per customer by calibration frequency, actual vs model."""
    ax = get_ax(ax)
    x = np.arange(len(table))
    ax.plot(x, table["actual"], marker="o", color=PALETTE[0], label="actual")
    ax.plot(x, table["expected"], marker="s", linestyle="--", color=PALETTE[1], label="BG/NBD (conditional expectation)")
    ax.set_xticks(x, labels=list(table["frequency"]))
    ax.set_xlabel("repeat purchase days in the calibration period")
    ax.set_ylabel("mean purchase days per customer in the holdout")
    ax.legend()
    return ax


def plot_tracking(tracking: pd.DataFrame, *, kind: str = "cumulative", ax: Axes | None = None) -> Axes:
    """Lines: repeat purchases of the calibration customers over time, actual vs model, ``kind`` cumulative or incremental."""
    if kind not in ("cumulative", "incremental"):
        raise ValueError(f"kind {kind!r} is not supported; use 'cumulative' or 'incremental'")
    ax = get_ax(ax)
    ax.plot(tracking["date"], tracking[f"actual_{kind}"], color=PALETTE[0], label="actual")
    ax.plot(tracking["date"], tracking[f"expected_{kind}"], color=PALETTE[1], linestyle="--", label="BG/NBD")
    if tracking["holdout"].any():
        ax.axvline(tracking.loc[tracking["holdout"], "date"].iloc[0], color="grey", linewidth=1)
        ax.annotate("holdout →", xy=(tracking.loc[tracking["holdout"], "date"].iloc[0], 0.95), xycoords=("data", "axes fraction"),
                    xytext=(4, 0), textcoords="offset points", fontsize=9, color="grey")
    step = "cumulative since the first purchase" if kind == "cumulative" else "per week"
    ax.set_xlabel("date")
    ax.set_ylabel(f"repeat purchase days ({step})")
    ax.yaxis.set_major_formatter(thousands())
    ax.legend(loc="upper left")
    return ax


def plot_frequency_spend(summary: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Scatter: mean repeat spend vs repeat frequency of repeat customers (log spend axis)."""
    ax = get_ax(ax)
    repeat = summary.loc[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    ax.scatter(repeat["frequency"], repeat["monetary_value"], s=10, alpha=0.4, color=PALETTE[0], edgecolors="none")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(thousands())
    ax.set_xlabel("repeat purchase days")
    ax.set_ylabel(f"mean spend per repeat purchase day ({currency}, log scale)")
    return ax


def plot_clv_distribution(clv: pd.DataFrame, *, currency: str, ax: Axes | None = None, bins: int = 40) -> Axes:
    """Histogram of the customers' CLV on a log scale (customers with a CLV of at least 1 unit of currency)."""
    ax = get_ax(ax)
    values = clv.loc[clv["clv"] >= 1, "clv"]
    edges = np.logspace(0, np.log10(max(values.max(), 10.0)), bins + 1) if len(values) else np.array([1.0, 10.0])
    ax.hist(values, bins=edges, color=PALETTE[0])
    ax.set_xscale("log")
    if len(values):
        median = float(clv["clv"].median())
        ax.axvline(median, color=PALETTE[1], linestyle="--", label=f"median {median:,.0f} {currency}".replace(",", "\u2009"))
        ax.legend()
    ax.xaxis.set_major_formatter(thousands())
    ax.set_xlabel(f"CLV over the horizon ({currency}, discounted, log scale)")
    ax.set_ylabel("customers")
    return ax


def plot_clv_by_group(by_group: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Horizontal bars: mean CLV per customer of each group (from :func:`compute_clv_by_group`)."""
    ax = get_ax(ax)
    labelled_barh(ax, [f"{g} ({n:,})".replace(",", "\u2009") for g, n in zip(by_group["group"], by_group["customers"])],
                  by_group["clv_mean"].to_numpy())
    ax.set_xlabel(f"mean CLV per customer ({currency})")
    ax.xaxis.set_major_formatter(thousands())
    return ax


def plot_matrix(matrix: pd.DataFrame, *, label: str, time_unit: str, ax: Axes | None = None) -> Axes:
    """Heat map of :func:`compute_matrix` (recency on the y axis, most recent at the top)."""
    ax = get_ax(ax)
    colour_grid(ax, matrix.to_numpy()[::-1], label=label, extent=(-0.5, matrix.columns.max() + 0.5, -0.5, matrix.index.max() + 0.5))
    ax.set_xlabel("repeat purchase days (frequency)")
    ax.set_ylabel(f"recency ({time_unit}s from first to last purchase)")
    return ax
