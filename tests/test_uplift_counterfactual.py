"""Tests of the purchase-model counterfactual (the uplift page's headline estimator).

Hand-worked cases for the history it reads and for the survival weight; simulated worlds with a
known truth (computed by the simulator from factual and counterfactual worlds on the same random
numbers, apart from the estimator) for each scenario and its null variant.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.uplift.counterfactual import _Ledger, _rows, calendar_clock, estimate_counterfactual, survival_weight

D = pd.Timestamp


def _tx(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(date=lambda d: pd.to_datetime(d["date"]))


def test_the_history_and_the_windows_by_hand():
    # A buys on 2023-01-02, 2023-01-16 (two rows, one day), 2023-03-06, gets a credit note on 2023-03-20, enrols on
    # 2023-04-10; year 1 runs from 2023-05-01 to 2024-04-30 (the enrolment month left out).
    tx = _tx(
        [
            ("A", "2023-01-02", 100.0),
            ("A", "2023-01-16", 50.0),
            ("A", "2023-01-16", 30.0),
            ("A", "2023-03-06", 200.0),
            ("A", "2023-03-20", -40.0),
            ("A", "2023-04-20", 999.0),  # in the enrolment month: in neither window
            ("A", "2023-05-01", 70.0),
            ("A", "2024-04-30", 10.0),
            ("A", "2024-05-01", 5.0),  # year 2
        ]
    )
    ledger = _Ledger.build(tx, pd.Series([0], index=["A"]), value="amount")
    rows = _rows(ledger, np.array([0]), pd.DatetimeIndex([D("2023-04-10")]), donut_days=0, pop_value=100.0, clock=calendar_clock)
    r = rows.iloc[0]
    assert r["days"] == 3 and r["frequency"] == 2  # three purchase days (the credit note is not a purchase)
    assert r["recency"] == pytest.approx(63 / 7) and r["T"] == pytest.approx(98 / 7)  # 2023-01-02 -> 03-06, -> 04-10
    assert r["value"] == pytest.approx(340.0)  # 100 + 80 + 200 - 40
    assert r["per_day"] == pytest.approx((340.0 + 100.0) / 4)  # one pseudo-purchase at the population's 100
    assert r["y1"] == pytest.approx(80.0) and r["y2"] == pytest.approx(5.0)
    assert not r["silent1"]


def test_the_donut_moves_year_one_past_the_left_out_days():
    tx = _tx([("A", "2023-01-02", 100.0), ("A", "2023-05-15", 70.0), ("A", "2023-06-15", 20.0)])
    ledger = _Ledger.build(tx, pd.Series([0], index=["A"]), value="amount")
    rows = _rows(ledger, np.array([0]), pd.DatetimeIndex([D("2023-04-10")]), donut_days=30, pop_value=0.0, clock=calendar_clock)
    # 2023-04-10 + 30 days = 2023-05-10: year 1 starts on 2023-06-01
    assert rows.iloc[0]["y1"] == pytest.approx(20.0)


@pytest.mark.parametrize(
    "silent,expected",
    [
        (np.array([True, False, False, False]), 1.0),  # the share expected if only customers enrol (exp(-ln 4) = 0.25)
        (np.array([True, True, True, False]), 0.0),  # at or above the share expected if enrolment ignores activity
        (np.array([True, True, False, False]), None),  # between: by hand below
    ],
)
def test_the_survival_weight_by_hand(silent, expected):
    p_alive = np.full(4, 0.5)
    if_alive = np.full(4, np.log(4.0))  # a customer's silent year has probability 1/4
    # ignores = 1 - 0.5 * 0.75 = 0.625, only = 0.25
    got = survival_weight(silent, p_alive, if_alive)
    want = (0.625 - 0.5) / (0.625 - 0.25) if expected is None else expected
    assert got == pytest.approx(want)


def test_no_enrolled_company_observed_for_a_year_is_refused():
    tx = _tx([("A", "2023-01-02", 100.0), ("B", "2023-01-05", 80.0), ("B", "2023-02-05", 80.0)])
    companies = pd.DataFrame({"customer_id": ["A", "B"], "enrolled_on": pd.to_datetime(["2023-06-01", None])})
    with pytest.raises(ValueError, match="observed for 12 months"):
        estimate_counterfactual(tx, companies, end=D("2023-12-31"), launch=D("2023-05-01"), n_bootstrap=9)


def _world(scenario: str, null: bool, seed: int, n: int = 2000):
    from workbench.simulate import simulate

    sim = simulate(n_customers=n, seed=seed, scenario=scenario, null=null, dirty=False)
    tx = sim.tables["transactions"].assign(date=lambda d: pd.to_datetime(d["date"]))
    companies = sim.tables["customers"].assign(enrolled_on=lambda d: pd.to_datetime(d["enrolled_on"]))[["customer_id", "enrolled_on"]]
    return tx, companies, sim.truth


WORLDS = [(s, null) for s in ("observables", "latent", "survival", "latent_survival", "signup", "fading") for null in (False, True)]
KNOWN_MISSES = {
    ("latent_survival", True): (
        "the known miss: selection on the latent rate and on survival at once, +42 % bias over 50 seeds and null intervals excluding 0 "
        "in 20 % of them (benchmarks/results/uplift_headline_coverage.md)"
    )
}


@pytest.mark.slow
@pytest.mark.parametrize(
    "scenario,null",
    [pytest.param(s, n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[s, n])) if (s, n) in KNOWN_MISSES else (s, n) for s, n in WORLDS],
    ids=[f"{s}-{'null' if n else 'effect'}" for s, n in WORLDS],
)
def test_the_interval_covers_the_truth_in_each_world(scenario, null):
    """Seed 101 for every world (chosen before looking; the benchmark gives the rates over many seeds)."""
    tx, companies, truth = _world(scenario, null, 101)
    res = estimate_counterfactual(tx, companies, end=D(truth["end"]), launch=D(truth["programme_launch"]), n_bootstrap=199, seed=101)
    y1 = res.year(1)
    assert y1["ci_low"] <= truth["uplift_year1_att"] <= y1["ci_high"], (y1.to_dict(), truth["uplift_year1_att"])


def test_the_estimate_is_seeded():
    tx = _tx([(c, d, a) for c, d, a in _small_rows()])
    companies = pd.DataFrame({"customer_id": [f"C{i}" for i in range(40)], "enrolled_on": pd.to_datetime(["2023-03-15"] * 10 + [None] * 30)})
    kw = dict(end=D("2024-12-31"), launch=D("2023-03-01"), n_bootstrap=29, seed=5)
    a, b = estimate_counterfactual(tx, companies, **kw), estimate_counterfactual(tx, companies, **kw)
    pd.testing.assert_frame_equal(a.windows, b.windows)


def _small_rows():
    rng = np.random.default_rng(0)
    for i in range(40):
        days = np.sort(rng.choice(np.arange(0, 1000), size=8 + i % 5, replace=False))
        for d in days:
            yield f"C{i}", (D("2022-01-01") + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d"), float(rng.integers(50, 500))


def test_no_purchase_before_the_launch_is_refused():
    tx = _tx([("A", "2023-01-02", -100.0), ("B", "2023-01-05", -80.0)])  # credit notes only: no purchase at all
    companies = pd.DataFrame({"customer_id": ["A", "B"], "enrolled_on": pd.to_datetime(["2023-03-01", None])})
    with pytest.raises(ValueError, match="no company bought before the launch"):
        estimate_counterfactual(tx, companies, end=D("2024-12-31"), launch=D("2023-02-01"), n_bootstrap=9)


def _bgnbd_summary(n: int, weeks: float, *, r: float, alpha: float, a: float, b: float, seed: int) -> pd.DataFrame:
    """Customers drawn from the BG/NBD's own story (Fader, Hardie & Lee 2005), written here apart from the code under test.

    Each customer makes a first purchase at 0, then purchases at rate lambda ~ Gamma(r, alpha) and, after each
    repeat purchase, drops out with probability p ~ Beta(a, b); all are observed for ``weeks``.
    """
    rng = np.random.default_rng(seed)
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    x, tx = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = rng.exponential(1 / lam[i])
        while t <= weeks:
            x[i], tx[i] = x[i] + 1, t
            if rng.random() < p[i]:
                break
            t += rng.exponential(1 / lam[i])
    return pd.DataFrame({"frequency": x, "recency": tx, "T": np.full(n, weeks)})


@pytest.mark.parametrize("seed", [1, 2])
def test_the_population_model_recovers_the_dropout_of_its_own_world(seed):
    """The population BG/NBD is a maximum-likelihood fit: lifetimes' L2 penalty (0.001) pulled b from 6 to about 3 here."""
    from workbench.analysis.clv.latent import fit_population

    truth = {"r": 0.9, "alpha": 6.0, "a": 0.8, "b": 6.0}
    got = fit_population(_bgnbd_summary(2000, 104.0, **truth, seed=seed)).model.params_
    for name, value in truth.items():
        assert got[name] == pytest.approx(value, rel=0.2), (name, got.to_dict())


def test_the_seasonal_clock_by_hand():
    from workbench.analysis.clv.season import Seasonality

    season = Seasonality(cos_coef=0.2, sin_coef=0.0, end=D("2024-12-31"), months=36)
    a, b = _day("2023-01-01"), _day("2023-04-01")
    w = 2 * np.pi / 365.25
    da, db = a - _day("2000-01-01"), b - _day("2000-01-01")  # the harmonic's origin is 1 January 2000
    by_hand = (db - da) + 0.2 * (np.sin(w * db) - np.sin(w * da)) / w  # the integral of 1 + 0.2 cos(w d)
    assert season.clock(np.array([b]))[0] - season.clock(np.array([a]))[0] == pytest.approx(by_hand)
    assert season.clock(np.array([a + 365 * 4 + 1]))[0] - season.clock(np.array([a]))[0] == pytest.approx(365.25 * 4)  # 4 years are 4 years
    # a history read on that clock: one purchase on 2023-01-01, one on 2023-04-01, the date on 2023-04-01
    ledger = _Ledger.build(_tx([("A", "2023-01-01", 10.0), ("A", "2023-04-01", 10.0)]), pd.Series([0], index=["A"]), value="amount")
    h = ledger.history(np.array([0]), np.array([b + 1]), season.clock)
    assert h.loc[0, "recency"] == pytest.approx(by_hand / 7)


def _day(text: str) -> int:
    return int(np.datetime64(text, "D").astype(np.int64))


def test_a_degenerate_dropout_fit_is_stabilised_and_said():
    """On 68 companies (a 200-company client) the maximum-likelihood a and b ran off to 3,344 and 45,731: 27 of 50 draws overflowed."""
    tx, companies, truth = _world("observables", False, 7, n=200)
    res = estimate_counterfactual(tx, companies, end=D(truth["end"]), launch=D(truth["programme_launch"]), n_bootstrap=50, seed=7)
    assert any("small penalty" in note for note in res.notes), res.notes
    assert not any("bootstrap draws gave no finite estimate" in note for note in res.notes), res.notes
    y1 = res.year(1)
    assert np.isfinite(y1["ci_low"]) and np.isfinite(y1["ci_high"]) and y1["ci_low"] < y1["att"] < y1["ci_high"]


def test_revenue_and_margin_in_one_pass_are_each_estimated_alone():
    from workbench.analysis.uplift.counterfactual import estimate_counterfactuals

    tx, companies, truth = _world("observables", False, 7, n=600)
    tx = tx.assign(margin=tx["amount"] * np.where(tx["customer_id"].str[-1].isin(list("02468")), 0.2, 0.35))  # not a constant share
    kw = dict(end=D(truth["end"]), launch=D(truth["programme_launch"]), n_bootstrap=29, seed=3)
    both = estimate_counterfactuals(tx, companies, values=("amount", "margin"), **kw)
    for value in ("amount", "margin"):
        alone = estimate_counterfactual(tx, companies, value=value, **kw)  # the straightforward path: everything fitted again
        pd.testing.assert_frame_equal(both[value].windows, alone.windows, check_exact=True)
        assert (both[value].survival_weight, both[value].outcome_sd, both[value].notes) == (alone.survival_weight, alone.outcome_sd, alone.notes)
