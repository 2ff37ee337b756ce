"""The design of the uplift analysis: who is compared, from which date, over which windows, on which features.

- **Units.** Each evaluated member (status in ``member_statuses``, whose post-window ends
  before ``end``) is a treated unit dated on its enrolment day; every other company gets a
  *pseudo-enrolment date* drawn among the members' dates (:func:`draw_pseudo_dates`).
- **Windows** run in calendar months (:func:`workbench.periods.add_months`): the pre-window
  is ``[date - pre_months months, date - 1 day]`` (the enrolment day, often a big enrolment
  purchase, is left out), the post-window ``[date, date + post_months months - 1 day]``.
- **Features** (:func:`covariate_matrix`) are what the matching compares.

Units: revenue and margin in the currency, frequency in purchases (rows with a positive
amount), durations in days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import formatting as fmt
from workbench.analysis.purchases import purchase_ids
from workbench.formatting import tr
from workbench.periods import add_months, months_label

CATEGORICALS = ("typology", "region")


def check_inputs(customers: pd.DataFrame | None, *, member_statuses: tuple[str, ...] = ("member",)) -> str | None:
    """Why the programme cannot be evaluated, or None when it can.

    Parameters
    ----------
    customers
        Canonical customers table, or None when the client has none.
    member_statuses
        Statuses evaluated as treated.

    Returns
    -------
    str or None
        A plain-language reason (no customers table, no status or enrolment date column, no
        member with an enrolment date).
    """
    if customers is None:
        return tr("there is no customers table, so members cannot be told from non-members; give `data.customers` with `status` and `enrolled_on` columns")
    missing = [c for c in ("status", "enrolled_on") if c not in customers.columns]
    if missing:
        return tr(
            "the customers table has no {columns} column, so members and their enrolment dates are unknown; map them in `data.customers.columns`",
            columns=tr(" and no ").join(missing),
        )
    members = customers["status"].isin(member_statuses) & customers["enrolled_on"].notna()
    if not members.any():
        return tr("no company with status {statuses} has an enrolment date", statuses=list(member_statuses))
    return None


def shift_months(dates: pd.Series | np.ndarray, months: int) -> np.ndarray:
    """``add_months(d, months)`` of every date (NaT stays NaT), computed once per distinct date.

    Parameters
    ----------
    dates
        Dates (datetime64).
    months
        Calendar months to add (negative: earlier).

    Returns
    -------
    np.ndarray
        datetime64[ns] dates, same order as ``dates``.
    """
    d = pd.Series(np.asarray(dates, dtype="datetime64[ns]"))
    uniq = d.dropna().unique()
    table = pd.Series([add_months(x, months) for x in uniq], index=uniq, dtype="datetime64[ns]")
    return table.reindex(d.to_numpy()).to_numpy(dtype="datetime64[ns]")  # NaT stays NaT


def months_days(dates: pd.Series | np.ndarray, months: int) -> np.ndarray:
    """Length in days of the ``months`` calendar months before (``months`` < 0) or after each date.

    ``|add_months(d, months) - d|`` in days, e.g. 365 or 366 for 12 months.

    Returns
    -------
    np.ndarray
        int64 days, same order as ``dates``.
    """
    d = np.asarray(dates, dtype="datetime64[ns]")
    return np.abs((shift_months(d, months) - d).astype("timedelta64[D]").astype(np.int64))


def months_since(start: pd.Series, day: pd.Series) -> np.ndarray:
    """Whole calendar months from ``start`` to ``day``: ``m`` with ``add_months(start, m) <= day < add_months(start, m + 1)``.

    Negative when ``day`` is before ``start`` (the day before ``start`` is month -1). Vectorised:
    ``add_months(start, m)`` falls in ``day``'s calendar month for ``m`` = the difference of the
    months, on ``min(start.day, days in that month)``.

    Returns
    -------
    np.ndarray
        int64 months, same order as the inputs.
    """
    start, day = pd.to_datetime(start).reset_index(drop=True), pd.to_datetime(day).reset_index(drop=True)
    m = 12 * (day.dt.year - start.dt.year) + (day.dt.month - start.dt.month)
    boundary = np.minimum(start.dt.day, day.dt.days_in_month)
    return (m - (day.dt.day < boundary).astype(int)).to_numpy(dtype=np.int64)


def _first_purchase(transactions: pd.DataFrame) -> pd.Series:
    return transactions[transactions["amount"] > 0].groupby("customer_id")["date"].min()


def draw_pseudo_dates(candidates: pd.DataFrame, member_dates: pd.Series, *, post_months: int, seed: int) -> pd.Series:
    """Pseudo-enrolment dates for the control companies, drawn like the members'.

    Each candidate gets a date drawn uniformly among the members' enrolment dates that are
    after its first purchase and whose post-window ends before its own enrolment (if any):
    ``add_months(d, post_months) <= enrolled_on``.

    Parameters
    ----------
    candidates
        ``customer_id, first_purchase, enrolled_on`` (NaT when never enrolled).
    member_dates
        The treated members' enrolment dates (one per member: their frequency is kept).
    post_months
        Post-window length, calendar months.
    seed
        Random seed.

    Returns
    -------
    pd.Series
        Pseudo date indexed by customer_id; candidates with no eligible date are left out.
    """
    dates = np.sort(member_dates.to_numpy(dtype="datetime64[ns]"))
    ends = shift_months(dates, post_months)  # non-decreasing: the eligible dates are a prefix
    fp = candidates["first_purchase"].to_numpy(dtype="datetime64[ns]")
    lo = np.searchsorted(dates, fp, side="right")  # first date strictly after the first purchase
    enr = candidates["enrolled_on"].to_numpy(dtype="datetime64[ns]")
    hi = np.where(np.isnat(enr), len(dates), np.searchsorted(ends, enr, side="right"))
    ok = (hi > lo) & ~np.isnat(fp)
    u = np.random.default_rng(seed).random(len(candidates))
    idx = lo + np.floor(u * (hi - lo)).astype(np.int64)
    return pd.Series(dates[idx[ok]], index=candidates["customer_id"].to_numpy()[ok], name="date")


def build_units(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    end: pd.Timestamp,
    member_statuses: tuple[str, ...] = ("member",),
    post_months: int = 12,
    shift: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """Treated members and candidate controls, each with its (pseudo-)enrolment date.

    Parameters
    ----------
    transactions
        Canonical transactions (all dates: history before the period is used).
    customers
        Canonical customers with ``status`` and ``enrolled_on``.
    end
        Reference date: a member is evaluated when ``add_months(enrolled_on, post_months) <= end``
        (its post-window ends before ``end``).
    member_statuses
        Statuses evaluated as treated.
    post_months
        Post-window length, calendar months.
    shift
        Calendar months subtracted from every treated date (the placebo uses ``post_months``);
        the controls' pseudo dates are drawn among the shifted dates.
    seed
        Seed of the pseudo-enrolment dates.

    Returns
    -------
    pd.DataFrame
        ``customer_id, date, treated`` (bool). A company whose first purchase is not before its
        date is left out (it has no pre-window history). Nothing after a unit's date decides
        whether it is a unit, except the enrolment date of a not-yet-enrolled control (its
        post-window must end before it joins).
    """
    end = pd.Timestamp(end)
    fp = _first_purchase(transactions)
    c = customers[["customer_id", "status", "enrolled_on"]].copy()
    c["first_purchase"] = fp.reindex(c["customer_id"].to_numpy()).to_numpy(dtype="datetime64[ns]")  # NaT: never bought
    window_end = pd.Series(shift_months(c["enrolled_on"], post_months), index=c.index)
    treated = c["status"].isin(member_statuses) & c["enrolled_on"].notna() & (window_end <= end)
    t = c[treated].assign(date=lambda d: shift_months(d["enrolled_on"], -shift))
    t = t[t["first_purchase"] < t["date"]]
    pool = c[~treated & c["first_purchase"].notna()]
    pseudo = draw_pseudo_dates(pool, t["date"], post_months=post_months, seed=seed)
    ctrl = pd.DataFrame({"customer_id": pseudo.index, "date": pseudo.to_numpy()})
    out = pd.concat([t[["customer_id", "date"]].assign(treated=True), ctrl.assign(treated=False)], ignore_index=True)
    return out.astype({"date": "datetime64[ns]", "treated": bool})


def too_few_units(units: pd.DataFrame, *, end: pd.Timestamp, post_months: int, min_members: int) -> str | None:
    """Why ``units`` cannot be matched (too few members or no control), or None.

    Returns
    -------
    str or None
        A plain-language reason naming the counts (companies) and ``min_members``.
    """
    n_t, n_c = int(units["treated"].sum()), int((~units["treated"]).sum())
    if n_t >= min_members and n_c > 0:
        return None
    return tr(
        "only {n_t} members enrolled at least {months} before {end} and {n_c} possible controls; need min_members={min_members} members and some controls",
        n_t=n_t,
        months=months_label(post_months) if fmt.language() == "en" else tr("{n} months", n=post_months),
        end=fmt.date(pd.Timestamp(end)),
        n_c=n_c,
        min_members=min_members,
    )


# --------------------------------------------------------------------------- windows


def compute_windows(
    transactions: pd.DataFrame,
    units: pd.DataFrame,
    *,
    pre_months: int = 12,
    post_months: int = 12,
    launch: pd.Timestamp | None = None,
    donut_days: int = 0,
    purchase: str = "day",
) -> pd.DataFrame:
    """Pre- and post-window behaviour of every unit.

    Pre-window: ``add_months(date, -pre_months)`` to ``date - 1 day``; post-window: ``date`` to
    ``add_months(date, post_months) - 1 day`` (the enrolment day belongs to the post-window
    only). With ``donut_days`` *d* > 0 the days ``date - d`` to ``date + d`` are left out of both:
    each window keeps its length in days and moves *d* days away from the date (pre-window
    ending on ``date - d - 1``, post-window starting on ``date + d + 1``). Revenue is net (credit
    notes included), frequency counts purchases (``purchase``).

    Parameters
    ----------
    transactions
        ``customer_id, date, amount`` (+ ``margin`` when given).
    units
        ``customer_id, date, treated``; one row per company.
    pre_months, post_months
        Window lengths, calendar months.
    launch
        Programme launch: when given, the behaviour over the ``pre_months`` months before it is
        added (the same calendar window for every unit: what the company looked like when the
        programme, and usually its invitation lists, started).
    donut_days
        Days on each side of the date left out of both windows (0: only the enrolment day leaves
        the pre-window).
    purchase
        What one purchase is (the ``purchase`` parameter): ``"day"``, a customer's purchase day, or
        ``"invoice"``, a distinct invoice (:mod:`workbench.analysis.purchases`).

    Returns
    -------
    pd.DataFrame
        ``units`` columns plus ``pre_revenue, post_revenue, pre_margin, post_margin`` (currency;
        margin NaN without a margin column), ``pre_frequency, post_frequency`` (purchases),
        ``recency_days`` (days from the last purchase before the date, capped at the pre-window's
        length in days), ``tenure_days`` (days from the first purchase, capped at the days of
        ``2 * pre_months`` months), ``hist_revenue, hist_frequency`` (all history before the date,
        currency and purchases), ``trend`` (revenue of the second half of the pre-window minus the
        first half, halves in days, currency); with ``launch``: ``launch_revenue`` (currency),
        ``launch_frequency`` (purchases) over the ``pre_months`` months before the launch and
        ``launch_recency_days`` (days from the last purchase before the launch to the launch,
        capped at that window's length in days).

    Raises
    ------
    ValueError
        A company appears twice in ``units``.
    """
    if units["customer_id"].duplicated().any():
        dup = units.loc[units["customer_id"].duplicated(), "customer_id"].iloc[0]
        raise ValueError(f"units has customer_id {dup!r} twice; give one (pseudo-)enrolment date per company")
    u = units.reset_index(drop=True)
    tx = _unit_transactions(transactions, u, purchase=purchase)
    pre_len, post_len = months_days(u["date"], -pre_months), months_days(u["date"], post_months)
    out = u.copy()
    out = out.assign(**_window_totals(tx, n=len(u), pre_len=pre_len, post_len=post_len, donut=donut_days))
    out = out.assign(**_history_features(tx, n=len(u), pre_len=pre_len, tenure_cap=months_days(u["date"], -2 * pre_months)))
    if launch is not None:
        out = out.assign(**_launch_features(tx, n=len(u), launch=pd.Timestamp(launch), pre_months=pre_months))
    return out


class _UnitTx:
    """The transactions of the units, as arrays: ``unit`` (row of units), ``rel`` (days from the unit's date), amounts."""

    def __init__(self, tx: pd.DataFrame, has_margin: bool):
        self.unit = tx["unit"].to_numpy()
        self.rel = (tx["date"] - tx["unit_date"]).dt.days.to_numpy()
        self.date = tx["date"]
        self.amount = tx["amount"].to_numpy(dtype=float)
        self.margin = tx["margin"].fillna(0).to_numpy(dtype=float) if has_margin else None
        self.purchase = tx["counts_as_purchase"].to_numpy(dtype=bool)

    def total(self, mask: np.ndarray, n: int, w: np.ndarray | None = None) -> np.ndarray:
        """Sum of ``w`` (count when None) over the rows of ``mask``, per unit (length ``n``)."""
        return np.bincount(self.unit[mask], weights=None if w is None else w[mask], minlength=n).astype(float)


def _unit_transactions(transactions: pd.DataFrame, units: pd.DataFrame, *, purchase: str = "day") -> _UnitTx:
    """The units' transactions; ``counts_as_purchase`` marks one row per purchase (:mod:`workbench.analysis.purchases`)."""
    has_margin = "margin" in transactions.columns
    transactions = transactions.reset_index(drop=True)
    ids = purchase_ids(transactions, purchase=purchase)
    first = pd.Series(False, index=transactions.index)
    first.loc[ids[~ids.duplicated()].index] = True
    tx = transactions[["customer_id", "date", "amount"] + (["margin"] if has_margin else [])].assign(counts_as_purchase=first)
    tx = tx.merge(units[["customer_id", "date"]].rename(columns={"date": "unit_date"}).reset_index(names="unit"), on="customer_id", how="inner")
    return _UnitTx(tx, has_margin)


def _window_totals(tx: _UnitTx, *, n: int, pre_len: np.ndarray, post_len: np.ndarray, donut: int = 0) -> dict[str, np.ndarray]:
    """Revenue, margin and purchases of each unit in its pre- and post-window (lengths in days per unit, ``donut`` days left out)."""
    first_post = donut + 1 if donut > 0 else 0
    pre = (tx.rel >= -pre_len[tx.unit] - donut) & (tx.rel <= -1 - donut)
    post = (tx.rel >= first_post) & (tx.rel < post_len[tx.unit] + first_post)
    nan = np.full(n, np.nan)
    return {
        "pre_revenue": tx.total(pre, n, tx.amount),
        "post_revenue": tx.total(post, n, tx.amount),
        "pre_margin": nan if tx.margin is None else tx.total(pre, n, tx.margin),
        "post_margin": nan if tx.margin is None else tx.total(post, n, tx.margin),
        "pre_frequency": tx.total(pre & tx.purchase, n),
        "post_frequency": tx.total(post & tx.purchase, n),
    }


def _history_features(tx: _UnitTx, *, n: int, pre_len: np.ndarray, tenure_cap: np.ndarray) -> dict[str, np.ndarray]:
    """Recency, tenure (capped), the whole history's length, totals and pre-window trend of each unit (days, currency, purchases).

    ``hist_frequency`` counts every purchase before the date, so its rate divides by the whole
    ``history_days`` (uncapped), not by the capped tenure.
    """
    rel, unit = tx.rel, tx.unit
    before = tx.purchase & (rel <= -1)
    last = np.full(n, -np.inf)
    np.maximum.at(last, unit[before], rel[before])
    first = np.zeros(n)
    np.minimum.at(first, unit[before], rel[before])
    pre = (rel >= -pre_len[unit]) & (rel <= -1)
    second_half = rel >= -(pre_len[unit] // 2)
    return {
        "recency_days": np.minimum(-last, pre_len),
        "tenure_days": np.minimum(-first, tenure_cap),
        "history_days": -first,
        "hist_revenue": tx.total(rel <= -1, n, tx.amount),
        "hist_frequency": tx.total(before, n),
        "trend": tx.total(pre & second_half, n, tx.amount) - tx.total(pre & ~second_half, n, tx.amount),
    }


def _launch_features(tx: _UnitTx, *, n: int, launch: pd.Timestamp, pre_months: int) -> dict[str, np.ndarray]:
    """Revenue, purchases and recency over the ``pre_months`` calendar months before the launch (currency, purchases, days)."""
    length = int(months_days([launch], -pre_months)[0])
    to_launch = (launch - tx.date).dt.days.to_numpy()
    year = (to_launch >= 1) & (to_launch <= length)
    recent = np.full(n, np.inf)
    before = tx.purchase & (to_launch >= 1)
    np.minimum.at(recent, tx.unit[before], to_launch[before])
    return {
        "launch_revenue": tx.total(year, n, tx.amount),
        "launch_frequency": tx.total(year & tx.purchase, n),
        "launch_recency_days": np.minimum(recent, length),
    }


# --------------------------------------------------------------------------- features


def _slog(x: pd.Series) -> pd.Series:
    return np.sign(x) * np.log1p(np.abs(x))


def covariate_matrix(windows: pd.DataFrame, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The matching covariates of every unit (same row order as ``windows``).

    Parameters
    ----------
    windows
        :func:`compute_windows` result.
    customers
        Canonical customers; its ``typology`` and ``region`` columns, when present, are added.

    Returns
    -------
    pd.DataFrame
        ``log_pre_revenue`` (log1p of currency, signed), ``log_pre_frequency``, ``recency_days``,
        ``trend`` (signed log1p of currency), ``tenure_days``, ``log_hist_rate`` (log1p of purchases
        per year over the whole history), ``log_hist_basket`` (log1p of mean revenue per purchase
        over the whole history, currency), ``log_launch_revenue``, ``log_launch_frequency`` and
        ``launch_recency_days`` when ``windows`` has the launch columns, and 0/1 columns
        ``typology=...``/``region=...`` when the customers table has them.
    """
    x = pd.DataFrame(
        {
            "log_pre_revenue": _slog(windows["pre_revenue"]),
            "log_pre_frequency": np.log1p(windows["pre_frequency"]),
            "recency_days": windows["recency_days"],
            "trend": _slog(windows["trend"]),
            "tenure_days": windows["tenure_days"],
            "log_hist_rate": np.log1p(windows["hist_frequency"] / (windows["history_days"] + 30) * 365),
            "log_hist_basket": _slog(windows["hist_revenue"] / windows["hist_frequency"].clip(lower=1)),
        }
    )
    if "launch_revenue" in windows.columns:
        x["log_launch_revenue"] = _slog(windows["launch_revenue"])
        x["log_launch_frequency"] = np.log1p(windows["launch_frequency"])
        x["launch_recency_days"] = windows["launch_recency_days"]
    if customers is not None:
        for col in CATEGORICALS:
            if col in customers.columns:
                values = windows["customer_id"].map(customers.set_index("customer_id")[col]).fillna("unknown")
                dummies = pd.get_dummies(values, prefix=col, prefix_sep="=", drop_first=True, dtype=float)
                x = pd.concat([x, dummies.set_index(x.index)], axis=1)
    return x
