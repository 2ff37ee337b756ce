"""Helpers to author a method notebook from a list of cells (used when writing a new notebook).

python tools/nbbuild.py  # not needed at run time; notebooks are committed as .ipynb
"""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
PARAMETERS = 'params_path = ""  # the client\'s parameter file; empty: $WORKBENCH_PARAMS, else the demo client of the repository\nrun_dir = ""  # set by `workbench run`; empty: load and validate the data here'


def build(cells: list[tuple[str, str]], path: str) -> None:
    """Write a notebook: cells are ("md" | "code" | "params", source)."""
    out = []
    for kind, source in cells:
        if kind == "md":
            out.append(new_markdown_cell(source.strip("\n")))
        elif kind == "params":
            out.append(new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}))
        else:
            out.append(new_code_cell(source.strip("\n")))
    nb = new_notebook(cells=out, metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
    nbformat.write(nb, path)
