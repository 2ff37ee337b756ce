"""Seeded, realistic simulated B2B loyalty programme with a known ground truth.

The simulator produces the six canonical input tables of the workbench
(``transactions``, ``customers``, ``members``, ``points``, ``events``,
``surveys``) together with ``truth``: the exact parameters and counterfactual
quantities used to generate them. It is meant for demos, notebook smoke tests
and for checking that the loader and the models recover what was put in.

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

All numbers in ``truth`` are plain Python ``int``/``float`` (or ``None``);
the same arguments always give byte-identical files.
"""

from .constants import DIRTY_REASONS, TABLE_COLUMNS
from .pipeline import Simulation, simulate
from .pipeline import _build as _build  # for tests: simulate plus the latent draws
from .writer import write_simulation

__all__ = [
    "DIRTY_REASONS",
    "TABLE_COLUMNS",
    "Simulation",
    "simulate",
    "write_simulation",
]
