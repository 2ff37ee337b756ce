"""Monthly series of the KPIs and the year-over-year comparisons, like for like (the same days of both years)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis.kpis.common import MONTHLY_COLUMNS, Tables, _check_window, _months, _points_of, active_companies, member_companies
from workbench.periods import like_for_like


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
    check_year(year, start=monthly["month"].iloc[0].to_timestamp(), end=monthly["month"].iloc[-1].to_timestamp())
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
        ``kpi, previous, current, change, compared``: totals over the months present in both years
        (``active_companies`` and ``cumulative_points``: their value at the last day compared),
        current / previous - 1 (fraction; NaN when previous is 0 or a table is absent), and the days
        compared, the same in every row (e.g. ``2024-01-01 to 06-15 vs 2023-01-01 to 06-15``).
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
    out["compared"] = (
        f"{spans['first'].min():%Y-%m-%d} to {spans['last'].max():%m-%d} vs {spans['base_first'].min():%Y-%m-%d} to {spans['base_last'].max():%m-%d}"
        if len(spans)
        else "no day of both years in the period"
    )
    return out


def check_year(year: int, *, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """Raise a ValueError naming the possible years when ``year`` has no day in [start, end]."""
    years = list(range(pd.Timestamp(start).year, pd.Timestamp(end).year + 1))
    if year not in years:
        raise ValueError(f"year {year} has no month in the analysis period ({years[0]}-{years[-1]}); set kpis.year to one of {', '.join(map(str, years))}")


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
