"""Purchase processes: BG/NBD (default), Pareto/NBD-like lifetimes, and dormant spells.

``simulate(process=NAME)``, ``workbench simulate --process NAME``; usable with every scenario
(:mod:`.scenarios`) and its null variant. The uplift estimators use BG/NBD's P(alive) and
expected purchases as covariates (:mod:`workbench.analysis.uplift.staggered`), so a benchmark run only on BG/NBD
worlds would validate them on their own assumptions. The two other processes break those
assumptions while keeping everything else of the model: the latent purchase rate ``lambda_i``
and spend rate ``nu_i`` (the same draws), Gamma-Gamma amounts, seasonality, credit notes,
margins, the programme effect (the purchase rate is ``1 + effect`` times higher from the
enrolment day on, while the company is alive or active), the selection rules of each scenario
(in ``survival`` worlds a company must be alive or active on its enrolment day; in ``latent``
worlds acceptance depends on ``lambda_i`` and ``nu_i``), ``truth_members.csv`` and the
year-1 / year-2 truth.

``bgnbd`` (default)
    Dropout only right after a repeat purchase, with probability ``p_i`` (:mod:`.purchases`).
    The tables are byte-identical to earlier versions. A BG/NBD fit is correctly specified.

``pareto``
    Pareto/NBD-like: each company lives for an exponential time from its birth (first
    purchase), in continuous time, with rate ``mu_i ~ Gamma(shape s, rate beta)`` per week
    (``PARETO``), independent of its purchases; while alive it buys as a Poisson process of
    rate ``lambda_i * s(t) * m_i(t)``. A company can die between purchases, so a long silence
    is followed by nothing, whatever its rate; a higher rate (the programme) does not bring
    death forward (in BG/NBD it does: more purchases, more dropout chances). What it breaks:
    BG/NBD's P(alive) is misspecified (it ties death to purchases), so two companies with the
    same P(alive) estimate differ in their true survival, and the survival-scenario biases of
    an estimator balancing P(alive) change size.

``dormant``
    Each company alternates between active and dormant spells (a two-state hidden Markov
    process in continuous time), starting active at its birth, and buys only while active (the
    same Poisson rate). Leave and return rates are heterogeneous: the rate of leaving an active
    spell is ``Gamma(shape 3)`` with mean ``1 / (12 months)``, the rate of returning from a
    dormant spell is ``Gamma(shape 0.2)`` with mean ``1 / (9 months)`` (``DORMANT``): a
    quarter of the companies have dormant spells of 10 months or less on average, half of
    7 years or more, a quarter of centuries (in practice they never come back). A quiet company may come back, which neither BG/NBD nor Pareto/NBD allow. What
    it breaks: P(alive) and the expected purchases treat a long silence as death, so a
    dormant member that returns (or a dormant control that returns) is mispredicted; the
    survival condition of the estimand ("alive on the enrolment day") becomes "active on the
    enrolment day", which a control's history cannot reveal either; a not-yet-enrolled
    control is active on its own enrolment day, not for its whole past.

Implementation
    The purchases are drawn as in ``bgnbd`` on the same per-company streams, without dropout
    (:func:`.purchases.draw_purchases` with ``dropout=False``): a Poisson process of rate
    ``lambda_i * s(t) * m_i(t)`` over the whole grid, in both worlds. The spells are drawn
    from their own stream (``process``, appended after the others, so the ``bgnbd`` draws never
    change) and are the same in both worlds; a purchase is kept only on a day the company is
    alive or active (:meth:`States.thin`). Restricting a Poisson process to a set drawn
    independently of it leaves a Poisson process of rate ``lambda_i s(t) m_i(t)`` on that set,
    so this is exactly the process described above. Spells are drawn in continuous time
    (days) and applied per day: a switch at time ``t`` (days from the first grid day) takes
    effect from day index ``floor(t) + 1`` on, so the birth day is always active. Beyond the
    horizon (``end`` plus 36 months) every company counts as inactive. For the engagement
    tables (events, surveys) a company counts as gone from the end of its last spell ended by
    ``end`` if it is inactive on ``end`` (``death_f``), as a BG/NBD company from its dropout.
    In the ``signup`` scenario the order pulled forward is the first purchase made (alive or
    active) on or after the enrolment day, among those up to ``end`` and the 1 to ``BLOCK``
    drawn past it; a company whose next active purchase lies further out places none.

Calibration
    Without dropout at each purchase, a living company keeps buying at its full rate (in
    BG/NBD the most frequent buyers drop out soonest), so the purchase rate of a living
    company is ``rate_scale * lambda_i`` (0.65 for ``pareto``, 0.72 for ``dormant``), and the
    lifetime parameters are set so that two figures match the ``bgnbd`` worlds (null worlds of
    4,000 companies, seeds 1-3, default dates): the net revenue of 2024 per company buying in
    2024 is 14,691 EUR (``bgnbd``), 14,813 (``pareto``), 14,487 (``dormant``), that of 2023
    13,710, 13,045, 12,918; the share of the companies born in the first year of the grid that
    still buy in their third year is 38.3 %, 37.1 %, 37.1 %
    (``tests/test_processes.py::test_processes_are_calibrated_on_bgnbd``). In a ``dormant``
    world of 1,500 companies about 7 % buy, stay dormant six months or more and buy again
    before ``end``; about 20 % of those dormant on ``end`` buy again in the next 24 months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Grid, rng
from .constants import DORMANT, PARETO, PROCESS_HORIZON_DAYS

#: Day index given to a purchase the company did not make (dead or dormant): after any grid day.
GONE = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class States:
    """Per-company alive (or active) spells on the day grid.

    Attributes
    ----------
    switch_day : numpy.ndarray
        Day indices at which the state flips (active to inactive or back), sorted per company,
        companies one after another (company 0 first). Every company is active at birth.
    offsets : numpy.ndarray
        ``switch_day[offsets[i]:offsets[i + 1]]`` are the switches of company ``i``.
    horizon : int
        Day index from which every company counts as inactive.
    """

    switch_day: np.ndarray
    offsets: np.ndarray
    horizon: int

    @classmethod
    def from_switches(cls, switch_day: np.ndarray, counts: np.ndarray, horizon: int) -> States:
        """States from the switches (day indices below ``horizon``) and their number per company."""
        return cls(switch_day=switch_day.astype(np.int64), offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), horizon=int(horizon))

    def _keys(self, comp: np.ndarray, day: np.ndarray) -> np.ndarray:
        return comp.astype(np.int64) * (self.horizon + 1) + np.clip(day, 0, self.horizon)

    def flips(self, comp: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Number of switches of company ``comp[k]`` on or before day index ``day[k]``."""
        n_comp = len(self.offsets) - 1
        owner = np.repeat(np.arange(n_comp, dtype=np.int64), np.diff(self.offsets))
        keys = self._keys(owner, self.switch_day)
        return np.searchsorted(keys, self._keys(comp, day), side="right") - self.offsets[comp]

    def active(self, comp: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Whether company ``comp[k]`` is alive/active on day index ``day[k]`` (False from the horizon on)."""
        comp, day = np.asarray(comp), np.asarray(day)
        return (self.flips(comp, day) % 2 == 0) & (day < self.horizon)

    def active_between(self, lo: int, hi: int) -> np.ndarray:
        """Per company, whether it is alive/active on at least one day index of ``[lo, hi]``."""
        comp = np.arange(len(self.offsets) - 1)
        at_lo = self.flips(comp, np.full(len(comp), lo))
        return ((at_lo % 2 == 0) | (self.flips(comp, np.full(len(comp), hi)) > at_lo)) & (lo < self.horizon)

    def thin(self, comp: np.ndarray, day: np.ndarray) -> np.ndarray:
        """``day`` where the company is alive/active, :data:`GONE` elsewhere (per purchase)."""
        return np.where(self.active(comp, day), day, GONE)

    def last_active_day(self, last: int) -> np.ndarray:
        """Per company, the last day of its last spell ended by day ``last`` if inactive on that day.

        int64 max when the company is active on day ``last`` (the ``death_f`` convention of
        :func:`.purchases.death_days`: alive up to and including that day).
        """
        n_comp = len(self.offsets) - 1
        comp = np.arange(n_comp)
        inactive = ~self.active(comp, np.full(n_comp, last))
        owner = np.repeat(comp, np.diff(self.offsets))
        before = self.switch_day <= last
        last_switch = np.full(n_comp, -1, dtype=np.int64)
        np.maximum.at(last_switch, owner[before], self.switch_day[before])
        return np.where(inactive & (last_switch >= 0), last_switch - 1, np.iinfo(np.int64).max)


def rate_scale(process: str) -> float:
    """The purchase rate of a living (active) company divided by ``lambda_i`` (no unit; 1 for ``bgnbd``)."""
    return float({"pareto": PARETO, "dormant": DORMANT}.get(process, {}).get("rate_scale", 1.0))


def draw_states(process: str, lam: np.ndarray, birth: np.ndarray, grid: Grid, ss: np.random.SeedSequence) -> States:
    """The spells of every company for ``process`` (``pareto`` or ``dormant``), from the ``process`` stream.

    Parameters
    ----------
    process : str
        ``pareto`` or ``dormant``.
    lam : numpy.ndarray
        Purchase rate per company, purchases per week (only its length is used).
    birth : numpy.ndarray
        Day index of each company's birth (first purchase); spells start there, active.
    grid : Grid
        The day grid.
    ss : numpy.random.SeedSequence
        The ``process`` stream.

    Returns
    -------
    States
        The switches, up to ``end + PROCESS_HORIZON_DAYS``.

    Raises
    ------
    ValueError
        If ``process`` is not ``pareto`` or ``dormant``.
    """
    n, g = len(lam), rng(ss)
    horizon = grid.last + 1 + PROCESS_HORIZON_DAYS
    start = birth.astype(np.float64)
    if process == "pareto":
        mu = g.gamma(PARETO["s"], 1.0 / PARETO["beta"], n) / 7.0  # per day
        death = start + g.standard_exponential(n) / mu  # continuous time, days
        sw = np.floor(death) + 1
        keep = sw < horizon
        return States.from_switches(sw[keep], keep.astype(np.int64), horizon)
    if process != "dormant":
        raise ValueError(f"no spells for process {process!r}; expected pareto or dormant")
    month = 365.25 / 12  # days
    k_a, k_d = DORMANT["active_shape"], DORMANT["dormant_shape"]
    leave = g.gamma(k_a, 1.0 / (k_a * DORMANT["active_months"] * month), n)  # per day, mean 1 / active spell
    back = g.gamma(k_d, 1.0 / (k_d * DORMANT["dormant_months"] * month), n)
    t, active, columns = start.copy(), np.ones(n, dtype=bool), []
    while (t < horizon).any():
        with np.errstate(divide="ignore"):
            t = t + g.standard_exponential(n) / np.where(active, leave, back)
        columns.append(np.floor(np.minimum(t, horizon)) + 1)
        active = ~active
    sw = np.stack(columns, axis=1) if columns else np.zeros((n, 0))
    keep = sw < horizon
    return States.from_switches(sw[keep], keep.sum(axis=1), horizon)
