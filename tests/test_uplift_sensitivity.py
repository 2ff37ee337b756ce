"""E-values worked by hand (VanderWeele & Ding 2017)."""

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from workbench.analysis.uplift.sensitivity import compute_e_value, compute_hidden_selection, explaining_strength


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


# --- hidden selection on the purchase rate ----------------------------------------------------


def test_the_hidden_selection_table_by_hand():
    got = compute_hidden_selection({0.0: 1000.0, 1.0: 400.0, 0.5: 700.0}, ci_low=200.0, ci_high=1900.0)
    expected = pd.DataFrame(
        {"strength": [0.0, 0.5, 1.0], "ratio_per_doubling": [1.0, math.sqrt(2), 2.0], "att": [1000.0, 700.0, 400.0],
         "ci_low": [200.0, -100.0, -400.0], "ci_high": [1900.0, 1600.0, 1300.0]}
    )  # fmt: skip
    assert_frame_equal(got, expected)


def test_the_hidden_selection_table_needs_the_headline_itself():
    with pytest.raises(ValueError, match="needs strength 0"):
        compute_hidden_selection({0.5: 700.0}, ci_low=0.0, ci_high=1.0)


@pytest.mark.parametrize(
    "values,expected",
    [
        ([1000.0, 700.0, 400.0], None),  # still above 0 at the last strength
        ([1000.0, 200.0, -600.0], 0.5 + 0.5 * 200 / 800),  # 0 a quarter of the way from 0.5 to 1
        ([1000.0, 0.0, -600.0], 0.5),
        ([-50.0, -300.0, -600.0], 0.0),  # not above 0 to begin with
    ],
)
def test_the_strength_that_explains_the_effect_away_by_hand(values, expected):
    table = pd.DataFrame({"strength": [0.0, 0.5, 1.0], "att": values})
    assert explaining_strength(table) == (None if expected is None else pytest.approx(expected))


def _tilted_expectation_by_quadrature(r, alpha, a, b, x, tx, T, t, strength):
    """P(alive) and expected purchases over (T, T + t] of a BG/NBD company whose enrolment odds are lambda ** strength.

    Straight from the model, apart from lifetimes: the joint posterior of (lambda, p) is the prior
    Gamma(r, alpha) x Beta(a, b) times the likelihood of (x, tx, T) times lambda ** strength; a company
    alive at T with rate lambda and dropout p buys (1 - exp(-lambda p t)) / p times in t (its first
    fatal purchase comes after an exponential time of rate lambda p). The lambda integrals are Gamma
    integrals; the p integral is numerical.
    """
    from scipy import integrate, special

    s = r + strength + x
    g = special.gamma(s)

    def beta(p):
        return p ** (a - 1) * (1 - p) ** (b - 1)

    def alive(p):
        return beta(p) * (1 - p) ** x * g / (alpha + T) ** s

    def dead(p):
        return beta(p) * p * (1 - p) ** (x - 1) * g / (alpha + tx) ** s if x > 0 else 0.0

    def future(p):
        return beta(p) * (1 - p) ** x * (g / (alpha + T) ** s - g / (alpha + T + p * t) ** s) / p

    def total(f):
        return integrate.quad(f, 0, 1, epsabs=0, epsrel=1e-11, limit=200)[0]

    evidence = total(alive) + total(dead)
    return total(alive) / evidence, total(future) / evidence


@pytest.fixture(scope="module")
def small_fit():
    """A fitted BG/NBD of four companies (its parameters are replaced where the tests need exact ones)."""
    from workbench.analysis.clv.latent import fit_population

    return fit_population(pd.DataFrame({"frequency": [2.0, 0.0, 5.0, 1.0], "recency": [20.0, 0.0, 40.0, 10.0], "T": [50.0, 30.0, 60.0, 40.0]}))


@pytest.mark.parametrize("strength", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("x,tx,T", [(3, 30.0, 52.0), (1, 5.0, 80.0), (10, 70.0, 75.0)])
def test_the_tilted_model_is_the_posterior_of_a_company_selected_on_its_rate(small_fit, strength, x, tx, T):
    from workbench.analysis.clv.latent import expected_between, with_parameters
    from workbench.analysis.uplift.counterfactual import tilted_fit

    params = {"r": 0.9, "alpha": 6.0, "a": 0.8, "b": 6.0}
    fit = tilted_fit(with_parameters(small_fit, params), strength)
    got = expected_between(pd.DataFrame({"frequency": [x], "recency": [tx], "T": [T]}), fit=fit, start_weeks=np.array([0.0]), end_weeks=np.array([52.0]))
    p_alive, expected = _tilted_expectation_by_quadrature(*params.values(), x, tx, T, 52.0, strength)
    assert got.loc[0, "p_alive"] == pytest.approx(p_alive, rel=1e-7)
    assert got.loc[0, "expected_purchases"] == pytest.approx(expected, rel=1e-7)


def test_strength_zero_is_the_model_itself(small_fit):
    from workbench.analysis.uplift.counterfactual import tilted_fit

    assert tilted_fit(small_fit, 0.0) is small_fit


def test_the_hidden_selection_plot_draws_the_table():
    import matplotlib.pyplot as plt

    from workbench import plotting

    hidden = compute_hidden_selection({0.0: 1000.0, 1.0: 400.0, 0.5: 700.0}, ci_low=200.0, ci_high=1900.0)
    ax = plotting.uplift.plot_hidden_selection(hidden, reference=0.5, currency="CHF")
    effect, zero, ref = ax.lines
    assert list(effect.get_xdata()) == pytest.approx([1.0, math.sqrt(2), 2.0]) and list(effect.get_ydata()) == [1000.0, 700.0, 400.0]
    assert list(zero.get_ydata()) == [0, 0] and list(ref.get_xdata()) == pytest.approx([math.sqrt(2)] * 2)
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(-400.0) and band[:, 1].max() == pytest.approx(1900.0)
    assert "CHF" in ax.get_ylabel() and ax.get_title().startswith("If the sales team picked")
    assert len(plotting.uplift.plot_hidden_selection(hidden).lines) == 2  # no reference: no marker
    plt.close("all")


# the interval of a 2,000 EUR headline (800 to 3,200) shifts with it: its low end 800, -200, -600, -1,300 reaches 0 at
# strength 0.5 x 800 / 1,000 = 0.4 (ratio 2 ** 0.4 = 1.32); the estimate at 1 + 600 / 700 = 1.857 (ratio 3.62)
HIDDEN = compute_hidden_selection({0.0: 2000.0, 0.5: 1000.0, 1.0: 600.0, 2.0: -100.0}, ci_low=800.0, ci_high=3200.0)


@pytest.mark.parametrize("reference,warned", [(0.3, False), (0.4, True), (0.5, True)])
def test_hidden_selection_is_a_reason_for_weak_evidence_up_to_the_reference(reference, warned):
    from workbench.analysis.uplift.conclusion import evidence_problems

    y1 = pd.Series({"att": 2000.0, "ci_low": 800.0, "ci_high": 3200.0})
    got = evidence_problems(
        year1=y1, disagree=False, pre_trend_p=None, placebo=None, e_value_interval=None, hidden_selection=HIDDEN, reference_strength=reference
    )
    assert got == (["if enrolment favoured companies that truly buy more than their history shows, a little less than in the benchmark's latent world, the interval "
                    "would reach no effect (already when a company that truly buys twice as often is 1.32 times as likely to enrol)"] if warned else [])  # fmt: skip


def test_an_interval_already_over_zero_is_not_blamed_on_hidden_selection_again():
    from workbench.analysis.uplift.conclusion import evidence_problems

    y1 = pd.Series({"att": 2000.0, "ci_low": -100.0, "ci_high": 3200.0})
    got = evidence_problems(year1=y1, disagree=False, pre_trend_p=None, placebo=None, e_value_interval=None, hidden_selection=HIDDEN, reference_strength=2.0)
    assert got == ["its interval includes no effect at all"]


def test_the_hidden_selection_paragraph_by_hand():
    from workbench.analysis.uplift.conclusion import describe_hidden_selection

    text = describe_hidden_selection(HIDDEN, reference_strength=0.5, currency="EUR")
    assert "were 1.41 times as likely to enrol" in text and "would be 1\u202f000 EUR (interval -200 EUR to 2\u202f200 EUR)" in text
    assert "The estimate reaches no effect at a ratio of 3.62." in text
    assert "Its interval reaches no effect at a ratio of 1.32." in text
    stays = compute_hidden_selection({0.0: 2000.0, 2.0: 1500.0}, ci_low=800.0, ci_high=3200.0)
    assert "at a ratio of more than 4.0." in describe_hidden_selection(stays, reference_strength=0.5)
    negative = compute_hidden_selection({0.0: -300.0, 2.0: -900.0}, ci_low=-800.0, ci_high=200.0)
    assert "would only lower it further" in describe_hidden_selection(negative, reference_strength=0.5)
