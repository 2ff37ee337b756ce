"""Tests of the headline's placebo: the purchase-model counterfactual at pseudo-enrolment dates 13 months early.

Hand-worked cases for who is evaluated and where (the pseudo dates, the year before the enrolment
month, what a sign-up order changes), the same estimator called directly on hand-shifted dates,
the warning in the conclusion, and simulated worlds at a fixed seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.uplift.conclusion import evidence_problems, headline_placebo_problem
from workbench.analysis.uplift.counterfactual import estimate_counterfactual
from workbench.analysis.uplift.placebo import PLACEBO_COLUMNS, compute_headline_placebo, placebo_fires, pseudo_enrolment

D = pd.Timestamp


def _tx(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(date=lambda d: pd.to_datetime(d["date"]))


def _small_world() -> tuple[pd.DataFrame, pd.DataFrame]:
    """40 companies buying 8-12 times at random days of 2022-01-01 + 0..999; C0-C9 enrol on 2024-03-15, the others never."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(40):
        for d in np.sort(rng.choice(np.arange(0, 1000), size=8 + i % 5, replace=False)):
            rows.append((f"C{i}", D("2022-01-01") + pd.Timedelta(days=int(d)), float(rng.integers(50, 500))))
    companies = pd.DataFrame({"customer_id": [f"C{i}" for i in range(40)], "enrolled_on": pd.to_datetime(["2024-03-15"] * 10 + [None] * 30)})
    return _tx(rows), companies


KW = dict(end=D("2024-09-26"), launch=D("2023-01-01"), n_bootstrap=29, seed=5)


def test_the_pseudo_dates_and_who_qualifies_by_hand():
    tx = _tx([("A", "2021-01-04", 10.0)])
    companies = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D"],
            # 13 months back: 2022-03-20 -> 2021-02-20 (1.5 months of data: too little), 2023-01-31 -> 2021-12-31, 2024-05-10 -> 2023-04-10
            "enrolled_on": pd.to_datetime(["2022-03-20", "2023-01-31", None, "2024-05-10"]),
        }
    )
    got = pseudo_enrolment(companies, transactions=tx, launch=D("2022-07-01"))
    assert got["customer_id"].tolist() == ["A", "B", "C", "D"]  # every company stays in the run (the population fit is the headline's)
    assert got["enrolled_on"].tolist()[1:] == [D("2021-12-31"), pd.NaT, D("2023-04-10")] and pd.isna(got["enrolled_on"].iloc[0])
    late = pseudo_enrolment(companies, transactions=tx, launch=D("2022-07-01"), after_launch=True)
    assert late["enrolled_on"].notna().tolist() == [False, False, False, True]
    no_minimum = pseudo_enrolment(companies, transactions=tx, launch=D("2022-07-01"), min_history_months=0)
    assert no_minimum["enrolled_on"].iloc[0] == D("2021-02-20")


def test_a_shift_that_reaches_the_enrolment_month_is_refused():
    tx, companies = _small_world()
    with pytest.raises(ValueError, match="at least 13"):
        pseudo_enrolment(companies, transactions=tx, launch=D("2023-01-01"), months_back=12)
    with pytest.raises(ValueError, match="0 or more"):
        pseudo_enrolment(companies, transactions=tx, launch=D("2023-01-01"), min_history_months=-1)


def test_the_placebo_year_is_the_year_before_the_enrolment_month():
    """Enrolment 2024-03-15, pseudo date 2023-02-15: the placebo reads 2023-03-01 to 2024-02-29, by hand from the rows."""
    tx, companies = _small_world()
    got = compute_headline_placebo(tx, companies, **KW)
    assert list(got.columns) == PLACEBO_COLUMNS and len(got) == 1
    r = got.iloc[0]
    members = [f"C{i}" for i in range(10)]
    m = tx[tx["customer_id"].isin(members)]
    evaluated = [c for c in members if (m.loc[m["customer_id"] == c, "date"] < D("2023-02-15")).any()]  # bought before the pseudo date
    year = m[(m["date"] >= D("2023-03-01")) & (m["date"] < D("2024-03-01"))].groupby("customer_id")["amount"].sum()
    assert r["members"] == len(evaluated) and r["months_back"] == 13
    assert r["member_value"] == pytest.approx(year.reindex(evaluated, fill_value=0.0).mean())
    assert r["att"] == pytest.approx(r["member_value"] - r["counterfactual_value"])
    assert r["ci_low"] <= r["att"] <= r["ci_high"]


def test_it_is_the_headline_estimator_on_hand_shifted_dates():
    tx, companies = _small_world()
    shifted = companies.assign(enrolled_on=companies["enrolled_on"] - pd.DateOffset(months=13))
    y1 = estimate_counterfactual(tx, shifted, **KW).year(1)
    r = compute_headline_placebo(tx, companies, **KW).iloc[0]
    assert (r["att"], r["ci_low"], r["ci_high"]) == pytest.approx((y1["att"], y1["ci_low"], y1["ci_high"]))


def test_a_sign_up_order_and_the_programme_are_outside_the_placebo_year():
    """Orders on the enrolment day, later in its month and after it change the headline's year 1, not the placebo."""
    tx, companies = _small_world()
    extra = _tx([(f"C{i}", d, 5000.0) for i in range(10) for d in ("2024-03-15", "2024-03-29", "2024-04-02")])
    before = compute_headline_placebo(tx, companies, **KW).iloc[0]
    after = compute_headline_placebo(pd.concat([tx, extra], ignore_index=True), companies, **KW).iloc[0]
    assert after["member_value"] == pytest.approx(before["member_value"])
    assert after["members"] == before["members"]


def test_the_placebo_is_seeded():
    tx, companies = _small_world()
    pd.testing.assert_frame_equal(compute_headline_placebo(tx, companies, **KW), compute_headline_placebo(tx, companies, **KW))


def test_no_member_with_enough_history_is_refused():
    tx, companies = _small_world()
    early = companies.assign(enrolled_on=companies["enrolled_on"].where(companies["enrolled_on"].isna(), D("2022-06-15")))
    with pytest.raises(ValueError, match="months of data before its placebo date"):
        compute_headline_placebo(tx, early, **KW)


@pytest.mark.parametrize(
    "low,high,fires,lean",
    [(300.0, 2500.0, True, "leans high"), (-2500.0, -300.0, True, "may lean low"), (-300.0, 2500.0, False, None), (np.nan, np.nan, False, None)],
)
def test_the_warning_fires_when_the_interval_excludes_zero(low, high, fires, lean):
    row = pd.Series({"att": (low + high) / 2, "ci_low": low, "ci_high": high})
    assert placebo_fires(row) is fires
    sentence = headline_placebo_problem(row, currency="EUR")
    assert (sentence is not None) is fires
    if fires:
        assert lean in sentence and "before they enrolled" in sentence
        y1 = pd.Series({"att": 3000.0, "ci_low": 1000.0, "ci_high": 5000.0})
        problems = evidence_problems(year1=y1, disagree=False, pre_trend_p=None, placebo=None, e_value_interval=3.0, headline_placebo=row)
        assert problems == [sentence]


def _world(scenario: str, seed: int, n: int = 2000):
    from workbench.simulate import simulate

    sim = simulate(n_customers=n, seed=seed, scenario=scenario, null=True, dirty=False)
    tx = sim.tables["transactions"].assign(date=lambda d: pd.to_datetime(d["date"]))
    companies = sim.tables["customers"].assign(enrolled_on=lambda d: pd.to_datetime(d["enrolled_on"]))[["customer_id", "enrolled_on"]]
    return tx, companies, sim.truth


def _placebo(scenario: str, seed: int) -> pd.Series:
    tx, companies, truth = _world(scenario, seed)
    return compute_headline_placebo(tx, companies, end=D(truth["end"]), launch=D(truth["programme_launch"]), n_bootstrap=99, seed=seed).iloc[0]


def test_the_warning_reads_in_french():
    from workbench.reporting import i18n

    row = pd.Series({"att": 1500.0, "ci_low": 300.0, "ci_high": 2700.0})
    with i18n.using("fr"):
        sentence = headline_placebo_problem(row, currency="EUR")
    assert sentence.startswith("le placebo de l'estimation principale") and "penche probablement vers le haut" in sentence
    assert "par inscrit, intervalle de" in sentence


@pytest.mark.slow
def test_live_members_invited_on_their_rate_show_in_the_placebo():
    """Seed 101 (the headline tests' seed, chosen before looking), null world: members invited on their true rate, and alive.

    The placebo fires in every such world of the benchmark, but mostly because members are customers
    throughout their placebo year (it fires in every ``survival`` world too); in ``latent`` alone, 5 %.
    """
    r = _placebo("latent_survival", 101)
    assert r["ci_low"] > 0, r.to_dict()


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason=(
        "the known false alarm: the placebo's year is mostly the year before the launch the invitation list was drawn on, so members "
        "bought more in it than their earlier history predicts (+6,866 EUR, interval 2,904 to 11,141 at seed 101; "
        "fires in 45 % of 20 seeds: benchmarks/results/uplift_placebo_coverage.md)"
    ),
)
def test_selection_on_observables_leaves_the_placebo_at_zero():
    r = _placebo("observables", 101)
    assert r["ci_low"] <= 0 <= r["ci_high"], r.to_dict()


def test_the_page_paragraph_reads_the_placebo_and_its_limits():
    from workbench.analysis.uplift.conclusion import describe_headline_placebo
    from workbench.reporting import i18n

    row = pd.Series(
        {"att": 4000.0, "ci_low": 1000.0, "ci_high": 7000.0, "members": 112, "months_back": 13, "member_value": 20000.0, "counterfactual_value": 16000.0}
    )
    text = describe_headline_placebo(row, currency="EUR")
    assert "13 months earlier" in text and "16\u202f000 EUR per member" in text and "; 112 members)" in text
    assert "Its interval excludes 0" in text and "not proof that the headline leans high" in text
    covers = describe_headline_placebo(pd.concat([row.drop("ci_low"), pd.Series({"ci_low": -500.0})]), currency="EUR")
    assert "Its interval covers 0, which is no proof" in covers
    with i18n.using("fr"):
        french = describe_headline_placebo(row, currency="EUR")
    assert french.startswith("Le placebo de l'estimation principale") and "13 mois plus tôt" in french and "Son intervalle exclut 0" in french
