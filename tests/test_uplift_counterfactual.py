"""Tests of the purchase-model counterfactual (the uplift page's headline estimator).

Hand-worked cases for the history it reads and for the survival weight; simulated worlds with a
known truth (computed by the simulator from factual and counterfactual worlds on the same random
numbers, apart from the estimator) for each scenario and its null variant.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.uplift.counterfactual import _Ledger, _rows, estimate_counterfactual, survival_weight

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
    rows = _rows(ledger, np.array([0]), pd.DatetimeIndex([D("2023-04-10")]), donut_days=0, pop_value=100.0)
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
    rows = _rows(ledger, np.array([0]), pd.DatetimeIndex([D("2023-04-10")]), donut_days=30, pop_value=0.0)
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


def _world(scenario: str, null: bool, seed: int):
    from workbench.simulate import simulate

    sim = simulate(n_customers=2000, seed=seed, scenario=scenario, null=null, dirty=False)
    tx = sim.tables["transactions"].assign(date=lambda d: pd.to_datetime(d["date"]))
    companies = sim.tables["customers"].assign(enrolled_on=lambda d: pd.to_datetime(d["enrolled_on"]))[["customer_id", "enrolled_on"]]
    return tx, companies, sim.truth


@pytest.mark.slow
@pytest.mark.parametrize("null", [False, True], ids=["effect", "null"])
@pytest.mark.parametrize(
    "scenario",
    [
        "observables",
        "latent",
        "survival",
        pytest.param(
            "latent_survival",
            marks=pytest.mark.xfail(
                strict=True, reason="the known miss: +56 % bias, 68-80 % coverage over 50 seeds (benchmarks/results/uplift_headline_coverage.md)"
            ),
        ),
        "signup",
        "fading",
    ],
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
