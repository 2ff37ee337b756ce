"""Reviewer-facing HTML: one code-free, offline page per notebook, and ``index.html``.

Pages are made with nbconvert's ``lab`` template with the code cells hidden.
That template loads require.js, MathJax and mermaid from a CDN; the reports
need no JavaScript, so every ``<script>`` is removed and the page renders
offline. nbconvert has no table of contents, so one is built from the headings.
nbconvert is imported on the first page, and one exporter serves every page of the process.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from workbench import formatting as fmt
from workbench.reporting import glossary, i18n
from workbench.reporting.i18n import tr
from workbench.reporting.summary import anchor as heading_anchor

if TYPE_CHECKING:
    import nbformat
    from nbconvert import HTMLExporter

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
_HEADING = re.compile(r'<h([1-3]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_TOC_CSS = """
<style>
.wb-toc{position:fixed;top:0;left:0;width:15rem;height:100vh;overflow-y:auto;padding:1rem;
  background:#f6f7f9;border-right:1px solid #dde;font:13px/1.4 system-ui,sans-serif;box-sizing:border-box}
.wb-toc a{color:#234;text-decoration:none;display:block;padding:2px 0}
.wb-toc a:hover{text-decoration:underline}
.wb-toc .l2{padding-left:.8rem}.wb-toc .l3{padding-left:1.6rem;color:#567}
.wb-toc .back{margin-bottom:.8rem;font-weight:600}
body.jp-Notebook,body{margin-left:16rem !important}
@media print{.wb-toc{display:none}body{margin-left:0 !important}}
</style>
"""


def strip_scripts(page: str) -> str:
    """Remove every ``<script>`` element (CDN loaders included), so the page needs no network."""
    return _SCRIPT.sub("", page)


def headings(page: str) -> list[tuple[int, str, str]]:
    """The ``(level, id, text)`` of each h1-h3 of an nbconvert page, in order."""
    found = []
    for level, anchor, inner in _HEADING.findall(page):
        text = html.unescape(_TAGS.sub("", inner)).replace("¶", "").strip()
        found.append((int(level), html.unescape(anchor), text))
    return found


def add_toc(page: str, *, back_link: str | None = "index.html") -> str:
    """Insert a table of contents of the page's headings after ``<body>``."""
    items = [f'<a class="l{lvl}" href="#{html.escape(anchor)}">{html.escape(text)}</a>' for lvl, anchor, text in headings(page)]
    summary_label = html.escape(tr("Run summary"))
    back = f'<a class="back" href="{back_link}">&larr; {summary_label}</a>' if back_link else ""
    contents = html.escape(tr("Contents"))
    nav = f'<nav class="wb-toc" aria-label="{contents}">{back}<strong>{contents}</strong>{"".join(items)}</nav>'
    page = page.replace("</head>", _TOC_CSS + "</head>", 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav, page, count=1)


@lru_cache(maxsize=1)
def exporter() -> HTMLExporter:
    """The one code-free ``lab`` exporter, made on first use and reused (its templates load once)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def _end_at_not_applicable(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Cut a notebook that raised ``NotApplicable``: no error banner, no traceback, nothing after that cell."""
    for i, cell in enumerate(nb.cells):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error" and o.get("ename") == "NotApplicable"]
        if errors:
            cell.outputs = [o for o in cell.outputs if o not in errors]
            nb.cells = [c for c in nb.cells[: i + 1] if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
            break
    return nb


def notebook_to_html(notebook: Path, target: Path, *, back_link: str | None = "index.html", language: str = "en") -> Path:
    """Render an executed notebook as a code-free, offline HTML page with a table of contents.

    Only the narrative cells of ``language`` are kept (cell tags ``lang-en`` / ``lang-fr``,
    see :mod:`workbench.reporting.i18n`); untagged cells are kept in every language.

    Parameters
    ----------
    notebook
        The executed ``.ipynb``.
    target
        The ``.html`` to write.
    back_link
        Link target of the "Run summary" entry (None for none).
    language
        ``en`` or ``fr``: the narrative kept, the page's ``lang`` and its navigation labels.

    Returns
    -------
    Path
        ``target``.
    """
    import nbformat

    nb = i18n.keep_language(_end_at_not_applicable(nbformat.read(notebook, as_version=4)), language)
    page, _ = exporter().from_notebook_node(nb)
    found = headings(page)
    if found:
        page = re.sub(r"<title>.*?</title>", f"<title>{html.escape(found[0][2])}</title>", page, count=1, flags=re.DOTALL)
    page = re.sub(r"<html([^>]*)>", f'<html lang="{language}">', page, count=1)
    with i18n.using(language):
        page = add_toc(strip_scripts(page), back_link=back_link)
    target.write_text(page, encoding="utf-8")
    return target


def _format(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return tr(str(value))
    if isinstance(value, int):
        return fmt.number(value)
    if isinstance(value, float):
        if value != 0 and abs(value) < 1:
            return fmt.significant(value, 4)
        return fmt.number(value, 2)
    return str(value)


def format_value(value: Any, unit: str, currency: str = "") -> str:
    """A headline figure for reading: ``12.3 %``, ``1 234 567 EUR``, ``1 234``."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if unit == "fraction":
        return fmt.percent(value)
    if unit == "currency":
        return fmt.money(value, currency)
    if unit == "count":
        return fmt.number(value)
    return _format(value)


def format_change(change: Any, pct: Any, unit: str, currency: str = "") -> str:
    """A change between two runs: ``+1.2 pt``, ``+12 345 EUR (+3.4 %)``."""
    if change is None or (isinstance(change, float) and change != change):
        return "—"
    if unit == "fraction":
        return fmt.change_points(change)
    sign = "+" if change >= 0 else "−"
    text = sign + format_value(abs(change), unit, currency)
    return text + (f" ({fmt.change_percent(pct)})" if pct is not None and pct == pct else "")


def write_index(run_dir: Path, context: dict[str, Any], *, language: str = "en") -> Path:
    """Write ``index.html`` of a run from ``context`` (see ``templates/index.html.j2``) in ``language``.

    The template's text goes through the message catalogue (Jinja's ``i18n`` extension: ``_()``
    and ``{% trans %}``, extracted by ``pybabel`` with ``babel.cfg``); figures and dates follow the locale.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("workbench.reporting", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)
    env.filters["fmt"] = _format
    env.filters["date"] = fmt.date
    env.globals.update(
        format_value=format_value,
        format_change=format_change,
        language=language,
        tr=tr,
        anchor=heading_anchor,
        number=fmt.number,
        metric_label=glossary.metric_label,
        table_label=glossary.table_label,
        label=glossary.label,
        status_label=glossary.status_label,
    )
    with i18n.using(language):
        page = env.get_template("index.html.j2").render(**context)
        glossary.write_glossary(run_dir)
    target = run_dir / "index.html"
    target.write_text(page, encoding="utf-8")
    return target
