"""The headline KPI table with each definition, its display, and the check against targets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis.kpis.activity import compute_active_profiles
from workbench.analysis.kpis.common import Tables, _points_of, member_companies
from workbench.analysis.kpis.monthly import check_year, span_growth, year_spans
from workbench.analysis.kpis.points import compute_points_summary
from workbench.analysis.kpis.programme import activation_rate, compute_activation, compute_member_revenue
from workbench.config.sections.kpis import KPI_KEYS
from workbench.formatting import number, percent

HEADLINE_COLUMNS = ["kpi", "label", "value", "unit", "formula", "period"]


_MONEY = {"revenue", "revenue_year", "points_liability", "points_liability_net"}


_POINTS = {"points_earned", "mean_points_per_active_member"}


_NEEDS = {
    "active_share": "customers (or members)",
    "activation_rate_window": "customers (with enrolled_on)",
    "penetration_customers": "customers (with status)",
    "penetration_revenue": "customers (with status)",
    "points_earned": "points",
    "points_growth": "points",
    "mean_points_per_active_member": "points and customers (or members)",
    "redemption_rate": "points",
    "breakage_rate_cohort": "points",
    "expiry_rate": "points",
    "points_liability": "points",
    "points_liability_net": "points",
    "challenge_participation": "events and customers (or members)",
}


def _points_rows(
    points: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp, point_value: float, expiry_months: int | None, breakage: float | None, currency: str
) -> list[tuple[str, float, str, str, str]]:
    """Headline rows of the points ledger: redemption, expiry, cohort breakage and the liability (gross and net)."""
    window = f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    summary = compute_points_summary(points, start=start, end=end, point_value=point_value, expiry_months=expiry_months, breakage=breakage).iloc[0]
    rule = f"points expire {expiry_months} months after they are earned" if expiry_months else "no expiry rule: no cohort closes"
    if breakage is not None:
        assumption = f"expected breakage {percent(breakage)} (set in kpis.expected_breakage)"
    elif np.isnan(summary["breakage_rate_cohort"]):
        assumption = "no earning cohort closed yet: no breakage assumed (net = gross)"
    else:
        assumption = f"expected breakage {percent(summary['breakage_assumed'])} = breakage of the closed cohorts"
    gross = f"outstanding points ({number(summary['balance'], 0)}) x value of a point ({point_value:g} {currency})"
    return [
        ("redemption_rate", summary["redemption_rate"], "fraction", "points redeemed / points earned", window),
        (
            "breakage_rate_cohort",
            summary["breakage_rate_cohort"],
            "fraction",
            f"points expired / points earned, over the earning cohorts that can no longer redeem ({rule}); outstanding points are not counted",
            f"cohorts closed by {end:%Y-%m-%d}",
        ),
        ("expiry_rate", summary["expiry_rate"], "fraction", "points expired / points earned", window),
        ("points_liability", summary["liability"], currency, gross, f"as of {end:%Y-%m-%d}"),
        ("points_liability_net", summary["liability_net"], currency, f"{gross} x (1 - expected breakage); {assumption}", f"as of {end:%Y-%m-%d}"),
    ]


def _programme_rows(tables: Tables, *, start: pd.Timestamp, end: pd.Timestamp, active_days: int, activation_days: int | None) -> list:
    """Headline rows of the customers table: activation and penetration."""
    tx, customers = tables.get("transactions"), tables.get("customers")
    window = f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    rows = []
    if customers is not None and customers["enrolled_on"].notna().any():
        act = compute_activation(tx, customers, tables.get("points"), end=end, activation_days=activation_days)
        within = f"within {activation_days} days of enrolment" if activation_days is not None else "any time before the reference date"
        rows.append(
            (
                "activation_rate_window",
                activation_rate(act),
                "fraction",
                f"member companies with a purchase after the enrolment day or a redemption, {within} / member companies whose {activation_days or 0}-day window has ended",
                f"enrolled by {end - pd.Timedelta(days=activation_days or 0):%Y-%m-%d}",
            )
        )
    if customers is not None and customers["status"].notna().any():
        split = compute_member_revenue(tx, customers).set_index("group")
        share = split.loc["member", "companies"] / len(customers)
        rows.append(("penetration_customers", share, "fraction", "companies with status member / companies in the customers table", f"as of {end:%Y-%m-%d}"))
        rows.append(("penetration_revenue", split.loc["member", "revenue_share"], "fraction", "net revenue of member companies / net revenue", window))
    return rows


def compute_headline(
    tables: Tables,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    year: int,
    active_days: int = 90,
    activation_days: int | None = 90,
    point_value: float = 0.01,
    expiry_months: int | None = None,
    expected_breakage: float | None = None,
    currency: str = "EUR",
) -> pd.DataFrame:
    """The headline KPIs with their definitions: the table a reviewer checks every figure against.

    Parameters
    ----------
    tables
        Canonical tables of the window (``points`` may include earlier movements: they count in
        the balance and the earning cohorts); absent tables are missing or None.
    start, end
        The analysis window; ``end`` is the reference date.
    year
        The calendar year of the growth KPIs (compared with the same months of ``year - 1``).
    active_days
        Activity window (days).
    activation_days
        Days after enrolment within which a member must buy or redeem to count as activated (None: no limit).
    point_value
        Value of one point (currency).
    expiry_months
        Months after which points expire (for the cohort breakage); None: no expiry.
    expected_breakage
        Breakage assumed in the net liability (fraction); None: the closed cohorts' breakage.
    currency
        Shown as the unit of money KPIs.

    Returns
    -------
    pd.DataFrame
        ``kpi, label, value, unit, formula, period``, one row per key of
        :data:`workbench.config.sections.kpis.KPI_KEYS`, in that order. ``unit`` is ``fraction`` (0-1),
        ``points`` or the currency. A KPI whose table is absent has a NaN value, the formula
        ``not computed`` and, as its period, the table it needs.

    Raises
    ------
    ValueError
        ``year`` has no month in the window.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    check_year(year, start=start, end=end)
    window = f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    recent = f"{active_days} days to {end:%Y-%m-%d}"
    points, events = tables.get("points"), tables.get("events")
    spans = year_spans(year, start=start, end=end)
    rows = _revenue_rows(tables["transactions"], start=start, end=end, year=year, spans=spans, currency=currency)
    population = member_companies(tables)
    profiles = None
    if population is not None:
        profiles = compute_active_profiles(tables, as_of=end, active_days=active_days).iloc[0]
        rows.append(
            ("active_share", profiles["active_share"], "fraction", "member companies with a purchase or an event in the window / member companies", recent)
        )
    rows += _programme_rows(tables, start=start, end=end, active_days=active_days, activation_days=activation_days)
    if points is not None:
        rows += _points_activity_rows(
            points, start=start, end=end, year=year, spans=spans, active_days=active_days, active=None if profiles is None else profiles["active"]
        )
        rows += _points_rows(points, start=start, end=end, point_value=point_value, expiry_months=expiry_months, breakage=expected_breakage, currency=currency)
    if events is not None and population is not None:
        took_part = set(events.loc[events["kind"] == "challenge", "customer_id"]) & population
        share = len(took_part) / len(population) if population else np.nan
        rows.append(("challenge_participation", share, "fraction", "member companies with a challenge event / member companies", window))
    return _headline_frame(rows, currency=currency)


def _spans_label(spans: tuple | None) -> str:
    return "no day of both years in the period" if spans is None else " vs ".join(f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in spans)


def _revenue_rows(tx: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp, year: int, spans: tuple | None, currency: str) -> list:
    """``revenue`` over the window, ``revenue_year`` over the days of ``year`` in it, ``revenue_growth`` like for like."""
    first, last = max(start, pd.Timestamp(year=year, month=1, day=1)), min(end, pd.Timestamp(year=year, month=12, day=31))
    in_window = tx["date"].between(start, end)
    return [
        ("revenue", float(tx.loc[in_window, "amount"].sum()), currency, "sum of net amounts (credit notes deducted)", f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"),
        (
            "revenue_year",
            float(tx.loc[tx["date"].between(first, last), "amount"].sum()),
            currency,
            f"sum of net amounts dated in {year}",
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}",
        ),
        ("revenue_growth", span_growth(tx, "amount", spans), "fraction", f"revenue {year} / revenue {year - 1} - 1, same days", _spans_label(spans)),
    ]


def _points_activity_rows(
    points: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp, year: int, spans: tuple | None, active_days: int, active: float | None
) -> list:
    """``points_earned``, ``points_growth`` and (when the member companies are known) ``mean_points_per_active_member``."""
    earned = float(_points_of(points[points["date"].between(start, end)], "earned").sum())
    growth = span_growth(points[points["kind"] == "earned"], "points", spans)
    rows = [
        ("points_earned", earned, "points", "sum of earned movements", f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"),
        ("points_growth", growth, "fraction", f"points earned {year} / points earned {year - 1} - 1, same days", _spans_label(spans)),
    ]
    if active is not None:
        recent_points = _points_of(points[points["date"].between(end - pd.Timedelta(days=active_days - 1), end)], "earned").sum()
        per_active = recent_points / active if active else np.nan
        rows.append(
            (
                "mean_points_per_active_member",
                per_active,
                "points",
                "points earned in the window / active member companies",
                f"{active_days} days to {end:%Y-%m-%d}",
            )
        )
    return rows


def _headline_frame(rows: list, *, currency: str) -> pd.DataFrame:
    """The rows in the order of ``KPI_KEYS``, a KPI not computed marked so, with its label."""
    done = {r[0] for r in rows}
    for key in KPI_KEYS:
        if key not in done:
            unit = currency if key in _MONEY else "points" if key in _POINTS else "fraction"
            rows.append((key, np.nan, unit, "not computed", f"needs the {_NEEDS[key]} table"))
    out = pd.DataFrame(rows, columns=["kpi", "value", "unit", "formula", "period"])
    out = out.set_index("kpi").loc[list(KPI_KEYS)].reset_index()
    out["value"] = out["value"].astype("float64")
    out.insert(1, "label", out["kpi"].map(KPI_KEYS))
    return out[HEADLINE_COLUMNS]


def format_headline(headline: pd.DataFrame) -> pd.DataFrame:
    """``kpi, value, formula, period`` with ``value`` as text in its unit (``12.3 %``, ``1 234 EUR``, ``5 678 points``), for display."""

    def show(value: float, unit: str) -> str:
        if np.isnan(value):
            return ""
        if unit == "fraction":
            return f"{100 * value:.1f} %"
        return f"{value:,.0f} {unit}".replace(",", "\u202f")

    shown = headline.assign(value=[show(v, u) for v, u in zip(headline["value"], headline["unit"])])
    return shown[["kpi", "value", "formula", "period"]]


def compute_targets(headline: pd.DataFrame, targets: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Compare the headline KPIs with their targets.

    Parameters
    ----------
    headline
        What :func:`compute_headline` returned.
    targets
        KPI key -> ``{"min": x}`` and/or ``{"max": y}`` (the KPI's unit).

    Returns
    -------
    pd.DataFrame
        ``kpi, value, target_min, target_max, met`` (bool; a KPI without a value is not met),
        one row per target, in the order given.

    Raises
    ------
    ValueError
        A key is not a KPI, or a target direction is not ``min``/``max``.
    """
    values = headline.set_index("kpi")["value"]
    rows = []
    for key, target in targets.items():
        if key not in KPI_KEYS:
            raise ValueError(f"targets: unknown KPI {key!r}; valid keys are {', '.join(KPI_KEYS)}")
        if not target or set(target) - {"min", "max"}:
            raise ValueError(f"targets.{key}: got {target!r}; give {{min: x}} and/or {{max: y}}")
        value = float(values.get(key, np.nan))
        low, high = target.get("min", np.nan), target.get("max", np.nan)
        met = not np.isnan(value) and (np.isnan(low) or value >= low) and (np.isnan(high) or value <= high)
        rows.append((key, value, float(low), float(high), bool(met)))
    return pd.DataFrame(rows, columns=["kpi", "value", "target_min", "target_max", "met"]).astype(
        {"value": "float64", "target_min": "float64", "target_max": "float64", "met": "bool"}
    )


def describe_misses(checked: pd.DataFrame, headline: pd.DataFrame) -> list[str]:
    """One plain sentence per KPI that misses its target (empty when all are met)."""
    units = headline.set_index("kpi")["unit"]
    out = []
    for row in checked[~checked["met"]].itertuples():
        unit = units.get(row.kpi, "")

        def show(x: float) -> str:
            return "no value" if np.isnan(x) else (f"{x:.1%}" if unit == "fraction" else f"{x:,.0f} {unit}".replace(",", "\u202f"))

        bounds = " and ".join(f"{word} {show(b)}" for word, b in (("at least", row.target_min), ("at most", row.target_max)) if not np.isnan(b))
        out.append(f"**{row.kpi}** is {show(row.value)}, target {bounds}.")
    return out
