"""Rewarded product ranges: a programme whose effect acts only on some ranges, and the negative-control truth.

``simulate(rewarded_ranges=(...), halo=0.0)``, ``workbench simulate --rewarded-ranges A,B
[--halo H]``; usable with every scenario and process. Without ``rewarded_ranges`` nothing here
runs and the tables are byte-identical to earlier versions (the effect then acts on every range).

The model
    The purchase process is unchanged: from the enrolment day on, an enrolled company's purchase
    rate is ``m`` times higher (``m = 1 + effect``, or the step of the ``fading`` scenario in
    force on the purchase's day). What changes is the product range of each factual purchase of
    an enrolled company dated on or after its enrolment day: a non-rewarded range ``r`` is drawn
    with probability ``P(r) (1 + halo (m - 1)) / m`` instead of ``P(r)`` (``P`` the typology's
    range probabilities, ``RANGE_PROBS``), the rewarded ranges share the rest in proportion to
    ``P``. So the rate of purchases in a non-rewarded range is ``m lambda P(r) (1 + halo (m - 1))
    / m``: its base rate ``lambda P(r)`` when ``halo = 0`` (the programme changes only the
    rewarded ranges), ``m lambda P(r)`` when ``halo = 1`` (the effect spills over in full, which is
    the world without this option). The range is drawn from the purchase's own ``range_u``
    uniform in both worlds (the counterfactual world keeps ``P``), so both share every random
    number; the margin rate and the quantity follow the range as always, the amount does not
    depend on it, so revenue, points, ``truth_members.csv`` and the revenue truths are the same as
    without the option. ``future.csv`` draws its ranges from ``P`` (its revenue is unaffected; its
    margin ignores the shift of the members' mix).

    In BG/NBD worlds a higher purchase rate brings dropout forward (a dropout chance after every
    purchase), so even with ``halo = 0`` a member's expected non-rewarded revenue over a year is a
    little lower in the factual world: the truth below measures that too.

The negative-control truth (``truth.json``, only with ``rewarded_ranges``)
    ``rewarded_ranges``, ``halo``, ``negative_control_ranges`` (the other ranges, in ``RANGES``
    order); ``negative_control_year1_att``: mean over the enrolled companies whose event months
    1 to 12 are complete (those of ``uplift_year1_att``, :mod:`.effects`) of factual minus
    counterfactual net revenue (purchases and their credit notes) in the non-rewarded ranges over
    event months 1 to 12, EUR per company; ``negative_control_year1_n`` and
    ``negative_control_year1_counterfactual_revenue`` (EUR); likewise ``..._year2_...`` over
    event months 13 to 24.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .base import Grid
from .constants import RANGE_PROBS, RANGES
from .effects import MonthGrid, month_grid, monthly_revenue
from .purchases import Attributes, Purchases, World, attributes_from_draws


def check_rewarded(rewarded_ranges: Sequence[str] | None, halo: float) -> tuple[tuple[str, ...], float] | None:
    """The checked ``rewarded_ranges`` (in ``RANGES`` order) and ``halo``; None without rewarded ranges.

    Raises
    ------
    ValueError
        A range is not one of ``RANGES``, every range is rewarded (nothing would be left to
        compare), or ``halo`` is outside ``[0, 1]`` or given without rewarded ranges.
    TypeError
        ``rewarded_ranges`` is a plain string, or ``halo`` is not a number.
    """
    if isinstance(halo, bool) or not isinstance(halo, (int, float, np.number)):
        raise TypeError(f"halo must be a number, got {type(halo).__name__}")
    if not math.isfinite(halo) or not 0 <= halo <= 1:
        raise ValueError(f"halo must be in [0, 1], got {halo}; 0: the effect acts only on the rewarded ranges, 1: on every range")
    if rewarded_ranges is None or len(rewarded_ranges) == 0:
        if halo:
            raise ValueError(f"halo={halo} needs rewarded_ranges: without them the effect acts on every range already")
        return None
    if isinstance(rewarded_ranges, str):
        raise TypeError(f"rewarded_ranges must be a list of ranges, got the string {rewarded_ranges!r}; pass e.g. ['equipment']")
    bad = [r for r in rewarded_ranges if r not in RANGES]
    if bad:
        raise ValueError(f"rewarded_ranges has {bad}, not product ranges of the simulator; use some of {list(RANGES)}")
    chosen = tuple(r for r in RANGES if r in set(rewarded_ranges))
    if len(chosen) == len(RANGES):
        raise ValueError(f"rewarded_ranges lists every range {list(RANGES)}; leave at least one unrewarded (or pass none)")
    return chosen, float(halo)


def rate_multipliers(day_f: np.ndarray, comp: np.ndarray, *, enrolled: np.ndarray, steps: list[tuple[np.ndarray, float]]) -> np.ndarray:
    """The multiplier of the purchase rate in force on each factual purchase's day (1 before enrolment and for non-members)."""
    mult = np.ones(len(day_f))
    member = enrolled[comp]
    for day_c, m in steps:  # steps in increasing day order: the last one reached wins
        mult = np.where(member & (day_f >= day_c[comp]), m, mult)
    return mult


def range_probabilities(typ: np.ndarray, mult: np.ndarray, *, rewarded: np.ndarray, halo: float) -> np.ndarray:
    """Range probabilities per purchase (rows follow ``RANGES``): ``RANGE_PROBS`` of its typology, shifted where ``mult != 1``.

    A non-rewarded range keeps ``P(r) (1 + halo (mult - 1)) / mult``, the rewarded ones share the
    rest in proportion to ``P`` (module docstring). Rows with ``mult == 1`` are ``RANGE_PROBS``
    rows exactly.
    """
    probs = RANGE_PROBS[typ].copy()
    on = mult != 1.0
    if not on.any():
        return probs
    base = probs[on]
    keep = ((1.0 + halo * (mult[on] - 1.0)) / mult[on])[:, None]
    other = base[:, ~rewarded].sum(axis=1, keepdims=True)
    scale_rewarded = (1.0 - other * keep) / base[:, rewarded].sum(axis=1, keepdims=True)
    probs[on] = np.where(rewarded[None, :], base * scale_rewarded, base * keep)
    return probs


def factual_attributes(
    purchases: Purchases,
    typ: np.ndarray,
    day_f: np.ndarray,
    *,
    enrolled: np.ndarray,
    steps: list[tuple[np.ndarray, float]],
    rewarded: tuple[tuple[str, ...], float],
) -> Attributes:
    """The attributes of the factual purchases when only ``rewarded`` ranges get the effect (same draws as the counterfactual ones).

    Parameters
    ----------
    purchases : Purchases
        The purchases of both worlds.
    typ : numpy.ndarray
        Typology index per company.
    day_f : numpy.ndarray
        Factual day index per purchase.
    enrolled : numpy.ndarray
        Whether each company enrolled.
    steps : list of (numpy.ndarray, float)
        :func:`.scenarios.effect_steps`: per company the first day of each multiplier of the rate.
    rewarded : (tuple of str, float)
        The rewarded ranges and the halo, the share of the effect that spills into the other
        ranges (0-1) (:func:`check_rewarded`).

    Returns
    -------
    Attributes
        As :func:`.purchases.purchase_attributes`, the range (hence margin and quantity) of
        post-enrolment purchases drawn from :func:`range_probabilities`.
    """
    ranges, halo = rewarded
    mult = rate_multipliers(day_f, purchases.comp, enrolled=enrolled, steps=steps)
    mask = np.isin(np.array(RANGES), ranges)
    t = typ[purchases.comp]
    return attributes_from_draws(purchases.draws, purchases.amount_c, t, probs=range_probabilities(t, mult, rewarded=mask, halo=halo))


def year_effects(rev_f: np.ndarray, rev_c: np.ndarray, *, enrol: np.ndarray, months: MonthGrid, prefix: str) -> dict[str, float | int]:
    """``{prefix}_year{1,2}_att``, ``_n``, ``_counterfactual_revenue`` from monthly revenue of both worlds (cents, company x month).

    Over the enrolled companies whose event months ``12 (k - 1) + 1`` to ``12 k`` are complete
    months up to ``end``, as :func:`.effects.member_months` (EUR per company; 0.0 if none).
    """
    who = np.flatnonzero(enrol >= 0)
    em = months.of_day[enrol[who]]
    zero = np.zeros((len(rev_f), 1), dtype=np.int64)
    cum_f, cum_c = np.hstack([zero, np.cumsum(rev_f, axis=1)]), np.hstack([zero, np.cumsum(rev_c, axis=1)])
    out: dict[str, float | int] = {}
    for year in (1, 2):
        lo, top = 12 * (year - 1) + 1, 12 * year
        ok = em + top <= months.last_complete
        c, a, b = who[ok], em[ok] + lo, em[ok] + top + 1
        f, cf = cum_f[c, b] - cum_f[c, a], cum_c[c, b] - cum_c[c, a]
        k = len(c)
        out[f"{prefix}_year{year}_att"] = float((f - cf).sum() / k / 100.0) if k else 0.0
        out[f"{prefix}_year{year}_n"] = int(k)
        out[f"{prefix}_year{year}_counterfactual_revenue"] = float(cf.sum() / k / 100.0) if k else 0.0
    return out


def negative_control_truth(
    grid: Grid,
    purchases: Purchases,
    *,
    attrs_f: Attributes,
    attrs_c: Attributes,
    enrol: np.ndarray,
    factual: World,
    counterfactual: World,
    rewarded: tuple[tuple[str, ...], float],
) -> dict[str, object]:
    """The truth keys of the negative control (module docstring): the effect on the non-rewarded ranges' revenue, years 1 and 2.

    ``rewarded``: the rewarded ranges and the halo (:func:`check_rewarded`).
    """
    rewarded, halo = rewarded
    months = month_grid(grid)
    others = [i for i, r in enumerate(RANGES) if r not in rewarded]
    n = len(enrol)
    rev_f = monthly_revenue(factual, purchases, attrs_f, months, n, keep=np.isin(attrs_f.rng_idx, others))
    rev_c = monthly_revenue(counterfactual, purchases, attrs_c, months, n, keep=np.isin(attrs_c.rng_idx, others))
    head = {"rewarded_ranges": list(rewarded), "halo": halo, "negative_control_ranges": [RANGES[i] for i in others]}
    return head | year_effects(rev_f, rev_c, enrol=enrol, months=months, prefix="negative_control")
