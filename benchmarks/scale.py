"""A distributor-sized client end to end: wall time and peak memory of the whole process tree.

The client is simulated once (``workbench simulate --customers N --lines-per-purchase K``; 100,000
companies with K=12 give about 10.7 M invoice lines over three years plus a year before) into
``--work`` and reused. Then, each as its own command, measured from outside:

- **data, pandas** / **data, duckdb**: ``workbench validate`` with ``data.engine`` forced: reading,
  validating and normalising every table (the first step of a run);
- **run**: ``workbench run`` with ``data.engine: auto`` (DuckDB above ``data.duckdb_above_mb``),
  every notebook, ``--jobs`` kernels at a time.

Peak memory is the largest sum of the resident memory of the command and all its descendants
(kernels included), sampled every 0.2 s with psutil. Targets (issue 14): the run in at most
4 minutes with at most 4 GB for the whole process tree.

    python benchmarks/scale.py [--customers 100000] [--lines 12] [--steps data run] [--timeout 1800]
                               [--work DIR] [--jobs N] [--json benchmarks/results/scale.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET_SECONDS, TARGET_GB = 240.0, 4.0


def _client(work: Path, customers: int, lines: int) -> Path:
    """A simulated client folder (simulated once) with one parameter file per engine."""
    folder = work / f"client_{customers}x{lines}"
    if not (folder / "data" / "truth.json").is_file():
        subprocess.run(
            [BIN / "workbench", "simulate", "--out", str(folder / "data"), "--customers", str(customers), "--lines-per-purchase", str(lines)],
            check=True,
            capture_output=True,
        )
    text = (ROOT / "parameters" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo/", "data/")
    for engine in ("auto", "pandas", "duckdb"):
        (folder / f"client_{engine}.yaml").write_text(text.replace("data:\n", f"data:\n  engine: {engine}\n", 1), encoding="utf-8")
    return folder


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(command: list[str], *, cwd: Path, timeout: float) -> dict:
    """Run ``command``; its wall seconds, peak tree memory (GB), exit code and last output lines."""
    log = cwd / "scale_last.log"
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        popen = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        proc = psutil.Process(popen.pid)
        peak, stopped = 0, False
        while popen.poll() is None:
            peak = max(peak, _tree_rss(proc))
            if time.perf_counter() - started > timeout:
                for p in [*proc.children(recursive=True), proc]:
                    try:
                        p.kill()
                    except psutil.Error:
                        pass
                stopped = True
                popen.wait()
                break
            time.sleep(0.2)
    wall = time.perf_counter() - started
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-12:]
    return {
        "command": " ".join(map(str, command)),
        "wall_s": round(wall, 1),
        "peak_gb": round(peak / 1e9, 2),
        "exit": popen.returncode,
        "stopped_at_timeout": stopped,
        "tail": tail,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=12, help="invoice lines per invoice (default 12: about 10.7 M lines for 100,000 companies)")
    parser.add_argument("--steps", nargs="+", default=["data", "run"], choices=["data", "data-pandas", "run"])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds after which a command is stopped (its figures are then lower bounds)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/workbench-scale"))
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    load_at_start = os.getloadavg()
    args.work.mkdir(parents=True, exist_ok=True)
    folder = _client(args.work, args.customers, args.lines)
    size = (folder / "data" / "transactions.csv").stat().st_size
    with open(folder / "data" / "transactions.csv", "rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b"")) - 1
    results = {}
    plan = {
        "data, duckdb": ["validate", "client_duckdb.yaml"] if "data" in args.steps else None,
        "data, pandas": ["validate", "client_pandas.yaml"] if "data-pandas" in args.steps else None,
        "run (engine auto)": ["run", "client_auto.yaml", "--out", str(folder / "run"), "--jobs", str(args.jobs)] if "run" in args.steps else None,
    }
    for name, command in plan.items():
        if command is None:
            continue
        results[name] = measure([str(BIN / "workbench"), *command], cwd=folder, timeout=args.timeout)
        r = results[name]
        print(
            f"{name}: {r['wall_s']} s, peak {r['peak_gb']} GB (process tree), exit {r['exit']}{' STOPPED at the timeout' if r['stopped_at_timeout'] else ''}",
            flush=True,
        )
    meta = {
        "customers": args.customers,
        "lines_per_purchase": args.lines,
        "transaction_lines": lines,
        "transactions_mb": round(size / 1e6, 1),
        "jobs": args.jobs,
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "python": platform.python_version(),
        "targets": {"wall_s": TARGET_SECONDS, "peak_gb": TARGET_GB},
    }
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
