import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

from workbench import plotting  # noqa: E402
from workbench.analysis import engagement as eng  # noqa: E402
from workbench.config.params import parse_params  # noqa: E402
from workbench.errors import ParameterError  # noqa: E402

KINDS = {"business": ["purchase_declaration"], "social": ["login", "visit"], "technical": ["training"]}
REF = pd.Timestamp("2024-12-31")


def frame(rows, columns):
    out = pd.DataFrame(rows, columns=columns)
    if "date" in out:
        out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    return out


TX = frame(
    [
        ("A", "2024-03-01", 100.0),
        ("A", "2024-03-01", 50.0),  # same day: one purchase day
        ("A", "2024-06-01", 80.0),
        ("A", "2024-07-01", -20.0),  # a credit note is not a purchase
        ("B", "2024-05-01", 10.0),
        ("C", "2023-01-01", 999.0),  # outside the 365-day window
    ],
    ["customer_id", "date", "amount"],
)
MEMBERS = pd.DataFrame({"member_id": ["m1", "m2", "m3"], "customer_id": ["A", "A", "B"], "role": ["owner", "sales rep", "owner"]})
EVENTS = frame(
    [
        ("A", "m1", "2024-02-01", "login"),
        ("A", "m1", "2024-02-02", "login"),
        ("A", "m1", "2024-02-03", "training"),
        ("A", "m2", "2024-02-01", "visit"),
        ("A", "m2", "2024-02-01", "purchase_declaration"),
        ("B", "m3", "2024-02-01", "login"),
        ("B", "m3", "2023-06-01", "training"),  # the training is outside the window
        ("B", "m3", "2024-02-05", "newsletter"),  # a kind in no pillar
    ],
    ["customer_id", "member_id", "date", "kind"],
)


def test_activity_counts_per_member_and_company():
    members = eng.activity_counts(EVENTS, TX, level="member", kinds=KINDS, reference_date=REF, window_days=365, members=MEMBERS)
    # business = company purchase days (A: 2, B: 1) + own declarations (m2: 1)
    expected = pd.DataFrame(
        {"member_id": ["m1", "m2", "m3"], "customer_id": ["A", "A", "B"], "business_count": [2, 3, 1], "social_count": [2, 1, 1], "technical_count": [1, 0, 0]}
    )
    assert_frame_equal(members, expected, check_dtype=False)
    companies = eng.activity_counts(EVENTS, TX, level="company", kinds=KINDS, reference_date=REF, window_days=365, members=MEMBERS)
    expected = pd.DataFrame({"customer_id": ["A", "B"], "business_count": [3, 1], "social_count": [3, 1], "technical_count": [1, 0]})
    assert_frame_equal(companies, expected, check_dtype=False)


def test_scaling_by_hand():
    counts = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "business_count": [0, 2, 4, 10], "social_count": [0, 0, 0, 0], "technical_count": [1, 1, 1, 1]})
    got = eng.scale_pillars(counts, weights={"business": 2, "social": 1, "technical": 1}, cap_quantile=0.5)
    # business: active counts 2, 4, 10 -> median cap 4 -> 0, 50, 100, 100 (capped)
    # social: nobody active -> 0; technical: cap 1 -> 100 for all
    # score = (2*business + social + technical) / 4
    assert got["business"].tolist() == [0.0, 50.0, 100.0, 100.0]
    assert got["social"].tolist() == [0.0] * 4
    assert got["technical"].tolist() == [100.0] * 4
    assert got["score"].tolist() == [25.0, 50.0, 75.0, 75.0]
    assert got.attrs["caps"] == {"business": 4.0, "social": 0.0, "technical": 1.0}


@pytest.mark.parametrize("weights", [{"business": -1, "social": 1}, {"business": 0}])
def test_bad_weights(weights):
    counts = pd.DataFrame({"customer_id": ["A"], "business_count": [1], "social_count": [1], "technical_count": [1]})
    with pytest.raises(ValueError, match="must be non-negative with a positive sum"):
        eng.scale_pillars(counts, weights=weights)


def test_member_level_needs_members():
    with pytest.raises(ValueError, match="needs the members table"):
        eng.activity_counts(EVENTS, TX, level="member", kinds=KINDS, reference_date=REF, window_days=365)


def test_quarterly_scores_use_frozen_caps():
    caps = {"business": 4.0, "social": 4.0, "technical": 4.0}  # per 360 days -> 1 per 90-day quarter
    got = eng.compute_engagement_by_quarter(
        EVENTS,
        TX,
        level="company",
        kinds=KINDS,
        weights={"business": 1, "social": 1, "technical": 1},
        caps=caps,
        caps_window_days=364,
        start=pd.Timestamp("2024-01-01"),
        end=pd.Timestamp("2024-03-31"),
        members=MEMBERS,
    )
    # Q1 2024 has 91 days: caps = 4 * 91 / 364 = 1. A: business 1 (declaration), social 3, technical 1 -> all 100.
    # B: business 0 (its purchase is in May), social 1 -> 100, technical 0. Means: business 50, social 100, technical 50.
    assert got["quarter"].astype(str).tolist() == ["2024Q1"]
    assert got[["entities", "business", "social", "technical"]].iloc[0].tolist() == [2, 50.0, 100.0, 50.0]
    assert got["score"].iloc[0] == pytest.approx((100 + 100 + 100) / 3 / 2 + (0 + 100 + 0) / 3 / 2)


def test_ambassadors_by_hand():
    scores = pd.DataFrame({"customer_id": ["A", "B", "C", "D", "E"], "score": [90.0, 80.0, 80.0, 10.0, 0.0]})
    companies = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E"],
            "revenue": [5000.0, 100.0, 3000.0, 9000.0, 1.0],
            "status": ["member", "member", "non-member", "member", "member"],
            "referrals": [2, 0, 1, 0, 0],
        }
    )
    got = eng.compute_ambassadors(scores, companies, top_share=0.4, statuses=["member"], min_revenue=1000)
    # top 40 % of 5 = 2 companies, but B and C tie at 80: all of A, B, C are candidates
    assert got["in_top"].tolist() == [True, True, True, False, False]
    # A meets status and revenue; B fails revenue; C fails status
    assert got.loc[got["ambassador"], "customer_id"].tolist() == ["A"]
    summary = eng.compute_ambassador_summary(got).iloc[0]
    assert summary[["companies", "candidates", "ambassadors", "ambassador_revenue", "referrals"]].tolist() == [5, 3, 1, 5000.0, 2.0]
    assert summary["revenue_share"] == pytest.approx(5000 / 17101)


def test_ambassador_criteria_need_their_column():
    scores = pd.DataFrame({"customer_id": ["A"], "score": [90.0]})
    with pytest.raises(ValueError, match="criterion on value_class needs a 'value_class' column"):
        eng.compute_ambassadors(scores, pd.DataFrame({"customer_id": ["A"], "revenue": [1.0]}), top_share=0.1, value_classes=["1"])


def test_tiers_by_hand():
    revenue = pd.Series([5_000.0, 10_000.0, 60_000.0, 200_000.0], index=list("ABCD"))
    got = eng.compute_tiers(revenue, thresholds={"gold": 50_000, "silver": 10_000})
    expected = pd.DataFrame(
        {
            "tier": ["base", "silver", "gold"],
            "min_revenue": [0.0, 10_000.0, 50_000.0],
            "companies": [1, 1, 2],
            "company_share": [0.25, 0.25, 0.5],
            "revenue": [5_000.0, 10_000.0, 260_000.0],
            "revenue_share": [5_000 / 275_000, 10_000 / 275_000, 260_000 / 275_000],
        }
    )
    assert_frame_equal(got, expected, check_dtype=False)


def test_programme_fit_evidence():
    tiers = eng.compute_tiers(pd.Series([5.0, 20.0], index=["A", "B"]), thresholds={"silver": 10})
    got = eng.compute_programme_fit(TX, reference_date=REF, window_days=365, member_scores=None, ambassadors=None, tiers=tiers)
    values = dict(zip(got["evidence"], got["value"]))
    assert values["median purchase days per buying company over the window"] == 1.5  # A: 2 days, B: 1 day
    assert values["revenue share of companies buying at least monthly"] == 0.0
    assert values["companies above the base tier"] == 0.5
    assert set(got["mechanic"]) == {"transactional", "status tiers"}


def test_engagement_parameters_are_validated():
    base = {"client": "x", "period": {"start": "2022-01-01", "end": "2024-12-31"}, "data": {"transactions": {"path": "t.csv"}}}
    assert parse_params(base).engagement.weights == {"business": 0.4, "social": 0.3, "technical": 0.3}
    with pytest.raises(ParameterError, match=r"engagement\.weights: .*unknown pillar\(s\) busines"):
        parse_params({**base, "engagement": {"weights": {"busines": 1}}})
    with pytest.raises(ParameterError, match=r"engagement\.ambassadors\.value_classes: 'Gold' is not a class of value_score\.classes; use some of 'VIP'"):
        parse_params({**base, "engagement": {"ambassadors": {"value_classes": ["VIP", "Gold"]}}})
    with pytest.raises(ParameterError, match=r"must be non-negative with a positive sum"):
        parse_params({**base, "engagement": {"weights": {"business": 0, "social": 0, "technical": 0}}})


def test_plots_draw_the_computed_values():
    profile = pd.DataFrame(
        {
            "typology": ["installer", "retailer"],
            "entities": [3, 2],
            "business": [80.0, 20.0],
            "social": [50.0, 40.0],
            "technical": [10.0, 0.0],
            "score": [50.0, 22.0],
        }
    )
    fig, ax = plt.subplots()
    plotting.engagement.plot_pillar_profile(profile, by="typology", ax=ax)
    assert [p.get_height() for p in ax.patches] == [80.0, 20.0, 50.0, 40.0, 10.0, 0.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["installer", "retailer"]
    assert ax.get_ylabel() == "mean pillar score (0-100)"
    plt.close(fig)
    fig, ax = plt.subplots()
    plotting.engagement.plot_score_distribution(pd.DataFrame({"score": [5.0, 7.0, 95.0]}), ax=ax, bins=10)
    assert [p.get_height() for p in ax.patches] == [2, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    plt.close(fig)
