import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from workbench.reporting import html as report


def _executed_notebook(path: Path) -> Path:
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Portfolio & co\n\nIntro with $x^2$ maths."),
            new_code_cell("secret_code_line = 1", execution_count=1, outputs=[new_output("stream", name="stdout", text="visible output\n")]),
            new_markdown_cell("## Revenue bridge"),
            new_markdown_cell("### Detail <em>one</em>"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, path)
    return path


def test_page_has_no_code_no_script_and_a_toc(tmp_path: Path):
    page_path = report.notebook_to_html(_executed_notebook(tmp_path / "x.ipynb"), tmp_path / "x.html")
    page = page_path.read_text(encoding="utf-8")
    assert "visible output" in page
    assert "secret_code_line" not in page
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)="https?://', page), "the page must render offline"
    assert "<title>Portfolio &amp; co</title>" in page
    toc = re.search(r'<nav class="wb-toc".*?</nav>', page, re.DOTALL).group(0)
    assert re.findall(r'class="l(\d)" href="#([^"]+)">([^<]+)<', toc) == [
        ("1", "Portfolio-&amp;-co", "Portfolio &amp; co"),
        ("2", "Revenue-bridge", "Revenue bridge"),
        ("3", "Detail-one", "Detail one"),
    ]
    assert 'href="index.html"' in toc


def test_strip_scripts_removes_inline_and_cdn_scripts():
    page = '<head><script src="https://cdn/x.js"></script></head><body><script type="module">\nimport("https://a")\n</script><p>kept</p></body>'
    assert report.strip_scripts(page) == "<head></head><body><p>kept</p></body>"


def test_index_page(tmp_path: Path):
    context = {
        "client": "Acme <Distribution>",
        "currency": "EUR",
        "period": {"start": "2022-01-01", "end": "2024-12-31"},
        "run_id": "r1",
        "version": "0",
        "failed": ["01_programme_kpis"],
        "notebooks": [
            {
                "name": "00_data_quality",
                "title": "Data quality",
                "status": "ok",
                "duration_s": 1.0,
                "html": "00_data_quality.html",
                "error": None,
                "cell": None,
                "figures": [("quality.warnings", 2), ("data.transactions.rows_read", 12345)],
            },
            {
                "name": "01_programme_kpis",
                "title": "KPIs",
                "status": "failed",
                "duration_s": 2.0,
                "html": "01_programme_kpis.html",
                "error": "KeyError: 'x'",
                "cell": 7,
                "figures": [],
            },
        ],
        "ledger": [{"table": "transactions", "file": "t.csv", "rows_read": 10, "rows_kept": 9, "rows_rejected": 1, "rows_out_of_period": 0}],
        "reasons": [{"table": "transactions", "reason": "missing date", "rows": 1}],
        "warnings": ["transactions: 1 of 10 rows rejected"],
        "inputs": {"parameters": {"path": "p.yaml", "sha256": "ab" * 32}},
        "parameters_file": "p.yaml",
        "parameters_text": "client: Acme\n",
    }
    page = report.write_index(tmp_path, context).read_text(encoding="utf-8")
    assert "Acme &lt;Distribution&gt;" in page
    assert "1 of 2 notebook(s) failed: 01_programme_kpis" in page
    assert "KeyError: &#39;x&#39; (cell 7)" in page
    assert "12\u202f345" in page
    assert "<script" not in page
