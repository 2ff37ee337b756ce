"""Engagement: programme events of the people, and the yearly satisfaction surveys.

Events
    Per person and kind (login, visit, content, training, challenge,
    referral, review) a Poisson number of events with monthly rate
    ``base_kind * exp(0.6 h - 0.3)``, ``h`` the person's engagement
    (company engagement ``g_i = 0.6 z_i + 0.8 N(0, 1)`` plus personal noise),
    uniformly over the days from registration to ``end``; after the company
    drops out the rate is multiplied by 0.2. ``profile_completed`` at most once
    per person, a few days after registration. Each challenge bonus also adds
    a ``challenge`` event. Exact duplicates are removed. Companies without
    people (non-members, pre-registered) produce no events.

Surveys
    A yearly NPS wave on October 1st of each year whose wave fits in
    ``[start, end - 21 days]`` (no wave, no survey rows, for shorter periods);
    answers come 0-20 days later. Companies born before the wave are sampled
    with probability 0.45 if enrolled before the wave, 0.22 otherwise. NPS
    ``= clip(round(7 + 1.5 y), 0, 10)`` with ``y = 0.9 g_i + 0.4 alive + 0.3
    member + N(0, 1)``; CES ``= clip(round(5 + 0.6 y + N(0, 1)), 1, 7)``,
    empty for 30 % of answers.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from .base import Grid, logistic, rng
from .companies import Companies
from .constants import DORMANT_EVENT_FACTOR, EVENT_KINDS, EVENT_MONTHLY_RATE
from .programme import Members, Programme


def events_table(
    grid: Grid,
    members: Members,
    *,
    death_f: np.ndarray,
    challenges: list[tuple[int, int, int]],
    cust_ids: np.ndarray,
    ss: np.random.SeedSequence,
) -> pd.DataFrame:
    """The ``events`` table (by date, customer, person, kind), from the ``events`` stream ``ss``.

    ``death_f`` is the factual dropout day index per company; ``challenges`` the
    (company, person, day index) of every challenge bonus of the points ledger.
    """
    rev_ = rng(ss)
    last, m_comp, m_reg, m_eng = grid.last, members.comp, members.reg, members.eng
    n_m = len(m_comp)
    m_death = np.minimum(death_f[m_comp], last + 1)
    act_len = np.maximum(0, np.minimum(m_death, last + 1) - m_reg).astype(np.float64)
    dor_start = np.maximum(m_death, m_reg)
    dor_len = np.maximum(0, last + 1 - dor_start).astype(np.float64)
    weighted = act_len + DORMANT_EVENT_FACTOR * dor_len  # days
    mult = np.exp(0.6 * m_eng - 0.3)
    mu = (weighted[:, None] / 30.4375) * EVENT_MONTHLY_RATE[None, :] * mult[:, None]
    counts = rev_.poisson(mu)  # (people, kinds)
    ev_person = np.repeat(np.repeat(np.arange(n_m), len(EVENT_KINDS)), counts.ravel())
    ev_kind = np.repeat(np.tile(np.arange(len(EVENT_KINDS)), n_m), counts.ravel())
    pos = rev_.random(len(ev_person)) * weighted[ev_person]
    in_act = pos < act_len[ev_person]
    ev_day = np.where(
        in_act,
        m_reg[ev_person] + np.floor(pos).astype(np.int64),
        dor_start[ev_person] + np.floor((pos - act_len[ev_person]) / DORMANT_EVENT_FACTOR).astype(np.int64),
    )
    ev_day = np.minimum(ev_day, last)
    prof = rev_.random(n_m) < logistic(1.0 + m_eng)
    prof_day = m_reg + np.floor(rev_.exponential(7.0, n_m)).astype(np.int64)
    prof = prof & (prof_day <= last)
    ch = np.array(challenges, dtype=np.int64).reshape(-1, 3)
    all_person = np.concatenate([ev_person, np.flatnonzero(prof), ch[:, 1]])
    all_kind = np.concatenate(
        [
            np.array(EVENT_KINDS, dtype=object)[ev_kind],
            np.full(int(prof.sum()), "profile_completed", dtype=object),
            np.full(len(ch), "challenge", dtype=object),
        ]
    )
    events = pd.DataFrame(
        {
            "customer_id": cust_ids[m_comp[all_person]] if n_m else np.zeros(0, dtype=object),
            "member_id": members.ids[all_person] if n_m else np.zeros(0, dtype=object),
            "date": grid.iso(np.concatenate([ev_day, prof_day[prof], ch[:, 2]])),
            "kind": all_kind,
        }
    )
    return events.drop_duplicates().sort_values(["date", "customer_id", "member_id", "kind"], kind="stable").reset_index(drop=True).astype("str")


def survey_waves(start: date, end: date, d0: date) -> list[int]:
    """Day indices (from ``d0``) of the October 1st waves in ``[start, end - 21 days]``."""
    return [(date(y, 10, 1) - d0).days for y in range(start.year, end.year + 1) if start <= date(y, 10, 1) and date(y, 10, 1) + timedelta(days=21) <= end]


def surveys_table(
    grid: Grid,
    companies: Companies,
    programme: Programme,
    *,
    start: date,
    end: date,
    death_f: np.ndarray,
    ss: np.random.SeedSequence,
) -> pd.DataFrame:
    """The ``surveys`` table (by date, customer; NPS 0-10, CES 1-7 or NA), from the ``surveys`` stream ``ss``."""
    rs = rng(ss)
    n, engagement = len(companies.birth), companies.engagement
    s_comp, s_day, s_nps, s_ces = [], [], [], []
    waves = survey_waves(start, end, grid.d0)
    for w in waves:
        eligible = companies.birth <= w
        enrolled_before = programme.enrolled & (programme.enrol <= w)
        prob = np.where(enrolled_before, 0.45, 0.22)
        take = eligible & (rs.random(n) < prob)
        alive = death_f > w
        y = 0.9 * engagement + 0.4 * alive + 0.3 * enrolled_before + rs.standard_normal(n)
        nps = np.clip(np.rint(7.0 + 1.5 * y), 0, 10).astype(np.int64)
        ces = np.clip(np.rint(5.0 + 0.6 * y + rs.standard_normal(n)), 1, 7).astype(np.int64)
        ces_missing = rs.random(n) < 0.3
        answer_day = w + rs.integers(0, 21, n)
        s_comp.append(np.flatnonzero(take))
        s_day.append(answer_day[take])
        s_nps.append(nps[take])
        s_ces.append(np.where(ces_missing, -1, ces)[take])
    if waves:
        sc, sd, sn, sce = (np.concatenate(v) for v in (s_comp, s_day, s_nps, s_ces))
    else:
        sc = sd = sn = sce = np.zeros(0, dtype=np.int64)
    surveys = pd.DataFrame(
        {
            "customer_id": companies.ids[sc] if len(sc) else np.zeros(0, dtype=object),
            "date": grid.iso(sd),
            "nps": sn.astype(np.int64),
            "ces": pd.array(np.where(sce < 0, None, sce).tolist(), dtype="Int64"),
        }
    )
    return surveys.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True).astype({"customer_id": "str", "date": "str"})
