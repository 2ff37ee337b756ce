"""Coverage benchmark of the CLV intervals: the 90 % interval of the total against the simulator's true future.

For each seed, simulate ``--customers`` companies (``workbench.simulate``, default world: BG/NBD
purchases, 15 % seasonality, a +25 % programme effect on members, period ending 31 December), value
them as page 04 does (purchase model chosen by the rule, or forced; Gamma-Gamma; CLV on margin; no
discounting; a 24-month horizon) and compare the intervals with ``future.csv``, each known
customer's true margin over the 24 calendar months after the period end. Variants:

- ``calendar``: recency, age and horizon in calendar time (the page before seasonal time);
- ``seasonal``: in the seasonal time of :mod:`workbench.analysis.clv.season` (the page now).

Per variant: the coverage of the total's interval, the mean ratio truth / simulated mean and its
spread, the mean half-width of the interval (fraction of the mean), and the mean per-customer coverage.

    python benchmarks/clv_coverage.py                  # 20 seeds, 1,000 companies
    python benchmarks/clv_coverage.py --seeds 50

Results go to ``benchmarks/results/clv_coverage.csv`` (one row per variant), ``clv_coverage.md``
and ``clv_coverage_runs.csv`` (one row per run). A benchmark, not a test: its figures are read, not asserted.
"""

from __future__ import annotations

import argparse
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"
LEVEL = 0.9
HORIZON_MONTHS = 24
#: (time, clv.model, interval): ``averaged`` splits the draws among the models by their weights (page 04 with
#: ``clv.model: auto``); ``chosen`` takes the rule's model alone (page 04 before model averaging).
VARIANTS = (
    ("calendar", "auto", "averaged"),
    ("seasonal", "auto", "averaged"),
    ("seasonal", "auto", "chosen"),
    ("calendar", "bgnbd", "chosen"),
    ("seasonal", "bgnbd", "chosen"),
)


def one_run(args: tuple[int, int, str]) -> list[dict]:
    """Every variant on one simulated world (seed, companies)."""
    warnings.simplefilter("ignore")
    from workbench.analysis import clv
    from workbench.simulate import simulate

    seed, customers, process = args
    sim = simulate(n_customers=customers, seed=seed, dirty=False, process=process)
    tx = sim.tables["transactions"].assign(date=lambda d: pd.to_datetime(d["date"]))
    start, end = pd.Timestamp(sim.truth["start"]), pd.Timestamp(sim.truth["end"])
    future = sim.truth_tables["future"].set_index("customer_id")["margin"]
    cal_end = clv.resolve_calibration_end(None, start=start, end=end)
    rates = clv.compute_margin_rates(tx, end=end)
    rows = []
    for time_basis, model, interval in VARIANTS:
        started = time.perf_counter()
        seasonal = time_basis == "seasonal"
        season = clv.estimate_seasonality(tx, end=end) if seasonal else None
        summary = clv.compute_summary(tx, end=end, time_unit="week", seasonality=season)
        fits = clv.fit_models(tx, summary, calibration_end=cal_end, end=end, time_unit="week", model=model, seasonal=seasonal)
        purchase, weights = (fits.refits, fits.weights.to_dict()) if interval == "averaged" else (fits.purchase, None)
        iv = clv.simulate_clv(
            summary, purchase, fits.gamma_gamma, weights=weights, horizon_months=HORIZON_MONTHS, annual_discount_rate=0.0,
            margin_rates=rates, level=LEVEL, seed=seed, seasonality=season,
        )  # fmt: skip
        true = summary["customer_id"].map(future).fillna(0.0).to_numpy()
        total = iv.total.iloc[0]
        c = iv.customers
        rows.append(
            {
                "seed": seed,
                "customers": customers,
                "time": time_basis,
                "model_rule": model,
                "interval": interval,
                "model": fits.model,
                **{f"weight_{k}": float(fits.weights.get(k, 0.0)) if interval == "averaged" else float(k == fits.model) for k in clv.PURCHASE_MODELS},
                "holdout_error": float(fits.comparison.set_index("model").loc[fits.model, "holdout_error"]),
                "holdout_error_bgnbd": float(fits.comparison.set_index("model").loc["bgnbd", "holdout_error"]),
                "amplitude": np.nan if season is None else season.amplitude,
                "truth": float(true.sum()),
                "mean": float(total["clv_mean"]),
                "low": float(total["clv_low"]),
                "high": float(total["clv_high"]),
                "covered": bool(total["clv_low"] <= true.sum() <= total["clv_high"]),
                "per_customer_coverage": float(((c["clv_low"].to_numpy() <= true + 1e-9) & (true <= c["clv_high"].to_numpy() + 1e-9)).mean()),
                "seconds": time.perf_counter() - started,
            }
        )
    return rows


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per variant: coverage of the total, truth / mean (mean and standard deviation), half-width, per-customer coverage."""
    runs = runs.assign(ratio=runs["truth"] / runs["mean"], half_width=(runs["high"] - runs["low"]) / 2 / runs["mean"])
    out = runs.groupby(["time", "model_rule", "interval"], sort=False).agg(
        runs=("seed", "size"),
        covered=("covered", "sum"),
        coverage=("covered", "mean"),
        ratio_mean=("ratio", "mean"),
        ratio_sd=("ratio", "std"),
        half_width=("half_width", "mean"),
        per_customer_coverage=("per_customer_coverage", "mean"),
        weight_bgnbd=("weight_bgnbd", "mean"),
        weight_mbgnbd=("weight_mbgnbd", "mean"),
        weight_paretonbd=("weight_paretonbd", "mean"),
    )
    return out.reset_index()


def markdown(table: pd.DataFrame, runs: pd.DataFrame, minutes: float, process: str = "bgnbd") -> str:
    n, customers = runs["seed"].nunique(), int(runs["customers"].iloc[0])
    auto = runs[(runs["model_rule"] == "auto") & (runs["interval"] == "averaged")]
    chosen = auto.groupby("time")["model"].value_counts().unstack(fill_value=0)
    worse = auto.assign(worse=auto["holdout_error"].abs() > auto["holdout_error_bgnbd"].abs()).groupby("time")["worse"].sum()
    lines = [
        f"CLV coverage benchmark: {n} seeds ({runs['seed'].min()}-{runs['seed'].max()}), {customers:,} companies each, "
        f"{'default simulated world' if process == 'bgnbd' else f'simulated world with --process {process}'}; {LEVEL:.0%} intervals of the total 24-month margin (undiscounted); run in {minutes:.0f} min.",
        "",
        "| time | model | interval | runs | total covered | coverage | truth / mean | sd | half-width | per-customer coverage | weights BG / MBG / Pareto |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.time} | {r.model_rule} | {r.interval} | {r.runs} | {r.covered} | {r.coverage:.0%} | {r.ratio_mean:.3f} | {r.ratio_sd:.3f} | "
            f"{r.half_width:.1%} | {r.per_customer_coverage:.1%} | {r.weight_bgnbd:.2f} / {r.weight_mbgnbd:.2f} / {r.weight_paretonbd:.2f} |"
        )
    lines += ["", "Models chosen by the rule (`auto`), runs:", ""]
    lines += [f"- {basis}: " + ", ".join(f"{model} {count}" for model, count in row.items() if count) for basis, row in chosen.iterrows()]
    lines += ["", "Runs where the rule's model misses the holdout total by more purchases than BG/NBD: "
              + ", ".join(f"{basis} {int(n)}" for basis, n in worse.items())]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--process", default="bgnbd", help="the simulated world's purchase process: bgnbd (default) | pareto | dormant")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    jobs = [(seed, args.customers, args.process) for seed in range(1, args.seeds + 1)]
    with ProcessPoolExecutor(args.workers) as pool:
        runs = pd.DataFrame([row for rows in pool.map(one_run, jobs) for row in rows])
    table = summarise(runs)
    RESULTS.mkdir(exist_ok=True)
    stem = "clv_coverage" + ("" if args.process == "bgnbd" else f"_{args.process}")
    runs.round(4).to_csv(RESULTS / f"{stem}_runs.csv", index=False)
    table.round(4).to_csv(RESULTS / f"{stem}.csv", index=False)
    text = markdown(table, runs, (time.perf_counter() - started) / 60, args.process)
    (RESULTS / f"{stem}.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
