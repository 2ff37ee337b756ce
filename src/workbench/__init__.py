"""Loyalty Workbench: analysis helpers behind the parameterised notebooks.

``workbench.load(params_path, run_dir=...)`` is a notebook's entry point. Nothing heavy is
imported with the package itself: ``load`` and ``Workbench`` bring in the data layer on first
use, so the command line and each notebook's kernel pay only for what they use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.errors import NotApplicable

if TYPE_CHECKING:
    from workbench.session import Workbench, load

__version__ = "0.1.0"
__all__ = ["NotApplicable", "Workbench", "load", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("Workbench", "load"):
        from workbench import session

        return getattr(session, name)
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
