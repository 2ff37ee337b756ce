"""The simulator and the loader agree: what the loader keeps and rejects is what truth.json says was written."""

import pytest

from tests.conftest import write_params
from tests.engines import load_dataset  # both engines, compared (assert_frame_equal); returns the pandas result
from workbench.config.params import load_params
from workbench.simulate import simulate, write_simulation


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sim")
    sim = simulate(n_customers=400, seed=11)
    write_simulation(sim, folder)
    tables = {name: {"path": f"{name}.csv"} for name in ("transactions", "customers", "members", "points", "events", "surveys")}
    return sim.truth, load_dataset(load_params(write_params(folder, tables)))


def test_kept_rows_match_the_clean_rows_of_truth(loaded):
    truth, ds = loaded
    kept = ds.ledger.set_index("table")["rows_kept"].to_dict()
    assert kept == truth["aggregates"]["rows"]


def test_rejections_are_exactly_the_dirty_rows(loaded):
    truth, ds = loaded
    got = {table: group.groupby("reason").size().to_dict() for table, group in ds.rejected.groupby("table")}
    expected = {table: {r: n for r, n in reasons.items() if n} for table, reasons in truth["dirty"].items()}
    assert got == {t: r for t, r in expected.items() if r}


def test_in_period_revenue_and_counts_match_truth(loaded):
    truth, ds = loaded
    tx = ds.tables["transactions"]
    inside = tx[tx["in_period"]]
    assert len(inside) == truth["aggregates"]["transactions_in_period"]
    assert inside["amount"].sum() == pytest.approx(truth["aggregates"]["revenue_in_period"], abs=0.01)
    assert int((~tx["in_period"]).sum()) == truth["aggregates"]["transactions_before_start"]
    statuses = ds.tables["customers"]["status"].value_counts().to_dict()
    assert statuses == {k: v for k, v in truth["aggregates"]["customers_by_status"].items() if v}
