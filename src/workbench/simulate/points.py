"""The points ledger: earning, credit-note clawbacks, challenge bonuses, redemptions, FIFO expiry.

Points (signed ledger)
    1 point per whole EUR (``floor(amount)``) on each purchase dated on or
    after the enrolment day (kind ``earned``, reason ``purchase``), credited to
    a person already registered; a credit note of such a purchase claws back
    ``floor(|credit amount|)`` points (kind ``adjusted``, reason
    ``credit note``), capped at the available balance. Challenge bonuses of
    250/500/1,000 points (kind ``earned``, reason ``challenge``) arrive at
    ``0.3 * exp(0.5 g_i)`` per quarter of membership, ``g_i`` being the
    company's engagement. After each day with movements, if the balance is at
    least 2,000 points the company redeems with probability 0.3 a multiple of
    500 points between half and all of its balance (kind ``redeemed``, reason
    ``reward``). Expiry is FIFO by lot: every earned lot keeps the
    not-yet-used part of its points for 24 months; redemptions and
    adjustments consume the oldest lots first; what is left of a lot on the
    day 24 months after it was earned expires (kind ``expired``, reason
    ``expiry``). Movements of the same person, day, kind and reason are summed
    into one row, so clean rows are unique. Rows are sorted by customer, day
    and then expired, earned, adjusted, redeemed, so the running balance per
    company in file order is never negative.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .base import Grid, rng
from .companies import Companies
from .constants import (
    CHALLENGE_POINTS,
    CHALLENGE_RATE_PER_QUARTER,
    EXPIRY_MONTHS,
    POINT_KIND_ORDER,
    POINTS_PER_EUR,
    REDEEM_PROB,
    REDEEM_THRESHOLD,
)
from .programme import Members, Programme
from .purchases import Attributes, Purchases, World

#: One ledger movement before aggregation: (company, person, day index, signed points, kind, reason).
LedgerRow = tuple[int, int, int, int, str, str]
#: One pending movement of a company: (day index, order, points, kind, reason, purchase row or -1).
Move = tuple[int, int, int, str, str, int]


@dataclass
class _Ledger:
    """State of the ledger run: movements, the (company, person, day) of each challenge bonus,
    and the expiry day index of a lot earned on each day index (24 calendar months later)."""

    rows: list[LedgerRow]
    challenges: list[tuple[int, int, int]]
    expiry: np.ndarray


def points_ledger(
    grid: Grid,
    companies: Companies,
    programme: Programme,
    members: Members,
    purchases: Purchases,
    attrs: Attributes,
    wf: World,
    ss: np.random.SeedSequence,
) -> tuple[pd.DataFrame, list[tuple[int, int, int]]]:
    """The ``points`` table of the factual world, from the ``points`` stream ``ss``.

    Returns
    -------
    (points, challenges)
        The table (points in points) and the (company, person, day index) of every
        challenge bonus, which also becomes a ``challenge`` event.
    """
    rpt = rng(ss)
    n = len(companies.birth)
    enrolled, enrol, comp = programme.enrolled, programme.enrol, purchases.comp
    people_of: dict[int, list[int]] = {}
    for k in range(len(members.comp)):
        people_of.setdefault(int(members.comp[k]), []).append(k)
    earn_sel = wf.ok & enrolled[comp] & (wf.day >= np.where(enrolled, enrol, 0)[comp])
    cn_earn_sel = earn_sel & wf.cn_ok
    earn_idx_by_comp = _group_indices(comp[earn_sel], n)
    earn_idx_all = np.flatnonzero(earn_sel)
    cn_idx_all = np.flatnonzero(cn_earn_sel)
    cn_idx_by_comp = _group_indices(comp[cn_earn_sel], n)
    ledger = _Ledger(rows=[], challenges=[], expiry=grid.months_later(EXPIRY_MONTHS))
    for c in np.flatnonzero(enrolled):
        c = int(c)
        moves = [
            (int(wf.day[row]), 0, int(purchases.amount_c[row] // 100) * POINTS_PER_EUR, "earned", "purchase", int(row))
            for row in earn_idx_all[earn_idx_by_comp[c]]
        ]
        moves += [
            (int(wf.cn_day[row]), 1, -int((-attrs.cn_amount_c[row]) // 100) * POINTS_PER_EUR, "adjusted", "credit note", int(row))
            for row in cn_idx_all[cn_idx_by_comp[c]]
        ]
        moves += _challenge_moves(rpt, int(enrol[c]), grid.last, float(companies.engagement[c]))
        moves.sort(key=lambda t: (t[0], t[1], t[5], t[4]))
        people = np.array(people_of[c])
        _run_company(c, moves, people, members.reg[people], rpt, grid, ledger)
    return _points_table(ledger.rows, companies.ids, members.ids, grid), ledger.challenges


def _challenge_moves(rpt: np.random.Generator, e_c: int, last: int, engagement: float) -> list[Move]:
    """Challenge bonuses of one company from its enrolment day ``e_c`` to ``last``."""
    quarters = (last - e_c + 1) / 91.3
    n_ch = rpt.poisson(CHALLENGE_RATE_PER_QUARTER * math.exp(0.5 * engagement) * quarters)
    ch_days = np.sort(rpt.integers(e_c, last + 1, n_ch))
    ch_pts = rpt.choice(np.array(CHALLENGE_POINTS), n_ch)
    return [(int(d_), 0, int(pts), "earned", "challenge", -1) for d_, pts in zip(ch_days, ch_pts)]


def _run_company(
    c: int,
    moves: list[Move],
    people: np.ndarray,
    regs: np.ndarray,
    rpt: np.random.Generator,
    grid: Grid,
    ledger: _Ledger,
) -> None:
    """Play one company's sorted movements day by day: expiry, earning, clawbacks, redemption."""
    person_of_purchase: dict[int, int] = {}
    lots: deque[list[int]] = deque()  # [expiry day, remaining, person]
    balance = 0
    i_move = 0
    while i_move < len(moves):
        d_ = moves[i_move][0]
        balance = _expire(lots, d_, balance, c, ledger.rows)
        while i_move < len(moves) and moves[i_move][0] == d_:
            _, _, pts, kind, reason, row = moves[i_move]
            if kind == "earned":
                eligible = people[regs <= d_]
                person = int(eligible[rpt.integers(len(eligible))])
                if reason == "purchase":
                    person_of_purchase[row] = person
                else:
                    ledger.challenges.append((c, person, d_))
                if pts > 0:
                    ledger.rows.append((c, person, d_, pts, kind, reason))
                    lots.append([int(ledger.expiry[d_]), pts, person])
                    balance += pts
            else:  # adjusted (credit note)
                take = min(-pts, balance)
                if take > 0:
                    _consume(lots, take)
                    balance -= take
                    ledger.rows.append((c, person_of_purchase[row], d_, -take, kind, reason))
            i_move += 1
        if balance >= REDEEM_THRESHOLD and rpt.random() < REDEEM_PROB:
            amount = int(500 * math.floor(balance * rpt.uniform(0.5, 1.0) / 500))
            amount = max(500, min(amount, balance - balance % 500))
            eligible = people[regs <= d_]
            person = int(eligible[rpt.integers(len(eligible))])
            _consume(lots, amount)
            balance -= amount
            ledger.rows.append((c, person, d_, -amount, "redeemed", "reward"))
    _expire(lots, grid.last, balance, c, ledger.rows)


def _points_table(rows: list[LedgerRow], cust_ids: np.ndarray, m_ids: np.ndarray, grid: Grid) -> pd.DataFrame:
    """Sum movements per (person, day, kind, reason), drop zeros, sort by customer, day, kind order."""
    if rows:
        lr = pd.DataFrame(rows, columns=["comp", "person", "day", "points", "kind", "reason"])
        keys = ["comp", "person", "day", "kind", "reason"]
        lr = lr.groupby(keys, as_index=False, sort=False)["points"].sum()
        lr = lr[lr["points"] != 0]
    else:
        lr = pd.DataFrame({"comp": [], "person": [], "day": [], "kind": [], "reason": [], "points": []})
    points = pd.DataFrame(
        {
            "customer_id": cust_ids[lr["comp"].to_numpy(np.int64)],
            "member_id": m_ids[lr["person"].to_numpy(np.int64)],
            "date": grid.iso(lr["day"].to_numpy(np.int64)),
            "points": lr["points"].to_numpy(np.int64),
            "kind": lr["kind"].to_numpy(object),
            "reason": lr["reason"].to_numpy(object),
        }
    )
    points["_k"] = points["kind"].map(POINT_KIND_ORDER)
    return (
        points.sort_values(["customer_id", "date", "_k", "member_id", "reason"], kind="stable")
        .drop(columns="_k")
        .reset_index(drop=True)
        .astype({c: "str" for c in ("customer_id", "member_id", "date", "kind", "reason")})
    )


def _group_indices(keys: np.ndarray, n: int) -> list[np.ndarray]:
    """Positions of each key 0..n-1 in ``keys``, in order of appearance."""
    order = np.argsort(keys, kind="stable")
    cuts = np.searchsorted(keys[order], np.arange(n + 1))
    return [order[cuts[k] : cuts[k + 1]] for k in range(n)]


def _consume(lots: deque[list[int]], amount: int) -> None:
    """Take ``amount`` points from the oldest lots first (FIFO)."""
    while amount > 0:
        lot = lots[0]
        used = min(lot[1], amount)
        lot[1] -= used
        amount -= used
        if lot[1] == 0:
            lots.popleft()


def _expire(lots: deque[list[int]], day: int, balance: int, comp: int, rows: list[LedgerRow]) -> int:
    """Expire what is left of lots whose expiry day is on or before ``day``; return the new balance."""
    while lots and lots[0][0] <= day:
        expiry, left, person = lots.popleft()
        if left > 0:
            rows.append((comp, person, expiry, -left, "expired", "expiry"))
            balance -= left
    return balance
