"""The words of the analyses in the report language: labels of their codes and the sentences built from their results.

The analysis modules return English codes and column names (they are also the exported CSV
columns, which stay English). The notebooks show them through this module, which translates at
display time with :func:`workbench.formatting.tr`; the English text is unchanged.
"""

from __future__ import annotations

import pandas as pd

from workbench import formatting as fmt
from workbench.formatting import N_, tr

GRAINS = {"year": N_("years"), "quarter": N_("quarters")}
"""The period grains of the portfolio, in the plural (``Periods compared: years``)."""

COLUMNS = (
    N_("period"),
    N_("purchases"),
    N_("frequency"),
    N_("active"),
    N_("new"),
    N_("retained"),
    N_("reactivated"),
    N_("lost"),
    N_("cohort"),
    N_("segment"),
    N_("gini"),
    N_("unknown"),
    N_("typology"),
    N_("region"),
    N_("channel"),
    N_("product range"),
    N_("day"),
    N_("invoice"),
)
"""Column names and codes of the analyses that the notebooks show as they are (translated by ``nb.present``)."""


def grain_label(grain: str) -> str:
    """A period grain in the plural, in the report language (``year`` → ``years`` / ``années``)."""
    return tr(GRAINS[grain]) if grain in GRAINS else grain


def describe_comparison(spans: pd.DataFrame, *, grain: str = "year") -> str:
    """One plain sentence on how periods are compared, in the report language.

    Parameters
    ----------
    spans
        The output of :func:`workbench.analysis.portfolio.compute_comparison_spans` (``period, first,
        last, partial, base_first, base_last``: dates).
    grain
        ``year`` or ``quarter``.

    Returns
    -------
    str
        The sentence of :func:`workbench.analysis.portfolio.describe_comparison`, translated; dates
        in the locale's format.
    """
    quarter = grain == "quarter"
    partial = spans[spans["partial"]]
    if partial.empty:
        if quarter:
            return tr("Every quarter is complete: each is compared with the whole quarter before.")
        return tr("Every year is complete: each is compared with the whole year before.")
    parts = [tr("{period} covers {first} to {last} only", period=r.period, first=fmt.date(r.first), last=fmt.date(r.last)) for r in partial.itertuples()]
    last = spans.iloc[-1]
    dates = {
        "first": fmt.date(last["first"]),
        "last": fmt.date(last["last"]),
        "base_first": fmt.date(last["base_first"]),
        "base_last": fmt.date(last["base_last"]),
    }
    if quarter:
        rest = tr(
            "A partial quarter is compared like for like, with the same days one quarter earlier (e.g. {first} to {last} against {base_first} to "
            "{base_last}): the bridge, retention, churn and growth use those days; the table of periods above shows each period's own days.",
            **dates,
        )
    else:
        rest = tr(
            "A partial year is compared like for like, with the same days one year earlier (e.g. {first} to {last} against {base_first} to "
            "{base_last}): the bridge, retention, churn and growth use those days; the table of periods above shows each period's own days.",
            **dates,
        )
    return "; ".join(parts) + ". " + rest
