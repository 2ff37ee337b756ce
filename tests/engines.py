"""Both data engines on the same inputs: the pandas path and the DuckDB path must agree exactly.

:func:`load_dataset` is a drop-in for :func:`workbench.data.load_dataset` in the tests: it loads
with both engines, checks that they give the same tables, ledger and rejected rows
(``assert_frame_equal``) or the same ``DataError`` message, and returns the pandas result.
"""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.data import load_dataset as _load
from workbench.errors import DataError


def assert_same_dataset(expected, actual) -> None:
    """Same ledger, rejected rows and tables (names, order, rows, dtypes)."""
    pd.testing.assert_frame_equal(actual.ledger, expected.ledger)
    pd.testing.assert_frame_equal(actual.rejected, expected.rejected)
    assert list(actual.tables) == list(expected.tables)
    for name in expected.tables:
        pd.testing.assert_frame_equal(actual.tables[name], expected.tables[name], obj=f"tables[{name!r}]")


def load_dataset(params, **kwargs):
    """Load with the pandas and the DuckDB engine; assert they agree; return the pandas dataset (or raise its error)."""
    try:
        expected = _load(params, engine="pandas", **kwargs)
    except DataError as exc:
        with pytest.raises(DataError) as duck:
            _load(params, engine="duckdb", **kwargs)
        assert str(duck.value) == str(exc)
        raise
    assert_same_dataset(expected, _load(params, engine="duckdb", **kwargs))
    return expected
