"""Tests of the simulator's scenarios, their null variants and the truth tables (truth_members, future)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import pathlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from workbench.simulate import TABLE_COLUMNS, _build, simulate, write_simulation
from workbench.simulate.base import make_grid
from workbench.simulate.constants import PROCESSES, SCENARIOS
from workbench.simulate.scenarios import effect_steps

#: sha256 of the tables written by ``simulate()`` with every default (seed 42, 2,000 companies),
#: as written before scenarios existed: the observables world must never change.
DEFAULT_DIGESTS = {
    "transactions.csv": "8e2ed7f0162842b8035793910ca78fb791f3bfd9770edad6fc7e0fb40fde5fbd",
    "customers.csv": "2be97008564c895204700e83c6a3fd5c3b2a97957fcd9d791039626e919f9139",
    "members.csv": "8f0f8006c2885abdfff64f94249a53a9b2e6253d359b8aafa078f64d64b67c2c",
    "points.csv": "3a945b74af82074cec92f5602ac5b5094f792f4fa888a7912f9d097f11b1f7da",
    "events.csv": "6dd7f2fe578db3d66f4d7756f4faf09495c9ae81240f5de0dde0468fb3188107",
    "surveys.csv": "4781aece41fead6da7e328ec19a0c9a6c8b45ea199b209fdcebaf68ca3c7c987",
}
N = 1500  # companies in the small worlds
SEED = 3


def _digests(directory: pathlib.Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.fixture(scope="module")
def worlds():
    """(scenario, null) -> (Simulation, internals), small worlds without dirty rows."""
    return {(sc, null): _build(n_customers=N, seed=SEED, scenario=sc, null=null, dirty=False) for sc in SCENARIOS for null in (False, True)}


def _enrolled(sim) -> pd.DataFrame:
    cu = sim.tables["customers"]
    return cu[cu["status"].isin(["member", "blocked"])]


# ----------------------------------------------------------------------------
# the observables world does not change; determinism
# ----------------------------------------------------------------------------
def test_default_world_writes_the_same_bytes_as_before_scenarios(tmp_path: pathlib.Path) -> None:
    write_simulation(simulate(), tmp_path / "default")
    write_simulation(simulate(scenario="observables", null=False, process="bgnbd"), tmp_path / "explicit", truth_tables=True)
    got = _digests(tmp_path / "default")
    assert {k: v for k, v in got.items() if k != "truth.json"} == DEFAULT_DIGESTS
    explicit = _digests(tmp_path / "explicit")
    assert {k: explicit[k] for k in got} == got
    assert set(explicit) == set(got) | {"truth_members.csv", "future.csv"}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_seed_gives_the_same_bytes(tmp_path: pathlib.Path, scenario: str) -> None:
    for k in ("a", "b"):
        write_simulation(simulate(n_customers=300, seed=9, scenario=scenario), tmp_path / k, truth_tables=True)
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a == b and len(a) == len(TABLE_COLUMNS) + 3
    write_simulation(simulate(n_customers=300, seed=10, scenario=scenario), tmp_path / "c", truth_tables=True)
    c = _digests(tmp_path / "c")
    assert c["transactions.csv"] != a["transactions.csv"] and c["future.csv"] != a["future.csv"]


def test_truth_records_the_scenario(worlds) -> None:
    for (scenario, null), (sim, _) in worlds.items():
        assert sim.truth["scenario"] == scenario and sim.truth["null"] is null
        assert sim.truth["effect"] == (0.0 if null else 0.25)
        assert sim.truth["future_months"] == 24


def test_unknown_scenario_is_rejected() -> None:
    with pytest.raises(ValueError, match="scenario must be one of observables, latent"):
        simulate(n_customers=20, scenario="magic")
    with pytest.raises(TypeError, match="null must be a bool"):
        simulate(n_customers=20, null=1)


# ----------------------------------------------------------------------------
# null worlds
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_null_world_has_no_effect_in_any_member_month(worlds, scenario: str) -> None:
    sim, _ = worlds[(scenario, True)]
    panel = sim.truth_tables["truth_members"]
    assert len(panel) > 0
    assert (panel["factual_revenue"] == panel["counterfactual_revenue"]).all()
    t = sim.truth
    assert t["uplift_year1_att"] == t["uplift_year2_att"] == t["uplift_att_revenue"] == 0.0
    assert t["uplift_year1_n"] > 0 and t["uplift_year2_n"] > 0


def test_null_worlds_share_everything_but_who_enrols(worlds) -> None:
    """Without an effect, signup and fading are the observables world; the draws never change."""
    base = worlds[("observables", True)][0]
    for scenario in ("signup", "fading"):
        sim = worlds[(scenario, True)][0]
        for name in TABLE_COLUMNS:
            pd.testing.assert_frame_equal(sim.tables[name], base.tables[name])
    for scenario in SCENARIOS:  # the latent draws are the same in every scenario
        np.testing.assert_array_equal(worlds[(scenario, False)][1].lam, worlds[("observables", False)][1].lam)


# ----------------------------------------------------------------------------
# selection mechanisms
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", ["survival", "latent_survival"])
def test_survival_members_are_alive_on_their_enrolment_day(worlds, scenario: str) -> None:
    for null in (False, True):
        _, it = worlds[(scenario, null)]
        enrolled = it.enrol >= 0
        assert enrolled.sum() > 50
        assert (it.death_cf[enrolled] >= it.enrol[enrolled]).all()
        assert (it.death_f[enrolled] >= it.enrol[enrolled]).all()


@pytest.mark.parametrize("scenario", ["observables", "latent"])
def test_without_survival_some_members_had_dropped_out_before_enrolling(worlds, scenario: str) -> None:
    _, it = worlds[(scenario, False)]
    enrolled = it.enrol >= 0
    dead = it.death_cf[enrolled] < it.enrol[enrolled]
    assert dead.mean() > 0.1


def test_survival_is_observables_minus_the_dead(worlds) -> None:
    obs, it_obs = worlds[("observables", False)]
    surv, it_surv = worlds[("survival", False)]
    alive = it_obs.death_cf >= it_obs.enrol
    np.testing.assert_array_equal(it_surv.enrol >= 0, (it_obs.enrol >= 0) & alive)
    np.testing.assert_array_equal(it_surv.propensity, it_obs.propensity)


def _history(sim) -> pd.DataFrame:
    """Observed pre-launch history per company (the inputs of the observables propensity)."""
    tx, cu = sim.tables["transactions"], sim.tables["customers"]
    launch = pd.Timestamp(sim.truth["programme_launch"])
    purchases = tx[tx["amount"] > 0].assign(date=lambda d: pd.to_datetime(d["date"]))
    before = purchases[purchases["date"] < launch]
    year = before[before["date"] >= launch - pd.Timedelta(days=365)]
    ids = cu["customer_id"]
    last = ids.map(before.groupby("customer_id")["date"].max())
    return pd.DataFrame(
        {
            "log_n": np.log1p(ids.map(year.groupby("customer_id").size()).fillna(0).to_numpy()),
            "log_eur": np.log1p(ids.map(year.groupby("customer_id")["amount"].sum()).fillna(0).to_numpy() / 1000),
            "years": ((launch - last).dt.days / 365.0).fillna(0).to_numpy(),
            "eligible": last.notna().to_numpy(),
            "enrolled": cu["status"].isin(["member", "blocked"]).to_numpy(),
        }
    )


@pytest.mark.slow
@pytest.mark.parametrize(("scenario", "selects_on_latent"), [("observables", False), ("latent", True)])
def test_latent_enrolment_depends_on_the_rate_beyond_the_observed_history(scenario: str, selects_on_latent: bool) -> None:
    """Given a flexible logit of the observed history, log(lambda) still predicts enrolment in latent only."""
    sim, it = _build(n_customers=8000, seed=21, scenario=scenario, dirty=False)
    h = _history(sim)
    ok = h["eligible"].to_numpy()
    x = h.loc[ok, ["log_n", "log_eur", "years"]]
    x = x.assign(log_n2=x["log_n"] ** 2, log_eur2=x["log_eur"] ** 2, ne=x["log_n"] * x["log_eur"], years2=x["years"] ** 2)
    log_lam = np.log(it.lam[ok])
    y = h.loc[ok, "enrolled"].astype(float).to_numpy()
    fit = sm.Logit(y, sm.add_constant(x.assign(log_lam=log_lam))).fit(disp=0)
    z = fit.params["log_lam"] / fit.bse["log_lam"]
    if selects_on_latent:
        assert z > 5 and fit.params["log_lam"] > 0.5
    else:
        assert abs(z) < 4
    assert y.mean() == pytest.approx(0.37, abs=0.06)  # similar enrolment share in both


def test_latent_propensity_follows_the_latent_rate(worlds) -> None:
    _, it = worlds[("latent", False)]
    eligible = it.propensity > 0
    rho = np.corrcoef(it.propensity[eligible], np.log(it.lam[eligible]))[0, 1]
    assert rho > 0.8


def test_signup_order_is_the_next_purchase_pulled_to_the_enrolment_day(worlds) -> None:
    sim, it = worlds[("signup", False)]
    obs, _ = worlds[("observables", False)]
    enrolled = _enrolled(sim)
    tx = sim.tables["transactions"]
    alive = (it.death_cf >= it.enrol)[enrolled.index.to_numpy()]
    on_day = enrolled["customer_id"].isin(tx.merge(enrolled, left_on=["customer_id", "date"], right_on=["customer_id", "enrolled_on"])["customer_id"])
    assert alive.sum() > 50
    assert on_day[alive].all()  # every company alive on its enrolment day orders on that day
    assert it.moved.sum() <= len(enrolled)
    # the counterfactual world is the observables one: same enrolments, same counterfactual revenue
    pd.testing.assert_frame_equal(sim.tables["customers"], obs.tables["customers"])
    a, b = sim.truth_tables["truth_members"], obs.truth_tables["truth_members"]
    pd.testing.assert_series_equal(a["counterfactual_revenue"], b["counterfactual_revenue"])
    month0 = a[a["event_month"] == 0]
    assert (month0["factual_revenue"] - month0["counterfactual_revenue"]).mean() > 500
    assert sim.truth["uplift_year1_att"] < obs.truth["uplift_year1_att"]


def test_fading_effect_is_full_in_year_one_and_weaker_after(worlds) -> None:
    fad, _ = worlds[("fading", False)]
    obs, _ = worlds[("observables", False)]
    a, b = fad.truth_tables["truth_members"], obs.truth_tables["truth_members"]
    early = a["event_month"] <= 11  # ends before the first anniversary of the enrolment day
    pd.testing.assert_frame_equal(a[early], b[early])
    assert fad.truth["uplift_year2_att"] < obs.truth["uplift_year2_att"] - 500
    assert a["event_month"].max() == 24  # the panel stops at event month 24


def test_fading_steps_are_calendar_months_from_the_enrolment_day() -> None:
    grid = make_grid(dt.date(2022, 1, 1), dt.date(2024, 12, 31))
    days = [dt.date(2023, 1, 31), dt.date(2024, 2, 29)]
    enrol = np.array([(d - grid.d0).days for d in days] + [-1])
    steps = effect_steps(grid, enrol, effect=0.4, fading=True)
    as_dates = [[grid.d0 + dt.timedelta(days=int(k)) for k in day[:2]] for day, _ in steps]
    assert as_dates == [days, [dt.date(2024, 1, 31), dt.date(2025, 2, 28)], [dt.date(2025, 1, 31), dt.date(2026, 2, 28)]]
    assert [m for _, m in steps] == pytest.approx([1.4, 1.2, 1.0])
    assert [m for _, m in effect_steps(grid, enrol, effect=0.4, fading=False)] == pytest.approx([1.4])


# ----------------------------------------------------------------------------
# truth_members.csv and the year truths
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("process", PROCESSES)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_year_truth_recomputed_by_hand_from_truth_members(tmp_path: pathlib.Path, scenario: str, process: str) -> None:
    sim = simulate(n_customers=800, seed=SEED, scenario=scenario, process=process)
    write_simulation(sim, tmp_path, truth_tables=True)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    panel = pd.read_csv(tmp_path / "truth_members.csv", dtype={"customer_id": str, "enrolled_on": str, "month": str})
    enrolled_month = pd.to_datetime(panel["enrolled_on"]).dt.to_period("M")
    assert (panel["event_month"] == (pd.PeriodIndex(panel["month"], freq="M") - enrolled_month).map(lambda d: d.n)).all()
    last_complete = pd.Period("2024-12", freq="M")  # end = 2024-12-31 is a month end
    for year, (lo, hi) in ((1, (1, 12)), (2, (13, 24))):
        done = panel.groupby("customer_id")["enrolled_on"].first().pipe(lambda e: pd.to_datetime(e).dt.to_period("M") + hi <= last_complete)
        rows = panel[panel["customer_id"].isin(done[done].index) & panel["event_month"].between(lo, hi)]
        diff_cents = np.rint(rows["factual_revenue"] * 100).sum() - np.rint(rows["counterfactual_revenue"] * 100).sum()
        assert truth[f"uplift_year{year}_n"] == int(done.sum()) > 0
        assert truth[f"uplift_year{year}_att"] == pytest.approx(diff_cents / 100 / done.sum(), abs=1e-6)
    if scenario != "signup":
        assert truth["uplift_year1_att"] > 0


def test_truth_members_covers_every_enrolled_company_and_matches_the_transactions(worlds) -> None:
    sim, _ = worlds[("latent_survival", False)]
    enrolled = _enrolled(sim)
    panel = sim.truth_tables["truth_members"]
    assert set(panel["customer_id"]) == set(enrolled["customer_id"])  # ITT: members and blocked
    assert "blocked" in set(enrolled["status"]) or len(enrolled) < 30
    per_company = panel.groupby("customer_id")["event_month"].agg(["min", "max", "size"])
    assert (per_company["min"] == -24).all() and (per_company["max"] <= 24).all()
    assert (per_company["size"] == per_company["max"] + 25).all()
    tx = sim.tables["transactions"]
    tx = tx[tx["customer_id"].isin(enrolled["customer_id"])].assign(month=lambda d: d["date"].str.slice(0, 7))
    cents = np.rint(tx["amount"] * 100).groupby([tx["customer_id"], tx["month"]]).sum()
    got = np.rint(panel.set_index(["customer_id", "month"])["factual_revenue"] * 100)
    expected = cents.reindex(got.index, fill_value=0.0)  # months without transactions hold 0
    assert (got == expected).all()
    assert got.sum() > 0


# ----------------------------------------------------------------------------
# future.csv
# ----------------------------------------------------------------------------
def test_future_is_zero_for_dead_companies_and_positive_for_many_alive(worlds) -> None:
    sim, it = worlds[("observables", False)]
    fut = sim.truth_tables["future"]
    assert list(fut.columns) == ["customer_id", "revenue", "margin"]
    assert (fut["customer_id"] == sim.tables["customers"]["customer_id"]).all()
    last = (pd.Timestamp(sim.truth["end"]) - pd.Timestamp(sim.truth["first_possible_date"])).days
    dead = it.death_f <= last
    assert (fut.loc[dead, ["revenue", "margin"]] == 0).all().all()
    assert (fut.loc[~dead, "revenue"] > 0).mean() > 0.3
    assert (fut["margin"] <= fut["revenue"].clip(lower=0) + 0.01).all()


@pytest.mark.slow
def test_future_revenue_has_the_bgnbd_expectation() -> None:
    """No effect, no seasonality: an alive company buys (1 - exp(-lambda p T)) / p times in T weeks."""
    sim, it = _build(n_customers=20_000, seed=5, effect=0.0, seasonality=0.0, dirty=False)
    fut = sim.truth_tables["future"]
    last = (pd.Timestamp(sim.truth["end"]) - pd.Timestamp(sim.truth["first_possible_date"])).days
    alive = it.death_f > last
    weeks = (pd.Timestamp("2026-12-31") - pd.Timestamp("2024-12-31")).days / 7.0
    lam, p, nu = it.lam[alive], it.p_drop[alive], it.nu[alive]
    purchases = (1.0 - np.exp(-lam * p * weeks)) / p
    expected = purchases * 6.0 / nu * (1.0 - 0.03 * 0.55)  # credit notes: 3 % of purchases, 55 % of their amount
    got = fut.loc[alive, "revenue"].sum()
    assert got == pytest.approx(expected.sum(), rel=0.06)


# ----------------------------------------------------------------------------
# the command
# ----------------------------------------------------------------------------
def test_simulate_command_writes_a_scenario_and_its_truth(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "sim"
    cmd = [sys.executable, "-m", "workbench.cli", "simulate", "--out", str(out), "--customers", "200", "--seed", "4"]
    res = subprocess.run([*cmd, "--scenario", "latent_survival", "--null"], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert "scenario latent_survival, null" in res.stdout
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert truth["scenario"] == "latent_survival" and truth["null"] is True
    assert (out / "truth_members.csv").is_file() and (out / "future.csv").is_file()
    res = subprocess.run([*cmd, "--scenario", "magic"], capture_output=True, text=True, check=False)
    assert res.returncode == 2 and res.stderr.startswith("error: simulate: scenario must be one of")
    assert math.isfinite(truth["uplift_year1_att"])


def test_a_schedule_that_keeps_its_multiplier_gives_the_constant_effect_days() -> None:
    """factual_days_schedule with steps that do not change the rate = factual_days (piecewise inversion)."""
    from workbench.simulate.base import Streams
    from workbench.simulate.companies import draw_companies
    from workbench.simulate.programme import enrol_companies
    from workbench.simulate.purchases import draw_purchases, factual_days, factual_days_schedule

    grid = make_grid(dt.date(2022, 1, 1), dt.date(2024, 12, 31))
    streams = Streams.spawn(2)
    companies = draw_companies(600, grid, streams.companies)
    purchases = draw_purchases(grid, companies, effect=0.5, seasonality=0.15, ss=streams.purchases)
    prog = enrol_companies(grid, companies, purchases, streams.programme)
    expected, _ = factual_days(purchases, enrolled=prog.enrolled, enrol=prog.enrol, effect=0.5, n_days=grid.n_days)
    e = np.where(prog.enrolled, prog.enrol, 0)
    steps = [(e, 1.5), (e + 100, 1.5), (e + 400, 1.5)]
    got = factual_days_schedule(purchases, enrolled=prog.enrolled, steps=steps, n_days=grid.n_days)
    assert (got != expected).mean() < 0.001  # equal but for float ties at a day boundary
    assert (got[expected <= grid.last] == expected[expected <= grid.last]).mean() > 0.999
    # a rate that halves after 100 days puts the later purchases later, never earlier
    slower = factual_days_schedule(purchases, enrolled=prog.enrolled, steps=[(e, 1.5), (e + 100, 1.0)], n_days=grid.n_days)
    assert (slower >= expected).all() and (slower > expected).any()
