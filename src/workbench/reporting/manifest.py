"""The run's manifest: what the notebooks exported, read by the runner and the index.

Every file a notebook writes for the client's teams goes through ``Workbench.export``, which
writes it and adds one entry here: ``{"file", "rows", "columns", "role"}``. The runner finds
what it needs by ``role`` (for example ``segment_actions``), never by a notebook's file names.
Under ``workbench run`` each notebook lists its exports in its own part, ``manifest/<notebook>.json``,
merged in notebook order into ``manifest.json`` by the runner (:func:`merge_parts`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workbench.reporting import parts

MANIFEST_FILE = "manifest.json"
PARTS_DIR = "manifest"


def _path(run_dir: Path, part: str | None) -> Path:
    return parts.part_path(run_dir, folder=PARTS_DIR, whole=MANIFEST_FILE, part=part)


def read_manifest(run_dir: Path, *, part: str | None = None) -> list[dict[str, Any]]:
    """The exports listed so far in ``run_dir`` (empty if none), in the order written; with ``part``, that notebook's own."""
    path = _path(run_dir, part)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def _add(entries: list[dict[str, Any]], entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in entries if e["file"] != entry["file"]] + [entry]


def _write(run_dir: Path, entries: list[dict[str, Any]], part: str | None = None) -> None:
    path = _path(run_dir, part)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def add_export(run_dir: Path, *, file: str, rows: int, columns: list[str], role: str | None = None, part: str | None = None) -> None:
    """List one exported file (a later export of the same file replaces its entry); with ``part``, in that notebook's part."""
    entry = {"file": file, "rows": int(rows), "columns": list(columns), "role": role}
    _write(run_dir, _add(read_manifest(run_dir, part=part), entry), part)


def merge_parts(run_dir: Path, parts: list[str]) -> None:
    """Merge the notebooks' parts into ``manifest.json`` in the order given (as a sequential run writes it), then delete them."""
    entries = read_manifest(run_dir)
    for part in parts:
        for entry in read_manifest(run_dir, part=part):
            entries = _add(entries, entry)
    if entries:
        _write(run_dir, entries)
    clear_parts(run_dir)


def clear_parts(run_dir: Path) -> None:
    """Delete the folder of per-notebook parts (before a run, and once merged)."""
    parts.clear(run_dir, folder=PARTS_DIR)


def find_export(run_dir: Path, role: str) -> Path | None:
    """The file exported with ``role``, or None when no notebook exported one."""
    for entry in read_manifest(run_dir):
        if entry.get("role") == role and (Path(run_dir) / entry["file"]).is_file():
            return Path(run_dir) / entry["file"]
    return None
