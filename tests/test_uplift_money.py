"""Money year by year, worked by hand."""

import pandas as pd
import pytest

from workbench.analysis.uplift.money import compute_money_by_year

WINDOWS = pd.DataFrame({"window": ["year 1", "year 2"], "att": [1000.0, 400.0], "ci_low": [200.0, -300.0], "ci_high": [1800.0, 1100.0], "companies": [100, 40]})
COSTS = dict(points_cost_rate=0.01, platform_cost_per_year=20_000.0, animation_cost_per_year=5_000.0)


def test_without_margins_the_margin_rate_applies_to_the_evaluated_cohorts_only():
    got = compute_money_by_year(WINDOWS, margin_windows=None, margin_rate=0.3, member_revenue={"year 1": 50_000.0, "year 2": 40_000.0},
                                enrolled_companies=200, **COSTS).set_index("window")  # fmt: skip
    y1 = got.loc["year 1"]
    assert y1["incremental_revenue"] == 100_000.0 and (y1["revenue_low"], y1["revenue_high"]) == (20_000.0, 180_000.0)  # 1,000 x 100 companies
    assert y1["incremental_margin"] == pytest.approx(30_000.0) and y1["margin_source"] == "30% of revenue"
    assert y1["points_cost"] == pytest.approx(50_000.0)  # 1 % of 50,000 x 100
    assert y1["fixed_cost"] == pytest.approx(12_500.0)  # 25,000 x 100 / 200 enrolled
    assert y1["roi"] == pytest.approx((30_000 - 62_500) / 62_500)
    assert y1["roi_low"] == pytest.approx((6_000 - 62_500) / 62_500)
    y2 = got.loc["year 2"]
    assert y2["companies"] == 40 and y2["incremental_margin"] == pytest.approx(0.3 * 16_000)
    assert y2["fixed_cost"] == pytest.approx(5_000.0) and y2["points_cost"] == pytest.approx(16_000.0)


def test_the_margin_effect_is_used_when_margins_exist():
    margins = pd.DataFrame({"window": ["year 1"], "att": [250.0], "ci_low": [50.0], "ci_high": [450.0], "companies": [100]})
    got = compute_money_by_year(WINDOWS.iloc[:1], margin_windows=margins, margin_rate=0.3, member_revenue={"year 1": 50_000.0},
                                enrolled_companies=100, **COSTS).iloc[0]  # fmt: skip
    assert (got["incremental_margin"], got["margin_low"], got["margin_high"]) == (25_000.0, 5_000.0, 45_000.0)
    assert got["margin_source"] == "margin column" and got["total_cost"] == pytest.approx(50_000.0 + 25_000.0)
