"""Tests of the simulator's rewarded ranges (an effect on some product ranges only) and of the negative-control truth."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from workbench.simulate import simulate
from workbench.simulate.constants import RANGES
from workbench.simulate.ranges import check_rewarded, range_probabilities

N, SEED = 1200, 5
REWARDED = ["equipment"]
OTHERS = ["consumables", "services", "spare parts"]


def test_range_probabilities_by_hand() -> None:
    # installer (typology 0): P = 0.45, 0.20, 0.10, 0.25; equipment rewarded; rate x 1.25 after enrolment
    rewarded = np.array([r in REWARDED for r in RANGES])
    probs = range_probabilities(np.array([0, 0, 0]), np.array([1.0, 1.25, 1.25]), rewarded=rewarded, halo=0.0)
    # before enrolment: unchanged; after: the others keep P / 1.25 (their rate 1.25 x P / 1.25 = P), equipment the rest
    np.testing.assert_allclose(probs[0], [0.45, 0.20, 0.10, 0.25])
    np.testing.assert_allclose(probs[1], [0.36, 1 - 0.36 - 0.08 - 0.20, 0.08, 0.20])
    # halo 0.5: the others keep P (1 + 0.5 x 0.25) / 1.25 = 0.9 P
    halo = range_probabilities(np.array([0]), np.array([1.25]), rewarded=rewarded, halo=0.5)
    np.testing.assert_allclose(halo[0], [0.405, 1 - 0.405 - 0.09 - 0.225, 0.09, 0.225])


@pytest.mark.parametrize(
    ("ranges", "halo", "message"),
    [
        (["jewellery"], 0.0, r"rewarded_ranges has \['jewellery'\].*consumables"),
        (list(RANGES), 0.0, "every range"),
        (["equipment"], 1.5, r"halo must be in \[0, 1\]"),
        (None, 0.5, "halo=0.5 needs rewarded_ranges"),
    ],
)
def test_bad_rewarded_ranges_are_refused(ranges, halo, message) -> None:
    with pytest.raises(ValueError, match=message):
        check_rewarded(ranges, halo)


def test_a_full_halo_and_a_null_world_give_the_default_tables() -> None:
    # halo 1: the effect spills over in full, which is the world without the option; a null world has no effect to place
    for kwargs in ({"halo": 1.0}, {"null": True}):
        base = simulate(n_customers=300, seed=SEED, dirty=False, null=kwargs.get("null", False))
        ranged = simulate(n_customers=300, seed=SEED, dirty=False, rewarded_ranges=REWARDED, **kwargs)
        for name, table in base.tables.items():
            pd.testing.assert_frame_equal(ranged.tables[name], table, obj=name)
    assert ranged.truth["negative_control_year1_att"] == 0.0  # the null world
    assert "negative_control_year1_att" not in base.truth  # the default truth.json keeps its keys


def _year1_revenue_in(tx: pd.DataFrame, customers: pd.DataFrame, ranges: list[str], end: str) -> pd.Series:
    """Net revenue in ``ranges`` over event months 1-12 of every enrolled company whose 12 months are complete by ``end``."""
    enrolled = customers[customers["status"].isin(["member", "blocked"])]
    month0 = pd.to_datetime(enrolled["enrolled_on"]).dt.to_period("M")
    last_complete = pd.Timestamp(end).to_period("M") - (0 if pd.Timestamp(end).is_month_end else 1)
    ok = (month0 + 12) <= last_complete
    first = dict(zip(enrolled["customer_id"][ok], month0[ok]))
    t = tx[tx["customer_id"].isin(first) & tx["product_range"].isin(ranges)]
    event = (pd.to_datetime(t["date"]).dt.to_period("M") - t["customer_id"].map(first)).map(lambda o: o.n)
    inside = t[(event >= 1) & (event <= 12)]
    return inside.groupby("customer_id")["amount"].sum().reindex(list(first), fill_value=0.0)


@pytest.mark.parametrize("halo", [0.0, 0.5])
def test_negative_control_truth_is_the_tables_difference_with_the_null_world(halo: float) -> None:
    # simulate(null=True) is the counterfactual world on the same random numbers (same companies and enrolments)
    sim = simulate(n_customers=N, seed=SEED, dirty=False, rewarded_ranges=REWARDED, halo=halo)
    null = simulate(n_customers=N, seed=SEED, dirty=False, null=True)
    end, cu = sim.truth["end"], sim.tables["customers"]
    factual = _year1_revenue_in(sim.tables["transactions"], cu, OTHERS, end)
    counterfactual = _year1_revenue_in(null.tables["transactions"], cu, OTHERS, end)
    assert sim.truth["negative_control_ranges"] == OTHERS and sim.truth["rewarded_ranges"] == REWARDED
    assert sim.truth["negative_control_year1_n"] == len(factual) > 100
    assert sim.truth["negative_control_year1_att"] == pytest.approx((factual - counterfactual).mean(), abs=0.01)
    assert sim.truth["negative_control_year1_counterfactual_revenue"] == pytest.approx(counterfactual.mean(), abs=0.01)
    # every range together is the revenue truth, which the option leaves as it was
    everything = _year1_revenue_in(sim.tables["transactions"], cu, list(RANGES), end) - _year1_revenue_in(null.tables["transactions"], cu, list(RANGES), end)
    assert sim.truth["uplift_year1_att"] == pytest.approx(everything.mean(), abs=0.01)
    assert sim.truth["uplift_year1_att"] == simulate(n_customers=N, seed=SEED, dirty=False).truth["uplift_year1_att"]


def test_the_effect_moves_to_the_rewarded_ranges() -> None:
    # members' purchases after enrolment: the rewarded share rises (about 0.24 -> 0.39 at x 1.25); revenue is unchanged
    sim = simulate(n_customers=N, seed=SEED, dirty=False, rewarded_ranges=REWARDED)
    base = simulate(n_customers=N, seed=SEED, dirty=False)
    tx, tx0 = sim.tables["transactions"], base.tables["transactions"]
    pd.testing.assert_series_equal(tx["amount"], tx0["amount"])
    enrol = sim.tables["customers"].set_index("customer_id")["enrolled_on"]
    after = pd.to_datetime(tx["date"]) >= pd.to_datetime(tx["customer_id"].map(enrol))
    share, share0 = (tx.loc[after, "product_range"] == "equipment").mean(), (tx0.loc[after, "product_range"] == "equipment").mean()
    assert share - share0 > 0.1
    assert (tx.loc[~after, "product_range"] == tx0.loc[~after, "product_range"]).all()  # nothing changes before enrolment


def test_simulate_command_writes_the_negative_control_truth(tmp_path: pathlib.Path) -> None:
    cmd = [sys.executable, "-m", "workbench.cli", "simulate", "--out", str(tmp_path), "--customers", "200", "--rewarded-ranges", "equipment,services"]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert truth["negative_control_ranges"] == ["consumables", "spare parts"] and "effect on equipment, services only" in res.stdout
