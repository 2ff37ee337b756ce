"""Headline figures: ``metrics.json``, one flat and stable map per run.

Notebooks record figures through :meth:`workbench.Workbench.record`, which calls
:func:`record`. Keys are dotted, lower-case paths such as
``data.transactions.rows_read``; values are numbers, strings, booleans or null.

Under ``workbench run`` several notebooks run at once, so each writes its own part,
``metrics/<notebook>.json``; the runner merges the parts in notebook order into
``metrics.json`` (:func:`merge_parts`), which gives the file a sequential run writes.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from workbench.reporting import parts

METRICS_FILE = "metrics.json"
PARTS_DIR = "metrics"
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


def _path(run_dir: Path, part: str | None) -> Path:
    return parts.part_path(run_dir, folder=PARTS_DIR, whole=METRICS_FILE, part=part)


def read_metrics(run_dir: Path, *, part: str | None = None) -> dict[str, Any]:
    """The metrics recorded so far in ``run_dir`` (empty if none); with ``part``, that notebook's own."""
    path = _path(run_dir, part)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_metrics(run_dir: Path, metrics: dict[str, Any], *, part: str | None = None) -> None:
    """Merge ``metrics`` into ``run_dir/metrics.json`` (keys sorted, stable); with ``part``, into ``metrics/<part>.json``."""
    merged = read_metrics(run_dir, part=part)
    merged.update({check_key(k): to_json_value(v) for k, v in metrics.items()})
    path = _path(run_dir, part)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(dict(sorted(merged.items())), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def merge_parts(run_dir: Path, parts: list[str]) -> dict[str, list[str]]:
    """Merge the notebooks' parts into ``metrics.json`` in the order given, then delete them.

    Parameters
    ----------
    run_dir
        The run folder.
    parts
        The notebooks' names, in run order (a notebook that recorded nothing has no part).

    Returns
    -------
    dict
        Each notebook's figures: the keys it recorded that were new or changed at its turn,
        sorted (what a notebook contributed to ``metrics.json`` in a sequential run).
    """
    merged = read_metrics(run_dir)
    figures = {}
    for part in parts:
        own = read_metrics(run_dir, part=part)
        figures[part] = sorted(k for k, v in own.items() if k not in merged or merged[k] != v)
        merged.update(own)
    write_metrics(run_dir, merged)
    clear_parts(run_dir)
    return figures


def clear_parts(run_dir: Path) -> None:
    """Delete the folder of per-notebook parts (before a run, and once merged)."""
    parts.clear(run_dir, folder=PARTS_DIR)


def record(key: str, value: Any, *, run_dir: Path | None, store: dict[str, Any] | None = None, part: str | None = None) -> None:
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
    part
        The notebook's name under ``workbench run``: the figure goes to its part file.
    """
    clean = to_json_value(value)
    check_key(key)
    if store is not None:
        store[key] = clean
    if run_dir is not None:
        write_metrics(Path(run_dir), {key: clean}, part=part)
