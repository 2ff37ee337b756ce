"""The ``workbench`` command.

User errors (parameters, files, columns, ``--strict``) print one line each,
starting with ``error:``, and exit with status 2; a run in which a notebook
failed exits with status 1. Bugs keep their traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.errors import WorkbenchError


def _run(args: argparse.Namespace) -> int:
    from workbench.resources import notebooks_dir
    from workbench.runner import run

    notebooks = Path(args.notebooks) if args.notebooks else notebooks_dir()
    if not notebooks.is_dir():
        raise WorkbenchError(f"--notebooks {args.notebooks}: no such folder; give the folder of the NN_name.ipynb notebooks")
    result = run(
        args.params, out=args.out, only=args.only, strict=args.strict, notebooks_dir=notebooks, compare=args.compare, jobs=args.jobs, language=args.language
    )
    print(f"Report: {result.index}")
    if result.failed:
        print(f"error: {len(result.failed)} notebook(s) failed: {', '.join(result.failed)}; see {result.index}", file=sys.stderr)
        return 1
    return 0


def _validate(args: argparse.Namespace) -> int:
    from workbench.config.params import load_params
    from workbench.data import load_dataset

    params = load_params(args.params)
    dataset = load_dataset(params)
    print(f"{args.params}: parameters valid for {params.client}, period {params.period.start} to {params.period.end}")
    for row in dataset.ledger.itertuples():
        print(
            f"  {row.table} ({row.file}): {row.rows_read} rows read, {row.rows_kept} kept, {row.rows_rejected} rejected, {row.rows_out_of_period} out of period"
        )
    for (table, reason), n in dataset.rejected.groupby(["table", "reason"]).size().items():
        print(f"    {table}: {n} rejected: {reason}")
    rejected = int(dataset.ledger["rows_rejected"].sum())
    if args.strict and rejected:
        print(f"error: --strict: {rejected} row(s) rejected; fix the data or run without --strict", file=sys.stderr)
        return 2
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from workbench.simulate import simulate, write_simulation

    try:
        rewarded = [r.strip() for r in args.rewarded_ranges.split(",") if r.strip()] if args.rewarded_ranges else None
        sim = simulate(
            n_customers=args.customers, seed=args.seed, scenario=args.scenario, null=args.null, process=args.process,
            lines_per_purchase=args.lines_per_purchase, rewarded_ranges=rewarded, halo=args.halo,
        )  # fmt: skip
    except ValueError as exc:
        raise WorkbenchError(f"simulate: {exc}") from None
    paths = write_simulation(sim, Path(args.out), truth_tables=True)
    rows = {name: len(table) for name, table in sim.tables.items()}
    world = f"scenario {args.scenario}" + (", null (no effect)" if args.null else "") + f", process {args.process}"
    if "rewarded_ranges" in sim.truth:
        world += f", effect on {', '.join(sim.truth['rewarded_ranges'])} only" + (f" (halo {args.halo:g})" if args.halo else "")
    print(f"Simulated {args.customers} companies (seed {args.seed}, {world}) into {args.out}: " + ", ".join(f"{k} {v}" for k, v in rows.items()))
    truth = [p for p in paths if p.name in ("truth.json", "truth_members.csv", "future.csv")]
    print("Ground truth: " + ", ".join(str(p) for p in truth))
    return 0


def _init(args: argparse.Namespace) -> int:
    from workbench.scaffold import init_client

    written = init_client(args.folder, client=args.client, demo=args.demo, customers=args.customers)
    params = written[0]
    print(f"Client folder {args.folder}: {len(written)} file(s) written, parameters in {params}")
    if args.demo:
        print("Next: the simulated data are in place, run")
        print(f"  workbench run {params}")
    else:
        print(f"Next: put the client's exports in {params.parent / 'data'} (see its README.md), map their columns in {params}, then")
        print(f"  workbench validate {params}")
        print(f"  workbench run {params}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Loyalty Workbench: run the B2B loyalty-programme analysis method on a client's data.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="validate the data, run every notebook, write the HTML report")
    p.add_argument("params", help="the client's parameter file (YAML)")
    p.add_argument("--out", help="run folder (default: reports/<client>/<timestamp>)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only these notebooks (e.g. 00_data_quality, 00 or data_quality)")
    p.add_argument("--strict", action="store_true", help="fail when any input row is rejected")
    p.add_argument("--compare", metavar="PREVIOUS_RUN_DIR", help="a previous run of the same client: show each headline figure's change")
    p.add_argument("--notebooks", metavar="DIR", help="folder of the method notebooks (default: the ones installed with the package)")
    p.add_argument("--jobs", type=int, metavar="N", help="notebooks run at once, each in its own kernel (default: the machine's cores; 1: one after the other)")
    p.add_argument("--language", choices=("en", "fr"), help="language of the report pages (default: report.language of the parameter file, else en)")
    p.set_defaults(func=_run)

    p = sub.add_parser("validate", help="check the parameters and data, print the row ledger")
    p.add_argument("params", help="the client's parameter file (YAML)")
    p.add_argument("--strict", action="store_true", help="exit non-zero when any input row is rejected")
    p.set_defaults(func=_validate)

    p = sub.add_parser("init", help="scaffold a client folder: a parameter file from the template and a data/ folder")
    p.add_argument("folder", help="the client's folder (created)")
    p.add_argument("--client", help="the client's name (default: the folder's name)")
    p.add_argument("--demo", action="store_true", help="also simulate a small programme into data/ so that `workbench run` works at once")
    p.add_argument("--customers", type=int, default=300, help="with --demo: number of simulated companies (default 300)")
    p.set_defaults(func=_init)

    p = sub.add_parser("simulate", help="write a simulated B2B loyalty programme (CSV + truth.json)")
    p.add_argument("--out", required=True, help="folder to write")
    p.add_argument("--customers", type=int, default=2000, help="number of companies (default 2000)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument(
        "--scenario",
        default="observables",
        metavar="NAME",
        help="who enrols and how the effect acts: observables (default, today's world), latent, survival, latent_survival, signup or fading",
    )
    p.add_argument("--null", action="store_true", help="the same world with no programme effect")
    p.add_argument(
        "--process",
        default="bgnbd",
        metavar="NAME",
        help="the purchase process: bgnbd (default, dropout right after a purchase), pareto (death between purchases) or dormant (active and dormant spells)",
    )
    p.add_argument(
        "--lines-per-purchase",
        type=int,
        default=1,
        metavar="K",
        help="invoice lines per invoice, as a distributor's export (default 1); 100,000 companies with K=10 give about 10 M lines",
    )
    p.add_argument(
        "--rewarded-ranges",
        default="",
        metavar="A,B",
        help="comma-separated product ranges the programme rewards: the effect acts on them only (default: every range); "
        "truth.json then holds the negative-control truth (the effect on the other ranges)",
    )
    p.add_argument("--halo", type=float, default=0.0, help="with --rewarded-ranges: share of the effect spilling into the other ranges (0-1, default 0)")
    p.set_defaults(func=_simulate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except WorkbenchError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
