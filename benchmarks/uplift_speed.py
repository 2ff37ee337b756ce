"""Speed of the uplift page's computation (``notebooks/06_uplift.ipynb``) at 200 and 50,000 companies (not part of `make test`).

Each run is a fresh Python process that imports ``workbench``, loads a simulated client (the demo's
parameters) and makes the page's calls, without the charts: the headline (purchase-model
counterfactual on revenue and margin, the staggered estimate, money, E-value), the matched
difference-in-differences and its placebo, the value classes and the three subgroup breakdowns,
and the survival check. It prints the seconds of the import, the load and each step.

``--src`` adds other checkouts of ``src/`` (for example the commit before a change, as a
``git worktree``) measured in the same call, in turn with this one, round after round, so that a
machine that slows down moves both alike: read the ratios, and the load printed with each run.

    python benchmarks/uplift_speed.py [--rounds 1] [--clients 200 50k] [--src before=/tmp/base/src] [--json FILE]

The clients are simulated once (``workbench simulate``) into ``--work`` and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLIENTS = {"200": 200, "50k": 50_000}

PAGE = r"""
import json, sys, time
t0 = time.perf_counter()
import workbench
from workbench.analysis import uplift
steps = {"import": time.perf_counter() - t0}
def step(name, t):
    steps[name] = time.perf_counter() - t
    return time.perf_counter()
t = time.perf_counter()
wb = workbench.load(sys.argv[1])
settings = wb.params.uplift
customers, history = wb.table("customers"), wb.table("transactions", in_period=False)
t = step("load", t)
headline = uplift.run_headline(history, customers, end=wb.end, **settings.headline_kwargs())
t = step("headline", t)
analysis = uplift.run(history, customers, end=wb.end, purchase=wb.params.purchase, **settings.estimator_kwargs())
t = step("matched", t)
res = analysis.result
groupings = {"typology": customers.set_index("customer_id")["typology"] if "typology" in customers else None,
             "value class": uplift.value_class_before(history, res.windows, **wb.params.value_score.scoring_kwargs()),
             "enrolment cohort": uplift.cohorts(res.windows)}
for groups in groupings.values():
    if groups is not None:
        uplift.compute_subgroup_effects(res.matching, groups, n_neighbors=settings.n_neighbors, caliper=settings.caliper,
                                        n_bootstrap=settings.n_bootstrap, seed=settings.seed, ci_level=settings.ci_level)
t = step("subgroups", t)
uplift.check_survival_selection(history, customers[["customer_id", "enrolled_on"]], end=wb.end, launch=settings.launch or customers["enrolled_on"].min())
t = step("survival", t)
print(json.dumps({"steps": steps, "metrics": uplift.headline_metrics(headline)}))
"""


def _client(work: Path, name: str, customers: int) -> Path:
    """A simulated client folder with the demo's parameters pointing at its data (simulated once)."""
    folder = work / f"client_{name}"
    params = folder / "client.yaml"
    if not (folder / "data" / "transactions.csv").is_file():
        subprocess.run([BIN / "workbench", "simulate", "--out", str(folder / "data"), "--customers", str(customers)], check=True, capture_output=True)
    text = (ROOT / "parameters" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo/", "data/")
    params.write_text(text, encoding="utf-8")
    return params


def _run(params: Path, src: str | None) -> dict:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    load = os.getloadavg()[0]
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PAGE, str(params)], check=True, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    result = json.loads(out.stdout.strip().splitlines()[-1])
    steps = result["steps"]
    return {"wall": wall, "compute": sum(v for k, v in steps.items() if k not in ("import", "load")), "steps": steps, "load_avg_1min": load,
            "metrics": result["metrics"]}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Time the page at each client size for each checkout, ``--rounds`` times; print a table and optionally write JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--clients", nargs="+", default=list(CLIENTS), choices=list(CLIENTS))
    ap.add_argument("--src", action="append", default=[], help="NAME=PATH of another checkout's src/ to time alongside this one")
    ap.add_argument("--params", action="append", default=[], help="NAME=PATH of an existing client parameter file (instead of simulating NAME)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/workbench-uplift-speed"))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    given = dict(p.split("=", 1) for p in args.params)
    clients = {name: Path(given[name]) if name in given else _client(args.work, name, CLIENTS[name]) for name in args.clients}
    checkouts = {"this": None, **dict(s.split("=", 1) for s in args.src)}
    runs = []
    for r in range(args.rounds):
        for name, params in clients.items():
            for label, src in checkouts.items():
                run = {"round": r + 1, "client": name, "checkout": label, **_run(params, src)}
                runs.append(run)
                steps = ", ".join(f"{k} {v:.1f}" for k, v in run["steps"].items())
                print(
                    f"round {r + 1} {name:>4} {label:>8}: compute {run['compute']:6.1f} s (wall {run['wall']:6.1f} s; load {run['load_avg_1min']:.2f}) [{steps}]"
                )
    if args.json:
        args.json.write_text(json.dumps({"cpus": os.cpu_count(), "runs": runs}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
