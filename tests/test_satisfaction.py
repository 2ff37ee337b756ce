import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

from workbench import plotting  # noqa: E402
from workbench.analysis import satisfaction as sat  # noqa: E402

SURVEYS = pd.DataFrame(
    {
        "customer_id": ["A", "B", "C", "D", "E"],
        "date": pd.to_datetime(["2023-10-01", "2023-10-01", "2023-10-01", "2024-10-01", "2024-10-01"]).astype("datetime64[ns]"),
        "nps": [10.0, 9.0, 3.0, 7.0, 6.0],
        "ces": [2.0, np.nan, 6.0, 4.0, np.nan],
        "typology": ["installer", "installer", "retailer", "retailer", None],
    }
)


def test_nps_overall_by_hand():
    got = sat.compute_nps(SURVEYS)
    # 2 promoters (10, 9), 1 passive (7), 2 detractors (3, 6): NPS = 100 * (2 - 2) / 5 = 0; CES mean of 2, 6, 4 = 4
    expected = pd.DataFrame({"answers": [5], "promoters": [2], "passives": [1], "detractors": [2], "nps": [0.0], "ces_mean": [4.0]})
    assert_frame_equal(got, expected)


def test_nps_by_year_and_group():
    by_year = sat.compute_nps(SURVEYS, freq="Y")
    assert by_year["period"].astype(str).tolist() == ["2023", "2024"]
    assert by_year["nps"].tolist() == pytest.approx([100 * (2 - 1) / 3, 100 * (0 - 1) / 2])
    by_type = sat.compute_nps(SURVEYS, by="typology")
    assert by_type[["typology", "answers", "nps"]].values.tolist() == [["(unknown)", 1, -100.0], ["installer", 2, 100.0], ["retailer", 2, -50.0]]
    with pytest.raises(ValueError, match="column 'region' not in the surveys"):
        sat.compute_nps(SURVEYS, by="region")


def test_nps_revenue_link_by_hand():
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "C", "C", "D"],
            "date": pd.to_datetime(["2023-03-01", "2023-10-01", "2024-09-30", "2023-09-01", "2024-02-01", "2024-11-01"]).astype("datetime64[ns]"),
            "amount": [100.0, 300.0, 200.0, 50.0, 10.0, 999.0],
        }
    )
    got = sat.compute_nps_revenue_link(SURVEYS, tx, end=pd.Timestamp("2024-12-31"))
    # only the 2023 answers have a full next year before the end. A (promoter): before 100, after 300 (2023-10-01 is day 0,
    # in; 2024-09-30 is day 365, out of the 365 days 0..364); B (promoter): 0 and 0 -> promoters mean before 50, after 150.
    # C (detractor): before 50, after 10.
    expected = pd.DataFrame(
        {
            "category": ["detractor", "promoter"],
            "answers": [1, 2],
            "revenue_before": [50.0, 50.0],
            "revenue_after": [10.0, 150.0],
            "growth": [10 / 50 - 1, 150 / 50 - 1],
        }
    )
    assert_frame_equal(got, expected)


def test_nps_revenue_regression_recovers_a_known_slope():
    rng = np.random.default_rng(3)
    n = 400
    customers = [f"C{i}" for i in range(n)]
    nps = rng.integers(0, 11, n).astype(float)
    before = rng.gamma(2.0, 500.0, n)
    after = 200.0 + 50.0 * nps + 0.8 * before + rng.normal(0, 20, n)  # true slope: 50 per NPS point
    surveys = pd.DataFrame({"customer_id": customers, "date": pd.Timestamp("2023-06-01"), "nps": nps, "ces": np.nan})
    tx = pd.DataFrame(
        {"customer_id": customers * 2, "date": [pd.Timestamp("2023-01-01")] * n + [pd.Timestamp("2023-12-01")] * n, "amount": np.concatenate([before, after])}
    )
    got = sat.fit_nps_revenue(surveys, tx, end=pd.Timestamp("2024-12-31")).set_index("term")
    assert got.loc["nps", "ci_low"] < 50.0 < got.loc["nps", "ci_high"]
    assert got.loc["revenue_before", "coef"] == pytest.approx(0.8, abs=0.02)
    assert got.loc["nps", "answers"] == n


def test_plot_nps_over_time():
    fig, ax = plt.subplots()
    plotting.satisfaction.plot_nps_over_time(sat.compute_nps(SURVEYS, freq="Y"), ax=ax)
    assert [p.get_height() for p in ax.patches] == pytest.approx([100 / 3, -50.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023", "2024"]
    plt.close(fig)
