"""Coverage benchmark of the programme-effect estimators, on simulated worlds that break their assumptions.

For each scenario of ``workbench simulate`` and its null variant (effect 0), simulate many seeds at
the demo's size, run each estimator, and compare with the ground truth computed from the factual
and counterfactual worlds on the same random numbers:

- bias and RMSE (currency per enrolled company over year 1),
- coverage of the 95 % interval and its mean width,
- in null worlds, the share of intervals that exclude 0 (false positives).

The ``headline placebo`` estimators (:mod:`workbench.analysis.uplift.placebo`: the headline at
pseudo-enrolment dates 13 months early; all members, or only those whose pseudo date is after the
launch) have a truth of 0 in every world: their "CI excludes 0" is how often the page's check
fires, and a second table gives it per world with the correlation with the headline's error.

    python benchmarks/uplift_coverage.py --seeds 20 --estimators "purchase-model counterfactual" \
        "headline placebo" "headline placebo (after launch)" --out uplift_placebo   # 13 min

    python benchmarks/uplift_coverage.py --seeds 20 --scenarios observables latent latent_survival \
        --rewarded-ranges equipment --halos 0 1 --estimators "purchase-model counterfactual" "negative control" \
        --out uplift_negative_control   # the negative control (workbench.analysis.uplift.negative_control), 12 min

    python benchmarks/uplift_coverage.py                 # short: 8 seeds per world
    python benchmarks/uplift_coverage.py --seeds 200     # the full run (make benchmark-uplift)

Results go to ``benchmarks/results/uplift_coverage.csv`` (one row per world and estimator) and
``uplift_coverage.md`` (the table the README shows); the per-run estimates to ``uplift_runs.csv``.
This is a benchmark, not a test: it takes minutes to hours and its figures are read, not asserted.
"""

from __future__ import annotations

import argparse
import inspect
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"
SCENARIOS = ("observables", "latent", "survival", "latent_survival", "signup", "fading")
TARGETS = "coverage >= 90 %, false positives <= 10 %, |bias| <= 20 % of the true effect, mean width <= 1.5 x the true effect"


def _available_scenarios() -> tuple[str, ...]:
    from workbench.simulate import simulate

    return SCENARIOS if "scenario" in inspect.signature(simulate).parameters else ("observables",)


def _world(scenario: str, null: bool, seed: int, customers: int, process: str = "bgnbd", start: str | None = None, rewarded=(), halo: float = 0.0):
    from workbench.simulate import simulate

    kwargs = {"scenario": scenario, "null": null} if "scenario" in inspect.signature(simulate).parameters else {"effect": 0.0 if null else 0.25}
    if rewarded:  # the effect acts on these ranges only (plus ``halo`` of it on the others)
        kwargs |= {"rewarded_ranges": list(rewarded), "halo": halo}
    if process != "bgnbd":
        kwargs["process"] = process
    if start:  # the export's first day; three years of data, the launch six months in (the simulator's layout)
        first = date.fromisoformat(start)
        kwargs |= {"start": first, "end": first.replace(year=first.year + 3) - timedelta(days=1)}
    sim = simulate(n_customers=customers, seed=seed, dirty=False, **kwargs)
    tx = sim.tables["transactions"].assign(date=lambda d: pd.to_datetime(d["date"]))
    customers_ = sim.tables["customers"].assign(enrolled_on=lambda d: pd.to_datetime(d["enrolled_on"]))
    return tx, customers_, sim.truth


def _year1_of(estimate, extras=None):
    """An estimator of year 1 on (enrolment dates, reference date, launch): its ``year(1)`` row as (att, low, high).

    ``extras(result, truth)``, when given, adds a dict of per-run figures as a fourth element.
    """

    def run(tx, customers, truth, seed):
        res = estimate(
            tx, customers[["customer_id", "enrolled_on"]], end=pd.Timestamp(truth["end"]), launch=pd.Timestamp(truth["programme_launch"]),
            n_bootstrap=199, seed=seed,
        )  # fmt: skip
        row = res.year(1)
        if row is None:
            return np.nan, np.nan, np.nan
        return (row["att"], row["ci_low"], row["ci_high"]) + (() if extras is None else (extras(res, truth),))

    return run


def _staggered(tx, customers, truth, seed):
    from workbench.analysis.uplift.staggered import estimate_staggered

    return _year1_of(estimate_staggered)(tx, customers, truth, seed)


def _matched(tx, customers, truth, seed):
    from workbench.analysis.uplift import estimate_uplift

    res = estimate_uplift(tx, customers, end=pd.Timestamp(truth["end"]), member_statuses=("member", "blocked"), n_bootstrap=199, seed=seed)
    rev = res.did.set_index("outcome").loc["revenue"]
    return float(rev["att"]), float(rev["ci_low"]), float(rev["ci_high"])


def _hidden_strengths(res, truth) -> dict:
    """The strengths of hidden selection on the purchase rate that bring the headline, its interval, and the gap to the truth to 0."""
    from workbench.analysis.uplift.sensitivity import explaining_strength

    hidden, true = res.hidden_selection, truth.get("uplift_year1_att", truth["uplift_att_revenue"])
    strengths = {
        "estimate_at": explaining_strength(hidden),
        "interval_at": explaining_strength(hidden, column="ci_low"),
        "truth_at": explaining_strength(hidden.assign(gap=hidden["att"] - true), column="gap"),
    }
    out = {k: np.inf if v is None else v for k, v in strengths.items()}  # None: beyond the table's last strength
    return out | {"e_value_interval": _e_value_interval(res)}


def _e_value_interval(res) -> float:
    """The E-value of the headline's interval (as the page computes it), NaN without an outcome spread."""
    from workbench.analysis.uplift.sensitivity import compute_e_value

    y1 = res.year(1)
    if y1 is None or not res.outcome_sd > 0:
        return np.nan
    return float(compute_e_value(y1["att"], y1["ci_low"], y1["ci_high"], outcome_sd=res.outcome_sd).iloc[1]["e_value"])


def _negative_control(tx, customers, truth, seed):
    """The headline re-run on the ranges the world does not reward (:mod:`workbench.analysis.uplift.negative_control`)."""
    from workbench.analysis.uplift.negative_control import compute_negative_control

    row = compute_negative_control(
        tx, customers[["customer_id", "enrolled_on"]], ranges=truth["negative_control_ranges"], end=pd.Timestamp(truth["end"]),
        launch=pd.Timestamp(truth["programme_launch"]), n_bootstrap=199, seed=seed,
    ).iloc[0]  # fmt: skip
    return float(row["att"]), float(row["ci_low"]), float(row["ci_high"]), {"members": int(row["companies"])}


def _counterfactual(tx, customers, truth, seed):
    from workbench.analysis.uplift.counterfactual import estimate_counterfactual

    return _year1_of(estimate_counterfactual, _hidden_strengths)(tx, customers, truth, seed)


def _placebo_of(**options):
    """The headline's placebo (:mod:`workbench.analysis.uplift.placebo`) with ``options``, as (att, low, high, members); its truth is 0."""

    def run(tx, customers, truth, seed):
        from workbench.analysis.uplift.placebo import compute_headline_placebo

        row = compute_headline_placebo(
            tx, customers[["customer_id", "enrolled_on"]], end=pd.Timestamp(truth["end"]), launch=pd.Timestamp(truth["programme_launch"]),
            n_bootstrap=199, seed=seed, **options,
        ).iloc[0]  # fmt: skip
        return float(row["att"]), float(row["ci_low"]), float(row["ci_high"]), {"members": int(row["members"])}

    return run


ESTIMATORS = {
    "purchase-model counterfactual": (_counterfactual, "uplift_year1_att"),
    "headline placebo": (_placebo_of(), None),
    "headline placebo (after launch)": (_placebo_of(after_launch=True), None),
    "staggered (Callaway-Sant'Anna)": (_staggered, "uplift_year1_att"),
    "matched DiD": (_matched, "uplift_att_revenue"),
    "negative control": (_negative_control, "negative_control_year1_att"),  # needs --rewarded-ranges
}


def one_run(args: tuple) -> list[dict]:
    """Every estimator of ``names`` on one world: ``(scenario, null, seed, customers, process, names, start[, rewarded, halo])``.

    With rewarded ranges and a halo the scenario is labelled ``"<scenario>, halo <h>"`` in the rows.
    """
    scenario, null, seed, customers, process, names, start, *ranges = args
    rewarded, halo = ranges if ranges else ((), 0.0)
    tx, cust, truth = _world(scenario, null, seed, customers, process, start, rewarded, halo)
    if halo:
        scenario = f"{scenario}, halo {halo:g}"
    rows = []
    for name in names:
        estimate, truth_key = ESTIMATORS[name]
        started = time.perf_counter()
        try:
            att, low, high, *more = estimate(tx, cust, truth, seed)
            extras, error = (more[0] if more else {}), ""
        except Exception as exc:  # a failed estimate is a result too
            att, low, high, extras, error = np.nan, np.nan, np.nan, {}, f"{type(exc).__name__}: {exc}"[:200]
        true = 0.0 if truth_key is None else truth.get(truth_key, truth["uplift_att_revenue"])  # a placebo's truth is 0
        rows.append(
            {"process": process, "scenario": scenario, "null": null, "seed": seed, "estimator": name, "truth": true, "att": att, "ci_low": low, "ci_high": high,
             "members": np.nan, **extras, "seconds": round(time.perf_counter() - started, 1), "error": error}
        )  # fmt: skip
    return rows


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Bias, RMSE, coverage, mean width and false-positive rate per world and estimator."""
    ok = runs.dropna(subset=["att"])
    ok = ok.assign(err=ok["att"] - ok["truth"], covered=(ok["ci_low"] <= ok["truth"]) & (ok["truth"] <= ok["ci_high"]), width=ok["ci_high"] - ok["ci_low"])
    ok = ok.assign(excludes_zero=(ok["ci_low"] > 0) | (ok["ci_high"] < 0))
    keys = ["process", "scenario", "null", "estimator"]
    g = ok.groupby(keys)
    out = g.agg(
        runs=("att", "size"), truth=("truth", "mean"), mean_estimate=("att", "mean"), bias=("err", "mean"), rmse=("err", lambda e: float(np.sqrt((e**2).mean()))),
        coverage=("covered", "mean"), mean_width=("width", "mean"), excludes_zero=("excludes_zero", "mean"),
    ).reset_index()  # fmt: skip
    failed = runs[runs["att"].isna()].groupby(keys).size().rename("failed")
    out = out.merge(failed, on=keys, how="left").fillna({"failed": 0})
    out["bias_pct_of_effect"] = np.where(out["null"], np.nan, 100 * out["bias"] / out["truth"].where(out["truth"] != 0))
    out["width_x_effect"] = np.where(out["null"], np.nan, out["mean_width"] / out["truth"].where(out["truth"] != 0))
    return out


def to_markdown(summary: pd.DataFrame, *, seeds: int, customers: int, seconds: float, start: str | None = None) -> str:
    lines = [
        f"Coverage benchmark: {seeds} seeds per world, {customers} companies each"
        + (f", exports starting {start} (launch six months later)" if start else "")
        + ", year-1 effect per enrolled company (EUR); "
        f"run in {seconds / 60:.0f} min. Targets for the headline estimator: {TARGETS}.",
        "",
        "| process | scenario | null | estimator | runs | truth | bias | bias % of effect | RMSE | coverage | mean width | width / effect | CI excludes 0 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in summary.itertuples():
        pct = "" if np.isnan(r.bias_pct_of_effect) else f"{r.bias_pct_of_effect:+.0f} %"
        wx = "" if np.isnan(r.width_x_effect) else f"{r.width_x_effect:.1f}"
        lines.append(
            f"| {r.process} | {r.scenario} | {'yes' if r.null else 'no'} | {r.estimator} | {r.runs} | {r.truth:,.0f} | {r.bias:+,.0f} | {pct} | {r.rmse:,.0f} | "
            f"{100 * r.coverage:.0f} % | {r.mean_width:,.0f} | {wx} | {100 * r.excludes_zero:.0f} % |"
        )
    return "\n".join(lines) + "\n"


def placebo_markdown(runs: pd.DataFrame) -> str:
    """Per world, the headline placebo's mean, how often its interval excludes 0 (the page's warning fires), and how it tracks the headline's error.

    ``runs`` is the per-run frame of :func:`one_run`; worlds without a placebo row are left out. The
    correlation is over seeds, between the placebo and the headline's error (estimate - truth),
    when both ran.
    """
    placebo = runs[runs["estimator"].str.startswith("headline placebo") & runs["att"].notna()]
    if placebo.empty:
        return ""
    head = runs[runs["estimator"] == "purchase-model counterfactual"].assign(head_err=lambda d: d["att"] - d["truth"])
    keys = ["process", "scenario", "null", "seed"]
    placebo = placebo.merge(head[[*keys, "head_err"]], on=keys, how="left")
    lines = [
        "",
        "Headline placebo (the headline's model predicting each member's 12 months before its enrolment month; truth 0 in every world): "
        "mean estimate, share of worlds whose interval excludes 0 (the warning fires), mean members evaluated, and the correlation over "
        "seeds with the headline's error.",
        "",
        "| process | scenario | null | variant | runs | placebo mean | fires | mean width | members | headline bias | corr. with headline error |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (proc, scen, null, est), g in placebo.groupby(["process", "scenario", "null", "estimator"]):
        fires = ((g["ci_low"] > 0) | (g["ci_high"] < 0)).mean()
        both = g.dropna(subset=["head_err"])
        corr = both["att"].corr(both["head_err"]) if len(both) > 2 else np.nan
        variant = est.removeprefix("headline placebo").strip(" ()") or "all members"
        members = g["members"].mean()
        lines.append(
            f"| {proc} | {scen} | {'yes' if null else 'no'} | {variant} | {len(g)} | {g['att'].mean():+,.0f} | {100 * fires:.0f} % | "
            f"{(g['ci_high'] - g['ci_low']).mean():,.0f} | {members:,.0f} | {both['head_err'].mean():+,.0f} | {corr:+.2f} |"
        )
    return "\n".join(lines) + "\n"


def hidden_markdown(runs: pd.DataFrame, *, reference: float) -> str:
    """Per world, what the headline's hidden-selection figure says: the strength that would match the truth, and how often the page warns.

    ``runs`` is the per-run frame of :func:`one_run`. The page calls the evidence weak when hidden
    selection on the purchase rate no stronger than ``reference`` brings the interval to 0
    (:func:`workbench.analysis.uplift.conclusion.evidence_problems`); a false positive *claimed* is
    a null world whose interval excludes 0 without that warning.
    """
    head = runs[(runs["estimator"] == "purchase-model counterfactual") & runs["att"].notna()]
    if head.empty or "interval_at" not in head:
        return ""
    lines = [
        "",
        "Hidden selection on the purchase rate (the headline re-estimated as if enrolment were `2 ** strength` times as likely for a "
        "company that truly buys twice as often, at equal history): the median strength at which the estimate equals the truth, and "
        f"the share of worlds where a strength of at most {reference:g} brings the interval to 0 (the page then calls the evidence weak).",
        "",
        "| process | scenario | null | runs | truth | headline bias | strength matching the truth (median) | warned | CI excludes 0 | claimed without warning |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (proc, scen, null), g in head.groupby(["process", "scenario", "null"]):
        warned = g["interval_at"] <= reference
        excludes = (g["ci_low"] > 0) | (g["ci_high"] < 0)
        lines.append(
            f"| {proc} | {scen} | {'yes' if null else 'no'} | {len(g)} | {g['truth'].mean():,.0f} | {(g['att'] - g['truth']).mean():+,.0f} | "
            f"{g['truth_at'].median():.2f} | {100 * warned.mean():.0f} % | {100 * excludes.mean():.0f} % | {100 * (excludes & ~warned).mean():.0f} % |"
        )
    return "\n".join(lines) + "\n"


def negative_control_markdown(runs: pd.DataFrame, *, reference: float) -> str:
    """Per world, how often the negative control fires, and how often the headline is claimed without any warning, before and after it.

    ``runs`` is the per-run frame of :func:`one_run` with the headline and the ``negative control``.
    A claim is a headline interval above 0. The warnings counted are those the page derives from
    the headline's own result (:func:`workbench.analysis.uplift.conclusion.evidence_problems`): an
    E-value of the interval below 1.25, hidden selection no stronger than ``reference`` bringing the
    interval to 0, and (after) the negative control's interval above 0. The pre-trend test, the two
    placebos and the estimators' disagreement are not run here: the page may warn more often.
    """
    keys = ["process", "scenario", "null", "seed"]
    head = runs[(runs["estimator"] == "purchase-model counterfactual") & runs["att"].notna()]
    control = runs[(runs["estimator"] == "negative control") & runs["att"].notna()]
    if head.empty or control.empty or "interval_at" not in head:
        return ""
    cols = ["truth", "att", "ci_low", "ci_high", "members"]
    both = head.merge(control[[*keys, *cols]], on=keys, suffixes=("", "_nc"))
    claimed = both["ci_low"] > 0
    warned = (both["interval_at"] <= reference) | both["e_value_interval"].between(1, 1.25, inclusive="neither")
    fires = both["ci_low_nc"] > 0
    both = both.assign(claimed=claimed, before=claimed & ~warned, after=claimed & ~warned & ~fires, fires=fires)
    both = both.assign(covered=(both["ci_low_nc"] <= both["truth_nc"]) & (both["truth_nc"] <= both["ci_high_nc"]))
    lines = [
        "",
        "Negative control (the headline re-run on the revenue of the ranges the world does not reward; truth: the effect on that "
        "revenue, factual minus counterfactual): its mean truth and estimate, how often its interval covers its truth and is above 0 "
        "(the page warns), and the share of worlds where the headline's interval is above 0 without any warning of the page's own "
        "checks on the headline (E-value, hidden selection), before and after adding the negative control.",
        "",
        "| process | scenario | null | runs | headline truth | headline bias | control truth | control estimate | control covers its truth "
        "| control fires | headline claimed | claimed without warning, before | after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (proc, scen, null), g in both.groupby(["process", "scenario", "null"]):
        lines.append(
            f"| {proc} | {scen} | {'yes' if null else 'no'} | {len(g)} | {g['truth'].mean():,.0f} | {(g['att'] - g['truth']).mean():+,.0f} | "
            f"{g['truth_nc'].mean():+,.0f} | {g['att_nc'].mean():+,.0f} | {100 * g['covered'].mean():.0f} % | {100 * g['fires'].mean():.0f} % | "
            f"{100 * g['claimed'].mean():.0f} % | {100 * g['before'].mean():.0f} % | {100 * g['after'].mean():.0f} % |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8, help="seeds per world (200 for the full run)")
    parser.add_argument("--customers", type=int, default=2000, help="companies per world (the demo's size)")
    parser.add_argument("--jobs", type=int, default=2, help="worlds simulated and estimated side by side")
    parser.add_argument("--scenarios", nargs="+", default=None, help="only these scenarios")
    parser.add_argument("--processes", nargs="+", default=["bgnbd"], help="purchase processes of the simulator (bgnbd, pareto, dormant)")
    parser.add_argument("--estimators", nargs="+", default=list(ESTIMATORS), choices=list(ESTIMATORS), help="only these estimators")
    parser.add_argument("--out", default="uplift", help="prefix of the result files in benchmarks/results/")
    parser.add_argument(
        "--rewarded-ranges", nargs="+", default=[], help="product ranges the effect acts on (simulate(rewarded_ranges=...)); the negative control needs them"
    )
    parser.add_argument(
        "--halos", nargs="+", type=float, default=[0.0], help="with --rewarded-ranges: shares of the effect spilling into the other ranges (0-1)"
    )
    parser.add_argument(
        "--start",
        default=None,
        help="first day of the simulated exports (YYYY-MM-DD; default 2022-01-01): moves the launch, six months later, to another season",
    )
    args = parser.parse_args(argv)
    scenarios = args.scenarios or _available_scenarios()
    if "negative control" in args.estimators and not args.rewarded_ranges:
        parser.error("the negative control needs --rewarded-ranges (worlds where the effect acts on some ranges only)")
    halos = args.halos if args.rewarded_ranges else [0.0]
    work = [
        (s, null, seed, args.customers, proc, tuple(args.estimators), args.start, tuple(args.rewarded_ranges), halo)
        for proc in args.processes
        for s in scenarios
        for halo in halos
        for null in (False, True)
        for seed in range(1, args.seeds + 1)
        if not (null and halo)  # a null world has no effect to spill over: the same world as halo 0
    ]
    started = time.perf_counter()
    rows: list[dict] = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for i, result in enumerate(pool.map(one_run, work), 1):
            rows += result
            r0 = result[0]
            print(f"[{i}/{len(work)}] {r0['process']} {r0['scenario']}{' null' if r0['null'] else ''} seed {r0['seed']}", flush=True)
    runs = pd.DataFrame(rows)
    summary = summarise(runs)
    RESULTS.mkdir(exist_ok=True)
    runs.to_csv(RESULTS / f"{args.out}_runs.csv", index=False)
    summary.to_csv(RESULTS / f"{args.out}_coverage.csv", index=False)
    text = to_markdown(summary, seeds=args.seeds, customers=args.customers, seconds=time.perf_counter() - started, start=args.start)
    text += placebo_markdown(runs)
    from workbench.analysis.uplift.sensitivity import REFERENCE_STRENGTH

    text += hidden_markdown(runs, reference=REFERENCE_STRENGTH)
    text += negative_control_markdown(runs, reference=REFERENCE_STRENGTH)
    (RESULTS / f"{args.out}_coverage.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
