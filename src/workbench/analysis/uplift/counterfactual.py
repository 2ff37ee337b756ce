"""The purchase-model counterfactual: each enrolled company against what its own history predicts.

Why a third estimator
---------------------
Both comparisons of members with other companies (:mod:`.staggered`, :mod:`.matching`) fail when
only companies that are still customers enrol (the *survival* worlds of ``workbench simulate``): a
never-enrolled company with the same past purchases as a member may already be lost, so the
controls' revenue after the date is too low and the effect too high (+8,000 to +11,000 EUR per
company where the truth is 0 in the coverage benchmark). Balancing P(alive) does not help: it
balances the *probability* of being a customer, while every member is one for sure.

Design
------
- **The counterfactual of a member** over a window (year 1: the 12 calendar months after its
  enrolment month, or after ``donut_days``; year 2: the next 12) is its expected purchase days in
  the window under a BG/NBD fitted by maximum likelihood on every company's purchases before the
  launch (untreated history), computed from its own purchase days before its enrolment day, times
  its value per purchase day before that day (net revenue or margin, credit notes included, shrunk
  towards the population's value with one pseudo-purchase). Dead companies buy nothing, so the
  expectation of a company **known to be a customer** on the day is the model's expectation divided
  by its P(alive).
- **Seasonal time.** Durations (recency, age, window bounds) are measured in the seasonal time of
  :mod:`workbench.analysis.clv.season` (a yearly seasonal index of the repeat purchase days, the CLV
  page's own), so a model fitted on a high season does not over-predict a whole year. Without 30
  complete months of purchases the clock is the calendar (a note says so). Over three launch
  seasons of the simulator (10-16 seeds each, null worlds), the mean estimate in calendar time
  moved by about 1,100 EUR per company in the ``observables`` and ``latent`` worlds; in seasonal
  time by 300-600 EUR.
- **Who enrols.** A weight ``survival_weight`` (0-1) says how far enrolment required being a customer,
  from the members' own silence in year 1: the observed share of members that bought nothing is
  placed between the share expected if enrolment ignored activity, ``mean(1 - p (1 - s))``, and
  the share expected if only customers enrolled, ``mean(s)`` (``p`` P(alive), ``s`` the chance of a
  customer's silent year, Poisson at its expectation if alive). The counterfactual is
  ``(w + (1 - w) p) x expectation-if-customer``. The programme can only lower the silence of
  members further, so a large effect can push ``w`` up (the estimate down): conservative.
- **No calibration on the never-enrolled companies.** An earlier version added the model's mean
  error on never-enrolled companies to every prediction. But whatever stands in for "like a member"
  among companies that did *not* enrol is selected on what made them not enrol: where only live
  companies enrol, a never-enrolled company that looks like a member is more likely lost; where
  the invitation list was drawn on purchases the export does not hold (the year before the launch),
  a never-enrolled company with a member's recent history bought less before. On the simulated
  worlds the model's error on the never-enrolled companies almost surely still customers was
  -26 % and -32 % (``observables`` and ``survival``, seed 7) while its error on the members was a
  few percent: the correction imported the selection into the counterfactual. For the same reason
  that error is no clean check of the model, and the page does not show it.
- **Estimand.** Extra net revenue (or margin) per enrolled company (intent to treat: every company
  that enrolled, whatever its status later) with a purchase before its enrolment day, over year 1
  and year 2, for the companies observed that long.
- **Intervals.** A seeded bootstrap that redraws the members (by company) and the BG/NBD parameters
  from their estimation uncertainty (:func:`workbench.analysis.clv.latent.parameter_draws`), and with
  them the survival weight.

What it cannot see: selection on something the history does not show. When the sales team invites
on the true purchase rate (the ``latent`` worlds), members buy more than their history predicts even
without the programme, and the estimate leans high (+25 % of the effect over 50 seeds; +42 % when
only live companies enrol as well, where 20 % of the null intervals exclude 0). A market-wide
change after the launch (a downturn, a price rise) is in the members' purchases and not in the
model: the two comparisons with other companies see it, and the page says when they disagree with
the headline. The coverage benchmark (``benchmarks/uplift_coverage.py``) measures all of this on worlds that break the BG/NBD
(the ``pareto`` and ``dormant`` processes) and on every scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench import formatting as fmt
from workbench.analysis.clv.fit import ModelFit
from workbench.analysis.clv.latent import expected_between, fit_population, parameter_draws, with_parameters
from workbench.analysis.clv.season import estimate_seasonality
from workbench.analysis.uplift.sensitivity import HIDDEN_STRENGTHS, compute_hidden_selection
from workbench.formatting import tr
from workbench.periods import first_month_after

WINDOW_COLUMNS = ["window", "att", "se", "ci_low", "ci_high", "companies", "member_value", "counterfactual_value"]
Clock = Callable[[np.ndarray], np.ndarray]  # day numbers (since 1970) -> days of the model's time


def calendar_clock(day_numbers: np.ndarray) -> np.ndarray:
    """Calendar time: day numbers as they are (days)."""
    return np.asarray(day_numbers, dtype=float)


@dataclass
class CounterfactualResult:
    """What :func:`estimate_counterfactual` found.

    Attributes
    ----------
    windows
        :data:`WINDOW_COLUMNS`, one row per window (``year 1``, ``year 2``) observed for at least one
        member: ``att`` extra value per evaluated company over the window (currency), ``se`` (bootstrap
        standard deviation), ``ci_low``, ``ci_high``, ``companies`` evaluated, their mean observed
        value ``member_value`` and its counterfactual ``counterfactual_value`` (currency).
    survival_weight
        How far enrolment required being a customer (0: not at all, 1: only customers enrolled).
    controls
        Never-enrolled companies that bought before the launch.
    outcome_sd
        Standard deviation of the year-1 value of the never-enrolled companies (currency): the
        scale of the E-value.
    seasonal
        Whether durations are in seasonal time (False: calendar time, with the reason in ``notes``).
    hidden_selection
        :data:`~workbench.analysis.uplift.sensitivity.HIDDEN_SELECTION_COLUMNS`: the year-1 effect
        re-estimated as if enrolment had favoured companies with a truly higher purchase rate, at
        equal history (:func:`~workbench.analysis.uplift.sensitivity.compute_hidden_selection`).
    notes
        Plain-language facts the page shows.
    """

    windows: pd.DataFrame
    survival_weight: float
    controls: int
    outcome_sd: float = float("nan")
    seasonal: bool = False
    notes: list[str] = field(default_factory=list)
    hidden_selection: pd.DataFrame | None = None

    def year(self, n: int) -> pd.Series | None:
        """The row of ``year n`` in :attr:`windows`, or None when it could not be estimated."""
        rows = self.windows[self.windows["window"] == f"year {n}"]
        return None if rows.empty else rows.iloc[0]


@dataclass(frozen=True)
class _Ledger:
    """Purchase days and daily values of every company, sorted by (company code, day) as int64 keys."""

    buy_keys: np.ndarray
    value_keys: np.ndarray
    value_cum: np.ndarray

    @staticmethod
    def build(transactions: pd.DataFrame, codes: pd.Series, *, value: str) -> _Ledger:
        code = transactions["customer_id"].map(codes)
        keep = code.notna().to_numpy()
        tx = transactions[keep]
        day = tx["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
        key = code[keep].to_numpy(dtype=np.int64) * 1_000_000 + day
        buys = np.unique(key[tx["amount"].to_numpy() > 0])
        daily = pd.Series(tx[value].fillna(0.0).to_numpy(dtype=float)).groupby(key).sum()
        return _Ledger(buys, daily.index.to_numpy(dtype=np.int64), np.concatenate([[0.0], daily.cumsum().to_numpy()]))

    def history(self, code: np.ndarray, day: np.ndarray, clock: Clock = calendar_clock) -> pd.DataFrame:
        """``frequency, recency, T`` (weeks of ``clock``), ``days`` (purchase days) and ``value`` before each (code, day)."""
        lo = np.searchsorted(self.buy_keys, code * 1_000_000)
        hi = np.searchsorted(self.buy_keys, code * 1_000_000 + day)
        n = hi - lo
        some = n > 0
        keys = self.buy_keys if len(self.buy_keys) else np.zeros(1, dtype=np.int64)  # no purchase at all: every `some` is False
        first = clock(np.where(some, keys[np.minimum(lo, len(keys) - 1)] % 1_000_000, day))
        last = clock(np.where(some, keys[np.maximum(hi - 1, 0)] % 1_000_000, day))
        return pd.DataFrame(
            {
                "frequency": np.maximum(n - 1, 0).astype(float),
                "recency": (last - first) / 7.0,
                "T": (clock(day) - first) / 7.0,
                "days": n,
                "value": self.value_between(code, np.zeros_like(day), day),
            }
        )

    def value_between(self, code: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """Net value of each company on days ``start <= day < stop`` (day numbers)."""
        base = code * 1_000_000
        return self.value_cum[np.searchsorted(self.value_keys, base + stop)] - self.value_cum[np.searchsorted(self.value_keys, base + start)]

    def bought_between(self, code: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """Whether each company has a purchase day in ``start <= day < stop``."""
        base = code * 1_000_000
        return np.searchsorted(self.buy_keys, base + stop) > np.searchsorted(self.buy_keys, base + start)


def _days(dates) -> np.ndarray:
    return pd.DatetimeIndex(dates).to_numpy(dtype="datetime64[D]").astype(np.int64)


def _rows(ledger: _Ledger, code: np.ndarray, dates: pd.DatetimeIndex, *, donut_days: int, pop_value: float, clock: Clock) -> pd.DataFrame:
    """History at each date and, per window, its value, its bounds (weeks of ``clock`` after the date) and silence."""
    day = _days(dates)
    out = ledger.history(code, day, clock)
    out["code"], out["day"] = code, day
    out["per_day"] = (out["value"] + pop_value) / (out["days"] + 1)
    start = first_month_after(dates, days=donut_days)  # year 1 starts as the truth's event month 1
    now = clock(day)
    for k in (1, 2):
        a = _days(start + pd.DateOffset(months=12 * (k - 1)))
        b = _days(start + pd.DateOffset(months=12 * k))
        out[f"a{k}"], out[f"b{k}"] = a, b
        out[f"wa{k}"], out[f"wb{k}"] = (clock(a) - now) / 7.0, (clock(b) - now) / 7.0
        out[f"y{k}"] = ledger.value_between(code, a, b)
    out["silent1"] = ~ledger.bought_between(code, out["a1"].to_numpy(), out["b1"].to_numpy())
    return out


def _state(rows: pd.DataFrame, fit, k: int) -> pd.DataFrame:
    return expected_between(rows, fit=fit, start_weeks=rows[f"wa{k}"].to_numpy(), end_weeks=rows[f"wb{k}"].to_numpy())


def silent_shares(p_alive: np.ndarray, expected_if_alive: np.ndarray) -> tuple[float, float]:
    """The share of companies expected to buy nothing over a window, under the two hypotheses on who enrols.

    Parameters
    ----------
    p_alive
        Each company's P(alive) on its date (0-1).
    expected_if_alive
        Its expected purchase days over the window if alive (the model's expectation / P(alive)).

    Returns
    -------
    (float, float)
        Enrolment ignores activity: ``mean(1 - p (1 - s))``; only customers enrol: ``mean(s)``, with
        ``s = exp(-expected_if_alive)`` a customer's chance of a silent window (Poisson). Fractions (0-1).
    """
    s = np.exp(-np.asarray(expected_if_alive, dtype=float))
    return float(np.mean(1 - np.asarray(p_alive, dtype=float) * (1 - s))), float(np.mean(s))


def survival_weight(silent: np.ndarray, p_alive: np.ndarray, expected_if_alive: np.ndarray) -> float:
    """How far enrolment required being a customer, from the members' silent share (0-1; see the module docstring)."""
    ignores, only = silent_shares(p_alive, expected_if_alive)
    if ignores - only <= 1e-9:
        return 0.0
    return float(np.clip((ignores - float(np.mean(silent))) / (ignores - only), 0.0, 1.0))


def _if_customer(rows: pd.DataFrame, state: pd.DataFrame, per_day: str = "per_day") -> tuple[np.ndarray, np.ndarray]:
    """P(alive) on the date (clipped away from 0) and the expected value over the window of a company known to be a customer."""
    p_alive = state["p_alive"].to_numpy().clip(1e-6)
    return p_alive, rows[per_day].to_numpy() * state["expected_purchases"].to_numpy() / p_alive


def _estimate(members: pd.DataFrame, fit, suffixes: tuple[str, ...] = ("",)) -> dict:
    """Point estimate on given members and model: ``weight``, and by year ``(att, member value, counterfactual)``.

    The model's quantities (P(alive), expected purchases, the survival weight) do not depend on the
    value; each value (its columns ``per_day{suffix}``, ``y1{suffix}``, ``y2{suffix}``) reuses them.
    With one suffix the result is one dict; with several, one dict per suffix.
    """
    sm1 = _state(members, fit, 1)
    pa1 = sm1["p_alive"].to_numpy().clip(1e-6)
    w = survival_weight(members["silent1"].to_numpy(), pa1, sm1["expected_purchases"].to_numpy() / pa1)
    out: dict = {sfx: {"weight": w} for sfx in suffixes}
    for k in (1, 2):
        mk = members[members[f"seen{k}"]]
        if mk.empty:
            continue
        state = sm1 if k == 1 else _state(mk, fit, k)
        for sfx in suffixes:
            p_alive, if_customer = _if_customer(mk, state, f"per_day{sfx}")
            cf = (w + (1 - w) * p_alive) * if_customer
            y = mk[f"y{k}{sfx}"].to_numpy()
            out[sfx][k] = (float(np.mean(y - cf)), float(np.mean(y)), float(np.mean(cf)))
    return out if len(suffixes) > 1 else out[suffixes[0]]


def estimate_counterfactual(
    transactions: pd.DataFrame,
    companies: pd.DataFrame,
    *,
    end: pd.Timestamp,
    launch: pd.Timestamp,
    donut_days: int = 0,
    value: str = "amount",
    seasonal: bool = True,
    pseudo_dates: int = 4,
    n_bootstrap: int = 199,
    ci_level: float = 0.95,
    seed: int = 42,
) -> CounterfactualResult:
    """Extra value per enrolled company in year 1 and year 2 against its purchase-model counterfactual.

    Parameters
    ----------
    transactions
        ``customer_id, date, amount`` (and ``margin`` when ``value="margin"``), all history.
    companies
        ``customer_id, enrolled_on`` of every company (NaT: never enrolled).
    end, launch
        The reference date and the programme's launch (the model is fitted on purchases before it).
    donut_days
        Days after the enrolment day left out before year 1 starts (year 1 always starts on the
        first day of the month after the enrolment month).
    value
        ``amount`` (net revenue) or ``margin``.
    seasonal
        Measure durations in seasonal time when the history allows it (see the module docstring).
    pseudo_dates
        Pseudo-enrolment dates drawn per never-enrolled company, among the members' enrolment dates,
        for the scale of the E-value (the spread of a year's value of a never-enrolled company).
    n_bootstrap, ci_level, seed
        Bootstrap draws, confidence level (0-1) and seed.

    Returns
    -------
    CounterfactualResult

    Raises
    ------
    ValueError
        No enrolled company with a purchase before enrolling is observed 12 months after its
        enrolment month, or no never-enrolled company bought before the launch.
    """
    kwargs = dict(end=end, launch=launch, donut_days=donut_days, seasonal=seasonal, pseudo_dates=pseudo_dates)
    return estimate_counterfactuals(transactions, companies, values=(value,), n_bootstrap=n_bootstrap, ci_level=ci_level, seed=seed, **kwargs)[value]


def estimate_counterfactuals(
    transactions: pd.DataFrame,
    companies: pd.DataFrame,
    *,
    end: pd.Timestamp,
    launch: pd.Timestamp,
    values: tuple[str, ...] = ("amount",),
    donut_days: int = 0,
    seasonal: bool = True,
    pseudo_dates: int = 4,
    n_bootstrap: int = 199,
    ci_level: float = 0.95,
    seed: int = 42,
) -> dict[str, CounterfactualResult]:
    """:func:`estimate_counterfactual` of several values (``amount``, ``margin``) in one pass.

    The seasonality, the population model, the pseudo-dates, the bootstrap draws (members and model
    parameters) and the model's expectations per draw do not depend on the value: they are computed
    once. Each value's result is the one :func:`estimate_counterfactual` gives for it alone (the same
    seed gives the same draws).

    Parameters
    ----------
    values
        Columns of ``transactions`` to estimate the effect on (the first one decides nothing else).
    transactions, companies, end, launch, donut_days, seasonal, pseudo_dates, n_bootstrap, ci_level, seed
        As :func:`estimate_counterfactual`.

    Returns
    -------
    dict[str, CounterfactualResult]
        By value.

    Raises
    ------
    ValueError
        As :func:`estimate_counterfactual`.
    """
    end, launch = pd.Timestamp(end), pd.Timestamp(launch)
    ids = companies["customer_id"].astype(str).to_numpy()
    codes = pd.Series(np.arange(len(ids), dtype=np.int64), index=ids)
    tx = transactions.assign(customer_id=transactions["customer_id"].astype(str))
    ledgers = {v: _Ledger.build(tx, codes, value=v) for v in values}
    clock, notes = _clock(tx, end=end, seasonal=seasonal)
    launch_day = np.full(len(ids), _days([launch])[0])
    at_launch = {v: ledgers[v].history(codes.to_numpy(), launch_day, clock) for v in values}
    first = at_launch[values[0]]
    buyers = first[(first["days"] > 0).to_numpy()]
    if not (buyers["T"] > 0).any():
        raise ValueError(tr("no company bought before the launch: the purchase model that predicts each member has nothing to learn from"))
    fit = fit_population(buyers.loc[buyers["T"] > 0, ["frequency", "recency", "T"]])
    if fit.penalizer > 0:
        notes.append(
            tr(
                "On {n} companies that bought before the launch, the purchase model could not be fitted by maximum likelihood alone "
                "(its dropout not identified, or no convergence); it is fitted with a small penalty (lifetimes' {penalty}), which "
                "leans this estimate low on larger clients.",
                n=fmt.number(fit.n_customers),
                penalty=fmt.number(fit.penalizer, 3),
            )
        )
    buying = (first["days"] > 0).to_numpy()
    pop_value = {v: float(at_launch[v]["value"][buying].sum() / max(buyers["days"].sum(), 1)) for v in values}
    rows = {v: dict(donut_days=donut_days, pop_value=pop_value[v], clock=clock) for v in values}
    members, member_notes = _with_values(values, lambda v: _members(ledgers[v], companies, codes, end=end, **rows[v]))
    never = companies["enrolled_on"].isna().to_numpy() & buying
    if not never.any():
        raise ValueError("no never-enrolled company bought before the launch: the effect has no scale to be read against (E-value)")
    rng = np.random.default_rng(seed)
    c_codes = np.repeat(codes.to_numpy()[never], pseudo_dates)
    pseudo = pd.DatetimeIndex(rng.choice(members["date"].to_numpy(), size=len(c_codes)))
    sds = {v: float(_mark_seen(_rows(ledgers[v], c_codes, pseudo, **rows[v]), end)["y1"].std()) for v in values}
    suffixes = tuple(_suffix(values, v) for v in values)
    point = _by_suffix(members, fit, suffixes)
    boots = _bootstrap(members, fit, n=n_bootstrap, rng=rng, suffixes=suffixes)
    tilted = {g: _by_suffix(members, tilted_fit(fit, g), suffixes) if g else point for g in HIDDEN_STRENGTHS}
    out = {}
    for v, sfx in zip(values, suffixes):
        b = [draw[sfx] for draw in boots] if len(values) > 1 else boots
        windows = _windows(point[sfx], b, members, ci_level=ci_level)  # members: only who is seen each year
        y1 = windows.iloc[0]
        hidden = compute_hidden_selection({g: t[sfx][1][0] for g, t in tilted.items()}, ci_low=y1["ci_low"], ci_high=y1["ci_high"])
        out[v] = CounterfactualResult(
            windows, point[sfx]["weight"], int(never.sum()), sds[v], clock is not calendar_clock, notes + member_notes + _failed(b, n_bootstrap), hidden
        )
    return out


def tilted_fit(fit: ModelFit, strength: float) -> ModelFit:
    """The population model as the prior of a company selected with odds proportional to ``lambda ** strength``.

    Enrolment that favours a truly higher purchase rate ``lambda`` at equal history, with odds
    ``lambda ** strength``, turns the Gamma(``r``, ``alpha``) prior of a member's rate into
    Gamma(``r + strength``, ``alpha``): its posterior given its purchases is the BG/NBD's with
    ``r + strength`` (exact within the model; the dropout's Beta prior is unchanged).
    """
    params = fit.model.params_.to_dict()
    return with_parameters(fit, {**params, "r": params["r"] + strength}) if strength else fit


def _by_suffix(members: pd.DataFrame, fit, suffixes: tuple[str, ...]) -> dict:
    """:func:`_estimate` keyed by suffix, also for a single value."""
    return _estimate(members, fit, suffixes) if len(suffixes) > 1 else {suffixes[0]: _estimate(members, fit)}


def _suffix(values: tuple[str, ...], value: str) -> str:
    """Column suffix of a value's columns in the shared members frame (none for the first)."""
    return "" if value == values[0] else f":{value}"


def _with_values(values: tuple[str, ...], members_of) -> tuple[pd.DataFrame, list[str]]:
    """The members frame of the first value, with the value columns of the others added under their suffix."""
    members, notes = members_of(values[0])
    for v in values[1:]:
        extra, _ = members_of(v)  # the same companies in the same order: who is evaluated does not depend on the value
        for c in ("y1", "y2", "per_day"):
            members[f"{c}{_suffix(values, v)}"] = extra[c].to_numpy()
    return members, notes


def _failed(boots: list[dict], n: int) -> list[str]:
    failed = sum(not np.isfinite(b[1][0]) for b in boots if 1 in b)
    if not failed:
        return []
    return [
        tr(
            "{failed} of {n} bootstrap draws gave no finite estimate (purchase-model parameters drawn where its expectations "
            "overflow) and are left out of the interval.",
            failed=fmt.number(failed),
            n=fmt.number(n),
        )
    ]


def _clock(transactions: pd.DataFrame, *, end: pd.Timestamp, seasonal: bool) -> tuple[Clock, list[str]]:
    """The model's clock: seasonal time when asked for and estimable, else the calendar (with the reason)."""
    if not seasonal:
        return calendar_clock, []
    season = estimate_seasonality(transactions, end=end)
    if season.reason:
        return calendar_clock, [tr("The purchase model runs in calendar time: {reason}.", reason=season.reason)]
    return season.clock, []


def _mark_seen(rows: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    last = _days([end])[0] + 1
    return rows.assign(seen1=rows["b1"] <= last, seen2=rows["b2"] <= last)


def _members(ledger: _Ledger, companies: pd.DataFrame, codes: pd.Series, *, end, **rows) -> tuple[pd.DataFrame, list[str]]:
    """The evaluated enrolled companies (a purchase before enrolling, year 1 observed), and notes on the others."""
    enrolled = companies.dropna(subset=["enrolled_on"])
    dates = pd.DatetimeIndex(pd.to_datetime(enrolled["enrolled_on"]))
    out = _mark_seen(_rows(ledger, codes.loc[enrolled["customer_id"].astype(str)].to_numpy(), dates, **rows), end)
    out["date"] = dates
    notes = []
    no_history = out["days"] == 0
    if no_history.any():
        notes.append(tr("{n} enrolled companies with no purchase before enrolling are left out: no history to predict from.", n=int(no_history.sum())))
    keep = ~no_history & out["seen1"]
    if not keep.any():
        raise ValueError("no enrolled company with a purchase before enrolling is observed for 12 months after its enrolment month yet")
    return out[keep].reset_index(drop=True), notes


def _bootstrap(members: pd.DataFrame, fit, *, n: int, rng: np.random.Generator, suffixes: tuple[str, ...] = ("",)) -> list[dict]:
    """Redraw the members (by company) and the model's parameters ``n`` times (every value of ``suffixes`` on the same draws)."""
    nm = len(members)
    draws = parameter_draws(fit, n=n, rng=rng)
    return [_estimate(members.iloc[rng.integers(0, nm, nm)], with_parameters(fit, params), suffixes) for params in draws]


def _windows(point: dict, boots: list[dict], members: pd.DataFrame, *, ci_level: float) -> pd.DataFrame:
    rows = []
    for k in (1, 2):
        if k not in point:
            continue
        draws = np.array([b[k][0] for b in boots if k in b])
        draws = draws[np.isfinite(draws)]
        lo, hi = np.quantile(draws, [(1 - ci_level) / 2, (1 + ci_level) / 2]) if len(draws) else (np.nan, np.nan)
        att, y, cf = point[k]
        rows.append((f"year {k}", att, float(np.std(draws, ddof=1)) if len(draws) > 1 else np.nan, float(lo), float(hi), int(members[f"seen{k}"].sum()), y, cf))
    return pd.DataFrame(rows, columns=WINDOW_COLUMNS)
