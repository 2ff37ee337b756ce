"""The run's manifest: what the notebooks exported, read by the runner and the index.

Every file a notebook writes for the client's teams goes through ``Workbench.export``, which
writes it and adds one entry here: ``{"file", "rows", "columns", "role"}``. The runner finds
what it needs by ``role`` (for example ``segment_actions``), never by a notebook's file names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.json"


def read_manifest(run_dir: Path) -> list[dict[str, Any]]:
    """The exports listed so far in ``run_dir`` (empty if none), in the order written."""
    path = Path(run_dir) / MANIFEST_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def add_export(run_dir: Path, *, file: str, rows: int, columns: list[str], role: str | None = None) -> None:
    """List one exported file (a later export of the same file replaces its entry)."""
    entries = [e for e in read_manifest(run_dir) if e["file"] != file]
    entries.append({"file": file, "rows": int(rows), "columns": list(columns), "role": role})
    (Path(run_dir) / MANIFEST_FILE).write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def find_export(run_dir: Path, role: str) -> Path | None:
    """The file exported with ``role``, or None when no notebook exported one."""
    for entry in read_manifest(run_dir):
        if entry.get("role") == role and (Path(run_dir) / entry["file"]).is_file():
            return Path(run_dir) / entry["file"]
    return None
