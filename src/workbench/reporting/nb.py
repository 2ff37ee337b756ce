"""Small display helpers for the notebooks: plain notes, bullet lists, readable tables.

These only format; they compute nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from workbench import formatting as fmt
from workbench.formatting import tr
from workbench.reporting import glossary


def note(text: str) -> None:
    """Show a plain-language note (e.g. why a section is empty)."""
    label = tr("Note.")
    display(Markdown(f"> **{label}** {text}"))


def exported(paths: Sequence[Path], *, what: str = "") -> None:
    """Say which files an export step wrote, or that an interactive session writes none."""
    detail = f" ({what})" if what else ""
    if paths:
        note(tr("Written to the run folder: {files}{detail}.", files=", ".join(Path(p).name for p in paths), detail=detail))
    elif what:
        note(tr("Interactive session: nothing written ({what} would be exported).", what=what))
    else:
        note(tr("Interactive session: nothing written."))


def bullets(items: Iterable[str], *, empty: str | None = None) -> None:
    """Show items as a bullet list, or ``empty`` (default: "Nothing to report.") when there are none."""
    items = list(items)
    empty = tr("Nothing to report.") if empty is None else empty
    display(Markdown("\n".join(f"- {i}" for i in items) if items else empty))


def present(
    frame: pd.DataFrame,
    *,
    percent: Sequence[str] = (),
    money: Sequence[str] = (),
    integers: Sequence[str] = (),
    decimals: dict[str, int] | None = None,
    rename: dict[str, str] | None = None,
    index: str | None = None,
    translate: Sequence[str] = (),
) -> pd.DataFrame:
    """A copy of ``frame`` with numbers formatted as text for a reviewer.

    Parameters
    ----------
    percent
        Columns holding fractions (0-1), shown as ``12.3 %``.
    money
        Columns shown with thousands separators and no decimals.
    integers
        Columns shown with thousands separators.
    decimals
        Other columns rounded to this many decimals.
    rename
        Column labels to show; every label (renamed or not) is shown in the report language.
    index
        Column to show as the row labels (instead of 0, 1, 2, ...).
    translate
        Columns of English labels (category names, checks) shown in the report language
        (:func:`workbench.formatting.tr`; a label without a catalogue entry stays as it is).

    Missing values are shown as empty cells; numbers follow the report's locale.
    """
    out = frame.copy()
    for c in translate:
        out[c] = out[c].map(lambda x: glossary.label(x) if isinstance(x, str) else tr(str(x)) if isinstance(x, bool) else x)

    for c in percent:
        out[c] = out[c].map(fmt.percent)
    for c in (*money, *integers):
        out[c] = out[c].map(fmt.number)
    for c, nd in (decimals or {}).items():
        out[c] = out[c].map(lambda x, nd=nd: fmt.number(x, nd))
    out = out.astype(object).where(out.notna(), "")
    if index is not None:
        out = out.set_index(index)
        out.index.name = tr(index)
    labels = {c: tr((rename or {}).get(c, c)) for c in out.columns if isinstance((rename or {}).get(c, c), str)}
    return out.rename(columns=labels)
