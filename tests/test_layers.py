"""The package's layers point one way (README, "Developing").

configuration ← data ← analyses ← plotting and reporting ← session, runner, CLI; the base
modules (errors, formatting, periods) are importable from anywhere. Checked on the source, so a
lazy import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "workbench"
BASE = {"errors", "formatting", "periods"}
# layer -> the workbench layers it may import (besides itself and the base modules)
ALLOWED = {
    "base": set(),
    "config": set(),
    "data": {"config"},
    "analysis": {"config", "data"},
    "simulate": {"config"},
    "plotting": {"config", "data", "analysis", "reporting"},
    "reporting": {"config", "data", "analysis"},
    "app": {"config", "data", "analysis", "plotting", "reporting", "simulate", "app"},
}
NO_DRAWING = {"base", "config", "data", "analysis", "simulate"}


def layer_of(module: str) -> str:
    part = module.split(".")[1] if module.count(".") else ""
    if part in BASE:
        return "base"
    if part in {"config", "data", "analysis", "plotting", "reporting", "simulate"}:
        return part
    return "app"


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        out.append((".".join(parts), path))
    return out


def imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            if node.module == "workbench":
                found += [f"workbench.{a.name}" for a in node.names]
    return found


@pytest.mark.parametrize("module,path", modules(), ids=[m for m, _ in modules()])
def test_imports_point_down_the_layers(module, path):
    layer = layer_of(module)
    wrong = []
    for name in imports(path):
        if name.split(".")[0] in {"matplotlib", "seaborn"} and layer in NO_DRAWING:
            wrong.append(name)
        if name.startswith("workbench.") or name == "workbench":
            target = layer_of(name)
            if name == "workbench":
                continue
            if target not in {layer, "base"} | ALLOWED[layer]:
                wrong.append(name)
    assert not wrong, f"{module} ({layer} layer) imports {wrong}"


@pytest.mark.parametrize("module,path", [(m, p) for m, p in modules() if layer_of(m) == "analysis"], ids=lambda x: str(x))
def test_analyses_never_receive_params_or_dataset(module, path):
    names = {n.id for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Name)}
    names |= {a.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert not names & {"Params", "Dataset", "Workbench"}, f"{module} uses {names & {'Params', 'Dataset', 'Workbench'}}"


def test_the_parameter_schema_loads_no_plotting_library():
    code = "import sys, workbench.config.params; print(sorted(m for m in ('matplotlib', 'seaborn', 'workbench.analysis', 'workbench.plotting') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_the_layer_rule_catches_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from workbench.plotting import charts\nimport matplotlib.pyplot as plt\n")
    assert imports(bad) == ["workbench.plotting", "matplotlib.pyplot"]
    assert layer_of("workbench.analysis.bad") == "analysis" and "plotting" not in ALLOWED["analysis"]


NOTEBOOKS = PACKAGE.parents[1] / "notebooks"
# Libraries that cost a kernel a second or more to import, and those that belong to the runner (papermill, nbconvert)
# or to another data path (duckdb): a notebook's kernel must not load one its analyses do not call.
HEAVY = ("seaborn", "scipy", "statsmodels", "sklearn", "lifetimes", "autograd", "formulaic", "patsy", "duckdb", "papermill", "nbconvert", "jinja2", "bs4")
# what each method notebook's imports may load: the libraries its analyses call
USES = {
    "00_data_quality": set(),
    "01_programme_kpis": set(),
    "02_portfolio": set(),
    "03_rfm_value": set(),
    "04_clv": {"scipy", "lifetimes", "autograd"},  # lifetimes (and autograd under it) in analysis.clv
    "05_segment_migration": set(),
    "06_uplift": {"scipy", "statsmodels", "sklearn", "lifetimes", "autograd", "formulaic", "patsy"},  # analysis.uplift imports them
    "07_engagement": set(),  # statsmodels only inside satisfaction.fit_nps_revenue, when surveys are given
}


def notebook_imports(path: Path) -> list[str]:
    """Every import statement of a notebook's code cells, at any depth, in order."""
    found = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            tree = ast.parse("".join(cell["source"]))
            found += [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    return found


def heavy_modules_loaded(statements: list[str]) -> set[str]:
    """The HEAVY libraries a fresh interpreter holds after running ``statements`` in the notebooks' folder."""
    code = "\n".join(statements) + f"\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=NOTEBOOKS).stdout
    return set(out.split())


@pytest.mark.parametrize("notebook", sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")))
def test_a_notebook_loads_only_the_libraries_it_uses(notebook):
    assert notebook in USES, f"{notebook}: say in USES which heavy libraries its analyses call"
    loaded = heavy_modules_loaded(notebook_imports(NOTEBOOKS / f"{notebook}.ipynb"))
    assert loaded <= USES[notebook], (
        f"importing what {notebook} imports loads {sorted(loaded - USES[notebook])}, which it does not use: import it where it is used"
    )


def test_the_import_probe_sees_a_heavy_library():
    assert notebook_imports(NOTEBOOKS / "07_engagement.ipynb")[0] == "import matplotlib.pyplot as plt"
    assert {"statsmodels", "scipy"} <= heavy_modules_loaded(["from workbench.analysis import uplift"])
    assert heavy_modules_loaded(["import workbench"]) == set()
