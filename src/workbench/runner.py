"""``workbench run``: validate once, execute the notebooks with Papermill, render the report.

A run folder holds: ``data/`` (normalised tables as Parquet and the ledger),
``rejected_rows.csv``, each executed ``.ipynb`` and its code-free ``.html``,
``metrics.json``, ``run.json`` and ``index.html``.

The notebooks are independent (each reads only the run folder's ``data/`` and the
parameters), so ``jobs`` of them run at once, each in its own kernel; the runner renders
each finished notebook's page while the next ones execute, with one reused exporter.
The costliest notebooks start first (``metadata.workbench.cost``), so that the longest
one does not run alone at the end while the other cores wait.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable

import pandas as pd

from workbench import __version__
from workbench.analysis import quality
from workbench.config.params import Params, load_params, params_as_dict
from workbench.data import Dataset, load_dataset
from workbench.errors import StrictModeError, WorkbenchError
from workbench.reporting import html as report
from workbench.reporting import i18n, manifest, metrics, summary
from workbench.resources import notebooks_dir as notebooks_dir_default
from workbench.session import NOTEBOOK_ENV, Workbench

NOT_APPLICABLE = "not applicable"
_NOTEBOOK_NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
_PACKAGES = (
    "loyalty-workbench",
    "pandas",
    "numpy",
    "lifetimes",
    "scipy",
    "statsmodels",
    "scikit-learn",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "pydantic",
    "pyarrow",
    "openpyxl",
)


@dataclass
class NotebookResult:
    """How one notebook ran."""

    name: str
    title: str
    status: str  # "ok", "failed" or "not applicable"
    duration_s: float
    html: str
    error: str | None = None
    cell: int | None = None
    figures: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    """A finished run."""

    run_dir: Path
    notebooks: list[NotebookResult]

    @property
    def failed(self) -> list[str]:
        return [nb.name for nb in self.notebooks if nb.status == "failed"]

    @property
    def index(self) -> Path:
        return self.run_dir / "index.html"


def discover_notebooks(folder: Path) -> list[Path]:
    """The method notebooks (``NN_name.ipynb``), in order."""
    return sorted(p for p in folder.glob("*.ipynb") if _NOTEBOOK_NAME.match(p.name))


def select_notebooks(available: list[Path], only: list[str] | None) -> list[Path]:
    """Keep the notebooks named in ``only`` (full stem, number prefix ``04`` or name ``clv``).

    Raises
    ------
    WorkbenchError
        A name matches no notebook.
    """
    if not only:
        return available
    chosen = []
    for wanted in only:
        hits = [p for p in available if wanted in (p.stem, p.stem[:2], p.stem[3:])]
        if not hits:
            names = ", ".join(p.stem for p in available)
            raise WorkbenchError(f"--only {wanted}: no such notebook; choose among {names}")
        chosen += [h for h in hits if h not in chosen]
    return [p for p in available if p in chosen]


def default_run_dir(params: Params, *, root: Path | None = None) -> Path:
    """``reports/<client-slug>/<timestamp>`` under ``root`` (the current folder by default)."""
    base = (root or Path.cwd()) / "reports" / params.slug
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate, n = base / stamp, 1
    while candidate.exists():
        n += 1
        candidate = base / f"{stamp}-{n}"
    return candidate


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _notebook_title(path: Path, language: str = "en") -> str:
    import nbformat

    nb = i18n.keep_language(nbformat.read(path, as_version=4), language)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


@lru_cache(maxsize=1)
def _kernel_manager_class() -> type:
    """A kernel manager that adds ``extra_env`` (here: the notebook's name) to the kernel's environment."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import Dict

    class WorkbenchKernelManager(AsyncKernelManager):
        extra_env = Dict(help="Variables added to the kernel's environment.").tag(config=True)

        async def _async_pre_start_kernel(self, **kw):
            kw["env"] = {**kw.get("env", os.environ), **self.extra_env}
            return await super()._async_pre_start_kernel(**kw)

    return WorkbenchKernelManager


def notebook_cost(path: Path) -> float:
    """A notebook's declared relative cost, ``metadata.workbench.cost`` (1 when absent or unreadable).

    The method notebooks that fit models (04, 06) declare more; it only orders their start.
    """
    try:
        cost = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("workbench", {}).get("cost", 1)
    except (OSError, ValueError, AttributeError):
        return 1.0
    return float(cost) if isinstance(cost, (int, float)) and not isinstance(cost, bool) else 1.0


def start_order(notebooks: list[Path]) -> list[Path]:
    """The order notebooks start in: costliest first, notebook order among equals.

    With ``jobs`` kernels at once the run ends when its last notebook does; starting the
    long ones first keeps every core busy until near the end (longest processing time first).
    """
    return sorted(notebooks, key=lambda nb: -notebook_cost(nb))


def _skip_slow_iri_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in the runner process.

    jsonschema imports that optional IRI checker, which builds a grammar on import
    (about 2 s, paid before the first kernel starts); the notebook schema that
    nbformat validates has no IRI format, so validation is unchanged without it.
    """
    if "jsonschema._format" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _declared(notebook: Path, parameters: dict) -> dict:
    """The run's parameters that this notebook's ``parameters`` cell declares (papermill warns about any other)."""
    import papermill as pm

    names = set(pm.inspect_notebook(str(notebook)))
    return {k: v for k, v in parameters.items() if k in names}


def _execute(notebook: Path, output: Path, parameters: dict, cwd: Path, *, progress_bar: bool = False) -> tuple[str, str | None, int | None]:
    """Run one notebook with Papermill in its own kernel; ``(status, error, cell)``, never raises."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    # Local IPC sockets instead of TCP: nothing listens on the network, and ipykernel
    # does not print its "running over TCP without encryption" warning. One socket
    # prefix per notebook, as kernels start side by side. The kernel starts in ``cwd``
    # (nbclient's ``resources``) rather than through Papermill's ``cwd``, which changes
    # the directory of the whole runner process and races between threads. Once the last
    # cell has answered, the kernel has nothing left to write: it is stopped at once
    # (a graceful shutdown now and then waits seconds for the kernel to exit).
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(Path(tempfile.gettempdir()) / f"workbench-kernel-{os.getpid()}-{notebook.stem}")
    config.WorkbenchKernelManager.extra_env = {NOTEBOOK_ENV: notebook.stem}
    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=progress_bar,
            log_output=False,
            request_save_on_cell_execute=False,
            kernel_manager_class=_kernel_manager_class(),
            resources={"metadata": {"path": str(cwd)}},
            shutdown_kernel="immediate",
            config=config,
        )
    except PapermillExecutionError as exc:
        if exc.ename == "NotApplicable":
            return NOT_APPLICABLE, exc.evalue, exc.cell_index
        return "failed", f"{exc.ename}: {exc.evalue}", exc.cell_index
    except Exception as exc:  # the kernel died, a timeout: the notebook failed, the run goes on
        return "failed", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", None
    return "ok", None, None


def default_jobs() -> int:
    """How many notebooks run at once by default: the machine's cores."""
    return os.cpu_count() or 1


def _run_notebooks(
    notebooks: list[Path], run_dir: Path, parameters: dict, *, jobs: int, say: Callable[[str], None], language: str = "en"
) -> list[NotebookResult]:
    """Execute the notebooks, ``jobs`` at once, and render each one's page as it finishes.

    One line per notebook when it starts and when it ends (Papermill's progress bar only
    when one notebook runs at a time on a terminal). A failing notebook stops nothing else.
    With more than one job the costliest start first (:func:`start_order`).

    Returns
    -------
    list of NotebookResult
        In notebook order; ``figures`` is filled in once the metrics are merged.
    """
    total, lock = len(notebooks), threading.Lock()
    progress_bar = jobs == 1 and sys.stderr.isatty()

    def execute(i: int, notebook: Path) -> tuple[str, str | None, int | None, float]:
        with lock:
            say(f"[{i}/{total}] {notebook.stem} ...")
        started = time.perf_counter()
        status, error, cell = _execute(notebook, run_dir / notebook.name, _declared(notebook, parameters), notebook.parent, progress_bar=progress_bar)
        return status, error, cell, time.perf_counter() - started

    results: dict[Path, NotebookResult] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, min(jobs, total)), thread_name_prefix="notebook")
    number = {nb: i for i, nb in enumerate(notebooks, 1)}
    order = start_order(notebooks) if jobs > 1 else notebooks  # one at a time: the order changes nothing but the reading
    futures: dict[Future, tuple[int, Path]] = {pool.submit(execute, number[nb], nb): (number[nb], nb) for nb in order}
    try:
        for future in as_completed(futures):
            i, notebook = futures[future]
            status, error, cell, duration = future.result()
            html_name = f"{notebook.stem}.html"
            if (run_dir / notebook.name).is_file():
                report.notebook_to_html(run_dir / notebook.name, run_dir / html_name, language=language)
            results[notebook] = NotebookResult(notebook.stem, _notebook_title(notebook, language), status, round(duration, 2), html_name, error, cell)
            with lock:
                say(f"[{i}/{total}] {notebook.stem}: {status} in {duration:.1f} s" + (f" — {error}" if error else ""))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [results[nb] for nb in notebooks]


def run(
    params_path: str | Path,
    *,
    out: str | Path | None = None,
    only: list[str] | None = None,
    strict: bool = False,
    notebooks_dir: Path | None = None,
    compare: str | Path | None = None,
    language: str | None = None,
    jobs: int | None = None,
    say: Callable[[str], None] = print,
) -> RunResult:
    """Validate the parameters and data, run the notebooks, write the report.

    Parameters
    ----------
    params_path
        The client's parameter file.
    out
        The run folder; by default ``reports/<client-slug>/<timestamp>``.
    only
        Run only these notebooks (stem, number or name).
    strict
        Fail before running anything when a row is rejected.
    notebooks_dir
        Where the method notebooks are (default: the ones installed with the package).
    compare
        A previous run folder of the same client: the summary shows each headline figure's change.
    language
        ``en`` or ``fr``: the language of the report pages; None: ``report.language`` of the parameters.
    jobs
        How many notebooks run at once, each in its own kernel (default: the machine's cores);
        the outputs are the same as with 1.
    say
        Where progress lines go.

    Returns
    -------
    RunResult

    Raises
    ------
    ParameterError, DataError, StrictModeError, WorkbenchError
        User errors, before any notebook runs.
    """
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise WorkbenchError(f"--jobs {jobs}: give how many notebooks run at once, 1 or more")
    _skip_slow_iri_checker()
    params_path = Path(params_path).resolve()
    params = load_params(params_path)
    language = language or params.report.language
    try:
        previous = summary.read_previous_run(compare) if compare else None
    except ValueError as exc:
        raise WorkbenchError(str(exc)) from None
    notebooks_dir = (Path(notebooks_dir) if notebooks_dir else notebooks_dir_default()).resolve()
    notebooks = select_notebooks(discover_notebooks(notebooks_dir), only)
    if not notebooks:
        raise WorkbenchError(f"{notebooks_dir}: no notebooks named NN_name.ipynb found")
    say(f"Validating the data of {params.client} ...")
    dataset = load_dataset(params)
    run_dir = Path(out).resolve() if out else default_run_dir(params)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / metrics.METRICS_FILE).unlink(missing_ok=True)
    metrics.clear_parts(run_dir)
    manifest.clear_parts(run_dir)
    dataset.save(run_dir)
    for row in dataset.ledger.itertuples():
        say(f"  {row.table}: {row.rows_read} rows read, {row.rows_kept} kept, {row.rows_rejected} rejected, {row.rows_out_of_period} out of period")
    metrics.write_metrics(run_dir, quality.ledger_metrics(dataset.ledger))
    rejected = int(dataset.ledger["rows_rejected"].sum())
    if strict and rejected:
        raise StrictModeError(
            f"--strict: {rejected} input row(s) rejected ({_reason_summary(dataset)}); see {run_dir / 'rejected_rows.csv'}, fix the data or run without --strict"
        )

    parameters = {"params_path": str(params_path), "run_dir": str(run_dir), "language": language}
    results = _run_notebooks(notebooks, run_dir, parameters, jobs=jobs, say=say, language=language)
    figures = metrics.merge_parts(run_dir, [nb.stem for nb in notebooks])
    manifest.merge_parts(run_dir, [nb.stem for nb in notebooks])
    for nb in results:
        nb.figures = figures[nb.name]

    result = RunResult(run_dir=run_dir, notebooks=results)
    _write_run_json(result, params, dataset, params_path)
    _write_index(result, params, dataset, params_path, previous=previous, compare=compare, language=language)
    return result


def _reason_summary(dataset: Dataset) -> str:
    counts = dataset.rejected.groupby(["table", "reason"]).size()
    return ", ".join(f"{t}: {n} {r}" for (t, r), n in counts.items())


def _inputs(params: Params, dataset: Dataset, params_path: Path) -> dict[str, dict[str, str]]:
    items = {"parameters": params_path, **dataset.files}
    return {name: {"path": os.path.relpath(path, params_path.parent), "sha256": sha256(path)} for name, path in items.items()}


def _write_run_json(result: RunResult, params: Params, dataset: Dataset, params_path: Path) -> None:
    info = {
        "run_id": result.run_dir.name,
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "parameters": params_as_dict(params),
        "inputs": _inputs(params, dataset, params_path),
        "ledger": dataset.ledger.to_dict(orient="records"),
        "packages": package_versions(),
        "notebooks": [asdict(nb) for nb in result.notebooks],
        "status": "failed" if result.failed else "ok",
    }
    (result.run_dir / "run.json").write_text(json.dumps(info, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def _headlines(recorded: dict, warnings: pd.DataFrame, previous: dict | None) -> list[dict]:
    rows = summary.compute_summary(recorded)
    changes = summary.compare_metrics(recorded, previous or {}, keys=rows["key"].tolist()).set_index("key") if previous is not None else None
    out = []
    for row in rows.itertuples(index=False):
        item = row._asdict()
        item["warnings"] = warnings.loc[warnings["table"].isin(row.tables), "message"].tolist()
        if changes is not None:
            item["previous"] = changes.loc[row.key, "previous"]
            item["change"] = changes.loc[row.key, "change"]
            item["change_pct"] = changes.loc[row.key, "change_pct"]
        out.append(item)
    return out


def _segment_actions(run_dir: Path) -> list[dict]:
    """The levers and retention budget per RFM segment, if a notebook exported them (manifest role ``segment_actions``)."""
    path = manifest.find_export(run_dir, "segment_actions")
    if path is None:
        return []
    frame = pd.read_csv(path)
    return frame[frame["customers"] > 0].to_dict(orient="records")


def _write_index(
    result: RunResult, params: Params, dataset: Dataset, params_path: Path, *, previous: dict | None = None, compare=None, language: str = "en"
) -> None:
    with i18n.using(language):
        context = _index_context(result, params, dataset, params_path, previous=previous, compare=compare)
    report.write_index(result.run_dir, context, language=language)


def _index_context(result: RunResult, params: Params, dataset: Dataset, params_path: Path, *, previous: dict | None, compare) -> dict:
    recorded = metrics.read_metrics(result.run_dir)
    reasons = dataset.rejected.groupby(["table", "reason"]).size().rename("rows").reset_index()
    warnings = Workbench(params=params, dataset=dataset).quality_warnings()
    context = {
        "client": params.client,
        "currency": params.currency,
        "period": params.period,
        "run_id": result.run_dir.name,
        "version": __version__,
        "failed": result.failed,
        "notebooks": [{**asdict(nb), "figures": [(k, recorded.get(k)) for k in nb.figures]} for nb in result.notebooks],
        "ledger": dataset.ledger.to_dict(orient="records"),
        "reasons": reasons.to_dict(orient="records"),
        "warnings": warnings["message"].tolist(),
        "headlines": _headlines(recorded, warnings, previous),
        "flags": summary.target_flags(recorded, params.kpis.targets),
        "actions": _segment_actions(result.run_dir),
        "compared_with": str(compare) if compare else None,
        "comparison": summary.compare_metrics(recorded, previous).to_dict(orient="records") if previous is not None else [],
        "inputs": _inputs(params, dataset, params_path),
        "parameters_file": params_path.name,
        "parameters_text": params_path.read_text(encoding="utf-8"),
    }
    return context
