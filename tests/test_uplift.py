"""Tests of workbench.analysis.uplift: hand-worked windows, SMD and DiD arithmetic, and checks on the simulator's truth."""

from __future__ import annotations

import datetime

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from pandas.testing import assert_frame_equal, assert_series_equal

from workbench import plotting
from workbench.analysis import uplift as U
from workbench.config.sections.uplift import UpliftSection
from workbench.simulate import simulate

D = pd.Timestamp


# --------------------------------------------------------------------------- windows


def test_windows_are_calendar_months():
    # add_months clamps to the month's end: 2024-02-29 - 1 month = 2024-01-29, + 1 month = 2024-03-29
    dates = pd.Series(pd.to_datetime(["2024-02-29", "2024-01-10", "2023-01-10", "2024-01-31"]))
    assert U.months_days(dates, -1).tolist() == [31, 31, 31, 31]
    assert U.months_days(dates, 1).tolist() == [29, 31, 31, 29]  # 2024-01-31 + 1 month = 2024-02-29
    assert U.months_days(dates, 12).tolist() == [365, 366, 365, 366]  # a 12-month window holds 29 February when it spans it
    # 2024-02-29 - 12 months = 2023-02-28 (clamped): that pre-window holds 366 days
    assert U.months_days(dates, -12).tolist() == [366, 365, 365, 365]


def _tx(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount", "margin"]).astype({"date": "datetime64[ns]"})


def test_windows_leave_the_enrolment_day_out_of_the_pre_window():
    # Enrolment 2024-01-10 (post window: 2024-01-10 .. 2025-01-09, 12 calendar months = 366 days with 29 February;
    # pre: 2023-01-10 .. 2024-01-09, 365 days).
    tx = _tx(
        [
            ("A", "2023-01-09", 1000.0, 100.0),  # rel -366: outside the pre-window
            ("A", "2023-01-10", 10.0, 1.0),  # rel -365: first pre day, first half
            ("A", "2024-01-09", 20.0, 2.0),  # rel -1: last pre day, second half
            ("A", "2024-01-10", 500.0, 50.0),  # rel 0: the enrolment-day purchase -> post only
            ("A", "2024-02-01", -50.0, -5.0),  # credit note in post: netted, not a purchase
            ("A", "2025-01-08", 7.0, 0.7),  # rel 364: in the post-window
            ("A", "2025-01-10", 3000.0, 300.0),  # rel 366: add_months(date, 12), outside the post-window
            ("B", "2024-01-10", 99.0, 9.0),  # another company, not a unit
        ]
    )
    units = pd.DataFrame({"customer_id": ["A"], "date": [D("2024-01-10")], "treated": [True]})
    w = U.compute_windows(tx, units, pre_months=12, post_months=12)
    row = w.iloc[0]
    assert row["pre_revenue"] == 30.0  # 10 + 20
    assert row["post_revenue"] == 457.0  # 500 - 50 + 7
    assert row["pre_margin"] == 3.0 and row["post_margin"] == pytest.approx(45.7)
    assert row["pre_frequency"] == 2 and row["post_frequency"] == 2  # the credit note is not a purchase
    assert row["recency_days"] == 1  # last purchase before the date: 2024-01-09
    assert row["tenure_days"] == 366  # first purchase 2023-01-09 (history counts), cap 730 (24 months before)
    assert row["trend"] == 10.0  # second half (20) - first half (10); half = 365 // 2 = 182 days
    assert row["hist_revenue"] == 1030.0 and row["hist_frequency"] == 3
    assert "launch_revenue" not in w.columns  # no launch given


def test_the_donut_leaves_the_days_around_the_date_out_of_both_windows():
    # Enrolment 2024-01-10, donut 2 days: 2024-01-08 .. 2024-01-12 are in neither window. The pre-window
    # (365 days) ends on 2024-01-07 and starts on 2023-01-08; the post-window (366 days) starts on
    # 2024-01-13 and ends on 2025-01-12.
    tx = _tx(
        [
            ("A", "2023-01-07", 1.0, 0.0),  # rel -368: before the shifted pre-window
            ("A", "2023-01-08", 2.0, 0.0),  # rel -367: first pre day
            ("A", "2024-01-07", 4.0, 0.0),  # rel -3: last pre day
            ("A", "2024-01-08", 8.0, 0.0),  # rel -2: donut
            ("A", "2024-01-10", 16.0, 0.0),  # rel 0: donut (the enrolment day)
            ("A", "2024-01-12", 32.0, 0.0),  # rel 2: donut
            ("A", "2024-01-13", 64.0, 0.0),  # rel 3: first post day
            ("A", "2025-01-12", 128.0, 0.0),  # rel 368: last post day
            ("A", "2025-01-13", 256.0, 0.0),  # rel 369: after the post-window
        ]
    )
    units = pd.DataFrame({"customer_id": ["A"], "date": [D("2024-01-10")], "treated": [True]})
    row = U.compute_windows(tx, units, pre_months=12, post_months=12, donut_days=2).iloc[0]
    assert row["pre_revenue"] == 6.0 and row["post_revenue"] == 192.0
    assert row["pre_frequency"] == 2 and row["post_frequency"] == 2
    row0 = U.compute_windows(tx, units, pre_months=12, post_months=12).iloc[0]
    assert row0["pre_revenue"] == 12.0 and row0["post_revenue"] == 112.0  # no donut: 4 + 8 (from 2023-01-10); 16 + 32 + 64 (to 2025-01-09)


@pytest.mark.parametrize("purchase,pre,post", [("day", 1, 2), ("invoice", 2, 2)])
def test_windows_count_purchases_as_the_parameter_defines_them(purchase, pre, post):
    # Pre-window: two invoices on 2023-06-01 (one purchase day, two invoices). Post-window: two rows of one invoice on
    # 2024-02-01 and one invoice on 2024-03-01 (two purchase days, two invoices).
    tx = _tx(
        [
            ("A", "2023-06-01", 10.0, 1.0),
            ("A", "2023-06-01", 20.0, 2.0),
            ("A", "2024-02-01", 5.0, 0.5),
            ("A", "2024-02-01", 6.0, 0.6),
            ("A", "2024-03-01", 7.0, 0.7),
        ]
    ).assign(invoice_id=["F1", "F2", "F3", "F3", "F4"])
    units = pd.DataFrame({"customer_id": ["A"], "date": [D("2024-01-10")], "treated": [True]})
    row = U.compute_windows(tx, units, pre_months=12, post_months=12, purchase=purchase).iloc[0]
    assert (row["pre_frequency"], row["post_frequency"]) == (pre, post)
    assert row["pre_revenue"] == 30.0 and row["post_revenue"] == 18.0


def test_windows_describe_the_year_before_the_launch():
    tx = _tx(
        [
            ("A", "2022-06-30", 5.0, 0.5),  # 366 days before the launch: outside its year
            ("A", "2022-07-01", 100.0, 10.0),  # 365 days before: inside
            ("A", "2023-01-10", 40.0, 4.0),  # last purchase before the launch, 172 days before it
            ("A", "2023-02-01", -20.0, -2.0),  # credit note: netted in revenue, not a purchase
            ("A", "2023-07-01", 900.0, 90.0),  # on the launch day: after
            ("B", "2024-01-05", 60.0, 6.0),  # no purchase before the launch
        ]
    )
    units = pd.DataFrame({"customer_id": ["A", "B"], "date": [D("2024-01-10")] * 2, "treated": [True, False]})
    w = U.compute_windows(tx, units, launch=D("2023-07-01")).set_index("customer_id")
    assert w.loc["A", "launch_revenue"] == 120.0 and w.loc["A", "launch_frequency"] == 2  # 100 + 40 - 20
    assert w.loc["A", "launch_recency_days"] == 172  # 2023-01-10 -> 2023-07-01
    assert w.loc["B", ["launch_revenue", "launch_frequency", "launch_recency_days"]].tolist() == [0.0, 0.0, 365.0]
    x = U.covariate_matrix(w.reset_index())
    assert x["log_launch_revenue"].tolist() == pytest.approx([np.log1p(120.0), 0.0])
    assert x["launch_recency_days"].tolist() == [172.0, 365.0]


def test_windows_of_a_company_without_history():
    tx = _tx([("A", "2024-03-01", 40.0, 4.0)])
    units = pd.DataFrame({"customer_id": ["A"], "date": [D("2024-01-10")], "treated": [False]})
    w = U.compute_windows(tx.drop(columns="margin"), units, pre_months=12, post_months=12)
    assert w.loc[0, "pre_revenue"] == 0 and w.loc[0, "post_revenue"] == 40.0
    assert w.loc[0, "recency_days"] == 365  # no purchase before: capped at the pre-window's 365 days
    assert w.loc[0, "tenure_days"] == 0
    assert np.isnan(w.loc[0, "post_margin"])  # no margin column


def test_windows_follow_calendar_months_on_29_february():
    # Enrolment 2024-02-29, 1-month windows: pre = add_months(date, -1) = 2024-01-29 .. 2024-02-28 (31 days),
    # post = 2024-02-29 .. add_months(date, 1) - 1 day = 2024-03-28 (29 days).
    tx = _tx(
        [
            ("A", "2024-01-28", 1.0, 0.0),
            ("A", "2024-01-29", 10.0, 0.0),
            ("A", "2024-02-28", 20.0, 0.0),
            ("A", "2024-02-29", 100.0, 0.0),
            ("A", "2024-03-28", 200.0, 0.0),
            ("A", "2024-03-29", 1000.0, 0.0),
        ]
    )
    units = pd.DataFrame({"customer_id": ["A"], "date": [D("2024-02-29")], "treated": [True]})
    row = U.compute_windows(tx, units, pre_months=1, post_months=1).iloc[0]
    assert (row["pre_revenue"], row["post_revenue"]) == (30.0, 300.0)
    assert row["recency_days"] == 1 and row["tenure_days"] == 32  # tenure cap: 2024-02-29 - 2 months = 2023-12-29, 62 days
    assert row["trend"] == 20.0 - 10.0  # halves of the 31 days: the last 15 days vs the 16 before


def test_months_since_agrees_with_add_months():
    from workbench.periods import add_months

    starts = pd.to_datetime(["2024-01-31", "2024-02-29", "2023-03-31", "2024-01-10"])
    days = pd.date_range("2022-12-01", "2025-03-31", freq="D")
    for start in starts:
        got = U.months_since(pd.Series([start] * len(days)), pd.Series(days))
        for m in range(-14, 14):
            lo, hi = add_months(start, m), add_months(start, m + 1)
            assert (got[(days >= lo) & (days < hi)] == m).all()


def test_event_study_months_tile_the_windows():
    # The months -pre_months .. -1 hold exactly the pre-window and 0 .. post_months - 1 the post-window.
    rng = np.random.default_rng(0)
    dates = pd.to_datetime("2022-01-01") + pd.to_timedelta(rng.integers(0, 1100, 400), unit="D")
    tx = _tx([(f"C{i % 7}", d, float(rng.integers(-20, 100)), 0.0) for i, d in enumerate(dates)])
    units = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(7)],
            "treated": [True] * 3 + [False] * 4,
            "date": pd.to_datetime(["2023-01-31", "2023-02-28", "2023-03-31", "2023-05-15", "2023-08-31", "2024-02-29", "2023-12-31"]),
        }
    )
    w = U.compute_windows(tx, units, pre_months=5, post_months=7)
    y, months = U.monthly_revenue(tx, units, pre_months=5, post_months=7)
    assert months.tolist() == list(range(-5, 7))
    assert y[:, months < 0].sum(axis=1) == pytest.approx(w["pre_revenue"].to_numpy())
    assert y[:, months >= 0].sum(axis=1) == pytest.approx(w["post_revenue"].to_numpy())


def test_windows_refuse_a_company_twice():
    units = pd.DataFrame({"customer_id": ["A", "A"], "date": [D("2024-01-10")] * 2, "treated": [True, False]})
    with pytest.raises(ValueError, match="customer_id 'A' twice"):
        U.compute_windows(_tx([]), units)


def test_pseudo_dates_are_drawn_among_eligible_member_dates():
    member_dates = pd.Series(pd.to_datetime(["2023-01-01", "2023-06-01", "2024-01-01"]))
    cand = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "first_purchase": pd.to_datetime(["2023-03-01", "2022-01-01", "2024-02-01"]),
            # B enrols 2024-03-01: its post-window must end before, add_months(d, 12) <= 2024-03-01
            "enrolled_on": pd.to_datetime([None, "2024-03-01", None]),
        }
    )
    got = U.draw_pseudo_dates(cand, member_dates, post_months=12, seed=3)
    assert list(got.index) == ["A", "B"]  # C first bought after every member date
    assert got["B"] == D("2023-01-01")
    assert got["A"] in (D("2023-06-01"), D("2024-01-01"))
    draws = {U.draw_pseudo_dates(cand, member_dates, post_months=12, seed=s)["A"] for s in range(20)}
    assert draws == {D("2023-06-01"), D("2024-01-01")}
    assert_series_equal(got, U.draw_pseudo_dates(cand, member_dates, post_months=12, seed=3))


def test_build_units_keeps_evaluable_members_whatever_they_buy_afterwards():
    customers = pd.DataFrame(
        {
            "customer_id": ["M1", "M2", "M3", "N1"],
            "status": ["member", "member", "member", "non-member"],
            "enrolled_on": pd.to_datetime(["2023-06-01", "2024-06-01", "2023-06-01", None]),
        }
    )
    tx = _tx(
        [
            ("M1", "2023-01-05", 10.0, 1.0),
            ("M1", "2023-08-01", 10.0, 1.0),
            ("M2", "2023-01-05", 10.0, 1.0),
            ("M2", "2024-08-01", 10.0, 1.0),
            ("M3", "2023-01-05", 10.0, 1.0),  # M3 stopped buying before it enrolled: still a member to evaluate
            ("N1", "2022-01-05", 10.0, 1.0),
            ("N1", "2024-01-01", 10.0, 1.0),
        ]
    )
    units = U.build_units(tx, customers, end=D("2024-12-31"), post_months=12, seed=0)
    # M2 enrolled less than 12 months before the end: not evaluated, but a not-yet-enrolled control: the only member
    # date, 2023-06-01, is after its first purchase and 2023-06-01 + 12 months <= 2024-06-01.
    assert units.set_index("customer_id")["treated"].to_dict() == {"M1": True, "M3": True, "M2": False, "N1": False}
    assert (units.set_index("customer_id").loc[["M2", "N1"], "date"] == D("2023-06-01")).all()
    later = customers.assign(enrolled_on=pd.to_datetime(["2023-06-01", "2024-05-01", "2023-06-01", None]))
    # enrolled 2024-05-01: the post-window of 2023-06-01 ends 2024-05-31, after it, so M2 can no longer be a control
    assert "M2" not in set(U.build_units(tx, later, end=D("2024-12-31"), post_months=12, seed=0)["customer_id"])


@pytest.mark.parametrize(
    ("customers", "match"),
    [
        (None, "no customers table"),
        (pd.DataFrame({"customer_id": ["A"], "status": ["member"]}), "no enrolled_on column"),
        (pd.DataFrame({"customer_id": ["A"], "status": ["non-member"], "enrolled_on": [pd.NaT]}), "no company with status"),
    ],
)
def test_inputs_that_cannot_be_evaluated(customers, match):
    assert match in U.check_inputs(customers)
    out = U.run(_tx([("A", "2024-01-01", 1.0, 1.0)]), customers, end=D("2024-12-31"), **UpliftSection().estimator_kwargs())
    assert out.result is None and match in out.reason


def test_too_few_members_is_a_reason_not_a_crash():
    customers = pd.DataFrame({"customer_id": ["M1", "N1"], "status": ["member", "non-member"], "enrolled_on": pd.to_datetime(["2023-06-01", None])})
    tx = _tx([("M1", "2023-01-05", 10.0, 1.0), ("M1", "2023-08-01", 10.0, 1.0), ("N1", "2022-01-05", 10.0, 1.0), ("N1", "2024-01-01", 10.0, 1.0)])
    out = U.run(tx, customers, end=D("2024-12-31"), **UpliftSection().estimator_kwargs())
    assert out.result is None and "only 1 members" in out.reason and "min_members=30" in out.reason
    with pytest.raises(ValueError, match="min_members=30"):
        U.estimate_uplift(tx, customers, end=D("2024-12-31"))


def test_run_takes_the_section_as_plain_values():
    import inspect

    kwargs = UpliftSection(launch="2022-07-01").estimator_kwargs()
    # treated and the negative control are the headline's; the donut applies to both designs
    assert set(kwargs) == set(UpliftSection.model_fields) - {"treated", "negative_control_ranges"}
    assert kwargs["member_statuses"] == ("member", "pre-registered", "blocked", "non-member")  # intent to treat: every enrolled company
    assert all(isinstance(v, (int, float, str, tuple, type(None), datetime.date)) for v in kwargs.values())
    run_params = {k for k, p in inspect.signature(U.run).parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert set(kwargs) == run_params - {"end", "purchase"}  # purchase is a top-level parameter
    headline = UpliftSection(launch="2022-07-01", treated="status").headline_kwargs()
    headline_params = {k for k, p in inspect.signature(U.run_headline).parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert set(headline) == headline_params - {"end"}
    assert UpliftSection(treated="status").estimator_kwargs()["member_statuses"] == ("member",)


# --------------------------------------------------------------------------- SMD and DiD arithmetic


def test_smd_formula():
    # means 2 and 1; var_t = 1, var_c = 3 (ddof 1); sd = sqrt((1 + 3) / 2) = sqrt(2)
    assert U.smd(np.array([1.0, 2, 3]), np.array([0.0, 0, 3])) == pytest.approx(1 / np.sqrt(2))
    # control weights 1, 1, 2: mean_c = 6 / 4 = 1.5 -> 0.5 / sqrt(2)
    assert U.smd(np.array([1.0, 2, 3]), np.array([0.0, 0, 3]), w_c=np.array([1.0, 1, 2])) == pytest.approx(0.5 / np.sqrt(2))
    assert U.smd(np.ones(3), np.ones(3)) == 0.0


def _hand_matching() -> U.Matching:
    # Members T1 (pre 100, post 300) matched to C1 and C2 (half each), T2 (50 -> 80) matched to C3.
    units = pd.DataFrame(
        {
            "customer_id": ["T1", "T2", "C1", "C2", "C3"],
            "treated": [True, True, False, False, False],
            "pre_revenue": [100.0, 50, 100, 60, 70],
            "post_revenue": [300.0, 80, 120, 100, 60],
            "pre_frequency": [2.0, 1, 2, 0, 1],
            "post_frequency": [4.0, 2, 2, 1, 1],
            "pre_margin": np.nan,
            "post_margin": np.nan,
            "weight": [1.0, 1, 0.5, 0.5, 1],
            "propensity": [0.6, 0.4, 0.6, 0.5, 0.4],
        }
    )
    pairs = sp.csr_matrix(np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]))
    return U.Matching(
        units=units, pairs=pairs, treated_index=np.array([0, 1]), control_index=np.array([2, 3, 4]), covariates=pd.DataFrame({"x": [1.0, 2, 3, 4, 5]})
    )


def test_did_arithmetic_on_a_hand_matched_sample():
    m = _hand_matching()
    boot = U.Bootstrap.draw(2, 3, n_draws=200, seed=1)
    did = U.estimate_did(m, boot=boot, outcomes=("revenue", "frequency", "basket"))
    rev = did.set_index("outcome").loc["revenue"]
    # T1: d = 200, controls d = (20 + 40) / 2 = 30 -> 170; T2: d = 30, C3 d = -10 -> 40; ATT = (170 + 40) / 2 = 105
    assert rev["att"] == pytest.approx(105.0)
    assert rev["members_post"] == pytest.approx(190.0) and rev["counterfactual"] == pytest.approx(85.0)
    assert rev["controls_pre"] == pytest.approx((0.5 * 100 + 0.5 * 60 + 70) / 2)  # 75
    assert rev["att_pct"] == pytest.approx(105 / 85)
    assert rev["ci_low"] <= 105 <= rev["ci_high"] and rev["se"] > 0
    freq = did.set_index("outcome").loc["frequency"]
    # T1: 2 - (0 + 1) / 2 = 1.5; T2: 1 - 0 = 1 -> 1.25
    assert freq["att"] == pytest.approx(1.25)
    basket = did.set_index("outcome").loc["basket"]
    # C2 has no pre purchase: basket undefined, T1 keeps only C1 (50 -> 60, +10); T1 basket 50 -> 75 (+25) -> 15;
    # T2 basket 50 -> 40 (-10), C3 70 -> 60 (-10) -> 0; ATT = 7.5
    assert basket["att"] == pytest.approx(7.5)
    assert "margin" not in set(did["outcome"])  # no margin data


def test_breakdown_on_a_hand_matched_sample():
    m = _hand_matching()
    boot = U.Bootstrap.draw(2, 3, n_draws=100, seed=1)
    out = U.compute_breakdown(m, pd.Series({"T1": "big"}), boot=boot, min_members=1)
    assert list(out["group"]) == ["big", "unknown"]
    assert out["att"].tolist() == pytest.approx([170.0, 40.0])
    assert out["counterfactual"].tolist() == pytest.approx([130.0, 40.0])  # 300 - 170, 80 - 40
    too_small = U.compute_breakdown(m, pd.Series({"T1": "big"}), boot=boot, min_members=2)
    assert too_small["att"].isna().all() and too_small["n_members"].tolist() == [1, 1]


def test_money_and_roi():
    did = pd.DataFrame(
        {"outcome": ["revenue", "margin"], "att": [1000.0, 300.0], "ci_low": [500.0, 100.0], "ci_high": [1500.0, 500.0], "members_post": [20000.0, 6000.0]}
    )
    money = U.compute_money(did, n_members=100, points_cost_rate=0.01, platform_cost_per_year=5000, animation_cost_per_year=5000)
    # points 0.01 * 20000 * 100 = 20000; total 30000; margin 300 * 100 = 30000 -> ROI 0; low (10000-30000)/30000
    expected = pd.DataFrame(
        {
            "item": ["incremental_revenue", "incremental_margin", "points_cost", "platform_cost", "animation_cost", "total_cost", "roi"],
            "estimate": [100000.0, 30000, 20000, 5000, 5000, 30000, 0.0],
            "low": [50000.0, 10000, 20000, 5000, 5000, 30000, -2 / 3],
            "high": [150000.0, 50000, 20000, 5000, 5000, 30000, 2 / 3],
        }
    )
    assert_frame_equal(money, expected)
    # without a margin row the margin rate applies: 1000 * 0.3 * 100 = 30000
    no_margin = U.compute_money(did.iloc[:1], n_members=100, points_cost_rate=0.01, platform_cost_per_year=5000, animation_cost_per_year=5000, margin_rate=0.3)
    assert no_margin.set_index("item").loc["incremental_margin", "estimate"] == pytest.approx(30000.0)


def _did(att, lo, hi, pct=0.2):
    return pd.DataFrame({"outcome": ["revenue"], "att": [att], "ci_low": [lo], "ci_high": [hi], "att_pct": [pct], "n_members": [120]})


@pytest.mark.parametrize(
    ("did", "placebo", "expected", "absent"),
    [
        (
            _did(4000, 2500, 5500),
            _did(100, -900, 1100),
            ["**increased**", "4\u202f000 EUR per member", "+20 %", "2\u202f500 EUR to 5\u202f500 EUR", "120 members", "5.0 times", "finds no effect"],
            ["Caution"],
        ),
        (_did(800, -400, 2000), None, ["**cannot tell**", "-400 EUR"], ["placebo"]),
        (_did(4000, 2500, 5500), _did(3000, 1000, 5000), ["**Caution:**", "3\u202f000 EUR"], ["finds no effect"]),
        # placebo not significant but 2000 / 4000 = 50 % of the effect: the doubt is stated
        (_did(4000, 2500, 5500), _did(2000, -1000, 5000), ["not significant", "50 % of the effect", "cannot be ruled out"], ["finds no effect", "Caution"]),
    ],
)
def test_conclusion_states_the_uncertainty(did, placebo, expected, absent):
    text = U.conclusion(did, naive=20000.0, placebo=placebo, warnings=[], currency="EUR")
    for piece in expected:
        assert piece in text
    for piece in absent:
        assert piece not in text


def test_conclusion_repeats_the_warnings():
    text = U.conclusion(_did(4000, 2500, 5500), naive=1.0, placebo=None, warnings=["pre-trend: x"])
    assert "pre-trend: x" in text


def test_pretrend_check():
    es = pd.DataFrame({"month": [-4, -3, -2, -1, 0], "ci_low": [-1.0, 1.0, 2.0, -1.0, 5.0], "ci_high": [1.0, 3.0, 4.0, 1.0, 9.0]})
    assert "months -3, -2" in U.pretrend_check(es)
    assert U.pretrend_check(es.assign(ci_low=-1.0)) is None


# --------------------------------------------------------------------------- charts


def test_plots_draw_what_they_are_given():
    balance = pd.DataFrame({"covariate": ["a", "b"], "smd_before": [0.5, -0.3], "smd_after": [0.05, 0.0]})
    ax = plotting.uplift.plot_balance(balance)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert "standardised mean difference" in ax.get_xlabel()
    breakdown = pd.DataFrame({"group": ["x", "y"], "n_members": [40, 3], "att": [1000.0, np.nan], "ci_low": [200.0, np.nan], "ci_high": [1800.0, np.nan]})
    ax = plotting.uplift.plot_breakdown(breakdown, currency="CHF")
    assert [p.get_width() for p in ax.patches] == [1000.0, 0.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x (n=40)", "y (n=3)"]
    assert "CHF" in ax.get_xlabel()
    es = pd.DataFrame(
        {"month": [-1, 0, 1], "members": [1.0, 5, 6], "controls": [1.0, 2, 2], "effect": [0.0, 3, 4], "ci_low": [-1.0, 1, 2], "ci_high": [1.0, 5, 6]}
    )
    ax = plotting.uplift.plot_event_study(es, currency="EUR")
    assert list(ax.lines[0].get_ydata()) == [0.0, 3, 4] and "EUR" in ax.get_ylabel()
    ax = plotting.uplift.plot_event_monthly(es)
    assert [list(line.get_ydata()) for line in ax.lines[:2]] == [[1.0, 5, 6], [1.0, 2, 2]]
    naive = pd.DataFrame({"group": ["members", "non-members", "gap"], "pre_revenue": [10.0, 5, 5], "post_revenue": [20.0, 6, 14]})
    ax = plotting.uplift.plot_naive(naive)
    assert [p.get_height() for p in ax.patches] == [10.0, 5, 20, 6]
    plt.close("all")


def test_plots_set_their_titles_and_follow_the_windows():
    naive = pd.DataFrame({"group": ["members", "non-members", "gap"], "pre_revenue": [12345.0, 5, 5], "post_revenue": [20.0, 6, 14]})
    ax = plotting.uplift.plot_naive(naive, pre_months=6, post_months=3)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["6 months before", "3 months after"]
    assert ax.get_title() == "Members vs non-members, unmatched: revenue per company"
    assert ax.texts[0].get_text() == "12\u202f345"  # bar labels through workbench.formatting
    assert plotting.uplift.plot_naive(naive, title="Other").get_title() == "Other"
    breakdown = pd.DataFrame({"group": ["x"], "n_members": [40], "att": [1.0], "ci_low": [0.0], "ci_high": [2.0]})
    assert plotting.uplift.plot_breakdown(breakdown, by="typology").get_title() == "Effect on revenue per member, by typology"
    plt.close("all")


def test_table_labels_follow_the_windows():
    assert U.naive_labels(pre_months=6, post_months=1, currency="CHF") == {"pre_revenue": "6 months before (CHF)", "post_revenue": "1 month after (CHF)"}
    assert U.money_labels(currency="EUR")["estimate"] == "estimate (EUR per year)"
    assert {"ci_low", "ci_high", "n_members"} <= set(U.DID_LABELS) & set(U.PLACEBO_LABELS)


# --------------------------------------------------------------------------- the simulator's truth

SEEDS = (1, 2, 3)  # the first three seeds, not chosen by their outcome


def _frames(sim):
    t = sim.tables["transactions"].assign(date=lambda d: pd.to_datetime(d["date"]))
    c = sim.tables["customers"].assign(enrolled_on=lambda d: pd.to_datetime(d["enrolled_on"]))
    return t, c


@pytest.fixture(scope="module")
def sims():
    """Per seed: truth, estimates with the programme effect, in its exact counterfactual (effect 0), and placebos."""
    out = {}
    for seed in SEEDS:
        row = {}
        for effect in (0.25, 0.0):
            sim = simulate(n_customers=2000, seed=seed, effect=effect, dirty=False)
            t, c = _frames(sim)
            kw = {"end": D(sim.truth["end"]), "n_bootstrap": 200, "seed": seed}
            row[effect] = U.estimate_uplift(t, c, **kw)
            row[("placebo", effect)] = U.estimate_uplift(t, c, placebo=True, **kw)
            if effect:
                row["truth"] = sim.truth
        out[seed] = row
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_naive_gap_is_far_above_the_truth(sims, seed):
    s = sims[seed]
    naive = s[0.25].naive.set_index("group").loc["gap", "post_revenue"]
    assert naive > 2 * s["truth"]["uplift_att_revenue"]


@pytest.mark.parametrize("seed", SEEDS)
def test_estimate_moves_by_the_true_effect(sims, seed):
    # simulate(effect=0) is the exact counterfactual of simulate(effect=0.25) (same companies, enrolments and
    # pre-enrolment purchases), so the design is the same in both: the difference of the two estimates must be the
    # true ATT. This checks the estimand (population, 365-day window with the enrolment day, credit notes netted)
    # without the sampling noise of the comparison with the controls.
    s = sims[seed]
    moved = s[0.25].att()["att"] - s[0.0].att()["att"]
    assert moved == pytest.approx(s["truth"]["uplift_att_revenue"], rel=0.2)


@pytest.mark.parametrize("seed", SEEDS)
def test_placebo_does_not_see_the_programme(sims, seed):
    # Every placebo window ends the day before the (pseudo-)enrolment and the controls' windows end before they join,
    # where both worlds are identical: the placebo must come out exactly the same in both worlds (no rule of the
    # design looks after a unit's date).
    s = sims[seed]
    assert_frame_equal(s[("placebo", 0.25)].did, s[("placebo", 0.0)].did)


@pytest.mark.parametrize("seed", SEEDS)
def test_without_effect_the_interval_covers_zero(sims, seed):
    # In the counterfactual world the programme adds nothing: what the design finds there is its selection bias.
    a = sims[seed][0.0].att()
    assert a["ci_low"] <= 0 <= a["ci_high"]


@pytest.mark.parametrize("seed", SEEDS)
def test_att_interval_covers_the_truth(sims, seed):
    a = sims[seed][0.25].att()
    assert a["ci_low"] <= sims[seed]["truth"]["uplift_att_revenue"] <= a["ci_high"]


@pytest.mark.parametrize("seed", SEEDS)
def test_placebo_interval_covers_zero(sims, seed):
    p = sims[seed][("placebo", 0.25)].att()
    assert p["ci_low"] <= 0 <= p["ci_high"]


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"pre_months": 0}, "uplift.pre_months is 0"),
        ({"post_months": 40}, "uplift.post_months is 40"),
        ({"member_statuses": ["gold"]}, "uplift.member_statuses"),
        ({"n_bootstrap": 10}, "uplift.n_bootstrap is 10"),
        ({"caliper": 0}, "uplift.caliper is 0"),
        ({"ci_level": 1.2}, "uplift.ci_level is 1.2"),
        ({"points_cost_rate": 2}, "uplift.points_cost_rate is 2"),
        ({"platform_cost_per_year": -1}, "uplift.platform_cost_per_year is -1"),
    ],
)
def test_section_refuses_bad_values(values, match):
    with pytest.raises(ValueError, match=match):
        UpliftSection(**values)
    assert UpliftSection().post_months == 12 and UpliftSection(caliper=None).caliper is None
    assert UpliftSection().launch is None and str(UpliftSection(launch="2022-07-01").launch) == "2022-07-01"


# ---------------------------------------------------------------- the headline's conclusion (hand-built rows)
def test_headline_conclusion_says_when_the_evidence_is_weak():
    from workbench.analysis.uplift.conclusion import evidence_problems, headline_conclusion

    y1 = pd.Series({"att": 1500.0, "ci_low": -500.0, "ci_high": 3500.0, "companies": 120, "cohorts": 8})
    problems = evidence_problems(year1=y1, disagree=True, pre_trend_p=0.01, placebo=None, e_value_interval=1.0)
    assert problems == [
        "its interval includes no effect at all",
        "the estimators disagree beyond their intervals",
        "members already moved apart from the comparison companies before enrolling (pre-trend test p = 0.010)",
    ]
    text = headline_conclusion(y1, others=None, problems=problems, naive=6000.0, currency="EUR")
    assert "cannot tell" in text and "should not be presented as the programme's established value" in text
    assert "4.0 times larger" in text  # 6,000 / 1,500


def test_headline_conclusion_states_the_e_value_when_the_evidence_holds():
    from workbench.analysis.uplift.conclusion import evidence_problems, headline_conclusion

    y1 = pd.Series({"att": 2000.0, "ci_low": 800.0, "ci_high": 3200.0, "companies": 200, "cohorts": 10})
    others = pd.DataFrame({"estimator": ["matched difference-in-differences"], "att": [2500.0], "ci_low": [500.0], "ci_high": [4500.0]})
    assert evidence_problems(year1=y1, disagree=False, pre_trend_p=0.4, placebo=None, e_value_interval=1.6) == []
    text = headline_conclusion(y1, others=others, problems=[], naive=None, e_value=2.3)
    assert "**increased**" in text and "risk ratio of about 2.3" in text
    assert "The matched difference-in-differences finds 2\u202f500 EUR (interval 500 EUR to 4\u202f500 EUR)" in text


@pytest.mark.slow
@pytest.mark.parametrize("scenario,expected", [("observables", False), ("survival", True), ("latent_survival", True)])
def test_the_survival_check_tells_the_worlds_apart(scenario, expected):
    from workbench.analysis.uplift import check_survival_selection, looks_survival_selected
    from workbench.simulate import simulate

    sim = simulate(n_customers=2000, seed=5, scenario=scenario, dirty=False)
    tx = sim.tables["transactions"].assign(date=lambda d: pd.to_datetime(d["date"]))
    companies = sim.tables["customers"].assign(enrolled_on=lambda d: pd.to_datetime(d["enrolled_on"]))[["customer_id", "enrolled_on"]]
    check = check_survival_selection(tx, companies, launch=pd.Timestamp(sim.truth["programme_launch"]), end=pd.Timestamp(sim.truth["end"]))
    assert check["hypothesis"].tolist() == ["observed", "enrolment ignores activity", "only active companies enrol"]
    assert looks_survival_selected(check) is expected


def test_survival_selection_is_named_as_a_reason_for_weak_evidence():
    from workbench.analysis.uplift.conclusion import evidence_problems

    y1 = pd.Series({"att": 2000.0, "ci_low": 800.0, "ci_high": 3200.0})
    got = evidence_problems(year1=y1, disagree=False, pre_trend_p=None, placebo=None, e_value_interval=None, survival_selected=True)
    assert len(got) == 1 and got[0].startswith("almost every member bought again after enrolling")


def test_the_historical_purchase_rate_divides_by_the_whole_history():
    # First purchase 2021-01-10, three years before the date (1,095 days): the tenure covariate is capped at
    # 24 months (731 days back from 2024-01-10), but the rate counts every purchase, so it divides by 1,095 days.
    tx = _tx([("A", "2021-01-10", 10.0, 1.0), ("A", "2022-06-01", 10.0, 1.0), ("A", "2023-06-01", 10.0, 1.0), ("A", "2024-03-01", 10.0, 1.0)])
    units = pd.DataFrame({"customer_id": ["A"], "date": [D("2024-01-10")], "treated": [True]})
    w = U.compute_windows(tx, units, pre_months=12, post_months=12)
    assert w.loc[0, "tenure_days"] == 730 and w.loc[0, "history_days"] == 1095 and w.loc[0, "hist_frequency"] == 3
    x = U.covariate_matrix(w, None)
    assert x.loc[0, "log_hist_rate"] == pytest.approx(np.log1p(3 / (1095 + 30) * 365))


def test_subgroups_are_matched_within_themselves():
    from workbench.analysis.uplift.matching import _neighbours

    # logits: members at 0.0 (label a) and 1.0 (label b); controls at 0.9 (a), 0.1 (b), 0.5 (a)
    logit = np.array([0.0, 1.0, 0.9, 0.1, 0.5])
    t_idx, c_idx = np.array([0, 1]), np.array([2, 3, 4])
    rows, cols, dist = _neighbours(logit, t_idx, c_idx, k=1, exact=None)
    assert cols.tolist() == [1, 0]  # anywhere: member 0 takes the control at 0.1, member 1 the one at 0.9
    rows, cols, dist = _neighbours(logit, t_idx, c_idx, k=1, exact=np.array(["a", "b", "a", "b", "a"]))
    assert sorted(zip(rows.tolist(), cols.tolist())) == [(0, 2), (1, 1)]  # within: member 0 -> 0.5 (a), member 1 -> 0.1 (b)
    assert sorted(dist.round(2).tolist()) == [0.5, 0.9]


def test_a_subgroup_matching_reuses_the_whole_designs_scores():
    from workbench.analysis.uplift.matching import match_units, propensity

    rng = np.random.default_rng(11)
    n = 300
    cov = pd.DataFrame({"a": rng.normal(size=n), "b": rng.gamma(2.0, 3.0, n)})
    windows = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "treated": rng.random(n) < 1 / (1 + np.exp(1.5 - cov["a"]))})
    labels = rng.choice(["x", "y"], n)
    refit = match_units(windows, cov, exact=labels)  # the straightforward way: the model fitted again
    reused = match_units(windows, cov, exact=labels, scores=propensity(cov, windows["treated"].to_numpy()))
    assert (refit.pairs != reused.pairs).nnz == 0
    pd.testing.assert_frame_equal(refit.units, reused.units)
