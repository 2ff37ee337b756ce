"""Does the client's programme look like one the estimators get wrong? The survival check.

In many programmes a company that has quietly stopped buying is never invited and never signs up,
so every member was still an active customer on its enrolment day, while a never-enrolled company
with the same purchase history may already be lost. No comparison on purchase history can see
that, and the coverage benchmark shows both estimators then overstate the effect.

The trace it leaves: members almost all buy again after enrolling. For each enrolled company
observed for 12 months after its enrolment month, a BG/NBD fitted on the purchases before the
launch gives, from its history up to the enrolment day, its chance of still being active
(``p_alive``) and, if active, its chance of buying nothing in the 12 months that follow
(``p_silent_if_alive``, Poisson approximation at its expected purchases). Two hypotheses give
the expected share of members silent over those 12 months:

- enrolment did not depend on being active: ``1 - p_alive (1 - p_silent_if_alive)``;
- only active companies enrolled: ``p_silent_if_alive``.

The observed share is compared with both. The programme itself can only lower the silent share
further (it raises purchases), so a share near the second hypothesis is evidence of selection on
survival, or of an effect so large that it revives lost customers; either way the headline must be
read as an upper bound.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis.clv.latent import fit_population, latent_state
from workbench.analysis.uplift.counterfactual import silent_shares
from workbench.periods import add_months, first_month_after

SURVIVAL_COLUMNS = ["hypothesis", "silent_share", "companies"]


def _summary_at(buys: pd.DataFrame, at: pd.Series) -> pd.DataFrame:
    """BG/NBD ``frequency, recency, T`` (weeks) of each company from its purchase days before its own date."""
    b = buys.merge(at.rename("at"), left_on="customer_id", right_index=True)
    b = b[b["day"] < b["at"]]
    g = b.groupby("customer_id")["day"]
    first, last, n = g.min(), g.max(), g.nunique()
    out = pd.DataFrame(index=at.index)
    out["frequency"] = (n - 1).reindex(out.index).fillna(0).clip(lower=0)
    out["recency"] = ((last - first).dt.days / 7).reindex(out.index).fillna(0.0)
    out["T"] = ((at - first.reindex(at.index)).dt.days / 7).fillna(0.0)
    return out


def check_survival_selection(transactions: pd.DataFrame, companies: pd.DataFrame, *, launch: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Share of enrolled companies silent for 12 months after their enrolment month: observed and under each hypothesis.

    Parameters
    ----------
    transactions
        ``customer_id, date, amount``, all history.
    companies
        ``customer_id, enrolled_on`` (NaT: never enrolled).
    launch, end
        The programme's launch and the reference date.

    Returns
    -------
    pd.DataFrame
        :data:`SURVIVAL_COLUMNS`, rows ``observed``, ``enrolment ignores activity`` and ``only active
        companies enrol``; ``silent_share`` is a fraction (0-1) of the ``companies`` evaluated
        (enrolled before the launch's history ends, observed 12 months after the enrolment month,
        with a purchase before enrolling). Empty when no company qualifies.
    """
    launch, end = pd.Timestamp(launch), pd.Timestamp(end)
    buys = transactions.loc[transactions["amount"] > 0, ["customer_id", "date"]].drop_duplicates().rename(columns={"date": "day"})
    enrolled = companies.dropna(subset=["enrolled_on"]).set_index("customer_id")["enrolled_on"].map(pd.Timestamp)
    window_start = pd.Series(first_month_after(enrolled), index=enrolled.index)
    window_end = window_start.map(lambda d: add_months(d, 12) - pd.Timedelta(days=1))
    at = enrolled[(window_end <= end) & enrolled.index.isin(buys.loc[buys["day"] < launch, "customer_id"])]
    if at.empty:
        return pd.DataFrame(columns=SURVIVAL_COLUMNS)
    before_launch = _summary_at(buys, pd.Series(launch, index=buys["customer_id"].unique()))
    fit = fit_population(before_launch[before_launch["T"] > 0])
    state = latent_state(_summary_at(buys, at), fit=fit)
    expected_if_alive = state["expected_purchases"] / state["p_alive"].clip(lower=1e-6)
    ignores, only = silent_shares(state["p_alive"].to_numpy(), expected_if_alive.to_numpy())
    after = buys.merge(window_start.rename("s"), left_on="customer_id", right_index=True).merge(window_end.rename("e"), left_on="customer_id", right_index=True)
    bought = set(after.loc[(after["day"] >= after["s"]) & (after["day"] <= after["e"]), "customer_id"])
    observed = float(np.mean([cid not in bought for cid in at.index]))
    n = len(at)
    rows = [
        ("observed", observed, n),
        ("enrolment ignores activity", ignores, n),
        ("only active companies enrol", only, n),
    ]
    return pd.DataFrame(rows, columns=SURVIVAL_COLUMNS)


def looks_survival_selected(check: pd.DataFrame) -> bool:
    """True when the observed silent share is closer to "only active companies enrol" than to the other hypothesis."""
    if check.empty:
        return False
    s = check.set_index("hypothesis")["silent_share"]
    return bool(s["observed"] < (s["enrolment ignores activity"] + s["only active companies enrol"]) / 2)
