"""Issue 13: the uncertainty of the purchase-model choice in the CLV intervals (model averaging).

References: the holdout predictive distributions are worked by hand on small cases (comments) and checked
against lifetimes' own conditional expectations and Pareto/NBD conditional probabilities on the CDNOW sample;
pseudo-BMA+ (Yao, Vehtari, Simpson & Gelman 2018) reduces to a softmax when a model's log score is ahead by
the same amount for every customer, which is worked by hand.
"""

import numpy as np
import pandas as pd
import pytest

from workbench.analysis import clv
from workbench.analysis.clv._lifetimes import ParetoNBDFitter
from workbench.analysis.clv.fit import ModelFit

CAL_END, END = pd.Timestamp("1997-09-30"), pd.Timestamp("1998-06-30")


def _fit(name: str, **params: float) -> ModelFit:
    table = pd.DataFrame({"parameter": list(params), "estimate": list(params.values())})
    cov = pd.DataFrame(np.full((len(params), len(params)), np.nan), index=list(params), columns=list(params))
    return ModelFit(name, None, table, cov, float("nan"), 1, 1, 1e-7, 0.0, (), ())


def _customer(**values: float) -> pd.DataFrame:
    return pd.DataFrame({k: [v] for k, v in values.items()})


@pytest.fixture(scope="module")
def cdnow_fits():
    transactions = clv.load_cdnow_sample()
    summary = clv.compute_summary(transactions, end=END, time_unit="week")
    return summary, clv.fit_models(transactions, summary, calibration_end=CAL_END, end=END, time_unit="week")


# ---------------------------------------------------------------- holdout predictive distributions, by hand
def test_bgnbd_holdout_pmf_by_hand():
    # r = alpha = 1, a = b = 1, a customer with x = 0, t_x = T = 0 (P(alive) = 1 under BG/NBD), holdout tau = 1.
    # NB(y) = (1/2)^(y + 1); p ~ Beta(1, 1): E[(1 - p)^y] = 1 / (y + 1), E[p (1 - p)^(y - 1)] = 1 / (y (y + 1)).
    # P(0) = NB(0) = 1/2; P(1) = 1/2 * 1/4 + 1/2 * P(N >= 1) = 1/8 + 1/4 = 3/8; P(2) = 1/3 * 1/8 + 1/6 * 1/4 = 1/12.
    cal = _customer(frequency=0, recency=0.0, T=0.0, duration_holdout=1.0, frequency_holdout=2)
    pmf = clv.holdout_pmf(cal, _fit("BG/NBD", r=1.0, alpha=1.0, a=1.0, b=1.0))
    assert pmf[0] == pytest.approx([1 / 2, 3 / 8, 1 / 12], rel=1e-12)


def test_mbgnbd_holdout_pmf_by_hand():
    # Same customer, MBG/NBD: P(alive) = 1 / (1 + a / (b + x) * 1) = 1/2; given alive p ~ Beta(a, b + x + 1) = Beta(1, 2):
    # E[(1 - p)^y] = 2 / (y + 2), E[p (1 - p)^(y - 1)] = 2 / ((y + 1) (y + 2)).
    # alive: P(0) = 1/2, P(1) = 2/3 * 1/4 + 1/3 * 1/2 = 1/3. Mixed with the dead half (0 purchases): P(0) = 3/4, P(1) = 1/6.
    cal = _customer(frequency=0, recency=0.0, T=0.0, duration_holdout=1.0, frequency_holdout=1)
    pmf = clv.holdout_pmf(cal, _fit("MBG/NBD", r=1.0, alpha=1.0, a=1.0, b=1.0))
    assert pmf[0] == pytest.approx([3 / 4, 1 / 6], rel=1e-12)


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "paretonbd"])
def test_holdout_pmf_sums_to_one_and_has_lifetimes_conditional_expectation(cdnow_fits, model):
    _, fits = cdnow_fits
    cal, fit = fits.calibration, fits.calibration_fits[model]
    pmf = clv.holdout_pmf(cal, fit, max_count=120)
    assert pmf.sum(axis=1) == pytest.approx(np.ones(len(cal)), abs=1e-6)
    mean = pmf @ np.arange(121)
    assert mean == pytest.approx(clv.expected_holdout(cal, fit), abs=2e-3)


def test_pareto_holdout_pmf_is_lifetimes_conditional_probability(cdnow_fits):
    _, fits = cdnow_fits
    cal, fit = fits.calibration, fits.calibration_fits["paretonbd"]
    pmf = clv.holdout_pmf(cal, fit, max_count=3)
    for i in [0, *np.argsort(-cal["frequency"].to_numpy())[:3]]:
        row = cal.iloc[i]
        args = (float(row["duration_holdout"]), float(row["frequency"]), float(row["recency"]), float(row["T"]))
        ref = [float(fit.model.conditional_probability_of_n_purchases_up_to_time(n, *args)) for n in range(4)]
        assert pmf[i] == pytest.approx(ref, rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "paretonbd"])
def test_holdout_probability_is_the_pmf_at_the_actual_count(cdnow_fits, model):
    # the score path computes only each customer's own entry of the pmf; it must be that entry
    _, fits = cdnow_fits
    cal, fit = fits.calibration, fits.calibration_fits[model]
    y = cal["frequency_holdout"].to_numpy()
    full = clv.holdout_pmf(cal, fit)[np.arange(len(y)), y]
    assert clv.average.holdout_probability(cal, fit) == pytest.approx(full, rel=1e-12, abs=1e-300)


def test_pareto_nbd_pmf_at_by_hand():
    # s -> tiny (nobody dies over t): P(X(t) = x) is the NBD, r = alpha = 1, t = 1: (1/2)^(x + 1)
    params = {"r": 1.0, "alpha": 1.0, "s": 1e-9, "beta": 1.0}
    assert clv.validate.pareto_nbd_pmf_at(params, np.array([1.0, 1.0, 1.0]), np.array([0, 1, 3])) == pytest.approx([0.5, 0.25, 0.0625], rel=1e-6)
    with pytest.raises(ValueError, match="same length"):
        clv.validate.pareto_nbd_pmf_at(params, np.array([1.0]), np.array([0, 1]))


def test_pareto_log_a0_matches_lifetimes_and_stays_finite_for_heavy_buyers():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 60, 500).astype(float)
    age = rng.uniform(1, 150, 500)
    tx = np.where(x == 0, 0.0, rng.uniform(0, 1, 500) * age)
    for params in [(0.5533, 10.5776, 0.6061, 11.6650), (2.0, 30.0, 0.5, 5.0)]:
        ours = clv.pareto_log_a0(*map(np.float64, params), x, tx, age)
        assert ours == pytest.approx(ParetoNBDFitter._log_A_0(list(params), x, tx, age), abs=1e-9)
    # a customer with 146 purchases, the last on the last day (the case met on the simulator, seed 14): lifetimes' 2F1
    # overflows and its log A_0 (so P(alive)) is NaN; here it is -inf (alive for sure), and finite a little earlier
    params, heavy = (1.188, 8.868, 1.059, 74.91), np.array([146.0])
    with np.errstate(all="ignore"):
        assert np.isnan(ParetoNBDFitter._log_A_0(list(params), heavy, np.array([117.4]), np.array([117.4])))[0]
    assert clv.pareto_log_a0(*map(np.float64, params), heavy, np.array([117.4]), np.array([117.4]))[0] == -np.inf
    assert np.isfinite(clv.pareto_log_a0(*map(np.float64, params), heavy, np.array([100.0]), np.array([117.4])))[0]


# ---------------------------------------------------------------- weights
def test_pseudo_bma_weights_by_hand():
    n = 50
    equal = pd.DataFrame({"bgnbd": np.full(n, -1.0), "mbgnbd": np.full(n, -1.0), "paretonbd": np.full(n, -1.0)})
    assert clv.pseudo_bma_weights(equal).to_numpy() == pytest.approx([1 / 3] * 3, abs=1e-12)
    # B is ahead by ln(3) / n for every customer: each bootstrap's total difference is n * sum(u) * ln(3) / n = ln(3),
    # so every replicate (and the mean) gives weights 1/4, 3/4
    ahead = pd.DataFrame({"bgnbd": np.full(n, -1.0), "paretonbd": np.full(n, -1.0 + np.log(3) / n)})
    assert clv.pseudo_bma_weights(ahead).to_numpy() == pytest.approx([0.25, 0.75], abs=1e-12)
    # a lead that is all in one customer is uncertain: the bootstrap shares the weight, a plain softmax would give 1 - 1e-9
    lucky = pd.DataFrame({"bgnbd": np.r_[np.full(n - 1, -1.0), -1.0 - 21.0], "paretonbd": np.full(n, -1.0)})
    w = clv.pseudo_bma_weights(lucky, seed=1)
    assert 0.5 < w["paretonbd"] < 0.99 and w.sum() == pytest.approx(1.0)


def test_split_draws_by_largest_remainder():
    assert clv.split_draws({"a": 0.5, "b": 0.3, "c": 0.2}, 200) == {"a": 100, "b": 60, "c": 40}
    assert clv.split_draws({"a": 1, "b": 1, "c": 1}, 200) == {"a": 67, "b": 67, "c": 66}  # 66.67 each: the first two get the spare draws
    assert clv.split_draws({"a": 0.004, "b": 0.996}, 200) == {"a": 1, "b": 199}  # 0.8 and 199.2
    with pytest.raises(ValueError, match="non-negative with a positive sum"):
        clv.split_draws({"a": 0.0}, 200)


# ---------------------------------------------------------------- the path the page uses
def test_fit_models_weights_and_refits(cdnow_fits):
    summary, fits = cdnow_fits
    assert list(fits.weights.index) == list(fits.refits) and fits.weights.sum() == pytest.approx(1.0)
    assert set(fits.refits) <= set(clv.PURCHASE_MODELS) and fits.refits[fits.model] is fits.purchase
    assert fits.weights.to_dict() == pytest.approx(clv.model_weights(fits.calibration, fits.calibration_fits).to_dict())
    forced = clv.fit_models(clv.load_cdnow_sample(), summary, calibration_end=CAL_END, end=END, model="bgnbd")
    assert forced.weights.to_dict() == {"bgnbd": 1.0} and list(forced.refits) == ["bgnbd"]


def test_mixture_simulation(cdnow_fits):
    summary, fits = cdnow_fits
    gg = fits.gamma_gamma
    single = clv.simulate_clv(summary, fits.purchase, gg, n_draws=30, seed=3)
    as_dict = clv.simulate_clv(summary, {fits.model: fits.purchase}, gg, weights={fits.model: 1.0}, n_draws=30, seed=3)
    assert np.array_equal(single.draws, as_dict.draws)  # one model: the same simulation
    refits = {"bgnbd": fits.bgnbd, fits.model: fits.purchase}
    mixed = clv.simulate_clv(summary, refits, gg, weights={"bgnbd": 0.5, fits.model: 0.5}, n_draws=40, seed=3)
    assert list(pd.Series(mixed.draw_models).value_counts().sort_index().items()) == sorted({"bgnbd": 20, fits.model: 20}.items())
    assert mixed.draws[:20] == pytest.approx(clv.simulate_clv(summary, fits.bgnbd, gg, n_draws=20, seed=3).draws)  # BG/NBD's share comes first
    with pytest.raises(ValueError, match="one weight per purchase model"):
        clv.simulate_clv(summary, refits, gg, weights={"bgnbd": 1.0}, n_draws=40)
