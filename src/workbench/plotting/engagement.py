"""Charts of :mod:`workbench.analysis.engagement`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench import formatting as fmt
from workbench.analysis.engagement import PILLARS
from workbench.formatting import tr
from workbench.plotting.charts import PALETTE, get_ax, labelled_barh


# ---------------------------------------------------------------- plots
def plot_score_distribution(scores: pd.DataFrame, *, ax: Axes | None = None, bins: int = 20, label: str = "members") -> Axes:
    """Histogram of the engagement score (0-100) of the scored entities."""
    ax = get_ax(ax)
    ax.hist(scores["score"], bins=np.linspace(0, 100, bins + 1), color=PALETTE[0], edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel(tr("engagement score (0-100)"))
    ax.set_ylabel(label)
    ax.set_title(tr("Engagement score of {label}", label=label))
    return ax


def plot_pillar_profile(profile: pd.DataFrame, *, by: str, ax: Axes | None = None) -> Axes:
    """Grouped bars: mean pillar score (0-100) per group (from :func:`compute_pillar_profile`)."""
    ax = get_ax(ax)
    x = np.arange(len(profile))
    width = 0.8 / len(PILLARS)
    for i, pillar in enumerate(PILLARS):
        ax.bar(x + (i - 1) * width, profile[pillar], width=width, label=tr(pillar), color=PALETTE[i])
    ax.set_xticks(x, labels=profile[by].astype(str).tolist(), rotation=20, ha="right")
    ax.set_ylim(0, 100)
    ax.set_ylabel(tr("mean pillar score (0-100)"))
    ax.set_xlabel(tr(by))
    ax.set_title(tr("Engagement pillars by {by}", by=tr(by)))
    ax.legend(title=tr("pillar"), frameon=False)
    return ax


def plot_quarterly(quarterly: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Lines: mean pillar scores and score per quarter (from :func:`compute_engagement_by_quarter`)."""
    ax = get_ax(ax)
    labels = quarterly["quarter"].astype(str).tolist()
    for i, col in enumerate([*PILLARS, "score"]):
        ax.plot(labels, quarterly[col], marker="o", label=tr(col), color=PALETTE[i], linewidth=2.5 if col == "score" else 1.5)
    ax.set_ylim(0, 100)
    ax.set_ylabel(tr("mean score (0-100, caps of the main window)"))
    ax.set_xlabel(tr("quarter"))
    ax.set_title(tr("Engagement by quarter"))
    ax.tick_params(axis="x", rotation=45)
    ax.legend(frameon=False, ncols=4)
    return ax


def plot_tiers(tiers: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Horizontal bars: share of companies per simulated tier, labelled with the revenue share."""
    ax = get_ax(ax)
    labels = [f"{tr(t)} (≥ {fmt.number(m)} {currency})" if m else tr(t) for t, m in zip(tiers["tier"], tiers["min_revenue"])]
    labelled_barh(ax, labels, (100 * tiers["company_share"]).tolist(), fmt="{:.1f} %")
    ax.set_xlabel(tr("share of companies ({pct})", pct="%"))
    ax.set_title(tr("Simulated status tiers"))
    return ax
