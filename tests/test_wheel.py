"""A consultant who installs the wheel, not the repository, can use the tool.

Builds the wheel, installs it in a fresh virtual environment (dependencies pinned by the
project's lock, from the local cache when warm), then, from a folder outside the repository:
``workbench init``, ``workbench simulate`` and ``workbench run`` on a small simulated client.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        pytest.fail("uv is not installed: `make install` installs it in .venv")
    return found


def _run(*cmd: str | Path, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a fresh venv with the wheel installed."""
    base = tmp_path_factory.mktemp("wheel")
    uv = _uv()
    _run(uv, "build", "--wheel", "--quiet", "--out-dir", base / "dist", ROOT, cwd=base)
    wheel = next((base / "dist").glob("loyalty_workbench-*.whl"))
    _run(uv, "venv", "--quiet", "--python", sys.executable, base / "venv", cwd=base)
    python = base / "venv" / "bin" / "python"
    _run(uv, "pip", "install", "--quiet", "--python", python, wheel, "-c", ROOT / "requirements" / "lock.txt", cwd=base)
    return python.parent


def test_the_wheel_carries_the_notebooks_and_the_template(installed):
    code = "from workbench.resources import notebooks_dir, parameter_template; print(len(list(notebooks_dir().glob('[0-9][0-9]_*.ipynb'))), 'client:' in parameter_template())"
    out = _run(installed / "python", "-c", code, cwd=installed).stdout.split()
    assert out == ["8", "True"]


def test_init_simulate_and_run_from_the_installed_package(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    wb = installed / "workbench"
    out = _run(wb, "init", "acme", "--client", "Acme Distribution", cwd=tmp_path, env=env).stdout
    params = tmp_path / "acme" / "acme-distribution.yaml"
    assert params.is_file() and (tmp_path / "acme" / "data" / "README.md").is_file()
    assert 'client: "Acme Distribution"' in params.read_text(encoding="utf-8") and "workbench validate" in out

    _run(wb, "simulate", "--out", "sim", "--customers", "60", "--seed", "3", cwd=tmp_path, env=env)
    assert (tmp_path / "sim" / "truth.json").is_file()

    _run(wb, "init", "small", "--client", "Small Client", "--demo", "--customers", "200", cwd=tmp_path, env=env)
    _run(wb, "run", "small/small-client.yaml", "--out", "run", cwd=tmp_path, env=env)
    run = tmp_path / "run"
    assert (run / "index.html").is_file()
    info = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert len(info["notebooks"]) == 8
    for nb in info["notebooks"]:
        assert (run / nb["html"]).is_file(), nb["name"]
        assert nb["status"] in ("ok", "not applicable"), f"{nb['name']}: {nb['error']}"
