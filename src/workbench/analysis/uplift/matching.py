"""Matching members to comparable non-members: propensity score, nearest neighbours, covariate balance.

A logistic propensity score (scikit-learn, standardised covariates) sums up the covariates of
:func:`workbench.analysis.uplift.design.covariate_matrix`; each member gets its
``n_neighbors`` nearest controls on the logit of the score (with replacement, within a
caliper). Balance is read as standardised mean differences (SMD, in pooled standard
deviations before matching).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from workbench import formatting as fmt
from workbench.analysis.uplift.labels import word
from workbench.formatting import tr


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


def propensity(covariates: pd.DataFrame, treated: np.ndarray) -> np.ndarray:
    """Probability of being a member given the covariates (logistic regression on standardised covariates).

    Returns
    -------
    np.ndarray
        Propensity of each row (fraction, clipped to ``[1e-6, 1 - 1e-6]``).
    """
    x = StandardScaler().fit_transform(covariates.to_numpy(dtype=float))
    model = LogisticRegression(max_iter=2000).fit(x, treated)
    return np.clip(model.predict_proba(x)[:, 1], 1e-6, 1 - 1e-6)


def match_units(
    windows: pd.DataFrame,
    covariates: pd.DataFrame,
    *,
    n_neighbors: int = 5,
    caliper: float | None = 0.25,
    exact: np.ndarray | None = None,
    scores: np.ndarray | None = None,
) -> Matching:
    """Propensity-score nearest-neighbour matching of members to controls.

    Each member gets its ``n_neighbors`` nearest controls on the logit of the propensity
    (:func:`propensity`), with replacement, keeping only those within ``caliper`` standard
    deviations of the logit.

    Parameters
    ----------
    windows
        Units with ``treated`` (:func:`~workbench.analysis.uplift.design.compute_windows`).
    covariates
        Matching covariates, same rows as ``windows``.
    n_neighbors
        Controls per member.
    caliper
        Largest distance to a control, in standard deviations of the logit; None: no limit.
    exact
        A label per row of ``windows``: a member is matched only to controls with its label (a
        subgroup analysis matched within the subgroup); None: any control.
    scores
        Propensity of each row (0-1) already fitted by :func:`propensity` on these covariates and
        members (a subgroup analysis reuses the whole design's); None: fitted here.

    Returns
    -------
    Matching

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
    p = propensity(covariates, treated) if scores is None else np.asarray(scores, dtype=float)
    logit = np.log(p / (1 - p))
    t_idx, c_idx = np.flatnonzero(treated), np.flatnonzero(~treated)
    rows, cols, dist = _neighbours(logit, t_idx, c_idx, k=n_neighbors, exact=exact)
    keep = np.ones_like(dist, dtype=bool) if caliper is None else dist <= caliper * logit.std()
    rows, cols = rows[keep], cols[keep]
    counts = np.bincount(rows, minlength=len(t_idx))
    pairs = sp.csr_matrix((1.0 / counts[rows], (rows, cols)), shape=(len(t_idx), len(c_idx)))
    weight = np.zeros(len(windows))
    weight[t_idx] = (counts > 0).astype(float)
    weight[c_idx] = np.asarray(pairs.sum(axis=0)).ravel()
    units = windows.assign(propensity=p, weight=weight)
    return Matching(units=units, pairs=pairs, treated_index=t_idx, control_index=c_idx, covariates=covariates, unmatched=int((counts == 0).sum()))


def _neighbours(logit: np.ndarray, t_idx: np.ndarray, c_idx: np.ndarray, *, k: int, exact: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(member row, control position, distance) of each member's ``k`` nearest controls on the logit, within its label."""
    if exact is None:
        blocks = [(np.arange(len(t_idx)), np.arange(len(c_idx)))]
    else:
        lab_t, lab_c = np.asarray(exact)[t_idx], np.asarray(exact)[c_idx]
        blocks = [(np.flatnonzero(lab_t == g), np.flatnonzero(lab_c == g)) for g in pd.unique(lab_t)]
    rows, cols, dist = [], [], []
    for tt, cc in blocks:
        if len(tt) == 0 or len(cc) == 0:
            continue
        kk = min(k, len(cc))
        d, pos = NearestNeighbors(n_neighbors=kk).fit(logit[c_idx[cc], None]).kneighbors(logit[t_idx[tt], None])
        rows.append(np.repeat(tt, kk))
        cols.append(cc[pos.ravel()])
        dist.append(d.ravel())
    if not rows:
        return np.array([], dtype=int), np.array([], dtype=int), np.array([])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(dist)


def smd(x_t: np.ndarray, x_c: np.ndarray, *, w_c: np.ndarray | None = None, sd: float | None = None) -> float:
    """Standardised mean difference ``(mean_t - mean_c) / sd``.

    Parameters
    ----------
    x_t, x_c
        Values of the members and of the controls.
    w_c
        Weights of the control mean (None: equal).
    sd
        Denominator; defaults to ``sqrt((var_t + var_c) / 2)`` (sample variances, ddof=1) of the
        unweighted groups.

    Returns
    -------
    float
        The SMD, in standard deviations; 0 when both groups are constant.
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
        smd_after`` (means in the covariate's unit, SMDs in SD); both SMDs use the pooled SD before
        matching, so they compare. |SMD| < 0.1 is the usual threshold of good balance.
    """
    u, x = matching.units, matching.covariates
    t = u["treated"].to_numpy(dtype=bool) & (u["weight"] > 0).to_numpy()
    c = ~u["treated"].to_numpy(dtype=bool)
    w = u["weight"].to_numpy()[c]
    rows = []
    for col in [*x.columns, "propensity"]:
        v = (u[col] if col == "propensity" else x[col]).to_numpy(dtype=float)
        sd = float(np.sqrt((np.var(v[t], ddof=1) + np.var(v[c], ddof=1)) / 2))
        rows.append(
            {
                "covariate": col,
                "mean_members": v[t].mean(),
                "mean_controls_before": v[c].mean(),
                "mean_controls_after": np.average(v[c], weights=w),
                "smd_before": smd(v[t], v[c], sd=sd),
                "smd_after": smd(v[t], v[c], w_c=w, sd=sd),
            }
        )
    return pd.DataFrame(rows)


def balance_warnings(matching: Matching, balance: pd.DataFrame, *, threshold: float = 0.1) -> list[str]:
    """Plain-language warnings about the matched sample: unmatched members, covariates still unbalanced.

    Parameters
    ----------
    threshold
        Largest acceptable |SMD| after matching (SD).

    Returns
    -------
    list[str]
        Zero, one or two sentences.
    """
    out = []
    if matching.unmatched:
        out.append(
            tr("{n} of {members} members have no control within the caliper and are left out", n=matching.unmatched, members=len(matching.treated_index))
        )
    bad = balance[balance["smd_after"].abs() > threshold]
    if len(bad):
        out.append(
            tr(
                "balance: after matching, |SMD| > {threshold} for {covariates}",
                threshold=f"{threshold:g}" if fmt.language() == "en" else f"{threshold:g}".replace(".", ","),
                covariates=", ".join(word(c) for c in bad["covariate"]),
            )
        )
    return out
