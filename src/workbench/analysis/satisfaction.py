"""Satisfaction (notebook ``07_engagement``): NPS and CES over time and by segment, and NPS vs next-year revenue.

NPS = % promoters (9-10) − % detractors (0-6), from −100 to +100; CES is the
mean customer effort score (1-7, lower is easier).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CATEGORIES = ("detractor", "passive", "promoter")


def nps_category(nps: pd.Series) -> pd.Series:
    """``detractor`` (0-6), ``passive`` (7-8) or ``promoter`` (9-10)."""
    return pd.Series(np.select([nps >= 9, nps >= 7], ["promoter", "passive"], "detractor"), index=nps.index, dtype="str")


def compute_nps(surveys: pd.DataFrame, *, by: str | None = None, freq: str | None = None) -> pd.DataFrame:
    """NPS and CES, overall or per group and/or period.

    Parameters
    ----------
    surveys
        Canonical surveys (``customer_id, date, nps, ces``), plus the column ``by`` if given.
    by
        A column to group by (e.g. typology, status).
    freq
        A period frequency to group by (``"Y"`` or ``"Q"``).

    Returns
    -------
    pd.DataFrame
        ``[period,] [<by>,] answers, promoters, passives, detractors`` (counts), ``nps``
        (−100 to 100), ``ces_mean`` (1-7, NaN without answers).

    Raises
    ------
    ValueError
        ``by`` is not a column of ``surveys``.
    """
    if by is not None and by not in surveys:
        raise ValueError(f"column {by!r} not in the surveys; merge it (e.g. the customers' {by}) first")
    frame = surveys.assign(category=nps_category(surveys["nps"]))
    keys = []
    if freq:
        frame["period"] = frame["date"].dt.to_period(freq)
        keys.append("period")
    if by:
        frame[by] = frame[by].fillna("(unknown)")
        keys.append(by)
    grouped = frame.groupby(keys, sort=True) if keys else frame.groupby(lambda _: 0)
    counts = grouped["category"].value_counts().unstack(fill_value=0).reindex(columns=list(CATEGORIES), fill_value=0)
    out = pd.DataFrame({"answers": counts.sum(axis=1), "promoters": counts["promoter"], "passives": counts["passive"], "detractors": counts["detractor"]})
    out["nps"] = 100 * (out["promoters"] - out["detractors"]) / out["answers"]
    out["ces_mean"] = grouped["ces"].mean()
    out = out.astype({"answers": "int64", "promoters": "int64", "passives": "int64", "detractors": "int64"})
    return out.reset_index() if keys else out.reset_index(drop=True)


def compute_nps_revenue_link(surveys: pd.DataFrame, transactions: pd.DataFrame, *, end: pd.Timestamp, horizon_days: int = 365) -> pd.DataFrame:
    """Revenue in the year before and after each answer, by NPS category.

    Only answers at least ``horizon_days`` before ``end`` are used, so every answer has
    a full next-year window. Revenue is net (credit notes included).

    Returns
    -------
    pd.DataFrame
        ``category, answers, revenue_before, revenue_after`` (mean per answer, currency),
        ``growth`` (revenue_after / revenue_before − 1, fraction).
    """
    usable = surveys[surveys["date"] + pd.Timedelta(days=horizon_days) <= pd.Timestamp(end)].copy()
    usable["category"] = nps_category(usable["nps"])
    usable["revenue_before"], usable["revenue_after"] = _revenue_around(usable, transactions, horizon_days)
    grouped = usable.groupby("category")
    out = pd.DataFrame({"answers": grouped.size(), "revenue_before": grouped["revenue_before"].mean(), "revenue_after": grouped["revenue_after"].mean()})
    out = out.reindex(list(CATEGORIES)).dropna(how="all")
    out["growth"] = out["revenue_after"] / out["revenue_before"] - 1
    out["answers"] = out["answers"].astype("int64")
    return out.rename_axis("category").reset_index()


def _revenue_around(answers: pd.DataFrame, transactions: pd.DataFrame, horizon_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Revenue of each answer's company in the ``horizon_days`` before the answer date and in those from it on."""
    joined = (
        answers[["customer_id", "date"]]
        .reset_index()
        .merge(transactions[["customer_id", "date", "amount"]], on="customer_id", how="left", suffixes=("", "_tx"))
    )
    delta = (joined["date_tx"] - joined["date"]).dt.days
    before = joined["amount"].where((delta < 0) & (delta >= -horizon_days), 0.0).groupby(joined["index"]).sum()
    after = joined["amount"].where((delta >= 0) & (delta < horizon_days), 0.0).groupby(joined["index"]).sum()
    return before.reindex(answers.index).fillna(0).to_numpy(), after.reindex(answers.index).fillna(0).to_numpy()


def fit_nps_revenue(surveys: pd.DataFrame, transactions: pd.DataFrame, *, end: pd.Timestamp, horizon_days: int = 365) -> pd.DataFrame:
    """How much next-year revenue goes with one NPS point, all else (last year's revenue) equal.

    OLS of next-year revenue on the NPS score and the previous year's revenue
    (statsmodels, heteroscedasticity-robust HC3 errors). An association, not a cause.

    Returns
    -------
    pd.DataFrame
        One row per term (``nps``, ``revenue_before``): ``term, coef`` (currency per point or
        per currency unit), ``ci_low, ci_high`` (95 %), ``p_value``, ``answers``.
    """
    usable = surveys[surveys["date"] + pd.Timedelta(days=horizon_days) <= pd.Timestamp(end)].copy()
    usable["revenue_before"], usable["revenue_after"] = _revenue_around(usable, transactions, horizon_days)
    if len(usable) < 10:
        return pd.DataFrame(columns=["term", "coef", "ci_low", "ci_high", "p_value", "answers"])
    # statsmodels is imported here, not with the module: a page without surveys never loads it. The
    # design matrix is the formula's (intercept, nps, revenue_before) without the formula machinery.
    from statsmodels.regression.linear_model import OLS

    design = pd.DataFrame({"Intercept": 1.0, "nps": usable["nps"].astype(float), "revenue_before": usable["revenue_before"].astype(float)})
    model = OLS(usable["revenue_after"].astype(float), design, missing="drop").fit(cov_type="HC3")
    ci = model.conf_int()
    terms = ["nps", "revenue_before"]
    return pd.DataFrame(
        {
            "term": terms,
            "coef": model.params[terms].to_numpy(),
            "ci_low": ci.loc[terms, 0].to_numpy(),
            "ci_high": ci.loc[terms, 1].to_numpy(),
            "p_value": model.pvalues[terms].to_numpy(),
            "answers": int(model.nobs),
        }
    )
