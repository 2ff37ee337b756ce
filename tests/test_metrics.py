import json
import math

import numpy as np
import pytest

from workbench.reporting import metrics


def test_record_merges_into_a_sorted_flat_json(tmp_path):
    store = {}
    metrics.record("kpi.b_rate", np.float64(0.25), run_dir=tmp_path, store=store)
    metrics.record("kpi.a_count", np.int64(3), run_dir=tmp_path, store=store)
    metrics.record("kpi.missing", float("nan"), run_dir=tmp_path, store=store)
    metrics.record("kpi.b_rate", 0.5, run_dir=tmp_path, store=store)
    text = (tmp_path / "metrics.json").read_text(encoding="utf-8")
    assert json.loads(text) == {"kpi.a_count": 3, "kpi.b_rate": 0.5, "kpi.missing": None}
    assert list(json.loads(text)) == ["kpi.a_count", "kpi.b_rate", "kpi.missing"]
    assert store == {"kpi.b_rate": 0.5, "kpi.a_count": 3, "kpi.missing": None}


def test_record_without_run_dir_keeps_figures_in_memory(tmp_path):
    store = {}
    metrics.record("clv.total", 12.5, run_dir=None, store=store)
    assert store == {"clv.total": 12.5} and not (tmp_path / "metrics.json").exists()


@pytest.mark.parametrize("key", ["Kpi.Rate", "rate", "kpi. rate", "kpi..rate", "kpi.rate!"])
def test_bad_keys_are_refused(key):
    with pytest.raises(ValueError, match="must be dotted lower-case words"):
        metrics.record(key, 1, run_dir=None)


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, np.array([1.0])])
def test_a_metric_is_one_figure(value):
    with pytest.raises(TypeError, match="must be a number, string, boolean or None"):
        metrics.record("kpi.rate", value, run_dir=None)


@pytest.mark.parametrize("name, expected", [("Can't Lose Them", "cant_lose_them"), ("At Risk", "at_risk"), ("Class 1 (VIP)", "class_1_vip"), ("", "none")])
def test_slug(name, expected):
    assert metrics.slug(name) == expected


def test_json_values():
    assert metrics.to_json_value(np.bool_(True)) is True
    assert metrics.to_json_value(math.inf) is None
    assert metrics.to_json_value("x") == "x"
