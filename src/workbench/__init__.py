"""Loyalty Workbench: analysis helpers behind the parameterised notebooks.

``workbench.load(params_path, run_dir=...)`` is a notebook's entry point.
"""

from workbench.errors import NotApplicable
from workbench.session import Workbench, load

__version__ = "0.1.0"
__all__ = ["NotApplicable", "Workbench", "load", "__version__"]
