"""Charts of :mod:`workbench.analysis.uplift`: each draws that package's output frame on ``ax`` and sets its title.

Titles, axes and legends are written in English inside :func:`workbench.formatting.tr` (the report
language); the codes of the frames (groups, estimators) through :func:`workbench.analysis.uplift.word`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench import formatting
from workbench.analysis.uplift.labels import months, word
from workbench.formatting import N_, tr
from workbench.plotting.charts import PALETTE, get_ax, thousands

MONTH_AXIS = N_("month relative to enrolment (0 = the month starting on the enrolment day)")


def plot_naive(
    naive: pd.DataFrame, *, currency: str = "EUR", pre_months: int = 12, post_months: int = 12, title: str | None = None, ax: Axes | None = None
) -> Axes:
    """Mean revenue per company before and after the (pseudo-)enrolment date, members vs non-members (unmatched).

    Parameters
    ----------
    naive
        :func:`workbench.analysis.uplift.compute_naive` result (currency per company).
    pre_months, post_months
        Window lengths (calendar months), for the legend.
    title
        Overrides the default title.
    """
    ax = get_ax(ax)
    d = naive.set_index("group").loc[["members", "non-members"]]
    x = np.arange(2)
    labels = (("pre_revenue", tr("{months} before", months=months(pre_months))), ("post_revenue", tr("{months} after", months=months(post_months))))
    for k, (col, label) in enumerate(labels):
        bars = ax.bar(x + (k - 0.5) * 0.38, d[col], width=0.38, color=PALETTE[k], label=label)
        ax.bar_label(bars, labels=[formatting.number(v) for v in d[col]], padding=2, fontsize=9)
    ax.set_xticks(x, labels=[word("members"), word("non-members")])
    ax.set_ylabel(tr("revenue per company ({currency})", currency=currency))
    ax.yaxis.set_major_formatter(thousands())
    ax.legend(loc="upper right")
    ax.set_title(title or tr("Members vs non-members, unmatched: revenue per company"))
    return ax


def plot_balance(balance: pd.DataFrame, *, title: str | None = None, ax: Axes | None = None) -> Axes:
    """Standardised mean differences (SD) of each covariate before (hollow) and after (filled) matching."""
    ax = get_ax(ax)
    y = np.arange(len(balance))
    ax.scatter(balance["smd_before"], y, facecolors="none", edgecolors=PALETTE[1], label=tr("before matching"))
    ax.scatter(balance["smd_after"], y, color=PALETTE[0], label=tr("after matching"))
    for v in (-0.1, 0.1):
        ax.axvline(v, color="grey", linestyle="--", linewidth=0.8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, labels=[word(c) for c in balance["covariate"]])
    ax.invert_yaxis()
    ax.set_xlabel(tr("standardised mean difference, members - controls (SD)"))
    ax.legend(loc="lower right")
    ax.set_title(title or tr("Balance of members and controls before and after matching"))
    return ax


def plot_event_monthly(event_study: pd.DataFrame, *, currency: str = "EUR", title: str | None = None, ax: Axes | None = None) -> Axes:
    """Mean revenue per company (currency) by month relative to enrolment, members vs matched controls."""
    ax = get_ax(ax)
    ax.plot(event_study["month"], event_study["members"], marker="o", color=PALETTE[0], label=word("members"))
    ax.plot(event_study["month"], event_study["controls"], marker="o", color=PALETTE[1], label=tr("matched controls"))
    ax.axvline(-0.5, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xlabel(tr(MONTH_AXIS))
    ax.set_ylabel(tr("revenue per company ({currency})", currency=currency))
    ax.yaxis.set_major_formatter(thousands())
    ax.legend(loc="upper left")
    ax.set_title(title or tr("Revenue per company by month relative to enrolment"))
    return ax


def plot_event_study(event_study: pd.DataFrame, *, currency: str = "EUR", title: str | None = None, ax: Axes | None = None) -> Axes:
    """Effect per month relative to enrolment (currency) with its interval (leads should sit on zero)."""
    ax = get_ax(ax)
    es = event_study
    ax.fill_between(es["month"], es["ci_low"], es["ci_high"], color=PALETTE[0], alpha=0.2, label=tr("interval"))
    ax.plot(es["month"], es["effect"], marker="o", color=PALETTE[0], label=tr("effect"))
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xlabel(tr(MONTH_AXIS))
    ax.set_ylabel(tr("members - controls, vs pre-enrolment gap ({currency})", currency=currency))
    ax.yaxis.set_major_formatter(thousands())
    ax.legend(loc="upper left")
    ax.set_title(title or tr("Effect by month relative to enrolment, with its interval"))
    return ax


def plot_breakdown(breakdown: pd.DataFrame, *, currency: str = "EUR", by: str = "group", title: str | None = None, ax: Axes | None = None) -> Axes:
    """ATT per group (bars, currency) with its interval (error bars); groups too small to estimate are left blank.

    Parameters
    ----------
    breakdown
        :func:`workbench.analysis.uplift.compute_breakdown` result.
    by
        What the groups are (``typology``, ``value class``...), for the title.
    title
        Overrides the default title.
    """
    ax = get_ax(ax)
    b = breakdown
    y = np.arange(len(b))
    att = b["att"].fillna(0).to_numpy()
    err = np.vstack([att - b["ci_low"].fillna(0).to_numpy(), b["ci_high"].fillna(0).to_numpy() - att])
    ax.barh(y, att, xerr=err, color=PALETTE[0], capsize=3)
    ax.set_yticks(y, labels=[f"{word(g)} (n={formatting.number(n)})" for g, n in zip(b["group"], b["n_members"], strict=True)])
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(tr("effect on revenue per member over the post-enrolment window ({currency})", currency=currency))
    ax.xaxis.set_major_formatter(thousands())
    ax.set_title(title or tr("Effect on revenue per member, by {by}", by=word(by)))
    return ax


def plot_staggered_event_study(
    event_study: pd.DataFrame, *, anticipation: int = 1, currency: str = "EUR", title: str | None = None, ax: Axes | None = None
) -> Axes:
    """Effect on the 12-month revenue sum by event month, with its interval (the headline estimator).

    Parameters
    ----------
    event_study
        :attr:`workbench.analysis.uplift.staggered.StaggeredResult.event_study`: ``event_month``
        (months from the first month after the left-out ones), ``att``, ``ci_low``, ``ci_high``
        (currency per company, on the revenue of the 12 months ending that month).
    anticipation
        Months left out before event month 0 (shaded).
    """
    ax = get_ax(ax)
    es = event_study.sort_values("event_month")
    pre = es["event_month"] < -anticipation
    for mask, color, label in ((pre, PALETTE[5], tr("before enrolment (should stay near 0)")), (~pre, PALETTE[0], tr("after enrolment"))):
        d = es[mask]
        ax.errorbar(d["event_month"], d["att"], yerr=[d["att"] - d["ci_low"], d["ci_high"] - d["att"]], fmt="o", ms=3, color=color, ecolor=color,
                    elinewidth=0.8, capsize=0, label=label)  # fmt: skip
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvspan(-anticipation - 0.5, -0.5, color=PALETTE[1], alpha=0.15, label=tr("left out (enrolment month)"))
    ax.axvline(11, color=PALETTE[2], lw=0.8, ls="--", label=tr("year 1 (12 months after)"))
    ax.set_xlabel(tr("month relative to the first full month after enrolment"))
    ax.set_ylabel(tr("effect on 12-month revenue ({currency})", currency=currency))
    ax.yaxis.set_major_formatter(thousands())
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title or tr("Staggered enrolment: effect on the revenue of the last 12 months, by month"))
    return ax


def plot_estimates(comparison: pd.DataFrame, *, currency: str = "EUR", title: str | None = None, ax: Axes | None = None) -> Axes:
    """The estimators' year-1 effect and interval side by side (currency per company).

    Parameters
    ----------
    comparison
        :func:`workbench.analysis.uplift.compare_estimates` result.
    """
    ax = get_ax(ax)
    y = np.arange(len(comparison))[::-1]
    for k, (yy, r) in enumerate(zip(y, comparison.itertuples(index=False))):
        ax.errorbar([r.att], [yy], xerr=[[r.att - r.ci_low], [r.ci_high - r.att]], fmt="o", color=PALETTE[k], capsize=4)
        ax.annotate(formatting.money(r.att, currency), (r.att, yy), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=9)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(y, labels=[f"{word(r.estimator)}\n({word(r.role)})" for r in comparison.itertuples(index=False)])
    ax.set_xlabel(tr("extra revenue per enrolled company over a year ({currency})", currency=currency))
    ax.xaxis.set_major_formatter(thousands())
    ax.set_ylim(-0.7, len(comparison) - 0.3)
    ax.set_title(title or tr("The programme's effect: the estimates and their intervals"))
    return ax


def plot_hidden_selection(
    hidden: pd.DataFrame, *, reference: float | None = None, currency: str = "EUR", title: str | None = None, ax: Axes | None = None
) -> Axes:
    """The year-1 effect as hidden selection on the purchase rate grows, with its interval.

    Parameters
    ----------
    hidden
        :func:`workbench.analysis.uplift.sensitivity.compute_hidden_selection` result: ``strength``,
        ``ratio_per_doubling``, ``att``, ``ci_low``, ``ci_high`` (currency per company).
    reference
        A strength to mark (the simulator's ``latent`` worlds), or None.
    """
    ax = get_ax(ax)
    x = hidden["ratio_per_doubling"]
    ax.fill_between(x, hidden["ci_low"], hidden["ci_high"], color=PALETTE[0], alpha=0.2, label=tr("interval"))
    ax.plot(x, hidden["att"], marker="o", ms=3, color=PALETTE[0], label=tr("year-1 effect"))
    ax.axhline(0, color="grey", lw=0.8)
    if reference is not None:
        ax.axvline(2.0**reference, color=PALETTE[2], lw=0.8, ls="--", label=tr("a little weaker than the benchmark's latent world"))
    ax.set_xlabel(tr("times as likely to enrol when truly buying twice as often (1 = no hidden selection)"))
    ax.set_ylabel(tr("year-1 effect per company ({currency})", currency=currency))
    ax.yaxis.set_major_formatter(thousands())
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or tr("If the sales team picked companies that truly buy more than their history shows"))
    return ax
