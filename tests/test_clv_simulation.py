"""The vectorised CLV simulation against the purchase-by-purchase process it replaces, on a small hand-written case.

``simulate_clv`` used to draw every customer's purchases one at a time, over the full draws x customers
array, until the last customer stopped; the counts-then-times method of
:func:`workbench.analysis.clv.uncertainty._simulate_values` draws the same process in one step. The
reference below is that loop, written out plainly; the two must give the same distribution of each
customer's value (they use different random numbers, so the figures agree up to Monte Carlo error).
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from workbench.analysis import clv
from workbench.analysis.clv import uncertainty

CAL_END, END = pd.Timestamp("1997-09-30"), pd.Timestamp("1998-06-30")
# four customers, weeks: a one-time buyer, two repeat buyers, a heavy buyer who just bought; m = mean repeat spend
HISTORY = {"x": [0.0, 2.0, 5.0, 12.0], "tx": [0.0, 20.0, 5.0, 29.0], "age": [30.0, 30.0, 30.0, 30.0], "m": [0.0, 50.0, 80.0, 120.0]}


@pytest.fixture(scope="module")
def fixed_fits():
    """CDNOW fits with their covariance removed, so every draw uses the estimates (process noise only)."""
    summary = clv.compute_summary(clv.load_cdnow_sample(), end=END, time_unit="week")
    fixed = {}
    for key in clv.PURCHASE_MODELS:
        fit = clv.fit_purchase_model(summary, model=key)
        fixed[key] = dataclasses.replace(fit, covariance=fit.covariance * np.nan)
    gg = clv.fit_gamma_gamma(summary)
    return fixed, dataclasses.replace(gg, covariance=gg.covariance * np.nan)


def _data() -> dict[str, np.ndarray]:
    data = {k: np.array(v)[None, :] for k, v in HISTORY.items()}
    data["rate"] = np.ones((1, 4))
    return data


def reference_values(purchase, gg, n: int, data: dict[str, np.ndarray], month_ends: np.ndarray, discount_rate: float, rng) -> np.ndarray:
    """The purchase-by-purchase simulation (the code before the vectorised one), at the fits' estimates."""
    key, th, sp = purchase.key, purchase.params, gg.params
    x, age, m = data["x"], data["age"], data["m"]
    shape = (n, x.shape[1])
    alive = rng.random(shape) < uncertainty._p_alive(key, {k: np.array([[v]]) for k, v in th.items()}, x, data["tx"], age)
    scale = rng.gamma(sp["p"] * x + sp["q"], 1.0 / (sp["v"] + x * m), size=shape)
    lam = rng.gamma(th["r"] + x, 1.0 / (th["alpha"] + age), size=shape)
    if key == "paretonbd":
        death = rng.exponential(1.0, size=shape) / rng.gamma(th["s"], 1.0 / (th["beta"] + age), size=shape)
        drop = None
    else:
        death = np.full(shape, np.inf)
        drop = rng.beta(th["a"], th["b"] + x + (1 if key == "mbgnbd" else 0), size=shape)
    value, t, active = np.zeros(shape), np.zeros(shape), alive.copy()
    while active.any():
        t = t + rng.exponential(1.0, size=shape) / lam
        active &= (t <= month_ends[-1]) & (t <= death)
        amount = rng.gamma(sp["p"], 1.0 / scale)
        value += np.where(active, amount * (1 + discount_rate) ** (-np.searchsorted(month_ends, t) / 12), 0.0)
        if drop is not None:
            active &= rng.random(shape) >= drop
    return value


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "paretonbd"])
def test_vectorised_simulation_matches_the_purchase_by_purchase_process(fixed_fits, model):
    fits, gg = fixed_fits
    month_ends = clv.months_to_units(np.arange(13), time_unit="week")
    n = 20_000
    ours = uncertainty._simulate_values(fits[model], gg, n, _data(), month_ends, 0.10, np.random.default_rng(1))
    ref = reference_values(fits[model], gg, n, _data(), month_ends, 0.10, np.random.default_rng(2))
    for j in range(4):
        a, b = ours[:, j], ref[:, j]
        se = np.sqrt(a.var() / n + b.var() / n)
        assert abs(a.mean() - b.mean()) < 4 * se, f"customer {j}: mean {a.mean():.2f} vs {b.mean():.2f}"
        assert (a == 0).mean() == pytest.approx((b == 0).mean(), abs=0.015), f"customer {j}: share without purchase"
        for q in (0.5, 0.9):
            assert np.quantile(a, q) == pytest.approx(np.quantile(b, q), rel=0.06, abs=1.0), f"customer {j}: quantile {q}"


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "paretonbd"])
def test_simulated_mean_is_the_closed_form_clv_of_each_customer(fixed_fits, model):
    """At fixed parameters the simulation's mean is the plug-in CLV of compute_clv (lifetimes' conditional expectations)."""
    fits, gg = fixed_fits
    summary = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "frequency": HISTORY["x"], "recency": HISTORY["tx"], "T": HISTORY["age"]})
    summary["monetary_value"] = HISTORY["m"]
    point = clv.compute_clv(summary, fits[model], gg, horizon_months=12)["clv"].to_numpy()
    sim = clv.simulate_clv(summary, fits[model], gg, horizon_months=12, n_draws=20_000, seed=5)
    values = uncertainty._simulate_values(
        fits[model], gg, 20_000, _data(), clv.months_to_units(np.arange(13), time_unit="week"), 0.10, np.random.default_rng(5)
    )
    se = values.std(axis=0) / np.sqrt(20_000)
    assert np.all(np.abs(sim.customers["clv_mean"].to_numpy() - point) < 4 * se)


def test_purchase_times_are_the_first_order_statistics_of_uniform_arrivals():
    # c of n arrivals on (0, 10]: the k-th is the k-th order statistic of n uniforms, mean 10 k / (n + 1)
    reps = 50_000
    count, n = np.tile([1, 2, 3], reps), np.tile([4, 2, 3], reps)
    t = uncertainty._purchase_times(count, n, np.full(count.size, 10.0), np.random.default_rng(0)).reshape(reps, 6)
    # per rep: pair 1 (1 of 4), pair 2 (2 of 2), pair 3 (3 of 3)
    expected = [10 * 1 / 5, 10 * 1 / 3, 10 * 2 / 3, 10 * 1 / 4, 10 * 2 / 4, 10 * 3 / 4]
    assert t.mean(axis=0) == pytest.approx(expected, abs=0.05)
    assert (t > 0).all() and (t <= 10).all()
    assert (np.diff(t[:, 1:3], axis=1) > 0).all() and (np.diff(t[:, 3:], axis=1) > 0).all()  # in order within a customer
    assert uncertainty._purchase_times(np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.ones(0), np.random.default_rng(0)).size == 0
