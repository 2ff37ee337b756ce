"""A negative-control outcome for the headline: the same estimate on revenue the programme does not reward.

The headline (:mod:`~workbench.analysis.uplift.counterfactual`) compares each member's year-1
revenue with what a purchase model predicts from its own history. Its blind spot is a member
that would have bought more anyway: a sales team that invites the companies it knows are
growing. :func:`compute_negative_control` runs the *same* estimator on the transactions of the
product ranges the programme does not reward (``uplift.negative_control_ranges``). If the
programme acts only on the rewarded ranges and enrolment depends only on what the history shows,
the members' revenue in the other ranges follows its prediction: the effect there is about 0.
A clearly positive "effect" there says the members buy more than predicted where the programme
should change nothing: hidden selection, which inflates the headline too.

What it cannot see, and when it fires without hidden selection:

- a **halo**: an effect that spills over into the non-rewarded ranges (a member that comes more
  often buys a bit of everything) makes it fire where the headline is right;
- ranges bought by **different people or for different needs** than the rewarded ones: hidden
  selection on the rewarded activity need not show there;
- selection that affects **only the rewarded ranges** (invitations on the expected equipment
  orders, say): it is blind to it.

A negative value is not a warning about the headline: members that buy more often in the
rewarded ranges also drop out sooner in the purchase model's world (a dropout chance after each
purchase), and customers may shift purchases towards what earns points.

On the simulator (``simulate(rewarded_ranges=["equipment"])``, :mod:`workbench.simulate.ranges`;
``benchmarks/uplift_coverage.py --rewarded-ranges equipment --halos 0 1 ...``, 20 seeds per world,
``benchmarks/results/uplift_negative_control_coverage.md``) it fires in 0 % of the ``observables``
effect worlds and 5 % of the null ones, 10 % of the ``latent`` worlds, 25-40 % of the
``latent_survival`` ones, and 65-85 % of the halo worlds (the effect spilling over in full). Its
power is low (intervals 3,700-5,600 EUR wide at 2,000 companies), and its own estimate leans high by
about +700 EUR even in ``observables`` worlds, probably because enrolment also depends on the rewarded
purchases, which its restricted history does not see.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from workbench.analysis.uplift.counterfactual import estimate_counterfactuals

NEGATIVE_CONTROL_COLUMNS = ["ranges", "att", "ci_low", "ci_high", "companies", "member_value", "counterfactual_value", "revenue_share"]
PARAMETER = "uplift.negative_control_ranges"


def restrict_to_ranges(transactions: pd.DataFrame, *, ranges: Sequence[str]) -> pd.DataFrame:
    """The rows of ``transactions`` whose ``product_range`` is one of ``ranges`` (their order and index kept).

    Parameters
    ----------
    transactions
        Transactions with a ``product_range`` column (text).
    ranges
        Product ranges to keep, at least one; each must occur in ``transactions``.

    Returns
    -------
    pd.DataFrame
        The kept rows, every column unchanged.

    Raises
    ------
    ValueError
        ``ranges`` is empty, ``transactions`` has no ``product_range`` column, or a range does not
        occur in it (the message names ``uplift.negative_control_ranges``, the value and the ranges
        present).
    """
    if isinstance(ranges, str) or not len(ranges):
        raise ValueError(f"{PARAMETER} must list at least one product range, got {ranges!r}")
    if "product_range" not in transactions:
        raise ValueError(f"{PARAMETER} is {list(ranges)}, but the transactions have no product_range column: the negative control cannot run")
    present = sorted(transactions["product_range"].dropna().astype(str).unique())
    missing = [r for r in ranges if r not in present]
    if missing:
        raise ValueError(f"{PARAMETER} lists {missing}, not a product range of the transactions; the ranges present are {present}")
    return transactions[transactions["product_range"].isin(list(ranges))]


def compute_negative_control(
    transactions: pd.DataFrame,
    companies: pd.DataFrame,
    *,
    ranges: Sequence[str],
    end: pd.Timestamp,
    launch: pd.Timestamp,
    donut_days: int = 0,
    n_bootstrap: int = 199,
    ci_level: float = 0.95,
    seed: int = 42,
) -> pd.DataFrame:
    """The headline's year-1 effect on the revenue of product ranges the programme does not reward.

    The same estimator as the headline
    (:func:`~workbench.analysis.uplift.counterfactual.estimate_counterfactuals`, same seed,
    windows and bootstrap), on the transactions of ``ranges`` only: its purchase model, the
    members' histories and their year-1 revenue are those ranges' alone.

    Parameters
    ----------
    transactions
        ``customer_id, date, amount, product_range``, all history (currency).
    companies
        ``customer_id, enrolled_on`` of every company (NaT: never enrolled), as for the headline.
    ranges
        The non-rewarded product ranges (``uplift.negative_control_ranges``).
    end, launch, donut_days, n_bootstrap, ci_level, seed
        As :func:`~workbench.analysis.uplift.counterfactual.estimate_counterfactual`.

    Returns
    -------
    pd.DataFrame
        One row, :data:`NEGATIVE_CONTROL_COLUMNS`: ``ranges`` (comma-separated, in the order
        given), ``att``, ``ci_low``, ``ci_high``, ``member_value``, ``counterfactual_value``
        (year 1 after the enrolment month, currency per evaluated company), ``companies`` (the
        enrolled companies evaluated: a purchase in those ranges before enrolling, year 1
        observed) and ``revenue_share`` (those ranges' share of the net revenue of
        ``transactions``, 0-1).

    Raises
    ------
    ValueError
        As :func:`restrict_to_ranges`, or as the estimator when the restricted data cannot be
        estimated (no member with a purchase in those ranges before enrolling, for instance).
    """
    kept = restrict_to_ranges(transactions, ranges=ranges)
    options = dict(end=end, launch=launch, donut_days=donut_days, n_bootstrap=n_bootstrap, ci_level=ci_level, seed=seed)
    estimate = estimate_counterfactuals(kept, companies, **options)["amount"]
    y1 = estimate.year(1)
    total = float(transactions["amount"].sum())
    share = float(kept["amount"].sum()) / total if total else float("nan")
    row = (", ".join(ranges), y1["att"], y1["ci_low"], y1["ci_high"], int(y1["companies"]), y1["member_value"], y1["counterfactual_value"], share)
    return pd.DataFrame([row], columns=NEGATIVE_CONTROL_COLUMNS)
