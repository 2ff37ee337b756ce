"""The command line end to end, on tiny hand-written inputs: exit codes, messages, files written."""

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.conftest import ROOT, write_params


def workbench(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_run_writes_the_whole_report(french_client: Path, tmp_path: Path):
    out = tmp_path / "run"
    res = workbench("run", str(french_client), "--out", str(out), "--only", "00")
    assert res.returncode == 0, res.stderr
    assert f"Report: {out / 'index.html'}" in res.stdout
    assert "[1/1] 00_data_quality: ok" in res.stdout
    for name in [
        "index.html",
        "metrics.json",
        "run.json",
        "rejected_rows.csv",
        "00_data_quality.ipynb",
        "00_data_quality.html",
        "data/transactions.parquet",
        "data/customers.parquet",
        "data/ledger.csv",
    ]:
        assert (out / name).is_file(), name

    recorded = json.loads((out / "metrics.json").read_text())
    assert (recorded["data.transactions.rows_read"], recorded["data.transactions.rows_kept"], recorded["data.transactions.rows_rejected"]) == (8, 4, 4)
    assert recorded["data.transactions.rows_out_of_period"] == 1
    assert recorded["quality.credit_note_share"] == pytest.approx(50 / (1234.5 + 1000))  # the 2021 row is out of period

    rejected = pd.read_csv(out / "rejected_rows.csv")
    assert rejected[["table", "source_row", "reason"]].values.tolist() == [
        ["customers", 6, "invalid status"],
        ["transactions", 3, "unparseable date"],
        ["transactions", 4, "missing customer_id"],
        ["transactions", 5, "exact duplicate"],
        ["transactions", 6, "unparseable amount"],
    ]

    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "ok" and run["notebooks"][0]["status"] == "ok"
    sales = french_client.parent / "ventes.csv"
    assert run["inputs"]["transactions"] == {"path": "ventes.csv", "sha256": hashlib.sha256(sales.read_bytes()).hexdigest()}
    assert run["parameters"]["data"]["transactions"]["sep"] == ";"
    assert {"pandas", "lifetimes", "papermill"} <= set(run["packages"])

    page = (out / "00_data_quality.html").read_text(encoding="utf-8")
    assert "<script" not in page and "params_path" not in page  # no code, no JavaScript
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="00_data_quality.html"' in index and "All 1 notebook(s) ran." in index


@pytest.mark.slow
def test_a_failing_notebook_does_not_stop_the_others(french_client: Path, tmp_path: Path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_data_quality.ipynb", folder)
    broken = new_notebook(
        cells=[
            new_markdown_cell("# Broken"),
            new_code_cell("params_path = ''\nrun_dir = ''", metadata={"tags": ["parameters"]}),
            new_code_cell("raise ValueError('boom on purpose')"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(broken, folder / "01_broken.ipynb")
    shutil.copy(ROOT / "notebooks" / "00_data_quality.ipynb", folder / "02_after.ipynb")
    not_applicable = new_notebook(
        cells=[
            new_markdown_cell("# Needs more"),
            new_code_cell("params_path = ''\nrun_dir = ''", metadata={"tags": ["parameters"]}),
            new_code_cell("import workbench\nprint('cannot apply here')\nraise workbench.NotApplicable('the period is too short')"),
            new_markdown_cell("## Never reached"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(not_applicable, folder / "03_not_applicable.ipynb")
    out = tmp_path / "run"
    res = workbench("run", str(french_client), "--out", str(out), "--notebooks", str(folder))
    assert res.returncode == 1
    assert "error: 1 notebook(s) failed: 01_broken" in res.stderr
    run = json.loads((out / "run.json").read_text())
    assert [(n["name"], n["status"]) for n in run["notebooks"]] == [
        ("00_data_quality", "ok"),
        ("01_broken", "failed"),
        ("02_after", "ok"),
        ("03_not_applicable", "not applicable"),
    ]
    assert run["notebooks"][3]["error"] == "the period is too short"
    page = (out / "03_not_applicable.html").read_text(encoding="utf-8")
    assert "cannot apply here" in page and "Traceback" not in page and "NotApplicable" not in page and "Never reached" not in page
    failed = run["notebooks"][1]
    assert failed["error"] == "ValueError: boom on purpose" and failed["cell"] is not None
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "1 of 4 notebook(s) failed: 01_broken" in index and "ValueError: boom on purpose" in index
    assert "boom on purpose" in (out / "01_broken.html").read_text(encoding="utf-8")


def test_strict_fails_on_rejected_rows_and_keeps_them(french_client: Path, tmp_path: Path):
    out = tmp_path / "run"
    res = workbench("run", str(french_client), "--out", str(out), "--strict")
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --strict: 5 input row(s) rejected (customers: 1 invalid status")
    assert len(pd.read_csv(out / "rejected_rows.csv")) == 5
    assert not (out / "00_data_quality.ipynb").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"transactions": {"path": "t.csv", "separator": ";"}}, "data.transactions.separator: unknown key"),
        ({"transactions": {"path": "nope.csv"}}, "data.transactions.path: file not found"),
        ({"transactions": {"path": "t.csv", "columns": {"amount": "CA"}}}, "data.transactions.columns.amount: column 'CA' not found in t.csv"),
        (
            {"transactions": {"path": "fr.csv", "sep": ";", "columns": {"customer_id": "client", "amount": "montant"}}},
            "data.transactions.encoding: fr.csv is not utf-8 text",
        ),
        ({"transactions": {"path": "empty.csv"}}, "data.transactions: empty.csv has a header but no data rows"),
    ],
)
@pytest.mark.parametrize("command", ["run", "validate"])
def test_bad_input_gives_one_line_and_exit_2(tmp_path: Path, data, message, command):
    (tmp_path / "t.csv").write_text("customer_id,date,amount\nA,2023-01-02,10\n", encoding="utf-8")
    (tmp_path / "fr.csv").write_bytes("client;date;montant\nÉ;2023-01-02;10\n".encode("cp1252"))
    (tmp_path / "empty.csv").write_text("customer_id,date,amount\n", encoding="utf-8")
    res = workbench(command, str(write_params(tmp_path, data)), *(["--out", str(tmp_path / "run")] if command == "run" else []))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], res.stderr
    assert "Traceback" not in res.stderr


def test_missing_parameter_file_and_unknown_notebook(tmp_path: Path, french_client: Path):
    res = workbench("run", str(tmp_path / "none.yaml"))
    assert res.returncode == 2 and res.stderr.startswith("error: ") and "none.yaml: parameter file not found" in res.stderr
    res = workbench("run", str(french_client), "--only", "99_nothing")
    assert res.returncode == 2 and "--only 99_nothing: no such notebook; choose among 00_data_quality" in res.stderr


def test_validate_prints_the_ledger(french_client: Path):
    res = workbench("validate", str(french_client))
    assert res.returncode == 0, res.stderr
    assert "transactions (ventes.csv): 8 rows read, 4 kept, 4 rejected, 1 out of period" in res.stdout
    assert "transactions: 1 rejected: exact duplicate" in res.stdout
    assert workbench("validate", str(french_client), "--strict").returncode == 2


def test_simulate_command(tmp_path: Path):
    res = workbench("simulate", "--out", str(tmp_path / "sim"), "--customers", "30", "--seed", "7")
    assert res.returncode == 0, res.stderr
    assert {"transactions.csv", "customers.csv", "truth.json"} <= {p.name for p in (tmp_path / "sim").iterdir()}
    res = workbench("simulate", "--out", str(tmp_path / "sim2"), "--customers", "0")
    assert res.returncode == 2 and res.stderr.startswith("error: simulate: ") and "Traceback" not in res.stderr


@pytest.mark.slow
def test_compare_with_a_previous_run(french_client: Path, tmp_path: Path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert workbench("run", str(french_client), "--out", str(first), "--only", "00").returncode == 0
    sales = french_client.parent / "ventes.csv"
    lines = sales.read_bytes().splitlines(keepends=True)
    sales.write_bytes(b"".join(lines[:-1]))  # the client's next export lost its last row (line 9, kept, in period)
    res = workbench("run", str(french_client), "--out", str(second), "--only", "00", "--compare", str(first))
    assert res.returncode == 0, res.stderr
    index = (second / "index.html").read_text(encoding="utf-8")
    assert "Comparison with the previous run" in index
    row = re.search(r"<code>data\.transactions\.rows_read</code></td>(.*?)</tr>", index).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["8", "7", "−1 (-12.5 %)"]  # 7 - 8 = -1, -1 / 8
    res = workbench("run", str(french_client), "--out", str(tmp_path / "third"), "--compare", str(tmp_path / "nowhere"))
    assert res.returncode == 2 and "--compare" in res.stderr and "no metrics.json there" in res.stderr


@pytest.mark.parametrize(
    "content, data, message",
    [
        (
            b'customer_id,date,amount,note\nA,2023-01-02,10,"open\nB,2023-01-03,20,x\n',
            {},
            "error: data.transactions: t.csv line 2: a quote opened in column 'note' runs to line 3",
        ),
        (b"customer_id,date,amount\nA,2024-01-05T10:00:00+01:00,1\nB,2024-01-05T10:00:00Z,2\n", {}, "mixes UTC offsets (+01:00 on line 2, +00:00 on line 3)"),
        (
            b"customer_id,date,amount,Montant,Montant \nA,2023-01-02,10,1,2\n",
            {},
            "columns 4 ('Montant') and 5 ('Montant ') have the same name once spaces are trimmed",
        ),
        ("customer_id,date,amount\nSociété,2023-01-02,10\n".encode(), {"encoding": "latin-1"}, "t.csv is UTF-8 text, not latin-1 (line 2:"),
        (b"PK\x03\x04rest-of-a-zip", {}, "t.csv is an Excel workbook (XLSX), not CSV text"),
        (b"Ventes\ncustomer_id;date;amount\nA;2023-01-02;1\n", {"sep": ";"}, "set data.transactions.skip_rows"),
    ],
)
def test_misleading_files_give_one_line_and_exit_2(tmp_path: Path, content: bytes, data: dict, message: str):
    (tmp_path / "t.csv").write_bytes(content)
    res = workbench("validate", str(write_params(tmp_path, {"transactions": {"path": "t.csv", **data}})))
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], res.stderr
    assert "Traceback" not in res.stderr


def test_duplicate_yaml_keys_give_one_line_and_exit_2(tmp_path: Path):
    params = tmp_path / "client.yaml"
    params.write_text(
        "client: Acme\nperiod: {start: 2022-01-01, end: 2024-12-31}\ndata:\n  transactions: {path: t.csv}\nperiod: {start: 2023-01-01, end: 2024-12-31}\n",
        encoding="utf-8",
    )
    res = workbench("validate", str(params))
    assert res.returncode == 2 and res.stderr.strip() == f"error: {params}: line 5: key 'period' is given twice (first on line 2); keep one of them"


@pytest.mark.slow
def test_unusual_but_valid_data_never_fail_a_notebook(tmp_path: Path):
    # One customer whose amounts are all negative, enrolled before the period ends; another member enrolled after
    # it (issue 12): each page runs or says it does not apply, none fails.
    (tmp_path / "t.csv").write_text("customer_id,date,amount\nC1,2023-01-05,-100\nC1,2023-03-05,-50\nC1,2024-02-05,-20\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("customer_id,status,enrolled_on\nC1,member,2023-02-01\nC2,member,2025-03-01\n", encoding="utf-8")
    params = write_params(tmp_path, {"transactions": {"path": "t.csv"}, "customers": {"path": "c.csv"}}, period={"start": "2023-01-01", "end": "2024-12-31"})
    done = workbench("run", str(params), "--out", str(tmp_path / "run"))
    assert done.returncode == 0, done.stdout + done.stderr
    statuses = {nb["name"]: nb["status"] for nb in json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["notebooks"]}
    assert set(statuses.values()) <= {"ok", "not applicable"} and len(statuses) == 8, statuses
    for name in ("03_rfm_value", "04_clv", "06_uplift"):
        assert statuses[name] == "not applicable", statuses
