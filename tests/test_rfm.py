import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

from workbench import plotting  # noqa: E402
from workbench.analysis import rfm  # noqa: E402
from workbench.config.params import parse_params  # noqa: E402
from workbench.errors import ParameterError  # noqa: E402
from workbench.reporting.manifest import read_manifest  # noqa: E402
from workbench.session import Workbench  # noqa: E402

REF = pd.Timestamp("2024-12-31")


def tx(rows, columns=("customer_id", "date", "amount", "margin", "invoice_id")):
    frame = pd.DataFrame(rows, columns=list(columns))
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["customer_id"] = frame["customer_id"].astype("str")
    return frame


TX = tx(
    [
        ("A", "2024-12-30", 100.0, 10.0, "A1"),
        ("A", "2024-12-30", 50.0, 5.0, "A2"),  # same day as A1: one purchase day, two invoices
        ("A", "2024-06-01", 200.0, 20.0, "A3"),
        ("A", "2024-06-10", -30.0, -3.0, "A4"),  # credit note: reduces revenue, is not a purchase
        ("A", "2025-01-05", 999.0, 99.0, "A5"),  # after the reference date: ignored
        ("A", "2023-12-31", 500.0, 50.0, "A0"),  # before the window start: ignored
        ("B", "2024-03-01", 1000.0, 100.0, "B1"),
        ("C", "2024-11-01", -50.0, -5.0, "C1"),  # only a credit note: not scored
    ]
)
CUTS = {"recency": [10, 100, 200, 300], "frequency": [2, 3, 4, 5], "monetary": [100, 200, 500, 900]}


# ---------------------------------------------------------------- scoring and ties
def test_quantile_cuts_are_values_and_ties_share_a_score():
    # frequency 1,1,1,2,3,4,5,10,10,10 (n = 10); type-7 quantile at p: h = 9p, x[floor h] + frac(h) * (x[next] - x[floor h])
    # p=.2: h=1.8 -> 1 + .8*(1-1) = 1;  p=.4: h=3.6 -> 2 + .6*(3-2) = 2.6
    # p=.6: h=5.4 -> 4 + .4*(5-4) = 4.4; p=.8: h=7.2 -> 10 + .2*(10-10) = 10
    values = pd.DataFrame(
        {"recency_days": [0, 10, 10, 20, 30, 40, 50, 60, 70, 80], "frequency": [1, 1, 1, 2, 3, 4, 5, 10, 10, 10], "monetary": np.arange(10.0)}
    )
    cuts = rfm.quantile_cuts(values)
    assert cuts["frequency"] == pytest.approx([1.0, 2.6, 4.4, 10.0])
    # score = 1 + number of cuts <= value: 1 -> 2 (the cut 1 is reached: score 1 is skipped), 2 -> 2, 3 -> 3, 4 -> 3, 5 -> 4, 10 -> 5
    assert rfm.score_values(values["frequency"], cuts["frequency"]).tolist() == [2, 2, 2, 2, 3, 3, 4, 5, 5, 5]


def test_recency_is_reversed_and_ties_kept():
    # recency 0, 10, 10, 20, 30: h = 4p -> p=.2: 0 + .8*10 = 8; p=.4: 10 + .6*0 = 10; p=.6: 10 + .4*10 = 14; p=.8: 20 + .2*10 = 22
    days = pd.Series([0, 10, 10, 20, 30])
    cuts = rfm.quantile_cuts(pd.DataFrame({"recency_days": days, "frequency": 1, "monetary": 1.0}))
    assert cuts["recency"] == pytest.approx([8, 10, 14, 22])
    # raw scores 1, 3, 3, 4, 5 ([lower, upper) intervals) -> reversed 6 - raw: 5, 3, 3, 2, 1 (score 4 skipped)
    assert rfm.score_values(days, cuts["recency"], reverse=True).tolist() == [5, 3, 3, 2, 1]


@pytest.mark.parametrize("value, expected", [(99.99, 1), (100, 2), (199.99, 2), (200, 3), (899, 4), (900, 5), (1e9, 5), (-5, 1)])
def test_a_value_on_a_threshold_takes_the_upper_score(value, expected):
    assert rfm.score_values([value], CUTS["monetary"]).tolist() == [expected]


def test_compute_rfm_by_hand():
    got = rfm.compute_rfm(TX, reference_date=REF, start=pd.Timestamp("2024-01-01"), cuts=CUTS)
    expected = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "recency_days": [1, 305],  # A: 2024-12-30 -> 12-31; B: 2024-03-01 is day 61 of 366 -> 366 - 61 = 305
            "frequency": [2, 1],  # A: days 06-01 and 12-30
            "monetary": [320.0, 1000.0],  # A: 100 + 50 + 200 - 30
            "margin": [32.0, 100.0],  # A: 10 + 5 + 20 - 3
            "r_score": [5, 1],  # 1 < 10 -> raw 1 -> 5; 305 >= 300 -> raw 5 -> 1
            "f_score": [2, 1],  # 2 >= 2 -> 2; 1 -> 1
            "m_score": [3, 5],  # 200 <= 320 < 500 -> 3; 1000 >= 900 -> 5
            "rfm_score": [523, 115],
            "segment": ["Potential Loyalist", "Lost"],  # A: R5 F2 (not Champions/Loyal) -> Potential Loyalist; B: R1 F1 -> Lost
        }
    )
    assert_frame_equal(got, expected)


def test_frequency_by_invoices():
    got = rfm.compute_rfm(TX, reference_date=REF, start=pd.Timestamp("2024-01-01"), cuts=CUTS, purchase="invoice")
    # A: invoices A1, A2, A3 (A4 is a credit note) = 3 -> F3; R5 F3 M3 -> Loyal Customers
    assert got.loc[got["customer_id"] == "A", ["frequency", "f_score", "segment"]].values.tolist() == [[3, 3, "Loyal Customers"]]


def test_partial_fixed_cuts_use_quantiles_for_the_rest():
    got = rfm.resolve_cuts(pd.DataFrame({"recency_days": [0, 4], "frequency": [1, 5], "monetary": [0.0, 40.0]}), cuts={"monetary": [1, 2, 3, 4]})
    # recency 0..4 -> quantiles .2..  .8 of [0, 4] = 0.8, 1.6, 2.4, 3.2; frequency 1..5 -> 1.8, 2.6, 3.4, 4.2
    assert got["recency"] == pytest.approx([0.8, 1.6, 2.4, 3.2])
    assert got["frequency"] == pytest.approx([1.8, 2.6, 3.4, 4.2])
    assert got["monetary"] == [1, 2, 3, 4]


def test_no_customer_gives_an_empty_frame_with_the_columns():
    got = rfm.compute_rfm(TX[TX["customer_id"] == "C"], reference_date=REF)
    assert got.empty and list(got.columns) == rfm.RFM_COLUMNS


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_scores": 1}, r"n_scores=1: use between 2 and 10"),
        ({"purchase": "weeks"}, r"purchase='weeks': use 'day'"),
        ({"cuts": {"recency": [1, 2], "frequency": [1, 2, 3, 4], "monetary": [1, 2, 3, 4]}}, r"cuts\.recency=\[1\.0, 2\.0\]: give 4 ascending"),
        ({"cuts": {"recency": [4, 3, 2, 1], "frequency": [1, 2, 3, 4], "monetary": [1, 2, 3, 4]}}, r"cuts\.recency=.*ascending"),
        ({"cuts": {"recent": [1, 2, 3, 4]}}, r"cuts: unknown dimension\(s\) recent"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rfm.compute_rfm(TX, reference_date=REF, **kwargs)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"transactions: missing column\(s\) amount"):
        rfm.compute_rfm(TX.drop(columns="amount"), reference_date=REF)
    with pytest.raises(ValueError, match=r"purchase='invoice' needs an invoice_id column"):
        rfm.compute_rfm(TX.drop(columns="invoice_id"), reference_date=REF, purchase="invoice")


# ---------------------------------------------------------------- segments
def test_default_map_names_every_score_triple():
    triples = np.array(list(itertools.product(range(1, 6), repeat=3)))
    names = rfm.assign_segments(triples[:, 0], triples[:, 1], triples[:, 2])
    assert rfm.OTHERS not in set(names)
    assert set(names) == {s.name for s in rfm.DEFAULT_SEGMENTS}  # and every segment can be reached


@pytest.mark.parametrize(
    "r, f, m, expected",
    [
        (5, 5, 5, "Champions"),
        (4, 4, 4, "Champions"),
        (3, 3, 3, "Loyal Customers"),
        (5, 5, 2, "Potential Loyalist"),
        (5, 1, 5, "New Customers"),
        (3, 1, 5, "Promising"),
        (3, 2, 1, "Need Attention"),
        (3, 5, 1, "Need Attention"),
        (2, 5, 5, "Can't Lose Them"),
        (1, 3, 3, "At Risk"),
        (2, 1, 3, "About To Sleep"),
        (2, 3, 2, "Hibernating"),
        (1, 2, 1, "Hibernating"),
        (1, 1, 1, "Lost"),
        (1, 1, 5, "Lost"),
    ],
)
def test_default_map_first_match_wins(r, f, m, expected):
    assert rfm.assign_segments([r], [f], [m]).tolist() == [expected]


def test_custom_map_leaves_others():
    rules = [rfm.SegmentRule("Top", (5, 5), (1, 5), (1, 5)), rfm.SegmentRule("Frequent", (1, 5), (4, 5), (1, 5))]
    assert rfm.assign_segments([5, 4, 3], [5, 5, 1], [1, 1, 1], rules).tolist() == ["Top", "Frequent", "Others"]
    assert rfm.segment_order(rules) == ["Top", "Frequent", "Others"]


# ---------------------------------------------------------------- thresholds, profiles, actions
def test_threshold_table_and_skipped_scores():
    scored = pd.DataFrame({"r_score": [5, 3, 3, 2, 1], "f_score": [2, 2, 2, 3, 5], "m_score": [1, 2, 3, 4, 5]})
    cuts = {"recency": [8, 10, 14, 22], "frequency": [1, 2.6, 4.4, 10], "monetary": [1, 2, 3, 4]}
    table = rfm.compute_threshold_table(scored, cuts=cuts)
    recency = table[table["dimension"] == "recency"]
    # R score 1 = the oldest interval [22, inf), score 5 = the most recent (-inf, 8)
    assert recency[["score", "lower", "upper", "customers"]].values.tolist() == [
        [1, 22, np.inf, 1],
        [2, 14, 22, 1],
        [3, 10, 14, 2],
        [4, 8, 10, 0],
        [5, -np.inf, 8, 1],
    ]
    assert table[table["dimension"] == "frequency"]["customers"].tolist() == [0, 3, 1, 0, 1]
    warnings = rfm.scoring_warnings(table)
    assert len(warnings) == 2
    assert warnings[0].startswith("recency: only 4 distinct scores out of 5 (score(s) 4 hold no customer)")
    assert warnings[1].startswith("frequency: only 3 distinct scores out of 5 (score(s) 1, 4 hold no customer)")


SCORED = pd.DataFrame(
    {
        "customer_id": ["A", "B", "C"],
        "recency_days": [10, 20, 400],
        "frequency": [4, 2, 1],
        "monetary": [1000.0, 600.0, 50.0],
        "margin": [300.0, 100.0, 5.0],
        "r_score": [5, 5, 1],
        "f_score": [5, 4, 1],
        "m_score": [5, 4, 1],
        "rfm_score": [555, 544, 111],
        "segment": ["Champions", "Champions", "Lost"],
    }
)


def test_segment_profiles_by_hand():
    customers = pd.DataFrame({"customer_id": ["A", "B", "C"], "status": ["member", "non-member", "member"]})
    got = rfm.compute_segment_profiles(SCORED, customers=customers, order=["Champions", "At Risk", "Lost"])
    expected = pd.DataFrame(
        {
            "segment": ["Champions", "At Risk", "Lost"],
            "customers": [2, 0, 1],
            "customer_share": [2 / 3, 0.0, 1 / 3],
            "revenue": [1600.0, 0.0, 50.0],
            "revenue_share": [1600 / 1650, 0.0, 50 / 1650],
            "margin": [400.0, np.nan, 5.0],
            "margin_per_customer": [200.0, np.nan, 5.0],
            "average_basket": [1600 / 6, np.nan, 50.0],  # revenue / purchases (4 + 2)
            "frequency": [3.0, np.nan, 1.0],
            "recency_days": [15.0, np.nan, 400.0],
            "member_share": [0.5, np.nan, 1.0],
        }
    )
    assert_frame_equal(got, expected)
    assert rfm.compute_segment_profiles(SCORED)["member_share"].isna().all()  # no customers table


def test_segment_actions_budget():
    profiles = rfm.compute_segment_profiles(SCORED, order=["Champions", "Lost"])
    got = rfm.compute_segment_actions(profiles, levers={"Champions": ["relational", "engagement"]}, budget_share=0.1, years=2.0)
    # Champions: 200 margin per customer over 2 years = 100 a year; x 0.1 = 10
    assert got["levers"].tolist() == ["relational, engagement", ""]
    assert got["margin_per_customer_year"].tolist() == [100.0, 2.5]
    assert got["retention_budget_per_customer"].tolist() == pytest.approx([10.0, 0.25])
    assert got.loc[0, "examples"].startswith("relational: regular personal contact")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"budget_share": 1.5}, r"budget_share=1\.5: give a fraction between 0 and 1"),
        ({"years": 0}, r"years=0"),
        ({"levers": {"Champions": ["loyalty"]}}, r"levers\['Champions'\]: unknown lever\(s\) loyalty"),
    ],
)
def test_segment_actions_errors(kwargs, message):
    profiles = rfm.compute_segment_profiles(SCORED)
    with pytest.raises(ValueError, match=message):
        rfm.compute_segment_actions(profiles, **{"levers": {}, "budget_share": 0.1, "years": 1.0, **kwargs})


def test_lever_table_names_the_four_levers_of_seed_004():
    table = rfm.lever_table()
    assert table["lever"].tolist() == ["transactional", "service", "relational", "engagement"]
    assert table.loc[0, "examples"].startswith("vouchers")


def test_rf_grid_counts_every_pair():
    grid = rfm.compute_rf_grid(SCORED, n_scores=2)
    # scores above 2 are outside a 2-score grid; only C (1, 1) counts
    assert grid[["r_score", "f_score", "customers"]].values.tolist() == [[2, 1, 0], [2, 2, 0], [1, 1, 1], [1, 2, 0]]


def test_crm_export_and_writing(tmp_path):
    value = pd.DataFrame({"customer_id": ["A", "D"], "score": [40.0, 5.0], "value_class": ["High value", "Low value"]})
    out = rfm.compute_crm_export(SCORED, value)
    assert out["customer_id"].tolist() == ["A", "B", "C", "D"]
    assert out.loc[0, "value_class"] == "High value" and pd.isna(out.loc[1, "value_class"])  # B has no value score
    assert pd.isna(out.loc[3, "segment"]) and out.loc[3, "value_score"] == 5.0
    run = tmp_path / "run"
    run.mkdir()
    wb = Workbench(params=None, dataset=None, run_dir=run)
    paths = wb.export_all({"rfm_customers.csv": out})
    assert paths == [run / "rfm_customers.csv"]
    assert read_manifest(run) == [{"file": "rfm_customers.csv", "rows": 4, "columns": list(out.columns), "role": None}]
    back = pd.read_csv(paths[0], dtype={"customer_id": str})
    assert back["customer_id"].tolist() == ["A", "B", "C", "D"] and back.loc[0, "rfm_score"] == 555


# ---------------------------------------------------------------- plots
def test_plots_draw_what_was_computed():
    grid = rfm.compute_rf_grid(SCORED)
    fig, ax = plt.subplots()
    plotting.rfm.plot_rf_heatmap(grid, ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["5", "4", "3", "2", "1"]  # R 5 on top
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert texts[(0, 4)] == "1" and texts[(0, 3)] == "1" and texts[(4, 0)] == "1" and texts[(2, 2)] == "0"
    assert ax.get_xlabel().startswith("F score") and ax.get_title()
    plt.close(fig)

    profiles = rfm.compute_segment_profiles(SCORED, order=["Champions", "Lost"])
    fig, ax = plt.subplots()
    plotting.rfm.plot_segment_sizes(profiles, ax=ax)
    widths = [p.get_width() for p in ax.patches]
    assert widths == pytest.approx([200 / 3, 100 / 3, 1600 / 16.5, 50 / 16.5])  # customers %, then revenue %
    assert ax.get_xlabel() == "share of the total (%)"
    plt.close(fig)

    fig, ax = plt.subplots()
    plotting.rfm.plot_value_per_segment(profiles, currency="EUR", ax=ax)
    assert [p.get_width() for p in ax.patches] == pytest.approx([800.0, 50.0])
    assert "EUR" in ax.get_xlabel()
    plt.close(fig)


# ---------------------------------------------------------------- parameters
BASE = {"client": "x", "period": {"start": "2022-01-01", "end": "2024-12-31"}, "data": {"transactions": {"path": "t.csv"}}}


def test_parameters_give_the_scoring_arguments():
    params = parse_params(
        {
            **BASE,
            "rfm": {
                "n_scores": 3,
                "thresholds": {"monetary": [100, 1000]},
                "segments": [{"name": "Best", "r": [3, 3], "f": [2, 3], "m": [1, 3]}],
                "levers": {"Best": ["engagement"]},
            },
        }
    )
    kwargs = params.rfm.scoring_kwargs()
    assert kwargs["cuts"] == {"monetary": [100.0, 1000.0]}
    assert kwargs["segments"] == (rfm.SegmentRule("Best", (3, 3), (2, 3), (1, 3)),)
    assert parse_params(BASE).rfm.segment_rules() == rfm.DEFAULT_SEGMENTS


@pytest.mark.parametrize(
    "section, message",
    [
        ({"thresholds": {"recency": [1, 2]}}, r"rfm\.thresholds\.recency: 2 cut point\(s\) given, 5 scores need 4"),
        ({"thresholds": {"recency": [4, 3, 2, 1]}}, r"rfm\.thresholds\.recency: .*ascending order"),
        ({"segments": [{"name": "X", "r": [1, 6], "f": [1, 5], "m": [1, 5]}]}, r"rfm\.segments: 'X': r: \[1, 6\] is outside the scores 1-5"),
        ({"segments": [{"name": "X", "r": [3, 1], "f": [1, 5], "m": [1, 5]}]}, r"'X': r: \[3, 1\] must be \[low, high\]"),
        ({"segments": [{"name": "X", "r": [1, 5], "f": [1, 5]}]}, r"rfm\.segments\.0\.m: required key is missing"),
        ({"levers": {"Champs": ["relational"]}}, r"rfm\.levers: 'Champs' is not a segment name"),
        ({"levers": {"Champions": ["cashback"]}}, r"rfm\.levers\.Champions\.0: .*got 'cashback'"),
        ({"retention_budget_share": 2}, r"rfm\.retention_budget_share: .*less than or equal to 1"),
    ],
)
def test_bad_rfm_parameters_are_refused(section, message):
    with pytest.raises(ParameterError, match=message):
        parse_params({**BASE, "rfm": section})
