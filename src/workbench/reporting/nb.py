"""Small display helpers for the notebooks: plain notes, bullet lists, readable tables.

These only format; they compute nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from workbench import formatting as fmt


def note(text: str) -> None:
    """Show a plain-language note (e.g. why a section is empty)."""
    display(Markdown(f"> **Note.** {text}"))


def exported(paths: Sequence[Path], *, what: str = "") -> None:
    """Say which files an export step wrote, or that an interactive session writes none."""
    detail = f" ({what})" if what else ""
    if paths:
        note(f"Written to the run folder: {', '.join(Path(p).name for p in paths)}{detail}.")
    else:
        note(f"Interactive session: nothing written{' (' + what + ' would be exported)' if what else ''}.")


def bullets(items: Iterable[str], *, empty: str = "Nothing to report.") -> None:
    """Show items as a bullet list, or ``empty`` when there are none."""
    items = list(items)
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
        Column labels to show.
    index
        Column to show as the row labels (instead of 0, 1, 2, ...).

    Missing values are shown as empty cells.
    """
    out = frame.copy()

    for c in percent:
        out[c] = out[c].map(fmt.percent)
    for c in (*money, *integers):
        out[c] = out[c].map(fmt.number)
    for c, nd in (decimals or {}).items():
        out[c] = out[c].map(lambda x, nd=nd: fmt.number(x, nd))
    out = out.astype(object).where(out.notna(), "")
    if index is not None:
        out = out.set_index(index)
    return out.rename(columns=rename or {})
