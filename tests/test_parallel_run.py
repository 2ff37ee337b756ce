"""``workbench run --jobs N``: notebooks side by side give the files of a sequential run."""

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.conftest import ROOT
from tests.test_cli import workbench
from workbench.reporting import manifest, metrics

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def _notebook(folder: Path, name: str, title: str, *code: str) -> None:
    cells = [new_markdown_cell(f"# {title}"), new_code_cell("params_path = ''\nrun_dir = ''", metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(c) for c in code]
    nbformat.write(new_notebook(cells=cells, metadata=KERNEL), folder / name)


def _method_notebooks(folder: Path) -> None:
    """Four notebooks that overlap in time and record the same key: the slow one finishes after the next two."""
    load = "import time\nimport pandas as pd\nimport workbench\nwb = workbench.load(params_path, run_dir=run_dir)"
    shutil.copy(ROOT / "notebooks" / "00_data_quality.ipynb", folder / "00_data_quality.ipynb")
    _notebook(
        folder,
        "01_slow.ipynb",
        "Slow",
        load,
        "time.sleep(2)\nwb.record('test.shared', 1)\nwb.record('test.slow', 0.25)\nprint('slow done')",
        "wb.export(pd.DataFrame({'a': [1, 2]}), 'slow.csv', role='slow')\nwb.export(pd.DataFrame({'a': [1]}), 'slow.csv', role='slow')",
    )
    _notebook(
        folder,
        "02_fast.ipynb",
        "Fast",
        load,
        "wb.record('test.shared', 2)\nwb.record('test.fast', 'yes')\nwb.export(pd.DataFrame({'b': [3]}), 'fast.csv')",
        "import os\nprint(len(wb.transactions), 'transactions in', os.path.basename(os.getcwd()))",
    )
    _notebook(folder, "03_broken.ipynb", "Broken", load, "wb.record('test.shared', 2)\nwb.record('test.last', None)", "raise ValueError('boom on purpose')")


def _texts(run_dir: Path, name: str) -> list:
    """The text a notebook printed and displayed, and its errors, cell by cell (the run folder's path as ``RUN``)."""
    out = []
    text = (run_dir / name).read_text(encoding="utf-8").replace(str(run_dir), "RUN")
    for cell in nbformat.reads(text, as_version=4).cells:
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                out.append((o.name, o.text))
            elif o.output_type == "error":
                out.append((o.ename, o.evalue))
            else:
                out.append({k: v for k, v in o.get("data", {}).items() if k.startswith("text/")})
    return out


@pytest.mark.slow
def test_parallel_run_equals_sequential_run(french_client: Path, tmp_path: Path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    _method_notebooks(folder)
    runs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        res = workbench("run", str(french_client), "--out", str(out), "--notebooks", str(folder), "--jobs", jobs)
        assert res.returncode == 1 and "error: 1 notebook(s) failed: 03_broken" in res.stderr
        lines = [line for line in res.stdout.splitlines() if line.startswith("[")]
        assert len(lines) == 8 and all(line.count("[") == 1 for line in lines)  # one start and one end line per notebook
        assert not (out / metrics.PARTS_DIR).exists() and not (out / manifest.PARTS_DIR).exists()
        runs[jobs] = out
        if jobs == "2":  # two kernels at once: both first notebooks start before either ends
            assert lines[:2] == ["[1/4] 00_data_quality ...", "[2/4] 01_slow ..."]
    sequential, parallel = runs["1"], runs["2"]

    recorded = json.loads((parallel / "metrics.json").read_text())
    assert (recorded["test.shared"], recorded["test.slow"], recorded["test.fast"], recorded["test.last"]) == (2, 0.25, "yes", None)
    assert recorded["data.transactions.rows_read"] == 8
    for name in ("metrics.json", "manifest.json", "slow.csv", "fast.csv"):
        assert (parallel / name).read_text() == (sequential / name).read_text(), name
    assert [(e["file"], e["rows"]) for e in manifest.read_manifest(parallel)] == [("slow.csv", 1), ("fast.csv", 1)]

    def statuses(run_dir: Path) -> list:
        run = json.loads((run_dir / "run.json").read_text())
        return [(n["name"], n["status"], n["error"], n["cell"], n["figures"]) for n in run["notebooks"]]

    assert statuses(parallel) == statuses(sequential)
    assert statuses(parallel)[1:] == [
        ("01_slow", "ok", None, None, ["test.shared", "test.slow"]),
        ("02_fast", "ok", None, None, ["test.fast", "test.shared"]),
        ("03_broken", "failed", "ValueError: boom on purpose", 5, ["test.last"]),  # test.shared was already 2
    ]
    for notebook in sorted(folder.glob("*.ipynb")):
        assert _texts(parallel, notebook.name) == _texts(sequential, notebook.name), notebook.name
        assert (parallel / f"{notebook.stem}.html").is_file()
    assert ("stdout", "slow done\n") in _texts(parallel, "01_slow.ipynb")
    assert ("stdout", "3 transactions in nbs\n") in _texts(parallel, "02_fast.ipynb")  # each kernel runs in its notebook's folder


def test_jobs_must_be_positive(french_client: Path, tmp_path: Path):
    res = workbench("run", str(french_client), "--out", str(tmp_path / "run"), "--jobs", "0")
    assert res.returncode == 2 and res.stderr.strip() == "error: --jobs 0: give how many notebooks run at once, 1 or more"


def test_the_costliest_notebooks_start_first(tmp_path: Path):
    from workbench.runner import discover_notebooks, notebook_cost, start_order

    method = discover_notebooks(ROOT / "notebooks")
    assert [p.stem[:2] for p in start_order(method)] == ["06", "04", "00", "01", "02", "03", "05", "07"]
    for name, cost in (("a.ipynb", "3"), ("b.ipynb", True), ("c.ipynb", 2.5)):
        nb = new_notebook(metadata={**KERNEL, "workbench": {"cost": cost}})
        nbformat.write(nb, tmp_path / name)
    (tmp_path / "d.ipynb").write_text("not json", encoding="utf-8")
    assert [notebook_cost(tmp_path / n) for n in ("a.ipynb", "b.ipynb", "c.ipynb", "d.ipynb")] == [1.0, 1.0, 2.5, 1.0]
