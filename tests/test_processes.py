"""Tests of the simulator's purchase processes (bgnbd, pareto, dormant) and their calibration."""

from __future__ import annotations

import hashlib
import json
import pathlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from workbench.simulate import PROCESSES, _build, simulate, write_simulation
from workbench.simulate.processes import GONE, States

N = 1500
SEED = 3
NEW = ("pareto", "dormant")


def _digests(directory: pathlib.Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.fixture(scope="module")
def worlds():
    """(process, scenario, null) -> (Simulation, internals), small worlds without dirty rows."""
    keys = [("bgnbd", "observables", False)]
    keys += [(p, sc, null) for p in NEW for sc, null in (("observables", False), ("survival", False), ("survival", True), ("latent_survival", False))]
    return {k: _build(n_customers=N, seed=SEED, process=k[0], scenario=k[1], null=k[2], dirty=False) for k in keys}


def _purchases(sim) -> tuple[np.ndarray, np.ndarray, int]:
    """(company index, day index) of every purchase (positive amount) in ``transactions``, and ``end``'s day index."""
    tx = sim.tables["transactions"]
    p = tx[tx["amount"] > 0]
    d0 = pd.Timestamp(sim.truth["first_possible_date"])
    day = (pd.to_datetime(p["date"]) - d0).dt.days.to_numpy()
    comp = p["customer_id"].str.slice(1).astype(int).to_numpy() - 1
    return comp, day, (pd.Timestamp(sim.truth["end"]) - d0).days


# ----------------------------------------------------------------------------
# the spells, by hand
# ----------------------------------------------------------------------------
def test_states_by_hand() -> None:
    """Company 0 goes quiet from day 5 and is back from day 10; company 1 never switches."""
    st = States.from_switches(np.array([5, 10]), np.array([2, 0]), horizon=20)
    comp = np.array([0, 0, 0, 0, 1, 1])
    day = np.array([4, 5, 9, 10, 19, 20])
    assert st.active(comp, day).tolist() == [True, False, False, True, True, False]  # False from the horizon on
    assert st.thin(comp, day).tolist() == [4, GONE, GONE, 10, 19, GONE]
    assert st.last_active_day(7).tolist() == [4, np.iinfo(np.int64).max]
    assert st.last_active_day(12).tolist() == [np.iinfo(np.int64).max] * 2
    assert st.active_between(6, 9).tolist() == [False, True]
    assert st.active_between(6, 10).tolist() == [True, True]


# ----------------------------------------------------------------------------
# the default does not change; determinism; arguments
# ----------------------------------------------------------------------------
def test_bgnbd_is_the_default_process(tmp_path: pathlib.Path) -> None:
    write_simulation(simulate(n_customers=300, seed=9), tmp_path / "default", truth_tables=True)
    write_simulation(simulate(n_customers=300, seed=9, process="bgnbd"), tmp_path / "explicit", truth_tables=True)
    assert _digests(tmp_path / "default") == _digests(tmp_path / "explicit")
    truth = json.loads((tmp_path / "default" / "truth.json").read_text(encoding="utf-8"))
    assert truth["process"] == "bgnbd" and truth["process_parameters"] == {"a": 0.8, "b": 6.0}


@pytest.mark.parametrize("process", NEW)
def test_same_seed_gives_the_same_bytes(tmp_path: pathlib.Path, process: str) -> None:
    for k in ("a", "b"):
        write_simulation(simulate(n_customers=300, seed=9, process=process), tmp_path / k, truth_tables=True)
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a == b
    write_simulation(simulate(n_customers=300, seed=10, process=process), tmp_path / "c", truth_tables=True)
    c = _digests(tmp_path / "c")
    assert c["transactions.csv"] != a["transactions.csv"] and c["future.csv"] != a["future.csv"]
    truth = json.loads((tmp_path / "a" / "truth.json").read_text(encoding="utf-8"))
    assert truth["process"] == process and "rate_scale" in truth["process_parameters"]


def test_every_process_shares_the_companies_and_the_programme_draws(worlds) -> None:
    base = worlds[("bgnbd", "observables", False)][1]
    for process in NEW:
        it = worlds[(process, "observables", False)][1]
        for name in ("lam", "nu", "birth", "z"):
            np.testing.assert_array_equal(getattr(it, name), getattr(base, name))
        assert it.states is not None and base.states is None


def test_unknown_process_is_rejected() -> None:
    with pytest.raises(ValueError, match="process must be one of bgnbd, pareto, dormant"):
        simulate(n_customers=20, process="weibull")
    with pytest.raises(TypeError, match="process must be a str"):
        simulate(n_customers=20, process=None)
    assert PROCESSES == ("bgnbd", "pareto", "dormant")


# ----------------------------------------------------------------------------
# the defining property of each process
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("process", NEW)
def test_every_purchase_is_made_while_alive_or_active(worlds, process: str) -> None:
    sim, it = worlds[(process, "observables", False)]
    comp, day, _ = _purchases(sim)
    assert len(day) > 5000
    assert it.states.active(comp, day).all()


def test_bgnbd_companies_die_right_after_a_purchase(worlds) -> None:
    sim, it = worlds[("bgnbd", "observables", False)]
    comp, day, last = _purchases(sim)
    dead = np.flatnonzero(it.death_f <= last)
    bought = set(zip(comp.tolist(), day.tolist()))
    assert len(dead) > 300 and all((i, int(it.death_f[i])) in bought for i in dead)


def test_pareto_companies_die_between_purchases(worlds) -> None:
    """One switch at most (death); a long silence, then nothing; death is not a purchase day."""
    sim, it = worlds[("pareto", "observables", False)]
    assert np.diff(it.states.offsets).max() == 1
    comp, day, last = _purchases(sim)
    dead = np.flatnonzero(it.death_f <= last)
    assert len(dead) > 300
    last_purchase = np.full(N, -1)
    np.maximum.at(last_purchase, comp, day)
    assert (last_purchase[dead] <= it.death_f[dead]).all()  # nothing after death
    bought = set(zip(comp.tolist(), day.tolist()))
    on_purchase = np.array([(i, int(it.death_f[i])) in bought for i in dead])
    assert on_purchase.mean() < 0.05  # BG/NBD: 100 %
    silence = it.death_f[dead] - last_purchase[dead]
    assert (silence >= 180).mean() > 0.1  # silent for six months or more, then dead
    fut = sim.truth_tables["future"]
    assert (fut.loc[dead, "revenue"] == 0).all()  # the dead never come back


def test_pareto_death_does_not_depend_on_the_programme(worlds) -> None:
    """The same lifetimes with and without the effect (in BG/NBD more purchases bring dropout forward)."""
    eff, null = worlds[("pareto", "survival", False)][1], worlds[("pareto", "survival", True)][1]
    np.testing.assert_array_equal(eff.states.switch_day, null.states.switch_day)
    np.testing.assert_array_equal(eff.death_f, null.death_f)
    base = worlds[("bgnbd", "observables", False)][1]
    enrolled = base.enrol >= 0
    assert (base.death_f[enrolled] < base.death_cf[enrolled]).any()


def test_dormant_companies_stop_for_a_long_spell_then_buy_again(worlds) -> None:
    sim, it = worlds[("dormant", "observables", False)]
    st = it.states
    comp, day, last = _purchases(sim)
    first, final = np.full(N, GONE), np.full(N, -1)
    np.minimum.at(first, comp, day)
    np.maximum.at(final, comp, day)
    back = 0
    for i in range(N):
        sw = st.switch_day[st.offsets[i] : st.offsets[i + 1]]
        quiet, again = sw[0::2], sw[1::2]  # quiet from sw[2k], active again from sw[2k + 1]
        k = len(again)
        back += bool(np.any((again - quiet[:k] >= 180) & (first[i] < quiet[:k]) & (final[i] >= again)))
    assert back > 0.03 * N  # bought, stayed dormant for six months or more, bought again
    inactive_at_end = it.death_f <= last
    fut = sim.truth_tables["future"]
    assert (fut.loc[inactive_at_end, "revenue"] > 0).mean() > 0.05  # some quiet companies come back after end


# ----------------------------------------------------------------------------
# scenarios, truth
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("process", NEW)
@pytest.mark.parametrize("scenario", ["survival", "latent_survival"])
def test_survival_members_are_alive_or_active_on_their_enrolment_day(worlds, process: str, scenario: str) -> None:
    _, it = worlds[(process, scenario, False)]
    enrolled = it.enrol >= 0
    assert enrolled.sum() > 50
    assert it.alive_at_enrol[enrolled].all()
    assert it.states.active(np.flatnonzero(enrolled), it.enrol[enrolled]).all()
    _, obs = worlds[(process, "observables", False)]
    assert (~obs.alive_at_enrol[obs.enrol >= 0]).mean() > 0.05  # without survival some members were not


@pytest.mark.parametrize("process", NEW)
def test_null_world_has_no_effect_and_the_effect_world_has_one(worlds, process: str) -> None:
    null, _ = worlds[(process, "survival", True)]
    panel = null.truth_tables["truth_members"]
    assert len(panel) > 0 and (panel["factual_revenue"] == panel["counterfactual_revenue"]).all()
    assert null.truth["uplift_year1_att"] == null.truth["uplift_year2_att"] == 0.0
    eff, _ = worlds[(process, "survival", False)]
    assert eff.truth["uplift_year1_att"] > 500 and eff.truth["uplift_year2_att"] > 0


@pytest.mark.parametrize("process", NEW)
def test_truth_members_matches_the_transactions(worlds, process: str) -> None:
    sim, _ = worlds[(process, "latent_survival", False)]
    panel = sim.truth_tables["truth_members"]
    cu = sim.tables["customers"]
    enrolled = cu.loc[cu["status"].isin(["member", "blocked"]), "customer_id"]
    assert set(panel["customer_id"]) == set(enrolled)
    tx = sim.tables["transactions"]
    tx = tx[tx["customer_id"].isin(enrolled)].assign(month=lambda d: d["date"].str.slice(0, 7))
    cents = np.rint(tx["amount"] * 100).groupby([tx["customer_id"], tx["month"]]).sum()
    got = np.rint(panel.set_index(["customer_id", "month"])["factual_revenue"] * 100)
    assert (got == cents.reindex(got.index, fill_value=0.0)).all() and got.sum() > 0


def _calibration(sim) -> tuple[float, float]:
    """(net revenue in the last year per company buying in it, EUR; share of the companies born in
    the first year of the grid that buy in their third year)."""
    tx = sim.tables["transactions"].assign(date=lambda d: pd.to_datetime(d["date"]))
    year = tx[tx["date"].dt.year == 2024]
    per_active = year["amount"].sum() / year.loc[year["amount"] > 0, "customer_id"].nunique()
    p = tx[tx["amount"] > 0]
    first = p.groupby("customer_id")["date"].min()
    early = first[first < pd.Timestamp(sim.truth["first_possible_date"]) + pd.Timedelta(days=365)]
    lag = (p["date"] - p["customer_id"].map(early)).dt.days
    third = p.loc[(lag >= 730) & (lag < 1095), "customer_id"].nunique()
    return float(per_active), third / len(early)


@pytest.mark.slow
def test_processes_are_calibrated_on_bgnbd() -> None:
    """Yearly revenue per active company within 15 %, share still buying in year 3 within 5 points."""
    figures = {p: np.mean([_calibration(simulate(n_customers=4000, seed=s, process=p, null=True, dirty=False)) for s in (1, 2)], axis=0) for p in PROCESSES}
    rev0, share0 = figures["bgnbd"]
    assert 12_000 < rev0 < 17_000 and 0.33 < share0 < 0.43
    for process in NEW:
        rev, share = figures[process]
        assert rev == pytest.approx(rev0, rel=0.15), process
        assert share == pytest.approx(share0, abs=0.05), process


def test_simulate_command_takes_a_process(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "sim"
    cmd = [sys.executable, "-m", "workbench.cli", "simulate", "--out", str(out), "--customers", "200", "--seed", "4"]
    res = subprocess.run([*cmd, "--scenario", "survival", "--process", "dormant"], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert "scenario survival, process dormant" in res.stdout
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert truth["process"] == "dormant" and truth["scenario"] == "survival"
    res = subprocess.run([*cmd, "--process", "weibull"], capture_output=True, text=True, check=False)
    assert res.returncode == 2 and res.stderr.startswith("error: simulate: process must be one of")
