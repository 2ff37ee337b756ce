"""Seeded, realistic simulated B2B loyalty programme with a known ground truth.

The simulator produces the six canonical input tables of the workbench
(``transactions``, ``customers``, ``members``, ``points``, ``events``,
``surveys``) together with ``truth``: the exact parameters and counterfactual
quantities used to generate them, and two truth tables: ``truth_members`` (the
revenue of every enrolled company per month in the factual and the
counterfactual world) and ``future`` (each company's revenue and margin in the
24 months after ``end``). It is meant for demos, notebook smoke tests, for
checking that the loader and the models recover what was put in, and for
benchmarking the uplift estimator in harder worlds.

Scenarios
---------
``simulate(scenario=NAME, null=False)``, ``workbench simulate --scenario NAME
[--null]`` (:mod:`.scenarios`, where each is documented with what an estimator
matching on observed history can and cannot see):

- ``observables`` (default): enrolment on the observed pre-launch history
  (today's world; its tables are byte-identical to earlier versions);
- ``latent``: enrolment on the latent purchase rate and amount per purchase,
  not on the observed history (about the same enrolment share);
- ``survival``: as ``observables``, but only companies alive on their enrolment
  day join;
- ``latent_survival``: both (a company that has quietly stopped buying never
  signs up, and the sales team invites on how active companies really are);
- ``signup``: a sign-up order on the enrolment day, pulled forward from the
  company's later purchases (factual world only);
- ``fading``: the effect is full for 12 months, half in months 13-24, then none;
- ``null=True``: the same world with no effect.

Rewarded ranges
---------------
``simulate(rewarded_ranges=(...), halo=0.0)``, ``workbench simulate --rewarded-ranges A,B
[--halo H]`` (:mod:`.ranges`), with every scenario and process: the effect acts only on the
rewarded product ranges (the others keep their base purchase rate, or ``halo`` of the effect),
and ``truth.json`` gains the negative-control truth (the year-1 and year-2 effect on the other
ranges' revenue). Without it the effect acts on every range and the tables are unchanged.

Purchase processes
------------------
``simulate(process=NAME)``, ``workbench simulate --process NAME`` (:mod:`.processes`), with
every scenario and its null variant. The uplift estimators use BG/NBD's P(alive) and expected
purchases as covariates; validating them only on BG/NBD worlds would be circular, so two
processes break BG/NBD's lifetime assumption while keeping the rest of the model (purchase and
spend rates, Gamma-Gamma amounts, seasonality, credit notes, margins, the programme effect on
the rate while alive or active, the selection rules, ``truth_members.csv`` and the year truths):

- ``bgnbd`` (default): dropout only right after a repeat purchase (BG/NBD is correctly
  specified; the tables are byte-identical to earlier versions);
- ``pareto``: an exponential lifetime in continuous time, independent of the purchases
  (Pareto/NBD-like): a company can die between purchases, a long silence is followed by
  nothing, and a higher rate does not bring death forward. It breaks the BG/NBD P(alive) (and
  the link between purchases and dropout) that the staggered estimator balances;
- ``dormant``: active and dormant spells (a two-state hidden Markov process in continuous
  time, heterogeneous rates), buying only while active: a quiet company may come back, which
  neither BG/NBD nor Pareto/NBD allow. It breaks any P(alive) covariate (a silence is not
  death) and turns the survival condition of the estimand into "active on the enrolment day".

Both are calibrated on the ``bgnbd`` worlds (the purchase rate of a living company is scaled,
``rate_scale``): yearly revenue per company buying in the year and the share of companies
still buying in their third year are in the same range (figures in :mod:`.processes`).

Generative model
----------------
Time runs on a daily grid from ``start - 365 days`` to ``end``. All rates are
expressed **per week** (``truth["time_unit"] == "week"``, lifetimes'
convention). Each step of the model is documented in its module:

- :mod:`.companies`: latent purchase, dropout and spend rates, births, typology,
  region, acquisition channel (the ``customers`` table);
- :mod:`.purchases`: the BG/NBD purchase process in both worlds (factual and
  counterfactual), Gamma-Gamma spend, seasonality, credit notes, margins
  (the ``transactions`` table);
- :mod:`.programme`: launch, invitation and enrolment on observable pre-launch
  behaviour, statuses, people with roles (the ``members`` table);
- :mod:`.points`: the signed points ledger with FIFO expiry (``points``);
- :mod:`.engagement`: programme events and yearly surveys (``events``, ``surveys``);
- :mod:`.dirty`: the dirty rows the loader must reject;
- :mod:`.truth`: every key of ``truth`` (``truth.json``), including the
  factual-minus-counterfactual ATT;
- :mod:`.scenarios`: the harder worlds and their null variants;
- :mod:`.ranges`: an effect on the rewarded product ranges only, and the negative-control truth;
- :mod:`.processes`: the ``pareto`` and ``dormant`` purchase processes (the spells of each
  company, thinning the Poisson purchases of :mod:`.purchases`);
- :mod:`.effects`: ``truth_members`` and the year-1 / year-2 intent-to-treat
  effect (``uplift_year1_att``, ``uplift_year2_att``);
- :mod:`.future`: ``future``, the purchase process continued past ``end``;
- :mod:`.pipeline` runs the steps (:func:`simulate`), :mod:`.writer` writes the
  files (:func:`write_simulation`); :mod:`.constants` holds every parameter and
  :mod:`.base` the arguments, random streams and day grid.

Tables
------
Every value is stored as written to CSV: ids and dates (ISO ``YYYY-MM-DD``)
as strings, amounts in EUR rounded to the cent as floats, points, quantities
and scores as integers, missing values as NaN / NA (empty in the CSV). The
dirty ``transactions`` columns ``amount`` and ``date`` hold the spoiled text,
so ``amount`` is an object column when ``dirty=True``. Row order:
transactions by date, customer, invoice; customers by id; members by id;
points by customer, date, kind order; events by date, customer, person,
kind; surveys by date, customer (dirty rows inserted at random positions).

The truth tables (``Simulation.truth_tables``) are written as
``truth_members.csv`` and ``future.csv`` by ``write_simulation(...,
truth_tables=True)`` and by ``workbench simulate``; they are not workbench
inputs (``workbench init --demo`` does not write them).

All numbers in ``truth`` are plain Python ``int``/``float`` (or ``None``);
the same arguments always give byte-identical files.
"""

from .constants import DIRTY_REASONS, PROCESSES, SCENARIOS, TABLE_COLUMNS
from .pipeline import Simulation, simulate
from .pipeline import _build as _build  # for tests: simulate plus the latent draws
from .writer import TRUTH_TABLE_COLUMNS, write_simulation

__all__ = [
    "DIRTY_REASONS",
    "PROCESSES",
    "SCENARIOS",
    "TABLE_COLUMNS",
    "TRUTH_TABLE_COLUMNS",
    "Simulation",
    "simulate",
    "write_simulation",
]
