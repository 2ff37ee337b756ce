import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

from workbench import plotting  # noqa: E402
from workbench.analysis import value  # noqa: E402
from workbench.config.params import parse_params  # noqa: E402
from workbench.errors import ParameterError  # noqa: E402

REF, START = pd.Timestamp("2024-12-31"), pd.Timestamp("2022-01-01")  # exactly 3 years


def purchases(customer, n, amount, margin, first="2022-01-10"):
    """n purchases on n distinct days."""
    days = pd.date_range(first, periods=n, freq="7D")
    return [(customer, d, amount, margin) for d in days]


def frame(rows):
    out = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "margin"])
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    return out


# The seed's scale (thousands), as seed 003 words it: revenue ">100 = 10, 50 à 100 = 7.5, 10 à 50 = 2.5, < 10 = 0.5";
# margin "> 20 = 20, 10 à 20 = 10, 2 à 10 = 5, < 2 = 1"; 2 points per purchase. "X à Y" includes X; "> X" excludes X.
SEED_TX = frame(
    purchases("V", 12, 27_500.0, 5_500.0)  # 330 000 / 3 = 110k a year -> 10; 66 000 / 3 = 22k -> 20; 12 x 2 = 24
    + purchases("W", 3, 100_000.0, 20_000.0)  # exactly 100k a year -> 7.5 (not above 100); exactly 20k -> 10; 3 x 2 = 6
    + purchases("X", 1, 30_000.0, 6_000.0)  # exactly 10k a year -> 2.5 ("10 à 50"); exactly 2k -> 5 ("2 à 10"); 1 x 2 = 2
    + purchases("Y", 30, 5_000.1, 1_000.0)  # 150 003 / 3 = 50.001k -> 7.5; 30 000 / 3 = 10k -> 10 ("10 à 20"); 30 x 2 = 60
    + [
        ("Z", pd.Timestamp("2024-05-02"), 12_000.0, 3_000.0),
        ("Z", pd.Timestamp("2024-05-20"), -3_000.0, -750.0),  # credit note
        ("Z", pd.Timestamp("2021-12-31"), 99_000.0, 9_000.0),
    ]  # before the window: ignored
)


def test_seed_scale_by_hand():
    got = value.compute_value_score(SEED_TX, reference_date=REF, start=START)
    expected = pd.DataFrame(
        {
            "customer_id": ["V", "W", "X", "Y", "Z"],
            "revenue": [330_000.0, 300_000.0, 30_000.0, 5_000.1 * 30, 9_000.0],
            "margin": [66_000.0, 60_000.0, 6_000.0, 30_000.0, 2_250.0],
            "purchases": [12, 3, 1, 30, 1],
            "annual_revenue": [110_000.0, 100_000.0, 10_000.0, 5_000.1 * 10, 3_000.0],
            "annual_margin": [22_000.0, 20_000.0, 2_000.0, 10_000.0, 750.0],
            "revenue_points": [10.0, 7.5, 2.5, 7.5, 0.5],
            "margin_points": [20.0, 10.0, 5.0, 10.0, 1.0],
            "purchase_points": [24.0, 6.0, 2.0, 60.0, 2.0],
            "score": [54.0, 23.5, 9.5, 77.5, 3.5],
            # default classes: VIP >= 60, High value >= 30, Medium value >= 12, else Low value
            "value_class": ["High value", "Medium value", "Low value", "VIP", "Low value"],
        }
    )
    assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    "annual_k, points",
    [(100.01, 10.0), (100.0, 7.5), (50.0, 7.5), (49.99, 2.5), (50.5, 7.5), (10.0, 2.5), (9.99, 0.5), (10.5, 2.5), (0.0, 0.5), (-5.0, 0.5)],
)  # ">100": 100 is not above; "50 à 100": 50 and 100 included; "10 à 50": 10 included; "< 10"
def test_revenue_band_boundaries(annual_k, points):
    assert value.band_points([annual_k], value.DEFAULT_REVENUE_BANDS).tolist() == [points]


@pytest.mark.parametrize(
    "annual_k, points", [(20.5, 20.0), (20.0, 10.0), (19.99, 10.0), (10.0, 10.0), (9.99, 5.0), (2.0, 5.0), (1.99, 1.0), (2.01, 5.0), (-1.0, 1.0)]
)  # "> 20": 20 is not above; "10 à 20": 10 and 20 included; "2 à 10": 2 included; "< 2"
def test_margin_band_boundaries(annual_k, points):
    assert value.band_points([annual_k], value.DEFAULT_MARGIN_BANDS).tolist() == [points]


@pytest.mark.parametrize(
    "score, name", [(60.0, "VIP"), (59.9, "High value"), (30.0, "High value"), (12.0, "Medium value"), (11.9, "Low value"), (0.0, "Low value")]
)
def test_class_boundaries_are_inclusive(score, name):
    assert value.classify_scores([score], value.DEFAULT_CLASSES).tolist() == [name]


@pytest.mark.parametrize(
    "start, years, first, length",
    [
        (None, 3.0, "2022-01-01", 3.0),
        ("2022-01-01", 3.0, "2022-01-01", 3.0),
        ("2022-07-01", 3.0, "2022-07-01", 2.5),  # clipped to the period: 2022-07-01 .. 2024-12-31 is 2.5 years
        (None, 2.0, "2023-01-01", 2.0),
        (None, 2.5, "2022-07-01", 2.5),
        ("2024-12-02", 3.0, "2024-12-02", 30 / 365.25),  # 30 days past no whole month
    ],
)
def test_window_length_in_years(start, years, first, length):
    got_first, got_years = value.window_bounds(reference_date=REF, start=None if start is None else pd.Timestamp(start), window_years=years)
    assert got_first == pd.Timestamp(first)
    assert got_years == pytest.approx(length)


def test_annualised_over_a_clipped_window():
    tx = frame(
        [
            ("A", pd.Timestamp("2024-03-01"), 15_000.0, 3_000.0),
            ("B", pd.Timestamp("2024-03-01"), 15_001.5, 3_000.0),
            ("C", pd.Timestamp("2024-03-01"), 14_998.5, 2_998.5),
        ]
    )
    got = value.compute_value_score(tx, reference_date=REF, start=pd.Timestamp("2023-07-01"))
    # 1.5 years: A 15 000 / 1.5 = 10 000 -> 2.5 (10 included); B 10 001 -> 2.5; C 9 999 -> 0.5; margin 2 000 a year -> 5, C 1 999 -> 1
    assert got["annual_revenue"].tolist() == pytest.approx([10_000.0, 10_001.0, 9_999.0])
    assert got["revenue_points"].tolist() == [2.5, 2.5, 0.5]
    assert got["margin_points"].tolist() == [5.0, 5.0, 1.0]
    # one purchase in 1.5 years counts per 3-year window: 2 x 3 / 1.5 = 4 points
    assert got["purchase_points"].tolist() == [4.0, 4.0, 4.0]


def test_purchases_by_invoice_and_without_margin():
    tx = frame([("A", pd.Timestamp("2024-03-01"), 100.0, 0.0), ("A", pd.Timestamp("2024-03-01"), 100.0, 0.0)]).drop(columns="margin")
    tx["invoice_id"] = ["F1", "F2"]
    days = value.compute_value_score(tx, reference_date=REF)
    invoices = value.compute_value_score(tx, reference_date=REF, purchase="invoice")
    assert (days.loc[0, "purchases"], invoices.loc[0, "purchases"]) == (1, 2)
    assert np.isnan(days.loc[0, "margin"]) and days.loc[0, "margin_points"] == 0.0
    assert days.loc[0, "score"] == 0.5 + 2.0


def test_custom_scale():
    got = value.compute_value_score(
        SEED_TX[SEED_TX["customer_id"] == "V"],
        reference_date=REF,
        start=START,
        unit=1.0,
        revenue_bands=[(100_000, 3.0), (None, 0.0)],
        margin_bands=[(None, 0.0)],
        bonus_per_purchase=0.5,
        classes=[("A", 9.0), ("B", None)],
    )
    # 110 000 > 100 000 -> 3; margin 0; 12 x 0.5 = 6 -> 9 -> class A
    assert got[["score", "value_class"]].values.tolist() == [[9.0, "A"]]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"window_years": 0}, r"window_years=0: give a positive number"),
        ({"unit": 0}, r"unit=0"),
        ({"revenue_bands": [(10, 1.0), (50, 2.0), (None, 0.0)]}, r"revenue_bands: the band edges must decrease"),
        ({"margin_bands": [(10, 1.0)]}, r"margin_bands: list the bands from the highest, the last with edge None"),
        ({"classes": [("A", 10.0), ("B", 20.0), ("C", None)]}, r"classes: list them from the best with strictly decreasing"),
        ({"purchase": "weeks"}, r"purchase='weeks'"),
        ({"window_months": 0}, r"window_months=0"),
        ({"start": pd.Timestamp("2025-01-01")}, r"start=2025-01-01 is after reference_date=2024-12-31"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        value.compute_value_score(SEED_TX, reference_date=REF, **kwargs)


def test_class_profiles_and_plots():
    scored = value.compute_value_score(SEED_TX, reference_date=REF, start=START)
    profiles = value.compute_class_profiles(scored)
    assert profiles["value_class"].tolist() == ["VIP", "High value", "Medium value", "Low value"]
    assert profiles["customers"].tolist() == [1, 1, 1, 2]
    assert profiles["customer_share"].tolist() == pytest.approx([0.2, 0.2, 0.2, 0.4])
    assert profiles.loc[3, "revenue"] == 39_000.0  # X 30 000 + Z 9 000
    fig, ax = plt.subplots()
    plotting.value.plot_class_sizes(profiles, ax=ax)
    assert [p.get_width() for p in ax.patches] == [1, 1, 1, 2]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["VIP", "High value", "Medium value", "Low value"]
    plt.close(fig)
    fig, ax = plt.subplots()
    plotting.value.plot_score_distribution(scored, ax=ax)
    assert sum(p.get_height() for p in ax.patches) == 5
    assert [line.get_xdata()[0] for line in ax.lines] == [60.0, 30.0, 12.0]
    assert ax.get_xlabel() == "value score (points)"
    plt.close(fig)


BASE = {"client": "x", "period": {"start": "2022-01-01", "end": "2024-12-31"}, "data": {"transactions": {"path": "t.csv"}}}


def test_parameters_default_to_the_seed_scale():
    kwargs = parse_params(BASE).value_score.scoring_kwargs()
    assert kwargs["revenue_bands"] == list(value.DEFAULT_REVENUE_BANDS)
    assert kwargs["margin_bands"] == list(value.DEFAULT_MARGIN_BANDS)
    assert (kwargs["window_years"], kwargs["unit"], kwargs["bonus_per_purchase"]) == (3.0, 1000.0, 2.0)
    assert kwargs["classes"] == list(value.DEFAULT_CLASSES)


@pytest.mark.parametrize(
    "section, message",
    [
        (
            {"revenue_bands": [{"above": 10, "points": 1}, {"above": 50, "points": 2}, {"above": None, "points": 0}]},
            r"value_score\.revenue_bands: the band edges must decrease",
        ),
        ({"margin_bands": [{"above": 10, "points": 1}]}, r"value_score\.margin_bands: list the bands from the highest"),
        ({"margin_bands": [{"above": None, "points": -1}]}, r"value_score\.margin_bands: points must be 0 or more"),
        ({"classes": [{"name": "A", "min_score": None}, {"name": "B", "min_score": 3}]}, r"value_score\.classes: list them from the best"),
        ({"classes": [{"name": "A", "min": 3}]}, r"value_score\.classes\.0\.min: unknown key"),
        ({"window_years": 0}, r"value_score\.window_years: .*greater than 0"),
        ({"margin_bands": [{"above": 5, "from": 5, "points": 1}, {"points": 0}]}, r"value_score\.margin_bands: give either above: .* or from: .*not both"),
        ({"margin_bands": [{"at_least": 5, "points": 1}, {"points": 0}]}, r"value_score\.margin_bands\.0\.at_least: .*"),
        ({"purchases": "days"}, r"value_score\.purchases: unknown key"),
    ],
)
def test_bad_value_parameters_are_refused(section, message):
    with pytest.raises(ParameterError, match=message):
        parse_params({**BASE, "value_score": section})


def test_yaml_bands_read_as_the_seed_words_them():
    section = {
        "unit": 1,
        "revenue_bands": [{"above": 100, "points": 3}, {"from": 50, "points": 2}, {"points": 0}],
        "margin_bands": [{"points": 0}],
    }
    kwargs = parse_params({**BASE, "value_score": section}).value_score.scoring_kwargs()
    assert kwargs["revenue_bands"] == [(100.0, 3.0, True), (50.0, 2.0, False), (None, 0.0, False)]
    assert value.band_points([100.0, 100.5, 50.0, 49.9], kwargs["revenue_bands"]).tolist() == [2.0, 3.0, 2.0, 0.0]


def test_scale_table_words_each_edge():
    table = value.compute_scale_table()
    assert table["band"].tolist() == [
        "more than 100",
        "from 50, up to 100 included",
        "from 10, below 50",
        "below 10",
        "more than 20",
        "from 10, up to 20 included",
        "from 2, below 10",
        "below 2",
        "each purchase per 3 years",
    ]
    assert table["points"].tolist() == [10.0, 7.5, 2.5, 0.5, 20.0, 10.0, 5.0, 1.0, 2.0]


def test_one_purchase_bonus_rule_for_pages_03_and_05():
    """A steady company (one purchase a month, 1 000 a month) gets the same score over 3 years and over the last 12 months."""
    from workbench.analysis import migration

    days = pd.date_range("2022-01-01", "2024-12-01", freq="MS") + pd.Timedelta(days=14)  # the 15th of each month
    tx = frame([("S", d, 1_000.0, 200.0) for d in days])
    page03 = value.compute_value_score(tx, reference_date=REF, start=START).iloc[0]
    page05 = value.compute_value_score(tx, reference_date=REF, window_months=12).iloc[0]
    # 03: 36 purchases in 3 years -> 72; 05: 12 purchases in 1 year x 3 / 1 -> 72; revenue 12k a year -> 2.5, margin 2.4k -> 5
    assert (page03["purchase_points"], page05["purchase_points"]) == (72.0, 72.0)
    assert page03["score"] == page05["score"] == 79.5
    states = migration.compute_value_states(tx, dates=[REF], window_months=12, value_kwargs={"window_years": 3.0})
    assert states["state"].tolist() == [page03["value_class"]] == ["VIP"]
    # a window clipped to 2 years (period.start 2023-01-01): 24 purchases x 3 / 2 = 36 purchases per 3 years -> 72
    clipped = value.compute_value_score(tx, reference_date=REF, start=pd.Timestamp("2023-01-01")).iloc[0]
    assert (clipped["purchases"], clipped["purchase_points"]) == (24, 72.0)
