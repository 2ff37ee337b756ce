"""Writing a simulation: one CSV per canonical table plus ``truth.json``."""

from __future__ import annotations

import json
import pathlib

from .constants import TABLE_COLUMNS
from .pipeline import Simulation


def write_simulation(sim: Simulation, out_dir: pathlib.Path) -> list[pathlib.Path]:
    """Write a simulation as ``<table>.csv`` files plus ``truth.json``.

    CSV files are UTF-8, comma separated, ``.`` as decimal mark, ``\\n`` line
    ends, header first, columns in canonical order, missing values empty.
    ``truth.json`` is UTF-8, indented by 2 spaces.

    Parameters
    ----------
    sim : Simulation
        The simulation to write, as returned by :func:`simulate`.
    out_dir : pathlib.Path
        Output directory; created (with its parents) if missing. Existing
        files with the same names are overwritten.

    Returns
    -------
    list of pathlib.Path
        The written files: ``transactions.csv``, ``customers.csv``,
        ``members.csv``, ``points.csv``, ``events.csv``, ``surveys.csv`` and
        ``truth.json``, in that order.

    Raises
    ------
    ValueError
        If ``sim.tables`` lacks a canonical table or a table does not have
        exactly the canonical columns.
    """
    out_dir = pathlib.Path(out_dir)
    for name, columns in TABLE_COLUMNS.items():
        if name not in sim.tables:
            raise ValueError(f"sim.tables has no {name!r} table; pass a Simulation built by simulate()")
        got = tuple(sim.tables[name].columns)
        if got != columns:
            raise ValueError(f"table {name!r} has columns {list(got)}, expected {list(columns)}; pass a Simulation built by simulate()")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[pathlib.Path] = []
    for name in TABLE_COLUMNS:
        path = out_dir / f"{name}.csv"
        sim.tables[name].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    path = out_dir / "truth.json"
    path.write_text(json.dumps(sim.truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths.append(path)
    return paths
