"""The staggered (Callaway & Sant'Anna) estimator on hand-built panels with a known effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_series_equal

from workbench.analysis.uplift import staggered as S

ENROL = {"A": "2023-03-15", "B": "2023-09-10", "L": "2025-02-01"}  # L enrols after the reference date


def world(effect: float = 100.0, *, noise: float = 0.0, seed: int = 0, per_group: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Companies buying on the 5th of each month, 2022-01 to 2024-12: a company level, a common trend,
    and ``effect`` per month from the first month after the enrolment month on."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2022-01-05", "2024-12-05", freq="MS") + pd.Timedelta(days=4)
    rows, companies = [], []
    for group in ("N", "A", "B", "L"):
        for k in range(per_group):
            cid = f"{group}{k}"
            enrolled = pd.Timestamp(ENROL[group]) if group in ENROL else pd.NaT
            first_treated = (enrolled + pd.offsets.MonthBegin(1)) if group in ("A", "B") else pd.Timestamp("2099-01-01")
            companies.append((cid, enrolled))
            for i, day in enumerate(months):
                amount = 1000 + 50 * k + 10 * i + (effect if day >= first_treated else 0.0) + noise * rng.standard_normal()
                rows.append((cid, day, amount))
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    return tx, pd.DataFrame(companies, columns=["customer_id", "enrolled_on"])


def test_cohorts_start_the_month_after_the_left_out_days():
    companies = pd.DataFrame({"customer_id": ["a", "b", "c"], "enrolled_on": pd.to_datetime(["2023-03-15", "2023-03-29", None])})
    cohort, anticipation = S.assign_cohorts(companies, donut_days=0)
    assert cohort.tolist() == [2023 * 12 + 3, 2023 * 12 + 3, 0] and anticipation == 1  # April 2023 (month index of March + 1)
    cohort, anticipation = S.assign_cohorts(companies, donut_days=7)
    # b: 29 March + 7 days = 5 April, so its first month is May; 15 March - 7 days stays in March
    assert cohort.tolist() == [2023 * 12 + 3, 2023 * 12 + 4, 0] and anticipation == 2


def test_the_panel_sums_twelve_months_by_hand():
    tx = pd.DataFrame(
        {"customer_id": ["x"] * 4, "date": pd.to_datetime(["2022-01-10", "2022-06-01", "2022-12-31", "2023-01-02"]), "amount": [100.0, 50.0, -20.0, 7.0]}
    )
    panel = S.build_panel(tx, pd.DataFrame({"customer_id": ["x"], "enrolled_on": [pd.NaT]}), launch=pd.Timestamp("2023-01-01"), end=pd.Timestamp("2023-02-15"),
                          pre_months=12, latent=False)  # fmt: skip
    assert panel["month"].tolist() == list(range(2022 * 12, 2023 * 12 + 1))  # January 2022 to January 2023 (February is not complete)
    by_month = panel.set_index("month")
    assert by_month.loc[2022 * 12 + 11, "trailing_12m"] == 130.0  # 100 + 50 - 20, the credit note netted
    assert by_month.loc[2023 * 12, "trailing_12m"] == 37.0  # January 2023: 50 - 20 + 7 (January 2022 dropped out)
    assert by_month.loc[2022 * 12, "launch_log_revenue"] == pytest.approx(np.log1p(130.0))  # the 12 months before the launch
    assert by_month.loc[2022 * 12, "launch_log_purchases"] == pytest.approx(np.log1p(2))  # two purchase days (the credit note is not one)
    assert by_month.loc[2022 * 12, "launch_recency_years"] == pytest.approx(214 / 365.25)  # last purchase 1 June 2022 (31 Dec is a credit note)


@pytest.mark.parametrize("effect", [0.0, 100.0])
def test_a_known_effect_under_parallel_trends_is_recovered(effect):
    tx, companies = world(effect)
    res = S.estimate_staggered(tx, companies, end=pd.Timestamp("2024-12-31"), launch=pd.Timestamp("2023-01-01"), covariates=(), n_bootstrap=99)
    year1 = res.year(1)
    assert year1["att"] == pytest.approx(12 * effect, abs=1e-6)  # 12 months at +effect each
    assert year1["cohorts"] == 2 and year1["companies"] == 20
    assert res.year(2) is None  # no cohort is observed 24 months after its donut
    assert res.panel_companies == 40 and res.enrolled_companies == 20 and res.anticipation == 1


def test_intervals_are_seeded_and_cover_a_noisy_effect():
    tx, companies = world(100.0, noise=150.0, seed=3, per_group=25)
    kwargs = dict(end=pd.Timestamp("2024-12-31"), launch=pd.Timestamp("2023-01-01"), covariates=("revenue_12m_to_date",), n_bootstrap=199, seed=7)
    a = S.estimate_staggered(tx, companies, **kwargs)
    b = S.estimate_staggered(tx, companies, **kwargs)
    assert_series_equal(a.year(1), b.year(1))
    assert a.year(1)["ci_low"] < 1200 < a.year(1)["ci_high"]


def test_no_enrolled_company_is_refused():
    tx, companies = world(0.0)
    with pytest.raises(ValueError, match="no company that bought before the launch enrolled"):
        S.estimate_staggered(tx, companies.assign(enrolled_on=pd.NaT), end=pd.Timestamp("2024-12-31"), launch=pd.Timestamp("2023-01-01"), covariates=())


def test_the_margin_effect_uses_the_margin_column():
    tx, companies = world(100.0)
    tx["margin"] = 0.4 * tx["amount"]
    res = S.estimate_staggered(
        tx, companies, end=pd.Timestamp("2024-12-31"), launch=pd.Timestamp("2023-01-01"), covariates=(), n_bootstrap=99, outcome="trailing_margin_12m"
    )
    assert res.year(1)["att"] == pytest.approx(0.4 * 1200, abs=1e-6)  # 40 % of +100 a month for 12 months


def _cell(n: int = 400, *, seed: int = 0, separated: bool = False) -> tuple[np.ndarray, ...]:
    """A 2x2 cell: covariates on very different scales (revenue, a probability, logs), a selected cohort, a noisy change."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([np.ones(n), rng.gamma(2.0, 5000.0, n), rng.random(n), rng.normal(2.0, 1.0, n), rng.normal(size=n)])
    index = -2.5 + 0.00005 * x[:, 1] + 0.8 * x[:, 2] + (40.0 * x[:, 4] if separated else 0.3 * x[:, 4])
    d = (rng.random(n) < 1 / (1 + np.exp(-index))).astype(float)
    y0 = x[:, 1] + rng.normal(0, 500, n)
    y1 = y0 + 300 * d + 0.05 * x[:, 1] + rng.normal(0, 800, n)
    return y1, y0, d, x, np.ones(n)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_fast_cell_estimator_is_csdids_doubly_robust_estimator(seed):
    from csdid.attgt_fnc import drdid_trim

    y1, y0, d, x, w = _cell(seed=seed)
    att, influence = S.drdid_panel_cell(y1, y0, d, covariates=x, i_weights=w)
    ref_att, ref_influence = drdid_trim.drdid_panel(y1, y0, d, covariates=x, i_weights=w)  # the reference: csdid's own estimator
    assert att == pytest.approx(ref_att, rel=1e-9)
    np.testing.assert_allclose(influence, ref_influence, rtol=1e-7, atol=1e-9 * np.abs(ref_influence).max())


def test_the_fast_logit_is_statsmodels_irls():
    import statsmodels.api as sm

    _, _, d, x, w = _cell(seed=3)
    beta, fitted, converged = S._logit_irls(x, d, w)
    ref = sm.GLM(d, x, family=sm.families.Binomial(), freq_weights=w).fit()
    assert converged and ref.converged
    np.testing.assert_allclose(beta, ref.params, rtol=1e-8)
    np.testing.assert_allclose(fitted, ref.predict(), rtol=1e-9)


def test_the_fast_cell_estimator_keeps_csdids_overlap_guard():
    from csdid.attgt_fnc.compute_att_gt_shared import overlap_check_fail

    y1, y0, d, x, w = _cell(seed=4, separated=True)
    assert overlap_check_fail(x, d, i_weights=w)  # csdid sets such a cell to missing
    with pytest.raises(ValueError, match="overlap"):
        S.drdid_panel_cell(y1, y0, d, covariates=x, i_weights=w)


def test_unequal_weights_go_to_csdids_estimator():
    from csdid.attgt_fnc import drdid_trim

    y1, y0, d, x, _ = _cell(seed=5)
    w = np.random.default_rng(5).uniform(0.5, 2.0, len(d))
    att, _ = S.drdid_panel_cell(y1, y0, d, covariates=x, i_weights=w)
    assert att == drdid_trim.drdid_panel(y1, y0, d, covariates=x, i_weights=w)[0]


def test_the_staggered_estimate_is_the_same_with_csdids_built_in_estimator(monkeypatch):
    tx, companies = world(100.0, noise=150.0, seed=3, per_group=25)
    kwargs = dict(end=pd.Timestamp("2024-12-31"), launch=pd.Timestamp("2023-01-01"), covariates=("revenue_12m_to_date",), n_bootstrap=49, seed=1)
    fast = S.estimate_staggered(tx, companies, **kwargs)
    monkeypatch.setattr(S, "drdid_panel_cell", "dr")  # csdid's own doubly robust estimator and guards
    built_in = S.estimate_staggered(tx, companies, **kwargs)
    pd.testing.assert_frame_equal(fast.windows, built_in.windows, rtol=1e-7)
    pd.testing.assert_frame_equal(fast.event_study, built_in.event_study, rtol=1e-7)
