"""Staggered enrolment: Callaway & Sant'Anna group-time effects on a monthly panel (the headline estimator).

Design
------
- **Units.** Every company that bought before the programme's launch (the population the sales
  team could invite). The treated are **every company that enrolled** (intent to treat: whatever
  its status at the reference date); the others never enrolled.
- **Periods.** Calendar months, from ``pre_months`` before the launch month to the last complete
  month up to the reference date. The outcome at month *t* is the company's net revenue (credit
  notes included) over the 12 months ending with *t*, so the effect at event month 11 compares
  the 12 months after the donut with the 12 months before it, company by company.
- **Cohorts.** A company enrolled on day *d* belongs to cohort *g* = the first month that starts
  after ``d + donut_days``. The months that overlap ``[d - donut_days, d + donut_days]`` (at least
  the enrolment month, which is partly before and partly after enrolment, with any sign-up order)
  are left out of both sides: csdid's ``anticipation`` moves every comparison's base period before
  them.
- **Controls.** For cohort *g* at month *t*, companies not yet enrolled at *t* (plus the left-out
  months) and companies that never enrolled (``control_group="notyettreated"``), aligned in
  calendar time. Plain two-way fixed effects are biased under staggered adoption; group-time
  effects are not.
- **Covariates** (doubly robust: a propensity model and an outcome regression, both on the base
  month's values): the revenue of the 12 months before the donut (level, so the comparison adjusts
  for regression to the mean and for a decline proportional to size), the behaviour the sales team
  saw at the launch (revenue, purchase days, recency), and the company's **latent state at the
  base month**: P(alive) and the expected purchases over the next year from a BG/NBD fitted on the
  purchases before the launch (every company's history there is untreated). P(alive) separates a
  company that still buys from one that has quietly stopped with the same past purchases.
- **Estimand.** Extra net revenue per enrolled company over the 12 months that follow the left-out
  months ("year 1"), and over the next 12 ("year 2"), averaged over the cohorts observed that long
  (``balance_e``).
- **Intervals.** csdid's multiplier bootstrap on the influence functions, clustered by company,
  seeded; the doubly robust influence function carries the estimation of the propensity and
  outcome models. No pseudo-enrolment date is drawn.

What it cannot see: selection on something that moves revenue after enrolment and is invisible in
the purchases before it (parallel trends conditional on the covariates fails), and survival: a
company enrols only when alive, a not-yet-enrolled control is alive until its own enrolment, and a
never-enrolled one may already be dead. The covariates balance the *probability* of being alive,
not the state; the coverage benchmark (``benchmarks/uplift_coverage.py``) measures the bias this
leaves in worlds that select on survival and on the latent purchase rate.

Why csdid: among the maintained Python ports of Callaway & Sant'Anna (evaluated on a simulated
staggered panel of 2,000 units × 36 months with a known effect): **csdid** (port of R ``did``,
synced with ``did`` 2.5.1; doubly robust ATT(g,t) with not-yet-treated controls, covariates,
unbalanced panels, clustered multiplier bootstrap, event-time windows with ``min_e/max_e/
balance_e``; < 1 s per fit) was the only one with every feature; ``differences`` matched its
estimates but cannot cluster on another variable and has no event-time window; ``DoubleML``
matched too but is about 100× slower (cross-fitting) and needs hand-made masks for windows;
``pyfixest`` has no Callaway & Sant'Anna estimator (TWFE, did2s, Sun-Abraham event studies).

Speed. csdid estimates every group-time cell (about 30 cohorts x 42 months = 1,000 cells on a
three-year export) on every company of the panel, and its built-in doubly robust estimator fits
each cell with statsmodels, two propensity logits (the overlap guard and the estimator) and a
least squares regression, each through an SVD of the whole design: 46 s on 20,000 companies,
most of the page. The cells go to csdid's ``est_method`` hook (a callable, part of its API as of
R ``did``) as :func:`drdid_panel_cell`: the same estimator and guards, formula for formula, with
one logit per cell (the same IRLS iteration as statsmodels) and the regressions on ``k x k``
normal equations of the column-scaled design. Group-time effects, influence functions, the
bootstrap and the aggregation stay csdid's; the estimates agree with the built-in estimator's to
about 1e-9 relative (``tests/test_uplift_staggered.py``).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from workbench import formatting as fmt
from workbench.analysis.clv.latent import fit_population, latent_state
from workbench.formatting import tr
from workbench.periods import add_months

COVARIATES = ("revenue_12m_to_date", "p_alive", "expected_purchases", "launch_log_revenue", "launch_log_purchases", "launch_recency_years")
LATENT = ("p_alive", "expected_purchases", "launch_p_alive")
WINDOW_COLUMNS = ["window", "first_month", "last_month", "att", "se", "ci_low", "ci_high", "cohorts", "companies"]
EVENT_COLUMNS = ["event_month", "att", "se", "ci_low", "ci_high"]


@dataclass
class StaggeredResult:
    """What :func:`estimate_staggered` found.

    Attributes
    ----------
    windows
        One row per window (``year 1``, ``year 2``): ``att`` extra net revenue per enrolled company
        over the window (currency), ``se``, ``ci_low``, ``ci_high``, the event months it sums
        (``first_month``, ``last_month``), and the ``cohorts`` and enrolled ``companies`` behind it.
    event_study
        ``event_month`` (months from the first month after the left-out ones; negative = before
        enrolment, a pre-trend check), ``att`` (currency per company per month), ``se``, ``ci_low``,
        ``ci_high``.
    pre_trend_p
        p-value of the joint test that every pre-enrolment event-time effect is 0 (None when fewer
        than two leads).
    panel_companies, enrolled_companies
        Companies in the panel, and among them those enrolled by the last month of the panel.
    anticipation
        Months left out before each cohort's first month (the donut).
    outcome_sd
        Standard deviation of the outcome (12-month sums, currency) across the panel's companies in
        the last month before the launch: the scale of the E-value.
    member_revenue
        Mean outcome of the evaluated companies over each window (currency), by window name.
    notes
        Plain-language facts the page shows (companies left out and why, warnings).
    """

    windows: pd.DataFrame
    event_study: pd.DataFrame
    pre_trend_p: float | None
    panel_companies: int
    enrolled_companies: int
    anticipation: int
    outcome_sd: float = float("nan")
    member_revenue: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def year(self, n: int) -> pd.Series | None:
        """The row of ``year n`` in :attr:`windows`, or None when it could not be estimated."""
        rows = self.windows[self.windows["window"] == f"year {n}"]
        return None if rows.empty else rows.iloc[0]


def month_index(dates: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Months since January of year 0 (``year * 12 + month - 1``), so consecutive months differ by 1."""
    d = pd.DatetimeIndex(dates)
    return (d.year * 12 + d.month - 1).to_numpy(dtype="int64")


def assign_cohorts(companies: pd.DataFrame, *, donut_days: int = 0) -> tuple[pd.Series, int]:
    """Cohort month of each enrolled company and the months to leave out before it.

    Parameters
    ----------
    companies
        ``customer_id`` and ``enrolled_on`` (NaT for companies that never enrolled).
    donut_days
        Days on each side of the enrolment day left out of both windows (0: only the enrolment month).

    Returns
    -------
    (pd.Series, int)
        The cohort month index (:func:`month_index`) by ``customer_id`` (0 for never enrolled), and
        the anticipation: months left out before each cohort (at least 1, the enrolment month).
    """
    enrolled = companies["enrolled_on"].notna()
    d = pd.to_datetime(companies.loc[enrolled, "enrolled_on"])
    after = month_index(d + pd.Timedelta(days=donut_days))
    before = month_index(d - pd.Timedelta(days=donut_days))
    cohort = pd.Series(0, index=companies["customer_id"], dtype="int64")
    cohort.loc[companies.loc[enrolled, "customer_id"].to_numpy()] = after + 1
    anticipation = int((after - before).max() + 1) if enrolled.any() else 1
    return cohort, anticipation


def _month_starts(first: int, last: int) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([pd.Timestamp(year=m // 12, month=m % 12 + 1, day=1) for m in range(first, last + 1)])


def build_panel(
    transactions: pd.DataFrame, companies: pd.DataFrame, *, launch: pd.Timestamp, end: pd.Timestamp, pre_months: int = 12, latent: bool = True
) -> pd.DataFrame:
    """One row per company and calendar month: net revenue and the covariates at the month's start.

    Parameters
    ----------
    transactions
        ``customer_id``, ``date``, ``amount`` (all history, credit notes negative).
    companies
        ``customer_id`` and ``enrolled_on`` of the companies to analyse (NaT: never enrolled).
    launch
        The programme's launch: the BG/NBD is fitted on the purchases before it.
    end
        The reference date; the last month kept is the last complete one up to it.
    pre_months
        Months of panel before the launch month.
    latent
        Add the BG/NBD latent state (fits the population model on the purchases before the launch).

    Returns
    -------
    pd.DataFrame
        One row per company and month: ``customer_id``, ``month`` (:func:`month_index`), ``revenue``
        (net revenue in the month, currency), ``trailing_12m`` (net revenue of the 12 months ending
        with the month, currency; the outcome) and its copy ``revenue_12m_to_date`` (a covariate:
        csdid reads covariates on the base month's row), ``trailing_margin_12m`` and its copy
        ``margin_12m_to_date`` when the transactions carry margins, the behaviour in the 12 months before the
        launch the sales team could see (``launch_log_revenue``: log of 1 + revenue floored at 0;
        ``launch_log_purchases``: log of 1 + purchase days; ``launch_recency_years``: years from the
        last purchase to the launch), and with ``latent`` the state at the month's first day
        (``p_alive``, probability; ``expected_purchases``, purchase days over the next 52 weeks)
        and at the launch (``launch_p_alive``).
    """
    first = int(month_index(pd.DatetimeIndex([add_months(launch, -pre_months)]))[0])
    last_complete = end if (end + pd.Timedelta(days=1)).day == 1 else end - pd.offsets.MonthBegin(1) - pd.Timedelta(days=1)
    last = int(month_index(pd.DatetimeIndex([last_complete]))[0])
    ids = companies["customer_id"].astype(str).to_numpy()
    tx = transactions[transactions["customer_id"].isin(ids)]
    code = pd.Categorical(tx["customer_id"], categories=ids).codes
    months = month_index(tx["date"])
    n, m = len(ids), last - first + 1
    inside = (months >= first - 12) & (months <= last)

    def monthly(values: np.ndarray) -> np.ndarray:  # company x (12 months before the panel + the panel)
        out = np.zeros((n, m + 12))
        np.add.at(out, (code[inside], months[inside] - first + 12), values[inside])
        return out

    def trailing(values: np.ndarray) -> np.ndarray:  # the 12 months ending with each panel month
        rolling = np.cumsum(values, axis=1)
        return rolling[:, 12:] - rolling[:, :m]

    revenue = monthly(tx["amount"].to_numpy(dtype=float))
    rolling = np.cumsum(revenue, axis=1)
    launch_m = int(month_index(pd.DatetimeIndex([launch]))[0]) - first + 12
    launch_rev = rolling[:, launch_m - 1] - (rolling[:, launch_m - 13] if launch_m >= 13 else 0)
    launch_days, launch_recency = _launch_activity(tx, code, n, launch=launch)
    to_date = trailing(revenue)
    panel = pd.DataFrame(
        {
            "customer_id": np.repeat(ids, m),
            "month": np.tile(np.arange(first, last + 1), n),
            "revenue": revenue[:, 12:].ravel(),
            "trailing_12m": to_date.ravel(),
            "revenue_12m_to_date": to_date.ravel(),
            "launch_log_revenue": np.repeat(np.log1p(np.clip(launch_rev, 0, None)), m),
            "launch_log_purchases": np.repeat(np.log1p(launch_days), m),
            "launch_recency_years": np.repeat(launch_recency, m),
        }
    )
    if "margin" in tx and tx["margin"].notna().any():
        margin = trailing(monthly(tx["margin"].fillna(0.0).to_numpy(dtype=float))).ravel()
        panel["trailing_margin_12m"], panel["margin_12m_to_date"] = margin, margin
    if latent:
        state, at_launch = _latent_panel(tx, code, ids, starts=_month_starts(first, last), launch=launch)
        panel["p_alive"], panel["expected_purchases"] = state["p_alive"].to_numpy(), state["expected_purchases"].to_numpy()
        panel["launch_p_alive"] = np.repeat(at_launch["p_alive"].to_numpy(), m)
    return panel


def _launch_activity(tx: pd.DataFrame, code: np.ndarray, n: int, *, launch: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
    """Purchase days in the 12 months before the launch, and years from the last purchase before it to the launch."""
    buy = (tx["amount"].to_numpy() > 0) & (tx["date"] < launch).to_numpy()
    days = pd.DataFrame({"c": code[buy], "day": tx["date"].to_numpy()[buy]}).drop_duplicates()
    year = days[days["day"] >= add_months(launch, -12)].groupby("c").size().reindex(range(n), fill_value=0).to_numpy()
    last = days.groupby("c")["day"].max().reindex(range(n))
    recency = ((pd.Timestamp(launch) - last).dt.days / 365.25).fillna(0.0).to_numpy()
    return year, recency


def _latent_panel(tx: pd.DataFrame, code: np.ndarray, ids: np.ndarray, *, starts: pd.DatetimeIndex, launch: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """BG/NBD state of every company at every month start (and at the launch), from its purchase days before it."""
    buys = pd.DataFrame({"c": code, "day": tx["date"].to_numpy()})[tx["amount"].to_numpy() > 0].drop_duplicates()
    first_day = buys.groupby("c")["day"].min().reindex(range(len(ids)))
    rows = []
    for start in [pd.Timestamp(launch), *starts]:
        before = buys[buys["day"] < start]
        count = before.groupby("c").size().reindex(range(len(ids)), fill_value=0).to_numpy()
        last = before.groupby("c")["day"].max().reindex(range(len(ids)))
        born = count > 0
        weeks = lambda a, b: ((a - b).dt.days / 7.0).to_numpy()  # noqa: E731
        rows.append(
            pd.DataFrame(
                {
                    "frequency": np.where(born, count - 1, 0),
                    "recency": np.where(born, weeks(last, first_day), 0.0),
                    "T": np.where(born, weeks(pd.Series(start, index=first_day.index), first_day), 0.0),
                }
            )
        )
    population = rows[0][rows[0]["T"] > 0]
    fit = fit_population(population)
    states = [latent_state(r, fit=fit) for r in rows]
    stacked = np.stack([s.to_numpy() for s in states[1:]], axis=1)  # company × month × 2
    return pd.DataFrame(stacked.reshape(-1, 2), columns=["p_alive", "expected_purchases"]), states[0]


@contextlib.contextmanager
def _seeded(seed: int):
    """csdid draws its bootstrap from numpy's global generator: seed it, then restore it."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


_EPS = np.finfo(float).eps


def _logit_irls(x: np.ndarray, d: np.ndarray, w: np.ndarray, *, maxiter: int = 100, tol: float = 1e-8) -> tuple[np.ndarray, np.ndarray, bool]:
    """The propensity logit of csdid's ``drdid_panel`` (statsmodels ``GLM(Binomial)`` IRLS), step for step.

    The same iteration as statsmodels' ``_fit_irls``: start at ``mu = (d + 0.5) / 2``, weights
    ``w mu (1 - mu)`` and working response ``eta + (d - mu) / (mu (1 - mu))`` (probabilities clipped
    by machine epsilon as statsmodels' logit link does), stop when the deviance moves by at most
    ``tol``. Only the weighted least squares of each step is solved differently: on the normal
    equations of the column-scaled design (a ``k x k`` solve) instead of an SVD of the ``n x k``
    design, which is what made each group-time cell slow on large panels. The solution is the
    same fixed point; coefficients agree with statsmodels' to about 1e-9 relative.

    Parameters
    ----------
    x
        Design with the intercept column (``n x k``).
    d
        Treatment indicator (0/1).
    w
        Frequency weights (csdid's normalised ``i_weights``).
    maxiter, tol
        As statsmodels' IRLS (deviance change, absolute).

    Returns
    -------
    (np.ndarray, np.ndarray, bool)
        Coefficients, fitted probabilities ``1 / (1 + exp(-x b))`` and whether it converged.
    """
    scale = np.sqrt(np.einsum("ij,ij->j", x, x))
    scale[scale == 0] = 1.0
    xs = x / scale
    mu = (d + 0.5) / 2

    def deviance(mu: np.ndarray) -> float:
        a = np.clip(d / (mu + 1e-20), _EPS, np.inf)  # statsmodels' Binomial deviance residuals, its clipping
        b = np.clip((1 - d) / (1 - mu + 1e-20), _EPS, np.inf)
        return float(np.sum(2 * (d * np.log(a) + (1 - d) * np.log(b)) * w))

    p = np.clip(mu, _EPS, 1 - _EPS)
    eta = np.log(p / (1 - p))
    previous, beta, converged = deviance(mu), np.zeros(x.shape[1]), False
    for _ in range(maxiter):
        p = np.clip(mu, _EPS, 1 - _EPS)
        v = p * (1 - p)
        z = eta + (d - mu) / v
        wv = w * v
        beta = np.linalg.solve((xs * wv[:, None]).T @ xs, xs.T @ (wv * z)) / scale
        eta = x @ beta
        mu = 1.0 / (1.0 + np.exp(-eta))
        current = deviance(mu)
        if abs(current - previous) <= tol:
            converged = True
            break
        previous = current
    return beta, mu, converged


def _singular(gram: np.ndarray) -> bool:
    """csdid's design guard: ``rcond`` (1-norm) of a Gram matrix below machine epsilon."""
    try:
        rcond = 1.0 / np.linalg.cond(gram, 1)
    except np.linalg.LinAlgError:
        return True
    return bool(not np.isfinite(rcond) or rcond < _EPS)


def drdid_panel_cell(y1, y0, D, covariates=None, i_weights=None, trim_level: float = 0.995) -> tuple[float, np.ndarray]:
    """csdid's doubly robust 2x2 panel estimator (``csdid.attgt_fnc.drdid_trim.drdid_panel``) with its guards, faster.

    The same estimator, formula for formula (Sant'Anna & Zhao's doubly robust DiD: a weighted
    logit propensity score, trimmed at ``trim_level`` for the controls, and a weighted least
    squares outcome regression of the change on the controls), and the same influence function;
    the guards csdid applies before a built-in estimator (propensity overlap: a fitted score of
    0.999 or more; singular control or full designs) raise ``ValueError``, which csdid turns into
    the same missing cell. What differs is the linear algebra: the logit by :func:`_logit_irls`
    and the regression on the normal equations of the column-scaled design, where statsmodels
    takes an SVD of the whole design several times per cell. Passed to csdid as its ``est_method``
    (a callable is part of its API, as in R ``did``); ``tests/test_uplift_staggered.py`` checks it
    against csdid's own estimator.

    Parameters
    ----------
    y1, y0
        Outcome in the period and in the base period, per unit.
    D
        Treatment indicator (1: the cohort, 0: its controls).
    covariates
        Design (csdid passes it with its intercept column); None: intercept only.
    i_weights
        Unit weights (None: equal); only equal weights take the fast path, other weights go to csdid's own.
    trim_level
        Largest propensity score kept for a control (csdid's default).

    Returns
    -------
    (float, np.ndarray)
        The ATT of the cell (outcome units) and its influence function (one value per unit).

    Raises
    ------
    ValueError
        A guard fails (the cell is then missing, as with csdid's built-in estimator).
    """
    from csdid.attgt_fnc import drdid_trim

    D = np.asarray(D, dtype=float).ravel()
    n = len(D)
    w = np.ones(n) if i_weights is None else np.asarray(i_weights, dtype=float).ravel()
    x = drdid_trim._add_intercept(covariates, n).astype(float)
    if not np.all(w == w[0]) or w[0] <= 0 or x.shape[1] < 2:
        return _drdid_panel_csdid(y1, y0, D, x, w, trim_level)
    w = w / np.mean(w)
    delta = np.asarray(y1, dtype=float).ravel() - np.asarray(y0, dtype=float).ravel()
    control = D == 0
    xc = x[control]
    gram_c, gram = xc.T @ xc, x.T @ x
    beta, ps, converged = _logit_irls(x, D, w)
    if not np.all(np.isfinite(ps)) or float(np.max(ps)) >= 0.999:
        raise ValueError("overlap condition violated")
    if not control.any() or _singular(gram_c) or _singular(gram):
        raise ValueError("covariate matrix for control units is singular")
    if not np.all(np.isfinite(beta)):
        raise ValueError("propensity score model coefficients have NA components")
    scale = np.sqrt(np.diag(gram))
    scale[scale == 0] = 1.0
    reg = np.linalg.solve(gram_c / np.outer(scale, scale), (xc / scale).T @ delta[control]) / scale
    return _dr_formulas(delta, D, x, w, ps, reg, trim_level)


def _drdid_panel_csdid(y1, y0, D, x, w, trim_level):
    """csdid's own guards and ``drdid_panel`` (unequal weights or no covariate)."""
    from csdid.attgt_fnc import compute_att_gt_shared as shared
    from csdid.attgt_fnc import drdid_trim

    if shared.overlap_check_fail(x, D, i_weights=w) or shared.rcond_check_fail(x, D, i_weights=w) or shared.drdid_design_singular(x, w, D, "dr"):
        raise ValueError("a design guard of csdid failed")
    return drdid_trim.drdid_panel(y1, y0, D, covariates=x, i_weights=w, trim_level=trim_level)


def _dr_formulas(delta, D, x, w, ps, reg, trim_level) -> tuple[float, np.ndarray]:
    """The ATT and influence function of ``drdid_panel`` from its two nuisance fits (csdid's formulas, in its order)."""
    from csdid.attgt_fnc import drdid_trim

    n = len(D)
    ps, trim = drdid_trim._trim_pscore(ps, D, trim_level)
    out_delta = x @ reg
    resid = delta - out_delta
    w_treat = trim * w * D
    w_cont = trim * w * ps * (1 - D) / (1 - ps)
    dr_treat, dr_cont = w_treat * resid, w_cont * resid
    eta_treat = np.mean(dr_treat) / np.mean(w_treat)
    eta_cont = np.mean(dr_cont) / np.mean(w_cont)
    w_ols = w * (1 - D)
    xpx_inv = np.linalg.inv(np.dot((w_ols[:, None] * x).T, x) / n)
    lin_wols = (w_ols * resid)[:, None] * x @ xpx_inv
    lin_ps = (w * (D - ps))[:, None] * x @ drdid_trim._pscore_hessian(x, w, ps)
    inf_treat = (dr_treat - w_treat * eta_treat - lin_wols @ np.mean(w_treat[:, None] * x, axis=0)) / np.mean(w_treat)
    m2 = np.mean((w_cont * (resid - eta_cont))[:, None] * x, axis=0)
    m3 = np.mean(w_cont[:, None] * x, axis=0)
    inf_control = (dr_cont - w_cont * eta_cont + lin_ps @ m2 - lin_wols @ m3) / np.mean(w_cont)
    return float(eta_treat - eta_cont), inf_treat - inf_control


def _fit_csdid(
    panel: pd.DataFrame, cohort: pd.Series, *, anticipation: int, n_bootstrap: int, ci_level: float, covariates: tuple[str, ...], outcome: str = "revenue"
):
    from csdid.att_gt import ATTgt

    data = panel.assign(id=pd.factorize(panel["customer_id"])[0] + 1, g=panel["customer_id"].map(cohort).astype("int64"))
    formula = f"{outcome} ~ " + (" + ".join(covariates) if covariates else "1")
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        att = ATTgt(
            yname=outcome, tname="month", idname="id", gname="g", data=data, control_group="notyettreated", xformla=formula,
            anticipation=anticipation, biters=n_bootstrap, alp=1 - ci_level, cband=False,
        )  # fmt: skip
        att.fit(est_method=drdid_panel_cell if covariates else "dr", base_period="universal", bstrap=True)
    return att


def _aggregate(att, *, min_e: int, max_e: int, balance_e: int | None, n_bootstrap: int, ci_level: float) -> dict:
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        att.aggte(typec="dynamic", min_e=min_e, max_e=max_e, balance_e=balance_e, na_rm=True, bstrap=True, biters=n_bootstrap, alp=1 - ci_level, cband=False)
    a = att.atte
    z = stats.norm.ppf(0.5 + ci_level / 2)
    es = pd.DataFrame({"event_month": np.asarray(a["egt"], dtype=int), "att": np.asarray(a["att_egt"], dtype=float), "se": np.ravel(a["se_egt"])})
    es["ci_low"], es["ci_high"] = es["att"] - z * es["se"], es["att"] + z * es["se"]
    return {"att": float(a["overall_att"]), "se": float(np.ravel(a["overall_se"])[0]), "event_study": es[EVENT_COLUMNS]}


def estimate_staggered(
    transactions: pd.DataFrame,
    companies: pd.DataFrame,
    *,
    end: pd.Timestamp,
    launch: pd.Timestamp,
    pre_months: int = 12,
    donut_days: int = 0,
    n_bootstrap: int = 499,
    ci_level: float = 0.95,
    seed: int = 42,
    covariates: tuple[str, ...] = COVARIATES,
    min_cohort_companies: int = 5,
    outcome: str = "trailing_12m",
) -> StaggeredResult:
    """Extra revenue per enrolled company in year 1 and year 2 after enrolment (see the module docstring).

    Parameters
    ----------
    transactions
        ``customer_id, date, amount``, all history (before the period too).
    companies
        ``customer_id, enrolled_on`` of every company (NaT: never enrolled).
    end, launch
        The reference date and the programme's launch.
    pre_months
        Months of history before the launch month in the panel (pre-trend leads).
    donut_days
        Days on each side of the enrolment day left out of both windows (the enrolment month always is).
    n_bootstrap, ci_level, seed
        Multiplier-bootstrap draws, confidence level (0-1) and seed.
    covariates
        Columns of :func:`build_panel` used by the doubly robust estimator.
    min_cohort_companies
        Cohorts (enrolment months) with fewer companies are left out and reported.
    outcome
        ``trailing_12m`` (default): each window is one comparison of 12-month revenue sums, the
        window against the 12 months before the donut, adjusted on that pre-window's revenue (an
        ANCOVA-like doubly robust DiD, far less noisy than single months); ``revenue``: the sum of
        twelve monthly effects, each against the single base month.

    Returns
    -------
    StaggeredResult

    Raises
    ------
    ValueError
        No company bought before the launch, or none enrolled after it.
    """
    end, launch = pd.Timestamp(end), pd.Timestamp(launch)
    eligible, notes = _eligible(transactions, companies, launch=launch)
    cohort, anticipation = assign_cohorts(eligible, donut_days=donut_days)
    panel = build_panel(transactions, eligible, launch=launch, end=end, pre_months=pre_months, latent=bool(set(covariates) & set(LATENT)))
    panel, cohort = _drop_small_cohorts(panel, cohort, min_companies=min_cohort_companies, notes=notes)
    if outcome == "trailing_margin_12m":
        covariates = tuple("margin_12m_to_date" if c == "revenue_12m_to_date" else c for c in covariates)
    with _seeded(seed):
        att = _fit_csdid(panel, cohort, anticipation=anticipation, n_bootstrap=n_bootstrap, ci_level=ci_level, covariates=covariates, outcome=outcome)
        windows, event_study = _windows(att, panel, cohort, n_bootstrap=n_bootstrap, ci_level=ci_level, outcome=outcome)
    return StaggeredResult(
        windows=windows,
        event_study=event_study,
        pre_trend_p=_pre_trend_p(event_study, anticipation=anticipation),
        panel_companies=int(panel["customer_id"].nunique()),
        enrolled_companies=int(((cohort > 0) & (cohort <= panel["month"].max())).sum()),
        anticipation=anticipation,
        outcome_sd=float(panel.loc[panel["month"] == month_index(pd.DatetimeIndex([launch]))[0] - 1, outcome].std()),
        member_revenue=_window_means(panel, cohort, windows, outcome=outcome),
        notes=notes,
    )


def _eligible(transactions: pd.DataFrame, companies: pd.DataFrame, *, launch: pd.Timestamp) -> tuple[pd.DataFrame, list[str]]:
    """The companies that bought before the launch (the population the sales team could invite), and a note on the others."""
    first_buy = transactions[transactions["amount"] > 0].groupby("customer_id")["date"].min()
    first = first_buy.reindex(companies["customer_id"].to_numpy()).to_numpy(dtype="datetime64[ns]")  # NaT: never bought
    eligible = companies[first < np.datetime64(launch)].reset_index(drop=True)
    notes = []
    left_out = len(companies) - len(eligible)
    if left_out:
        notes.append(
            tr(
                "{n} companies with no purchase before the launch ({launch}) are left out: nobody could invite them on their history.",
                n=left_out,
                launch=fmt.date(launch),
            )
        )
    if eligible["enrolled_on"].notna().sum() == 0:
        raise ValueError("no company that bought before the launch enrolled: the programme's effect cannot be estimated")
    return eligible, notes


def _drop_small_cohorts(panel: pd.DataFrame, cohort: pd.Series, *, min_companies: int, notes: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Leave out enrolment months with fewer than ``min_companies`` companies (noted)."""
    sizes = cohort[cohort > 0].value_counts()
    small = sizes[sizes < min_companies].index
    if len(small):
        notes.append(
            tr(
                "{n} enrolled companies in {months} enrolment months with fewer than {min_companies} companies are left out.",
                n=int(sizes[small].sum()),
                months=len(small),
                min_companies=min_companies,
            )
        )
        keep = ~panel["customer_id"].map(cohort).isin(small)
        panel, cohort = panel[keep], cohort[~cohort.isin(small)]
    return panel, cohort


def _window_means(panel: pd.DataFrame, cohort: pd.Series, windows: pd.DataFrame, *, outcome: str) -> dict[str, float]:
    """Mean 12-month outcome of the evaluated enrolled companies over each window."""
    g = panel["customer_id"].map(cohort)
    out = {}
    for w in windows.itertuples(index=False):
        at_end = panel[(g > 0) & (panel["month"] == g + w.last_month)]
        out[w.window] = float(at_end[outcome].mean()) if len(at_end) else float("nan")
    return out


def _windows(att, panel: pd.DataFrame, cohort: pd.Series, *, n_bootstrap: int, ci_level: float, outcome: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    last = int(panel["month"].max())
    z = stats.norm.ppf(0.5 + ci_level / 2)
    rows = []
    for year, (lo, hi) in enumerate(((0, 11), (12, 23)), 1):
        observed = cohort[(cohort > 0) & (cohort + hi <= last)]
        if observed.nunique() < 1:
            continue
        if outcome.startswith("trailing"):  # the 12-month sum ending at the window's last month, against the 12 before the donut
            agg = _aggregate(att, min_e=hi, max_e=hi, balance_e=hi, n_bootstrap=n_bootstrap, ci_level=ci_level)
            total, se = agg["att"], agg["se"]
        else:
            agg = _aggregate(att, min_e=lo, max_e=hi, balance_e=hi, n_bootstrap=n_bootstrap, ci_level=ci_level)
            total, se = 12 * agg["att"], 12 * agg["se"]
        rows.append((f"year {year}", lo, hi, total, se, total - z * se, total + z * se, int(observed.nunique()), int(len(observed))))
    full = _aggregate(att, min_e=-np.inf, max_e=np.inf, balance_e=None, n_bootstrap=n_bootstrap, ci_level=ci_level)["event_study"]
    return pd.DataFrame(rows, columns=WINDOW_COLUMNS), full


def _pre_trend_p(event_study: pd.DataFrame, *, anticipation: int) -> float | None:
    """Wald test that the effects on the 12-month windows before the donut are 0.

    Only leads 12, 24, ... months before the first left-out month are used: their 12-month windows
    do not overlap, so treating them as independent is a fair simplification (overlapping
    windows would share most of their months and over-reject).
    """
    e = event_study["event_month"]
    spaced = (e < -anticipation) & ((-e - anticipation - 1) % 12 == 0) & (e <= -anticipation - 13)
    leads = event_study[spaced & (event_study["se"] > 0)]
    if leads.empty:
        return None
    chi2 = float(((leads["att"] / leads["se"]) ** 2).sum())
    return float(stats.chi2.sf(chi2, df=len(leads)))
