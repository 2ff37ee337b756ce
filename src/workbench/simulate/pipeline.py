"""The simulation pipeline: :func:`simulate` runs the steps in order on shared state.

Each step is a function of the arguments, the day grid and the outputs of earlier steps,
drawing from its own random stream (:class:`.base.Streams`): companies, purchases (both
worlds; thinned by the spells of the ``pareto`` or ``dormant`` process), programme, factual
days (and the sign-up orders of the ``signup`` scenario), per-purchase attributes,
ground-truth ATT, the tables (transactions, customers, members, points, events, surveys),
aggregates, dirty rows, the member-month truth, the future, truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from .base import Streams, check_args, make_grid
from .companies import customers_table, draw_companies
from .dirty import add_dirty_rows
from .effects import member_months
from .engagement import events_table, surveys_table
from .future import future_table
from .points import points_ledger
from .processes import States, draw_states, rate_scale
from .programme import draw_members, enrol_companies
from .purchases import (
    death_days,
    draw_purchases,
    factual_days,
    factual_days_schedule,
    invoice_lines,
    pull_signup_orders,
    purchase_attributes,
    transactions_table,
    world,
)
from .ranges import check_rewarded, factual_attributes, negative_control_truth
from .scenarios import Scenario, effect_steps
from .truth import aggregates, true_att, truth_dict


@dataclass(frozen=True)
class Simulation:
    """A simulated loyalty programme and the truth behind it.

    Attributes
    ----------
    tables : dict of str to pandas.DataFrame
        The canonical tables ``transactions``, ``customers``, ``members``,
        ``points``, ``events`` and ``surveys``, with the columns of
        :data:`TABLE_COLUMNS`, holding exactly what :func:`write_simulation`
        writes (dirty rows included). Amounts in EUR, points in points,
        dates as ISO strings.
    truth : dict
        JSON-serialisable ground truth; every key is documented in
        :mod:`workbench.simulate.truth`.
    truth_tables : dict of str to pandas.DataFrame
        ``truth_members`` (the member-month panel of both worlds, :mod:`.effects`) and
        ``future`` (revenue and margin in the 24 months after ``end``, :mod:`.future`);
        empty for a Simulation built by hand.
    """

    tables: dict[str, pd.DataFrame]
    truth: dict[str, Any]
    truth_tables: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class _Internals:
    """Latent draws and day indices behind one simulation (for tests).

    Day indices count days from ``start - 365 days`` (index 0).
    """

    lam: np.ndarray  # purchases per week
    p_drop: np.ndarray  # dropout probability after each repeat purchase
    nu: np.ndarray  # Gamma-Gamma spend rate, 1/EUR
    birth: np.ndarray  # day index of the first purchase
    enrol: np.ndarray  # day index of enrolment, -1 if never enrolled
    z: np.ndarray  # standardised log expected spend per week
    engagement: np.ndarray  # company engagement g_i
    death_f: np.ndarray  # day index of the factual dropout purchase, int64 max if none (pareto /
    # dormant: the last day of the last spell ended by end if inactive at end, else int64 max)
    death_cf: np.ndarray  # the same in the counterfactual world
    propensity: np.ndarray  # acceptance probability at launch
    moved: np.ndarray  # per purchase: pulled forward to the enrolment day (signup scenario)
    alive_at_enrol: np.ndarray  # enrolled and alive (active: dormant process) on the enrolment day
    states: States | None  # the spells of the pareto / dormant process, None for bgnbd


def simulate(
    *,
    n_customers: int = 2000,
    seed: int = 42,
    start: date = date(2022, 1, 1),
    end: date = date(2024, 12, 31),
    effect: float = 0.25,
    seasonality: float = 0.15,
    dirty: bool = True,
    scenario: str = "observables",
    null: bool = False,
    process: str = "bgnbd",
    lines_per_purchase: int = 1,
    rewarded_ranges: Sequence[str] | None = None,
    halo: float = 0.0,
) -> Simulation:
    """Simulate a B2B loyalty programme with a known ground truth.

    Parameters
    ----------
    n_customers : int, default 2000
        Number of companies (customers), at least 1.
    seed : int, default 42
        Seed of every random draw, a non-negative integer. The same arguments
        always give the same tables and truth.
    start, end : datetime.date
        First and last day (both included) of the analysis period; ``end``
        must be after ``start``. Transactions start 365 days before ``start``
        (out of period) and stop at ``end``.
    effect : float, default 0.25
        Causal programme effect: relative increase of the purchase rate
        (purchases per week) from the enrolment day on, ``>= 0``
        (0.25 = +25 %).
    seasonality : float, default 0.15
        Amplitude of the yearly sinusoidal seasonality of the purchase rate,
        as a fraction of the mean rate, in ``[0, 1)``.
    dirty : bool, default True
        Whether to add the dirty rows counted in ``truth["dirty"]`` to the
        transactions and events tables.
    scenario : str, default "observables"
        Who enrols and how the effect acts: ``observables`` (today's world),
        ``latent``, ``survival``, ``latent_survival``, ``signup`` or ``fading``
        (:mod:`workbench.simulate.scenarios`). ``observables`` gives the same
        tables as before scenarios existed.
    null : bool, default False
        The same world with no effect (``effect`` is ignored and 0 is used).
    process : str, default "bgnbd"
        The purchase process (:mod:`workbench.simulate.processes`): ``bgnbd`` (dropout right
        after a purchase; the tables of earlier versions), ``pareto`` (exponential lifetimes,
        death between purchases) or ``dormant`` (active and dormant spells, buying only while
        active). Works with every scenario.
    lines_per_purchase : int, default 1
        Invoice lines per invoice (a distributor's export): each purchase and credit note is
        written as this many lines sharing its invoice number, amount split in whole cents
        (:func:`workbench.simulate.purchases.invoice_lines`); truth counts then count lines.
        100,000 companies with 10 lines give about 10 M lines over three years.
    rewarded_ranges : sequence of str, optional
        Product ranges (of ``RANGES``) the programme rewards: the effect then acts on them only,
        the other ranges keep their base purchase rate (:mod:`workbench.simulate.ranges`), and
        ``truth`` gains the negative-control truth (the effect on the other ranges' revenue).
        None or empty (default): the effect acts on every range, as before (same tables).
    halo : float, default 0.0
        With ``rewarded_ranges``, the share of the effect that spills into the other ranges
        (0: none, 1: the full effect, as without the option), in ``[0, 1]``.

    Returns
    -------
    Simulation
        ``tables`` (the six canonical tables), ``truth`` (ground truth,
        JSON-serialisable) and ``truth_tables`` (``truth_members``, ``future``).
        See :mod:`workbench.simulate` for the model and
        :mod:`workbench.simulate.truth` for every truth key.

    Raises
    ------
    ValueError
        If ``n_customers < 1``, ``seed < 0``, ``end <= start``, ``effect`` is
        negative or not finite, ``seasonality`` is outside ``[0, 1)``,
        ``scenario`` is not a known scenario, ``process`` not a known process,
        ``lines_per_purchase`` is below 1, ``rewarded_ranges`` names an unknown range or every
        range, or ``halo`` is outside ``[0, 1]`` (or given without rewarded ranges).
    TypeError
        If an argument has the wrong type.
    """
    sim, _ = _build(
        n_customers=n_customers,
        seed=seed,
        start=start,
        end=end,
        effect=effect,
        seasonality=seasonality,
        dirty=dirty,
        scenario=scenario,
        null=null,
        process=process,
        lines_per_purchase=lines_per_purchase,
        rewarded_ranges=rewarded_ranges,
        halo=halo,
    )
    return sim


def _build(
    *,
    n_customers: int = 2000,
    seed: int = 42,
    start: date = date(2022, 1, 1),
    end: date = date(2024, 12, 31),
    effect: float = 0.25,
    seasonality: float = 0.15,
    dirty: bool = True,
    scenario: str = "observables",
    null: bool = False,
    process: str = "bgnbd",
    lines_per_purchase: int = 1,
    rewarded_ranges: Sequence[str] | None = None,
    halo: float = 0.0,
) -> tuple[Simulation, _Internals]:
    """:func:`simulate`, also returning the latent draws (arguments and errors as there)."""
    if not isinstance(lines_per_purchase, int) or isinstance(lines_per_purchase, bool) or lines_per_purchase < 1:
        raise ValueError(f"lines_per_purchase must be a whole number >= 1, got {lines_per_purchase!r}")
    s = check_args(n_customers, seed, start, end, effect, seasonality, dirty, scenario, null, process)
    rewarded = check_rewarded(rewarded_ranges, halo)
    sc = Scenario.named(s.scenario)
    pull = sc.signup and not s.null  # a null world has no effect of any kind: no sign-up order
    streams = Streams.spawn(s.seed)
    grid = make_grid(s.start, s.end)
    companies = draw_companies(s.n, grid, streams.companies)
    bgnbd = s.process == "bgnbd"
    scale = rate_scale(s.process)
    purchases = draw_purchases(grid, companies, effect=s.effect, seasonality=s.seasonality, ss=streams.purchases, extra=pull, dropout=bgnbd, rate_scale=scale)
    states = None if bgnbd else draw_states(s.process, companies.lam, companies.birth, grid, streams.process)
    if states is not None:  # the counterfactual purchases made while alive / active
        purchases = replace(purchases, day_cf=states.thin(purchases.comp, purchases.day_cf))
    prog = enrol_companies(grid, companies, purchases, streams.programme, latent=sc.latent, survival=sc.survival, states=states)
    steps = effect_steps(grid, prog.enrol, effect=s.effect, fading=sc.fading)
    if sc.fading and s.effect > 0:  # without an effect both formulas give the counterfactual days
        day_f = factual_days_schedule(purchases, enrolled=prog.enrolled, steps=steps, n_days=grid.n_days)
    else:
        day_f, _ = factual_days(purchases, enrolled=prog.enrolled, enrol=prog.enrol, effect=s.effect, n_days=grid.n_days)
    if states is not None:  # factual days from the unthinned clock, then the same spells
        day_f = states.thin(purchases.comp, day_f)
    moved = np.zeros(len(day_f), dtype=bool)
    if pull:
        day_f, moved = pull_signup_orders(day_f, purchases, enrolled=prog.enrolled, enrol=prog.enrol)
    death_f = death_days(purchases, day_f) if states is None else states.last_active_day(grid.last)
    attrs = purchase_attributes(purchases, companies.typ)  # the counterfactual world's (and the factual one's without rewarded ranges)
    # with rewarded ranges only the range, margin and quantity of members' purchases after enrolment change
    attrs_f = attrs if rewarded is None else factual_attributes(purchases, companies.typ, day_f, enrolled=prog.enrolled, steps=steps, rewarded=rewarded)
    wf = world(day_f, purchases, attrs_f, last=grid.last)
    wc = world(purchases.day_cf, purchases, attrs, last=grid.last)
    att = true_att(grid, purchases, attrs, status=prog.status, enrol=prog.enrol, factual=wf, counterfactual=wc)
    tx = invoice_lines(transactions_table(wf, purchases, attrs_f, ids=companies.ids, grid=grid), lines_per_purchase)
    members = draw_members(grid, companies, prog, streams.members)
    points, challenges = points_ledger(grid, companies, prog, members, purchases, attrs_f, wf, streams.points)
    clean = {
        "transactions": tx.table,
        "customers": customers_table(companies, grid, status=prog.status, enrolled=prog.enrolled, enrol=prog.enrol),
        "members": members.table,
        "points": points,
        "events": events_table(grid, members, death_f=death_f, challenges=challenges, cust_ids=companies.ids, ss=streams.events),
        "surveys": surveys_table(grid, companies, prog, start=s.start, end=s.end, death_f=death_f, ss=streams.surveys),
    }
    agg = aggregates(clean, tx, grid, status=prog.status, enrolled=prog.enrolled)
    tables, dirty_counts = add_dirty_rows(clean, dirty=s.dirty, n=s.n, id_width=companies.id_width, ss=streams.dirty)
    panel = member_months(grid, purchases, attrs, enrol=prog.enrol, ids=companies.ids, factual=wf, counterfactual=wc)
    future = future_table(
        grid, companies, death_f=death_f, enrolled=prog.enrolled, steps=steps, seasonality=s.seasonality, ss=streams.future, states=states, rate_scale=scale
    )
    internals = _internals(companies, prog, purchases, states, death_f=death_f, moved=moved)
    years = panel.years
    if rewarded is not None:
        years = years | negative_control_truth(
            grid, purchases, attrs_f=attrs_f, attrs_c=attrs, enrol=prog.enrol, factual=wf, counterfactual=wc, rewarded=rewarded
        )
    truth = truth_dict(s, grid, att, agg, dirty_counts, years=years)
    return Simulation(tables=tables, truth=truth, truth_tables={"truth_members": panel.table, "future": future}), internals


def _internals(companies, prog, purchases, states: States | None, *, death_f: np.ndarray, moved: np.ndarray) -> _Internals:
    """The latent draws and day indices of one simulation (:class:`_Internals`), for tests."""
    death_cf = death_days(purchases, purchases.day_cf) if states is None else death_f
    alive = death_cf >= prog.enrol if states is None else states.active(np.arange(len(prog.enrol)), prog.enrol)
    return _Internals(
        lam=companies.lam,
        p_drop=companies.p_drop,
        nu=companies.nu,
        birth=companies.birth,
        enrol=prog.enrol,
        z=companies.z,
        engagement=companies.engagement,
        death_f=death_f,
        death_cf=death_cf,
        propensity=prog.propensity,
        moved=moved,
        alive_at_enrol=prog.enrolled & alive,
        states=states,
    )
