"""Tests of the negative-control outcome: the headline re-run on the ranges the programme does not reward."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis.uplift import negative_control as nc_module
from workbench.analysis.uplift.conclusion import describe_negative_control, evidence_problems, headline_conclusion, negative_control_problem
from workbench.analysis.uplift.headline import run_negative_control, treated_companies
from workbench.analysis.uplift.negative_control import NEGATIVE_CONTROL_COLUMNS, compute_negative_control, restrict_to_ranges
from workbench.config.sections.uplift import UpliftSection
from workbench.simulate import simulate

TX = pd.DataFrame(
    {
        "customer_id": ["A", "A", "B", "B", "C"],
        "date": pd.to_datetime(["2023-01-05", "2023-02-01", "2023-01-10", "2023-03-01", "2023-04-01"]),
        "amount": [100.0, 300.0, 50.0, -20.0, 70.0],
        "product_range": ["equipment", "services", "services", "services", "spare parts"],
    }
)
COMPANIES = pd.DataFrame({"customer_id": ["A", "B", "C"], "enrolled_on": pd.to_datetime(["2023-01-15", None, None])})


def test_restriction_keeps_the_rows_of_the_ranges() -> None:
    got = restrict_to_ranges(TX, ranges=["services", "spare parts"])
    pd.testing.assert_frame_equal(got, TX.iloc[[1, 2, 3, 4]])


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        (["services", "jewellery"], r"uplift\.negative_control_ranges lists \['jewellery'\].*present are \['equipment', 'services', 'spare parts'\]"),
        ([], r"uplift\.negative_control_ranges must list at least one"),
    ],
)
def test_a_range_absent_from_the_data_is_named(ranges, message) -> None:
    with pytest.raises(ValueError, match=message):
        restrict_to_ranges(TX, ranges=ranges)
    with pytest.raises(ValueError, match=r"no product_range column"):
        restrict_to_ranges(TX.drop(columns="product_range"), ranges=["services"])


class _Stub:
    """What the estimator returns, as far as the negative control reads it."""

    def year(self, n: int) -> pd.Series:
        return pd.Series({"att": 12.5, "ci_low": -3.0, "ci_high": 30.0, "companies": 1, "member_value": 300.0, "counterfactual_value": 287.5})


def test_the_table_is_the_headline_estimator_on_the_restricted_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}

    def fake(transactions, companies, **kwargs):
        seen.update(transactions=transactions, companies=companies, **kwargs)
        return {"amount": _Stub()}

    monkeypatch.setattr(nc_module, "estimate_counterfactuals", fake)
    got = compute_negative_control(TX, COMPANIES, ranges=["services", "spare parts"], end=pd.Timestamp("2024-12-31"), launch=pd.Timestamp("2023-01-01"), seed=7)
    pd.testing.assert_frame_equal(seen["transactions"], TX.iloc[[1, 2, 3, 4]])
    assert seen["seed"] == 7 and seen["n_bootstrap"] == 199 and seen["companies"] is COMPANIES
    # revenue share: (300 + 50 - 20 + 70) / (100 + 300 + 50 - 20 + 70) = 400 / 500
    want = pd.DataFrame([("services, spare parts", 12.5, -3.0, 30.0, 1, 300.0, 287.5, 0.8)], columns=NEGATIVE_CONTROL_COLUMNS)
    pd.testing.assert_frame_equal(got, want)


def _world(scenario: str, *, null: bool, n: int, seed: int):
    sim = simulate(n_customers=n, seed=seed, scenario=scenario, null=null, rewarded_ranges=["equipment"], dirty=False)
    tx = sim.tables["transactions"].assign(date=lambda d: pd.to_datetime(d["date"]))
    cu = sim.tables["customers"].assign(enrolled_on=lambda d: pd.to_datetime(d["enrolled_on"]))
    companies, _ = treated_companies(cu, treated="intent_to_treat", member_statuses=("member",))
    row = compute_negative_control(
        tx, companies, ranges=sim.truth["negative_control_ranges"], end=pd.Timestamp(sim.truth["end"]), launch=pd.Timestamp(sim.truth["programme_launch"])
    ).iloc[0]
    return row, sim.truth


@pytest.mark.parametrize("seed", [1, 2])
def test_in_an_observables_world_the_interval_covers_its_truth(seed: int) -> None:
    # the truth is below 0 (more purchases in the rewarded ranges bring the BG/NBD dropout forward), not exactly 0
    row, truth = _world("observables", null=False, n=2000, seed=seed)
    assert row["ci_low"] <= truth["negative_control_year1_att"] <= row["ci_high"]
    assert row["ci_low"] <= 0  # it does not fire


def test_in_a_latent_world_it_is_positive() -> None:
    # no effect anywhere, the sales team invites on the true purchase rate: members buy more than predicted in every range
    row, truth = _world("latent_survival", null=True, n=6000, seed=1)
    assert truth["negative_control_year1_att"] == 0.0
    assert row["ci_low"] > 0


ROW = pd.Series(
    {
        "ranges": "services, spare parts",
        "att": 1234.4,
        "ci_low": 200.0,
        "ci_high": 2500.0,
        "companies": 150,
        "member_value": 5000.0,
        "counterfactual_value": 3765.6,
        "revenue_share": 0.3,
    }
)


def test_the_conclusion_sentence_by_hand() -> None:
    text = describe_negative_control(ROW, currency="EUR")
    assert text.startswith(
        "On revenue in services, spare parts (30 % of all revenue), which the programme does not reward, the headline's estimator predicts "
        "3\u202f766 EUR per member for year 1 and the members bought 5\u202f000 EUR: 1\u202f234 EUR per member, interval 200 EUR to 2\u202f500 EUR (150 companies). "
        "**Its interval is above 0:**"
    )
    covering = ROW.copy()
    covering["ci_low"] = -100.0
    covers = describe_negative_control(covering, currency="EUR")
    assert "Its interval covers 0: no sign of members who would have bought more anyway. That is no proof" in covers
    below = ROW.copy()
    below[["att", "ci_low", "ci_high"]] = [-900.0, -1500.0, -100.0]
    assert "It is no sign of hidden selection." in describe_negative_control(below, currency="EUR")
    assert negative_control_problem(below) is None and negative_control_problem(None) is None


def test_evidence_problems_gain_the_negative_control_when_it_fires() -> None:
    year1 = pd.Series({"att": 3000.0, "ci_low": 800.0, "ci_high": 5200.0})
    common = dict(year1=year1, disagree=False, pre_trend_p=None, placebo=None, e_value_interval=None)
    assert evidence_problems(**common, negative_control=None) == []
    covering = ROW.copy()
    covering["ci_low"] = -1.0
    assert evidence_problems(**common, negative_control=covering) == []
    assert evidence_problems(**common, negative_control=ROW) == [
        "on revenue in ranges the programme does not reward (services, spare parts), the same estimate finds members buying more than predicted "
        "(1\u202f234 EUR per member, interval 200 EUR to 2\u202f500 EUR): they would probably have bought more anyway, so the headline likely leans high "
        "(unless the programme's effect spills over into those ranges)"
    ]


def test_the_parameter_and_the_page_sentence_when_empty_or_wrong() -> None:
    section = UpliftSection(negative_control_ranges=["services"])
    assert section.headline_kwargs()["negative_control_ranges"] == ("services",)
    assert "negative_control_ranges" not in section.estimator_kwargs()
    assert UpliftSection().headline_kwargs()["negative_control_ranges"] == ()
    with pytest.raises(ValueError, match="distinct product_range values"):
        UpliftSection(negative_control_ranges=["services", "services"])
    control, reason = run_negative_control(TX, COMPANIES, ranges=(), end=pd.Timestamp("2024-12-31"), launch=pd.Timestamp("2023-01-01"))
    assert control is None and "`uplift.negative_control_ranges`" in reason
    control, reason = run_negative_control(TX, COMPANIES, ranges=("jewellery",), end=pd.Timestamp("2024-12-31"), launch=pd.Timestamp("2023-01-01"))
    assert control is None and reason.startswith("The negative control could not run: uplift.negative_control_ranges lists ['jewellery']")


def test_the_page_conclusion_states_the_negative_control() -> None:
    year1 = pd.Series({"att": 3000.0, "ci_low": 800.0, "ci_high": 5200.0, "companies": 280})
    text = headline_conclusion(year1, others=None, problems=[], naive=None, negative_control=ROW, currency="EUR")
    assert (
        "On revenue in ranges the programme does not reward (services, spare parts), the same estimate finds 1\u202f234 EUR per member, "
        "interval 200 EUR to 2\u202f500 EUR." in text
    )
    assert "does not reward" not in headline_conclusion(year1, others=None, problems=[], naive=None, currency="EUR")
