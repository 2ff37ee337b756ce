"""Per-notebook parts of a run-level JSON file (``metrics.json``, ``manifest.json``).

Notebooks running side by side each write their own part, ``<run>/<folder>/<notebook>.json``; the
runner merges the parts into the run's file at the end (:mod:`.metrics`, :mod:`.manifest`).
"""

from __future__ import annotations

from pathlib import Path


def part_path(run_dir: Path, *, folder: str, whole: str, part: str | None) -> Path:
    """The file of notebook ``part`` in ``folder``, or the run's merged file ``whole`` when ``part`` is None."""
    return Path(run_dir) / folder / f"{part}.json" if part else Path(run_dir) / whole


def clear(run_dir: Path, *, folder: str) -> None:
    """Delete the folder of per-notebook parts (before a run, and once merged)."""
    path = Path(run_dir) / folder
    if path.is_dir():
        for file in path.glob("*.json"):
            file.unlink()
        path.rmdir()
