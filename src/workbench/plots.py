"""House style and the generic charts that several analyses share.

Plot functions draw only on the ``ax`` they are given (or a new one) and return
it; they never aggregate, set a figure title or call ``show``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

PALETTE = ["#1f5f8b", "#e07b39", "#3a9e6f", "#b8433d", "#7a5ea8", "#8c6d46", "#d16ba5", "#6b7b8c"]


def use_house_style() -> None:
    """Apply the report style (call it once in a notebook's set-up cell; nothing changes at import)."""
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    plt.rcParams.update({"figure.figsize": (9, 4.2), "figure.dpi": 80, "savefig.dpi": 80, "axes.titleweight": "bold",
                         "axes.titlesize": 12, "axes.spines.top": False, "axes.spines.right": False})


def get_ax(ax: Axes | None) -> Axes:
    """``ax``, or the axes of a new figure."""
    if ax is None:
        _, ax = plt.subplots()
    return ax


def thousands(unit: str = "") -> FuncFormatter:
    """Tick formatter with thin-space thousands (``12 345``), and an optional unit suffix."""
    return FuncFormatter(lambda x, _: f"{x:,.0f}".replace(",", "\u2009") + (f" {unit}" if unit else ""))


def labelled_barh(ax: Axes, labels: Sequence[str], values: Sequence[float], *, fmt: str = "{:,.0f}", color: str = PALETTE[0]) -> Axes:
    """Horizontal bars, first label on top, each bar labelled with its value."""
    y = np.arange(len(labels))
    bars = ax.barh(y, values, color=color)
    ax.set_yticks(y, labels=list(labels))
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[fmt.format(v).replace(",", "\u2009") for v in values], padding=3, fontsize=9)
    ax.margins(x=0.12)
    return ax
