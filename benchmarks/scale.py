"""A distributor-sized client end to end: wall time and peak memory of the whole process tree.

The client is simulated once (``workbench simulate --customers N --lines-per-purchase K``; 100,000
companies with K=12 give about 10.7 M invoice lines over three years plus a year before) into
``--work`` and reused. Then, each as its own command, measured from outside:

- **data, pandas** / **data, duckdb**: ``workbench validate`` with ``data.engine`` forced: reading,
  validating and normalising every table (the first step of a run);
- **run**: ``workbench run`` with ``data.engine: auto`` (DuckDB above ``data.duckdb_above_mb``),
  every notebook, ``--jobs`` kernels at a time.

Peak memory is the largest sum of the resident memory of the command and all its descendants
(kernels included), sampled every 0.2 s with psutil; each process's own peak is kept too (the runner,
each notebook's kernel, named by ``$WORKBENCH_NOTEBOOK``), and what each held when the tree peaked. Targets (issue 14): the run in at most
4 minutes with at most 4 GB for the whole process tree.

    python benchmarks/scale.py [--customers 100000] [--lines 12] [--steps data run] [--timeout 1800]
                               [--work DIR] [--jobs N] [--json benchmarks/results/scale.json [--key 10M]]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET_SECONDS, TARGET_GB = 240.0, 4.0
_FINISHED = re.compile(r"^\[\d+/\d+\] (?P<name>\d\d_\w+): \w[\w ]* in (?P<s>[\d.]+) s")


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


def _label(proc: psutil.Process, root: int, labels: dict[int, str]) -> str:
    """What a process of the tree is: ``runner`` (the command), ``kernel <notebook>`` or its name.

    Only the runner and kernels are remembered by pid: a kernel is first seen, now and then,
    between fork and exec, still named like the runner and without its notebook's variable.
    """
    if proc.pid in labels:
        return labels[proc.pid]
    if proc.pid == root:
        labels[proc.pid] = "runner"
        return "runner"
    try:
        notebook = proc.environ().get("WORKBENCH_NOTEBOOK")
        if notebook:
            labels[proc.pid] = f"kernel {notebook}"
            return labels[proc.pid]
        return proc.name()
    except psutil.Error:
        return "?"


def _sample(proc: psutil.Process, labels: dict[int, str], cpu: dict[int, tuple[str, float]]) -> dict[str, int]:
    """Resident bytes of the command and each descendant, by label (processes of one label summed).

    ``cpu`` is updated with each process's CPU seconds so far (user + system), by pid.
    """
    rss: dict[str, int] = {}
    for p in [proc, *proc.children(recursive=True)]:
        try:
            size = p.memory_info().rss
            times = p.cpu_times()
        except psutil.Error:
            continue
        label = _label(p, proc.pid, labels)
        rss[label] = rss.get(label, 0) + size
        cpu[p.pid] = (label, times.user + times.system)
    return rss


def measure(command: list[str], *, cwd: Path, timeout: float, timeline: Path | None = None) -> dict:
    """Run ``command``; its wall seconds, peak tree memory (GB), per-process peaks, exit code and last output lines.

    ``per_process_peak_gb``: the largest resident memory each process reached (the runner, each
    notebook's kernel); ``at_peak_gb``: what each held at the moment the whole tree peaked.
    ``timeline``: a CSV of ``seconds, process, gb``, one sample a second.
    """
    log = cwd / "scale_last.log"
    started = time.perf_counter()
    labels: dict[int, str] = {}
    with open(log, "w", encoding="utf-8") as out:
        popen = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        proc = psutil.Process(popen.pid)
        peak, stopped, at_peak, at_peak_s = 0, False, {}, 0.0
        per_process: dict[str, int] = {}
        cpu: dict[int, tuple[str, float]] = {}
        rows, last_row = [], -1.0
        while popen.poll() is None:
            rss = _sample(proc, labels, cpu)
            now = time.perf_counter() - started
            if now - last_row >= 1.0:
                rows += [f"{now:.1f},{label},{size / 1e9:.3f}" for label, size in rss.items()]
                last_row = now
            for label, size in rss.items():
                per_process[label] = max(per_process.get(label, 0), size)
            if sum(rss.values()) > peak:
                peak, at_peak, at_peak_s = sum(rss.values()), rss, time.perf_counter() - started
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
    if timeline is not None:
        timeline.write_text("seconds,process,gb\n" + "\n".join(rows) + "\n", encoding="utf-8")
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    tail = text[-12:]
    notebooks = {m["name"]: float(m["s"]) for m in map(_FINISHED.match, text) if m}
    cpu_s: dict[str, float] = {}
    for label, seconds in cpu.values():
        cpu_s[label] = cpu_s.get(label, 0.0) + seconds
    gb = lambda sizes: {k: round(v / 1e9, 2) for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])}  # noqa: E731
    return {
        "command": " ".join(map(str, command)),
        "wall_s": round(wall, 1),
        "peak_gb": round(peak / 1e9, 2),
        "peak_at_s": round(at_peak_s, 1),
        "at_peak_gb": gb(at_peak),
        "per_process_peak_gb": gb(per_process),
        "notebook_s": notebooks,
        "cpu_s": {k: round(v, 1) for k, v in sorted(cpu_s.items(), key=lambda kv: -kv[1])},
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
    parser.add_argument("--key", help="with --json: keep the file's other entries and write these figures under this key (e.g. 10M)")
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
        timeline = folder / f"timeline_{name.split()[0]}_{name.split()[-1].strip('()')}.csv"
        results[name] = measure([str(BIN / "workbench"), *command], cwd=folder, timeout=args.timeout, timeline=timeline)
        r = results[name]
        print(
            f"{name}: {r['wall_s']} s, peak {r['peak_gb']} GB (process tree) at {r['peak_at_s']} s, exit {r['exit']}"
            f"{' STOPPED at the timeout' if r['stopped_at_timeout'] else ''}",
            flush=True,
        )
        print(f"  at the peak (GB): {r['at_peak_gb']}", flush=True)
        print(f"  each process's own peak (GB): {r['per_process_peak_gb']}", flush=True)
        print(f"  CPU s (last sample): {r['cpu_s']}", flush=True)
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
        figures = {"meta": meta, "results": results}
        if args.key:
            previous = json.loads(args.json.read_text(encoding="utf-8")) if args.json.is_file() else {}
            figures = {**previous, args.key: figures}
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
