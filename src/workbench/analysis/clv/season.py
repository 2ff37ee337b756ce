"""A yearly seasonal index of the purchase rate, and the "seasonal time" the purchase models can run on.

Why. BG/NBD, MBG/NBD and Pareto/NBD assume a purchase rate constant in time. When purchases are
seasonal, the silence before the reference date depends on the season: a period that ends in the
low season makes every customer look quieter than it is, so P(alive) and the forecast are biased
down (up after a high season). On simulated data with a 15 % seasonal amplitude and a period ending
on 31 December, the 24-month forecast of the total was about 7 % too low on average and its 90 %
interval covered the true future on 7 of 12 seeds (``benchmarks/clv_coverage.py``).

Method. The rate is taken as ``lambda x s(t)`` with ``s(t) = 1 + a cos(w d) + b sin(w d)``,
``w = 2 pi / 365.25`` and ``d`` the day counted from 1 January 2000 (a first harmonic: mean 1 over a
year, one peak). :func:`estimate_seasonality` estimates ``a`` and ``b`` from the repeat purchase days
per calendar month (first purchases are not part of the models' purchase process): each complete month's count is divided by its centred 2 x 12 moving average (the
classical ratio-to-moving-average, which removes the growth or decline of the customer base), and
the ratios are regressed on the harmonic by least squares (the monthly average of a harmonic is its
mid-month value times ``sin(pi / 12) / (pi / 12)``, which is corrected). Durations are then measured
in **seasonal time**, the integral of ``s`` (:meth:`Seasonality.elapsed_days`): a year is still a
year, a low-season month is shorter than a high-season one. The purchase process is a constant-rate
one in seasonal time, so the models apply unchanged to recency, age and horizons measured that way.

It does not model a trend, a seasonality with more than one peak, or a season that differs between
customers. At least :data:`MIN_MONTHS` complete calendar months are needed (two ratios per calendar
month); with fewer, no seasonality is used (:attr:`Seasonality.reason` says why).

Units: ``a``, ``b`` and the amplitude are fractions of the mean rate; durations are days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench import formatting
from workbench.analysis.clv.prepare import purchase_days, unit_days
from workbench.periods import DAYS_PER_MONTH, add_months

#: Fewest complete calendar months of purchase days needed to estimate the seasonality.
MIN_MONTHS = 30
_ORIGIN = pd.Timestamp("2000-01-01")
_EPOCH_TO_ORIGIN = (_ORIGIN - pd.Timestamp("1970-01-01")).days  # day numbers (since 1970) of the origin
_OMEGA = 2 * np.pi / 365.25
_MONTH_AVERAGE = np.sin(np.pi / 12) / (np.pi / 12)  # attenuation of a first harmonic averaged over a month


@dataclass(frozen=True)
class Seasonality:
    """A yearly seasonal index ``s(t) = 1 + cos_coef cos(w d) + sin_coef sin(w d)`` of the purchase rate.

    Attributes
    ----------
    cos_coef, sin_coef
        The harmonic's coefficients (fractions of the mean rate); both 0: no seasonality.
    end
        The reference date the summary is taken at (horizons start the day after).
    months
        Complete calendar months of purchase days used (0 when not estimated).
    reason
        Why no seasonality is used (empty when it is estimated).
    """

    cos_coef: float
    sin_coef: float
    end: pd.Timestamp
    months: int = 0
    reason: str = ""

    @property
    def amplitude(self) -> float:
        """Peak of ``s`` above its mean (fraction of the mean rate)."""
        return float(np.hypot(self.cos_coef, self.sin_coef))

    @property
    def peak_day_of_year(self) -> int:
        """Day of the year (1-366) on which ``s`` peaks (1 when there is no seasonality)."""
        if self.amplitude == 0:
            return 1
        day = (np.arctan2(self.sin_coef, self.cos_coef) / _OMEGA) % 365.25
        return int((_ORIGIN + pd.Timedelta(days=round(day))).day_of_year)

    def index(self, dates: pd.DatetimeIndex | pd.Series) -> np.ndarray:
        """``s`` on each date (no unit, mean 1 over a year)."""
        d = _days(dates)
        return 1 + self.cos_coef * np.cos(_OMEGA * d) + self.sin_coef * np.sin(_OMEGA * d)

    def elapsed_days(self, start, stop) -> np.ndarray:
        """Seasonal time from ``start`` to ``stop`` (dates, arrays of dates or series), in days: the integral of ``s``.

        Equal to the calendar days when there is no seasonality; a whole year is 365.25 days either way.
        """
        return _integral(self, _days(stop)) - _integral(self, _days(start))

    def clock(self, day_numbers: np.ndarray) -> np.ndarray:
        """Seasonal time of day numbers (days since 1970-01-01, numpy's ``datetime64[D]`` count), in days.

        Only differences mean something: ``clock(b) - clock(a)`` is the seasonal time from day ``a`` to day ``b``
        (the same as :meth:`elapsed_days` on the dates).
        """
        return _integral(self, np.asarray(day_numbers, dtype=float) - _EPOCH_TO_ORIGIN)

    def horizon_units(self, months: np.ndarray, *, time_unit: str) -> np.ndarray:
        """Seasonal time from ``end`` to ``months`` months of 365.25 / 12 days after it, in ``time_unit``."""
        days = self.end + pd.to_timedelta(np.asarray(months, dtype=float) * DAYS_PER_MONTH, unit="D")
        return self.elapsed_days(self.end, days) / unit_days(time_unit)


def no_seasonality(end: pd.Timestamp, reason: str = "not asked for") -> Seasonality:
    """A :class:`Seasonality` with ``s = 1`` (seasonal time is calendar time)."""
    return Seasonality(0.0, 0.0, pd.Timestamp(end), 0, reason)


def _days(dates) -> np.ndarray:
    values = pd.to_datetime(pd.Series(np.atleast_1d(np.asarray(dates, dtype="datetime64[ns]"))))
    return ((values - _ORIGIN) / pd.Timedelta(days=1)).to_numpy(dtype=float)


def _integral(season: Seasonality, d: np.ndarray) -> np.ndarray:
    return d + (season.cos_coef * np.sin(_OMEGA * d) - season.sin_coef * np.cos(_OMEGA * d)) / _OMEGA


def estimate_seasonality(transactions: pd.DataFrame, *, end: pd.Timestamp, min_months: int = MIN_MONTHS) -> Seasonality:
    """The yearly seasonal index of the purchase days up to ``end`` (method in the module docstring).

    Parameters
    ----------
    transactions
        Canonical transactions (``customer_id``, ``date`` datetime, ``amount``); rows after ``end`` are ignored.
    end
        The reference date (included); also the anchor of the horizons (:meth:`Seasonality.horizon_units`).
    min_months
        Fewest complete calendar months needed (at least 25: a 2 x 12 moving average needs 6 months each side).

    Returns
    -------
    Seasonality
        The estimate, or no seasonality (with its ``reason``) when the history is too short.

    Raises
    ------
    ValueError
        ``min_months`` < 25, or as :func:`~workbench.analysis.clv.prepare.purchase_days`.
    """
    if min_months < 25:
        raise ValueError(f"min_months must be >= 25 (a 2 x 12 moving average needs 6 months on each side), got {min_months}; e.g. 30")
    end = pd.Timestamp(end)
    days, _ = purchase_days(transactions, end=end)
    days = days[days["date"] > days.groupby("customer_id")["date"].transform("min")]  # repeat purchase days: a first purchase is no part of the models' process
    if days.empty:
        return no_seasonality(end, formatting.tr("there is no repeat purchase"))
    first = days["date"].min()
    month_start = first if first.day == 1 else add_months(first.to_period("M").to_timestamp(), 1)
    month_stop = (end + pd.Timedelta(days=1)).to_period("M").to_timestamp()  # first month not complete by ``end``
    months = pd.period_range(month_start, month_stop - pd.Timedelta(days=1), freq="M")
    if len(months) < min_months:
        return no_seasonality(
            end, formatting.tr("{n} complete calendar months of purchases; at least {k} are needed", n=formatting.number(len(months)), k=min_months)
        )
    counts = days.groupby(days["date"].dt.to_period("M")).size().reindex(months, fill_value=0).to_numpy(dtype=float)
    counts = counts / months.days_in_month.to_numpy() * DAYS_PER_MONTH  # per mean month: February is not a low season
    weights = np.r_[0.5, np.ones(11), 0.5] / 12
    trend = np.convolve(counts, weights, mode="valid")  # centred 2 x 12 moving average, months 6 .. n - 7
    ratios = counts[6 : 6 + len(trend)] / np.where(trend > 0, trend, np.nan)
    mid = months[6 : 6 + len(trend)].to_timestamp() + pd.to_timedelta(months[6 : 6 + len(trend)].days_in_month / 2, unit="D")
    d = _days(mid)
    ok = np.isfinite(ratios)
    design = np.column_stack([np.cos(_OMEGA * d), np.sin(_OMEGA * d)])[ok] * _MONTH_AVERAGE
    coef, *_ = np.linalg.lstsq(design, ratios[ok] - 1, rcond=None)
    a, b = (float(c) for c in coef)
    scale = min(1.0, 0.9 / max(np.hypot(a, b), 1e-12))  # keep s positive on a wild estimate
    return Seasonality(a * scale, b * scale, end, len(months))


def describe_seasonality(season: Seasonality) -> str:
    """One plain sentence on the seasonality the models use (for the page).

    Returns
    -------
    str
        The amplitude (percent of the mean rate), the peak and trough days, the months used; or why
        calendar time is used.
    """
    if season.reason:
        return formatting.tr("No seasonality is used (calendar time): {reason}.", reason=season.reason)
    peak = pd.Timestamp("2001-01-01") + pd.Timedelta(days=season.peak_day_of_year - 1)
    trough = peak + pd.Timedelta(days=183)
    return formatting.tr(
        "Estimated on {months} complete months of repeat purchase days: the purchase rate peaks around {peak} at {amplitude} above its "
        "yearly mean and is lowest around {trough} ({amplitude} below). Recency, age and the horizon are measured in seasonal time.",
        months=formatting.number(season.months),
        peak=formatting.day_month(peak),
        trough=formatting.day_month(trough),
        amplitude=formatting.percent(season.amplitude),
    )
