"""A placebo of the headline estimator: its own prediction of the members' year *before* they enrolled.

The headline (:mod:`.counterfactual`) predicts each member's year after enrolling from its purchase
history before enrolling. Where the prediction is right without the programme, the same estimator
run at a pseudo-enrolment date earlier, so that its "year 1" is a year in which the programme
cannot have acted yet, should find about 0. A placebo clearly above 0 says the members bought more
than their history predicted *before* the programme: the headline probably leans high by a similar
amount (the ``latent`` worlds of ``workbench simulate``, where the sales team invites on the true
purchase rate; or members that changed before joining, e.g. in anticipation).

Design
------
- **How far back.** Each member's pseudo-enrolment date is its enrolment date ``months_back``
  calendar months earlier (13 by default, the least allowed): the headline's year 1 starts on the
  first day of the month after the enrolment month, so the placebo's year 1 is then exactly the
  12 calendar months *before* the real enrolment month. With 12 months back it would hold the
  enrolment day (a sign-up order, the first weeks of the programme). The rest of the real
  enrolment month is in neither window, as in the headline.
- **Who is evaluated.** Every company with an enrolment date (intent to treat, as the headline)
  whose pseudo date is at least ``min_history_months`` after the data's first day and which bought
  before its pseudo date; with ``after_launch`` only those whose pseudo date is on or after the
  launch (see what it cannot see). Every other company enters the run undated: its purchases
  before the launch are in the population fit, exactly as in the headline, and it plays no part
  in the estimate.
- **The model is the headline's, unchanged.** The same call (:func:`.counterfactual.estimate_counterfactual`)
  with the shifted dates: the same population BG/NBD fitted by maximum likelihood on every
  company's purchases before the *real* launch, the same seasonal clock (estimated on all the
  data), the same value per purchase day and survival weight (here from the members' silence in
  the placebo year). A fit on the data before the earliest pseudo date would be strictly out of
  sample, but the simulator's exports (and most clients') hold only 18 months before the launch,
  too little; so for the members whose placebo year starts before the launch, that year's
  purchases are among the ~2,000 companies' data the 4 population parameters are fitted on (a
  small leak, not the members' own prediction, which uses only their purchases before the pseudo
  date). The placebo's "year 2" is the real year 1 and is dropped.
- **Interval.** The headline's seeded bootstrap: members redrawn by company, the BG/NBD
  parameters drawn from their estimation uncertainty.

What it cannot see, and what it sees that it should not
-------------------------------------------------------
- A placebo near 0 is no proof: a selection on something that changed only at enrolment, or an
  effect of the programme on who would have grown anyway, leaves the year before unchanged.
- **Its year overlaps the selection.** Where the invitation list is drawn at the launch on the
  year of purchases before it (``observables``), the members' placebo year is mostly that very
  year (members enrol a few months after the launch): members were chosen *because* they bought a
  lot in it, which their history before the pseudo date does not show, so the placebo is positive
  where the headline, which conditions on that year, is not biased. Only members whose pseudo
  date is after the launch (``after_launch``; in the simulator 5-7 % of them, those enrolled more
  than 13 months after the launch) avoid it, and they are too few for a usable interval at a few
  thousand companies.
- **Members are alive through their placebo year** wherever enrolment required being a customer
  (``survival``): a company that enrolled was a customer on its enrolment day, so also throughout
  the year before, while the model allows for dropping out during it. The placebo is then
  positive whatever the headline's bias.
- **Measured** (``benchmarks/uplift_coverage.py``, estimators ``headline placebo``; 20 seeds per
  world at 2,000 companies, ``benchmarks/results/uplift_placebo_coverage.md``): the interval
  excludes 0 in 45 % of the ``observables``, ``signup`` and ``fading`` worlds (mean +4,000 EUR per
  member, where the headline's bias is +6 %), in 5 % of the ``latent`` worlds (+1,700), and in all
  ``survival`` and ``latent_survival`` worlds (+8,000, +9,300). With ``after_launch``: 4-11
  members, 5-25 %. It does not single out selection on the latent rate, so the page does not make
  it a reason for weak evidence (see the README); :func:`placebo_fires` and
  :func:`~workbench.analysis.uplift.conclusion.headline_placebo_problem` are there for data whose
  placebo year is clear of the selection.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis.uplift.counterfactual import estimate_counterfactual
from workbench.formatting import tr

PLACEBO_COLUMNS = ["att", "ci_low", "ci_high", "members", "months_back", "member_value", "counterfactual_value", "survival_weight"]
MIN_MONTHS_BACK = 13


def pseudo_enrolment(
    companies: pd.DataFrame,
    *,
    transactions: pd.DataFrame,
    launch: pd.Timestamp,
    months_back: int = MIN_MONTHS_BACK,
    min_history_months: int = 6,
    after_launch: bool = False,
) -> pd.DataFrame:
    """The companies of the placebo run: eligible members at their pseudo-enrolment dates, every other company undated.

    Parameters
    ----------
    companies
        ``customer_id, enrolled_on`` of every company (NaT: never enrolled).
    transactions
        ``customer_id, date, amount``, all history (its first day bounds the pseudo dates).
    launch
        The programme's launch.
    months_back
        Calendar months between a member's enrolment date and its pseudo date (>= 13).
    min_history_months
        Calendar months of data needed before a pseudo date (>= 0).
    after_launch
        Keep only members whose pseudo date is on or after ``launch``.

    Returns
    -------
    pd.DataFrame
        ``customer_id, enrolled_on`` of every company, in the order given: the eligible members at
        their pseudo dates, every other company NaT. A member without a purchase before its pseudo
        date keeps its pseudo date here and is left out by the estimator.

    Raises
    ------
    ValueError
        ``months_back`` below 13 or ``min_history_months`` negative.
    """
    if months_back < MIN_MONTHS_BACK:
        raise ValueError(f"months_back must be at least {MIN_MONTHS_BACK}, got {months_back}: with fewer the placebo's year reaches the enrolment month")
    if min_history_months < 0:
        raise ValueError(f"min_history_months must be 0 or more, got {min_history_months}")
    dated = pd.to_datetime(companies["enrolled_on"])
    pseudo = dated - pd.DateOffset(months=int(months_back))
    first = pd.Timestamp(pd.to_datetime(transactions["date"]).min())
    keep = dated.notna() & (pseudo >= first + pd.DateOffset(months=int(min_history_months)))
    if after_launch:
        keep &= pseudo >= pd.Timestamp(launch)
    return pd.DataFrame({"customer_id": companies["customer_id"].to_numpy(), "enrolled_on": pseudo.where(keep).to_numpy()})


def compute_headline_placebo(
    transactions: pd.DataFrame,
    companies: pd.DataFrame,
    *,
    end: pd.Timestamp,
    launch: pd.Timestamp,
    months_back: int = MIN_MONTHS_BACK,
    min_history_months: int = 6,
    after_launch: bool = False,
    value: str = "amount",
    seasonal: bool = True,
    n_bootstrap: int = 199,
    ci_level: float = 0.95,
    seed: int = 42,
) -> pd.DataFrame:
    """The headline estimator at pseudo-enrolment dates ``months_back`` months early (see the module docstring).

    Parameters
    ----------
    transactions
        ``customer_id, date, amount`` (and ``margin`` when ``value="margin"``), all history.
    companies
        ``customer_id, enrolled_on`` of every company (NaT: never enrolled), as for the headline.
    end, launch
        The reference date and the programme's real launch (the model is fitted before it).
    months_back, min_history_months, after_launch
        Who is evaluated, and where: :func:`pseudo_enrolment`.
    value, seasonal
        As :func:`~workbench.analysis.uplift.counterfactual.estimate_counterfactual`.
    n_bootstrap, ci_level, seed
        Bootstrap draws, confidence level (0-1) and seed (the headline's).

    Returns
    -------
    pd.DataFrame
        One row of :data:`PLACEBO_COLUMNS`: ``att`` the placebo's gap per evaluated member over its
        year before enrolling (observed minus predicted, currency per member), ``ci_low`` and
        ``ci_high`` (bootstrap interval, currency per member), ``members`` evaluated, ``months_back``,
        the members' mean observed ``member_value`` and predicted ``counterfactual_value`` over
        that year (currency per member), and the estimator's ``survival_weight`` (0-1).

    Raises
    ------
    ValueError
        Bad ``months_back`` or ``min_history_months``, or no member qualifies (too little history
        before the pseudo dates), or no never-enrolled company bought before the launch.
    """
    placebo = pseudo_enrolment(
        companies, transactions=transactions, launch=launch, months_back=months_back, min_history_months=min_history_months, after_launch=after_launch
    )
    if placebo["enrolled_on"].isna().all():
        raise ValueError(tr("no enrolled company has {months} months of data before its placebo date", months=months_back + min_history_months))
    try:
        res = estimate_counterfactual(
            transactions, placebo, end=end, launch=launch, value=value, seasonal=seasonal, n_bootstrap=n_bootstrap, ci_level=ci_level, seed=seed
        )
    except ValueError as exc:
        raise ValueError(tr("at its pseudo-enrolment dates, {reason}", reason=exc)) from exc
    y1 = res.year(1)
    row = [y1["att"], y1["ci_low"], y1["ci_high"], int(y1["companies"]), int(months_back), y1["member_value"], y1["counterfactual_value"], res.survival_weight]
    return pd.DataFrame([row], columns=PLACEBO_COLUMNS)


def placebo_fires(placebo: pd.DataFrame | pd.Series | None) -> bool:
    """True when the placebo's interval excludes 0 (the warning): a gap where the programme cannot have acted.

    Parameters
    ----------
    placebo
        :func:`compute_headline_placebo` (or its row), None when it could not run.

    Returns
    -------
    bool
    """
    if placebo is None or len(placebo) == 0:
        return False
    row = placebo.iloc[0] if isinstance(placebo, pd.DataFrame) else placebo
    low, high = float(row["ci_low"]), float(row["ci_high"])
    return bool(np.isfinite(low) and np.isfinite(high) and (low > 0 or high < 0))
