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
  the window under a BG/NBD fitted on every company's purchases before the launch (untreated
  history), computed from its own purchase days before its enrolment day, times its value per
  purchase day before that day (net revenue or margin, credit notes included, shrunk towards the
  population's value with one pseudo-purchase). Dead companies buy nothing, so the expectation of a
  company **known to be a customer** on the day is the model's expectation divided by its P(alive).
- **Who enrols.** A weight ``survival_weight`` (0-1) says how far enrolment required being a customer,
  from the members' own silence in year 1: the observed share of members that bought nothing is
  placed between the share expected if enrolment ignored activity, ``mean(1 - p (1 - s))``, and
  the share expected if only customers enrolled, ``mean(s)`` (``p`` P(alive), ``s`` the chance of a
  customer's silent year, Poisson at its expectation if alive). The counterfactual is
  ``(w + (1 - w) p) x expectation-if-customer``. The programme can only lower the silence of
  members further, so a large effect can push ``w`` up (the estimate down): conservative.
- **Calibration.** The model is not the world (seasonality, trends, a wrong lifetime law): its
  average error is measured on never-enrolled companies that are almost surely customers
  (P(alive) above ``alive_threshold``) at pseudo-enrolment dates drawn among the members'
  enrolment days (``pseudo_dates`` per company), and added to every member's expectation. Those
  companies are where a lost customer cannot hide among the controls.
- **Estimand.** Extra net revenue (or margin) per enrolled company (intent to treat: every company
  that enrolled, whatever its status later) with a purchase before its enrolment day, over year 1
  and year 2, for the companies observed that long.
- **Intervals.** A seeded bootstrap that redraws everything random: members and controls
  (resampled by company), each control's pseudo-date among its draws, the BG/NBD parameters from
  their estimation uncertainty (:func:`workbench.analysis.clv.latent.parameter_draws`), and with
  them the survival weight and the calibration.

What it cannot see: a purchase process whose future the model cannot extrapolate for members in a
way the calibration on controls corrects (members are bigger and more active than the average
control), and selection on something that changes members' purchases after enrolment without
showing in their history. The coverage benchmark (``benchmarks/uplift_coverage.py``) measures it on
worlds that break the BG/NBD (the ``pareto`` and ``dormant`` processes) and on every scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.analysis.clv.latent import expected_between, fit_population, parameter_draws, with_parameters
from workbench.formatting import tr
from workbench.periods import first_month_after

WINDOW_COLUMNS = ["window", "att", "se", "ci_low", "ci_high", "companies", "member_value", "counterfactual_value"]
_DAY = np.int64(86_400_000_000_000)  # nanoseconds


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
    calibration
        The model's mean error on the calibration controls, by window (currency per company).
    controls, calibration_rows
        Never-enrolled companies that bought before the launch, and among their pseudo-dates those
        above the P(alive) threshold (the rows the calibration uses).
    outcome_sd
        Standard deviation of the year-1 value of the never-enrolled companies (currency): the
        scale of the E-value.
    notes
        Plain-language facts the page shows.
    """

    windows: pd.DataFrame
    survival_weight: float
    calibration: dict[str, float]
    controls: int
    calibration_rows: int
    outcome_sd: float = float("nan")
    notes: list[str] = field(default_factory=list)

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

    def history(self, code: np.ndarray, day: np.ndarray) -> pd.DataFrame:
        """``frequency, recency, T`` (weeks), ``days`` (purchase days) and ``value`` before each (code, day)."""
        lo = np.searchsorted(self.buy_keys, code * 1_000_000)
        hi = np.searchsorted(self.buy_keys, code * 1_000_000 + day)
        n = hi - lo
        some = n > 0
        keys = self.buy_keys if len(self.buy_keys) else np.zeros(1, dtype=np.int64)  # no purchase at all: every `some` is False
        first = np.where(some, keys[np.minimum(lo, len(keys) - 1)] % 1_000_000, day)
        last = np.where(some, keys[np.maximum(hi - 1, 0)] % 1_000_000, day)
        return pd.DataFrame(
            {
                "frequency": np.maximum(n - 1, 0).astype(float),
                "recency": (last - first) / 7.0,
                "T": (day - first) / 7.0,
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


def _rows(ledger: _Ledger, code: np.ndarray, dates: pd.DatetimeIndex, *, donut_days: int, pop_value: float) -> pd.DataFrame:
    """History at each date and the value, bounds (weeks after the date) and silence of each window."""
    day = _days(dates)
    out = ledger.history(code, day)
    out["code"], out["day"] = code, day
    out["per_day"] = (out["value"] + pop_value) / (out["days"] + 1)
    start = first_month_after(dates, days=donut_days)  # year 1 starts as the truth's event month 1
    for k in (1, 2):
        a = start + pd.DateOffset(months=12 * (k - 1))
        b = start + pd.DateOffset(months=12 * k)
        out[f"a{k}"], out[f"b{k}"] = _days(a), _days(b)
        out[f"y{k}"] = ledger.value_between(code, out[f"a{k}"].to_numpy(), out[f"b{k}"].to_numpy())
    out["silent1"] = ~ledger.bought_between(code, out["a1"].to_numpy(), out["b1"].to_numpy())
    return out


def _state(rows: pd.DataFrame, fit, k: int) -> pd.DataFrame:
    weeks = lambda col: (rows[col].to_numpy() - rows["day"].to_numpy()) / 7.0  # noqa: E731
    return expected_between(rows, fit=fit, start_weeks=weeks(f"a{k}"), end_weeks=weeks(f"b{k}"))


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


def _estimate(members: pd.DataFrame, controls: pd.DataFrame, fit, *, threshold: float) -> dict:
    """Point estimate on given rows and model: ``weight``, and by year ``(att, member value, counterfactual, calibration)``."""
    sm1 = _state(members, fit, 1)
    pa1 = sm1["p_alive"].to_numpy().clip(1e-6)
    w = survival_weight(members["silent1"].to_numpy(), pa1, sm1["expected_purchases"].to_numpy() / pa1)
    out: dict = {"weight": w}
    for k in (1, 2):
        mk, ck = members[members[f"seen{k}"]], controls[controls[f"seen{k}"]]
        if mk.empty or ck.empty:
            continue
        sm, sc = (sm1, None) if k == 1 else (_state(mk, fit, k), None)
        sc = _state(ck, fit, k)
        pa_m, pa_c = sm["p_alive"].to_numpy().clip(1e-6), sc["p_alive"].to_numpy().clip(1e-6)
        if_alive_c = ck["per_day"].to_numpy() * sc["expected_purchases"].to_numpy() / pa_c
        sure = pa_c > threshold
        calib = float(np.mean(ck[f"y{k}"].to_numpy()[sure] - if_alive_c[sure])) if sure.any() else 0.0
        if_alive_m = mk["per_day"].to_numpy() * sm["expected_purchases"].to_numpy() / pa_m
        cf = (w + (1 - w) * pa_m) * (if_alive_m + calib)
        y = mk[f"y{k}"].to_numpy()
        out[k] = (float(np.mean(y - cf)), float(np.mean(y)), float(np.mean(cf)), calib)
    return out


def estimate_counterfactual(
    transactions: pd.DataFrame,
    companies: pd.DataFrame,
    *,
    end: pd.Timestamp,
    launch: pd.Timestamp,
    donut_days: int = 0,
    value: str = "amount",
    pseudo_dates: int = 4,
    alive_threshold: float = 0.9,
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
    pseudo_dates
        Pseudo-enrolment dates drawn per never-enrolled company for the calibration.
    alive_threshold
        P(alive) above which a never-enrolled company counts as almost surely a customer (0-1).
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
    end, launch = pd.Timestamp(end), pd.Timestamp(launch)
    ids = companies["customer_id"].astype(str).to_numpy()
    codes = pd.Series(np.arange(len(ids), dtype=np.int64), index=ids)
    ledger = _Ledger.build(transactions.assign(customer_id=transactions["customer_id"].astype(str)), codes, value=value)
    at_launch = ledger.history(codes.to_numpy(), np.full(len(ids), _days([launch])[0]))
    buyers = at_launch[(at_launch["days"] > 0).to_numpy()]
    if not (buyers["T"] > 0).any():
        raise ValueError(tr("no company bought before the launch: the purchase model that predicts each member has nothing to learn from"))
    fit = fit_population(buyers.loc[buyers["T"] > 0, ["frequency", "recency", "T"]])
    pop_value = float(buyers["value"].sum() / max(buyers["days"].sum(), 1))
    members, notes = _members(ledger, companies, codes, end=end, donut_days=donut_days, pop_value=pop_value)
    rng = np.random.default_rng(seed)
    never = companies["enrolled_on"].isna().to_numpy() & (at_launch["days"] > 0).to_numpy()
    if not never.any():
        raise ValueError("no never-enrolled company bought before the launch: the purchase model cannot be calibrated")
    c_codes = np.repeat(codes.to_numpy()[never], pseudo_dates)
    pseudo = pd.DatetimeIndex(rng.choice(members["date"].to_numpy(), size=len(c_codes)))
    controls = _mark_seen(_rows(ledger, c_codes, pseudo, donut_days=donut_days, pop_value=pop_value), end)
    point = _estimate(members, controls, fit, threshold=alive_threshold)
    boots = _bootstrap(members, controls, fit, pseudo_dates=pseudo_dates, threshold=alive_threshold, n=n_bootstrap, rng=rng)
    windows = _windows(point, boots, members, ci_level=ci_level)
    failed = sum(not np.isfinite(b[1][0]) for b in boots if 1 in b)
    if failed:
        notes.append(
            f"{failed} of {n_bootstrap} bootstrap draws gave no finite estimate (purchase-model parameters drawn where its "
            "expectations overflow) and are left out of the interval."
        )
    n_sure = int((_state(controls, fit, 1)["p_alive"] > alive_threshold).sum())
    calibration = {f"year {k}": point[k][3] for k in (1, 2) if k in point}
    sd = float(controls["y1"].std())
    return CounterfactualResult(windows, point["weight"], calibration, int(never.sum()), n_sure, sd, notes)


def _mark_seen(rows: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    last = _days([end])[0] + 1
    return rows.assign(seen1=rows["b1"] <= last, seen2=rows["b2"] <= last)


def _members(ledger: _Ledger, companies: pd.DataFrame, codes: pd.Series, *, end, donut_days: int, pop_value: float) -> tuple[pd.DataFrame, list[str]]:
    """The evaluated enrolled companies (a purchase before enrolling, year 1 observed), and notes on the others."""
    enrolled = companies.dropna(subset=["enrolled_on"])
    dates = pd.DatetimeIndex(pd.to_datetime(enrolled["enrolled_on"]))
    rows = _mark_seen(_rows(ledger, codes.loc[enrolled["customer_id"].astype(str)].to_numpy(), dates, donut_days=donut_days, pop_value=pop_value), end)
    rows["date"] = dates
    notes = []
    no_history = rows["days"] == 0
    if no_history.any():
        notes.append(tr("{n} enrolled companies with no purchase before enrolling are left out: no history to predict from.", n=int(no_history.sum())))
    keep = ~no_history & rows["seen1"]
    if not keep.any():
        raise ValueError("no enrolled company with a purchase before enrolling is observed for 12 months after its enrolment month yet")
    return rows[keep].reset_index(drop=True), notes


def _bootstrap(members, controls, fit, *, pseudo_dates: int, threshold: float, n: int, rng: np.random.Generator) -> list[dict]:
    """Redraw members, controls, each control's pseudo-date and the model's parameters ``n`` times."""
    nm, nc = len(members), len(controls) // pseudo_dates
    out = []
    for params in parameter_draws(fit, n=n, rng=rng):
        m = members.iloc[rng.integers(0, nm, nm)]
        c = controls.iloc[rng.integers(0, nc, nc) * pseudo_dates + rng.integers(0, pseudo_dates, nc)]
        out.append(_estimate(m, c, with_parameters(fit, params), threshold=threshold))
    return out


def _windows(point: dict, boots: list[dict], members: pd.DataFrame, *, ci_level: float) -> pd.DataFrame:
    rows = []
    for k in (1, 2):
        if k not in point:
            continue
        draws = np.array([b[k][0] for b in boots if k in b])
        draws = draws[np.isfinite(draws)]
        lo, hi = np.quantile(draws, [(1 - ci_level) / 2, (1 + ci_level) / 2]) if len(draws) else (np.nan, np.nan)
        att, y, cf, _ = point[k]
        rows.append((f"year {k}", att, float(np.std(draws, ddof=1)) if len(draws) > 1 else np.nan, float(lo), float(hi), int(members[f"seen{k}"].sum()), y, cf))
    return pd.DataFrame(rows, columns=WINDOW_COLUMNS)
