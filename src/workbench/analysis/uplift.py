"""Uplift of programme members vs matched non-members (notebook ``06_uplift``).

Companies choose to join, and the bigger, more active ones join more, so the
raw gap between members and non-members overstates what the programme adds.
The design here:

1. **Units.** Each evaluated member (status in ``member_statuses``, enrolled at
   least ``post_days`` days before ``end``) is a treated unit dated on its
   enrolment day. Every other company (never enrolled, or enrolled after the
   post-window it is used for) gets a *pseudo-enrolment date* drawn at random
   among the members' enrolment dates (seeded), so controls are observed over
   windows of the same calendar mix. Nothing that happens after a unit's date
   decides whether it is a unit (no "still buying afterwards" rule): members that
   went quiet after joining are evaluated like the others.
2. **Windows.** Pre-window: the ``pre_days`` days before the date (the date
   itself, often a big enrolment purchase, is left out). Post-window: the
   ``post_days`` days from the date on, the date included.
3. **Matching.** A logistic propensity score (scikit-learn) on pre-window
   behaviour (revenue, purchases, recency, trend, tenure, purchase rate and
   basket over the whole history), on the same behaviour over the year before
   the programme launch (``launch``, by default the first enrolment: invitation
   lists are usually drawn then), + typology and region when given; then
   ``n_neighbors`` nearest controls per member on the logit of the score (with
   replacement, within a caliper).
4. **Estimate.** Difference-in-differences on the matched sample (statsmodels
   WLS with cluster-robust standard errors), with a bootstrap (members and
   controls resampled, seeded) for the confidence intervals; an event study by
   month relative to enrolment; a placebo with the dates one window earlier.

Units: revenue, margin and basket in the currency, frequency in purchases
(rows with a positive amount), per company over a window. ``att`` is the mean,
over evaluated members, of revenue in the post-window minus what it would have
been without the programme.

Limits. Matching removes the differences it can see: the estimate is right when
companies join on behaviour the transactions show (selection on observables).
When they join on something the history does not show (a project, a new buyer),
members keep an edge over their controls that the DiD reads as effect; the
placebo and the pre-trend check are the warnings for it. Revenue per company is
heavy-tailed, so the intervals are wide with a few hundred members. On the
simulator, whose invitations depend only on purchases in the year before launch,
the estimate is centred on the truth and the effect-free world gives ~0
(``tests/test_uplift.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from workbench.analysis import value
from workbench.config.params import Params
from workbench.config.sections.uplift import UpliftSection

OUTCOMES = ("revenue", "frequency", "basket", "margin")
CATEGORICALS = ("typology", "region")


def months_to_days(months: int) -> int:
    """Window length in days: 12 months = 365 days (``months * 365 // 12``)."""
    return int(months) * 365 // 12


# --------------------------------------------------------------------------- inputs


def check_inputs(customers: pd.DataFrame | None, *, member_statuses: tuple[str, ...] = ("member",)) -> str | None:
    """Why the programme cannot be evaluated, or None when it can.

    Returns
    -------
    str or None
        A plain-language reason (no customers table, no status or enrolment date column, no
        member with an enrolment date).
    """
    if customers is None:
        return ("there is no customers table, so members cannot be told from non-members; "
                "give `data.customers` with `status` and `enrolled_on` columns")
    missing = [c for c in ("status", "enrolled_on") if c not in customers.columns]
    if missing:
        return (f"the customers table has no {' and no '.join(missing)} column, so members and their enrolment dates "
                "are unknown; map them in `data.customers.columns`")
    members = customers["status"].isin(member_statuses) & customers["enrolled_on"].notna()
    if not members.any():
        return f"no company with status {list(member_statuses)} has an enrolment date"
    return None


def _first_purchase(transactions: pd.DataFrame) -> pd.Series:
    return transactions[transactions["amount"] > 0].groupby("customer_id")["date"].min()


def draw_pseudo_dates(
    candidates: pd.DataFrame, member_dates: pd.Series, *, post_days: int, seed: int
) -> pd.Series:
    """Pseudo-enrolment dates for the control companies, drawn like the members'.

    Each candidate gets a date drawn uniformly among the members' enrolment dates that are
    after its first purchase and whose post-window ends before its own enrolment (if any).

    Parameters
    ----------
    candidates
        ``customer_id, first_purchase, enrolled_on`` (NaT when never enrolled).
    member_dates
        The treated members' enrolment dates (one per member: their frequency is kept).
    post_days
        Post-window length, days.
    seed
        Random seed.

    Returns
    -------
    pd.Series
        Pseudo date indexed by customer_id; candidates with no eligible date are left out.
    """
    dates = np.sort(member_dates.to_numpy(dtype="datetime64[ns]"))
    fp = candidates["first_purchase"].to_numpy(dtype="datetime64[ns]")
    lo = np.searchsorted(dates, fp, side="right")  # first date strictly after the first purchase
    enr = candidates["enrolled_on"].to_numpy(dtype="datetime64[ns]")
    last_ok = enr - np.timedelta64(post_days, "D")  # d + post_days - 1 < enrolled_on
    hi = np.where(np.isnat(enr), len(dates), np.searchsorted(dates, last_ok, side="right"))
    ok = (hi > lo) & ~np.isnat(fp)
    u = np.random.default_rng(seed).random(len(candidates))
    idx = lo + np.floor(u * (hi - lo)).astype(np.int64)
    return pd.Series(dates[idx[ok]], index=candidates["customer_id"].to_numpy()[ok], name="date")


def build_units(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    end: pd.Timestamp,
    member_statuses: tuple[str, ...] = ("member",),
    post_days: int = 365,
    shift_days: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """Treated members and candidate controls, each with its (pseudo-)enrolment date.

    Parameters
    ----------
    transactions
        Canonical transactions (all dates: history before the period is used).
    customers
        Canonical customers with ``status`` and ``enrolled_on``.
    end
        Reference date: a member is evaluated when ``end - enrolled_on >= post_days`` days.
    shift_days
        Days subtracted from every treated date (the placebo uses ``post_days``); the controls'
        pseudo dates are drawn among the shifted dates.

    Returns
    -------
    pd.DataFrame
        ``customer_id, date, treated`` (bool). A company whose first purchase is not before its
        date is left out (it has no pre-window history). Nothing after a unit's date decides
        whether it is a unit, except the enrolment date of a not-yet-enrolled control (its
        post-window must end before it joins).
    """
    end = pd.Timestamp(end)
    fp = _first_purchase(transactions)
    c = customers[["customer_id", "status", "enrolled_on"]].copy()
    c["first_purchase"] = c["customer_id"].map(fp)
    treated = c["status"].isin(member_statuses) & c["enrolled_on"].notna() & (
        (end - c["enrolled_on"]).dt.days >= post_days)
    t = c[treated].assign(date=lambda d: d["enrolled_on"] - pd.Timedelta(days=shift_days))
    t = t[t["first_purchase"] < t["date"]]
    pool = c[~treated & c["first_purchase"].notna()]
    pseudo = draw_pseudo_dates(pool, t["date"], post_days=post_days, seed=seed)
    ctrl = pd.DataFrame({"customer_id": pseudo.index, "date": pseudo.to_numpy()})
    out = pd.concat([t[["customer_id", "date"]].assign(treated=True), ctrl.assign(treated=False)], ignore_index=True)
    return out.astype({"date": "datetime64[ns]", "treated": bool})


# --------------------------------------------------------------------------- windows


def compute_windows(
    transactions: pd.DataFrame,
    units: pd.DataFrame,
    *,
    pre_days: int = 365,
    post_days: int = 365,
    launch: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Pre- and post-window behaviour of every unit.

    Pre-window: days ``date - pre_days`` to ``date - 1``; post-window: ``date`` to
    ``date + post_days - 1`` (the enrolment day belongs to the post-window only). Revenue is
    net (credit notes included), frequency counts rows with a positive amount.

    Parameters
    ----------
    transactions
        ``customer_id, date, amount`` (+ ``margin`` when given).
    units
        ``customer_id, date, treated``; one row per company.
    launch
        Programme launch: when given, the behaviour over the ``pre_days`` days before it is added
        (the same calendar window for every unit: what the company looked like when the
        programme, and usually its invitation lists, started).

    Returns
    -------
    pd.DataFrame
        ``units`` columns plus ``pre_revenue, post_revenue, pre_margin, post_margin`` (currency;
        margin NaN without a margin column), ``pre_frequency, post_frequency`` (purchases),
        ``recency_days`` (days from the last purchase before the date, capped at ``pre_days``),
        ``tenure_days`` (days from the first purchase, capped at ``2 * pre_days``),
        ``hist_revenue, hist_frequency`` (all history before the date, currency and purchases),
        ``trend`` (revenue of the second half of the pre-window minus the first half, currency);
        with ``launch``: ``launch_revenue`` (currency), ``launch_frequency`` (purchases) over the
        ``pre_days`` days before the launch and ``launch_recency_days`` (days from the last
        purchase before the launch to the launch, capped at ``pre_days``).

    Raises
    ------
    ValueError
        A company appears twice in ``units``.
    """
    if units["customer_id"].duplicated().any():
        dup = units.loc[units["customer_id"].duplicated(), "customer_id"].iloc[0]
        raise ValueError(f"units has customer_id {dup!r} twice; give one (pseudo-)enrolment date per company")
    u = units.reset_index(drop=True)
    has_margin = "margin" in transactions.columns
    tx = transactions[["customer_id", "date", "amount"] + (["margin"] if has_margin else [])]
    tx = tx.merge(u[["customer_id", "date"]].rename(columns={"date": "unit_date"}).reset_index(names="unit"),
                  on="customer_id", how="inner")
    rel = (tx["date"] - tx["unit_date"]).dt.days.to_numpy()
    unit = tx["unit"].to_numpy()
    amount = tx["amount"].to_numpy(dtype=float)
    margin = tx["margin"].fillna(0).to_numpy(dtype=float) if has_margin else np.zeros(len(tx))
    purchase = amount > 0
    pre = (rel >= -pre_days) & (rel <= -1)
    post = (rel >= 0) & (rel <= post_days - 1)
    n = len(u)

    def total(mask: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(unit[mask], weights=None if w is None else w[mask], minlength=n).astype(float)

    out = u.copy()
    out["pre_revenue"] = total(pre, amount)
    out["post_revenue"] = total(post, amount)
    out["pre_margin"] = total(pre, margin) if has_margin else np.nan
    out["post_margin"] = total(post, margin) if has_margin else np.nan
    out["pre_frequency"] = total(pre & purchase)
    out["post_frequency"] = total(post & purchase)
    before = purchase & (rel <= -1)
    last = np.full(n, -np.inf)
    np.maximum.at(last, unit[before], rel[before])
    first = np.zeros(n)
    np.minimum.at(first, unit[before], rel[before])
    out["recency_days"] = np.minimum(-last, pre_days)
    out["tenure_days"] = np.minimum(-first, 2 * pre_days)
    out["hist_revenue"] = total(rel <= -1, amount)
    out["hist_frequency"] = total(before)
    half = pre_days // 2
    out["trend"] = total(pre & (rel >= -half), amount) - total(pre & (rel < -half), amount)
    if launch is not None:
        to_launch = (pd.Timestamp(launch) - tx["date"]).dt.days.to_numpy()
        year = (to_launch >= 1) & (to_launch <= pre_days)
        out["launch_revenue"] = total(year, amount)
        out["launch_frequency"] = total(year & purchase)
        recent = np.full(n, np.inf)
        np.minimum.at(recent, unit[purchase & (to_launch >= 1)], to_launch[purchase & (to_launch >= 1)])
        out["launch_recency_days"] = np.minimum(recent, pre_days)
    return out


# --------------------------------------------------------------------------- matching


def _slog(x: pd.Series) -> pd.Series:
    return np.sign(x) * np.log1p(np.abs(x))


def covariate_matrix(windows: pd.DataFrame, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The matching covariates of every unit (same row order as ``windows``).

    Returns
    -------
    pd.DataFrame
        ``log_pre_revenue`` (log1p of currency, signed), ``log_pre_frequency``, ``recency_days``,
        ``trend`` (signed log1p of currency), ``tenure_days``, ``log_hist_rate`` (log1p of purchases
        per year over the whole history), ``log_hist_basket`` (log1p of mean revenue per purchase
        over the whole history, currency), ``log_launch_revenue``, ``log_launch_frequency`` and
        ``launch_recency_days`` when ``windows`` has the launch columns, and 0/1 columns
        ``typology=...``/``region=...`` when the customers table has them.
    """
    x = pd.DataFrame({
        "log_pre_revenue": _slog(windows["pre_revenue"]),
        "log_pre_frequency": np.log1p(windows["pre_frequency"]),
        "recency_days": windows["recency_days"],
        "trend": _slog(windows["trend"]),
        "tenure_days": windows["tenure_days"],
        "log_hist_rate": np.log1p(windows["hist_frequency"] / (windows["tenure_days"] + 30) * 365),
        "log_hist_basket": _slog(windows["hist_revenue"] / windows["hist_frequency"].clip(lower=1)),
    })
    if "launch_revenue" in windows.columns:
        x["log_launch_revenue"] = _slog(windows["launch_revenue"])
        x["log_launch_frequency"] = np.log1p(windows["launch_frequency"])
        x["launch_recency_days"] = windows["launch_recency_days"]
    if customers is not None:
        for col in CATEGORICALS:
            if col in customers.columns:
                values = windows["customer_id"].map(customers.set_index("customer_id")[col]).fillna("unknown")
                dummies = pd.get_dummies(values, prefix=col, prefix_sep="=", drop_first=True, dtype=float)
                x = pd.concat([x, dummies.set_index(x.index)], axis=1)
    return x


@dataclass
class Matching:
    """Matched design.

    Attributes
    ----------
    units
        The windows frame plus ``propensity`` (0-1) and ``weight`` (1 for a matched member, the
        number of times used / n_neighbors for a control, 0 when unmatched).
    pairs
        Sparse (members x controls) weight matrix, rows summing to 1 for matched members.
    treated_index, control_index
        Row labels of ``units`` for the rows and columns of ``pairs``.
    covariates
        The covariate matrix used (rows as ``units``).
    unmatched
        Members without any control within the caliper (dropped from the estimate).
    """

    units: pd.DataFrame
    pairs: sp.csr_matrix
    treated_index: np.ndarray
    control_index: np.ndarray
    covariates: pd.DataFrame
    unmatched: int = 0


def match_units(
    windows: pd.DataFrame,
    covariates: pd.DataFrame,
    *,
    n_neighbors: int = 5,
    caliper: float | None = 0.25,
) -> Matching:
    """Propensity-score nearest-neighbour matching of members to controls.

    A logistic regression (scikit-learn, standardised covariates) gives each unit's propensity;
    each member gets its ``n_neighbors`` nearest controls on the logit of the propensity,
    with replacement, keeping only those within ``caliper`` standard deviations of the logit.

    Raises
    ------
    ValueError
        No member or no control, or ``n_neighbors`` < 1.
    """
    treated = windows["treated"].to_numpy(dtype=bool)
    if treated.sum() == 0 or (~treated).sum() == 0:
        raise ValueError(f"windows has {treated.sum()} members and {(~treated).sum()} controls; matching needs both")
    if n_neighbors < 1:
        raise ValueError(f"n_neighbors is {n_neighbors}; give a whole number >= 1")
    x = StandardScaler().fit_transform(covariates.to_numpy(dtype=float))
    model = LogisticRegression(max_iter=2000).fit(x, treated)
    p = np.clip(model.predict_proba(x)[:, 1], 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p))
    t_idx, c_idx = np.flatnonzero(treated), np.flatnonzero(~treated)
    k = min(n_neighbors, len(c_idx))
    nn = NearestNeighbors(n_neighbors=k).fit(logit[c_idx, None])
    dist, pos = nn.kneighbors(logit[t_idx, None])
    keep = np.ones_like(dist, dtype=bool) if caliper is None else dist <= caliper * logit.std()
    rows = np.repeat(np.arange(len(t_idx)), k)[keep.ravel()]
    cols = pos.ravel()[keep.ravel()]
    counts = keep.sum(axis=1)
    vals = 1.0 / counts[rows]
    pairs = sp.csr_matrix((vals, (rows, cols)), shape=(len(t_idx), len(c_idx)))
    units = windows.copy()
    units["propensity"] = p
    weight = np.zeros(len(units))
    weight[t_idx] = (counts > 0).astype(float)
    weight[c_idx] = np.asarray(pairs.sum(axis=0)).ravel()
    units["weight"] = weight
    return Matching(units=units, pairs=pairs, treated_index=t_idx, control_index=c_idx,
                    covariates=covariates, unmatched=int((counts == 0).sum()))


def smd(x_t: np.ndarray, x_c: np.ndarray, *, w_c: np.ndarray | None = None, sd: float | None = None) -> float:
    """Standardised mean difference ``(mean_t - mean_c) / sd``.

    ``sd`` defaults to ``sqrt((var_t + var_c) / 2)`` (sample variances, ddof=1) of the
    unweighted groups; ``w_c`` weights the control mean. 0 when both groups are constant.
    """
    if sd is None:
        sd = float(np.sqrt((np.var(x_t, ddof=1) + np.var(x_c, ddof=1)) / 2))
    diff = float(np.mean(x_t) - np.average(x_c, weights=w_c))
    return 0.0 if sd == 0 else diff / sd


def compute_balance(matching: Matching) -> pd.DataFrame:
    """Covariate balance before and after matching.

    Returns
    -------
    pd.DataFrame
        ``covariate, mean_members, mean_controls_before, mean_controls_after, smd_before,
        smd_after``; both SMDs use the pooled SD before matching, so they compare. |SMD| < 0.1
        is the usual threshold of good balance.
    """
    u, x = matching.units, matching.covariates
    t = u["treated"].to_numpy(dtype=bool) & (u["weight"] > 0).to_numpy()
    c = ~u["treated"].to_numpy(dtype=bool)
    w = u["weight"].to_numpy()[c]
    rows = []
    for col in [*x.columns, "propensity"]:
        v = (u[col] if col == "propensity" else x[col]).to_numpy(dtype=float)
        sd = float(np.sqrt((np.var(v[t], ddof=1) + np.var(v[c], ddof=1)) / 2))
        rows.append({"covariate": col, "mean_members": v[t].mean(), "mean_controls_before": v[c].mean(),
                     "mean_controls_after": np.average(v[c], weights=w),
                     "smd_before": smd(v[t], v[c], sd=sd), "smd_after": smd(v[t], v[c], w_c=w, sd=sd)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- estimation


@dataclass
class Bootstrap:
    """Resampling weights shared by every estimate of one analysis (members and controls drawn independently)."""

    members: np.ndarray  # (draws, n_members) multinomial counts
    controls: np.ndarray  # (draws, n_controls)

    @classmethod
    def draw(cls, n_members: int, n_controls: int, *, n_draws: int, seed: int) -> Bootstrap:
        rng = np.random.default_rng(seed)
        return cls(members=rng.multinomial(n_members, np.full(n_members, 1 / n_members), size=n_draws),
                   controls=rng.multinomial(n_controls, np.full(n_controls, 1 / n_controls), size=n_draws))


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
    if outcome == "basket":
        f = units[f"{window}_frequency"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(f > 0, units[f"{window}_revenue"].to_numpy(dtype=float) / f, np.nan)
    return units[f"{window}_{outcome}"].to_numpy(dtype=float)


def _interval(draws: np.ndarray, level: float) -> tuple[float, float]:
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
    fit = sm.WLS(y, x, weights=np.tile(weight[ok], 2)).fit(
        cov_type="cluster", cov_kwds={"groups": np.tile(np.arange(n), 2)})
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


def estimate_did(
    matching: Matching, *, boot: Bootstrap, ci_level: float = 0.95, outcomes: tuple[str, ...] = OUTCOMES
) -> pd.DataFrame:
    """Average effect on the treated by difference-in-differences on the matched sample.

    ``att = (post - pre)_members - (post - pre)_matched controls``, the controls of each member
    averaged with its matching weights. Basket (revenue / purchases) is defined only for a unit
    with purchases in both windows; it is estimated on those.

    Returns
    -------
    pd.DataFrame
        One row per outcome: ``outcome, members_pre, members_post, controls_pre, controls_post``
        (weighted means per company over a window), ``att``, ``counterfactual`` (members_post -
        att), ``att_pct`` (att / counterfactual, fraction), ``se`` (cluster-robust, statsmodels),
        ``ci_low, ci_high`` (bootstrap percentile at ``ci_level``), ``n_members``, ``n_controls``
        (distinct controls used). Units: currency (revenue, margin, basket), purchases (frequency).
    """
    u = matching.units
    t, c = matching.treated_index, matching.control_index
    rows = []
    for outcome in outcomes:
        pre, post = _per_unit(u, outcome, "pre"), _per_unit(u, outcome, "post")
        if np.isnan(pre).all():
            continue
        d = post - pre
        weight = _effective_weights(matching, ~np.isnan(d))
        att, se = _ols_did(u, pre, post, weight)
        draws = _att(d[t], d[c], matching.pairs, boot.members.T.astype(float), boot.controls.T.astype(float))
        lo, hi = _interval(draws, ci_level)
        wt, wc = weight[t], weight[c]
        means = {f"{g}_{w}": float(np.average(np.nan_to_num(v[idx]), weights=ww)) for g, idx, ww in (("members", t, wt), ("controls", c, wc))
                 for w, v in (("pre", pre), ("post", post))}
        cf = means["members_post"] - att
        rows.append({"outcome": outcome, **means, "att": att, "counterfactual": cf,
                     "att_pct": att / cf if cf else np.nan, "se": se, "ci_low": lo, "ci_high": hi,
                     "n_members": int((wt > 0).sum()), "n_controls": int((wc > 0).sum())})
    return pd.DataFrame(rows)


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
    out = g.agg(companies=("customer_id", "size"), pre_revenue=("pre_revenue", "mean"),
                post_revenue=("post_revenue", "mean")).reindex(["members", "non-members"])
    gap = out.loc["members"] - out.loc["non-members"]
    gap["companies"] = np.nan
    out.loc["gap"] = gap
    return out.reset_index(names="group")


# --------------------------------------------------------------------------- event study


def compute_event_study(
    transactions: pd.DataFrame, matching: Matching, *, boot: Bootstrap, pre_days: int = 365, post_days: int = 365,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Revenue by month relative to (pseudo-)enrolment, members vs matched controls.

    Month ``m`` holds days ``r`` (from the date) with ``floor(12 r / 365) == m`` (30.4 days a
    month; the enrolment day opens month 0). ``effect`` is the members-minus-controls gap of
    that month minus the mean gap over the pre-window months, so leads are ~0 without
    pre-trends.

    Returns
    -------
    pd.DataFrame
        ``month`` (int, negative before enrolment), ``members``, ``controls`` (mean revenue per
        company in that month, currency), ``effect``, ``ci_low``, ``ci_high`` (currency).
    """
    u = matching.units.reset_index(drop=True)
    y, months = _monthly(transactions, u, pre_days=pre_days, post_days=post_days)
    lead = months < 0
    base = y[:, lead].mean(axis=1)
    t, c, w = matching.treated_index, matching.control_index, u["weight"].to_numpy()
    m_b, c_b = boot.members.T.astype(float), boot.controls.T.astype(float)
    rows = []
    for k, month in enumerate(months):
        d = y[:, k] - base
        lo, hi = _interval(_att(d[t], d[c], matching.pairs, m_b, c_b), ci_level)
        rows.append({"month": int(month), "members": np.average(y[t, k], weights=w[t]),
                     "controls": np.average(y[c, k], weights=w[c]),
                     "effect": float(_att(d[t], d[c], matching.pairs, np.ones((len(t), 1)), np.ones((len(c), 1)))[0]),
                     "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def _monthly(transactions: pd.DataFrame, units: pd.DataFrame, *, pre_days: int, post_days: int) -> tuple[np.ndarray, np.ndarray]:
    """(units x months) net revenue matrix and the month labels."""
    tx = transactions[["customer_id", "date", "amount"]].merge(
        units[["customer_id", "date"]].rename(columns={"date": "unit_date"}).reset_index(names="unit"), on="customer_id")
    rel = (tx["date"] - tx["unit_date"]).dt.days.to_numpy()
    ok = (rel >= -pre_days) & (rel <= post_days - 1)
    month = np.floor(12 * rel[ok] / 365).astype(np.int64)
    months = np.arange(int(np.floor(-12 * pre_days / 365)), int(np.floor(12 * (post_days - 1) / 365)) + 1)
    y = np.zeros((len(units), len(months)))
    np.add.at(y, (tx["unit"].to_numpy()[ok], month - months[0]), tx["amount"].to_numpy(dtype=float)[ok])
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
        return (f"pre-trend: members and matched controls already differ in {len(off)} of {len(leads)} months before "
                f"enrolment (months {months}); the estimate may be biased")
    return None


# --------------------------------------------------------------------------- breakdowns and money


def compute_breakdown(
    matching: Matching, groups: pd.Series, *, boot: Bootstrap, outcome: str = "revenue", ci_level: float = 0.95,
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
    u = matching.units
    t, c = matching.treated_index, matching.control_index
    pre, post = _per_unit(u, outcome, "pre"), _per_unit(u, outcome, "post")
    d = post - pre
    label = u["customer_id"].iloc[t].map(groups).fillna("unknown").astype(str).to_numpy()
    matched = u["weight"].to_numpy()[t] > 0
    rows = []
    for g in sorted(set(label)):
        sel = (label == g) & matched
        n = int(sel.sum())
        row = {"group": g, "n_members": n, "att": np.nan, "ci_low": np.nan, "ci_high": np.nan,
               "counterfactual": np.nan, "att_pct": np.nan}
        if n >= min_members:
            m = boot.members.T.astype(float) * sel[:, None]
            att = float(_att(d[t], d[c], matching.pairs, sel[:, None].astype(float), np.ones((len(c), 1)))[0])
            lo, hi = _interval(_att(d[t], d[c], matching.pairs, m, boot.controls.T.astype(float)), ci_level)
            cf = float(post[t][sel].mean() - att)
            row.update(att=att, ci_low=lo, ci_high=hi, counterfactual=cf, att_pct=att / cf if cf else np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def compute_money(
    did: pd.DataFrame, *, n_members: int, points_cost_rate: float, platform_cost_per_year: float,
    animation_cost_per_year: float, margin_rate: float = 0.30,
) -> pd.DataFrame:
    """Incremental revenue and margin over a year and the programme's ROI.

    The per-member effect over the 12 months after enrolment is applied to ``n_members``
    companies for one year. Costs per year: points (``points_cost_rate`` x members' revenue,
    i.e. members_post x n_members), platform and animation. ``roi = (incremental margin -
    costs) / costs`` (fraction; 0 = break-even). Margin uses the ``margin`` row of ``did``,
    or ``margin_rate`` x revenue when there is none.

    Returns
    -------
    pd.DataFrame
        ``item, estimate, low, high``: ``incremental_revenue``, ``incremental_margin``,
        ``points_cost``, ``platform_cost``, ``animation_cost``, ``total_cost`` (currency per year)
        and ``roi`` (fraction); low/high carry the bootstrap interval of the margin effect.
    """
    rev = did.set_index("outcome").loc["revenue"]
    if "margin" in set(did["outcome"]):
        mar = did.set_index("outcome").loc["margin"][["att", "ci_low", "ci_high"]].to_numpy(dtype=float)
    else:
        mar = rev[["att", "ci_low", "ci_high"]].to_numpy(dtype=float) * margin_rate
    points = points_cost_rate * float(rev["members_post"]) * n_members
    total = points + platform_cost_per_year + animation_cost_per_year
    inc_rev = rev[["att", "ci_low", "ci_high"]].to_numpy(dtype=float) * n_members
    inc_mar = mar * n_members
    roi = (inc_mar - total) / total if total > 0 else np.full(3, np.nan)
    rows = [("incremental_revenue", *inc_rev), ("incremental_margin", *inc_mar), ("points_cost", points, points, points),
            ("platform_cost", *[platform_cost_per_year] * 3), ("animation_cost", *[animation_cost_per_year] * 3),
            ("total_cost", total, total, total), ("roi", *roi)]
    return pd.DataFrame(rows, columns=["item", "estimate", "low", "high"])


# --------------------------------------------------------------------------- whole analysis


@dataclass
class UpliftResult:
    """Everything the notebook shows. ``did``, ``naive`` etc. as documented in their functions."""

    windows: pd.DataFrame
    matching: Matching
    balance: pd.DataFrame
    naive: pd.DataFrame
    did: pd.DataFrame
    event_study: pd.DataFrame
    boot: Bootstrap
    warnings: list[str] = field(default_factory=list)

    def att(self, outcome: str = "revenue") -> pd.Series:
        return self.did.set_index("outcome").loc[outcome]


def estimate_uplift(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    end: pd.Timestamp,
    member_statuses: tuple[str, ...] = ("member",),
    pre_days: int = 365,
    post_days: int = 365,
    n_neighbors: int = 5,
    caliper: float | None = 0.25,
    n_bootstrap: int = 300,
    ci_level: float = 0.95,
    seed: int = 42,
    min_members: int = 30,
    launch: pd.Timestamp | None = None,
    placebo: bool = False,
) -> UpliftResult:
    """Run the whole design: units, windows, matching, balance, naive gap, DiD, event study.

    Parameters
    ----------
    transactions
        Canonical transactions, all dates (history before the period is used for pre-windows).
        Rows after ``end`` are ignored.
    customers
        Canonical customers with ``status`` and ``enrolled_on``.
    end
        Reference date.
    launch
        Programme launch; the behaviour over the ``pre_days`` days before it is matched on too.
        None: the earliest ``enrolled_on`` of the customers table.
    placebo
        Date every member one post-window earlier (a fake enrolment): the estimate should be ~0.

    Returns
    -------
    UpliftResult

    Raises
    ------
    ValueError
        The programme cannot be evaluated (see :func:`check_inputs`), or fewer than
        ``min_members`` evaluable members or no control.
    """
    reason = check_inputs(customers, member_statuses=member_statuses)
    if reason:
        raise ValueError(f"the programme cannot be evaluated: {reason}")
    tx = transactions[transactions["date"] <= pd.Timestamp(end)]
    units = build_units(tx, customers, end=end, member_statuses=member_statuses, post_days=post_days,
                        shift_days=post_days if placebo else 0, seed=seed)
    n_t, n_c = int(units["treated"].sum()), int((~units["treated"]).sum())
    if n_t < min_members or n_c == 0:
        raise ValueError(f"only {n_t} members enrolled at least {post_days} days before {pd.Timestamp(end):%Y-%m-%d} "
                         f"and {n_c} possible controls; need min_members={min_members} members and some controls")
    launch = pd.Timestamp(customers["enrolled_on"].min() if launch is None else launch)
    windows = compute_windows(tx, units, pre_days=pre_days, post_days=post_days, launch=launch)
    x = covariate_matrix(windows, customers)
    matching = match_units(windows, x, n_neighbors=n_neighbors, caliper=caliper)
    boot = Bootstrap.draw(len(matching.treated_index), len(matching.control_index), n_draws=n_bootstrap, seed=seed + 1)
    did = estimate_did(matching, boot=boot, ci_level=ci_level)
    es = compute_event_study(tx, matching, boot=boot, pre_days=pre_days, post_days=post_days, ci_level=ci_level)
    balance = compute_balance(matching)
    warnings = []
    if matching.unmatched:
        warnings.append(f"{matching.unmatched} of {n_t} members have no control within the caliper and are left out")
    bad = balance[balance["smd_after"].abs() > 0.1]
    if len(bad):
        warnings.append("balance: after matching, |SMD| > 0.1 for " + ", ".join(bad["covariate"]))
    pt = pretrend_check(es)
    if pt:
        warnings.append(pt)
    return UpliftResult(windows=windows, matching=matching, balance=balance, naive=compute_naive(windows),
                        did=did, event_study=es, boot=boot, warnings=warnings)


# --------------------------------------------------------------------------- notebook entry points


@dataclass
class UpliftRun:
    """The analysis and its placebo as the notebook runs them; ``reason`` says why either is missing."""

    result: UpliftResult | None
    placebo: UpliftResult | None
    reason: str | None
    placebo_reason: str | None = None


def run(transactions: pd.DataFrame, customers: pd.DataFrame | None, *, end: pd.Timestamp, params: UpliftSection) -> UpliftRun:
    """Estimate the uplift and its placebo with the ``uplift:`` parameters, never raising on missing data.

    Parameters
    ----------
    transactions
        All kept transactions (``wb.table("transactions", in_period=False)``: pre-windows use history).
    customers
        ``wb.table("customers")`` (None when absent).
    end
        Reference date.
    params
        The ``uplift:`` section.

    Returns
    -------
    UpliftRun
        ``result`` None with ``reason`` when the programme cannot be evaluated; ``placebo`` None
        with ``placebo_reason`` when the placebo cannot be run (e.g. too little history).
    """
    reason = check_inputs(customers, member_statuses=params.member_statuses)
    if reason:
        return UpliftRun(None, None, f"The programme cannot be evaluated: {reason}.")
    kw = {"end": end, "member_statuses": params.member_statuses, "pre_days": months_to_days(params.pre_months),
          "post_days": months_to_days(params.post_months), "n_neighbors": params.n_neighbors, "caliper": params.caliper,
          "n_bootstrap": params.n_bootstrap, "ci_level": params.ci_level, "seed": params.seed,
          "min_members": params.min_members, "launch": None if params.launch is None else pd.Timestamp(params.launch)}
    try:
        result = estimate_uplift(transactions, customers, **kw)
    except ValueError as exc:
        return UpliftRun(None, None, f"The programme cannot be evaluated: {exc}.")
    try:
        placebo, placebo_reason = estimate_uplift(transactions, customers, placebo=True, **kw), None
    except ValueError as exc:
        placebo, placebo_reason = None, f"The placebo cannot be run: {exc}."
    return UpliftRun(result, placebo, None, placebo_reason)


def cohorts(result: UpliftResult) -> pd.Series:
    """Enrolment quarter (``2023Q1``...) of each evaluated member, indexed by customer_id."""
    w = result.windows[result.windows["treated"]]
    return pd.Series(w["date"].dt.to_period("Q").astype(str).to_numpy(), index=w["customer_id"].to_numpy())


def value_class_before(transactions: pd.DataFrame, result: UpliftResult, *, params: Params) -> pd.Series:
    """Value class of each evaluated member at the end of the month before its enrolment month.

    Uses :func:`workbench.analysis.value.compute_value_score` with the ``value_score:`` parameters, once per
    enrolment month, on the transactions dated before that month, so the class is not itself a
    result of the programme. Members without a purchase in the scoring window get no class.

    Returns
    -------
    pd.Series
        ``value_class`` indexed by customer_id (members only).
    """
    members = result.windows[result.windows["treated"]]
    month_start = members["date"].dt.to_period("M").dt.start_time
    parts = []
    for start, ids in members.groupby(month_start)["customer_id"]:
        tx = transactions[(transactions["date"] < start) & transactions["customer_id"].isin(set(ids))]
        if tx.empty:
            continue
        scores = value.compute_value_score(tx, reference_date=start - pd.Timedelta(days=1), **params.value_score.scoring_kwargs())
        parts.append(scores.set_index("customer_id")["value_class"])
    return pd.concat(parts) if parts else pd.Series(dtype="str", name="value_class")


def headline(run: UpliftRun, money: pd.DataFrame | None = None) -> dict[str, float | int | None]:
    """The ``uplift.*`` metrics (None when not estimable).

    ``naive``, ``att``, ``att_ci_low``, ``att_ci_high`` (revenue per member over the post-window,
    currency), ``att_pct`` (percent of the counterfactual), ``placebo`` (+ ``_ci_low/_ci_high``),
    ``att_frequency`` (purchases), ``att_basket``, ``att_margin`` (currency), ``members`` and
    ``controls`` (companies), ``roi`` (fraction), ``incremental_margin`` and ``total_cost``
    (currency per year).
    """
    keys = ["naive", "att", "att_ci_low", "att_ci_high", "att_pct", "placebo", "placebo_ci_low", "placebo_ci_high",
            "att_frequency", "att_basket", "att_margin", "members", "controls", "roi", "incremental_margin", "total_cost"]
    out: dict[str, float | int | None] = dict.fromkeys(keys)
    if run.result is None:
        return out
    res = run.result
    did = res.did.set_index("outcome")
    rev = did.loc["revenue"]
    out.update(naive=float(res.naive.set_index("group").loc["gap", "post_revenue"]), att=float(rev["att"]),
               att_ci_low=float(rev["ci_low"]), att_ci_high=float(rev["ci_high"]), att_pct=100 * float(rev["att_pct"]),
               members=int(rev["n_members"]), controls=int(rev["n_controls"]))
    for o in ("frequency", "basket", "margin"):
        out[f"att_{o}"] = float(did.loc[o, "att"]) if o in did.index else None
    if run.placebo is not None:
        p = run.placebo.att()
        out.update(placebo=float(p["att"]), placebo_ci_low=float(p["ci_low"]), placebo_ci_high=float(p["ci_high"]))
    if money is not None:
        m = money.set_index("item")["estimate"]
        out.update(roi=float(m["roi"]), incremental_margin=float(m["incremental_margin"]), total_cost=float(m["total_cost"]))
    return out


# --------------------------------------------------------------------------- conclusion


def conclusion(did: pd.DataFrame, *, naive: float, placebo: pd.DataFrame | None, warnings: list[str],
               currency: str = "EUR", ci_level: float = 0.95, post_months: int = 12) -> str:
    """A plain-language conclusion generated from the estimates, stating their uncertainty.

    Parameters
    ----------
    did
        :func:`estimate_did` result (needs the ``revenue`` row).
    naive
        The naive gap (members - non-members, post-window revenue per company, currency).
    placebo
        :func:`estimate_did` of the placebo, or None when it could not be run.
    warnings
        Design warnings (pre-trends, balance, unmatched members).

    Returns
    -------
    str
        Markdown text: the effect with its interval, whether it is distinguishable from zero,
        the naive gap it replaces, and what the placebo and the warnings say about trusting it.
    """
    r = did.set_index("outcome").loc["revenue"]
    pct = "" if pd.isna(r["att_pct"]) else f" ({100 * r['att_pct']:+.0f} % of what they would have bought without it)"

    def money(x: float) -> str:
        return f"{x:,.0f}".replace(",", "\u202f") + f" {currency}"

    level = f"{100 * ci_level:.0f} %"
    if r["ci_low"] > 0:
        verdict = "The programme **increased** members' purchases"
    elif r["ci_high"] < 0:
        verdict = "Members bought **less** after joining than comparable non-members"
    else:
        verdict = "The data **cannot tell** whether the programme changed members' purchases"
    text = [f"{verdict}: over the {post_months} months after enrolment, about **{money(r['att'])} per member**{pct}, "
            f"with a {level} interval from {money(r['ci_low'])} to {money(r['ci_high'])} "
            f"({int(r['n_members'])} members compared with similar non-members)."]
    if naive > 0 and r["att"] > 0:
        text.append(f"The naive gap between members and non-members ({money(naive)}) is {naive / r['att']:.1f} times "
                    "larger: most of it is who joins, not what the programme does.")
    if placebo is not None and "revenue" in set(placebo["outcome"]):
        p = placebo.set_index("outcome").loc["revenue"]
        band = f"{money(p['att'])}, interval {money(p['ci_low'])} to {money(p['ci_high'])}"
        if p["ci_low"] > 0 or p["ci_high"] < 0:
            text.append(f"**Caution:** the placebo (a fake enrolment one window earlier) finds a gap ({band}) where there "
                        "should be none: members differ from their matched controls in ways the matching does not capture, "
                        "so the estimate above is probably off by a similar amount.")
        elif abs(p["att"]) > 0.25 * abs(r["att"]):
            text.append(f"The placebo (a fake enrolment one window earlier) is not significant ({band}), but its point "
                        f"estimate is {abs(p['att']) / abs(r['att']):.0%} of the effect and its interval is wide: a bias of "
                        "that size cannot be ruled out, so read the effect as an upper range rather than a precise figure.")
        else:
            text.append(f"The placebo (a fake enrolment one window earlier) finds no effect ({band}), which supports "
                        "the design.")
    if warnings:
        text.append("Read with the warnings above: " + "; ".join(warnings) + ".")
    return " ".join(text)


# --------------------------------------------------------------------------- charts


