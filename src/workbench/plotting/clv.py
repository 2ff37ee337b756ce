"""Charts of :mod:`workbench.analysis.clv`: each draws one output frame of that subpackage on ``ax``.

Each ``plot_*`` function sets its chart's title (``title`` overrides it); labels follow the
parameters they are given (time unit, horizon, currency).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench import formatting
from workbench.formatting import N_, tr
from workbench.periods import months_label
from workbench.plotting.charts import (
    PALETTE,
    colour_grid,
    get_ax,
    grouped_bars,
    labelled_barh,
    thousands,
)
from workbench.reporting.glossary import label as code_label

UNITS = {"day": N_("days"), "week": N_("weeks"), "month": N_("months")}
"""Time units in the plural (``clv.time_unit``)."""
BASES = (N_("revenue"), N_("margin"))
"""The value bases of :func:`plot_clv_distribution`'s axis."""


def _months(months: int) -> str:
    """``12 months`` (:func:`workbench.periods.months_label`) in the report language."""
    return months_label(months) if formatting.language() == "en" else tr("{n} months", n=months)


def plot_purchase_histogram(histogram: pd.DataFrame, *, model: str = "BG/NBD", ax: Axes | None = None, title: str | None = None) -> Axes:
    """Grouped bars: customers by calibration repeat purchases, actual vs model.

    Parameters
    ----------
    histogram
        From :func:`~workbench.analysis.clv.compute_purchase_histogram` (``frequency, actual, expected``, customers).
    model
        Name of the purchase model, for the legend and title.
    ax, title
        Axes to draw on (a new one if None); title instead of the default.

    Returns
    -------
    Axes
        ``ax``.
    """
    ax = get_ax(ax)
    grouped_bars(ax, histogram["frequency"], {tr("actual"): histogram["actual"], model: histogram["expected"]})
    ax.set_xlabel(tr("repeat purchase days in the calibration period"))
    ax.set_ylabel(tr("customers"))
    ax.yaxis.set_major_formatter(thousands())
    ax.set_title(title or tr("Customers by repeat purchases in the calibration period: actual vs {model}", model=model))
    return ax


def plot_holdout_by_frequency(table: pd.DataFrame, *, model: str = "BG/NBD", ax: Axes | None = None, title: str | None = None) -> Axes:
    """Lines: mean holdout purchases per customer by calibration frequency, actual vs model(s).

    Parameters
    ----------
    table
        From :func:`~workbench.analysis.clv.compute_holdout_by_frequency` (purchase days per customer), or
        from :func:`~workbench.analysis.clv.compare_holdout_by_frequency` (one line per model column).
    model
        Name of the model of an ``expected`` column, for the legend.
    ax, title
        Axes to draw on (a new one if None); title instead of the default.

    Returns
    -------
    Axes
        ``ax``.
    """
    ax = get_ax(ax)
    x = np.arange(len(table))
    ax.plot(x, table["actual"], marker="o", color=PALETTE[0], label=tr("actual"))
    models = {tr("{model} (conditional expectation)", model=model): "expected"} if "expected" in table else {c: c for c in table.columns[3:]}
    for k, (name, column) in enumerate(models.items()):
        ax.plot(x, table[column], marker="s", linestyle="--", color=PALETTE[1 + k], label=name)
    ax.set_xticks(x, labels=list(table["frequency"]))
    ax.set_xlabel(tr("repeat purchase days in the calibration period"))
    ax.set_ylabel(tr("mean purchase days per customer in the holdout"))
    ax.legend()
    ax.set_title(title or tr("Holdout purchases per customer by calibration frequency: actual vs forecast"))
    return ax


def _step_label(tracking: pd.DataFrame) -> str:
    """The spacing of the tracking points: ``week`` for 7 days, ``day`` for 1, else ``n days``."""
    days = int((tracking["date"].iloc[-1] - tracking["date"].iloc[-2]).days) if len(tracking) > 1 else 7
    return {1: tr("day"), 7: tr("week")}.get(days, tr("{n} days", n=days))


def plot_tracking(tracking: pd.DataFrame, *, kind: str = "cumulative", model: str = "BG/NBD", ax: Axes | None = None, title: str | None = None) -> Axes:
    """Lines: repeat purchases of the calibration customers over time, actual vs model.

    Parameters
    ----------
    tracking
        From :func:`~workbench.analysis.clv.compute_tracking` (purchase days); the step between points
        (e.g. a week) is read from its dates.
    kind
        ``cumulative`` or ``incremental`` (per step).
    model
        Name of the purchase model, for the legend and title.
    ax, title
        Axes to draw on (a new one if None); title instead of the default.

    Returns
    -------
    Axes
        ``ax``.

    Raises
    ------
    ValueError
        Unknown ``kind``.
    """
    if kind not in ("cumulative", "incremental"):
        raise ValueError(f"kind {kind!r} is not supported; use 'cumulative' or 'incremental'")
    ax = get_ax(ax)
    ax.plot(tracking["date"], tracking[f"actual_{kind}"], color=PALETTE[0], label=tr("actual"))
    ax.plot(tracking["date"], tracking[f"expected_{kind}"], color=PALETTE[1], linestyle="--", label=model)
    if tracking["holdout"].any():
        ax.axvline(tracking.loc[tracking["holdout"], "date"].iloc[0], color="grey", linewidth=1)
        ax.annotate(
            tr("holdout →"),
            xy=(tracking.loc[tracking["holdout"], "date"].iloc[0], 0.95),
            xycoords=("data", "axes fraction"),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=9,
            color="grey",
        )
    per = tr("per {step}", step=_step_label(tracking))
    ax.set_xlabel(tr("date"))
    ax.set_ylabel(tr("repeat purchase days ({detail})", detail=tr("cumulative since the first purchase") if kind == "cumulative" else per))
    ax.yaxis.set_major_formatter(thousands())
    ax.legend(loc="upper left")
    default = tr("Cumulative repeat purchase days") if kind == "cumulative" else tr("Repeat purchase days {per}", per=per)
    ax.set_title(title or tr("{chart}: actual vs {model}", chart=default, model=model))
    return ax


def plot_frequency_spend(summary: pd.DataFrame, *, currency: str, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Scatter: mean repeat spend vs repeat frequency of repeat customers (log spend axis).

    Parameters
    ----------
    summary
        From :func:`~workbench.analysis.clv.compute_summary`; customers with a repeat purchase and a positive spend are drawn.
    currency
        The client's currency (spend axis).
    ax, title
        Axes to draw on (a new one if None); title instead of the default.

    Returns
    -------
    Axes
        ``ax``.
    """
    ax = get_ax(ax)
    repeat = summary.loc[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    ax.scatter(repeat["frequency"], repeat["monetary_value"], s=10, alpha=0.4, color=PALETTE[0], edgecolors="none")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(thousands())
    ax.set_xlabel(tr("repeat purchase days"))
    ax.set_ylabel(tr("mean spend per repeat purchase day ({currency}, log scale)", currency=currency))
    ax.set_title(title or tr("Repeat customers: mean spend per purchase vs number of repeat purchases"))
    return ax


def plot_clv_distribution(
    clv: pd.DataFrame, *, currency: str, horizon_months: int, basis: str = "revenue", ax: Axes | None = None, bins: int = 40, title: str | None = None
) -> Axes:
    """Histogram of the customers' CLV on a log scale (customers with a CLV of at least 1 unit of currency).

    Parameters
    ----------
    clv
        From :func:`~workbench.analysis.clv.compute_clv` (``clv`` in currency, discounted).
    currency
        The client's currency.
    horizon_months
        The horizon the CLV was computed over (months), for the title.
    basis
        What the CLV values (``margin`` or ``revenue``), for the axis label.
    ax, bins, title
        Axes to draw on (a new one if None); number of log-spaced bins; title instead of the default.

    Returns
    -------
    Axes
        ``ax``.
    """
    ax = get_ax(ax)
    values = clv.loc[clv["clv"] >= 1, "clv"]
    edges = np.logspace(0, np.log10(max(values.max(), 10.0)), bins + 1) if len(values) else np.array([1.0, 10.0])
    ax.hist(values, bins=edges, color=PALETTE[0])
    ax.set_xscale("log")
    if len(values):
        median = float(clv["clv"].median())
        ax.axvline(median, color=PALETTE[1], linestyle="--", label=tr("median {amount}", amount=formatting.money(median, currency)))
        ax.legend()
    ax.xaxis.set_major_formatter(thousands())
    span = _months(horizon_months)
    ax.set_xlabel(tr("CLV over {span} ({currency}, {basis}, discounted, log scale)", span=span, currency=currency, basis=tr(basis)))
    ax.set_ylabel(tr("customers"))
    ax.set_title(title or tr("Distribution of customer lifetime value over {span}", span=span))
    return ax


def plot_clv_by_group(by_group: pd.DataFrame, *, currency: str, by: str = "group", ax: Axes | None = None, title: str | None = None) -> Axes:
    """Horizontal bars: mean CLV per customer of each group, with the number of customers in brackets.

    Parameters
    ----------
    by_group
        From :func:`~workbench.analysis.clv.compute_clv_by_group` (largest total first, drawn on top).
    currency
        The client's currency.
    by
        What the groups are (``status``, ``RFM segment``, ...), for the title.
    ax, title
        Axes to draw on (a new one if None); title instead of the default.

    Returns
    -------
    Axes
        ``ax``.
    """
    ax = get_ax(ax)
    labelled_barh(ax, [f"{code_label(g)} ({formatting.number(n)})" for g, n in zip(by_group["group"], by_group["customers"])], by_group["clv_mean"].to_numpy())
    ax.set_xlabel(tr("mean CLV per customer ({currency})", currency=currency))
    ax.xaxis.set_major_formatter(thousands())
    ax.set_title(title or tr("Mean CLV per customer by {by}", by=tr(by)))
    return ax


def plot_matrix(
    matrix: pd.DataFrame,
    *,
    time_unit: str,
    kind: str = "p_alive",
    horizon_months: int | None = None,
    label: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Heat map of :func:`~workbench.analysis.clv.compute_matrix` (recency on the y axis, most recent at the top).

    Parameters
    ----------
    matrix
        From :func:`~workbench.analysis.clv.compute_matrix` with the same ``kind``.
    time_unit
        The time unit of the recency axis.
    kind
        ``p_alive`` (0-1) or ``expected_purchases``.
    horizon_months
        The horizon of ``expected_purchases`` in months (the ``horizon`` given to ``compute_matrix``,
        converted with :func:`~workbench.analysis.clv.months_to_units`), for the colour bar and title.
    label, ax, title
        Colour-bar label, axes and title instead of the defaults.

    Returns
    -------
    Axes
        ``ax``.

    Raises
    ------
    ValueError
        Unknown ``kind``, or ``expected_purchases`` without ``horizon_months`` nor ``label`` and ``title``.
    """
    if kind == "p_alive":
        default_label, default_title = tr("P(alive) (0-1)"), tr("Probability of being active by frequency and recency")
    elif kind == "expected_purchases":
        if horizon_months is None and (label is None or title is None):
            raise ValueError("plot_matrix: give horizon_months (the horizon of the expected purchases) for kind 'expected_purchases'")
        span = _months(horizon_months) if horizon_months is not None else ""
        default_label = tr("expected purchase days in {span}", span=span)
        default_title = tr("Expected purchase days in the next {span} by frequency and recency", span=span)
    else:
        raise ValueError(f"kind {kind!r} is not supported; use 'p_alive' or 'expected_purchases'")
    ax = get_ax(ax)
    colour_grid(ax, matrix.to_numpy()[::-1], label=label or default_label, extent=(-0.5, matrix.columns.max() + 0.5, -0.5, matrix.index.max() + 0.5))
    ax.set_xlabel(tr("repeat purchase days (frequency)"))
    ax.set_ylabel(tr("recency ({units} from first to last purchase)", units=tr(UNITS.get(time_unit, time_unit + "s"))))
    ax.set_title(title or default_title)
    return ax
