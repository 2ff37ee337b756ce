"""Charts of :mod:`workbench.analysis.uplift`: each draws that module's output frame on ``ax``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench.plotting.charts import PALETTE, get_ax, thousands


def plot_naive(naive: pd.DataFrame, *, currency: str = "EUR", ax: Axes | None = None) -> Axes:
    """Mean revenue per company before and after the (pseudo-)enrolment date, members vs non-members (unmatched)."""
    ax = get_ax(ax)
    d = naive.set_index("group").loc[["members", "non-members"]]
    x = np.arange(2)
    for k, (col, label) in enumerate((("pre_revenue", "12 months before"), ("post_revenue", "12 months after"))):
        bars = ax.bar(x + (k - 0.5) * 0.38, d[col], width=0.38, color=PALETTE[k], label=label)
        ax.bar_label(bars, labels=[f"{v:,.0f}".replace(",", "\u2009") for v in d[col]], padding=2, fontsize=9)
    ax.set_xticks(x, labels=["members", "non-members"])
    ax.set_ylabel(f"revenue per company ({currency})")
    ax.yaxis.set_major_formatter(thousands())
    ax.legend(loc="upper right")
    return ax


def plot_balance(balance: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Standardised mean differences of each covariate before (hollow) and after (filled) matching."""
    ax = get_ax(ax)
    y = np.arange(len(balance))
    ax.scatter(balance["smd_before"], y, facecolors="none", edgecolors=PALETTE[1], label="before matching")
    ax.scatter(balance["smd_after"], y, color=PALETTE[0], label="after matching")
    for v in (-0.1, 0.1):
        ax.axvline(v, color="grey", linestyle="--", linewidth=0.8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, labels=list(balance["covariate"]))
    ax.invert_yaxis()
    ax.set_xlabel("standardised mean difference, members - controls (SD)")
    ax.legend(loc="lower right")
    return ax


def plot_event_monthly(event_study: pd.DataFrame, *, currency: str = "EUR", ax: Axes | None = None) -> Axes:
    """Mean revenue per company by month relative to enrolment, members vs matched controls."""
    ax = get_ax(ax)
    ax.plot(event_study["month"], event_study["members"], marker="o", color=PALETTE[0], label="members")
    ax.plot(event_study["month"], event_study["controls"], marker="o", color=PALETTE[1], label="matched controls")
    ax.axvline(-0.5, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xlabel("month relative to enrolment (0 = month starting on the enrolment day)")
    ax.set_ylabel(f"revenue per company ({currency})")
    ax.yaxis.set_major_formatter(thousands())
    ax.legend(loc="upper left")
    return ax


def plot_event_study(event_study: pd.DataFrame, *, currency: str = "EUR", ax: Axes | None = None) -> Axes:
    """Effect per month relative to enrolment with its interval (leads should sit on zero)."""
    ax = get_ax(ax)
    es = event_study
    ax.fill_between(es["month"], es["ci_low"], es["ci_high"], color=PALETTE[0], alpha=0.2, label="interval")
    ax.plot(es["month"], es["effect"], marker="o", color=PALETTE[0], label="effect")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xlabel("month relative to enrolment (0 = month starting on the enrolment day)")
    ax.set_ylabel(f"members - controls, vs pre-enrolment gap ({currency})")
    ax.yaxis.set_major_formatter(thousands())
    ax.legend(loc="upper left")
    return ax


def plot_breakdown(breakdown: pd.DataFrame, *, currency: str = "EUR", ax: Axes | None = None) -> Axes:
    """ATT per group (bars) with its interval (error bars); groups too small to estimate are left blank."""
    ax = get_ax(ax)
    b = breakdown
    y = np.arange(len(b))
    att = b["att"].fillna(0).to_numpy()
    err = np.vstack([att - b["ci_low"].fillna(0).to_numpy(), b["ci_high"].fillna(0).to_numpy() - att])
    ax.barh(y, att, xerr=err, color=PALETTE[0], capsize=3)
    ax.set_yticks(y, labels=[f"{g} (n={n})" for g, n in zip(b["group"], b["n_members"], strict=True)])
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"effect on revenue per member over the post-enrolment window ({currency})")
    ax.xaxis.set_major_formatter(thousands())
    return ax
