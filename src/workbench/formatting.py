"""The one number formatter: tables, notes, chart ticks and the index all print numbers through it.

Thousands are grouped with a narrow no-break space (``12 345``), as French typography and
the SI both do; a fraction prints as a percentage with a space before ``%``. Missing values
print as ``missing`` (an empty string where a table cell should stay blank).
"""

from __future__ import annotations

import math
from typing import Any

GROUP = "\u202f"  # narrow no-break space between groups of three digits


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


def number(value: Any, digits: int = 0, *, missing: str = "") -> str:
    """``12345.678`` → ``12 346`` (``digits`` decimals, thousands grouped).

    Parameters
    ----------
    value
        A number; None or NaN print as ``missing``.
    digits
        Decimals shown.
    """
    if _missing(value):
        return missing
    return f"{value:,.{digits}f}".replace(",", GROUP)


def signed(value: Any, digits: int = 0, *, missing: str = "") -> str:
    """``1234`` → ``+1 234``; ``-5`` → ``−5`` (a true minus sign)."""
    if _missing(value):
        return missing
    sign = "+" if value >= 0 else "−"
    return sign + number(abs(value), digits)


def percent(value: Any, digits: int = 1, *, missing: str = "") -> str:
    """A fraction as a percentage: ``0.1234`` → ``12.3 %``."""
    if _missing(value):
        return missing
    return f"{100 * value:.{digits}f} %"


def money(value: Any, currency: str = "", digits: int = 0, *, missing: str = "") -> str:
    """An amount with its currency: ``1234567.8, "EUR"`` → ``1 234 568 EUR``."""
    if _missing(value):
        return missing
    return number(value, digits) + (f" {currency}" if currency else "")
