"""The programme: launch, invitation and enrolment on observable pre-launch behaviour, statuses, people.

Programme (self-selection on observable purchases)
    Launch = ``start + 6 months``. The sales team draws up the invitation list
    at launch from the purchase history, and nothing else: a company that was
    a customer before launch (birth before the launch day) accepts with
    probability ``0.85 * logistic(-3.5 + 2.0 log(1 + n) + 1.5 log(1 + s /
    1000) - 10.0 y)``, where ``n`` is its number of purchases (positive
    amounts) dated in the 365 days before launch, ``s`` their amount in EUR
    and ``y`` the years from its last purchase before launch to launch (0 if
    it never bought before launch). All three are computable from the exported
    transactions, and the decision uses no latent variable (not the purchase
    rate, the spend rate, the dropout probability nor whether the company is
    still alive) and no purchase dated on or after launch; the acceptance draw
    is independent of everything else. The ceiling of 0.85 leaves non-members
    among the biggest accounts too (common support for a matched design).
    Companies whose first purchase is on or after launch are not invited
    (propensity 0). An accepting company enrols on ``launch + ceil(Exp(mean
    120 days))`` (reps visit the list one company after another; the delay is
    independent of everything else), if that day is not after ``end``; it may
    have silently dropped out by then. So companies that bought more, for
    more, and more recently in the year before launch enrol far more often
    (members buy several times more than non-members before enrolment), on
    staggered days. Given ``(n, s, y)`` enrolment is independent of the latent
    variables, so a design that matches on behaviour in the year before launch
    meets selection on observables, and the never- or not-yet-enrolled
    companies are not selected on anything after launch. About 4 % of enrolled
    companies are ``blocked`` (they keep their enrolment day, people, points
    and events, and the effect applies to them too; no block day is modelled),
    the other enrolled ones are ``member``. Among the companies that did not
    enrol, some (``u < 0.3 * propensity``) are ``pre-registered`` (no
    ``enrolled_on``, no people, no points, no events), the rest
    ``non-member``. If the launch is after ``end`` nobody enrols or
    pre-registers.

    This is the ``observables`` scenario (also ``signup`` and ``fading``). The
    other scenarios change who enrols (:mod:`.scenarios`): ``latent`` and
    ``latent_survival`` replace the propensity by one of the latent purchase
    rate and amount per purchase (:func:`latent_propensity`), ``survival`` and
    ``latent_survival`` keep an accepting company (or a pre-registering one)
    only if it is alive on its enrolment day (active on it, with the ``dormant`` process). They
    use the same random draws.

People (``members``)
    Each enrolled company has 1-5 people, more for bigger companies; exactly
    one ``owner`` registered on the enrolment day, the others (sales rep,
    sales director, buyer, technician) registered ``ceil(Exp(45 days))``
    later, capped at ``end``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from .base import Grid, logistic, pick, rng
from .companies import Companies
from .constants import (
    BGNBD,
    BLOCKED_RATE,
    ENROL_COEF,
    ENROL_DELAY_MEAN_DAYS,
    ENROL_MAX,
    GG,
    LATENT_COEF,
    PREREG_FACTOR,
    ROLE_PROBS,
    ROLES,
)
from .processes import States
from .purchases import Purchases, death_days


@dataclass(frozen=True)
class Programme:
    """Per-company enrolment outcome.

    Attributes
    ----------
    propensity : numpy.ndarray
        Acceptance probability at launch (0 for companies not invited).
    enrolled : numpy.ndarray
        Whether the company enrolled (status ``member`` or ``blocked``).
    enrol : numpy.ndarray
        Day index of enrolment, -1 if never enrolled.
    status : numpy.ndarray
        ``member``, ``blocked``, ``pre-registered`` or ``non-member``.
    """

    propensity: np.ndarray
    enrolled: np.ndarray
    enrol: np.ndarray
    status: np.ndarray


@dataclass(frozen=True)
class Members:
    """The people of the enrolled companies, one entry per person (index ``k`` is id ``M<k+1>``).

    Attributes
    ----------
    comp : numpy.ndarray
        Company index of each person.
    reg : numpy.ndarray
        Day index of registration.
    eng : numpy.ndarray
        Personal engagement ``h`` (company engagement plus noise, no unit).
    table : pandas.DataFrame
        The ``members`` table.
    ids : numpy.ndarray
        Member ids (object strings).
    """

    comp: np.ndarray
    reg: np.ndarray
    eng: np.ndarray
    table: pd.DataFrame
    ids: np.ndarray


def invitation_propensity(grid: Grid, companies: Companies, purchases: Purchases) -> np.ndarray:
    """Acceptance probability of each company, from its purchases before launch only.

    Every input of the decision is in the exported transactions: purchases (positive
    amounts) dated in the 365 days before launch, identical in both worlds (nobody is
    enrolled before launch + 1 day).
    """
    n, launch_idx = len(companies.birth), grid.launch_idx
    comp, day_cf, amount_c = purchases.comp, purchases.day_cf, purchases.amount_c
    before = (day_cf >= launch_idx - 365) & (day_cf < launch_idx)
    n_before = np.bincount(comp[before], minlength=n)
    eur_before = np.bincount(comp[before], weights=amount_c[before], minlength=n) / 100.0
    last_before = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_before, comp[day_cf < launch_idx], day_cf[day_cf < launch_idx])
    recency_years = np.where(last_before >= 0, (launch_idx - last_before) / 365.0, 0.0)
    b0, b_count, b_eur, b_recency = ENROL_COEF
    eligible = companies.birth < launch_idx  # a customer before launch: on the invitation list
    return np.where(
        eligible,
        ENROL_MAX * logistic(b0 + b_count * np.log1p(n_before) + b_eur * np.log1p(eur_before / 1000.0) - b_recency * recency_years),
        0.0,
    )


def latent_propensity(grid: Grid, companies: Companies) -> np.ndarray:
    """Acceptance probability in the latent scenarios, from the latent draws only.

    ``0.85 * logistic(b0 + b1 x + b2 y)`` with ``(b0, b1, b2) = LATENT_COEF``, ``x`` the
    standardised ``log(lambda_i)`` (purchase rate) and ``y`` the standardised
    ``log(p / nu_i)`` (log expected amount per purchase), both standardised with their
    population moments; 0 for companies born on or after launch. Whether the company is
    still alive does not enter.
    """
    r, alpha, gq, gv = BGNBD["r"], BGNBD["alpha"], GG["q"], GG["v"]
    with np.errstate(divide="ignore"):
        x = (np.log(companies.lam) - (special.digamma(r) - math.log(alpha))) / math.sqrt(special.polygamma(1, r))
    y = (-np.log(companies.nu) - (math.log(gv) - special.digamma(gq))) / math.sqrt(special.polygamma(1, gq))
    b0, b_rate, b_amount = LATENT_COEF
    eligible = companies.birth < grid.launch_idx
    logit = b0 + b_rate * np.nan_to_num(x, neginf=-10.0) + b_amount * y
    return np.where(eligible, ENROL_MAX * logistic(logit), 0.0)


def enrol_companies(
    grid: Grid,
    companies: Companies,
    purchases: Purchases,
    ss: np.random.SeedSequence,
    *,
    latent: bool = False,
    survival: bool = False,
    states: States | None = None,
) -> Programme:
    """Invitations, acceptances, enrolment days and statuses, from the ``programme`` stream ``ss``.

    ``latent`` uses :func:`latent_propensity` instead of :func:`invitation_propensity`;
    ``survival`` lets a company enrol (or pre-register) only if it is alive on its enrolment
    day (its dropout purchase, if any, is dated on or after that day; with the spells
    ``states`` of the ``pareto`` or ``dormant`` process, :mod:`.processes`: alive or active on
    that day). The draws are the same.
    """
    n, last = len(companies.birth), grid.last
    rp = rng(ss)
    u_enrol = rp.random(n)
    delay = np.ceil(rp.exponential(ENROL_DELAY_MEAN_DAYS, n)).astype(np.int64)
    u_block = rp.random(n)
    u_prereg = rp.random(n)
    propensity = latent_propensity(grid, companies) if latent else invitation_propensity(grid, companies, purchases)
    programme_runs = grid.launch_idx <= last
    enrol_day = grid.launch_idx + delay
    if not survival:
        alive = np.ones(n, dtype=bool)
    elif states is None:
        alive = death_days(purchases, purchases.day_cf) >= enrol_day
    else:
        alive = states.active(np.arange(n), enrol_day)
    enrolled = programme_runs & (u_enrol < propensity) & (enrol_day <= last) & alive
    enrol = np.where(enrolled, enrol_day, -1)
    blocked = enrolled & (u_block < BLOCKED_RATE)
    prereg = programme_runs & ~enrolled & (u_prereg < PREREG_FACTOR * propensity) & alive
    status = np.where(blocked, "blocked", np.where(enrolled, "member", np.where(prereg, "pre-registered", "non-member")))
    return Programme(propensity=propensity, enrolled=enrolled, enrol=enrol, status=status)


def draw_members(grid: Grid, companies: Companies, programme: Programme, ss: np.random.SeedSequence) -> Members:
    """The people of every enrolled company, from the ``members`` stream ``ss``."""
    rm = rng(ss)
    enrol, last = programme.enrol, grid.last
    enr_comp = np.flatnonzero(programme.enrolled)
    n_people = 1 + rm.binomial(4, logistic(0.8 * companies.z[enr_comp] - 0.5))
    m_comp = np.repeat(enr_comp, n_people)
    m_rank = np.concatenate([np.arange(k) for k in n_people]) if len(n_people) else np.zeros(0, np.int64)
    role_idx = pick(rm.random(len(m_comp)), ROLE_PROBS)
    reg_delay = np.ceil(rm.exponential(45.0, len(m_comp))).astype(np.int64)
    m_reg = np.where(m_rank == 0, enrol[m_comp], np.minimum(enrol[m_comp] + reg_delay, last))
    m_roles = np.where(m_rank == 0, "owner", np.array(ROLES, dtype=object)[role_idx])
    m_eng = companies.engagement[m_comp] + 0.5 * rm.standard_normal(len(m_comp))
    width_m = max(6, len(str(len(m_comp))))
    m_ids = np.array([f"M{k + 1:0{width_m}d}" for k in range(len(m_comp))], dtype=object)
    table = pd.DataFrame(
        {
            "member_id": m_ids,
            "customer_id": companies.ids[m_comp],
            "role": m_roles,
            "registered_on": grid.iso(m_reg),
        }
    ).astype("str")
    return Members(comp=m_comp, reg=m_reg, eng=m_eng, table=table, ids=m_ids)
