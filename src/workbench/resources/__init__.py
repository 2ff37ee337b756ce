"""Files the package ships: the method notebooks and the parameter template.

In the repository they live once, at the top (``notebooks/``, ``parameters/_template.yaml``);
this folder links to them, and the wheel carries copies. Found with ``importlib.resources``,
so an installed package and a clone behave the same.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path


def notebooks_dir() -> Path:
    """The folder of the method notebooks (``NN_name.ipynb``)."""
    with as_file(files(__name__) / "notebooks") as path:
        return Path(path)


def parameter_template() -> str:
    """The text of the documented parameter template (``parameters/_template.yaml``)."""
    return (files(__name__) / "_template.yaml").read_text(encoding="utf-8")
