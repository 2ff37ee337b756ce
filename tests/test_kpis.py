"""Programme KPIs: hand-worked small cases, and the simulator's truth."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

from tests.conftest import write_params  # noqa: E402
from workbench import plotting  # noqa: E402
from workbench.analysis import kpis  # noqa: E402
from workbench.config.params import parse_params  # noqa: E402
from workbench.config.sections.kpis import KPI_KEYS  # noqa: E402
from workbench.errors import ParameterError  # noqa: E402

START, END = pd.Timestamp("2022-01-01"), pd.Timestamp("2023-12-31")


def frame(rows, columns, dates=("date",)):
    out = pd.DataFrame(rows, columns=columns)
    for c in dates:
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    return out


# Six companies: A, B, F members; D blocked; C non-member; E pre-registered.
CUSTOMERS = frame(
    [
        ("A", "member", "2023-02-01", "installer", "North"),
        ("B", "member", "2023-06-01", "retailer", "South"),
        ("C", "non-member", None, "installer", "North"),
        ("D", "blocked", "2023-03-01", "installer", "South"),
        ("E", "pre-registered", None, "retailer", "North"),
        ("F", "member", "2023-01-15", "retailer", "North"),
    ],
    ["customer_id", "status", "enrolled_on", "typology", "region"],
    dates=("enrolled_on",),
)
MEMBERS = frame(
    [
        ("m1", "A", "owner", "2023-02-01"),
        ("m2", "A", "sales rep", "2023-02-10"),
        ("m3", "B", "owner", "2023-06-01"),
        ("m4", "D", "owner", "2023-03-01"),
    ],
    ["member_id", "customer_id", "role", "registered_on"],
    dates=("registered_on",),
)
TX = frame(
    [
        ("A", "2022-03-10", 100.0),
        ("A", "2023-02-01", 200.0),  # on the enrolment day: not an activation
        ("B", "2023-03-15", 300.0),  # before B's enrolment
        ("B", "2023-12-20", -50.0),  # credit note after enrolment: not a purchase
        ("C", "2022-03-20", 400.0),
        ("C", "2023-03-05", 500.0),
        ("D", "2023-12-01", 100.0),
        ("F", "2023-05-01", 100.0),  # after F's enrolment: activation by purchase
    ],
    ["customer_id", "date", "amount"],
)
POINTS = frame(
    [
        ("A", "m1", "2023-02-01", 200.0, "earned"),
        ("A", "m2", "2023-12-15", 100.0, "earned"),
        ("A", "m1", "2023-12-20", -150.0, "redeemed"),  # A activated by redemption
        ("B", "m3", "2023-06-30", 300.0, "earned"),
        ("B", "m3", "2023-10-01", -50.0, "adjusted"),
        ("B", "m3", "2023-12-31", -20.0, "expired"),
    ],
    ["customer_id", "member_id", "date", "points", "kind"],
)
EVENTS = frame(
    [
        ("A", "m1", "2023-10-01", "login"),  # 91 days before END: outside a 90-day window
        ("B", "m3", "2023-10-03", "challenge"),  # the window's first day (END - 89 days): inside
        ("D", "m4", "2023-12-01", "challenge"),  # blocked company: not a member
    ],
    ["customer_id", "member_id", "date", "kind"],
)
TABLES = {"transactions": TX, "customers": CUSTOMERS, "members": MEMBERS, "points": POINTS, "events": EVENTS}


def test_headline_by_hand():
    got = kpis.compute_headline(TABLES, start=START, end=END, year=2023, active_days=90, activation_days=None, point_value=0.01)
    expected = {
        "revenue": 1650.0,  # 100 + 200 + 300 - 50 + 400 + 500 + 100 + 100
        "revenue_year": 1150.0,  # 2023: 200 + 300 - 50 + 500 + 100 + 100
        "revenue_growth": 1150 / 500 - 1,  # 2023: 200 + 300 - 50 + 500 + 100 + 100; 2022: 100 + 400
        "active_share": 1 / 3,  # members A, B, F: only B (challenge on the window's first day)
        "activation_rate_window": 2 / 3,  # no time limit: A (redemption), F (purchase after enrolment); not B
        "penetration_customers": 3 / 6,  # A, B, F among six companies
        "penetration_revenue": 650 / 1650,  # A 300 + B 250 + F 100
        "points_earned": 600.0,  # 200 + 100 + 300
        "points_growth": np.nan,  # nothing earned in 2022
        "mean_points_per_active_member": 100.0,  # earned in the window (m2, Dec 15) / 1 active member
        "redemption_rate": 0.25,  # 150 / 600
        "breakage_rate_cohort": np.nan,  # no expiry rule given: no earning cohort is closed
        "expiry_rate": 20 / 600,
        "points_liability": 3.8,  # (200 + 100 - 150 + 300 - 50 - 20) x 0.01
        "points_liability_net": 3.8,  # no closed cohort: no breakage assumed
        "challenge_participation": 1 / 3,  # B among A, B, F (D is blocked)
    }
    assert got["kpi"].tolist() == list(KPI_KEYS)
    assert list(got.columns) == ["kpi", "label", "value", "unit", "formula", "period"]
    np.testing.assert_allclose(got["value"].to_numpy(), np.array(list(expected.values())), rtol=1e-12)
    assert got.set_index("kpi").loc["points_liability", "unit"] == "EUR"
    assert got.set_index("kpi").loc["active_share", "period"] == "90 days to 2023-12-31"


def test_headline_on_transactions_alone_says_what_is_missing():
    got = kpis.compute_headline({"transactions": TX}, start=START, end=END, year=2023).set_index("kpi")
    assert got["value"].iloc[:3].tolist() == pytest.approx([1650.0, 1150.0, 1.3])
    assert got["value"].iloc[3:].isna().all()
    assert got.loc["revenue_year", "period"] == "2023-01-01 to 2023-12-31"
    assert got.loc["breakage_rate_cohort", "period"] == "needs the points table"
    assert got.loc["points_liability", "unit"] == "EUR"


def test_monthly_series_by_hand():
    got = kpis.compute_monthly(TABLES, start=START, end=END, active_days=90).set_index("month")
    assert list(got.reset_index().columns) == kpis.MONTHLY_COLUMNS
    assert len(got) == 24
    m = pd.Period
    assert got.loc[m("2023-12", "M"), "revenue"] == 50.0  # -50 + 100
    assert got["enrolments"].sum() == 4  # A, B, D, F (blocked D enrolled too)
    assert got.loc[m("2023-02", "M"), "registrations"] == 2  # m1, m2
    # window of May: 2023-03-03 .. 2023-05-31 -> F (May 1); B bought on Mar 15 but enrolled only on Jun 1
    assert got.loc[m("2023-05", "M"), "active_companies"] == 1
    # window of June: 2023-04-02 .. 2023-06-30 -> F (May 1) only: B's purchase of Mar 15 is now outside
    assert got.loc[m("2023-06", "M"), "active_companies"] == 1
    # window of April: 2023-01-31 .. 2023-04-30 -> A (bought on Feb 1, its enrolment day)
    assert got.loc[m("2023-04", "M"), "active_companies"] == 1
    # window of January: 2022-11-02 .. 2023-01-31 -> nobody: F enrolled on Jan 15 but bought nothing yet
    assert got.loc[m("2023-01", "M"), "active_companies"] == 0
    assert got.loc[m("2023-12", "M"), "active_companies"] == 1
    assert got.loc[m("2023-10", "M"), "logins"] == 1
    assert got["challenges"].sum() == 2
    assert got.loc[m("2023-12", "M"), "points_redeemed"] == 150.0
    assert got.loc[m("2023-12", "M"), "cumulative_points"] == 600.0


def test_monthly_without_optional_tables_is_nan():
    got = kpis.compute_monthly({"transactions": TX}, start=START, end=END)
    assert got["revenue"].sum() == 1650.0
    assert got[["enrolments", "logins", "active_companies", "points_earned"]].isna().all().all()


def test_year_over_year():
    monthly = kpis.compute_monthly(TABLES, start=START, end=END)
    got = kpis.compute_year_over_year(monthly, column="revenue", year=2023)
    march = got[got["month"] == 3].iloc[0]
    assert (march["previous"], march["current"]) == (500.0, 800.0)  # 2022: 100 + 400; 2023: 300 + 500
    assert march["change"] == pytest.approx(0.6)
    assert np.isnan(got.loc[got["month"] == 12, "change"].iloc[0])  # nothing in Dec 2022
    # 2022 has no year before it in the window: previous is NaN everywhere
    assert got.shape == (12, 4)
    assert kpis.compute_year_over_year(monthly, column="revenue", year=2022)["previous"].isna().all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"column": "revenue", "year": 2025}, "year 2025 has no month"),
        ({"column": "turnover", "year": 2023}, "column 'turnover' is not a monthly KPI"),
    ],
)
def test_year_over_year_errors(kwargs, match):
    monthly = kpis.compute_monthly({"transactions": TX}, start=START, end=END)
    with pytest.raises(ValueError, match=match):
        kpis.compute_year_over_year(monthly, **kwargs)


def test_status_counts_show_every_status():
    got = kpis.compute_status_counts(CUSTOMERS)
    expected = pd.DataFrame({"status": ["member", "pre-registered", "blocked", "non-member"], "companies": [3, 1, 1, 1], "share": [0.5, 1 / 6, 1 / 6, 1 / 6]})
    assert_frame_equal(got, expected)


def test_members_by_role():
    got = kpis.compute_members_by_role(MEMBERS)
    expected = pd.DataFrame({"role": ["owner", "sales rep"], "members": [3, 1], "companies": [3, 1], "share": [0.75, 0.25]})
    assert_frame_equal(got, expected)


def test_events_summary_counts_member_companies_only():
    got = kpis.compute_events_summary(EVENTS, companies={"A", "B", "F"})
    # D's challenge is left out (blocked); B's challenge: 1 company of 3
    expected = pd.DataFrame({"kind": ["challenge", "login"], "events": [1, 1], "companies": [1, 1], "people": [1, 1], "participation": [1 / 3, 1 / 3]})
    assert_frame_equal(got, expected)


def test_points_summary_balance_counts_earlier_movements():
    earlier = pd.concat([POINTS, frame([("A", "m1", "2021-06-01", 1000.0, "earned")], list(POINTS.columns))], ignore_index=True)
    got = kpis.compute_points_summary(earlier, start=START, end=END, point_value=0.02)
    expected = pd.DataFrame(
        {
            "earned": [600.0],
            "redeemed": [150.0],
            "expired": [20.0],
            "adjusted": [-50.0],
            "balance": [1380.0],
            "redemption_rate": [0.25],
            "unredeemed_rate": [0.75],  # 1 - 0.25: expired or still outstanding, not a breakage
            "expiry_rate": [20 / 600],
            "liability": [27.6],
            "breakage_rate_cohort": [np.nan],  # no expiry rule: no cohort closes
            "breakage_assumed": [0.0],
            "liability_net": [27.6],
        }
    )
    assert_frame_equal(got, expected)


def test_points_summary_rejects_negative_value():
    with pytest.raises(ValueError, match="point_value must be >= 0, got -1"):
        kpis.compute_points_summary(POINTS, start=START, end=END, point_value=-1)


def test_redemption_by_role_and_typology():
    by_role = kpis.compute_redemption_by(POINTS, MEMBERS, key="member_id", by="role")
    # owner: earned 200 (m1) + 300 (m3), redeemed 150 (m1); sales rep: earned 100 (m2)
    assert_frame_equal(
        by_role, pd.DataFrame({"segment": ["owner", "sales rep"], "earned": [500.0, 100.0], "redeemed": [150.0, 0.0], "redemption_rate": [0.3, 0.0]})
    )
    by_typology = kpis.compute_redemption_by(POINTS, CUSTOMERS, key="customer_id", by="typology")
    # installer (A): earned 300, redeemed 150; retailer (B): earned 300, redeemed 0; equal earnings: by name
    assert by_typology["segment"].tolist() == ["installer", "retailer"]
    assert by_typology["redemption_rate"].tolist() == [0.5, 0.0]


def test_redemption_by_unknown_column():
    with pytest.raises(ValueError, match="lookup has no column 'grade'"):
        kpis.compute_redemption_by(POINTS, MEMBERS, key="member_id", by="grade")


def test_activation_details():
    got = kpis.compute_activation(TX, CUSTOMERS, POINTS, end=END, activation_days=None).set_index("customer_id")
    assert got["purchased_after"].to_dict() == {"A": False, "B": False, "F": True}
    assert got["redeemed"].to_dict() == {"A": True, "B": False, "F": False}
    # a member enrolled after the reference date does not count yet
    later = kpis.compute_activation(TX, CUSTOMERS, POINTS, end=pd.Timestamp("2023-05-31"))
    assert sorted(later["customer_id"]) == ["A", "F"]


def test_activation_within_a_window_of_enrolment():
    # A enrolled 2023-02-01, redeemed 2023-12-20 (day 322); F enrolled 2023-01-15, bought 2023-05-01 (day 106);
    # B enrolled 2023-06-01, nothing after. END = 2023-12-31.
    got = kpis.compute_activation(TX, CUSTOMERS, POINTS, end=END, activation_days=90).set_index("customer_id")
    assert got["activated"].to_dict() == {"A": False, "B": False, "F": False}  # 322 and 106 days are past 90
    assert got["window_complete"].to_dict() == {"A": True, "B": True, "F": True}  # B: 2023-06-01 + 90 <= END
    assert kpis.activation_rate(got) == 0.0
    wide = kpis.compute_activation(TX, CUSTOMERS, POINTS, end=END, activation_days=322).set_index("customer_id")
    # A's redemption on day 322 is inside (edge included); F on day 106 too; B's window (2023-06-01 + 322) ends after END
    assert wide["activated"].to_dict() == {"A": True, "B": False, "F": True}
    assert wide["window_complete"].to_dict() == {"A": True, "B": False, "F": True}
    assert kpis.activation_rate(wide) == 1.0  # A and F among the two whose window has ended
    assert kpis.compute_activation(TX, CUSTOMERS, POINTS, end=END, activation_days=321).set_index("customer_id").loc["A", "activated"] == False  # noqa: E712
    headline = kpis.compute_headline(TABLES, start=START, end=END, year=2023, activation_days=322).set_index("kpi")
    assert headline.loc["activation_rate_window", "value"] == 1.0


def test_activation_with_every_member_enrolled_after_the_end():
    customers = CUSTOMERS.assign(enrolled_on=pd.Timestamp("2024-03-01"))
    got = kpis.compute_activation(TX, customers, POINTS, end=END, activation_days=90)
    assert got.empty and list(got.columns) == ["customer_id", "enrolled_on", "purchased_after", "redeemed", "activated", "window_complete"]
    assert np.isnan(kpis.activation_rate(got))
    headline = kpis.compute_headline({**TABLES, "customers": customers}, start=START, end=END, year=2023).set_index("kpi")
    assert np.isnan(headline.loc["activation_rate_window", "value"])


# Points earned by one person; expiry 12 months after earning (expired rows dated earning day + 12 months).
LEDGER = frame(
    [
        ("A", "m1", "2022-03-10", 1000.0, "earned"),
        ("A", "m1", "2022-06-01", -600.0, "redeemed"),
        ("A", "m1", "2022-11-20", 500.0, "earned"),
        ("A", "m1", "2023-03-10", -400.0, "expired"),  # what is left of the 2022-03-10 lot
        ("A", "m1", "2023-02-01", 2000.0, "earned"),
        ("A", "m1", "2023-11-20", -500.0, "expired"),  # the whole 2022-11-20 lot
        ("A", "m1", "2023-12-01", -300.0, "redeemed"),
        ("A", "m1", "2024-01-01", 100.0, "earned"),  # after the reference date: ignored
    ],
    ["customer_id", "member_id", "date", "points", "kind"],
)


def test_breakage_by_earning_cohort_by_hand():
    end = pd.Timestamp("2023-12-31")
    got = kpis.compute_breakage_cohorts(LEDGER, end=end, expiry_months=12)
    # 2022 cohort: earned 1 500, expired 900 (400 + 500); its last day 2022-12-31 + 12 months = 2023-12-31 <= end: closed
    # 2023 cohort: earned 2 000, nothing expired yet; closes 2024-12-31: open, its 1 700 outstanding points are not breakage
    assert got["cohort"].tolist() == ["2022", "2023"]
    assert got["earned"].tolist() == [1500.0, 2000.0]
    assert got["expired"].tolist() == [900.0, 0.0]
    assert got["closed"].tolist() == [True, False]
    assert got["breakage_rate"].iloc[0] == pytest.approx(0.6) and np.isnan(got["breakage_rate"].iloc[1])
    assert kpis.expected_breakage(got) == pytest.approx(0.6)
    # one day earlier the 2022 cohort is still open (its December points expire on 2023-12-31)
    assert np.isnan(kpis.expected_breakage(kpis.compute_breakage_cohorts(LEDGER, end=pd.Timestamp("2023-12-30"), expiry_months=12)))
    monthly = kpis.compute_breakage_cohorts(LEDGER, end=end, expiry_months=12, grain="month").set_index("cohort")
    # 2022-03: 400 / 1 000 closed on 2023-03-31; 2022-11: 500 / 500 closed on 2023-11-30; 2023-02: open until 2024-02-29
    assert monthly.loc["2022-03", "breakage_rate"] == 0.4 and monthly.loc["2022-11", "breakage_rate"] == 1.0
    assert not monthly.loc["2023-02", "closed"]
    assert np.isnan(kpis.expected_breakage(kpis.compute_breakage_cohorts(LEDGER, end=end, expiry_months=None)))


def test_liability_net_of_expected_breakage_by_hand():
    end = pd.Timestamp("2023-12-31")
    got = kpis.compute_points_summary(LEDGER, start=pd.Timestamp("2023-01-01"), end=end, point_value=0.01, expiry_months=12).iloc[0]
    # balance at end: 1 000 - 600 + 500 - 400 + 2 000 - 500 - 300 = 1 700 points; gross 17.00; breakage 0.6 -> net 17 x 0.4 = 6.80
    assert got["balance"] == 1700.0
    assert got["liability"] == pytest.approx(17.0)
    assert got["breakage_rate_cohort"] == pytest.approx(0.6)
    assert got["liability_net"] == pytest.approx(6.8)
    # 2023 flows: earned 2 000, redeemed 300 -> 85 % unredeemed, of which only 900 expired points (from 2022) are breakage
    assert got["unredeemed_rate"] == pytest.approx(0.85)
    forced = kpis.compute_points_summary(LEDGER, start=pd.Timestamp("2023-01-01"), end=end, point_value=0.01, expiry_months=12, breakage=0.25).iloc[0]
    assert (forced["breakage_assumed"], forced["liability_net"]) == (0.25, pytest.approx(12.75))
    with pytest.raises(ValueError, match="breakage=1.5"):
        kpis.compute_points_summary(LEDGER, start=START, end=end, point_value=0.01, breakage=1.5)
    headline = kpis.compute_headline({"transactions": TX, "points": LEDGER}, start=START, end=end, year=2023, expiry_months=12).set_index("kpi")
    assert headline.loc["breakage_rate_cohort", "value"] == pytest.approx(0.6)
    assert headline.loc["points_liability_net", "value"] == pytest.approx(6.8)
    assert "expected breakage 60.0 % = breakage of the closed cohorts" in headline.loc["points_liability_net", "formula"]


def test_growth_of_a_partial_year_is_like_for_like():
    tx = frame(
        [("A", "2023-03-01", 100.0), ("A", "2023-09-01", 900.0), ("A", "2024-03-01", 150.0), ("A", "2024-06-30", 50.0)],
        ["customer_id", "date", "amount"],
    )
    got = kpis.compute_headline({"transactions": tx}, start=START, end=pd.Timestamp("2024-06-30"), year=2024).set_index("kpi")
    # 2024-01-01..06-30 = 200 against 2023-01-01..06-30 = 100 (not the whole 2023, 1 000)
    assert got.loc["revenue_growth", "value"] == pytest.approx(1.0)
    assert got.loc["revenue_growth", "period"] == "2024-01-01 to 2024-06-30 vs 2023-01-01 to 2023-06-30"


def test_member_revenue_split():
    got = kpis.compute_member_revenue(TX, CUSTOMERS)
    expected = pd.DataFrame(
        {
            "group": ["member", "not member"],
            "companies": [3, 3],
            "buyers": [3, 2],
            "revenue": [650.0, 1000.0],
            "revenue_share": [650 / 1650, 1000 / 1650],
            "revenue_per_buyer": [650 / 3, 500.0],
        }
    )
    assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    "filters, customers, points_rows",
    [
        ({"typology": ["installer"]}, ["A", "C", "D"], 3),  # A's three point rows
        ({"role": ["owner"]}, ["A", "B", "D"], 5),  # m2's row is dropped
        ({"typology": ["installer"], "role": ["owner"]}, ["A", "D"], 2),  # m1's two rows
        ({"status": ["member"], "region": ["North"]}, ["A", "F"], 3),
        ({}, ["A", "B", "C", "D", "E", "F"], 6),
    ],
)
def test_filters_restrict_every_table(filters, customers, points_rows):
    got, notes = kpis.filter_tables(TABLES, **filters)
    assert notes == []
    assert sorted(got["customers"]["customer_id"]) == customers
    assert set(got["transactions"]["customer_id"]) <= set(customers)
    assert len(got["points"]) == points_rows
    if "role" in filters:
        assert set(got["members"]["role"]) == set(filters["role"])


def test_filters_without_their_table_are_noted():
    got, notes = kpis.filter_tables({"transactions": TX}, status=["member"], role=["owner"])
    assert len(got["transactions"]) == len(TX)
    assert notes == ["The status filter (member) is ignored: it needs the customers table.", "The role filter (owner) is ignored: it needs the members table."]


@pytest.mark.parametrize(
    "targets, met",
    [
        ({"activation_rate_window": {"min": 0.6}}, [True]),  # 0.667 >= 0.6
        ({"activation_rate_window": {"min": 0.7}}, [False]),
        ({"breakage_rate_cohort": {"max": 0.35}, "revenue": {"min": 1000, "max": 2000}}, [False, True]),
        ({"challenge_participation": {"min": 0.1}}, [True]),
    ],
)
def test_targets(targets, met):
    headline = kpis.compute_headline(TABLES, start=START, end=END, year=2023, activation_days=None)
    got = kpis.compute_targets(headline, targets)
    assert got["kpi"].tolist() == list(targets)
    assert got["met"].tolist() == met


def test_target_on_a_missing_kpi_is_not_met_and_is_described():
    headline = kpis.compute_headline({"transactions": TX}, start=START, end=END, year=2023)
    got = kpis.compute_targets(headline, {"activation_rate_window": {"min": 0.6}, "revenue": {"max": 1000}})
    assert got["met"].tolist() == [False, False]
    assert kpis.describe_misses(got, headline) == [
        "**activation_rate_window** is no value, target at least 60.0%.",
        "**revenue** is 1\u202f650 EUR, target at most 1\u202f000 EUR.",
    ]


@pytest.mark.parametrize(
    "targets, match",
    [
        ({"activaton_rate": {"min": 0.6}}, "unknown KPI 'activaton_rate'; valid keys are revenue, revenue_year, revenue_growth"),
        ({"revenue": {"above": 1}}, "targets.revenue"),
    ],
)
def test_targets_errors(targets, match):
    headline = kpis.compute_headline({"transactions": TX}, start=START, end=END, year=2023)
    with pytest.raises(ValueError, match=match):
        kpis.compute_targets(headline, targets)


@pytest.mark.parametrize(
    "section, match",
    [
        ({"targets": {"activaton_rate": {"min": 0.6}}}, "kpis.targets: unknown KPI 'activaton_rate'; valid keys are revenue"),
        ({"targets": {"revenue": {"above": 3}}}, "kpis.targets.revenue: got"),
        ({"status": ["Inscrit"]}, "kpis.status: unknown status 'Inscrit'"),
        ({"active_days": 0}, "kpis.active_days"),
    ],
)
def test_section_validation(section, match):
    raw = {"client": "x", "period": {"start": "2022-01-01", "end": "2023-12-31"}, "data": {"transactions": {"path": "t.csv"}}, "kpis": section}
    with pytest.raises(ParameterError, match=match):
        parse_params(raw)


def test_section_defaults():
    raw = {"client": "x", "period": {"start": "2022-01-01", "end": "2023-12-31"}, "data": {"transactions": {"path": "t.csv"}}}
    section = parse_params(raw).kpis
    assert (section.active_days, section.point_value, section.year_for(END.date())) == (90, 0.01, 2023)


def test_plots_draw_what_they_are_given():
    fig, ax = plt.subplots()
    plotting.kpis.plot_status_counts(kpis.compute_status_counts(CUSTOMERS), ax=ax)
    assert [p.get_width() for p in ax.patches] == [3, 1, 1, 1]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["member", "pre-registered", "blocked", "non-member"]
    assert ax.get_xlabel() == "companies"
    fig, ax = plt.subplots()
    yoy = kpis.compute_year_over_year(kpis.compute_monthly(TABLES, start=START, end=END), column="revenue", year=2023)
    plotting.kpis.plot_year_over_year(yoy, year=2023, unit="EUR", title="Revenue", ax=ax)
    assert [p.get_height() for p in ax.patches][2] == 800.0
    assert ax.get_ylabel() == "EUR" and ax.get_title() == "Revenue"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2022", "2023"]
    plt.close("all")


# ---------------------------------------------------------------- against the simulator
@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    from workbench.config.params import load_params
    from workbench.data import load_dataset
    from workbench.simulate import simulate, write_simulation

    folder = tmp_path_factory.mktemp("sim")
    sim = simulate(n_customers=400, seed=5)
    write_simulation(sim, folder)
    tables = {name: {"path": f"{name}.csv"} for name in ("transactions", "customers", "members", "points", "events")}
    params = load_params(write_params(folder, tables))
    ds = load_dataset(params)
    inside = {n: (t[t["in_period"]] if "in_period" in t else t) for n, t in ds.tables.items()}
    return sim.truth, inside, params


def test_headline_matches_truth(simulated):
    truth, tables, params = simulated
    agg = truth["aggregates"]
    got = kpis.compute_headline(tables, start=pd.Timestamp(params.period.start), end=pd.Timestamp(params.period.end), year=2024, point_value=0.01).set_index(
        "kpi"
    )["value"]
    assert got["revenue"] == pytest.approx(agg["revenue_in_period"], abs=0.01)
    assert got["penetration_customers"] == pytest.approx(agg["customers_by_status"]["member"] / truth["n_customers"])
    assert got["points_earned"] == agg["points_by_kind"]["earned"]
    assert got["redemption_rate"] == pytest.approx(-agg["points_by_kind"]["redeemed"] / agg["points_by_kind"]["earned"])
    assert got["points_liability"] == pytest.approx(agg["points_balance"] * 0.01)
    counts = kpis.compute_status_counts(tables["customers"]).set_index("status")["companies"].to_dict()
    assert counts == agg["customers_by_status"]
    assert kpis.compute_members_by_role(tables["members"])["members"].sum() == agg["members_people"]


def test_active_profiles():
    got = kpis.compute_active_profiles(TABLES, as_of=END, active_days=90)
    # members A, B, F: only B (challenge on 2023-10-03, the window's first day)
    assert_frame_equal(got, pd.DataFrame({"companies": [3], "active": [1], "inactive": [2], "active_share": [1 / 3]}))
    # A's login of 2023-10-01 is 91 days before END: a 92-day window (2023-10-01 .. 2023-12-31) reaches it, 91 does not
    assert kpis.compute_active_profiles(TABLES, as_of=END, active_days=91)["active"].iloc[0] == 1
    assert kpis.compute_active_profiles(TABLES, as_of=END, active_days=92)["active"].iloc[0] == 2
    with pytest.raises(ValueError, match="need the customers table"):
        kpis.compute_active_profiles({"transactions": TX}, as_of=END, active_days=90)


def test_yoy_table_sums_flows_and_takes_stocks_at_the_last_month():
    got = kpis.compute_yoy_table(kpis.compute_monthly(TABLES, start=START, end=END), year=2023).set_index("kpi")
    assert got.loc["revenue", ["previous", "current", "change"]].tolist() == pytest.approx([500.0, 1150.0, 1.3])
    assert got.loc["revenue", "compared"] == "2023-01-01 to 12-31 vs 2022-01-01 to 12-31"  # whole years: whole months
    assert got.loc["cumulative_points", ["previous", "current"]].tolist() == [0.0, 600.0]  # December 2022, December 2023
    assert got.loc["active_companies", ["previous", "current"]].tolist() == [0.0, 1.0]
    assert np.isnan(got.loc["enrolments", "change"])  # nobody enrolled in 2022


def test_format_headline_shows_units():
    got = kpis.format_headline(kpis.compute_headline(TABLES, start=START, end=END, year=2023, activation_days=None)).set_index("kpi")["value"]
    assert (got["revenue"], got["activation_rate_window"], got["points_earned"], got["points_growth"]) == ("1\u202f650 EUR", "66.7 %", "600 points", "")


def test_redemption_by_window():
    got = kpis.compute_redemption_by(POINTS, MEMBERS, key="member_id", by="role", start=pd.Timestamp("2023-12-01"), end=END)
    # December only: m2 earned 100 (sales rep); m1 redeemed 150 (owner) and earned nothing
    assert got["segment"].tolist() == ["sales rep", "owner"]
    assert got["earned"].tolist() == [100.0, 0.0] and got["redeemed"].tolist() == [0.0, 150.0]
    assert got["redemption_rate"].iloc[0] == 0.0 and np.isnan(got["redemption_rate"].iloc[1])


def test_member_revenue_monthly():
    got = kpis.compute_member_revenue_monthly(TX, CUSTOMERS, start=pd.Timestamp("2023-01-01"), end=END).set_index("month")
    m = pd.Period
    assert len(got) == 12
    # March 2023: B (member) 300; C (non-member) 500. December: B -50 (member); D 100 (blocked: not a member)
    assert got.loc[m("2023-03", "M")].tolist() == [300.0, 500.0]
    assert got.loc[m("2023-12", "M")].tolist() == [-50.0, 100.0]
    assert got["member"].sum() == 200 + 300 - 50 + 100  # A's 2022 purchase is outside the window


def test_year_over_year_is_like_for_like_when_the_last_month_is_partial():
    # window 2022-01-01 .. 2023-06-15: June 2023 has 15 days, so it is compared with 1-15 June 2022, not all of June 2022
    tx = frame(
        [
            ("A", "2022-05-20", 10.0),
            ("A", "2022-06-10", 100.0),  # same days as the partial June 2023: compared
            ("A", "2022-06-25", 1000.0),  # after the 15th: not compared
            ("A", "2023-05-20", 20.0),
            ("A", "2023-06-05", 300.0),
        ],
        ["customer_id", "date", "amount"],
    )
    monthly = kpis.compute_monthly({"transactions": tx}, start=START, end=pd.Timestamp("2023-06-15"))
    assert monthly.loc[monthly["month"] == pd.Period("2022-06", "M"), "revenue"].iloc[0] == 1100.0  # the monthly series keeps whole months
    got = kpis.compute_year_over_year(monthly, column="revenue", year=2023).set_index("month")
    assert (got.loc[5, "previous"], got.loc[5, "current"]) == (10.0, 20.0)  # a whole month against a whole month
    assert (got.loc[6, "previous"], got.loc[6, "current"]) == (100.0, 300.0)  # 1-15 June 2022 against 1-15 June 2023
    assert got.loc[6, "change"] == pytest.approx(2.0)
    table = kpis.compute_yoy_table(monthly, year=2023).set_index("kpi")
    assert table.loc["revenue", ["previous", "current"]].tolist() == [110.0, 320.0]  # not 1,110 against 320
    assert table.loc["revenue", "compared"] == "2023-01-01 to 06-15 vs 2022-01-01 to 06-15"


def test_year_over_year_is_like_for_like_when_the_first_month_is_partial():
    # window from 2022-01-15: January 2023 is compared on 15-31 January of both years
    tx = frame([("A", "2022-01-20", 10.0), ("A", "2023-01-05", 500.0), ("A", "2023-01-20", 30.0)], ["customer_id", "date", "amount"])
    monthly = kpis.compute_monthly({"transactions": tx}, start=pd.Timestamp("2022-01-15"), end=END)
    got = kpis.compute_year_over_year(monthly, column="revenue", year=2023).set_index("month")
    assert (got.loc[1, "previous"], got.loc[1, "current"]) == (10.0, 30.0)
    assert kpis.compute_yoy_table(monthly, year=2023).set_index("kpi").loc["revenue", "compared"] == "2023-01-15 to 12-31 vs 2022-01-15 to 12-31"
    # the headline's revenue of the year still counts every day of 2023
    headline = kpis.compute_headline({"transactions": tx}, start=pd.Timestamp("2022-01-15"), end=END, year=2023).set_index("kpi")
    assert headline.loc["revenue_year", "value"] == 530.0
