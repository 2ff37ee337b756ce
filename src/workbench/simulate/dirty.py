"""Dirty rows: the rows the loader must reject, each counted in ``truth["dirty"]``.

Dirty rows (``dirty=True`` only)
    A small fixed number of rows, each copied from a distinct clean row and
    spoiled in exactly one way, inserted at random positions: transactions
    with an empty ``customer_id`` (4), an unparseable date (3, e.g.
    ``2023-02-30`` or ``2023-13-01``), an unparseable amount (3, ``abc``), an exact
    copy of a clean row (5); events whose customer id exists nowhere (4,
    ``C99999``). Fewer if the clean table is too small. Clean rows are never
    exact duplicates of each other in any table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import rng
from .constants import DIRTY_EVENTS, DIRTY_REASONS, DIRTY_TRANSACTIONS


def add_dirty_rows(
    clean: dict[str, pd.DataFrame], *, dirty: bool, n: int, id_width: int, ss: np.random.SeedSequence
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, int]]]:
    """Spoil the transactions and events (if ``dirty``) from the ``dirty`` stream ``ss``.

    Parameters
    ----------
    clean : dict of str to pandas.DataFrame
        The clean tables; not modified.
    dirty : bool
        Whether to add dirty rows at all.
    n, id_width : int
        Number of companies and digits of their ids (to build an id that exists nowhere).
    ss : numpy.random.SeedSequence
        The ``dirty`` stream.

    Returns
    -------
    (tables, counts)
        The tables as written, and ``{table: {reason: rows}}`` (all zero when not ``dirty``).
    """
    rd = rng(ss)
    counts = {
        "transactions": {k: 0 for k in DIRTY_REASONS["transactions"]},
        "events": {k: 0 for k in DIRTY_REASONS["events"]},
    }
    tables = dict(clean)
    if dirty:
        tables["transactions"], counts["transactions"] = spoil_transactions(clean["transactions"], rd)
        unknown = "C" + "9" * id_width if n < 10**id_width - 1 else "C" + "9" * (id_width + 1)
        tables["events"], counts["events"] = spoil_events(clean["events"], rd, unknown)
    return tables, counts


def _insert_rows(clean: pd.DataFrame, bad: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Insert ``bad`` rows at random positions of ``clean``, keeping both orders."""
    total = len(clean) + len(bad)
    slots = np.sort(rng.choice(total, size=len(bad), replace=False))
    is_bad = np.zeros(total, dtype=bool)
    is_bad[slots] = True
    order = np.empty(total, dtype=np.int64)
    order[~is_bad] = np.arange(len(clean))
    order[is_bad] = len(clean) + np.arange(len(bad))
    both = pd.concat([clean.astype(object), bad.astype(object)], ignore_index=True)
    return both.iloc[order].reset_index(drop=True)


def spoil_transactions(tx: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, int]]:
    """Copy, spoil and insert the dirty transactions; return the table and rows per reason."""
    budget = len(tx)
    counts: dict[str, int] = {}
    for reason, k in DIRTY_TRANSACTIONS.items():
        counts[reason] = min(k, budget)
        budget -= counts[reason]
    sources = rng.choice(len(tx), size=sum(counts.values()), replace=False)
    bad = tx.iloc[sources].astype(object).reset_index(drop=True)
    pos = 0
    for reason, k in counts.items():
        rows = np.arange(pos, pos + k)  # positions (bad has a fresh RangeIndex)
        if reason == "missing customer_id":
            bad.loc[rows, "customer_id"] = None
        elif reason == "unparseable date":
            years = bad.loc[rows, "date"].str.slice(0, 4)
            bad.loc[rows, "date"] = [f"{y}-02-30" if m % 2 == 0 else f"{y}-13-01" for m, y in enumerate(years)]
        elif reason == "unparseable amount":
            bad.loc[rows, "amount"] = "abc"
        pos += k
    out = _insert_rows(tx, bad, rng)
    # restore the clean dtypes; `amount` stays object if spoiled, `date` holds text anyway
    out = out.astype({c: "str" for c in ("customer_id", "date", "invoice_id", "product_range", "channel")})
    out["margin"] = out["margin"].astype(np.float64)
    out["quantity"] = out["quantity"].astype(np.int64)
    if counts["unparseable amount"] == 0:
        out["amount"] = out["amount"].astype(np.float64)
    return out, counts


def spoil_events(events: pd.DataFrame, rng: np.random.Generator, unknown: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Copy events onto the customer id ``unknown`` and insert them; return the table and rows per reason."""
    k = min(DIRTY_EVENTS["unknown customer"], len(events))
    if k == 0:
        return events, {"unknown customer": 0}
    sources = rng.choice(len(events), size=k, replace=False)
    bad = events.iloc[sources].astype(object).reset_index(drop=True)
    bad["customer_id"] = unknown
    out = _insert_rows(events, bad, rng).astype("str")
    return out, {"unknown customer": k}
