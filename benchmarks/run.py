"""Speed and memory benchmarks, with their targets. Not part of `make test`: run `make benchmark`.

Each case runs in a fresh process so that its peak memory is its own. A case over
its target is reported and makes the exit status 1.

    python benchmarks/run.py [--customers 5000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name -> (code run in a child process, target seconds, target peak MiB)
CASES = {
    "simulate": (
        """
        from workbench.simulate import simulate, write_simulation
        write_simulation(simulate(n_customers={n}, seed=1), OUT / "sim")
        """,
        10.0,
        1500,
    ),
    "load_and_validate": (
        """
        from workbench.data import load_dataset
        from workbench.config.params import parse_params
        tables = {{t: {{"path": str(SIM / f"{{t}}.csv")}} for t in ("transactions", "customers", "members", "points", "events", "surveys")}}
        ds = load_dataset(parse_params({{"client": "bench", "period": {{"start": "2022-01-01", "end": "2024-12-31"}}, "data": tables}}))
        assert (ds.ledger["rows_read"] == ds.ledger["rows_kept"] + ds.ledger["rows_rejected"]).all()
        """,
        20.0,
        2000,
    ),
}

CHILD = """
import resource, sys, time
from pathlib import Path
OUT = Path({out!r}); SIM = OUT / "sim"
started = time.perf_counter()
{body}
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"RESULT {{elapsed:.3f}} {{peak:.1f}}")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    args = parser.parse_args()
    failed = 0
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'case':<20} {'seconds':>9} {'target':>8} {'peak MiB':>9} {'target':>8}")
        for name, (code, max_s, max_mib) in CASES.items():
            body = textwrap.dedent(code.format(n=args.customers))
            proc = subprocess.run([sys.executable, "-c", CHILD.format(out=tmp, body=body)], capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{name:<20} failed:\n{proc.stderr}")
                failed += 1
                continue
            seconds, peak = map(float, proc.stdout.strip().splitlines()[-1].split()[1:])
            ok = seconds <= max_s and peak <= max_mib
            failed += not ok
            results[name] = {"seconds": seconds, "peak_mib": peak, "target_seconds": max_s, "target_mib": max_mib, "ok": ok}
            print(f"{name:<20} {seconds:>9.2f} {max_s:>8.0f} {peak:>9.0f} {max_mib:>8}{'' if ok else '   OVER TARGET'}")
    print(json.dumps({"customers": args.customers, "results": results}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
