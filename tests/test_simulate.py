"""Tests of workbench.simulate: files, consistency, ground truth and the model."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special

from workbench.simulate import (
    DIRTY_REASONS,
    TABLE_COLUMNS,
    Simulation,
    _build,
    simulate,
    write_simulation,
)
from workbench.simulate.base import add_months, make_grid
from workbench.simulate.truth import att_windows

R, ALPHA, A, B = 0.9, 6.0, 0.8, 6.0
GG_P, GG_Q, GG_V = 6.0, 4.0, 1500.0
END = pd.Timestamp("2024-12-31")


# ----------------------------------------------------------------------------
# fixtures
# ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dirty_dir(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("dirty")
    write_simulation(simulate(), out)
    return out


@pytest.fixture(scope="module")
def clean_sim() -> Simulation:
    return simulate(dirty=False)


@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory: pytest.TempPathFactory, clean_sim: Simulation) -> pathlib.Path:
    out = tmp_path_factory.mktemp("clean")
    write_simulation(clean_sim, out)
    return out


def _read(directory: pathlib.Path, table: str) -> pd.DataFrame:
    """Read a written table as text, empty cells as ''."""
    return pd.read_csv(directory / f"{table}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def clean(clean_dir: pathlib.Path) -> dict[str, pd.DataFrame]:
    tables = {t: _read(clean_dir, t) for t in TABLE_COLUMNS}
    tx = tables["transactions"]
    tx["amount"] = tx["amount"].astype(float)
    tx["margin"] = tx["margin"].astype(float)
    tx["quantity"] = tx["quantity"].astype(int)
    tables["points"]["points"] = tables["points"]["points"].astype(int)
    return tables


@pytest.fixture(scope="module")
def big_counterfactual():
    """Large population without programme effect nor seasonality."""
    return _build(n_customers=10_000, seed=11, effect=0.0, seasonality=0.0, dirty=False)


@pytest.fixture(scope="module")
def big_factual():
    """Same seed and population as big_counterfactual, with a +25 % effect."""
    return _build(n_customers=10_000, seed=11, effect=0.25, seasonality=0.0, dirty=False)


def _mini_loader(directory: pathlib.Path) -> tuple[pd.DataFrame, dict, pd.DataFrame, dict]:
    """Independent re-implementation of the loader's rejection rules."""
    tx = _read(directory, "transactions")
    reason = pd.Series("", index=tx.index, dtype=object)
    dates = pd.to_datetime(tx["date"], format="%Y-%m-%d", errors="coerce")
    amounts = pd.to_numeric(tx["amount"], errors="coerce")
    dup = tx.duplicated(keep="first")
    for mask, label in (
        (tx["customer_id"].str.strip() == "", "missing customer_id"),
        (dates.isna(), "unparseable date"),
        (amounts.isna(), "unparseable amount"),
        (dup, "exact duplicate"),
    ):
        reason[(reason == "") & mask] = label
    tx_counts = reason[reason != ""].value_counts().to_dict()
    tx_ok = tx[reason == ""].assign(date=dates[reason == ""], amount=amounts[reason == ""])

    ev = _read(directory, "events")
    known = set(_read(directory, "customers")["customer_id"])
    unknown = ~ev["customer_id"].isin(known)
    ev_counts = {"unknown customer": int(unknown.sum())} if unknown.any() else {}
    return tx_ok, tx_counts, ev[~unknown], ev_counts


def _window_revenue(tables: dict[str, pd.DataFrame], ids: pd.Series, enrolled: pd.Series) -> float:
    """Sum over companies of net revenue in [enrolled_on, enrolled_on + 12 calendar months - 1 day], EUR."""
    tx = tables["transactions"]
    frame = pd.DataFrame({"customer_id": ids.to_numpy(), "e": pd.to_datetime(enrolled).to_numpy()})
    t = tx.merge(frame, on="customer_id")
    dates = pd.to_datetime(t["date"])
    inside = (dates >= t["e"]) & (dates < t["e"] + pd.DateOffset(months=12))
    return float(np.rint(t.loc[inside, "amount"].astype(float) * 100).sum() / 100)


# ----------------------------------------------------------------------------
# determinism
# ----------------------------------------------------------------------------
def _digests(directory: pathlib.Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_same_seed_gives_identical_bytes_and_truth(tmp_path: pathlib.Path) -> None:
    a, b = simulate(n_customers=300, seed=5), simulate(n_customers=300, seed=5)
    assert a.truth == b.truth
    write_simulation(a, tmp_path / "a")
    write_simulation(b, tmp_path / "b")
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")


def test_different_seed_gives_different_files(tmp_path: pathlib.Path) -> None:
    write_simulation(simulate(n_customers=300, seed=5), tmp_path / "a")
    write_simulation(simulate(n_customers=300, seed=6), tmp_path / "b")
    da, db = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    for name in ("transactions.csv", "customers.csv", "truth.json"):
        assert da[name] != db[name]


def test_bytes_do_not_depend_on_python_hash_seed(tmp_path: pathlib.Path) -> None:
    code = (
        "import sys, pathlib; from workbench.simulate import simulate, write_simulation; "
        "write_simulation(simulate(n_customers=150, seed=3), pathlib.Path(sys.argv[1]))"
    )
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / hash_seed)], check=True, env=env)
    assert _digests(tmp_path / "1") == _digests(tmp_path / "2")


# ----------------------------------------------------------------------------
# files and tables
# ----------------------------------------------------------------------------
def test_write_simulation_returns_paths_in_order_and_creates_dirs(tmp_path: pathlib.Path) -> None:
    sim = simulate(n_customers=50, seed=1)
    out = tmp_path / "nested" / "deeper"
    paths = write_simulation(sim, out)
    assert [p.name for p in paths] == [f"{t}.csv" for t in TABLE_COLUMNS] + ["truth.json"]
    assert all(p.parent == out and p.is_file() for p in paths)
    assert json.loads((out / "truth.json").read_text(encoding="utf-8")) == sim.truth


def test_write_simulation_rejects_non_canonical_tables(tmp_path: pathlib.Path) -> None:
    sim = simulate(n_customers=20, seed=1)
    broken = Simulation(tables={**sim.tables, "members": sim.tables["members"].drop(columns="role")}, truth=sim.truth)
    with pytest.raises(ValueError, match="'members' has columns"):
        write_simulation(broken, tmp_path)
    missing = Simulation(tables={k: v for k, v in sim.tables.items() if k != "events"}, truth=sim.truth)
    with pytest.raises(ValueError, match="no 'events' table"):
        write_simulation(missing, tmp_path)


@pytest.mark.parametrize("table", list(TABLE_COLUMNS))
def test_files_have_exactly_the_canonical_columns(dirty_dir: pathlib.Path, table: str) -> None:
    header = (dirty_dir / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == TABLE_COLUMNS[table]


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("transactions", "date"),
        ("customers", "enrolled_on"),
        ("members", "registered_on"),
        ("points", "date"),
        ("events", "date"),
        ("surveys", "date"),
    ],
)
def test_clean_dates_are_iso_and_inside_the_simulated_span(clean: dict[str, pd.DataFrame], clean_sim: Simulation, table: str, column: str) -> None:
    values = clean[table][column]
    values = values[values != ""]
    assert len(values) > 0
    assert values.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    parsed = pd.to_datetime(values, format="%Y-%m-%d")
    assert parsed.min() >= pd.Timestamp(clean_sim.truth["first_possible_date"])
    assert parsed.max() <= pd.Timestamp(clean_sim.truth["end"])


def test_amounts_have_at_most_two_decimals_in_the_file(dirty_dir: pathlib.Path) -> None:
    tx = _read(dirty_dir, "transactions")
    ok = tx["amount"] != "abc"
    assert tx.loc[ok, "amount"].str.fullmatch(r"-?\d+(\.\d{1,2})?").all()
    assert tx["margin"].str.fullmatch(r"-?\d+(\.\d{1,2})?").all()


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("customers", ["customer_id"]),
        ("members", ["member_id"]),
        ("transactions", ["invoice_id"]),
        ("surveys", ["customer_id", "date"]),
        ("points", list(TABLE_COLUMNS["points"])),
        ("events", list(TABLE_COLUMNS["events"])),
    ],
)
def test_keys_are_unique_in_clean_tables(clean: dict[str, pd.DataFrame], table: str, key: list[str]) -> None:
    assert not clean[table].duplicated(subset=key).any()


def test_ids_have_the_documented_format(clean: dict[str, pd.DataFrame]) -> None:
    assert clean["customers"]["customer_id"].str.fullmatch(r"C\d{5}").all()
    assert clean["members"]["member_id"].str.fullmatch(r"M\d{6}").all()
    assert clean["transactions"]["invoice_id"].str.fullmatch(r"(FA|AV)-\d{7}").all()


def test_categorical_values_are_the_documented_ones(clean: dict[str, pd.DataFrame]) -> None:
    assert set(clean["customers"]["status"]) == {"member", "blocked", "pre-registered", "non-member"}
    assert set(clean["members"]["role"]) == {"owner", "sales rep", "sales director", "buyer", "technician"}
    assert set(clean["points"]["kind"]) == {"earned", "redeemed", "expired", "adjusted"}
    assert set(clean["events"]["kind"]) == {
        "login", "visit", "challenge", "training", "content", "referral", "review", "profile_completed",
    }  # fmt: skip
    ranges = {"consumables", "equipment", "services", "spare parts"}
    assert set(clean["transactions"]["product_range"]) <= ranges
    assert set(clean["customers"]["typology"]) == {"installer", "distributor", "retailer", "industrial"}


def test_credit_notes_are_negative_and_purchases_positive(clean: dict[str, pd.DataFrame]) -> None:
    tx = clean["transactions"]
    credit = tx["invoice_id"].str.startswith("AV-")
    assert credit.sum() > 0
    assert (tx.loc[credit, "amount"] < 0).all()
    assert (tx.loc[credit, "margin"] <= 0).all()
    assert (tx.loc[~credit, "amount"] > 0).all()
    assert (tx["quantity"] >= 1).all()
    share = credit.sum() / (~credit).sum()
    assert 0.015 < share < 0.045  # about 3 % of purchases


def test_some_transactions_are_before_start(clean: dict[str, pd.DataFrame], clean_sim: Simulation) -> None:
    before = (clean["transactions"]["date"] < clean_sim.truth["start"]).sum()
    assert before == clean_sim.truth["aggregates"]["transactions_before_start"] > 0


def test_customers_status_and_enrolment_are_consistent(clean: dict[str, pd.DataFrame], clean_sim: Simulation) -> None:
    cu = clean["customers"]
    enrolled = cu["status"].isin(["member", "blocked"])
    assert (cu.loc[enrolled, "enrolled_on"] != "").all()
    assert (cu.loc[~enrolled, "enrolled_on"] == "").all()
    assert (cu.loc[enrolled, "enrolled_on"] >= clean_sim.truth["programme_launch"]).all()
    # every company is born (first purchase) before it enrols
    first = clean["transactions"].groupby("customer_id")["date"].min()
    first_of_enrolled = first.reindex(cu.loc[enrolled, "customer_id"]).to_numpy()
    assert (first_of_enrolled <= cu.loc[enrolled, "enrolled_on"].to_numpy()).all()
    assert set(first.index) == set(cu["customer_id"])


def test_members_belong_to_enrolled_companies_with_one_owner(clean: dict[str, pd.DataFrame]) -> None:
    cu = clean["customers"].set_index("customer_id")
    m = clean["members"]
    enrolled = set(cu.index[cu["status"].isin(["member", "blocked"])])
    assert set(m["customer_id"]) == enrolled
    assert (m.groupby("customer_id")["role"].apply(lambda r: (r == "owner").sum()) == 1).all()
    sizes = m.groupby("customer_id").size()
    assert sizes.between(1, 5).all() and sizes.max() > 1
    enrolled_on = cu.loc[m["customer_id"], "enrolled_on"].to_numpy()
    assert (m["registered_on"].to_numpy() >= enrolled_on).all()
    owner = m["role"] == "owner"
    assert (m.loc[owner, "registered_on"].to_numpy() == enrolled_on[owner.to_numpy()]).all()


def test_points_balance_is_never_negative(clean: dict[str, pd.DataFrame], dirty_dir: pathlib.Path) -> None:
    for pts in (clean["points"], _read(dirty_dir, "points").astype({"points": int})):
        running = pts.groupby("customer_id")["points"].cumsum()
        assert running.min() >= 0
        daily = pts.groupby(["customer_id", "date"])["points"].sum().groupby(level=0).cumsum()
        assert daily.min() >= 0


def test_points_signs_people_and_dates(clean: dict[str, pd.DataFrame]) -> None:
    pts = clean["points"]
    positive = pts["kind"] == "earned"
    assert (pts.loc[positive, "points"] > 0).all()
    assert (pts.loc[~positive, "points"] < 0).all()
    assert set(pts["reason"]) == {"purchase", "challenge", "credit note", "reward", "expiry"}
    m = clean["members"].set_index("member_id")
    assert (m.loc[pts["member_id"], "customer_id"].to_numpy() == pts["customer_id"].to_numpy()).all()
    cu = clean["customers"].set_index("customer_id")
    assert (pts["date"].to_numpy() >= cu.loc[pts["customer_id"], "enrolled_on"].to_numpy()).all()


def test_purchase_points_are_one_per_whole_euro_after_enrolment(clean: dict[str, pd.DataFrame]) -> None:
    cu = clean["customers"].set_index("customer_id")
    tx = clean["transactions"]
    tx = tx[(tx["amount"] > 0) & cu.loc[tx["customer_id"], "status"].isin(["member", "blocked"]).to_numpy()]
    tx = tx[tx["date"].to_numpy() >= cu.loc[tx["customer_id"], "enrolled_on"].to_numpy()]
    expected = np.floor(tx["amount"]).astype(int).groupby(tx["customer_id"]).sum()
    pts = clean["points"]
    got = pts[pts["reason"] == "purchase"].groupby("customer_id")["points"].sum()
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)


def test_points_expire_only_after_24_months(clean: dict[str, pd.DataFrame]) -> None:
    pts = clean["points"]
    expired = pts[pts["kind"] == "expired"]
    assert len(expired) > 0
    cu = clean["customers"].set_index("customer_id")
    earliest = pd.to_datetime(cu.loc[expired["customer_id"], "enrolled_on"]) + pd.DateOffset(months=24)
    assert (pd.to_datetime(expired["date"]).to_numpy() >= earliest.to_numpy()).all()


def test_events_come_from_registered_people_of_their_company(clean: dict[str, pd.DataFrame]) -> None:
    ev = clean["events"]
    m = clean["members"].set_index("member_id")
    assert (m.loc[ev["member_id"], "customer_id"].to_numpy() == ev["customer_id"].to_numpy()).all()
    assert (ev["date"].to_numpy() >= m.loc[ev["member_id"], "registered_on"].to_numpy()).all()
    profile = ev[ev["kind"] == "profile_completed"]
    assert len(profile) > 0 and not profile["member_id"].duplicated().any()


def test_surveys_ranges(clean: dict[str, pd.DataFrame]) -> None:
    sv = clean["surveys"]
    nps = sv["nps"].astype(int)
    assert nps.between(0, 10).all() and nps.nunique() > 5
    ces = sv["ces"]
    assert (ces == "").any() and (ces != "").any()
    assert ces[ces != ""].astype(int).between(1, 7).all()
    assert pd.to_datetime(sv["date"]).dt.month.eq(10).all()


# ----------------------------------------------------------------------------
# truth against the files
# ----------------------------------------------------------------------------
def test_truth_is_plain_json() -> None:
    sim = simulate(n_customers=100, seed=2)

    def walk(value: object) -> None:
        if isinstance(value, dict):
            assert all(type(k) is str for k in value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        else:
            assert value is None or type(value) in (str, int, float, bool), (value, type(value))

    walk(sim.truth)
    assert json.loads(json.dumps(sim.truth)) == sim.truth
    assert sim.truth["time_unit"] == "week"
    assert sim.truth["bgnbd"] == {"r": R, "alpha": ALPHA, "a": A, "b": B}
    assert sim.truth["gg"] == {"p": GG_P, "q": GG_Q, "v": GG_V}
    assert sim.truth["gg_mean_amount"] == pytest.approx(GG_P * GG_V / (GG_Q - 1))


def test_aggregates_and_dirty_counts_match_the_files(dirty_dir: pathlib.Path) -> None:
    truth = json.loads((dirty_dir / "truth.json").read_text(encoding="utf-8"))
    agg = truth["aggregates"]
    tx, tx_dirty, ev, ev_dirty = _mini_loader(dirty_dir)
    expected_tx = {k: v for k, v in truth["dirty"]["transactions"].items() if v}
    assert tx_dirty == expected_tx and sum(expected_tx.values()) > 0
    assert ev_dirty == {k: v for k, v in truth["dirty"]["events"].items() if v}
    assert set(truth["dirty"]["transactions"]) == set(DIRTY_REASONS["transactions"])
    assert set(truth["dirty"]["events"]) == set(DIRTY_REASONS["events"])

    assert len(tx) == agg["rows"]["transactions"]
    assert len(ev) == agg["rows"]["events"]
    for table in ("customers", "members", "points", "surveys"):
        assert len(_read(dirty_dir, table)) == agg["rows"][table]
    in_period = (tx["date"] >= pd.Timestamp(truth["start"])) & (tx["date"] <= pd.Timestamp(truth["end"]))
    assert in_period.sum() == agg["transactions_in_period"]
    cents = np.rint(tx.loc[in_period, "amount"] * 100).astype(np.int64).sum()
    assert cents / 100 == pytest.approx(agg["revenue_in_period"], abs=0.001)
    assert (tx["amount"] < 0).sum() == agg["credit_notes"]
    assert (tx["amount"] > 0).sum() == agg["purchases"]

    cu = _read(dirty_dir, "customers")
    assert cu["status"].value_counts().to_dict() == {k: v for k, v in agg["customers_by_status"].items() if v}
    assert agg["members_companies"] == (cu["status"] == "member").sum()
    pts = _read(dirty_dir, "points").astype({"points": int})
    by_kind = {k: v for k, v in agg["points_by_kind"].items() if v}
    assert pts.groupby("kind")["points"].sum().to_dict() == by_kind
    assert ev["kind"].value_counts().to_dict() == {k: v for k, v in agg["events_by_kind"].items() if v}


def test_removing_dirty_rows_gives_back_the_clean_files(dirty_dir: pathlib.Path, clean_dir: pathlib.Path) -> None:
    tx, _, ev, _ = _mini_loader(dirty_dir)
    raw = _read(dirty_dir, "transactions").loc[tx.index]
    cleaned = raw.sort_values("invoice_id").reset_index(drop=True)
    expected = _read(clean_dir, "transactions").sort_values("invoice_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(cleaned, expected)
    pd.testing.assert_frame_equal(ev.reset_index(drop=True), _read(clean_dir, "events"))
    for table in ("customers", "members", "points", "surveys"):
        assert (dirty_dir / f"{table}.csv").read_bytes() == (clean_dir / f"{table}.csv").read_bytes()


def test_no_dirty_rows_when_dirty_is_false(clean_dir: pathlib.Path, clean_sim: Simulation) -> None:
    _, tx_dirty, _, ev_dirty = _mini_loader(clean_dir)
    assert tx_dirty == {} and ev_dirty == {}
    assert all(v == 0 for t in clean_sim.truth["dirty"].values() for v in t.values())


# ----------------------------------------------------------------------------
# programme: self-selection and effect
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_self_selection_members_were_bigger_before_launch(seed: int) -> None:
    sim = simulate(seed=seed, dirty=False)
    tx, cu = sim.tables["transactions"], sim.tables["customers"].set_index("customer_id")
    pre = tx[tx["date"] < sim.truth["programme_launch"]].groupby("customer_id")["amount"].sum()
    status = cu["status"].reindex(pre.index)
    members, others = pre[status == "member"], pre[status == "non-member"]
    assert len(members) > 50 and len(others) > 50
    assert members.mean() > 1.5 * others.mean()
    assert members.median() > 1.5 * others.median()


def test_enrolment_is_selection_on_purchases_before_launch(big_factual) -> None:
    """Enrolment follows the documented logit of observable pre-launch purchases, and nothing latent."""
    sim, internals = big_factual
    tx, cu = sim.tables["transactions"], sim.tables["customers"]
    launch = pd.Timestamp(sim.truth["programme_launch"])
    purchases = tx[tx["amount"] > 0].assign(date=lambda d: pd.to_datetime(d["date"]))
    before = purchases[purchases["date"] < launch]
    year = before[before["date"] >= launch - pd.Timedelta(days=365)]
    ids = cu["customer_id"]
    n = ids.map(year.groupby("customer_id").size()).fillna(0).to_numpy()
    eur = ids.map(year.groupby("customer_id")["amount"].sum()).fillna(0).to_numpy()
    last = ids.map(before.groupby("customer_id")["date"].max())
    years = ((launch - last).dt.days / 365.0).fillna(0).to_numpy()
    enrolled = cu["status"].isin(["member", "blocked"]).to_numpy()
    eligible = last.notna().to_numpy()  # bought before launch
    assert not enrolled[~eligible].any()  # customers gained after launch are not invited
    # the documented propensity, recomputed from the exported transactions alone
    logit = -3.5 + 2.0 * np.log1p(n) + 1.5 * np.log1p(eur / 1000.0) - 10.0 * years
    p = (0.85 / (1.0 + np.exp(-logit)))[eligible]
    y = enrolled[eligible].astype(float)
    # calibrated: in each fifth of the propensity, the enrolment rate is the mean propensity (binomial noise)
    bins = np.array_split(np.argsort(p, kind="stable"), 5)
    for k in bins:
        se = math.sqrt(max(p[k].mean() * (1 - p[k].mean()), 1e-4) / len(k))
        assert abs(y[k].mean() - p[k].mean()) < 4 * se + 0.005, (y[k].mean(), p[k].mean())
    assert y[bins[-1]].mean() > 10 * max(y[bins[0]].mean(), 0.005)  # strong selection
    # given the observables, the latent size z_i tells nothing more (no selection on unobservables)
    resid = y - p
    zz = internals.z[eligible]
    assert abs(np.corrcoef(resid, zz)[0, 1]) * math.sqrt(len(zz)) < 4


def test_typology_follows_activity(clean: dict[str, pd.DataFrame]) -> None:
    tx = clean["transactions"]
    revenue = tx.groupby("customer_id")["amount"].sum()
    typ = clean["customers"].set_index("customer_id")["typology"]
    per_typ = revenue.groupby(typ.reindex(revenue.index)).mean()
    assert per_typ["distributor"] > 2 * per_typ["installer"]


def test_no_effect_means_zero_uplift() -> None:
    truth = simulate(n_customers=800, seed=4, effect=0.0, dirty=False).truth
    assert truth["uplift_att_revenue"] == 0.0
    assert truth["uplift_att_revenue_pct"] == 0.0
    assert truth["uplift_att_n"] > 0


@pytest.mark.parametrize("effect", [0.1, 0.25, 1.0])
def test_positive_effect_means_positive_uplift(effect: float) -> None:
    truth = simulate(n_customers=800, seed=4, effect=effect, dirty=False).truth
    assert truth["uplift_att_revenue"] > 0
    assert 0 < truth["uplift_att_revenue_pct"] < 100 * effect


@pytest.mark.parametrize(
    ("effect", "start", "end"),
    [
        (0.25, dt.date(2022, 1, 1), dt.date(2024, 12, 31)),
        (1.0, dt.date(2022, 1, 1), dt.date(2024, 12, 31)),
        # most post-windows contain 29 February 2024: 12 calendar months = 366 days
        (0.25, dt.date(2023, 1, 1), dt.date(2025, 6, 30)),
    ],
)
def test_uplift_truth_is_reproduced_by_the_counterfactual_simulation(effect: float, start: dt.date, end: dt.date) -> None:
    """simulate(effect=0) with the same seed is the counterfactual world; windows are 12 calendar months."""
    factual = simulate(n_customers=1500, seed=8, effect=effect, start=start, end=end, dirty=False)
    counterfactual = simulate(n_customers=1500, seed=8, effect=0.0, start=start, end=end, dirty=False)
    cu = factual.tables["customers"]
    pd.testing.assert_frame_equal(cu, counterfactual.tables["customers"])
    pd.testing.assert_frame_equal(factual.tables["members"], counterfactual.tables["members"])
    enrolled_on = pd.to_datetime(cu["enrolled_on"])
    att = (cu["status"] == "member") & (enrolled_on + pd.DateOffset(months=12) <= pd.Timestamp(end))
    assert att.sum() == factual.truth["uplift_att_n"] > 0
    rev_f = _window_revenue(factual.tables, cu.loc[att, "customer_id"], cu.loc[att, "enrolled_on"])
    rev_c = _window_revenue(counterfactual.tables, cu.loc[att, "customer_id"], cu.loc[att, "enrolled_on"])
    n = int(att.sum())
    assert (rev_f - rev_c) / n == pytest.approx(factual.truth["uplift_att_revenue"], abs=1e-6)
    assert rev_c / n == pytest.approx(factual.truth["uplift_att_counterfactual_revenue"], abs=1e-6)
    assert factual.truth["uplift_att_revenue_pct"] == pytest.approx(100 * (rev_f - rev_c) / rev_c)


def test_att_window_is_twelve_calendar_months_from_the_enrolment_day() -> None:
    grid = make_grid(dt.date(2023, 1, 1), dt.date(2025, 2, 28))
    days = [dt.date(2023, 1, 31), dt.date(2023, 3, 1), dt.date(2024, 2, 29), dt.date(2024, 3, 1)]
    enrol = np.array([(d - grid.d0).days for d in days] + [-1])
    lo, hi, complete = att_windows(grid, enrol)
    as_date = [grid.d0 + dt.timedelta(days=int(k)) for k in hi[:4]]
    assert [grid.d0 + dt.timedelta(days=int(k)) for k in lo[:4]] == days
    # 365, 366 (29 February 2024 inside), 365 days; the last one would end on 2025-02-28
    assert as_date == [dt.date(2024, 1, 30), dt.date(2024, 2, 29), dt.date(2025, 2, 27), dt.date(2025, 2, 28)]
    # evaluated when add_months(enrolment, 12) <= end: 2025-03-01 is after 2025-02-28; -1 never enrolled
    assert complete.tolist() == [True, True, True, False, False]
    later = make_grid(dt.date(2023, 1, 1), dt.date(2025, 2, 27))
    assert att_windows(later, np.array([(dt.date(2024, 2, 29) - later.d0).days]))[2].tolist() == [False]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 29), 24, dt.date(2026, 2, 28)),
        (dt.date(2024, 8, 31), 6, dt.date(2025, 2, 28)),
        (dt.date(2022, 1, 1), 6, dt.date(2022, 7, 1)),
    ],
)
def test_add_months_is_the_calendar_month_of_workbench_periods(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected
    assert (pd.Timestamp(day) + pd.DateOffset(months=months)).date() == expected


def test_pre_enrolment_transactions_do_not_depend_on_the_effect() -> None:
    factual = simulate(n_customers=600, seed=9, effect=0.5, dirty=False)
    counterfactual = simulate(n_customers=600, seed=9, effect=0.0, dirty=False)
    cu = factual.tables["customers"].set_index("customer_id")
    cutoff = cu["enrolled_on"].fillna(factual.truth["end"] + "Z")  # never enrolled: whole history

    def before(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
        tx = tables["transactions"]
        keep = tx["date"].to_numpy() < cutoff.loc[tx["customer_id"]].to_numpy()
        return tx.loc[keep, ["customer_id", "date", "amount", "margin"]].reset_index(drop=True)

    pd.testing.assert_frame_equal(before(factual.tables), before(counterfactual.tables))
    assert len(factual.tables["transactions"]) > len(counterfactual.tables["transactions"])


def test_effect_scales_purchase_counts_of_companies_that_do_not_drop_out(big_factual, big_counterfactual) -> None:
    (fact, internals), (cf, _) = big_factual, big_counterfactual
    cu = fact.tables["customers"]
    enrolled_on = pd.to_datetime(cu["enrolled_on"])
    # nearly immortal members (dropout prob < 0.5 %), with a full year after enrolment
    keep = (cu["status"] == "member") & ((END - enrolled_on).dt.days >= 365) & (internals.p_drop < 0.005)
    assert keep.sum() > 100

    def count(sim: Simulation) -> int:
        tx = sim.tables["transactions"]
        t = tx[tx["amount"] > 0].merge(pd.DataFrame({"customer_id": cu.loc[keep, "customer_id"], "e": enrolled_on[keep]}))
        days = (pd.to_datetime(t["date"]) - t["e"]).dt.days
        return int(((days >= 0) & (days <= 364)).sum())

    assert count(fact) / count(cf) == pytest.approx(1.25, abs=0.04)


# ----------------------------------------------------------------------------
# the generative model: BG/NBD and Gamma-Gamma
# ----------------------------------------------------------------------------
def test_latent_draws_have_the_population_means(big_counterfactual) -> None:
    _, it = big_counterfactual
    assert it.lam.mean() == pytest.approx(R / ALPHA, rel=0.03)  # purchases per week
    assert it.p_drop.mean() == pytest.approx(A / (A + B), rel=0.04)
    # E[p / nu] = p * v / (q - 1): the Gamma-Gamma mean spend, EUR
    assert (GG_P / it.nu).mean() == pytest.approx(GG_P * GG_V / (GG_Q - 1), rel=0.03)


def test_mean_purchase_amount_is_the_gamma_gamma_expectation(big_counterfactual) -> None:
    sim, _ = big_counterfactual
    tx = sim.tables["transactions"]
    purchases = tx[tx["amount"] > 0].groupby("customer_id")["amount"]
    total, count = purchases.sum(), purchases.size()
    mean = total.sum() / count.sum()
    # standard error of a ratio estimator clustered by company
    se = math.sqrt(((total - mean * count) ** 2).sum()) / count.sum()
    expected = GG_P * GG_V / (GG_Q - 1)  # 3000 EUR, from the formula
    assert se < 0.015 * expected  # the test has power to see a few % of bias
    assert abs(mean - expected) < 4 * se


def test_repeat_purchase_counts_follow_bgnbd_expectation(big_counterfactual) -> None:
    """E[X(T) | lambda, p] = (1 - exp(-lambda p T)) / p with dropout only after repeat purchases."""
    sim, it = big_counterfactual
    tx = sim.tables["transactions"]
    customers = sim.tables["customers"]["customer_id"]
    repeats = tx[tx["amount"] > 0].groupby("customer_id").size().reindex(customers, fill_value=0) - 1
    first_day = pd.Timestamp(sim.truth["first_possible_date"])
    n_days = (END - first_day).days + 1
    t_weeks = (n_days - it.birth) / 7.0
    expected = (1 - np.exp(-it.lam * it.p_drop * t_weeks)) / it.p_drop
    diff = repeats.to_numpy() - expected
    z = diff.sum() / math.sqrt((diff**2).sum())
    assert abs(z) < 4
    # the same check against the population-level BG/NBD formula (no latent draws)
    pop = (A + B - 1) / (A - 1) * (1 - (ALPHA / (ALPHA + t_weeks)) ** R * special.hyp2f1(R, B, A + B - 1, t_weeks / (ALPHA + t_weeks)))
    diff = repeats.to_numpy() - pop
    assert abs(diff.sum() / math.sqrt((diff**2).sum())) < 4
    # dropping out after the first purchase too (MBG/NBD) would be visibly fewer repeats
    mbg = (1 - it.p_drop) * expected
    assert (repeats.to_numpy() - mbg).sum() / math.sqrt((diff**2).sum()) > 4


def test_lifetimes_recovers_the_truth(big_counterfactual) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    sim, _ = big_counterfactual
    tx = sim.tables["transactions"]
    purchases = tx[tx["amount"] > 0].assign(date=lambda d: pd.to_datetime(d["date"]))
    g = purchases.groupby("customer_id")
    first, last, n = g["date"].min(), g["date"].max(), g.size()
    horizon = END + pd.Timedelta(days=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bgf = lifetimes.BetaGeoFitter().fit(n - 1, (last - first).dt.days / 7, (horizon - first).dt.days / 7)
        repeat = n > 1
        ggf = lifetimes.GammaGammaFitter().fit(n[repeat], g["amount"].mean()[repeat])
    fit = bgf.params_
    assert fit["r"] / fit["alpha"] == pytest.approx(R / ALPHA, rel=0.08)
    assert fit["a"] / (fit["a"] + fit["b"]) == pytest.approx(A / (A + B), rel=0.12)
    assert fit["r"] == pytest.approx(R, rel=0.2)
    gg = ggf.params_
    assert gg["p"] * gg["v"] / (gg["q"] - 1) == pytest.approx(GG_P * GG_V / (GG_Q - 1), rel=0.05)


def test_seasonality_shapes_the_monthly_purchase_counts() -> None:
    def may_over_november(seasonality: float) -> float:
        tx = simulate(n_customers=3000, seed=21, effect=0.0, seasonality=seasonality, dirty=False).tables["transactions"]
        months = pd.to_datetime(tx.loc[(tx["amount"] > 0) & (tx["date"] >= "2022-01-01"), "date"]).dt.month
        counts = months.value_counts()
        return counts[5] / counts[11]

    assert may_over_november(0.5) > 1.8  # peak mid-May, trough mid-November: (1.5 / 0.5) in theory
    assert may_over_november(0.0) == pytest.approx(1.0, abs=0.15)


# ----------------------------------------------------------------------------
# arguments
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_customers": 0}, r"n_customers must be at least 1, got 0; pass"),
        ({"n_customers": -5}, r"n_customers must be at least 1, got -5"),
        ({"seed": -1}, r"seed must be a non-negative int, got -1"),
        (
            {"start": dt.date(2023, 1, 1), "end": dt.date(2023, 1, 1)},
            r"end must be after start.*2023-01-01.*pass",
        ),
        ({"start": dt.date(2023, 1, 1), "end": dt.date(2022, 1, 1)}, r"end must be after start.*2022-01-01"),
        ({"effect": -0.1}, r"effect must be a finite number >= 0, got -0.1; pass"),
        ({"effect": float("nan")}, r"effect must be a finite number >= 0, got nan"),
        ({"effect": float("inf")}, r"effect must be a finite number >= 0, got inf"),
        ({"seasonality": 1.0}, r"seasonality must be in \[0, 1\), got 1.0; pass"),
        ({"seasonality": -0.2}, r"seasonality must be in \[0, 1\), got -0.2"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        simulate(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [{"n_customers": 2.5}, {"n_customers": True}, {"seed": "1"}, {"start": "2022-01-01"}, {"effect": "0.2"}],
)
def test_wrong_types_raise_type_error(kwargs: dict) -> None:
    with pytest.raises(TypeError):
        simulate(**kwargs)


def test_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        simulate(100)  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_customers": 1},
        {"n_customers": 5, "end": dt.date(2022, 1, 2)},  # programme never launches
        {"n_customers": 100, "start": dt.date(2020, 2, 29), "end": dt.date(2020, 12, 31)},
    ],
)
def test_small_and_short_simulations_are_consistent(tmp_path: pathlib.Path, kwargs: dict) -> None:
    sim = simulate(**kwargs)
    write_simulation(sim, tmp_path)
    for table, columns in TABLE_COLUMNS.items():
        assert tuple(_read(tmp_path, table).columns) == columns
    tx, tx_dirty, _ev, ev_dirty = _mini_loader(tmp_path)
    assert len(tx) == sim.truth["aggregates"]["rows"]["transactions"]
    assert tx_dirty == {k: v for k, v in sim.truth["dirty"]["transactions"].items() if v}
    assert ev_dirty == {k: v for k, v in sim.truth["dirty"]["events"].items() if v}
    assert sim.truth["uplift_att_n"] == 0 and sim.truth["uplift_att_revenue_pct"] is None
    if sim.truth["programme_launch"] > sim.truth["end"]:
        assert set(sim.tables["customers"]["status"]) == {"non-member"}
        assert len(sim.tables["members"]) == len(sim.tables["events"]) == 0
