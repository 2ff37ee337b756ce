"""Estimates on the matched sample: naive gap, difference-in-differences, bootstrap intervals, event study, breakdowns.

``att`` is the mean, over evaluated members, of an outcome in the post-window minus what it
would have been without the programme (difference-in-differences: the members' change minus
their matched controls' change). Intervals come from a bootstrap that resamples members and
controls independently (seeded); the standard error from statsmodels WLS with standard errors
clustered by company.

Units: revenue, margin and basket in the currency, frequency in purchases, per company over a
window (or a calendar month for the event study).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import statsmodels.api as sm

from workbench.analysis import value
from workbench.analysis.uplift.design import months_since
from workbench.analysis.uplift.matching import Matching, match_units
from workbench.formatting import tr

OUTCOMES = ("revenue", "frequency", "basket", "margin")


@dataclass
class Bootstrap:
    """Resampling weights shared by every estimate of one analysis (members and controls drawn independently)."""

    members: np.ndarray  # (draws, n_members) multinomial counts
    controls: np.ndarray  # (draws, n_controls)

    @classmethod
    def draw(cls, n_members: int, n_controls: int, *, n_draws: int, seed: int) -> Bootstrap:
        """``n_draws`` resamples (with replacement) of ``n_members`` members and ``n_controls`` controls, seeded."""
        rng = np.random.default_rng(seed)
        return cls(
            members=rng.multinomial(n_members, np.full(n_members, 1 / n_members), size=n_draws),
            controls=rng.multinomial(n_controls, np.full(n_controls, 1 / n_controls), size=n_draws),
        )


def _att(d_t: np.ndarray, d_c: np.ndarray, pairs: sp.csr_matrix, m: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Matched ATT of a per-unit quantity for each column of weights ``m`` (members) and ``c`` (controls).

    ATT = sum_i m_i (d_i - sum_j W_ij c_j d_j / sum_j W_ij c_j) / sum_i m_i over members with at
    least one drawn control; NaN entries of d (undefined unit values) are left out.
    """
    ok_c = ~np.isnan(d_c)
    w = pairs @ sp.diags(ok_c.astype(float))
    cd = c * np.where(ok_c, d_c, 0.0)[:, None]
    den = w @ c
    num = w @ cd
    has = (den > 0) & ~np.isnan(d_t)[:, None]
    mm = np.where(has, m, 0.0)
    tau = np.where(has, np.nan_to_num(d_t)[:, None] - num / np.where(den > 0, den, 1.0), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (mm * tau).sum(axis=0) / mm.sum(axis=0)


def _per_unit(units: pd.DataFrame, outcome: str, window: str) -> np.ndarray:
    """An outcome of every unit over a window (``pre`` or ``post``); basket is NaN without purchases."""
    if outcome == "basket":
        f = units[f"{window}_frequency"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(f > 0, units[f"{window}_revenue"].to_numpy(dtype=float) / f, np.nan)
    return units[f"{window}_{outcome}"].to_numpy(dtype=float)


def _interval(draws: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval of the bootstrap draws (NaN draws left out)."""
    a = (1 - level) / 2
    d = draws[~np.isnan(draws)]
    return (float(np.quantile(d, a)), float(np.quantile(d, 1 - a))) if len(d) else (np.nan, np.nan)


def _ols_did(units: pd.DataFrame, y_pre: np.ndarray, y_post: np.ndarray, weight: np.ndarray) -> tuple[float, float]:
    """DiD coefficient and cluster-robust SE from statsmodels WLS on the 2-period panel."""
    ok = (weight > 0) & ~np.isnan(y_pre) & ~np.isnan(y_post)
    n = int(ok.sum())
    treated = units["treated"].to_numpy(dtype=float)[ok]
    y = np.concatenate([y_pre[ok], y_post[ok]])
    post = np.repeat([0.0, 1.0], n)
    tr = np.tile(treated, 2)
    x = sm.add_constant(np.column_stack([tr, post, tr * post]))
    fit = sm.WLS(y, x, weights=np.tile(weight[ok], 2)).fit(cov_type="cluster", cov_kwds={"groups": np.tile(np.arange(n), 2)})
    return float(fit.params[3]), float(fit.bse[3])


def _effective_weights(matching: Matching, valid: np.ndarray) -> np.ndarray:
    """Unit weights of the matched sample restricted to units where the outcome is defined."""
    v_t, v_c = valid[matching.treated_index], valid[matching.control_index]
    w = matching.pairs @ sp.diags(v_c.astype(float))
    rs = np.asarray(w.sum(axis=1)).ravel()
    keep = (rs > 0) & v_t
    w = sp.diags(np.where(keep, 1 / np.where(rs > 0, rs, 1), 0.0)) @ w
    out = np.zeros(len(matching.units))
    out[matching.treated_index] = keep.astype(float)
    out[matching.control_index] = np.asarray(w.sum(axis=0)).ravel()
    return out


def _did_row(matching: Matching, outcome: str, *, boot: Bootstrap, ci_level: float) -> dict[str, Any] | None:
    """One row of :func:`estimate_did`; None when the outcome is not available (no margin column)."""
    u, t, c = matching.units, matching.treated_index, matching.control_index
    pre, post = _per_unit(u, outcome, "pre"), _per_unit(u, outcome, "post")
    if np.isnan(pre).all():
        return None
    d = post - pre
    weight = _effective_weights(matching, ~np.isnan(d))
    att, se = _ols_did(u, pre, post, weight)
    draws = _att(d[t], d[c], matching.pairs, boot.members.T.astype(float), boot.controls.T.astype(float))
    lo, hi = _interval(draws, ci_level)
    wt, wc = weight[t], weight[c]
    means = {
        f"{g}_{w}": float(np.average(np.nan_to_num(v[idx]), weights=ww))
        for g, idx, ww in (("members", t, wt), ("controls", c, wc))
        for w, v in (("pre", pre), ("post", post))
    }
    cf = means["members_post"] - att
    return {
        "outcome": outcome,
        **means,
        "att": att,
        "counterfactual": cf,
        "att_pct": att / cf if cf else np.nan,
        "se": se,
        "ci_low": lo,
        "ci_high": hi,
        "n_members": int((wt > 0).sum()),
        "n_controls": int((wc > 0).sum()),
    }


def estimate_did(matching: Matching, *, boot: Bootstrap, ci_level: float = 0.95, outcomes: tuple[str, ...] = OUTCOMES) -> pd.DataFrame:
    """Average effect on the treated by difference-in-differences on the matched sample.

    ``att = (post - pre)_members - (post - pre)_matched controls``, the controls of each member
    averaged with its matching weights. Basket (revenue / purchases) is defined only for a unit
    with purchases in both windows; it is estimated on those.

    Parameters
    ----------
    matching
        The matched design.
    boot
        Bootstrap draws for the intervals.
    ci_level
        Confidence level of the intervals (fraction).
    outcomes
        Outcomes to estimate; ``margin`` is skipped without margin data.

    Returns
    -------
    pd.DataFrame
        One row per outcome: ``outcome, members_pre, members_post, controls_pre, controls_post``
        (weighted means per company over a window), ``att``, ``counterfactual`` (members_post -
        att), ``att_pct`` (att / counterfactual, fraction), ``se`` (cluster-robust, statsmodels),
        ``ci_low, ci_high`` (bootstrap percentile at ``ci_level``), ``n_members``, ``n_controls``
        (distinct controls used). Units: currency (revenue, margin, basket), purchases (frequency).
    """
    rows = [_did_row(matching, o, boot=boot, ci_level=ci_level) for o in outcomes]
    return pd.DataFrame([r for r in rows if r is not None])


def compute_naive(windows: pd.DataFrame) -> pd.DataFrame:
    """The descriptive (biased) comparison: members vs all candidate controls, unmatched.

    Returns
    -------
    pd.DataFrame
        ``group`` (members, non-members), ``companies``, ``pre_revenue``, ``post_revenue`` (mean
        per company over the window, currency), and the row ``gap`` (members - non-members).
        ``post_revenue`` of ``gap`` is the naive estimate.
    """
    g = windows.groupby(windows["treated"].map({True: "members", False: "non-members"}))
    out = g.agg(companies=("customer_id", "size"), pre_revenue=("pre_revenue", "mean"), post_revenue=("post_revenue", "mean")).reindex(
        ["members", "non-members"]
    )
    gap = out.loc["members"] - out.loc["non-members"]
    gap["companies"] = np.nan
    out.loc["gap"] = gap
    return out.reset_index(names="group")


# --------------------------------------------------------------------------- event study


def compute_event_study(
    transactions: pd.DataFrame,
    matching: Matching,
    *,
    boot: Bootstrap,
    pre_months: int = 12,
    post_months: int = 12,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Revenue by calendar month relative to (pseudo-)enrolment, members vs matched controls.

    Month ``m`` holds the days from ``add_months(date, m)`` to ``add_months(date, m + 1) - 1 day``
    (the enrolment day opens month 0), for ``m`` from ``-pre_months`` to ``post_months - 1``: the
    months tile the pre- and post-windows exactly. ``effect`` is the members-minus-controls gap of
    that month minus the mean gap over the pre-window months, so leads are ~0 without
    pre-trends.

    Returns
    -------
    pd.DataFrame
        ``month`` (int, negative before enrolment), ``members``, ``controls`` (mean revenue per
        company in that month, currency), ``effect``, ``ci_low``, ``ci_high`` (currency).
    """
    u = matching.units.reset_index(drop=True)
    y, months = monthly_revenue(transactions, u, pre_months=pre_months, post_months=post_months)
    base = y[:, months < 0].mean(axis=1)
    t, c, w = matching.treated_index, matching.control_index, u["weight"].to_numpy()
    m_b, c_b = boot.members.T.astype(float), boot.controls.T.astype(float)
    ones_t, ones_c = np.ones((len(t), 1)), np.ones((len(c), 1))
    rows = []
    for k, month in enumerate(months):
        d = y[:, k] - base
        lo, hi = _interval(_att(d[t], d[c], matching.pairs, m_b, c_b), ci_level)
        rows.append(
            {
                "month": int(month),
                "members": np.average(y[t, k], weights=w[t]),
                "controls": np.average(y[c, k], weights=w[c]),
                "effect": float(_att(d[t], d[c], matching.pairs, ones_t, ones_c)[0]),
                "ci_low": lo,
                "ci_high": hi,
            }
        )
    return pd.DataFrame(rows)


def monthly_revenue(transactions: pd.DataFrame, units: pd.DataFrame, *, pre_months: int, post_months: int) -> tuple[np.ndarray, np.ndarray]:
    """Net revenue of every unit in each calendar month relative to its date.

    Returns
    -------
    tuple[np.ndarray, np.ndarray]
        The (units x months) revenue matrix (currency) and the month labels
        ``-pre_months .. post_months - 1``.
    """
    tx = transactions[["customer_id", "date", "amount"]].merge(
        units[["customer_id", "date"]].rename(columns={"date": "unit_date"}).reset_index(names="unit"), on="customer_id"
    )
    month = months_since(tx["unit_date"], tx["date"])
    ok = (month >= -pre_months) & (month <= post_months - 1)
    months = np.arange(-pre_months, post_months)
    y = np.zeros((len(units), len(months)))
    np.add.at(y, (tx["unit"].to_numpy()[ok], month[ok] - months[0]), tx["amount"].to_numpy(dtype=float)[ok])
    return y, months


def pretrend_check(event_study: pd.DataFrame) -> str | None:
    """A warning when more pre-enrolment months than chance allows show a significant gap.

    With a 95 % interval about 1 lead month in 20 excludes zero by chance; the warning fires
    when at least ``max(2, 25 %)`` of the lead months exclude zero.

    Returns
    -------
    str or None
        The warning, or None when the leads are compatible with parallel trends.
    """
    leads = event_study[event_study["month"] < 0]
    off = leads[(leads["ci_low"] > 0) | (leads["ci_high"] < 0)]
    if len(off) >= max(2, int(np.ceil(0.25 * len(leads)))):
        months = ", ".join(str(m) for m in off["month"])
        return tr(
            "pre-trend: members and matched controls already differ in {n} of {leads} months before enrolment (months {months}); the estimate may be biased",
            n=len(off),
            leads=len(leads),
            months=months,
        )
    return None


# --------------------------------------------------------------------------- breakdowns


def compute_subgroup_effects(
    matching: Matching,
    labels: pd.Series,
    *,
    n_neighbors: int = 5,
    caliper: float | None = 0.25,
    n_bootstrap: int = 300,
    seed: int = 42,
    ci_level: float = 0.95,
    min_members: int = 10,
) -> pd.DataFrame:
    """The revenue effect within each subgroup, every member matched again within its own subgroup.

    A member's controls come from its subgroup only (same typology, same value class before the
    date, same quarter), so a group's effect compares like with like; the propensity model is the
    one of the whole design. Groups with fewer than ``min_members`` matched members get no estimate.

    Parameters
    ----------
    matching
        The whole design (:attr:`UpliftResult.matching`): its units and covariates are reused.
    labels
        Group of every unit, members and controls, indexed by customer_id (missing: ``"unknown"``).
    n_neighbors, caliper, n_bootstrap, seed, ci_level, min_members
        As for the whole design.

    Returns
    -------
    pd.DataFrame
        As :func:`compute_breakdown`.
    """
    units = matching.units.drop(columns=["propensity", "weight"])
    exact = units["customer_id"].map(labels).fillna("unknown").astype(str).to_numpy()
    scores = matching.units["propensity"].to_numpy()  # the whole design's model: refitting it on the same rows gives the same scores
    within = match_units(units, matching.covariates, n_neighbors=n_neighbors, caliper=caliper, exact=exact, scores=scores)
    boot = Bootstrap.draw(len(within.treated_index), len(within.control_index), n_draws=n_bootstrap, seed=seed)
    return compute_breakdown(within, labels, boot=boot, ci_level=ci_level, min_members=min_members)


def compute_breakdown(
    matching: Matching,
    groups: pd.Series,
    *,
    boot: Bootstrap,
    outcome: str = "revenue",
    ci_level: float = 0.95,
    min_members: int = 10,
) -> pd.DataFrame:
    """The ATT within groups of members (each member keeps its matched controls).

    Parameters
    ----------
    groups
        Group label indexed by customer_id (typology, value class, enrolment cohort, ...);
        members without a label are grouped as ``"unknown"``.
    min_members
        Groups with fewer matched members get NaN estimates (too few to say).

    Returns
    -------
    pd.DataFrame
        ``group, n_members, att, ci_low, ci_high, counterfactual, att_pct`` (currency per
        company over the post-window; att_pct a fraction), sorted by group.
    """
    u, t, c = matching.units, matching.treated_index, matching.control_index
    pre, post = _per_unit(u, outcome, "pre"), _per_unit(u, outcome, "post")
    d = post - pre
    label = u["customer_id"].iloc[t].map(groups).fillna("unknown").astype(str).to_numpy()
    matched = u["weight"].to_numpy()[t] > 0
    rows = []
    for g in sorted(set(label)):
        sel = (label == g) & matched
        n = int(sel.sum())
        row = {"group": g, "n_members": n, "att": np.nan, "ci_low": np.nan, "ci_high": np.nan, "counterfactual": np.nan, "att_pct": np.nan}
        if n >= min_members:
            m = boot.members.T.astype(float) * sel[:, None]
            att = float(_att(d[t], d[c], matching.pairs, sel[:, None].astype(float), np.ones((len(c), 1)))[0])
            lo, hi = _interval(_att(d[t], d[c], matching.pairs, m, boot.controls.T.astype(float)), ci_level)
            cf = float(post[t][sel].mean() - att)
            row.update(att=att, ci_low=lo, ci_high=hi, counterfactual=cf, att_pct=att / cf if cf else np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def cohorts(windows: pd.DataFrame) -> pd.Series:
    """Quarter (``2023Q1``...) of each unit's date, indexed by customer_id: the enrolment quarter of a
    member, the pseudo-enrolment quarter of a control (so a subgroup can be matched within itself).

    Parameters
    ----------
    windows
        Units with ``date`` (``UpliftResult.windows``).
    """
    return pd.Series(windows["date"].dt.to_period("Q").astype(str).to_numpy(), index=windows["customer_id"].to_numpy())


def value_class_before(transactions: pd.DataFrame, windows: pd.DataFrame, **scoring: Any) -> pd.Series:
    """Value class of each unit at the end of the month before its (pseudo-)enrolment month.

    Uses :func:`workbench.analysis.value.compute_value_score`, once per enrolment month, on the
    transactions dated before that month, so the class is not itself a result of the programme.
    The scoring window starts no earlier than the first transaction of the export, so a member with
    1.5 years of data has its revenue made yearly over 1.5 years, not over the window's 3.
    Members without a purchase in the scoring window get no class.

    Parameters
    ----------
    transactions
        All transactions (history before the period included).
    windows
        Units with ``treated``, ``date`` and ``customer_id`` (``UpliftResult.windows``).
    **scoring
        Keyword arguments of ``compute_value_score`` (the ``value_score:`` parameters,
        ``settings.scoring_kwargs()``) other than ``reference_date``.

    Returns
    -------
    pd.Series
        ``value_class`` indexed by customer_id (members and controls, each at its own date).
    """
    members = windows
    data_start = transactions["date"].min()  # the export's first day: a shorter history is scored on what it holds
    month_start = members["date"].dt.to_period("M").dt.start_time
    parts = []
    for start, ids in members.groupby(month_start)["customer_id"]:
        tx = transactions[(transactions["date"] < start) & transactions["customer_id"].isin(set(ids))]
        if tx.empty:
            continue
        scores = value.compute_value_score(tx, reference_date=start - pd.Timedelta(days=1), start=data_start, **scoring)
        parts.append(scores.set_index("customer_id")["value_class"])
    return pd.concat(parts) if parts else pd.Series(dtype="str", name="value_class")
