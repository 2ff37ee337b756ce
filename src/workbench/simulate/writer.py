"""Writing a simulation: one CSV per canonical table plus ``truth.json`` (and the truth tables)."""

from __future__ import annotations

import json
import pathlib

from .constants import TABLE_COLUMNS
from .effects import TRUTH_MEMBERS_COLUMNS
from .future import FUTURE_COLUMNS
from .pipeline import Simulation

#: The truth tables :func:`write_simulation` can add, with their columns, in file order.
TRUTH_TABLE_COLUMNS: dict[str, tuple[str, ...]] = {"truth_members": TRUTH_MEMBERS_COLUMNS, "future": FUTURE_COLUMNS}


def write_simulation(sim: Simulation, out_dir: pathlib.Path, *, truth_tables: bool = False) -> list[pathlib.Path]:
    """Write a simulation as ``<table>.csv`` files plus ``truth.json`` (and, on request, the truth tables).

    CSV files are UTF-8, comma separated, ``.`` as decimal mark, ``\\n`` line
    ends, header first, columns in canonical order, missing values empty.
    ``truth.json`` is UTF-8, indented by 2 spaces. With ``truth_tables`` the
    files ``truth_members.csv`` (:mod:`.effects`) and ``future.csv``
    (:mod:`.future`) follow, in the same CSV format; they are not input tables
    of the workbench (a client folder built by ``workbench init --demo`` does
    not get them).

    Parameters
    ----------
    sim : Simulation
        The simulation to write, as returned by :func:`simulate`.
    out_dir : pathlib.Path
        Output directory; created (with its parents) if missing. Existing
        files with the same names are overwritten.
    truth_tables : bool, default False
        Also write ``truth_members.csv`` and ``future.csv``.

    Returns
    -------
    list of pathlib.Path
        The written files: ``transactions.csv``, ``customers.csv``,
        ``members.csv``, ``points.csv``, ``events.csv``, ``surveys.csv`` and
        ``truth.json``, in that order, then ``truth_members.csv`` and
        ``future.csv`` if ``truth_tables``.

    Raises
    ------
    ValueError
        If ``sim.tables`` lacks a canonical table or a table does not have
        exactly the canonical columns, or ``truth_tables`` is set and
        ``sim.truth_tables`` lacks one of them.
    """
    out_dir = pathlib.Path(out_dir)
    for name, columns in TABLE_COLUMNS.items():
        if name not in sim.tables:
            raise ValueError(f"sim.tables has no {name!r} table; pass a Simulation built by simulate()")
        got = tuple(sim.tables[name].columns)
        if got != columns:
            raise ValueError(f"table {name!r} has columns {list(got)}, expected {list(columns)}; pass a Simulation built by simulate()")
    extra = TRUTH_TABLE_COLUMNS if truth_tables else {}
    for name, columns in extra.items():
        if name not in sim.truth_tables or tuple(sim.truth_tables[name].columns) != columns:
            raise ValueError(f"sim.truth_tables has no {name!r} table with columns {list(columns)}; pass a Simulation built by simulate()")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[pathlib.Path] = []
    for name in TABLE_COLUMNS:
        path = out_dir / f"{name}.csv"
        sim.tables[name].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    path = out_dir / "truth.json"
    path.write_text(json.dumps(sim.truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths.append(path)
    for name in extra:
        path = out_dir / f"{name}.csv"
        sim.truth_tables[name].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths
