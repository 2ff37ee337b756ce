"""The executive summary of a run (top of ``index.html``) and the comparison with a previous run.

The summary reads only ``metrics.json``: each headline figure is a metric key
recorded by a notebook, so every figure on the summary can be traced to the
notebook section that computed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import formatting as fmt
from workbench.formatting import N_, tr
from workbench.reporting.i18n import PENDING
from workbench.reporting.metrics import read_metrics


@dataclass(frozen=True)
class Headline:
    """One figure of the executive summary."""

    key: str
    label: str
    """Shown beside the figure; ``{metric.key}`` placeholders are filled from the run's metrics."""
    unit: str  # "currency", "fraction", "count", "ratio"
    notebook: str
    section: str = ""
    """Heading of the notebook section that explains the figure (its anchor on the page)."""
    tables: tuple[str, ...] = ("transactions",)
    """Input tables the figure depends on (to show the data-quality warnings that affect it)."""
    interval: tuple[str, str] | None = None
    """Metric keys of a confidence interval, if any."""


KPIS = ("01_programme_kpis", N_("Headline KPIs and their definitions"))
HEADLINES: tuple[Headline, ...] = (
    Headline("kpi.revenue_year", N_("Revenue of the year"), "currency", *KPIS),
    Headline("kpi.revenue_growth", N_("Revenue growth vs the same months of the year before"), "fraction", *KPIS),
    Headline("kpi.penetration_customers", N_("Companies in the programme"), "fraction", *KPIS, ("customers",)),
    Headline("kpi.penetration_revenue", N_("Revenue share of the programme's companies"), "fraction", *KPIS, ("customers",)),
    Headline(
        "kpi.activation_rate_window",
        N_("Member companies activated within {kpi.activation_days} days of enrolment"),
        "fraction",
        *KPIS,
        ("customers", "points"),
    ),
    Headline("portfolio.churn_rate", N_("Churn rate (last year)"), "fraction", "02_portfolio", N_("Retention and churn")),
    Headline("clv.total", N_("Lifetime value of the customer base over the horizon"), "currency", "04_clv", N_("Customer lifetime value over the horizon")),
    Headline(
        "uplift.att",
        N_("Programme uplift per enrolled company, year 1 after enrolment ({uplift.estimator})"),
        "currency",
        "06_uplift",
        N_("The headline: each company against its own prediction"),
        ("customers",),
        interval=("uplift.att_ci_low", "uplift.att_ci_high"),
    ),
    Headline(
        "uplift.roi",
        N_("Programme return on investment, year 1"),
        "fraction",
        "06_uplift",
        N_("Money: year by year, for the companies evaluated"),
        ("customers",),
    ),
    Headline("rfm.segment.at_risk.customers", N_("Customers at risk (RFM)"), "count", "03_rfm_value", N_("Named segments")),
    Headline("rfm.segment.cant_lose_them.customers", N_("Customers we can't lose (RFM)"), "count", "03_rfm_value", N_("Named segments")),
    Headline("engagement.ambassadors", N_("Ambassador companies"), "count", "07_engagement", N_("Ambassadors"), ("events",)),
)


def anchor(heading: str) -> str:
    """The id nbconvert gives a markdown heading (spaces become dashes)."""
    return heading.strip().replace(" ", "-")


CODE_LABELS = {
    "purchase_model": N_("purchase-model counterfactual"),
    "staggered": N_("staggered enrolment"),
}
"""Human words for the codes a metric may hold (``uplift.estimator``), in the report's language."""


def _placeholder(value: Any) -> str:
    if value is None:
        return "?"
    if isinstance(value, str) and value in CODE_LABELS:
        return tr(CODE_LABELS[value])
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def compute_summary(metrics: dict[str, Any], *, headlines: tuple[Headline, ...] = HEADLINES) -> pd.DataFrame:
    """The headline figures that the run recorded, in summary order.

    Returns
    -------
    pd.DataFrame
        ``key, label, unit, value, ci_low, ci_high, notebook, link, tables``; figures
        the run did not record are left out. Labels and section anchors are in the report
        language (:func:`workbench.formatting.tr`).
    """
    rows = []
    for h in headlines:
        if metrics.get(h.key) is None:
            continue
        low, high = (metrics.get(h.interval[0]), metrics.get(h.interval[1])) if h.interval else (None, None)
        section = h.section if h.notebook in PENDING else tr(h.section)
        link = f"{h.notebook}.html" + (f"#{anchor(section)}" if h.section else "")
        label = re.sub(r"\{([a-z0-9_.]+)\}", lambda m: _placeholder(metrics.get(m.group(1))), tr(h.label))
        rows.append((h.key, label, h.unit, metrics[h.key], low, high, h.notebook, link, h.tables))
    return pd.DataFrame(rows, columns=["key", "label", "unit", "value", "ci_low", "ci_high", "notebook", "link", "tables"], dtype=object)


def target_flags(metrics: dict[str, Any], targets: dict[str, dict[str, float]]) -> list[str]:
    """One sentence per KPI of ``kpis.targets`` that the run's figures miss (or did not compute).

    Parameters
    ----------
    metrics
        The run's ``metrics.json`` (KPIs are recorded as ``kpi.<key>``).
    targets
        ``kpis.targets`` of the parameters: KPI key -> ``{"min": x}`` and/or ``{"max": y}``.
    """
    from workbench.analysis.kpis import compute_targets

    if not targets:
        return []
    headline = pd.DataFrame({"kpi": list(targets), "value": [metrics.get(f"kpi.{k}") for k in targets]}).astype({"value": "float64"})
    out = []
    for row in compute_targets(headline, targets).itertuples():
        if row.met:
            continue
        if row.value != row.value:
            out.append(tr("KPI {kpi} has a target but was not computed in this run.", kpi=row.kpi))
            continue
        bounds = tr(" and ").join(
            f"{tr(name)} {fmt.significant(bound, 6)}" for name, bound in (("min", row.target_min), ("max", row.target_max)) if bound == bound
        )
        out.append(tr("KPI {kpi} = {value} misses its target ({bounds}).", kpi=row.kpi, value=fmt.significant(row.value, 4), bounds=bounds))
    return out


def compare_metrics(current: dict[str, Any], previous: dict[str, Any], *, keys: list[str] | None = None) -> pd.DataFrame:
    """Each figure of two runs side by side, with its change.

    Parameters
    ----------
    current, previous
        Two ``metrics.json`` maps.
    keys
        The keys to compare (default: every key of either run, sorted).

    Returns
    -------
    pd.DataFrame
        ``key, previous, current, change, change_pct``: ``change = current - previous``
        for numbers (None otherwise), ``change_pct`` as a fraction of ``|previous|``
        (None when previous is 0 or not a number). A key absent from a run is None there.
    """
    keys = keys if keys is not None else sorted(set(current) | set(previous))
    rows = []
    for key in keys:
        now, before = current.get(key), previous.get(key)
        numeric = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (now, before))
        change = now - before if numeric else None
        pct = change / abs(before) if numeric and before != 0 else None
        rows.append((key, before, now, change, pct))
    return pd.DataFrame(rows, columns=["key", "previous", "current", "change", "change_pct"], dtype=object)


def read_previous_run(folder: str | Path) -> dict[str, Any]:
    """The metrics of a previous run folder.

    Raises
    ------
    ValueError
        The folder holds no ``metrics.json``.
    """
    folder = Path(folder)
    if not (folder / "metrics.json").is_file():
        raise ValueError(f"--compare {folder}: no metrics.json there; give the folder of a previous run (reports/<client>/<timestamp>)")
    return read_metrics(folder)
