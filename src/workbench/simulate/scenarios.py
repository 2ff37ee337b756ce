"""Scenarios: harder worlds for testing an uplift estimator, and their null variants.

``simulate(scenario=NAME, null=False)`` (``workbench simulate --scenario NAME [--null]``). Every
scenario runs the same model on the same random numbers; only who enrols, when the first
purchase after enrolment happens, or how long the effect lasts changes. ``null=True`` sets the
effect to 0 in any scenario: the factual world is the counterfactual world, every truth uplift
is 0, and the programme changes nothing, not even the timing of a purchase (a null ``signup``
world has no sign-up order and writes the same tables as a null ``observables`` world).
No scenario adds a random draw to the existing streams, so ``observables`` (the default) writes
the same tables, byte for byte, as the simulator always did.

``observables`` (today's world)
    Selection on observables: the acceptance probability is a logit of the purchases in the
    year before launch, their amount and the recency of the last one (:mod:`.programme`).
    *Matching on observed history* sees everything that drives enrolment; given the history,
    members and non-members have the same latent rates and the same chance of being alive.
    The recency term keeps most dead companies out, but a member may still have dropped out
    silently before its enrolment day.

``latent``
    The sales team invites on how active companies *really* are: acceptance is
    ``0.85 * logistic(b0 + b1 x + b2 y)`` of the standardised log purchase rate ``x`` and log
    expected amount per purchase ``y`` (``LATENT_COEF``), whatever the history shows
    (:func:`.programme.latent_propensity`); the overall enrolment share is close to
    ``observables``. *Matching on observed history* sees only a noisy measure of the rate
    (a year of Poisson purchases): among companies with the same history, members have a
    higher latent rate, so their counterfactual revenue after enrolment is higher than the
    matched controls' (positive bias). Dead companies with a high rate are invited too.

``survival``
    As ``observables``, but a company joins only if it is alive on its enrolment day (its
    dropout purchase, if any, is dated on or after that day): a company that has quietly
    stopped buying never signs up. *Matching on observed history* (or on BG/NBD P(alive))
    balances the probability of being alive, not the state: every member is alive at
    enrolment, a matched never-enrolled control may be dead, so controls' post-enrolment
    revenue is too low (positive bias); not-yet-enrolled controls are alive until their own
    enrolment, which biases the other way.

``latent_survival``
    Both at once: acceptance on the latent rate and amount, and only companies alive on their
    enrolment day join (the world of the issue's independent checks). Fewer companies enrol
    than in ``latent`` (the dead invitees drop out of the list).

``signup``
    Selection as in ``observables``; on the enrolment day the company places a sign-up order
    pulled forward from its later purchases: in the factual world its first purchase on or
    after the enrolment day moves to the enrolment day (also if it would have come after
    ``end``); the counterfactual world keeps it on its original day. A company that dropped out
    before enrolling places none. Over a long window the order adds no revenue (it is only
    earlier), but a window starting on the enrolment day reads it as effect.
    *Matching on observed history* sees it as a spike on the enrolment day; leaving the
    enrolment day (event month 0) out removes it.

``fading``
    Selection as in ``observables``; the rate is ``1 + effect`` times higher for 12 calendar
    months from the enrolment day, ``1 + effect / 2`` in the next 12 months, and back to 1
    after (``FADE_MONTHS``, ``FADE_HALF``). Year-2 truth is smaller than year 1; an ROI that
    repeats the year-1 effect every year overstates the value.

The truth of every scenario comes from the factual and counterfactual worlds on the same
random numbers: ``truth_members.csv``, ``uplift_year1_att`` and ``uplift_year2_att``
(:mod:`.effects`), ``future.csv`` (:mod:`.future`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from .base import Grid, add_months
from .constants import FADE_HALF, FADE_MONTHS, SCENARIOS


@dataclass(frozen=True)
class Scenario:
    """The switches of a scenario (see the module docstring).

    Attributes
    ----------
    name : str
        One of ``SCENARIOS``.
    latent : bool
        Acceptance on the latent rate and amount instead of the observed history.
    survival : bool
        Only companies alive on their enrolment day enrol.
    signup : bool
        A sign-up order on the enrolment day, pulled forward from later purchases (factual only).
    fading : bool
        The effect fades in year 2 and stops after.
    """

    name: str
    latent: bool
    survival: bool
    signup: bool
    fading: bool

    @classmethod
    def named(cls, name: str) -> Scenario:
        """The switches of scenario ``name``.

        Raises
        ------
        ValueError
            If ``name`` is not one of ``SCENARIOS``.
        """
        if name not in SCENARIOS:
            raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}, got {name!r}")
        return cls(
            name=name,
            latent=name in ("latent", "latent_survival"),
            survival=name in ("survival", "latent_survival"),
            signup=name == "signup",
            fading=name == "fading",
        )


def effect_steps(grid: Grid, enrol: np.ndarray, *, effect: float, fading: bool) -> list[tuple[np.ndarray, float]]:
    """The multiplier of the purchase rate after enrolment, as steps ``(first day index, multiplier)``.

    Parameters
    ----------
    grid : Grid
        The day grid.
    enrol : numpy.ndarray
        Enrolment day index per company, -1 if never enrolled (their steps are meaningless).
    effect : float
        Relative increase of the purchase rate (0.25 = +25 %).
    fading : bool
        Whether the effect fades: ``1 + effect`` for ``FADE_MONTHS[0]`` calendar months from the
        enrolment day, ``1 + FADE_HALF * effect`` until ``FADE_MONTHS[1]`` months, 1 after.

    Returns
    -------
    list of (numpy.ndarray, float)
        Day indices (may exceed ``grid.last``) and multipliers of the rate (no unit): one step
        (the enrolment day, ``1 + effect``) without fading, three with it.
    """
    e = np.where(enrol >= 0, enrol, 0)
    steps = [(e, 1.0 + effect)]
    if fading:
        who = np.flatnonzero(enrol >= 0)
        for months, mult in zip(FADE_MONTHS, (1.0 + FADE_HALF * effect, 1.0), strict=True):
            later = e.copy()
            later[who] = [(add_months(grid.d0 + timedelta(days=int(e[i])), months) - grid.d0).days for i in who]
            steps.append((later, mult))
    return steps
