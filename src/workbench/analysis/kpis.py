"""Programme KPIs (notebook ``01_programme_kpis``): evaluation (activity) and performance (value).

Every ``compute_*`` function takes tables and plain arguments and returns a DataFrame with
fixed column names; every ``plot_*`` function draws a computed result on an ``ax``.

Definitions used throughout (the headline table, :func:`compute_headline`, repeats them
next to each value):

- *member company*: a company whose status is ``member`` in the customers table (blocked,
  pre-registered and non-member companies are not members). Without a customers table,
  the companies of the members table.
- *active company*: a purchase (a transaction with a positive amount) or a programme event
  in the last ``active_days`` days up to the reference date, both days included.
- *points earned / redeemed / expired*: the sums of the ``earned`` movements and the
  absolute sums of the ``redeemed`` and ``expired`` movements of the points ledger.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.analysis.purchases import purchase_rows
from workbench.config.contract import STATUSES
from workbench.config.sections.kpis import KPI_KEYS
from workbench.formatting import number, percent
from workbench.periods import like_for_like

Tables = dict[str, "pd.DataFrame | None"]

MONTHLY_COLUMNS = [
    "month",
    "revenue",
    "enrolments",
    "registrations",
    "logins",
    "visits",
    "challenges",
    "active_companies",
    "points_earned",
    "points_redeemed",
    "points_expired",
    "cumulative_points",
]
HEADLINE_COLUMNS = ["kpi", "label", "value", "unit", "formula", "period"]
POINTS_LABELS = {
    "balance": "outstanding",
    "redemption_rate": "redemption rate",
    "unredeemed_rate": "not redeemed (expired or outstanding)",
    "expiry_rate": "expiry rate",
    "breakage_rate_cohort": "breakage (closed cohorts)",
    "breakage_assumed": "expected breakage used",
}
"""Display names of :func:`compute_points_summary`'s columns."""
COHORT_LABELS = {
    "closes_on": "last points expire on",
    "closed": "can no longer redeem",
    "breakage_rate": "breakage (expired / earned)",
}
"""Display names of :func:`compute_breakage_cohorts`'s columns."""
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


# ---------------------------------------------------------------- filters
def filter_tables(
    tables: Tables,
    *,
    status: Sequence[str] = (),
    typology: Sequence[str] = (),
    region: Sequence[str] = (),
    role: Sequence[str] = (),
) -> tuple[dict[str, pd.DataFrame | None], list[str]]:
    """Restrict every table to the companies (and people) the filters select.

    Parameters
    ----------
    tables
        Canonical tables by name; a missing table is absent or None.
    status, typology, region
        Keep the companies of the customers table with one of these values (empty: no filter).
    role
        Keep the people (members table) with one of these roles, the points and events rows of
        those people, and the companies with at least one of them (empty: no filter).

    Returns
    -------
    (tables, notes)
        The filtered tables (same keys; absent tables stay None) and plain-language notes on
        filters that could not be applied because their table is absent.
    """
    out = {name: tables.get(name) for name in ("transactions", "customers", "members", "points", "events")}
    notes: list[str] = []
    keep: set[str] | None = None
    customers = out["customers"]
    for column, wanted in (("status", status), ("typology", typology), ("region", region)):
        if not wanted:
            continue
        if customers is None:
            notes.append(f"The {column} filter ({', '.join(wanted)}) is ignored: it needs the customers table.")
            continue
        selected = set(customers.loc[customers[column].isin(list(wanted)), "customer_id"])
        keep = selected if keep is None else keep & selected
    members = out["members"]
    people: set[str] | None = None
    if role:
        if members is None:
            notes.append(f"The role filter ({', '.join(role)}) is ignored: it needs the members table.")
        else:
            chosen = members[members["role"].isin(list(role))]
            people = set(chosen["member_id"])
            keep = set(chosen["customer_id"]) if keep is None else keep & set(chosen["customer_id"])
    if keep is None:
        return out, notes
    for name, frame in out.items():
        if frame is None:
            continue
        mask = frame["customer_id"].isin(keep)
        if people is not None and name in ("members", "points", "events"):
            mask &= frame["member_id"].isin(people)
        out[name] = frame[mask].reset_index(drop=True)
    return out, notes


# ---------------------------------------------------------------- helpers
def member_companies(tables: Tables) -> set[str] | None:
    """The member companies (status ``member``; without customers, the members' companies), or None when unknown."""
    customers, members = tables.get("customers"), tables.get("members")
    if customers is not None and customers["status"].notna().any():
        return set(customers.loc[customers["status"] == "member", "customer_id"])
    if members is not None:
        return set(members["customer_id"])
    return None


def _activity_dates(tables: Tables) -> pd.DataFrame:
    """``customer_id, date`` of every purchase (amount > 0) and programme event."""
    parts = []
    tx = tables.get("transactions")
    if tx is not None:
        parts.append(purchase_rows(tx)[["customer_id", "date"]])
    events = tables.get("events")
    if events is not None:
        parts.append(events[["customer_id", "date"]])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"customer_id": pd.Series(dtype="str"), "date": pd.Series(dtype="datetime64[ns]")})


def active_companies(tables: Tables, *, as_of: pd.Timestamp, active_days: int) -> set[str]:
    """Companies with a purchase or an event in the ``active_days`` days up to ``as_of`` (both included)."""
    dates = _activity_dates(tables)
    window = dates["date"].between(pd.Timestamp(as_of) - pd.Timedelta(days=active_days - 1), pd.Timestamp(as_of))
    return set(dates.loc[window, "customer_id"])


def _points_of(points: pd.DataFrame, kind: str) -> pd.Series:
    """Points of one movement kind, as positive numbers (earned: as is; redeemed, expired: negated)."""
    sel = points.loc[points["kind"] == kind, "points"]
    return sel if kind in ("earned", "adjusted") else -sel


def _months(start: pd.Timestamp, end: pd.Timestamp) -> pd.PeriodIndex:
    return pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M", name="month")


def _check_window(start: pd.Timestamp, end: pd.Timestamp) -> None:
    if pd.Timestamp(end) < pd.Timestamp(start):
        raise ValueError(f"end ({end}) is before start ({start}); give start <= end")


# ---------------------------------------------------------------- evaluation KPIs
def compute_active_profiles(tables: Tables, *, as_of: pd.Timestamp, active_days: int) -> pd.DataFrame:
    """Member companies active and inactive at a date.

    Returns
    -------
    pd.DataFrame
        One row: ``companies`` (member companies), ``active`` (a purchase or an event in the
        ``active_days`` days up to ``as_of``), ``inactive``, ``active_share`` (fraction 0-1).

    Raises
    ------
    ValueError
        Neither a customers table with statuses nor a members table is given.
    """
    population = member_companies(tables)
    if population is None:
        raise ValueError("tables: active profiles need the customers table (with status) or the members table")
    active = len(active_companies(tables, as_of=as_of, active_days=active_days) & population)
    return pd.DataFrame(
        {
            "companies": [len(population)],
            "active": [active],
            "inactive": [len(population) - active],
            "active_share": [active / len(population) if population else np.nan],
        }
    )


def compute_status_counts(customers: pd.DataFrame) -> pd.DataFrame:
    """Companies by programme status, every status shown (0 when none).

    Returns
    -------
    pd.DataFrame
        ``status, companies, share``: the four statuses in the order member, pre-registered,
        blocked, non-member, then ``unknown`` (no status given) when there are any;
        ``share`` is a fraction of all companies (0-1).
    """
    status = customers["status"].astype("object").fillna("unknown")
    order = [*STATUSES, *(["unknown"] if (status == "unknown").any() else [])]
    counts = status.value_counts().reindex(order, fill_value=0).astype("int64")
    out = pd.DataFrame({"status": order, "companies": counts.to_numpy()})
    out["share"] = out["companies"] / max(len(customers), 1)
    return out


def compute_members_by_role(members: pd.DataFrame) -> pd.DataFrame:
    """People registered in the programme by role, most frequent first.

    Returns
    -------
    pd.DataFrame
        ``role, members, companies, share``: people, distinct companies, and the share of all
        people (0-1). A missing role is shown as ``unknown``.
    """
    frame = members.assign(role=members["role"].astype("object").fillna("unknown"))
    grouped = frame.groupby("role")
    out = pd.DataFrame({"members": grouped.size(), "companies": grouped["customer_id"].nunique()}).astype("int64")
    out = out.rename_axis("role").reset_index().sort_values(["members", "role"], ascending=[False, True], kind="stable")
    out["share"] = out["members"] / max(len(members), 1)
    return out.reset_index(drop=True)


def compute_events_summary(events: pd.DataFrame, *, companies: set[str] | None = None) -> pd.DataFrame:
    """Programme events by kind (logins, visits, challenges, trainings, ...).

    Parameters
    ----------
    events
        Events of the period.
    companies
        The population (e.g. member companies): only their events count, and the participation
        share is measured on them; None: every event, share of the companies present in ``events``.

    Returns
    -------
    pd.DataFrame
        ``kind, events, companies, people, participation``: event count, distinct companies and
        people, and ``participation`` = companies with that kind / population (fraction 0-1).
        Most frequent kind first.
    """
    if companies is not None:
        events = events[events["customer_id"].isin(companies)]
    population = len(companies) if companies is not None else events["customer_id"].nunique()
    grouped = events.groupby("kind")
    out = pd.DataFrame({"events": grouped.size(), "companies": grouped["customer_id"].nunique(), "people": grouped["member_id"].nunique()}).astype("int64")
    out = out.rename_axis("kind").reset_index().sort_values(["events", "kind"], ascending=[False, True], kind="stable")
    out["participation"] = out["companies"] / population if population else np.nan
    return out.reset_index(drop=True)


def compute_monthly(tables: Tables, *, start: pd.Timestamp, end: pd.Timestamp, active_days: int = 90) -> pd.DataFrame:
    """Every KPI that has a monthly series, one row per calendar month of [start, end].

    Parameters
    ----------
    tables
        Canonical tables (a missing table gives NaN in its columns).
    start, end
        The window (both days included).
    active_days
        The activity window of ``active_companies`` (days).

    Returns
    -------
    pd.DataFrame
        ``month`` (Period[M]); ``revenue`` (net, currency); ``enrolments`` (companies whose
        ``enrolled_on`` falls in the month); ``registrations`` (people whose ``registered_on``
        falls in the month); ``logins``, ``visits``, ``challenges`` (events); ``active_companies``
        (member companies, enrolled by then when ``enrolled_on`` is known, active in the
        ``active_days`` days up to the month's last day, or up to ``end``); ``points_earned``, ``points_redeemed``, ``points_expired`` (points, positive);
        ``cumulative_points`` (points earned since ``start``, running total).
        Its ``attrs`` hold the ``window`` (start, end) and, for the months whose comparison with the
        year before would set part of a month against a whole one (the months of ``start`` and
        ``end``, and the month 12 months after ``start``), the like-for-like values
        (:func:`workbench.periods.like_for_like`) that :func:`compute_year_over_year` uses.

    Raises
    ------
    ValueError
        ``end`` before ``start``.
    """
    _check_window(start, end)
    out = _monthly_frame(tables, start=pd.Timestamp(start), end=pd.Timestamp(end), active_days=active_days)
    out.attrs["window"] = (pd.Timestamp(start), pd.Timestamp(end))
    out.attrs["same_days"] = _same_days_values(tables, _months(start, end), start=pd.Timestamp(start), end=pd.Timestamp(end), active_days=active_days)
    return out


def _monthly_frame(tables: Tables, *, start: pd.Timestamp, end: pd.Timestamp, active_days: int) -> pd.DataFrame:
    """The columns of :func:`compute_monthly`, one row per calendar month of [start, end]."""
    months = _months(start, end)
    out = pd.DataFrame(index=months)

    def per_month(frame: pd.DataFrame | None, column: str, values: pd.Series | None = None) -> pd.Series:
        if frame is None:
            return pd.Series(np.nan, index=months)
        dates = frame[column]
        inside = dates.between(pd.Timestamp(start), pd.Timestamp(end))
        vals = values if values is not None else pd.Series(1, index=frame.index)
        return vals[inside].groupby(dates[inside].dt.to_period("M")).sum().reindex(months, fill_value=0).astype("float64")

    tx, customers, members, points, events = (tables.get(n) for n in ("transactions", "customers", "members", "points", "events"))
    out["revenue"] = per_month(tx, "date", tx["amount"] if tx is not None else None)
    out["enrolments"] = per_month(customers, "enrolled_on")
    out["registrations"] = per_month(members, "registered_on")
    for column, kind in (("logins", "login"), ("visits", "visit"), ("challenges", "challenge")):
        out[column] = per_month(None if events is None else events[events["kind"] == kind], "date")
    population = member_companies(tables)
    if population is None:
        out["active_companies"] = np.nan
    else:
        ends = [min(m.to_timestamp(how="end").normalize(), pd.Timestamp(end)) for m in months]
        enrolled = None
        if customers is not None and customers["enrolled_on"].notna().any():
            enrolled = customers[customers["customer_id"].isin(population)].set_index("customer_id")["enrolled_on"]
        out["active_companies"] = [
            float(len(active_companies(tables, as_of=e, active_days=active_days) & (population if enrolled is None else set(enrolled.index[enrolled <= e]))))
            for e in ends
        ]
    for kind in ("earned", "redeemed", "expired"):
        out[f"points_{kind}"] = per_month(
            None if points is None else points[points["kind"] == kind], "date", None if points is None else _points_of(points, kind)
        )
    out["cumulative_points"] = out["points_earned"].cumsum()
    return out.reset_index()[MONTHLY_COLUMNS]


def _span_values(tables: Tables, first: pd.Timestamp, last: pd.Timestamp, *, start: pd.Timestamp, active_days: int) -> dict[str, float]:
    """The monthly KPIs over ``[first, last]`` (inside one month): flows summed, stocks at ``last`` (cumulative points since ``start``)."""
    row = _monthly_frame(tables, start=first, end=last, active_days=active_days).iloc[0]
    values = {column: float(row[column]) for column in MONTHLY_COLUMNS[1:]}
    points = tables.get("points")
    if points is not None:
        earned = points[(points["kind"] == "earned") & points["date"].between(start, last)]
        values["cumulative_points"] = float(_points_of(earned, "earned").sum())
    return values


def _same_days_values(tables: Tables, months: pd.PeriodIndex, *, start: pd.Timestamp, end: pd.Timestamp, active_days: int) -> dict:
    """Like-for-like values of the months whose comparison with the year before is not whole month against whole month.

    Those are the month of ``start`` and the one 12 months later (its base is cut by ``start``) and the
    month of ``end``; for each, the spans of :func:`workbench.periods.like_for_like` and the KPIs over them.
    """
    out = {}
    for month in {months[0], months[0] + 12, months[-1]} & set(months):
        first, last = max(month.to_timestamp(how="start"), start), min(month.to_timestamp(how="end").normalize(), end)
        spans = like_for_like(first, last, months=12, earliest=start)
        whole = spans is not None and spans[0] == (month.to_timestamp(how="start"), month.to_timestamp(how="end").normalize())
        if spans is None or whole:
            continue
        (c1, c2), (b1, b2) = spans
        out[month] = {
            "spans": spans,
            "current": _span_values(tables, c1, c2, start=start, active_days=active_days),
            "previous": _span_values(tables, b1, b2, start=start, active_days=active_days),
        }
    return out


def compute_year_over_year(monthly: pd.DataFrame, *, column: str, year: int) -> pd.DataFrame:
    """One monthly KPI of ``year`` beside the same month of the year before, like for like.

    A month that is only partly in the window (the month of ``end`` when ``end`` is not its last day,
    or of ``start``) is compared on the same days of both years (:func:`workbench.periods.like_for_like`),
    never part of a month against a whole one: with ``end`` 2024-06-15, June 2024 is 1-15 June 2024
    against 1-15 June 2023. The values come from the ``attrs`` of :func:`compute_monthly`.

    Parameters
    ----------
    monthly
        What :func:`compute_monthly` returned.
    column
        The KPI column (e.g. ``revenue``).
    year
        The calendar year compared with ``year - 1``.

    Returns
    -------
    pd.DataFrame
        ``month`` (1-12), ``previous``, ``current`` (the KPI's unit; NaN for a month outside
        the window), ``change`` (current / previous - 1, fraction; NaN when previous is 0 or missing).

    Raises
    ------
    ValueError
        ``column`` is not a KPI column, or ``year`` has no month in ``monthly``.
    """
    if column not in monthly.columns or column == "month":
        raise ValueError(f"column {column!r} is not a monthly KPI; use one of {', '.join(MONTHLY_COLUMNS[1:])}")
    years = sorted(set(monthly["month"].dt.year))
    if year not in years:
        raise ValueError(f"year {year} has no month in the analysis period ({years[0]}-{years[-1]}); set kpis.year to one of {', '.join(map(str, years))}")
    series = monthly.set_index("month")[column]
    months = pd.period_range(f"{year}-01", f"{year}-12", freq="M")
    previous = series.reindex(months - 12).to_numpy(dtype="float64", copy=True)
    current = series.reindex(months).to_numpy(dtype="float64", copy=True)
    for k, month in enumerate(months):
        same = monthly.attrs.get("same_days", {}).get(month)
        if same is not None:
            current[k], previous[k] = same["current"][column], same["previous"][column]
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(previous > 0, current / previous - 1, np.nan)
    return pd.DataFrame({"month": np.arange(1, 13), "previous": previous, "current": current, "change": change})


def _month_spans(monthly: pd.DataFrame, months: pd.PeriodIndex) -> pd.DataFrame:
    """The days compared for each month of ``months``: the whole months, or the like-for-like spans of ``monthly.attrs``."""
    rows = []
    present = set(monthly["month"])
    for month in months:
        same = monthly.attrs.get("same_days", {}).get(month)
        if same is not None:
            (c1, c2), (b1, b2) = same["spans"]
        elif month in present and month - 12 in present:
            c1, c2 = month.to_timestamp(how="start"), month.to_timestamp(how="end").normalize()
            b1, b2 = (month - 12).to_timestamp(how="start"), (month - 12).to_timestamp(how="end").normalize()
        else:
            c1 = c2 = b1 = b2 = pd.NaT
        rows.append((c1, c2, b1, b2))
    return pd.DataFrame(rows, columns=["first", "last", "base_first", "base_last"]).astype("datetime64[ns]")


def compute_yoy_table(monthly: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """Every monthly KPI of ``year`` against the same days of ``year - 1`` (like for like, see :func:`compute_year_over_year`).

    Returns
    -------
    pd.DataFrame
        ``kpi, previous, current, change, period``: totals over the months present in both years
        (``active_companies`` and ``cumulative_points``: their value at the last day compared),
        current / previous - 1 (fraction; NaN when previous is 0 or a table is absent), and the days
        compared (e.g. ``2024-01-01 to 2024-06-15 vs 2023-01-01 to 2023-06-15``).
    """
    rows = []
    for column in MONTHLY_COLUMNS[1:]:
        yoy = compute_year_over_year(monthly, column=column, year=year).dropna(subset=["previous", "current"])
        stock = column in ("active_companies", "cumulative_points")
        previous = yoy["previous"].iloc[-1] if stock and len(yoy) else yoy["previous"].sum() if len(yoy) else np.nan
        current = yoy["current"].iloc[-1] if stock and len(yoy) else yoy["current"].sum() if len(yoy) else np.nan
        rows.append((column, float(previous), float(current), current / previous - 1 if previous and previous > 0 else np.nan))
    out = pd.DataFrame(rows, columns=["kpi", "previous", "current", "change"]).astype({"change": "float64"})
    spans = _month_spans(monthly, pd.period_range(f"{year}-01", f"{year}-12", freq="M")).dropna(subset=["first"])
    out["period"] = (
        f"{spans['first'].min():%Y-%m-%d} to {spans['last'].max():%Y-%m-%d} vs {spans['base_first'].min():%Y-%m-%d} to {spans['base_last'].max():%Y-%m-%d}"
        if len(spans)
        else "no day of both years in the period"
    )
    return out


def year_spans(year: int, *, start: pd.Timestamp, end: pd.Timestamp) -> tuple[tuple[pd.Timestamp, pd.Timestamp], tuple[pd.Timestamp, pd.Timestamp]] | None:
    """The days of ``year`` inside [start, end] and the same days of the year before (:func:`workbench.periods.like_for_like`).

    A partial year (e.g. ``end`` 2024-06-30) is compared with the same days of the year before
    (2023-01-01 to 2023-06-30), never with a whole year; None when no day is in both.
    """
    first = max(pd.Timestamp(start), pd.Timestamp(year=year, month=1, day=1))
    last = min(pd.Timestamp(end), pd.Timestamp(year=year, month=12, day=31))
    return like_for_like(first, last, months=12, earliest=start) if first <= last else None


def span_growth(frame: pd.DataFrame | None, column: str, spans: tuple | None) -> float:
    """Sum of ``column`` over the current span / over the comparison span - 1 (fraction; NaN when the base is not positive)."""
    if frame is None or spans is None:
        return float("nan")
    (first, last), (base_first, base_last) = spans
    current = frame.loc[frame["date"].between(first, last), column].sum()
    base = frame.loc[frame["date"].between(base_first, base_last), column].sum()
    return float(current / base - 1) if base > 0 else float("nan")


def like_for_like_growth(yoy: pd.DataFrame) -> float:
    """Growth of ``current`` over ``previous`` on the months present in both (fraction; NaN when none)."""
    both = yoy.dropna(subset=["previous", "current"])
    base = both["previous"].sum()
    return float(both["current"].sum() / base - 1) if len(both) and base > 0 else float("nan")


# ---------------------------------------------------------------- points
def compute_breakage_cohorts(points: pd.DataFrame, *, end: pd.Timestamp, expiry_months: int | None, grain: str = "year") -> pd.DataFrame:
    """Breakage by earning cohort: points expired / points earned, once the cohort can no longer redeem.

    A cohort is the points earned in one calendar ``grain`` (``year`` or ``month``). Points expire
    ``expiry_months`` calendar months after they were earned, so an expiry dated ``d`` belongs to the
    cohort of ``d - expiry_months``. A cohort is **closed** when its last day plus ``expiry_months`` is on
    or before ``end``: every point of it has then been redeemed or has expired, and its breakage
    (expired / earned) is final. Open cohorts still hold outstanding points, which are not breakage.

    Parameters
    ----------
    points
        The points ledger, earlier movements included.
    end
        The reference date; later movements are ignored.
    expiry_months
        The programme's expiry rule (months); None: points never expire, so no cohort closes.
    grain
        ``year`` or ``month``.

    Returns
    -------
    pd.DataFrame
        ``cohort`` (label), ``earned``, ``expired`` (points, positive), ``closes_on`` (the day its last
        points expire; NaT without expiry), ``closed`` (bool), ``breakage_rate`` = expired / earned
        (fraction 0-1; NaN for an open cohort). Oldest cohort first.

    Raises
    ------
    ValueError
        ``grain`` is not year or month, or ``expiry_months`` is not positive.
    """
    freq = {"year": "Y", "month": "M"}.get(grain)
    if freq is None:
        raise ValueError(f"grain={grain!r}: use 'year' or 'month'")
    if expiry_months is not None and expiry_months <= 0:
        raise ValueError(f"expiry_months={expiry_months}: give the months after which points expire (e.g. 24), or None")
    end = pd.Timestamp(end)
    ledger = points[points["date"] <= end]
    earned_rows = ledger[ledger["kind"] == "earned"]
    earned = _points_of(earned_rows, "earned").groupby(earned_rows["date"].dt.to_period(freq)).sum()
    if expiry_months is not None:
        expired_rows = ledger[ledger["kind"] == "expired"]
        earned_on = expired_rows["date"] - pd.DateOffset(months=int(expiry_months))
        expired = _points_of(expired_rows, "expired").groupby(earned_on.dt.to_period(freq)).sum()
    else:
        expired = pd.Series(dtype="float64")
    cohorts = earned.index.sort_values()
    out = pd.DataFrame({"earned": earned.reindex(cohorts).astype("float64"), "expired": expired.reindex(cohorts, fill_value=0.0).astype("float64")})
    last_days = pd.Series([c.end_time.normalize() for c in cohorts], index=cohorts, dtype="datetime64[ns]")
    out["closes_on"] = last_days + pd.DateOffset(months=int(expiry_months)) if expiry_months is not None else pd.NaT
    out["closed"] = (out["closes_on"] <= end).fillna(False).astype(bool) if expiry_months is not None else False
    out["breakage_rate"] = (out["expired"] / out["earned"].where(out["earned"] > 0)).where(out["closed"])
    out.index = out.index.astype(str)
    return out.rename_axis("cohort").reset_index().astype({"closed": "bool", "closes_on": "datetime64[ns]"})


def expected_breakage(cohorts: pd.DataFrame) -> float:
    """Breakage of the closed cohorts together: their expired / their earned points (fraction; NaN when none is closed)."""
    closed = cohorts[cohorts["closed"]]
    earned = closed["earned"].sum()
    return float(closed["expired"].sum() / earned) if earned > 0 else float("nan")


def compute_points_summary(
    points: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    point_value: float,
    expiry_months: int | None = None,
    breakage: float | None = None,
) -> pd.DataFrame:
    """Points flows of the window, the outstanding balance and what it is worth, gross and net of expected breakage.

    Parameters
    ----------
    points
        The points ledger, including movements before ``start`` (they count in the balance and the cohorts).
    start, end
        The window of the flows (both days included); ``end`` is the balance date.
    point_value
        Value of one point to the programme (currency).
    expiry_months
        The expiry rule (months), for the breakage of closed earning cohorts (:func:`compute_breakage_cohorts`).
    breakage
        The expected breakage to assume (fraction 0-1); None: the closed cohorts' breakage, or 0 when no
        cohort is closed yet.

    Returns
    -------
    pd.DataFrame
        One row: ``earned, redeemed, expired, adjusted`` (points of the window; redeemed and expired as
        positive numbers, adjusted signed), ``balance`` (outstanding points: every signed movement up to
        ``end``), ``redemption_rate`` = redeemed / earned, ``unredeemed_rate`` = 1 - redemption_rate (points
        of the window not redeemed: expired **or still outstanding**, not a breakage), ``expiry_rate`` =
        expired / earned (fractions 0-1), ``liability`` = balance x point_value (currency, gross),
        ``breakage_rate_cohort`` = expired / earned over the closed earning cohorts (fraction; NaN when none),
        ``breakage_assumed`` (the expected breakage used, fraction), ``liability_net`` = balance x point_value
        x (1 - breakage_assumed) (currency; IFRS 15 practice).

    Raises
    ------
    ValueError
        ``point_value`` is negative, or ``breakage`` is outside 0-1.
    """
    if point_value < 0:
        raise ValueError(f"point_value must be >= 0, got {point_value}; give the cost of one point in the currency")
    if breakage is not None and not 0 <= breakage <= 1:
        raise ValueError(f"breakage={breakage}: give the expected breakage as a fraction between 0 and 1, or None to estimate it")
    _check_window(start, end)
    window = points[points["date"].between(pd.Timestamp(start), pd.Timestamp(end))]
    earned = float(_points_of(window, "earned").sum())
    redeemed = float(_points_of(window, "redeemed").sum())
    expired = float(_points_of(window, "expired").sum())
    adjusted = float(_points_of(window, "adjusted").sum())
    balance = float(points.loc[points["date"] <= pd.Timestamp(end), "points"].sum())
    redemption = redeemed / earned if earned > 0 else np.nan
    cohort_rate = expected_breakage(compute_breakage_cohorts(points, end=end, expiry_months=expiry_months))
    assumed = breakage if breakage is not None else (0.0 if np.isnan(cohort_rate) else cohort_rate)
    return pd.DataFrame(
        {
            "earned": [earned],
            "redeemed": [redeemed],
            "expired": [expired],
            "adjusted": [adjusted],
            "balance": [balance],
            "redemption_rate": [redemption],
            "unredeemed_rate": [1 - redemption],
            "expiry_rate": [expired / earned if earned > 0 else np.nan],
            "liability": [balance * point_value],
            "breakage_rate_cohort": [cohort_rate],
            "breakage_assumed": [float(assumed)],
            "liability_net": [balance * point_value * (1 - assumed)],
        }
    )


def compute_redemption_by(
    points: pd.DataFrame, lookup: pd.DataFrame, *, key: str, by: str, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Points earned and redeemed per segment (typology of the company, role of the person, ...).

    Parameters
    ----------
    points
        The points ledger of the window.
    lookup
        A table giving the segment: ``key`` and ``by`` columns (e.g. customers with
        ``customer_id`` and ``typology``, or members with ``member_id`` and ``role``).
    key
        The column joining ``points`` to ``lookup`` (``customer_id`` or ``member_id``).
    by
        The segment column of ``lookup``.
    start, end
        Only movements in this window count (both days included); None: no bound.

    Returns
    -------
    pd.DataFrame
        ``segment, earned, redeemed, redemption_rate``: points (redeemed positive) and
        redeemed / earned (fraction 0-1), largest earner first. Rows without a segment are ``unknown``.

    Raises
    ------
    ValueError
        ``key`` or ``by`` is not a column of its table.
    """
    for frame, column, name in ((points, key, "points"), (lookup, key, "lookup"), (lookup, by, "lookup")):
        if column not in frame.columns:
            raise ValueError(f"{name} has no column {column!r}; columns are {', '.join(frame.columns)}")
    points = points[points["date"].between(pd.Timestamp(start or points["date"].min()), pd.Timestamp(end or points["date"].max()))]
    segment = points[key].map(lookup.drop_duplicates(key).set_index(key)[by]).astype("object").fillna("unknown")
    frame = pd.DataFrame(
        {
            "segment": segment,
            "earned": points["points"].where(points["kind"] == "earned", 0.0),
            "redeemed": -points["points"].where(points["kind"] == "redeemed", 0.0),
        }
    )
    out = frame.groupby("segment")[["earned", "redeemed"]].sum().astype("float64").reset_index()
    out["redemption_rate"] = out["redeemed"] / out["earned"].where(out["earned"] > 0)
    return out.sort_values(["earned", "segment"], ascending=[False, True], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- performance KPIs
def compute_activation(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    points: pd.DataFrame | None = None,
    *,
    end: pd.Timestamp,
    activation_days: int | None = 90,
) -> pd.DataFrame:
    """Member companies activated: a purchase after the enrolment day, or a redemption, within ``activation_days`` of enrolment.

    Parameters
    ----------
    transactions
        Transactions of the window.
    customers
        With ``status`` and ``enrolled_on``; member companies enrolled on or before ``end`` count (a
        member enrolled later, or without an enrolment date, is left out).
    points
        The points ledger (None: activation by purchase only).
    end
        The reference date; nothing after it counts.
    activation_days
        Days after the enrolment day within which the first purchase or redemption must fall (the
        enrolment day + ``activation_days`` included); None: any time up to ``end``.

    Returns
    -------
    pd.DataFrame
        One row per member company: ``customer_id, enrolled_on, purchased_after`` (a purchase dated
        strictly after the enrolment day, within the window), ``redeemed`` (a redemption on or after the
        enrolment day, within the window), ``activated`` (either), ``window_complete`` (the whole
        activation window lies on or before ``end``: only these companies enter the activation rate).
    """
    end = pd.Timestamp(end)
    enrolled_on = pd.to_datetime(customers["enrolled_on"])
    keep = (customers["status"] == "member") & (enrolled_on <= end)
    members = pd.DataFrame({"customer_id": customers.loc[keep, "customer_id"], "enrolled_on": enrolled_on[keep]})
    columns = ["customer_id", "enrolled_on", "purchased_after", "redeemed", "activated", "window_complete"]
    if members.empty:  # nobody enrolled by the reference date (e.g. every member enrolled after period.end)
        return pd.DataFrame({c: pd.Series(dtype="str" if c == "customer_id" else "datetime64[ns]" if c == "enrolled_on" else "bool") for c in columns})
    enrolled = members.drop_duplicates("customer_id").set_index("customer_id")["enrolled_on"]
    limit = enrolled + pd.Timedelta(days=activation_days) if activation_days is not None else pd.Series(end, index=enrolled.index)
    limit = limit.clip(upper=end)

    def after(frame: pd.DataFrame, strictly: bool) -> set[str]:
        frame = frame[frame["customer_id"].isin(enrolled.index)]
        on, until = frame["customer_id"].map(enrolled), frame["customer_id"].map(limit)
        ok = ((frame["date"] > on) if strictly else (frame["date"] >= on)) & (frame["date"] <= until)
        return set(frame.loc[ok, "customer_id"])

    bought = after(purchase_rows(transactions), strictly=True)
    redeemed = after(points[points["kind"] == "redeemed"], strictly=False) if points is not None else set()
    out = members.reset_index(drop=True).copy()
    out["purchased_after"] = out["customer_id"].isin(bought)
    out["redeemed"] = out["customer_id"].isin(redeemed)
    out["activated"] = out["purchased_after"] | out["redeemed"]
    days = 0 if activation_days is None else activation_days
    out["window_complete"] = (out["enrolled_on"] + pd.Timedelta(days=days)) <= end
    return out[columns]


def activation_rate(activation: pd.DataFrame) -> float:
    """Activated / member companies whose activation window is complete (fraction 0-1; NaN when none)."""
    done = activation[activation["window_complete"]]
    return float(done["activated"].mean()) if len(done) else float("nan")


def compute_member_revenue(transactions: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Revenue of member companies beside the other companies (descriptive, not causal).

    Parameters
    ----------
    transactions
        Transactions of the window.
    customers
        With ``status``.

    Returns
    -------
    pd.DataFrame
        Two rows, ``member`` then ``not member`` (pre-registered, blocked, non-member, and
        buyers absent from the customers table): ``group, companies`` (in the customers table),
        ``buyers`` (with a purchase), ``revenue`` (net, currency), ``revenue_share`` (fraction 0-1),
        ``revenue_per_buyer`` (currency).
    """
    is_member = set(customers.loc[customers["status"] == "member", "customer_id"])
    group = np.where(transactions["customer_id"].isin(is_member), "member", "not member")
    tx = transactions.assign(group=group)
    buyers = purchase_rows(tx).groupby("group")["customer_id"].nunique()
    revenue = tx.groupby("group")["amount"].sum()
    groups = ["member", "not member"]
    out = pd.DataFrame(
        {
            "group": groups,
            "companies": [len(is_member), int((~customers["customer_id"].isin(is_member)).sum())],
            "buyers": buyers.reindex(groups, fill_value=0).astype("int64").to_numpy(),
            "revenue": revenue.reindex(groups, fill_value=0.0).astype("float64").to_numpy(),
        }
    )
    total = out["revenue"].sum()
    out["revenue_share"] = out["revenue"] / total if total else np.nan
    out["revenue_per_buyer"] = out["revenue"] / out["buyers"].where(out["buyers"] > 0)
    return out


def compute_member_revenue_monthly(transactions: pd.DataFrame, customers: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Monthly net revenue of member companies and of the other companies (descriptive, not causal).

    Membership is the status at the reference date (as in :func:`compute_member_revenue`), so the
    member line includes those companies' purchases from before they enrolled.

    Returns
    -------
    pd.DataFrame
        ``month`` (Period[M]), ``member``, ``not_member`` (net revenue, currency), every month of [start, end].

    Raises
    ------
    ValueError
        ``end`` before ``start``.
    """
    _check_window(start, end)
    months = _months(start, end)
    is_member = transactions["customer_id"].isin(set(customers.loc[customers["status"] == "member", "customer_id"]))
    inside = transactions["date"].between(pd.Timestamp(start), pd.Timestamp(end))
    month = transactions["date"].dt.to_period("M")
    out = pd.DataFrame(index=months)
    for column, mask in (("member", is_member), ("not_member", ~is_member)):
        sel = inside & mask
        out[column] = transactions.loc[sel, "amount"].groupby(month[sel]).sum().reindex(months, fill_value=0.0).astype("float64")
    return out.reset_index()


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
    rows: list[tuple[str, float, str, str, str]] = []
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    window = f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    recent = f"{active_days} days to {end:%Y-%m-%d}"
    tx, points, events = (tables.get(n) for n in ("transactions", "points", "events"))
    monthly = compute_monthly(tables, start=start, end=end, active_days=active_days)
    spans = year_spans(year, start=start, end=end)
    months_both = "no day of both years in the period" if spans is None else " vs ".join(f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in spans)

    rows.append(("revenue", float(tx["amount"].sum()), currency, "sum of net amounts (credit notes deducted)", window))
    in_year = monthly.loc[monthly["month"].dt.year == year, "revenue"]
    if in_year.empty:
        compute_year_over_year(monthly, column="revenue", year=year)  # raises: the year has no month in the window
    year_span = f"{max(start, pd.Timestamp(year=year, month=1, day=1)):%Y-%m-%d} to {min(end, pd.Timestamp(year=year, month=12, day=31)):%Y-%m-%d}"
    rows.append(("revenue_year", float(in_year.sum()), currency, f"sum of net amounts dated in {year}", year_span))
    rows.append(("revenue_growth", span_growth(tx, "amount", spans), "fraction", f"revenue {year} / revenue {year - 1} - 1, same days", months_both))
    population = member_companies(tables)
    if population is not None:
        profiles = compute_active_profiles(tables, as_of=end, active_days=active_days).iloc[0]
        rows.append(
            ("active_share", profiles["active_share"], "fraction", "member companies with a purchase or an event in the window / member companies", recent)
        )
    rows += _programme_rows(tables, start=start, end=end, active_days=active_days, activation_days=activation_days)
    if points is not None:
        earned = float(_points_of(points[points["date"].between(start, end)], "earned").sum())
        rows.append(("points_earned", earned, "points", "sum of earned movements", window))
        growth = span_growth(points[points["kind"] == "earned"], "points", spans)
        rows.append(("points_growth", growth, "fraction", f"points earned {year} / points earned {year - 1} - 1, same days", months_both))
        if population is not None:
            recent_points = _points_of(points[points["date"].between(end - pd.Timedelta(days=active_days - 1), end)], "earned").sum()
            per_active = recent_points / profiles["active"] if profiles["active"] else np.nan
            rows.append(("mean_points_per_active_member", per_active, "points", "points earned in the window / active member companies", recent))
        rows += _points_rows(points, start=start, end=end, point_value=point_value, expiry_months=expiry_months, breakage=expected_breakage, currency=currency)
    if events is not None and population is not None:
        took_part = set(events.loc[events["kind"] == "challenge", "customer_id"]) & population
        share = len(took_part) / len(population) if population else np.nan
        rows.append(("challenge_participation", share, "fraction", "member companies with a challenge event / member companies", window))
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
