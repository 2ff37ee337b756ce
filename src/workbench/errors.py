"""User-facing errors.

A :class:`WorkbenchError` is a problem the user can fix (a parameter, a file, a
column). The command line prints its message as one line and exits non-zero,
without a traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """A user error: the message names the file, key or column and the fix."""

    exit_code = 2


class ParameterError(WorkbenchError):
    """The parameter file is missing, malformed or fails the schema."""


class DataError(WorkbenchError):
    """An input table cannot be read or does not match its mapping."""


class StrictModeError(WorkbenchError):
    """``--strict`` was given and some input rows were rejected."""


class NotApplicable(Exception):
    """Raised by a notebook whose analysis cannot apply to this client's data.

    The notebook says why first (a plain note), then raises this. ``workbench run``
    marks the notebook "not applicable" (not a failure) and its page ends there.
    """
