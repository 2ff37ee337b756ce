"""Portfolio analysis (notebook ``02_portfolio``): where revenue comes from and where it is going.

Every ``compute_*`` function takes transactions (and plain arguments) and returns a DataFrame
with fixed column names; every ``plot_*`` function draws a computed result on an ``ax``.

Definitions:

- a *purchase* follows the report's one definition (:mod:`workbench.analysis.purchases`, parameter
  ``purchase``): a distinct purchase day of a customer (default) or a distinct invoice; credit notes
  (negative amounts) reduce revenue but are not purchases;
- a customer is *active* in a period when it made at least one purchase in it;
- revenue is net (credit notes deducted), so ``revenue = active customers x frequency x average
  basket`` holds exactly with ``frequency = purchases / active customers`` and
  ``average basket = revenue / purchases``;
- **like for like**: when a period is cut short by the analysis window (``period.end`` 2024-06-30
  with yearly periods), it is compared with the same days one period earlier (2023-01-01 to
  2023-06-30), never with a whole period: the revenue bridge, retention, churn and growth all follow
  :func:`workbench.periods.like_for_like`, the rule the KPI page uses for its growth figures.
"""

from __future__ import annotations

from itertools import combinations
from math import factorial
from typing import Literal

import numpy as np
import pandas as pd

from workbench.analysis.purchases import count_purchases, purchase_rows
from workbench.data.validation import require_columns
from workbench.periods import like_for_like

Grain = Literal["year", "quarter"]
_FREQ = {"year": "Y", "quarter": "Q"}
MONTHS = {"year": 12, "quarter": 3}
FACTORS = ("active_customers", "frequency", "average_basket")


def _freq(grain: str) -> str:
    if grain not in _FREQ:
        raise ValueError(f"grain must be 'year' or 'quarter', got {grain!r}")
    return _FREQ[grain]


def _periods(start: pd.Timestamp, end: pd.Timestamp, grain: str) -> pd.PeriodIndex:
    return pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq=_freq(grain), name="period")


# ---------------------------------------------------------------- revenue = customers x frequency x basket
def _factors(tx: pd.DataFrame, key: pd.Series, labels: pd.Index, purchase: str) -> pd.DataFrame:
    """Revenue, active customers, purchases, frequency and basket per label of ``key`` (aligned on ``tx``)."""
    bought = purchase_rows(tx)
    out = (
        pd.DataFrame(
            {
                "revenue": tx["amount"].groupby(key).sum(),
                "active_customers": bought["customer_id"].groupby(key.loc[bought.index]).nunique(),
                "purchases": count_purchases(tx, purchase=purchase, by=key),
            }
        )
        .reindex(labels)
        .fillna(0)
    )
    out = out.astype({"revenue": "float64", "active_customers": "int64", "purchases": "int64"})
    out["frequency"] = out["purchases"] / out["active_customers"].where(out["active_customers"] > 0)
    out["average_basket"] = out["revenue"] / out["purchases"].where(out["purchases"] > 0)
    return out


def compute_revenue_components(
    transactions: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp, grain: Grain = "year", purchase: str = "day"
) -> pd.DataFrame:
    """Revenue per period and its three factors.

    Parameters
    ----------
    transactions
        Rows dated outside [start, end] are ignored.
    start, end
        The analysis window (both days included).
    grain
        ``year`` or ``quarter`` (calendar periods; the first and last may be partial).
    purchase
        ``day`` or ``invoice`` (:mod:`workbench.analysis.purchases`).

    Returns
    -------
    pd.DataFrame
        ``period`` (label such as ``2023`` or ``2023Q2``), ``revenue`` (net, currency),
        ``active_customers`` (customers with a purchase), ``purchases`` (distinct purchases),
        ``frequency`` (purchases per active customer), ``average_basket`` (net revenue per purchase,
        currency). ``revenue = active_customers x frequency x average_basket``.

    Raises
    ------
    ValueError
        A needed column is missing, or ``grain`` or ``purchase`` is unknown.
    """
    require_columns(transactions)
    periods = _periods(start, end, grain)
    tx = transactions[transactions["date"].between(pd.Timestamp(start), pd.Timestamp(end))]
    out = _factors(tx, tx["date"].dt.to_period(_freq(grain)), periods, purchase)
    out.index = out.index.astype(str)
    return out.rename_axis("period").reset_index()


def compute_comparison_spans(*, start: pd.Timestamp, end: pd.Timestamp, grain: Grain = "year") -> pd.DataFrame:
    """Each period's days inside the window and the days it is compared with (like for like).

    Returns
    -------
    pd.DataFrame
        ``period`` (label), ``first, last`` (its days inside [start, end]), ``partial`` (bool: fewer days
        than the calendar period), ``base_first, base_last`` (the same days one period earlier,
        :func:`workbench.periods.like_for_like`; history before ``start`` allowed).
    """
    rows = []
    for p in _periods(start, end, grain):
        first, last = max(p.start_time.normalize(), pd.Timestamp(start)), min(p.end_time.normalize(), pd.Timestamp(end))
        (first, last), (base_first, base_last) = like_for_like(first, last, months=MONTHS[grain])
        partial = first != p.start_time.normalize() or last != p.end_time.normalize()
        rows.append((str(p), first, last, partial, base_first, base_last))
    return pd.DataFrame(rows, columns=["period", "first", "last", "partial", "base_first", "base_last"])


def describe_comparison(spans: pd.DataFrame, *, grain: Grain = "year") -> str:
    """One plain sentence on how periods are compared (from :func:`compute_comparison_spans`)."""
    partial = spans[spans["partial"]]
    if partial.empty:
        return f"Every {grain} is complete: each is compared with the whole {grain} before."
    parts = [f"{r.period} covers {r.first:%Y-%m-%d} to {r.last:%Y-%m-%d} only" for r in partial.itertuples()]
    last = spans.iloc[-1]
    return (
        f"{'; '.join(parts)}. A partial {grain} is compared like for like, with the same days one {grain} earlier "
        f"(e.g. {last['first']:%Y-%m-%d} to {last['last']:%Y-%m-%d} against {last['base_first']:%Y-%m-%d} to {last['base_last']:%Y-%m-%d}): "
        f"the bridge, retention, churn and growth use those days; the table of periods above shows each period's own days."
    )


def shapley_contributions(base: dict[str, float], current: dict[str, float]) -> dict[str, float]:
    """Exact attribution of the change of a product of factors to each factor (Shapley values).

    The product ``f(S)`` takes the factors in ``S`` at their current value and the others at their
    base value. A factor's contribution is its marginal effect ``f(S + i) - f(S)`` averaged over every
    order in which the factors can change, weighted ``|S|! (n - |S| - 1)! / n!``. The contributions
    add up exactly to ``f(all) - f(none)`` = current product - base product, do not depend on the
    order the factors are listed in, and, unlike a log (LMDI) split, accept zero or negative values.

    Parameters
    ----------
    base, current
        Factor name -> value, same names in both.

    Returns
    -------
    dict
        Factor name -> contribution, in the unit of the product.

    Raises
    ------
    ValueError
        The two mappings name different factors, or a value is missing.
    """
    if set(base) != set(current):
        raise ValueError(f"base and current must name the same factors, got {sorted(base)} and {sorted(current)}")
    names = list(base)
    values = [*base.values(), *current.values()]
    if any(v is None or np.isnan(v) for v in values):
        raise ValueError(f"every factor needs a value, got base={base} current={current}; pick two periods with purchases")
    n = len(names)

    def product(changed: set[str]) -> float:
        return float(np.prod([current[k] if k in changed else base[k] for k in names]))

    out = {}
    for name in names:
        others = [k for k in names if k != name]
        total = 0.0
        for size in range(n):
            weight = factorial(size) * factorial(n - size - 1) / factorial(n)
            for subset in combinations(others, size):
                total += weight * (product({*subset, name}) - product(set(subset)))
        out[name] = total
    return out


def compute_bridge(components: pd.DataFrame, *, base: str, current: str) -> pd.DataFrame:
    """Revenue bridge between two periods: which factor drove the change.

    Parameters
    ----------
    components
        What :func:`compute_revenue_components` returned.
    base, current
        Period labels (e.g. ``"2023"`` and ``"2024"``).

    Returns
    -------
    pd.DataFrame
        ``step, value, kind``: ``revenue <base>`` (kind ``total``), the contribution of
        ``active customers``, ``frequency`` and ``average basket`` (kind ``change``, currency,
        Shapley attribution, see :func:`shapley_contributions`), ``revenue <current>`` (``total``).
        The three changes add up exactly to the difference of the two totals.

    Raises
    ------
    ValueError
        A period label is not in ``components``.
    """
    labels = components["period"].tolist()
    for name, label in (("base", base), ("current", current)):
        if label not in labels:
            raise ValueError(f"{name} period {label!r} is not in the analysis window; use one of {', '.join(labels)}")
    rows = components.set_index("period")
    contributions = shapley_contributions({f: float(rows.loc[base, f]) for f in FACTORS}, {f: float(rows.loc[current, f]) for f in FACTORS})
    steps = [(f"revenue {base}", float(rows.loc[base, "revenue"]), "total")]
    steps += [(f.replace("_", " "), contributions[f], "change") for f in FACTORS]
    steps.append((f"revenue {current}", float(rows.loc[current, "revenue"]), "total"))
    return pd.DataFrame(steps, columns=["step", "value", "kind"])


def compute_bridge_components(
    transactions: pd.DataFrame, *, base: str, current: str, start: pd.Timestamp, end: pd.Timestamp, grain: Grain = "year", purchase: str = "day"
) -> pd.DataFrame:
    """The two periods of the bridge, like for like: the base period restricted to the current period's days.

    The current period's days inside [start, end] are compared with the same calendar days of the base
    period (:func:`workbench.periods.like_for_like`); when ``start`` cuts the base period, both are cut by
    the same days. Two whole periods are compared whole.

    Returns
    -------
    pd.DataFrame
        Two rows, base then current, with the columns of :func:`compute_revenue_components`; ``period`` is
        the label followed by its days when they are not the whole period, e.g. ``2024 (01-01 to 06-30)``.

    Raises
    ------
    ValueError
        A label is not a period of the window, ``base`` is not before ``current``, or no day is in both.
    """
    require_columns(transactions)
    labels = [str(p) for p in _periods(start, end, grain)]
    for name, label in (("base", base), ("current", current)):
        if label not in labels:
            raise ValueError(f"{name} period {label!r} is not in the analysis window; use one of {', '.join(labels)}")
    b, c = pd.Period(base, freq=_freq(grain)), pd.Period(current, freq=_freq(grain))
    if b >= c:
        raise ValueError(f"base period {base!r} must be before current period {current!r}")
    first, last = max(c.start_time.normalize(), pd.Timestamp(start)), min(c.end_time.normalize(), pd.Timestamp(end))
    spans = like_for_like(first, last, months=MONTHS[grain] * (c - b).n, earliest=start)
    if spans is None:
        raise ValueError(f"periods {base} and {current} have no day in common inside the analysis window; pick other periods")
    names = []
    for p, (day1, day2) in zip((b, c), (spans[1], spans[0])):
        whole = day1 == p.start_time.normalize() and day2 == p.end_time.normalize()
        names.append(str(p) if whole else f"{p} ({day1:%m-%d} to {day2:%m-%d})")
    (cf, cl), (bf, bl) = spans
    tx = transactions[transactions["date"].between(bf, bl) | transactions["date"].between(cf, cl)]
    key = pd.Series(np.where(tx["date"] >= cf, names[1], names[0]), index=tx.index)
    out = _factors(tx, key, pd.Index(names), purchase)
    return out.rename_axis("period").reset_index()


def default_bridge_periods(components: pd.DataFrame) -> tuple[str, str]:
    """The last two periods with purchases (base, current).

    Raises
    ------
    ValueError
        Fewer than two periods have purchases.
    """
    labels = components.loc[components["purchases"] > 0, "period"].tolist()
    if len(labels) < 2:
        raise ValueError("the bridge needs two periods with purchases; widen the period or use portfolio.period_grain: quarter")
    return labels[-2], labels[-1]


# ---------------------------------------------------------------- retention
def compute_retention(transactions: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp, grain: Grain = "year", purchase: str = "day") -> pd.DataFrame:
    """Customer flows, retention, churn and repurchase per period, like for like.

    Each period's days inside the window are compared with the same days one period earlier
    (:func:`compute_comparison_spans`): a whole year with the whole year before, a partial last year
    (2024-01-01 to 2024-06-30) with the same days of the year before (2023-01-01 to 2023-06-30).
    Purchases before ``start`` are used as history: they tell new customers from reactivated ones,
    and give the first period's comparison days.

    Parameters
    ----------
    transactions
        Every kept transaction up to ``end`` (rows after ``end`` are ignored).
    start, end
        The analysis window; one row per calendar period it touches.
    grain
        ``year`` or ``quarter``.
    purchase
        ``day`` or ``invoice`` (:mod:`workbench.analysis.purchases`), for the repurchase rate.

    Returns
    -------
    pd.DataFrame
        ``period`` (label), ``active`` (customers with a purchase in the period's days), ``new`` (first
        purchase ever in them), ``retained`` (active in the comparison days too), ``reactivated`` (active
        before, but not in the comparison days), ``lost`` (active in the comparison days, not in this
        period's), ``retention_rate`` = retained / active in the comparison days, ``churn_rate`` = lost /
        active in the comparison days = 1 - retention_rate (fractions 0-1; NaN when nobody was active),
        ``repurchase_rate`` = active customers with two purchases or more / active (fraction),
        ``mean_seniority_days`` = mean days from the first purchase ever to the period's last day inside
        the window over active customers (days). ``active = new + retained + reactivated`` and
        ``active in the comparison days = retained + lost``.
    """
    require_columns(transactions)
    tx = purchase_rows(transactions[transactions["date"] <= pd.Timestamp(end)])
    first = tx.groupby("customer_id")["date"].min()
    rows = []
    for span in compute_comparison_spans(start=start, end=end, grain=grain).itertuples():
        inside = tx[tx["date"].between(span.first, span.last)]
        now = count_purchases(inside, purchase=purchase)
        ids = set(now.index)
        prev = set(tx.loc[tx["date"].between(span.base_first, span.base_last), "customer_id"])
        first_now = first.reindex(list(ids))
        new = int(first_now.between(span.first, span.last).sum())
        retained, lost = len(ids & prev), len(prev - ids)
        seniority = (span.last - first_now).dt.days
        rows.append(
            {
                "period": span.period,
                "active": len(ids),
                "new": new,
                "retained": retained,
                "reactivated": len(ids) - new - retained,
                "lost": lost,
                "retention_rate": retained / len(prev) if prev else np.nan,
                "churn_rate": lost / len(prev) if prev else np.nan,
                "repurchase_rate": float((now >= 2).mean()) if len(now) else np.nan,
                "mean_seniority_days": float(seniority.mean()) if len(ids) else np.nan,
            }
        )
    return pd.DataFrame(rows).astype({"active": "int64", "new": "int64", "retained": "int64", "reactivated": "int64", "lost": "int64"})


def compute_cohorts(
    transactions: pd.DataFrame,
    *,
    end: pd.Timestamp,
    grain: Grain = "quarter",
    cohort_dates: pd.Series | None = None,
) -> pd.DataFrame:
    """Cohort retention triangle: share of each cohort buying k periods after it started.

    Parameters
    ----------
    transactions
        Every kept transaction up to ``end``.
    end
        The reference date (later rows are ignored).
    grain
        Cohort and age width: ``quarter`` or ``year``.
    cohort_dates
        Customer id -> start date of the customer (e.g. enrolment date); None: the date of
        the first purchase. Customers without a date are left out.

    Returns
    -------
    pd.DataFrame
        Long format, one row per cohort and age: ``cohort`` (label), ``age`` (periods since the
        cohort's period, 0 = the cohort's own period), ``cohort_size`` (customers), ``active``
        (customers of the cohort with a purchase in that period), ``retention`` = active /
        cohort_size (fraction 0-1), ``revenue`` (net revenue of the cohort in that period,
        currency). Every age up to ``end`` is present (0 when nobody bought).
    """
    require_columns(transactions)
    freq = _freq(grain)
    tx = transactions[transactions["date"] <= pd.Timestamp(end)]
    if cohort_dates is None:
        cohort_dates = tx.loc[tx["amount"] > 0].groupby("customer_id")["date"].min()
    starts = cohort_dates.dropna()
    starts = starts[starts <= pd.Timestamp(end)].dt.to_period(freq)
    tx = tx[tx["customer_id"].isin(starts.index)]
    cohort = tx["customer_id"].map(starts)
    period = tx["date"].dt.to_period(freq)
    after = period >= cohort
    frame = pd.DataFrame(
        {
            "cohort": cohort[after],
            "period": period[after],
            "customer_id": tx.loc[after, "customer_id"],
            "amount": tx.loc[after, "amount"],
            "bought": tx.loc[after, "amount"] > 0,
        }
    )
    grouped = frame.groupby(["cohort", "period"])
    active = frame[frame["bought"]].groupby(["cohort", "period"])["customer_id"].nunique()
    revenue = grouped["amount"].sum()
    last = pd.Timestamp(end).to_period(freq)
    sizes = starts.value_counts()
    rows = []
    for c in sorted(sizes.index):
        for p in pd.period_range(c, last, freq=freq):
            rows.append((str(c), (p - c).n, int(sizes[c]), int(active.get((c, p), 0)), float(revenue.get((c, p), 0.0))))
    out = pd.DataFrame(rows, columns=["cohort", "age", "cohort_size", "active", "revenue"])
    out.insert(4, "retention", out["active"] / out["cohort_size"])
    return out.astype({"age": "int64", "cohort_size": "int64", "active": "int64", "retention": "float64", "revenue": "float64"})


def summarise_cohorts(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Revenue and early retention per cohort.

    Parameters
    ----------
    cohorts
        What :func:`compute_cohorts` returned.

    Returns
    -------
    pd.DataFrame
        ``cohort, cohort_size`` (customers), ``revenue`` (net revenue of the cohort from its start to
        the reference date, currency), ``revenue_per_customer`` (currency), ``retention_next``
        (share of the cohort buying in the period after its start, fraction; NaN for the last cohort).
    """
    grouped = cohorts.groupby("cohort", sort=True)
    nxt = cohorts[cohorts["age"] == 1].set_index("cohort")["retention"]
    out = pd.DataFrame({"cohort_size": grouped["cohort_size"].first(), "revenue": grouped["revenue"].sum()})
    out["revenue_per_customer"] = out["revenue"] / out["cohort_size"]
    out["retention_next"] = nxt.reindex(out.index).astype("float64")
    return out.rename_axis("cohort").reset_index()


# ---------------------------------------------------------------- concentration
def _customer_revenue(transactions: pd.DataFrame) -> pd.Series:
    revenue = transactions.groupby("customer_id")["amount"].sum()
    return revenue[revenue > 0]


def compute_concentration(transactions: pd.DataFrame, *, top: float = 0.2) -> pd.DataFrame:
    """Revenue share of the top customers and the Gini coefficient.

    Customers are those with a positive net revenue in ``transactions``.

    Parameters
    ----------
    top
        Fraction of customers (0-1, exclusive); the top ``ceil(top x customers)`` by revenue count.

    Returns
    -------
    pd.DataFrame
        One row: ``customers``, ``top_customers``, ``revenue`` (currency), ``top_revenue``
        (currency), ``top_share`` = top_revenue / revenue (fraction), ``gini`` (0 = all equal,
        1 = one customer has everything).

    Raises
    ------
    ValueError
        ``top`` is not between 0 and 1.
    """
    if not 0 < top < 1:
        raise ValueError(f"top must be a fraction between 0 and 1 (exclusive), got {top}; e.g. 0.2 for the top 20 %")
    require_columns(transactions)
    revenue = _customer_revenue(transactions).sort_values(ascending=False)
    n = len(revenue)
    k = int(np.ceil(round(top * n, 9)))
    total = float(revenue.sum())
    ascending = np.sort(revenue.to_numpy())
    # Gini = 1 - 2 x area under the Lorenz curve (trapezoids over n equal customer steps).
    lorenz = np.concatenate([[0.0], np.cumsum(ascending) / total]) if n else np.array([0.0])
    gini = 1 - np.sum(lorenz[1:] + lorenz[:-1]) / n if n else np.nan
    return pd.DataFrame(
        {
            "customers": [n],
            "top_customers": [k],
            "revenue": [total],
            "top_revenue": [float(revenue.iloc[:k].sum())],
            "top_share": [float(revenue.iloc[:k].sum()) / total if total else np.nan],
            "gini": [float(gini)],
        }
    )


def compute_lorenz(transactions: pd.DataFrame) -> pd.DataFrame:
    """Points of the Lorenz curve of customer revenue (smallest customers first).

    Returns
    -------
    pd.DataFrame
        ``customer_share`` and ``revenue_share`` (cumulative fractions 0-1), starting at (0, 0)
        and ending at (1, 1); one point per customer with a positive net revenue.
    """
    require_columns(transactions)
    ascending = np.sort(_customer_revenue(transactions).to_numpy())
    n = len(ascending)
    return pd.DataFrame(
        {"customer_share": np.arange(n + 1) / max(n, 1), "revenue_share": np.concatenate([[0.0], np.cumsum(ascending) / ascending.sum()]) if n else [0.0]}
    )


# ---------------------------------------------------------------- breakdowns and seasonality
def compute_breakdown(transactions: pd.DataFrame, *, by: str, customers: pd.DataFrame | None = None, purchase: str = "day") -> pd.DataFrame:
    """Revenue by segment: a transaction column (channel, product_range) or a customer column (typology, region).

    Parameters
    ----------
    by
        Column of ``transactions``, or else of ``customers`` (joined on ``customer_id``).
    customers
        Needed when ``by`` is a customer column.
    purchase
        ``day`` or ``invoice`` (:mod:`workbench.analysis.purchases`).

    Returns
    -------
    pd.DataFrame
        ``segment, customers`` (with a purchase), ``purchases`` (distinct purchases with a row in the segment), ``revenue`` (net, currency),
        ``revenue_share`` (fraction 0-1), ``revenue_per_customer`` (currency), ``average_basket``
        (net revenue per purchase, currency); largest revenue first; a missing value is ``unknown``.

    Raises
    ------
    ValueError
        ``by`` is in neither table.
    """
    require_columns(transactions)
    if by in transactions.columns:
        segment = transactions[by]
    elif customers is not None and by in customers.columns:
        segment = transactions["customer_id"].map(customers.drop_duplicates("customer_id").set_index("customer_id")[by])
    else:
        where = "transactions" + (" or customers" if customers is not None else " (and no customers table was given)")
        raise ValueError(f"by={by!r} is not a column of {where}; use e.g. channel, product_range, typology or region")
    tx = transactions.assign(segment=segment.astype("object").fillna("unknown"))
    out = (
        pd.DataFrame(
            {
                "customers": purchase_rows(tx).groupby("segment")["customer_id"].nunique(),
                "purchases": count_purchases(tx, purchase=purchase, by="segment"),
                "revenue": tx.groupby("segment")["amount"].sum(),
            }
        )
        .fillna(0)
        .astype({"customers": "int64", "purchases": "int64", "revenue": "float64"})
    )
    out["revenue_share"] = out["revenue"] / out["revenue"].sum()
    out["revenue_per_customer"] = out["revenue"] / out["customers"].where(out["customers"] > 0)
    out["average_basket"] = out["revenue"] / out["purchases"].where(out["purchases"] > 0)
    out = out.rename_axis("segment").reset_index()
    return out.sort_values(["revenue", "segment"], ascending=[False, True], kind="stable").reset_index(drop=True)


def compute_seasonality(transactions: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Month-of-year profile of revenue over the complete calendar months of the window.

    Returns
    -------
    pd.DataFrame
        ``month`` (1-12), ``years`` (how many complete months of that name the window holds),
        ``mean_revenue`` (mean net revenue of those months, currency), ``index`` = mean_revenue /
        the mean of the twelve mean_revenue values (1 = an average month; NaN when a month is absent).
    """
    require_columns(transactions)
    first = pd.Timestamp(start).to_period("M") if pd.Timestamp(start).day == 1 else pd.Timestamp(start).to_period("M") + 1
    last_ts = pd.Timestamp(end)
    last = last_ts.to_period("M") if last_ts.normalize() == last_ts.to_period("M").end_time.normalize() else last_ts.to_period("M") - 1
    months = pd.period_range(first, last, freq="M") if first <= last else pd.PeriodIndex([], freq="M")
    tx = transactions[transactions["date"].between(pd.Timestamp(start), pd.Timestamp(end))]
    monthly = tx["amount"].groupby(tx["date"].dt.to_period("M")).sum().reindex(months, fill_value=0.0)
    by_month = monthly.groupby(monthly.index.month)
    out = pd.DataFrame({"years": by_month.size(), "mean_revenue": by_month.mean()}).reindex(range(1, 13))
    out["years"] = out["years"].fillna(0).astype("int64")
    out["index"] = out["mean_revenue"] / out["mean_revenue"].mean()
    return out.rename_axis("month").reset_index().astype({"month": "int64", "mean_revenue": "float64"})
