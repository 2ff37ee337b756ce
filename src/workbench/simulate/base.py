"""Arguments, random streams, the day grid and small helpers shared by every step.

Time runs on a daily grid from ``start - 365 days`` to ``end``; a *day index* counts days
from ``start - 365 days`` (index 0). Every step draws from its own random stream, one of
child spawned from ``numpy.random.SeedSequence(seed)`` in the fixed order of
:class:`Streams`, so a step never shifts the draws of another. Streams added later (``future``)
are appended after the first eight, whose draws therefore never change: ``future`` (the
purchases after ``end``) and ``process`` (the spells of the ``pareto`` and ``dormant``
processes, :mod:`.processes`).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from workbench import periods

from .constants import BIRTH_BEFORE_START_DAYS, LAUNCH_MONTHS, PROCESSES, SCENARIOS


@dataclass(frozen=True)
class Settings:
    """The checked arguments of :func:`workbench.simulate.simulate` (see there for units)."""

    n: int
    seed: int
    start: date
    end: date
    effect: float  # the effect of the simulated world: 0.0 when ``null``
    seasonality: float
    dirty: bool
    scenario: str = "observables"
    null: bool = False
    process: str = "bgnbd"


@dataclass(frozen=True)
class Streams:
    """One random stream per step; the field order is the spawning order (never change it)."""

    companies: np.random.SeedSequence
    programme: np.random.SeedSequence
    purchases: np.random.SeedSequence
    members: np.random.SeedSequence
    points: np.random.SeedSequence
    events: np.random.SeedSequence
    surveys: np.random.SeedSequence
    dirty: np.random.SeedSequence
    future: np.random.SeedSequence  # appended: the purchase process after ``end`` (:mod:`.future`)
    process: np.random.SeedSequence  # appended: the spells of ``pareto`` / ``dormant`` (:mod:`.processes`)

    @classmethod
    def spawn(cls, seed: int) -> Streams:
        """The ten child seed sequences of ``SeedSequence(seed)``, in field order.

        Child ``k`` of a seed sequence does not depend on how many children are spawned, so the
        first eight are the streams of every earlier version of the simulator, and the ninth
        that of every version with ``future.csv``.
        """
        return cls(*np.random.SeedSequence(seed).spawn(10))


@dataclass(frozen=True)
class Grid:
    """The daily grid: ``d0`` is day index 0, ``last`` the index of ``end``.

    Attributes
    ----------
    d0 : datetime.date
        ``start - 365 days``, the first possible purchase day.
    n_days : int
        Number of days from ``d0`` to ``end``, both included.
    last, start_idx, launch_idx : int
        Day indices of ``end``, ``start`` and the programme launch.
    launch : datetime.date
        Programme launch, ``start + 6`` calendar months.
    """

    d0: date
    n_days: int
    last: int
    start_idx: int
    launch: date
    launch_idx: int

    def iso(self, idx: np.ndarray) -> np.ndarray:
        """ISO date strings (``YYYY-MM-DD``) of day indices."""
        return (np.datetime64(self.d0.isoformat(), "D") + np.asarray(idx, dtype=np.int64)).astype(str)

    def dates(self) -> np.ndarray:
        """Every day of the grid as ``datetime64[D]``, index 0 first."""
        return np.datetime64(self.d0.isoformat(), "D") + np.arange(self.n_days)

    def months_later(self, months: int) -> np.ndarray:
        """Day index of ``add_months(day, months)`` for every day index of the grid (may exceed ``last``)."""
        return np.array(
            [(add_months(self.d0 + timedelta(days=k), months) - self.d0).days for k in range(self.n_days)],
            dtype=np.int64,
        )


def make_grid(start: date, end: date) -> Grid:
    """The day grid of a simulation of the period ``[start, end]``."""
    d0 = start - timedelta(days=BIRTH_BEFORE_START_DAYS)
    n_days = (end - d0).days + 1
    launch = add_months(start, LAUNCH_MONTHS)
    return Grid(
        d0=d0,
        n_days=n_days,
        last=n_days - 1,
        start_idx=BIRTH_BEFORE_START_DAYS,
        launch=launch,
        launch_idx=(launch - d0).days,
    )


def check_args(
    n_customers: Any,
    seed: Any,
    start: Any,
    end: Any,
    effect: Any,
    seasonality: Any,
    dirty: Any,
    scenario: Any = "observables",
    null: Any = False,
    process: Any = "bgnbd",
) -> Settings:
    """Check and normalise the arguments of ``simulate``.

    Returns
    -------
    Settings
        Plain ``int``/``float``/``bool``/``str`` values; ``datetime.datetime`` bounds become
        dates; ``effect`` is 0.0 when ``null`` is true.

    Raises
    ------
    TypeError, ValueError
        As documented by :func:`workbench.simulate.simulate`.
    """
    if isinstance(n_customers, bool) or not isinstance(n_customers, (int, np.integer)):
        raise TypeError(f"n_customers must be an int, got {type(n_customers).__name__}")
    if n_customers < 1:
        raise ValueError(f"n_customers must be at least 1, got {n_customers}; pass n_customers=1 or more")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed}; pass seed >= 0")
    start, end = _check_period(start, end)
    for label, value in (("effect", effect), ("seasonality", seasonality)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise TypeError(f"{label} must be a number, got {type(value).__name__}")
    if not math.isfinite(effect) or effect < 0:
        raise ValueError(f"effect must be a finite number >= 0, got {effect}; pass e.g. effect=0.25 for +25 % purchase rate, or 0 for no effect")
    if not math.isfinite(seasonality) or not 0 <= seasonality < 1:
        raise ValueError(f"seasonality must be in [0, 1), got {seasonality}; pass e.g. seasonality=0.15, or 0 for none")
    if not isinstance(dirty, (bool, np.bool_)):
        raise TypeError(f"dirty must be a bool, got {type(dirty).__name__}")
    if not isinstance(scenario, str):
        raise TypeError(f"scenario must be a str, got {type(scenario).__name__}")
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}, got {scenario!r}")
    if not isinstance(null, (bool, np.bool_)):
        raise TypeError(f"null must be a bool, got {type(null).__name__}")
    if not isinstance(process, str):
        raise TypeError(f"process must be a str, got {type(process).__name__}")
    if process not in PROCESSES:
        raise ValueError(f"process must be one of {', '.join(PROCESSES)}, got {process!r}")
    return Settings(
        n=int(n_customers),
        seed=int(seed),
        start=start,
        end=end,
        effect=0.0 if null else float(effect),
        seasonality=float(seasonality),
        dirty=bool(dirty),
        scenario=scenario,
        null=bool(null),
        process=process,
    )


def _check_period(start: Any, end: Any) -> tuple[date, date]:
    for label, value in (("start", start), ("end", end)):
        if not isinstance(value, date):
            raise TypeError(f"{label} must be a datetime.date, got {type(value).__name__}")
    start = start.date() if isinstance(start, datetime.datetime) else start
    end = end.date() if isinstance(end, datetime.datetime) else end
    if end <= start:
        raise ValueError(f"end must be after start, got start={start.isoformat()} and end={end.isoformat()}; pass an end date later than start")
    return start, end


def add_months(d: date, months: int) -> date:
    """Same day ``months`` calendar months later, clamped to the end of the month.

    :func:`workbench.periods.add_months` (the one month definition) on a ``datetime.date``:
    31 January + 1 month = 28/29 February, 29 February + 12 months = 28 February.
    """
    return periods.add_months(pd.Timestamp(d), months).date()


def logistic(x: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-x))``."""
    return 1.0 / (1.0 + np.exp(-x))


def rng(ss: np.random.SeedSequence) -> np.random.Generator:
    """A PCG64 generator on a seed sequence."""
    return np.random.Generator(np.random.PCG64(ss))


def pick(u: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Index of the category for uniforms ``u`` (rows of ``probs`` per draw)."""
    cum = np.cumsum(probs, axis=-1)
    cum = cum / cum[..., -1:]
    if cum.ndim == 1:
        return np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
    return np.minimum((u[:, None] >= cum).sum(axis=1), cum.shape[1] - 1)


def cents_to_float(cents: np.ndarray) -> np.ndarray:
    """Integer cents to EUR floats."""
    return cents.astype(np.float64) / 100.0


def cents_to_eur(cents: int | np.integer) -> float:
    """One integer amount in cents as a plain EUR ``float``."""
    return float(int(cents)) / 100.0
