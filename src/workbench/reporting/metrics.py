"""Headline figures: ``metrics.json``, one flat and stable map per run.

Notebooks record figures through :meth:`workbench.Workbench.record`, which calls
:func:`record`. Keys are dotted, lower-case paths such as
``data.transactions.rows_read``; values are numbers, strings, booleans or null.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

METRICS_FILE = "metrics.json"
_KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_\-]+)+$")


def slug(text: str) -> str:
    """A name as a metric key part: ``"Can't Lose Them"`` -> ``"cant_lose_them"``."""
    cleaned = re.sub(r"[^a-z0-9]+", "_", str(text).lower().replace("'", ""))
    return cleaned.strip("_") or "none"


def to_json_value(value: Any) -> Any:
    """A scalar as plain JSON: numpy numbers become Python numbers, NaN becomes None.

    Raises
    ------
    TypeError
        The value is not a scalar (a metric is one figure).
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    raise TypeError(f"a metric must be a number, string, boolean or None, got {type(value).__name__}")


def check_key(key: str) -> str:
    """Raise ValueError unless ``key`` is a dotted lower-case path."""
    if not _KEY.match(key):
        raise ValueError(f"metric key {key!r} must be dotted lower-case words such as 'kpi.activation_rate' (use workbench.reporting.metrics.slug for names)")
    return key


def read_metrics(run_dir: Path) -> dict[str, Any]:
    """The metrics recorded so far in ``run_dir`` (empty if none)."""
    path = Path(run_dir) / METRICS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_metrics(run_dir: Path, metrics: dict[str, Any]) -> None:
    """Merge ``metrics`` into ``run_dir/metrics.json`` (keys sorted, stable)."""
    merged = read_metrics(run_dir)
    merged.update({check_key(k): to_json_value(v) for k, v in metrics.items()})
    path = Path(run_dir) / METRICS_FILE
    path.write_text(json.dumps(dict(sorted(merged.items())), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def record(key: str, value: Any, *, run_dir: Path | None, store: dict[str, Any] | None = None) -> None:
    """Record one headline figure.

    Parameters
    ----------
    key
        Dotted lower-case path, e.g. ``kpi.activation_rate``.
    value
        A scalar; numpy scalars are converted, NaN is stored as null.
    run_dir
        The run folder; None (interactive use) keeps the figure in ``store`` only.
    store
        An in-memory dict that also receives the figure.
    """
    clean = to_json_value(value)
    check_key(key)
    if store is not None:
        store[key] = clean
    if run_dir is not None:
        write_metrics(Path(run_dir), {key: clean})
