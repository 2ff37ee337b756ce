"""Segment migration between periods (notebook ``05_segment_migration``).

At the end of consecutive periods (snapshot dates, yearly by default) each customer who has
bought by that date is in exactly one **state**:

- a segment (RFM segment or value class), computed on its purchases of the trailing window
  (``window_months``, 12 by default) ending at the snapshot, when it bought in that window;
- ``Inactive`` when it bought before but not in the trailing window.

Between two snapshots a customer's flow goes from its state at the first (``New`` when it had not
bought yet) to its state at the second. Every customer seen at the second snapshot appears in
exactly one flow, so the flows balance: the row totals are the state counts at the first snapshot
(plus the new customers) and the column totals the state counts at the second.

RFM thresholds are **frozen** at the first (base) snapshot: the same cut points score every
snapshot, so a move is a change of behaviour, not an artefact of recomputed quantiles. Value
classes use absolute point thresholds, which are frozen by construction.

**Upgrade / stable / downgrade** compare the states' ranks in the order given (segments best
first, then ``Inactive`` last), for the customers that were in a segment (active) at the first
snapshot; the three rates sum to 1. New customers and reactivations (``Inactive`` -> a segment)
are counted apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.analysis import rfm as rfm_mod
from workbench.analysis import value as value_mod
from workbench.analysis.purchases import purchase_rows
from workbench.data.validation import require_columns

NEW, INACTIVE = "New", "Inactive"
STATE_COLUMNS = ["customer_id", "date", "state", "revenue"]
TRANSITION_COLUMNS = ["group", "from_date", "to_date", "from_state", "to_state", "customers", "revenue_before", "revenue_after", "revenue_change"]
STEP_MONTHS = {"year": 12, "quarter": 3}


def snapshot_dates(*, start: pd.Timestamp, end: pd.Timestamp, step: str = "year", window_months: int = 12) -> list[pd.Timestamp]:
    """Snapshot dates ``end, end - step, end - 2 step, ...`` whose trailing window starts on or after ``start``, ascending.

    Parameters
    ----------
    start, end
        The analysis period (``end`` is the last snapshot).
    step
        ``"year"`` (12 months) or ``"quarter"`` (3 months).
    window_months
        Length of the trailing window that defines a customer's state (months).

    Raises
    ------
    ValueError
        Unknown step, non-positive window, or a period too short for two snapshots.
    """
    if step not in STEP_MONTHS:
        raise ValueError(f"step={step!r}: use 'year' or 'quarter'")
    if window_months < 1:
        raise ValueError(f"window_months={window_months}: give a positive number of months (12 by default)")
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    dates = []
    k = 0
    while True:
        date = end - pd.DateOffset(months=k * STEP_MONTHS[step])
        if window_start(date, window_months) < start:
            break
        dates.append(date)
        k += 1
    if len(dates) < 2:
        raise ValueError(
            f"the period {start:%Y-%m-%d} to {end:%Y-%m-%d} holds {len(dates)} snapshot(s) with a full {window_months}-month window; "
            "migration needs two: lengthen the period, or use a shorter window_months or step: quarter"
        )
    return sorted(dates)


def window_start(date: pd.Timestamp, window_months: int) -> pd.Timestamp:
    """First day of the ``window_months``-month window ending on ``date`` (both days included)."""
    return pd.Timestamp(date) - pd.DateOffset(months=window_months) + pd.Timedelta(days=1)


Classifier = Callable[[pd.DataFrame, pd.Timestamp, pd.Timestamp], pd.Series]


def _states(transactions: pd.DataFrame, dates: Sequence[pd.Timestamp], window_months: int, classify: Classifier) -> pd.DataFrame:
    require_columns(transactions)
    first_purchase = purchase_rows(transactions).groupby("customer_id")["date"].min()
    frames = []
    for date in dates:
        date = pd.Timestamp(date)
        since = window_start(date, window_months)
        seen = pd.Index(sorted(first_purchase.index[first_purchase <= date]), name="customer_id")
        active = classify(transactions, date, since)
        window = rfm_mod.in_window(transactions, reference_date=date, start=since)
        revenue = window.groupby("customer_id")["amount"].sum().reindex(seen, fill_value=0.0)
        frames.append(
            pd.DataFrame(
                {
                    "customer_id": seen,
                    "date": date,
                    "state": active.reindex(seen).fillna(INACTIVE).to_numpy(dtype=object),
                    "revenue": revenue.to_numpy(dtype="float64"),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=STATE_COLUMNS)
    return out[STATE_COLUMNS].astype({"state": "str", "revenue": "float64"})


def base_cuts(
    transactions: pd.DataFrame,
    *,
    dates: Sequence[pd.Timestamp],
    window_months: int = 12,
    n_scores: int = 5,
    purchase: str = "day",
    fixed: Mapping[str, Sequence[float]] | None = None,
) -> dict[str, list[float]]:
    """RFM cut points of the base (first) snapshot's window, to freeze for every snapshot.

    The dimensions given in ``fixed`` keep those cut points; the others take the quantiles of the base
    window (see :func:`workbench.analysis.rfm.resolve_cuts`).
    """
    base = pd.Timestamp(dates[0])
    values = rfm_mod.compute_rfm_values(transactions, reference_date=base, start=window_start(base, window_months), purchase=purchase)
    return rfm_mod.resolve_cuts(values, cuts=fixed, n_scores=n_scores)


def compute_rfm_states(
    transactions: pd.DataFrame,
    *,
    dates: Sequence[pd.Timestamp],
    cuts: Mapping[str, Sequence[float]],
    window_months: int = 12,
    n_scores: int = 5,
    purchase: str = "day",
    segments: Sequence[rfm_mod.SegmentRule] = rfm_mod.DEFAULT_SEGMENTS,
) -> pd.DataFrame:
    """Each customer's RFM segment (or ``Inactive``) at each snapshot, scored with the same frozen ``cuts``.

    Parameters
    ----------
    transactions
        Canonical transactions, history before the period included (it tells new customers from inactive ones).
    dates
        Snapshot dates (:func:`snapshot_dates`).
    cuts
        Frozen cut points (:func:`base_cuts`, or fixed thresholds from the parameters).
    window_months, n_scores, purchase, segments
        As in :func:`workbench.analysis.rfm.compute_rfm`; the window is the trailing ``window_months`` months.

    Returns
    -------
    pd.DataFrame
        ``customer_id, date, state, revenue``: one row per snapshot and customer who had bought by then;
        ``revenue`` is the net revenue of the trailing window (currency).
    """

    def classify(tx: pd.DataFrame, date: pd.Timestamp, since: pd.Timestamp) -> pd.Series:
        scored = rfm_mod.compute_rfm(tx, reference_date=date, start=since, n_scores=n_scores, purchase=purchase, cuts=cuts, segments=segments)
        return scored.set_index("customer_id")["segment"]

    return _states(transactions, dates, window_months, classify)


def compute_value_states(
    transactions: pd.DataFrame, *, dates: Sequence[pd.Timestamp], window_months: int = 12, value_kwargs: Mapping | None = None
) -> pd.DataFrame:
    """Each customer's value class (or ``Inactive``) at each snapshot.

    The score of a snapshot uses the trailing ``window_months`` months, with the value score's own rules
    (:func:`workbench.analysis.value.compute_value_score` with ``window_months``): revenue and margin made
    yearly, and the purchase bonus counted per ``window_years`` (4 purchases in 12 months score like 12
    in three years), exactly as page 03 does for a window clipped by the period's start.

    Parameters
    ----------
    value_kwargs
        Keyword arguments of :func:`workbench.analysis.value.compute_value_score` (``window_years``,
        ``purchase`` ... included).

    Returns
    -------
    pd.DataFrame
        ``customer_id, date, state, revenue`` as :func:`compute_rfm_states`.
    """
    kwargs = dict(value_kwargs or {})

    def classify(tx: pd.DataFrame, date: pd.Timestamp, since: pd.Timestamp) -> pd.Series:
        scored = value_mod.compute_value_score(tx, reference_date=date, start=since, window_months=window_months, **kwargs)
        return scored.set_index("customer_id")["value_class"]

    return _states(transactions, dates, window_months, classify)


def compute_transitions(states: pd.DataFrame, *, groups: pd.Series | None = None) -> pd.DataFrame:
    """Flows between consecutive snapshots: customers and revenue per (from state, to state).

    Parameters
    ----------
    states
        The result of :func:`compute_rfm_states` or :func:`compute_value_states`.
    groups
        Optional customer_id -> group label (e.g. members / non-members); customers absent from it are
        left out. None: one group ``"all"``.

    Returns
    -------
    pd.DataFrame
        :data:`TRANSITION_COLUMNS`: ``group, from_date, to_date, from_state`` (``New`` when the customer had not
        bought by ``from_date``), ``to_state, customers``, ``revenue_before`` and ``revenue_after`` (net revenue of
        the trailing windows at ``from_date`` and ``to_date``, currency) and ``revenue_change`` (after - before).
    """
    states = states.copy()
    states["group"] = "all" if groups is None else states["customer_id"].map(groups)
    states = states.dropna(subset=["group"])
    dates = sorted(states["date"].unique())
    frames = []
    for d0, d1 in zip(dates, dates[1:]):
        before = states[states["date"] == d0].set_index("customer_id")
        after = states[states["date"] == d1].set_index("customer_id")
        flow = pd.DataFrame(
            {
                "group": after["group"],
                "from_state": before["state"].reindex(after.index).fillna(NEW),
                "to_state": after["state"],
                "revenue_before": before["revenue"].reindex(after.index).fillna(0.0),
                "revenue_after": after["revenue"],
            }
        )
        g = flow.groupby(["group", "from_state", "to_state"], sort=True)
        agg = g.agg(customers=("to_state", "size"), revenue_before=("revenue_before", "sum"), revenue_after=("revenue_after", "sum")).reset_index()
        agg.insert(1, "from_date", pd.Timestamp(d0))
        agg.insert(2, "to_date", pd.Timestamp(d1))
        frames.append(agg)
    if not frames:
        return pd.DataFrame({c: [] for c in TRANSITION_COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    out["customers"] = out["customers"].astype("int64")
    out["revenue_change"] = out["revenue_after"] - out["revenue_before"]
    return out[TRANSITION_COLUMNS]


def state_counts(states: pd.DataFrame, *, order: Sequence[str]) -> pd.DataFrame:
    """Customers per state (rows, in ``order`` then ``Inactive``) at each snapshot (columns, ``YYYY-MM-DD``); absent states are 0."""
    table = states.pivot_table(index="state", columns="date", values="customer_id", aggfunc="count", fill_value=0)
    rows = [s for s in state_order(order) if s in table.index or s in order]
    table = table.reindex(rows, fill_value=0).astype("int64")
    table.columns = [f"{pd.Timestamp(c):%Y-%m-%d}" for c in table.columns]
    return table.rename_axis("state")


def largest_flows(transitions: pd.DataFrame, *, n: int = 10) -> pd.DataFrame:
    """The ``n`` flows that carry the largest revenue change (in absolute value), largest first."""
    return transitions.reindex(transitions["revenue_change"].abs().sort_values(ascending=False, kind="stable").index).head(n).reset_index(drop=True)


def step_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for display: ``from_date`` and ``to_date`` replaced by one ``period`` column, ``"YYYY-MM-DD → YYYY-MM-DD"``."""
    out = frame.drop(columns=["from_date", "to_date"])
    labels = [f"{pd.Timestamp(a):%Y-%m-%d} → {pd.Timestamp(b):%Y-%m-%d}" for a, b in zip(frame["from_date"], frame["to_date"])]
    out.insert(1 if "group" in out.columns else 0, "period", labels)
    return out


def state_order(order: Sequence[str]) -> list[str]:
    """``order`` (segments best first) followed by ``Inactive``."""
    return [s for s in order if s != INACTIVE] + [INACTIVE]


def transition_matrix(transitions: pd.DataFrame, *, order: Sequence[str], share: bool = False) -> pd.DataFrame:
    """The from x to matrix of one step (filter ``transitions`` to one group and one ``to_date`` first).

    Returns
    -------
    pd.DataFrame
        Rows ``New``, then the segments in ``order``, then ``Inactive``; columns the segments and ``Inactive``;
        only states that occur are kept. Customers, or with ``share`` the fraction (0-1) of each row.
    """
    states = state_order(order)
    rows = [s for s in [NEW, *states] if s in set(transitions["from_state"])]
    cols = [s for s in states if s in set(transitions["to_state"])]
    matrix = transitions.pivot_table(index="from_state", columns="to_state", values="customers", aggfunc="sum", fill_value=0)
    matrix = matrix.reindex(index=rows, columns=cols, fill_value=0).astype("int64")
    if share:
        return matrix.div(matrix.sum(axis=1).where(lambda s: s > 0), axis=0)
    return matrix.rename_axis(index="from", columns="to")


def _direction(transitions: pd.DataFrame, order: Sequence[str]) -> pd.Series:
    rank = {s: i for i, s in enumerate(state_order(order))}
    unknown = sorted((set(transitions["from_state"]) | set(transitions["to_state"])) - set(rank) - {NEW})
    if unknown:
        raise ValueError(f"order: state(s) {', '.join(unknown)} are not in the order given; list every segment (and Others) best first")
    before = transitions["from_state"].map(rank)
    after = transitions["to_state"].map(rank)
    return pd.Series(
        np.select(
            [transitions["from_state"] == NEW, transitions["from_state"] == INACTIVE, after < before, after > before],
            ["new", "inactive", "upgraded", "downgraded"],
            "stable",
        ),
        index=transitions.index,
    )


RATE_COLUMNS = [
    "group",
    "from_date",
    "to_date",
    "active_start",
    "upgraded",
    "stable",
    "downgraded",
    "upgrade_rate",
    "stable_rate",
    "downgrade_rate",
    "lost",
    "new",
    "reactivated",
    "revenue_change",
]


def compute_migration_rates(transitions: pd.DataFrame, *, order: Sequence[str]) -> pd.DataFrame:
    """Upgrade, stable and downgrade rates per step (and group).

    Parameters
    ----------
    transitions
        The result of :func:`compute_transitions`.
    order
        The segments, best first (``Inactive`` is added last).

    Returns
    -------
    pd.DataFrame
        :data:`RATE_COLUMNS`: ``active_start`` (customers in a segment at ``from_date``); ``upgraded``, ``stable``,
        ``downgraded`` among them (moving to ``Inactive`` is a downgrade) and their rates (0-1, summing to 1);
        ``lost`` (segment -> Inactive), ``new`` (first purchase in the step, now in a segment or inactive),
        ``reactivated`` (Inactive -> a segment); ``revenue_change`` (net revenue of all flows, currency).

    Raises
    ------
    ValueError
        A state missing from ``order``.
    """
    t = transitions.assign(direction=_direction(transitions, order))
    t["lost"] = np.where((t["direction"] == "downgraded") & (t["to_state"] == INACTIVE), t["customers"], 0)
    t["reactivated"] = np.where((t["direction"] == "inactive") & (t["to_state"] != INACTIVE), t["customers"], 0)
    counts = t.pivot_table(index=["group", "from_date", "to_date"], columns="direction", values="customers", aggfunc="sum", fill_value=0)
    counts = counts.reindex(columns=["upgraded", "stable", "downgraded", "new"], fill_value=0)
    extra = t.groupby(["group", "from_date", "to_date"])[["lost", "reactivated", "revenue_change"]].sum()
    out = counts.join(extra).reset_index()
    out["active_start"] = out[["upgraded", "stable", "downgraded"]].sum(axis=1)
    active = out["active_start"].where(out["active_start"] > 0)
    for kind in ("upgrade", "stable", "downgrade"):
        column = "stable" if kind == "stable" else f"{kind}d"
        out[f"{kind}_rate"] = out[column] / active
    ints = ["active_start", "upgraded", "stable", "downgraded", "lost", "new", "reactivated"]
    return out[RATE_COLUMNS].astype({c: "int64" for c in ints})


def count_moves(transitions: pd.DataFrame, *, from_states: Sequence[str], to_states: Sequence[str], known: Sequence[str]) -> pd.DataFrame:
    """How many customers of ``from_states`` were in ``to_states`` one step later ("occasional became regular").

    Parameters
    ----------
    known
        Every valid state name (the segment order); a name outside it raises (a typo would count 0).

    Returns
    -------
    pd.DataFrame
        ``group, from_date, to_date, customers_from`` (in ``from_states`` at ``from_date``), ``moved``
        (of them, in ``to_states`` at ``to_date``), ``moved_share`` (0-1), ``revenue_change`` (of the moved, currency).
    """
    valid = {NEW, *state_order(known)}
    for arg, names in (("from_states", from_states), ("to_states", to_states)):
        bad = [n for n in names if n not in valid]
        if bad or not names:
            raise ValueError(f"{arg}={list(names)}: {', '.join(map(repr, bad)) or 'empty'}; use names among {', '.join(sorted(valid))}")
    src = transitions[transitions["from_state"].isin(from_states)]
    moved = src[src["to_state"].isin(to_states)]
    keys = ["group", "from_date", "to_date"]
    steps = pd.MultiIndex.from_frame(transitions[keys].drop_duplicates())
    out = pd.DataFrame(
        {
            "customers_from": src.groupby(keys)["customers"].sum(),
            "moved": moved.groupby(keys)["customers"].sum(),
            "revenue_change": moved.groupby(keys)["revenue_change"].sum(),
        }
    ).reindex(steps)
    out = out.fillna({"customers_from": 0, "moved": 0, "revenue_change": 0.0}).reset_index()
    out["customers_from"] = out["customers_from"].astype("int64")
    out["moved"] = out["moved"].astype("int64")
    out["moved_share"] = out["moved"] / out["customers_from"].where(out["customers_from"] > 0)
    return out[["group", "from_date", "to_date", "customers_from", "moved", "moved_share", "revenue_change"]]


def membership_groups(customers: pd.DataFrame) -> pd.Series:
    """customer_id -> ``"members"`` (status ``member``) or ``"non-members"`` (any other status, or none)."""
    status = customers.set_index("customer_id")["status"] if "status" in customers.columns else pd.Series(dtype=object)
    return pd.Series(
        np.where(status.reindex(customers["customer_id"]).to_numpy() == "member", "members", "non-members"),
        index=customers["customer_id"].to_numpy(),
        name="group",
    )
