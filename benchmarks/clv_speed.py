"""Speed of the CLV page (``04_clv``) at 200 and 50,000 companies, before and after a change, paired in one call.

Each client is run with ``workbench run PARAMS --only 04 --jobs 1`` and the page's own duration is read
from the run's ``run.json`` (the kernel start, the notebook's cells and its HTML page, as the runner
reports it; the data validation before the notebook is not counted). With ``--before SRC`` the same
commands also run on another checkout (its ``src`` on ``PYTHONPATH``, its ``notebooks``), in turn with
this one for each client and round, so a machine that slows down during the call moves both alike;
the ratios (after / before, 50k / 200) are what to read on a shared machine.

    python benchmarks/clv_speed.py --before /path/to/old/checkout --large /tmp/wb50k/client.yaml \\
        [--extra NAME=PARAMS ...] [--rounds 1] [--work DIR] [--json benchmarks/results/clv_speed.json]

The 200-company client is simulated once into ``--work`` (``workbench simulate --customers 200``);
the large client is given (simulate it with ``workbench simulate --customers 50000``). A benchmark,
not a test: its figures are read, not asserted.
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

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _small_client(work: Path) -> Path:
    """A simulated 200-company client with the demo's parameters (simulated once)."""
    folder = work / "client_200"
    if not (folder / "data" / "transactions.csv").is_file():
        subprocess.run([BIN / "workbench", "simulate", "--out", str(folder / "data"), "--customers", "200"], check=True, capture_output=True)
    params = folder / "client.yaml"
    params.write_text((ROOT / "parameters" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo/", "data/"), encoding="utf-8")
    return params


def _page_seconds(tree: Path, params: Path, out: Path) -> dict:
    """Run page 04 of ``tree`` on ``params``; its duration (s) from run.json, and the wall time of the command (s)."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    command = [str(BIN / "workbench"), "run", str(params), "--only", "04", "--jobs", "1", "--notebooks", str(tree / "notebooks"), "--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    page = run["notebooks"][0]
    return {"status": page["status"], "page_s": page["duration_s"], "command_s": round(wall, 1), "exit": done.returncode}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout (its src and notebooks) to time in turn with this one")
    parser.add_argument("--large", type=Path, required=True, help="parameter file of the large (50,000-company) client")
    parser.add_argument("--extra", action="append", default=[], help="NAME=PARAMS: another client to time")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/workbench-clv-speed"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    clients = {"200": _small_client(args.work), "50k": args.large.resolve()}
    clients.update({name: Path(path).resolve() for name, path in (item.split("=", 1) for item in args.extra)})
    trees = {"after": ROOT, **({"before": args.before.resolve()} if args.before else {})}
    rows = []
    for rnd in range(args.rounds):
        for client, params in clients.items():
            for label, tree in trees.items():
                row = {"round": rnd + 1, "client": client, "code": label, **_page_seconds(tree, params, args.work / f"out_{label}_{client}")}
                row["load_1min"] = round(os.getloadavg()[0], 2)
                rows.append(row)
                print(json.dumps(row), flush=True)
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}, "runs": rows}
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
