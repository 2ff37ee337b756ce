"""Portfolio analysis: hand-worked small cases, and the simulator's truth."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

from workbench import plotting  # noqa: E402
from workbench.analysis import portfolio as pf  # noqa: E402
from workbench.config.params import parse_params  # noqa: E402
from workbench.errors import ParameterError  # noqa: E402
from workbench.plotting import charts as plots  # noqa: E402

START, END = pd.Timestamp("2022-01-01"), pd.Timestamp("2023-12-31")


def tx(rows):
    out = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "channel"])
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    return out


HISTORY = tx(
    [
        ("D", "2021-03-01", 50.0, "rep"),  # D: active in 2021, absent in 2022, back in 2023 (reactivated)
        ("A", "2021-05-01", 100.0, "web"),
    ]
)
WINDOW = tx(
    [
        ("A", "2022-02-01", 100.0, "web"),
        ("A", "2022-03-01", 200.0, "rep"),
        ("B", "2022-06-01", 300.0, "web"),
        ("C", "2023-01-10", 400.0, "rep"),
        ("A", "2023-04-01", 500.0, "rep"),
        ("B", "2023-05-01", -50.0, "web"),  # credit note: B buys nothing in 2023
        ("D", "2023-07-01", 150.0, "rep"),
    ]
)
ALL = pd.concat([HISTORY, WINDOW], ignore_index=True)


def test_revenue_components_by_hand():
    got = pf.compute_revenue_components(ALL, start=START, end=END, grain="year")
    # 2022: 600 = 2 customers (A, B) x 1.5 purchases x 200; 2023: 1000 = 3 (C, A, D) x 1 x 333.33
    expected = pd.DataFrame(
        {
            "period": ["2022", "2023"],
            "revenue": [600.0, 1000.0],
            "active_customers": [2, 3],
            "purchases": [3, 3],
            "frequency": [1.5, 1.0],
            "average_basket": [200.0, 1000 / 3],
        }
    )
    assert_frame_equal(got, expected)


def test_revenue_components_by_quarter_include_empty_quarters():
    got = pf.compute_revenue_components(WINDOW, start=START, end=END, grain="quarter")
    assert got["period"].tolist()[:3] == ["2022Q1", "2022Q2", "2022Q3"]
    assert got["revenue"].tolist() == [300.0, 300.0, 0.0, 0.0, 400.0, 450.0, 150.0, 0.0]
    assert np.isnan(got.loc[2, "frequency"])


def test_shapley_two_factors_matches_the_midpoint_rule():
    # with two factors, x's share is (x1 - x0)(y0 + y1) / 2: (4 - 2)(3 + 5) / 2 = 8; y's: (5 - 3)(2 + 4) / 2 = 6
    got = pf.shapley_contributions({"x": 2.0, "y": 3.0}, {"x": 4.0, "y": 5.0})
    assert got == pytest.approx({"x": 8.0, "y": 6.0})


def test_bridge_by_hand():
    components = pf.compute_revenue_components(ALL, start=START, end=END)
    got = pf.compute_bridge(components, base="2022", current="2023")
    # f(S): factors in S at 2023 values (3, 1, 1000/3), the others at 2022 values (2, 1.5, 200).
    # f() = 600, f(a) = 900, f(f) = 400, f(b) = 1000, f(af) = 600, f(ab) = 1500, f(fb) = 2000/3, f(afb) = 1000.
    # a: 1/3 (900 - 600) + 1/6 (600 - 400) + 1/6 (1500 - 1000) + 1/3 (1000 - 2000/3)
    customers = 100 + 200 / 6 + 500 / 6 + (1000 / 3) / 3
    # f: 1/3 (400 - 600) + 1/6 (600 - 900) + 1/6 (2000/3 - 1000) + 1/3 (1000 - 1500)
    frequency = -200 / 3 - 50 - (1000 / 3) / 6 - 500 / 3
    # b: 1/3 (1000 - 600) + 1/6 (1500 - 900) + 1/6 (2000/3 - 400) + 1/3 (1000 - 600)
    basket = 400 / 3 + 100 + (800 / 3) / 6 + 400 / 3
    expected = pd.DataFrame(
        {
            "step": ["revenue 2022", "active customers", "frequency", "average basket", "revenue 2023"],
            "value": [600.0, customers, frequency, basket, 1000.0],
            "kind": ["total", "change", "change", "change", "total"],
        }
    )
    assert_frame_equal(got, expected)
    assert got["value"].iloc[1:4].sum() == pytest.approx(400.0)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=6, max_size=6))
def test_shapley_contributions_always_sum_to_the_change(values):
    base = dict(zip(pf.FACTORS, values[:3]))
    current = dict(zip(pf.FACTORS, values[3:]))
    got = pf.shapley_contributions(base, current)
    change = np.prod(values[3:]) - np.prod(values[:3])
    assert sum(got.values()) == pytest.approx(change, rel=1e-9, abs=1e-3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"base": "2021", "current": "2023"}, "base period '2021' is not in the analysis window; use one of 2022, 2023"),
        ({"base": "2022", "current": "2024Q1"}, "current period '2024Q1'"),
    ],
)
def test_bridge_errors(kwargs, match):
    components = pf.compute_revenue_components(ALL, start=START, end=END)
    with pytest.raises(ValueError, match=match):
        pf.compute_bridge(components, **kwargs)


def test_default_bridge_periods_skip_periods_without_purchases():
    components = pf.compute_revenue_components(WINDOW, start=START, end=END, grain="quarter")
    assert pf.default_bridge_periods(components) == ("2023Q2", "2023Q3")  # 2023Q4 has no purchase
    with pytest.raises(ValueError, match="two periods with purchases"):
        pf.default_bridge_periods(components.iloc[:1])


def test_retention_by_hand():
    got = pf.compute_retention(ALL, start=START, end=END, grain="year")
    expected = pd.DataFrame(
        {
            "period": ["2022", "2023"],
            "active": [2, 3],  # 2022: A, B; 2023: C, A, D
            "new": [1, 1],  # B; C
            "retained": [1, 1],  # A; A
            "reactivated": [0, 1],  # -; D (2021, not 2022)
            "lost": [1, 1],  # D (active 2021); B (credit note only in 2023)
            "retention_rate": [0.5, 0.5],
            "churn_rate": [0.5, 0.5],
            "repurchase_rate": [0.5, 0.0],  # A bought twice in 2022
            # 2022-12-31: A 609 days since 2021-05-01, B 213 since 2022-06-01
            # 2023-12-31: A 974, C 355 since 2023-01-10, D 1035 since 2021-03-01
            "mean_seniority_days": [(609 + 213) / 2, (974 + 355 + 1035) / 3],
        }
    )
    assert_frame_equal(got, expected)


def test_retention_without_history_has_no_first_rate():
    got = pf.compute_retention(WINDOW, start=START, end=END)
    assert np.isnan(got.loc[0, "retention_rate"]) and got.loc[0, "new"] == 2
    assert got.loc[1, "reactivated"] == 0 and got.loc[1, "new"] == 2  # without 2021, D looks new


def test_cohorts_by_first_purchase_year():
    got = pf.compute_cohorts(ALL, end=END, grain="year")
    expected = pd.DataFrame(
        {
            "cohort": ["2021", "2021", "2021", "2022", "2022", "2023"],
            "age": [0, 1, 2, 0, 1, 0],
            "cohort_size": [2, 2, 2, 1, 1, 1],  # {A, D}, {B}, {C}
            "active": [2, 1, 2, 1, 0, 1],
            "retention": [1.0, 0.5, 1.0, 1.0, 0.0, 1.0],
            "revenue": [150.0, 300.0, 650.0, 300.0, -50.0, 400.0],
        }
    )
    assert_frame_equal(got, expected)
    summary = pf.summarise_cohorts(got)
    assert summary["revenue"].tolist() == [1100.0, 250.0, 400.0]
    assert summary["retention_next"].tolist()[:2] == [0.5, 0.0] and np.isnan(summary["retention_next"].iloc[2])


def test_cohorts_by_enrolment_date():
    enrolled = pd.Series(pd.to_datetime(["2022-03-15", "2023-01-01"]), index=["A", "B"])
    got = pf.compute_cohorts(ALL, end=END, grain="year", cohort_dates=enrolled)
    # A: 2022 (300), 2023 (500); B: 2023, only a credit note
    assert got[["cohort", "age", "active", "revenue"]].values.tolist() == [["2022", 0, 1, 300.0], ["2022", 1, 1, 500.0], ["2023", 0, 0, -50.0]]


def test_concentration_by_hand():
    got = pf.compute_concentration(WINDOW, top=0.2)
    # customers: A 800, C 400, B 250, D 150 = 1600; top ceil(0.8) = 1 customer.
    # Gini = 2 sum(i x_i) / (n sum x) - (n + 1) / n with x ascending: 2 x 5050 / 6400 - 5/4
    expected = pd.DataFrame(
        {"customers": [4], "top_customers": [1], "revenue": [1600.0], "top_revenue": [800.0], "top_share": [0.5], "gini": [2 * 5050 / 6400 - 5 / 4]}
    )
    assert_frame_equal(got, expected)
    assert pf.compute_concentration(WINDOW, top=0.5)["top_share"].iloc[0] == 0.75


@pytest.mark.parametrize("top", [0, 1, 20])
def test_concentration_rejects_bad_top(top):
    with pytest.raises(ValueError, match=f"top must be a fraction between 0 and 1 .exclusive., got {top}"):
        pf.compute_concentration(WINDOW, top=top)


def test_lorenz_points():
    got = pf.compute_lorenz(WINDOW)
    expected = pd.DataFrame({"customer_share": [0, 0.25, 0.5, 0.75, 1.0], "revenue_share": [0, 150 / 1600, 400 / 1600, 800 / 1600, 1.0]})
    assert_frame_equal(got, expected)


def test_breakdown_by_transaction_column():
    got = pf.compute_breakdown(WINDOW, by="channel")
    # rep: A 200 + C 400 + A 500 + D 150; web: A 100 + B 300 - 50 (the credit note is not a purchase)
    expected = pd.DataFrame(
        {
            "segment": ["rep", "web"],
            "customers": [3, 2],
            "purchases": [4, 2],
            "revenue": [1250.0, 350.0],
            "revenue_share": [1250 / 1600, 350 / 1600],
            "revenue_per_customer": [1250 / 3, 175.0],
            "average_basket": [312.5, 175.0],
        }
    )
    assert_frame_equal(got, expected)


def test_breakdown_by_customer_column():
    customers = pd.DataFrame({"customer_id": ["A", "B", "C"], "typology": ["installer", "retailer", "installer"]})
    got = pf.compute_breakdown(WINDOW, by="typology", customers=customers)
    assert got[["segment", "customers", "purchases", "revenue"]].values.tolist() == [
        ["installer", 2, 4, 1200.0],
        ["retailer", 1, 1, 250.0],
        ["unknown", 1, 1, 150.0],
    ]  # D is not in the customers table


@pytest.mark.parametrize(
    "customers, match",
    [
        (None, "by='typology' is not a column of transactions .and no customers table was given."),
        (pd.DataFrame({"customer_id": ["A"]}), "by='typology' is not a column of transactions or customers"),
    ],
)
def test_breakdown_errors(customers, match):
    with pytest.raises(ValueError, match=match):
        pf.compute_breakdown(WINDOW, by="typology", customers=customers)


def test_seasonality_by_hand():
    got = pf.compute_seasonality(WINDOW, start=START, end=END)
    # mean of the two years per month: Jan 200, Feb 50, Mar 100, Apr 250, May -25, Jun 150, Jul 75, others 0
    means = [200.0, 50.0, 100.0, 250.0, -25.0, 150.0, 75.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    expected = pd.DataFrame({"month": range(1, 13), "years": [2] * 12, "mean_revenue": means, "index": [m / (800 / 12) for m in means]})
    assert_frame_equal(got, expected)


def test_seasonality_uses_complete_months_only():
    got = pf.compute_seasonality(WINDOW, start=pd.Timestamp("2022-01-15"), end=pd.Timestamp("2023-12-20"))
    assert got.loc[0, "years"] == 1 and got.loc[0, "mean_revenue"] == 400.0  # January 2022 is partial: only 2023
    assert got.loc[11, "years"] == 1  # December 2023 is partial


def test_section_defaults_and_errors():
    raw = {"client": "x", "period": {"start": "2022-01-01", "end": "2023-12-31"}, "data": {"transactions": {"path": "t.csv"}}}
    section = parse_params(raw).portfolio
    assert (section.period_grain, section.top_share, section.bridge_base) == ("year", 0.2, None)
    assert parse_params({**raw, "portfolio": {"bridge_base": 2022, "bridge_current": 2023}}).portfolio.bridge_base == "2022"
    with pytest.raises(ParameterError, match="give both or neither"):
        parse_params({**raw, "portfolio": {"bridge_base": "2022"}})
    with pytest.raises(ParameterError, match="portfolio.top_share"):
        parse_params({**raw, "portfolio": {"top_share": 1.5}})


def test_plots_draw_what_they_are_given():
    bridge = pf.compute_bridge(pf.compute_revenue_components(ALL, start=START, end=END), base="2022", current="2023")
    fig, ax = plt.subplots()
    plotting.portfolio.plot_bridge(bridge, currency="EUR", ax=ax)
    bars = ax.patches
    assert [round(b.get_height(), 6) for b in bars] == [round(v, 6) for v in bridge["value"]]
    # the first change floats on the base total; the second starts where the first ended
    assert bars[1].get_y() == 600.0 and bars[2].get_y() == pytest.approx(600.0 + bridge["value"].iloc[1])
    assert [t.get_text() for t in ax.get_xticklabels()] == bridge["step"].tolist()
    assert ax.get_ylabel() == "net revenue (EUR; axis cut)" and ax.get_ylim()[0] > 0
    fig, ax = plt.subplots()
    plotting.portfolio.plot_lorenz(pf.compute_lorenz(WINDOW), top=0.2, ax=ax)
    assert ax.lines[0].get_ydata().tolist() == pytest.approx([0, 9.375, 25, 50, 100])
    fig, ax = plt.subplots()
    plotting.portfolio.plot_flows(pf.compute_retention(ALL, start=START, end=END), ax=ax)
    assert [p.get_height() for p in ax.patches] == [1, 1, 0, 1, 1, 1, -1, -1]  # retained, reactivated, new, lost (x2 periods)
    plt.close("all")


# ---------------------------------------------------------------- against the simulator
@pytest.fixture(scope="module")
def simulated():
    from workbench.simulate import simulate

    # No programme effect: the enrolment wave after launch is a step up in purchase rate that would
    # shift the month-of-year profile, and these tests are about seasonality and revenue totals.
    sim = simulate(n_customers=400, seed=7, seasonality=0.6, effect=0.0, dirty=False)
    frame = sim.tables["transactions"].copy()
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    return sim.truth, frame


def test_components_and_concentration_add_up_to_truth_revenue(simulated):
    truth, frame = simulated
    start, end = pd.Timestamp(truth["start"]), pd.Timestamp(truth["end"])
    components = pf.compute_revenue_components(frame, start=start, end=end, grain="quarter")
    assert components["revenue"].sum() == pytest.approx(truth["aggregates"]["revenue_in_period"], abs=0.01)
    identity = components["active_customers"] * components["frequency"] * components["average_basket"]
    np.testing.assert_allclose(identity, components["revenue"], rtol=1e-9)
    inside = frame[frame["date"].between(start, end)]
    assert pf.compute_concentration(inside)["revenue"].iloc[0] <= truth["aggregates"]["revenue_in_period"] + 0.01


def test_seasonality_peaks_near_the_true_peak(simulated):
    truth, frame = simulated
    got = pf.compute_seasonality(frame, start=pd.Timestamp(truth["start"]), end=pd.Timestamp(truth["end"]))
    peak_month = (pd.Timestamp("2023-01-01") + pd.Timedelta(days=truth["seasonality_peak_day_of_year"] - 1)).month
    assert abs(int(got.loc[got["index"].idxmax(), "month"]) - peak_month) <= 1


def test_bridge_chart_without_zoom_starts_at_zero():
    fig, ax = plt.subplots()
    plots.bridge_chart(ax, ["base", "up", "down", "current"], [100.0, 30.0, -10.0, 120.0], totals=[True, False, False, True])
    # change bars float: 'up' from 100 to 130, 'down' from 130 to 120
    assert [(p.get_y(), p.get_height()) for p in ax.patches] == [(0.0, 100.0), (100.0, 30.0), (130.0, -10.0), (0.0, 120.0)]
    assert ax.get_ylim()[0] == 0.0
    assert [t.get_text() for t in ax.texts] == ["100", "+30", "-10", "120"]
    plt.close(fig)


# ---------------------------------------------------------------- like for like (partial last period)
def _lfl_tx():
    rows = [
        # A buys every quarter of 2023 and in Q1 2024; B only in H2 2023; C in H1 2023 only; D new in 2024
        ("A", "2023-02-01", 100.0), ("A", "2023-05-01", 100.0), ("A", "2023-08-01", 100.0), ("A", "2023-11-01", 100.0),
        ("A", "2024-02-01", 300.0), ("A", "2024-02-01", 50.0),  # two rows, one purchase day
        ("B", "2023-09-01", 1000.0), ("B", "2023-10-01", 1000.0),
        ("C", "2023-03-01", 200.0),
        ("D", "2024-06-30", 80.0),
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    out["date"] = pd.to_datetime(out["date"])
    return out


def test_bridge_of_a_partial_year_compares_the_same_months():
    tx, start, end = _lfl_tx(), pd.Timestamp("2023-01-01"), pd.Timestamp("2024-06-30")
    comp = pf.compute_bridge_components(tx, base="2023", current="2024", start=start, end=end)
    # 2023-01-01..06-30: A 200 (2 days), C 200 (1 day) -> 400, 2 customers, 3 purchases;
    # 2024-01-01..06-30: A 350 (1 day), D 80 (1 day) -> 430, 2 customers, 2 purchases. Not the whole 2023 (2 600).
    assert comp["period"].tolist() == ["2023 (01-01 to 06-30)", "2024 (01-01 to 06-30)"]
    assert comp["revenue"].tolist() == [400.0, 430.0]
    assert comp["active_customers"].tolist() == [2, 2]
    assert comp["purchases"].tolist() == [3, 2]
    bridge = pf.compute_bridge(comp, base=comp["period"][0], current=comp["period"][1])
    assert bridge["value"].iloc[0] == 400.0 and bridge["value"].iloc[-1] == 430.0
    assert bridge.loc[bridge["kind"] == "change", "value"].sum() == pytest.approx(30.0)
    # whole years are compared whole
    full = pf.compute_bridge_components(tx, base="2023", current="2024", start=start, end=pd.Timestamp("2024-12-31"))
    assert full["period"].tolist() == ["2023", "2024"] and full["revenue"].tolist() == [2600.0, 430.0]


def test_retention_and_churn_of_a_partial_year_are_like_for_like():
    tx = _lfl_tx()
    got = pf.compute_retention(tx, start=pd.Timestamp("2023-01-01"), end=pd.Timestamp("2024-06-30")).set_index("period")
    # 2024 H1 against 2023 H1: active then A, C; now A, D -> retained A, lost C, new D; churn 1 / 2 (B, who bought in H2 2023 only, is not lost)
    assert got.loc["2024", ["active", "new", "retained", "reactivated", "lost"]].tolist() == [2, 1, 1, 0, 1]
    assert got.loc["2024", "churn_rate"] == 0.5 and got.loc["2024", "retention_rate"] == 0.5
    spans = pf.compute_comparison_spans(start=pd.Timestamp("2023-01-01"), end=pd.Timestamp("2024-06-30"))
    assert spans["partial"].tolist() == [False, True]
    assert (spans["base_first"].iloc[1], spans["base_last"].iloc[1]) == (pd.Timestamp("2023-01-01"), pd.Timestamp("2023-06-30"))
    assert "2024 covers 2024-01-01 to 2024-06-30 only" in pf.describe_comparison(spans)
    assert pf.describe_comparison(pf.compute_comparison_spans(start=pd.Timestamp("2023-01-01"), end=pd.Timestamp("2024-12-31"))).startswith(
        "Every year is complete"
    )


def test_like_for_like_cuts_both_spans_at_the_first_day_with_data():
    from workbench.periods import like_for_like

    assert like_for_like("2024-01-01", "2024-06-30", months=12) == (
        (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-06-30")),
        (pd.Timestamp("2023-01-01"), pd.Timestamp("2023-06-30")),
    )
    # data from 2023-03-01 only: 2024-03-01..06-30 against 2023-03-01..06-30
    assert like_for_like("2024-01-01", "2024-06-30", months=12, earliest="2023-03-01") == (
        (pd.Timestamp("2024-03-01"), pd.Timestamp("2024-06-30")),
        (pd.Timestamp("2023-03-01"), pd.Timestamp("2023-06-30")),
    )
    assert like_for_like("2024-01-01", "2024-02-29", months=12, earliest="2023-03-01") is None
