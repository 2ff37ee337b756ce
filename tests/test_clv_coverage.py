"""Issue 13: the CLV intervals cover the simulator's true future value at about their nominal rate.

Interface (written by another change): ``workbench simulate --out DIR`` writes ``DIR/future.csv`` with
``customer_id, revenue, margin``, each company's true revenue and margin (currency, undiscounted) over the
24 months after the period end. The test values the simulated companies through the client path
(CSV -> workbench.load -> the CLV functions of 04_clv, seasonal time, model chosen by the rule and intervals mixing
the three models by their holdout weights, CLV on margin) with no
discounting and a 24-month horizon, and compares the 90 % intervals with that truth on fixed seeds.

Until the simulator writes ``future.csv`` the test is skipped, with that reason: it is never faked.
"""

import numpy as np
import pandas as pd
import pytest

from tests.conftest import write_params
from workbench import cli
from workbench.analysis import clv

SEEDS = (1, 2, 3, 4, 5)  # fixed, the first five, not picked
LEVEL = 0.9
HORIZON_MONTHS = 24


def _value(tmp_path, seed):
    import json

    import workbench

    out = tmp_path / f"seed{seed}"
    assert cli.main(["simulate", "--out", str(out), "--customers", "1000", "--seed", str(seed)]) == 0
    future_path = out / "future.csv"
    if not future_path.is_file():
        pytest.skip("`workbench simulate` does not write future.csv yet (the true future revenue and margin per company); the coverage test needs it")
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    params = write_params(out, {"transactions": {"path": "transactions.csv"}}, period={"start": truth["start"], "end": truth["end"]})
    wb = workbench.load(params)
    history = wb.table("transactions", in_period=False)
    season = clv.estimate_seasonality(history, end=wb.end)  # page 04's default (clv.seasonal: true)
    summary = clv.compute_summary(history, end=wb.end, time_unit="week", seasonality=season)
    cal_end = clv.resolve_calibration_end(None, start=wb.start, end=wb.end)
    fits = clv.fit_models(history, summary, calibration_end=cal_end, end=wb.end, time_unit="week", seasonal=True)
    rates = clv.compute_margin_rates(history, end=wb.end)
    intervals = clv.simulate_clv(
        summary, fits.refits, fits.gamma_gamma, weights=fits.weights.to_dict(), horizon_months=HORIZON_MONTHS, annual_discount_rate=0.0, margin_rates=rates, level=LEVEL, seed=seed,
        seasonality=season,
    )  # fmt: skip
    future = pd.read_csv(future_path, dtype={"customer_id": "str"}).set_index("customer_id")
    true = summary["customer_id"].map(future["margin"]).fillna(0.0).to_numpy()  # customers known at the period end only
    return intervals, true


@pytest.fixture(scope="module")
def valued(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clv")
    return [_value(tmp, seed) for seed in SEEDS]


@pytest.mark.slow
def test_clv_intervals_cover_each_customers_true_future_margin(valued):
    per_customer = []
    for intervals, true in valued:
        c = intervals.customers
        per_customer.append(float(((c["clv_low"].to_numpy() <= true + 1e-9) & (true <= c["clv_high"].to_numpy() + 1e-9)).mean()))
    # per customer: about 90 % (discrete mass at 0 makes quantile intervals a little conservative)
    assert 0.85 <= np.mean(per_customer) <= 0.97, per_customer


@pytest.mark.slow
def test_the_total_interval_covers_the_true_future_margin(valued):
    total_covered = 0
    for intervals, true in valued:
        t = intervals.total.iloc[0]
        total_covered += int(t["clv_low"] <= true.sum() <= t["clv_high"])
    # the total: P(at most 2 of 5 covered | 90 %) = 0.86 %, so 3 or more of the 5 seeds. The interval mixes the three
    # purchase models by their holdout weights (page 04 with clv.model: auto); with the rule's model alone 2 of these 5 were
    # covered (14 of 20 seeds in benchmarks/results/clv_coverage.md), the gap this test was a strict xfail for
    assert total_covered >= 3, f"total covered on {total_covered} of {len(SEEDS)} seeds"
