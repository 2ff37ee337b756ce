"""The report in French or English: the message catalogue, the language of a session, narrative cells.

* **Strings produced in code** (notes, warnings, table labels, chart titles and axes) are written in
  English inside :func:`tr` (``workbench.formatting.tr``, re-exported here) and looked up in the
  gettext catalogue ``locales/<lang>/LC_MESSAGES/workbench.po``. The ``.po`` is the one committed
  source: it is compiled in memory with Babel's compiler on first use (no ``.mo`` in the
  repository). ``make messages`` runs Babel's ``pybabel extract`` (package and notebook code, with
  :func:`extract_notebook`) and ``pybabel update``; ``tests/test_i18n.py`` fails on an entry without
  its translation.
* **Narrative cells** of a notebook carry their language as a cell tag, ``lang-en`` or ``lang-fr``:
  an analyst in JupyterLab sees both, and :func:`keep_language` keeps the chosen one in the HTML.
* The **language of a session** is set once by :func:`activate` (``workbench.load`` does it): the
  formatter then prints numbers, percentages, amounts and dates in that locale.
"""

from __future__ import annotations

import ast
import functools
import gettext
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbench import formatting
from workbench.formatting import LANGUAGES, N_, tr

__all__ = ["DOMAIN", "LANGUAGES", "LOCALES", "N_", "activate", "catalogue", "extract_notebook", "keep_language", "lang_tag", "tr", "translations", "using"]

DOMAIN = "workbench"
LOCALES = Path(__file__).parent / "locales"
"""``locales/<lang>/LC_MESSAGES/workbench.po`` per language other than English (the msgids are English)."""
TAG_PREFIX = "lang-"
PENDING: dict[str, str] = {}
"""Notebooks whose narrative is not translated yet, and why: their pages stay English in French
reports (their headings keep their English anchors), and the translation tests skip them."""


def lang_tag(language: str) -> str:
    """The cell tag of a narrative cell in ``language``: ``lang-fr``."""
    return TAG_PREFIX + formatting.check_language(language)


def catalogue(language: str):
    """The Babel catalogue (``babel.messages.Catalog``) of ``language``, read from its ``.po``.

    Raises
    ------
    FileNotFoundError
        ``language`` has no catalogue (English has none: its msgids are the text).
    """
    from babel.messages.pofile import read_po

    path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


@functools.lru_cache(maxsize=None)
def translations(language: str) -> gettext.NullTranslations:
    """The gettext translations of ``language``, compiled in memory from its ``.po`` (English: none)."""
    if formatting.check_language(language) == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, catalogue(language))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def activate(language: str) -> None:
    """Make ``language`` the language of this session: of :func:`tr` and of every number and date printed."""
    formatting.set_language(language, None if language == "en" else translations(language).gettext)


def keep_language(nb: Any, language: str) -> Any:
    """Drop the narrative cells tagged with another language (``lang-xx``); untagged cells stay.

    Parameters
    ----------
    nb
        A notebook (``nbformat.NotebookNode``); changed in place and returned.
    language
        The report language.
    """
    keep = lang_tag(language)
    nb.cells = [c for c in nb.cells if not any(t.startswith(TAG_PREFIX) and t != keep for t in c.get("metadata", {}).get("tags", []))]
    return nb


def extract_notebook(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, str, Any, list[str]]]:
    """A Babel extraction method for ``.ipynb`` files: the :func:`tr` calls of every code cell.

    Used by ``babel.cfg`` (``[workbench.reporting.i18n.extract_notebook: notebooks/**.ipynb]``);
    the line numbers count from the first line of the notebook's first code cell.
    """
    from babel.messages.extract import extract_python

    nb = json.loads(fileobj.read().decode("utf-8"))
    offset = 0
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        try:
            ast.parse(source)
        except SyntaxError:  # IPython magics: nothing to extract from that cell
            continue
        for lineno, funcname, messages, comments in extract_python(io.BytesIO(source.encode("utf-8")), keywords, comment_tags, options):
            yield lineno + offset, funcname, messages, comments
        offset += source.count("\n") + 1


def using(language: str):
    """A ``with`` block in ``language`` (messages and formats), for code outside a notebook session (the index, the HTML pages)."""
    return formatting.use_language(language, None if language == "en" else translations(language).gettext)
