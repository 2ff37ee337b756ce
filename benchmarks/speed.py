"""Whole-run speed, as ratios measured side by side in one call (not part of `make test`).

Three commands, run in turn for ``--rounds`` rounds (floor, 200, 50k, floor, 200, 50k, ...),
so that a machine that slows down or speeds up during the call moves all three alike:

- **floor**: eight empty notebooks (a title and the parameters cell) through the ``papermill``
  and ``jupyter nbconvert --to html`` commands, one after the other: what any notebook
  pipeline pays before it computes anything;
- **200**: ``workbench run`` on a simulated client of 200 companies;
- **50k**: ``workbench run`` on a simulated client of 50,000 companies.

Targets (issue 14): the 200-company run at most 0.5 x the floor, the 50,000-company run at
most 1.5 x the 200-company run. Each round gives its two ratios; the medians are reported.
The clients are simulated once (``workbench simulate``) into ``--work`` and reused.
Whole-process figures of a single command can be taken with ``/usr/bin/time -v``.

    python benchmarks/speed.py [--rounds 3] [--jobs N] [--work DIR] [--json benchmarks/results/speed.json]
    python benchmarks/speed.py --clients 200   # the floor and the 200-company run only (the fixed-cost ratio, minutes)
    python benchmarks/speed.py --table benchmarks/results/speed.json   # the README's table from recorded figures
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGETS = {"200 / floor": 0.5, "50k / 200": 1.5}
CLIENTS = {"200": 200, "50k": 50_000}


def _empty_notebooks(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(8):
        cells = [new_markdown_cell(f"# Empty notebook {i}"), new_code_cell("params_path = ''\nrun_dir = ''", metadata={"tags": ["parameters"]})]
        nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
        path = folder / f"{i:02d}_empty.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def _client(work: Path, name: str, customers: int) -> Path:
    """A simulated client folder with the demo's parameters pointing at its data (simulated once)."""
    folder = work / f"client_{name}"
    params = folder / "client.yaml"
    if not (folder / "data" / "transactions.csv").is_file():
        subprocess.run([BIN / "workbench", "simulate", "--out", str(folder / "data"), "--customers", str(customers)], check=True, capture_output=True)
    text = (ROOT / "parameters" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo/", "data/")
    params.write_text(text, encoding="utf-8")
    return params


def _timed(commands: list[list[str]], cwd: Path) -> float:
    started = time.perf_counter()
    for command in commands:
        subprocess.run(command, check=True, capture_output=True, cwd=cwd)
    return time.perf_counter() - started


def _floor(work: Path, notebooks: list[Path]) -> float:
    out = work / "floor"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    commands = []
    for nb in notebooks:
        executed = out / nb.name
        commands.append([str(BIN / "papermill"), "-p", "params_path", "", "-p", "run_dir", str(out), str(nb), str(executed)])
        commands.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)])
    return _timed(commands, work)


def _workbench_run(work: Path, params: Path, name: str, jobs: int | None) -> float:
    out = work / f"run_{name}"
    shutil.rmtree(out, ignore_errors=True)
    command = [str(BIN / "workbench"), "run", str(params), "--out", str(out)] + (["--jobs", str(jobs)] if jobs else [])
    seconds = _timed([command], work)
    statuses = [nb["status"] for nb in json.loads((out / "run.json").read_text())["notebooks"]]
    if "failed" in statuses:
        raise SystemExit(f"{name}: a notebook failed: {statuses}")
    return seconds


def breakdown(work: Path, clients: list[str]) -> dict[str, dict[str, float]]:
    """Each notebook's duration (s) in the last round's runs, from their ``run.json``."""
    out = {}
    for name in clients:
        run = json.loads((work / f"run_{name}" / "run.json").read_text(encoding="utf-8"))
        out[name] = {nb["name"]: nb["duration_s"] for nb in run["notebooks"]}
    return out


def table(result: dict) -> str:
    """The recorded figures as a Markdown table (the README's)."""
    m, s, r = result["machine"], result["median_seconds"], result["median_ratios"]
    rows = [
        "| run | median wall s | ratio (median of rounds) | target |",
        "|---|---:|---:|---:|",
        f"| floor: 8 empty notebooks, papermill + nbconvert | {s['floor']:.1f} | 1 | |",
        f"| `workbench run`, 200 companies | {s['200']:.1f} | {r['200 / floor']:.2f} x floor | <= 0.5 x floor |",
    ]
    if "50k" in s:
        rows.append(f"| `workbench run`, 50,000 companies | {s['50k']:.1f} | {r['50k / 200']:.2f} x the 200 | <= 1.5 x the 200 |")
    note = f"{result['rounds']} rounds side by side, {m['cores']} cores, `--jobs {result['jobs']}`, Python {m['python']}."
    per = result.get("notebooks_last_round")
    if per:
        clients = [c for c in CLIENTS if c in per]
        note += "\n\n| notebook (last round, s; notebooks overlap) | " + " | ".join(clients) + " |\n|---|" + "---:|" * len(clients) + "\n"
        note += "\n".join(f"| {nb} | " + " | ".join(f"{per[c].get(nb, float('nan')):.1f}" for c in clients) + " |" for nb in per["200"])
    return "\n".join(rows) + "\n\n" + note + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, help="passed to workbench run (default: its own, the machine's cores)")
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "workbench-speed")
    parser.add_argument("--clients", nargs="+", choices=list(CLIENTS), default=list(CLIENTS), help="runs beside the floor (default: both)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--table", type=Path, metavar="JSON", help="print the Markdown table of figures recorded by --json, run nothing")
    args = parser.parse_args()
    if args.table:
        print(table(json.loads(args.table.read_text(encoding="utf-8"))), end="")
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    notebooks = _empty_notebooks(args.work / "empty")
    if "50k" in args.clients and "200" not in args.clients:
        parser.error("--clients 50k needs 200 beside it (its ratio is to the 200-company run)")
    clients = {name: _client(args.work, name, n) for name, n in CLIENTS.items() if name in args.clients}
    seconds: dict[str, list[float]] = {"floor": [], **{name: [] for name in clients}}
    for r in range(args.rounds):
        seconds["floor"].append(_floor(args.work, notebooks))
        for name, params in clients.items():
            seconds[name].append(_workbench_run(args.work, params, name, args.jobs))
        print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in seconds.items()), flush=True)
    ratios = {"200 / floor": [a / b for a, b in zip(seconds["200"], seconds["floor"])]}
    if "50k" in seconds:
        ratios["50k / 200"] = [a / b for a, b in zip(seconds["50k"], seconds["200"])]
    result = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "jobs": args.jobs or os.cpu_count(),
        "rounds": args.rounds,
        "seconds": seconds,
        "median_seconds": {k: round(statistics.median(v), 1) for k, v in seconds.items()},
        "ratios": ratios,
        "median_ratios": {k: round(statistics.median(v), 2) for k, v in ratios.items()},
        "targets": {k: v for k, v in TARGETS.items() if k in ratios},
        "peak_child_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "notebooks_last_round": breakdown(args.work, list(clients)),
    }
    print(f"{'':<12} {'median s':>9} {'min':>7} {'max':>7}")
    for k, v in seconds.items():
        print(f"{k:<12} {statistics.median(v):>9.1f} {min(v):>7.1f} {max(v):>7.1f}")
    failed = 0
    for k, v in ratios.items():
        ok = statistics.median(v) <= TARGETS[k]
        failed += not ok
        print(f"{k:<12} median {statistics.median(v):.2f} (rounds: {', '.join(f'{x:.2f}' for x in v)}), target <= {TARGETS[k]}{'' if ok else '  OVER TARGET'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
