import pandas as pd
import pytest

from workbench.reporting import html as report
from workbench.reporting import summary


def test_compare_metrics_by_hand():
    previous = {"kpi.revenue": 1000.0, "kpi.rate": 0.5, "clv.total": 0, "client": "a", "old.only": 3}
    current = {"kpi.revenue": 1100.0, "kpi.rate": 0.45, "clv.total": 10, "client": "b", "new.only": 1}
    got = summary.compare_metrics(current, previous)
    expected = pd.DataFrame(
        {
            "key": ["client", "clv.total", "kpi.rate", "kpi.revenue", "new.only", "old.only"],
            "previous": ["a", 0, 0.5, 1000.0, None, 3],
            "current": ["b", 10, 0.45, 1100.0, 1, None],
            "change": [None, 10, -0.05, 100.0, None, None],  # 1100 - 1000 = 100; 0.45 - 0.5 = -0.05
            "change_pct": [None, None, -0.1, 0.1, None, None],  # 100 / 1000; -0.05 / 0.5; none when previous is 0
        }
    )
    assert got["key"].tolist() == expected["key"].tolist()
    assert got["previous"].tolist() == expected["previous"].tolist()
    assert got["current"].tolist() == expected["current"].tolist()
    assert got["change"].tolist()[:2] == [None, 10] and got["change"].tolist()[4:] == [None, None]
    assert got["change"].tolist()[2:4] == pytest.approx([-0.05, 100.0])
    assert got["change_pct"].tolist()[2:4] == pytest.approx([-0.1, 0.1])
    assert got["change_pct"].tolist()[:2] == [None, None]


def test_summary_keeps_recorded_figures_in_order_with_links():
    metrics = {
        "uplift.att": 4200.0,
        "uplift.att_ci_low": 3000.0,
        "uplift.att_ci_high": 5400.0,
        "uplift.estimator": "staggered",
        "kpi.revenue_year": 1e6,
        "unrelated.x": 1,
    }
    got = summary.compute_summary(metrics)
    assert got["key"].tolist() == ["kpi.revenue_year", "uplift.att"]
    row = got.set_index("key").loc["uplift.att"]
    assert (row["ci_low"], row["ci_high"]) == (3000.0, 5400.0)
    assert row["link"] == "06_uplift.html#The-headline:-each-company-against-its-own-prediction"
    assert row["label"] == "Programme uplift per enrolled company, year 1 after enrolment (staggered enrolment)"  # the code, in words
    assert got.set_index("key").loc["kpi.revenue_year", "link"] == "01_programme_kpis.html#Headline-KPIs-and-their-definitions"
    assert got.set_index("key").loc["kpi.revenue_year", "ci_low"] is None  # no interval: None, not NaN (the page tests "is not none")


def test_every_summary_link_points_at_a_heading_of_its_notebook():
    import json

    from tests.conftest import ROOT

    for h in summary.HEADLINES:
        nb = json.loads((ROOT / "notebooks" / f"{h.notebook}.ipynb").read_text(encoding="utf-8"))
        headings = {
            line.lstrip("#").strip()
            for cell in nb["cells"]
            if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines()
            if line.startswith("#")
        }
        assert h.section in headings, f"{h.key}: no heading {h.section!r} in {h.notebook}"


def test_previous_run_must_exist(tmp_path):
    with pytest.raises(ValueError, match=r"--compare .*: no metrics.json there"):
        summary.read_previous_run(tmp_path)


@pytest.mark.parametrize(
    "value, unit, expected",
    [(0.1234, "fraction", "12.3 %"), (1234567.4, "currency", "1\u202f234\u202f567 EUR"), (1234, "count", "1\u202f234"), (None, "count", "—")],
)
def test_format_value(value, unit, expected):
    assert report.format_value(value, unit, "EUR") == expected


@pytest.mark.parametrize(
    "change, pct, unit, expected",
    [(0.012, 0.05, "fraction", "+1.2 pt"), (-100.0, -0.1, "currency", "−100 EUR (-10.0 %)"), (5, None, "count", "+5"), (None, None, "count", "—")],
)
def test_format_change(change, pct, unit, expected):
    assert report.format_change(change, pct, unit, "EUR") == expected


def test_target_flags_by_hand():
    metrics = {"kpi.activation_rate_window": 0.55, "kpi.breakage_rate_cohort": 0.30, "kpi.redemption_rate": 0.9}
    targets = {
        "activation_rate_window": {"min": 0.6},
        "breakage_rate_cohort": {"min": 0.25, "max": 0.35},
        "redemption_rate": {"max": 0.8},
        "points_liability": {"max": 1000},
    }
    assert summary.target_flags(metrics, targets) == [
        "KPI activation_rate_window = 0.55 misses its target (min 0.6).",  # 0.55 < 0.6
        "KPI redemption_rate = 0.9 misses its target (max 0.8).",  # 0.9 > 0.8; breakage 0.30 is inside [0.25, 0.35]
        "KPI points_liability has a target but was not computed in this run.",
    ]
    assert summary.target_flags(metrics, {}) == []


def test_data_quality_warnings_sit_beside_the_figures_they_affect():
    from workbench.runner import _headlines

    recorded = {"kpi.revenue_year": 1000.0, "kpi.penetration_customers": 0.3, "engagement.ambassadors": 5}
    warnings = pd.DataFrame(
        {"table": ["transactions", "customers"], "topic": ["rejections", "coverage"], "message": ["transactions: 5 % rejected", "customers: 20 % unknown"]}
    )
    rows = {r["key"]: r for r in _headlines(recorded, warnings, previous={"kpi.revenue_year": 800.0})}
    assert rows["kpi.revenue_year"]["warnings"] == ["transactions: 5 % rejected"]  # depends on transactions only
    assert rows["kpi.penetration_customers"]["warnings"] == ["customers: 20 % unknown"]  # depends on customers
    assert rows["engagement.ambassadors"]["warnings"] == []  # depends on events
    assert (rows["kpi.revenue_year"]["change"], rows["kpi.revenue_year"]["change_pct"]) == (200.0, 0.25)  # 1000 - 800, / 800
