"""Charts of :mod:`workbench.analysis.value`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench.analysis.value import DEFAULT_CLASSES, ValueClass
from workbench.formatting import tr
from workbench.plotting.charts import PALETTE, get_ax, labelled_barh
from workbench.reporting.glossary import label
from workbench.reporting.wording import number_text


def plot_score_distribution(value: pd.DataFrame, *, classes: Sequence[ValueClass] = DEFAULT_CLASSES, ax: Axes | None = None) -> Axes:
    """Histogram of value scores with the class thresholds as dashed lines."""
    ax = get_ax(ax)
    scores = value["score"].to_numpy(dtype="float64")
    top = max(float(np.nanmax(scores)) if scores.size else 1.0, 1.0)
    ax.hist(scores, bins=np.linspace(0, top, 41), color=PALETTE[0])
    for name, low in classes[:-1]:
        ax.axvline(low, color=PALETTE[3], linestyle="--", linewidth=1)
        ax.text(low, ax.get_ylim()[1] * 0.97, f" {label(name)} ≥ {number_text(f'{low:g}')} ", color=PALETTE[3], fontsize=8, va="top", ha="right", rotation=90)
    ax.set_xlabel(tr("value score (points)"))
    ax.set_ylabel(tr("customers"))
    ax.set_title(tr("Distribution of the value score and class thresholds"))
    return ax


def plot_class_sizes(profiles: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Horizontal bars: customers per value class (from :func:`compute_class_profiles`), best on top."""
    ax = get_ax(ax)
    labelled_barh(ax, [label(c) for c in profiles["value_class"]], profiles["customers"].tolist(), color=PALETTE[4])
    ax.set_xlabel(tr("customers"))
    ax.set_title(tr("Customers per value class"))
    return ax
