"""The future: each company's true factual revenue and margin in the 24 months after ``end``.

``future.csv`` (for checking CLV forecasts): one row per company, by id, with ``customer_id``,
``revenue`` and ``margin`` (EUR, rounded to the cent as the exported amounts): the net revenue
and margin of the purchases the company makes from ``end + 1 day`` to
``add_months(end, 24)`` (both included) in the factual world, their credit notes included when
dated in that window. Credit notes dated after ``end`` of purchases made on or before ``end``
are not counted (they belong to past purchases). A company that has dropped out by ``end``
(its dropout purchase is dated on or before ``end``) has 0.

The purchase process continues past ``end`` as before (:mod:`.purchases`): rate
``lambda_i * s(t) * m_i(t)`` with the same seasonality, the programme multiplier of the
scenario (``1 + effect`` from the enrolment day on, fading in the ``fading`` scenario), dropout
with probability ``p_i`` after each purchase, Gamma-Gamma amounts, the same product ranges,
margins and credit-note rules. By the memorylessness of the Poisson process the continuation
of a company alive at ``end`` is drawn afresh from ``end + 1 day`` from a new random stream
(``future``, one child per company), so the written tables do not change. Truth key
``future_months`` (24) gives the window length. With the ``pareto`` and ``dormant`` processes
(:mod:`.processes`) the continuation has no dropout and keeps only the purchases dated while
the company is alive or active, on the spells already drawn past ``end`` (the same spells as
before ``end``): a company dormant at ``end`` may come back.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from .base import Grid, add_months, cents_to_float, rng
from .companies import Companies
from .constants import FUTURE_MONTHS
from .processes import States
from .purchases import DRAW_FIELDS, attributes_from_draws, draw_block, season

#: Columns of ``future.csv``, in file order.
FUTURE_COLUMNS = ("customer_id", "revenue", "margin")


def future_table(
    grid: Grid,
    companies: Companies,
    *,
    death_f: np.ndarray,
    enrolled: np.ndarray,
    steps: list[tuple[np.ndarray, float]],
    seasonality: float,
    ss: np.random.SeedSequence,
    states: States | None = None,
    rate_scale: float = 1.0,
) -> pd.DataFrame:
    """``future.csv``: factual revenue and margin per company in the 24 months after ``end``.

    Parameters
    ----------
    grid : Grid
        The day grid.
    companies : Companies
        The latent draws (rate per week, dropout probability, spend rate) and typologies.
    death_f : numpy.ndarray
        Factual day index of each company's dropout purchase (int64 max if none).
    enrolled : numpy.ndarray
        Whether each company enrolled.
    steps : list of (numpy.ndarray, float)
        The programme multiplier of the rate, as in :func:`.scenarios.effect_steps`.
    seasonality : float
        Amplitude of the seasonality (fraction of the mean rate).
    ss : numpy.random.SeedSequence
        The ``future`` stream.
    states : States or None
        The spells of the ``pareto`` or ``dormant`` process (:mod:`.processes`): no dropout,
        purchases kept only on days the company is alive or active (``death_f`` is then not
        used); None for ``bgnbd``.
    rate_scale : float
        The purchase rate is ``rate_scale * lambda_i`` (no unit; 1 for ``bgnbd``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FUTURE_COLUMNS`, one row per company by id; amounts in EUR.
    """
    n = len(companies.lam)
    end = grid.d0 + timedelta(days=grid.last)
    n_future = (add_months(end, FUTURE_MONTHS) - end).days
    first = np.datetime64(end.isoformat(), "D") + 1
    s = season(first + np.arange(n_future), seasonality)
    day_idx = grid.last + 1 + np.arange(n_future)
    if states is None:
        alive = np.flatnonzero(death_f > grid.last)
        p_drop = companies.p_drop
    else:
        alive = np.flatnonzero(states.active_between(grid.last + 1, grid.last + n_future))
        p_drop = np.zeros(n)
    mult = np.ones((len(alive), n_future))
    for start, m in steps:
        on = enrolled[alive, None] & (day_idx[None, :] >= start[alive, None])
        mult = np.where(on, m, mult)
    ell = companies.lam[alive] / 7.0 * rate_scale  # per day
    cum = np.concatenate([np.zeros((len(alive), 1)), np.cumsum(s[None, :] * mult, axis=1)], axis=1) * ell[:, None]
    children = ss.spawn(n)
    revenue = np.zeros(n, dtype=np.int64)
    margin = np.zeros(n, dtype=np.int64)
    for row, i in enumerate(alive):
        draws, day = _future_purchases(rng(children[i]), p_drop[i], companies.nu[i], cum[row])
        if states is not None:
            made = states.active(np.full(len(day), i), grid.last + 1 + day)
            draws, day = {f: v[made] for f, v in draws.items()}, day[made]
        if not len(day):
            continue
        amount_c = np.rint(draws["Z"] * 100.0).astype(np.int64)
        attrs = attributes_from_draws(draws, amount_c, np.full(len(day), companies.typ[i]))
        cn = attrs.has_cn & (day + draws["cn_delay"] < n_future)
        revenue[i] = amount_c.sum() + attrs.cn_amount_c[cn].sum()
        margin[i] = attrs.margin_c.sum() + attrs.cn_margin_c[cn].sum()
    return pd.DataFrame({"customer_id": companies.ids, "revenue": cents_to_float(revenue), "margin": cents_to_float(margin)}).astype({"customer_id": "str"})


def _future_purchases(g: np.random.Generator, p_drop: float, nu: float, cum: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One alive company's purchases after ``end``: their draws and day offsets (0 = ``end + 1 day``).

    ``cum[k]`` is the company's cumulative intensity at the start of future day ``k``; draws come
    in blocks of ``BLOCK`` (the fields of ``DRAW_FIELDS``) until the unit-rate time passes
    ``cum[-1]`` or a dropout occurs; the dropout purchase itself is kept.
    """
    blocks: list[dict[str, np.ndarray]] = []
    total = 0.0
    while True:
        blk = draw_block(g, nu)
        blk["tau"] = total + np.cumsum(blk["E"])
        total = float(blk["tau"][-1])
        blocks.append(blk)
        if total > cum[-1] or (blk["U"] < p_drop).any():
            break
    draws = {f: np.concatenate([b[f] for b in blocks]) for f in (*DRAW_FIELDS, "tau")}
    keep = int(np.searchsorted(draws["tau"], cum[-1], side="right"))
    hit = np.flatnonzero(draws["U"][:keep] < p_drop)
    if hit.size:
        keep = int(hit[0]) + 1
    draws = {f: v[:keep] for f, v in draws.items()}
    day = np.searchsorted(cum, draws["tau"], side="left") - 1
    return draws, day
