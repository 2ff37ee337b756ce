"""E-values worked by hand (VanderWeele & Ding 2017)."""

import math

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from workbench.analysis.uplift.sensitivity import compute_e_value


def test_e_value_of_half_a_standard_deviation():
    got = compute_e_value(500.0, 100.0, 900.0, outcome_sd=1000.0)
    rr, rr_ci = math.exp(0.91 * 0.5), math.exp(0.91 * 0.1)  # 1.5758, 1.0952
    expected = pd.DataFrame(
        {"measure": ["estimate", "interval"], "standardised_difference": [0.5, 0.1], "risk_ratio": [rr, rr_ci],
         "e_value": [rr + math.sqrt(rr * (rr - 1)), rr_ci + math.sqrt(rr_ci * (rr_ci - 1))]}
    )  # fmt: skip
    assert_frame_equal(got, expected)
    assert got.loc[0, "e_value"] == pytest.approx(2.529, abs=1e-3)  # 1.5758 + sqrt(1.5758 x 0.5758)


def test_an_interval_that_covers_zero_needs_no_hidden_selection():
    got = compute_e_value(300.0, -200.0, 800.0, outcome_sd=1000.0)
    assert got.loc[1, "e_value"] == 1.0


def test_a_negative_effect_uses_the_inverse_ratio():
    neg = compute_e_value(-500.0, -900.0, -100.0, outcome_sd=1000.0)
    pos = compute_e_value(500.0, 100.0, 900.0, outcome_sd=1000.0)
    assert neg["e_value"].tolist() == pytest.approx(pos["e_value"].tolist())


def test_the_outcome_spread_must_be_positive():
    with pytest.raises(ValueError, match="outcome_sd must be positive"):
        compute_e_value(1.0, 0.0, 2.0, outcome_sd=0.0)
