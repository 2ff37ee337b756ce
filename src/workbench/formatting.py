"""The one number formatter: tables, notes, chart ticks and the index all print numbers through it.

Every function takes the report language as ``locale`` (``"en"`` or ``"fr"``); left out, it is the
language of the current report (:func:`set_language`, :func:`use_language`), English by default.

English (the default) groups thousands with a narrow no-break space (``12 345``), as French
typography and the SI both do; a fraction prints as a percentage with a space before ``%``
(``12.3 %``); an amount is followed by its currency code (``1 234 568 EUR``); a date is ISO
(``2024-12-31``). Any other language is formatted by Babel with that locale's rules
(French: ``18 583 254 €``, ``34,9 %``, ``31/12/2024``). Missing values print as ``missing``
(an empty string where a table cell should stay blank).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable, Iterator
from typing import Any

GROUP = "\u202f"  # narrow no-break space between groups of three digits
LANGUAGES = ("en", "fr")
"""The report languages; English is the default."""
BABEL_LOCALES = {"fr": "fr_FR"}
"""The Babel locale of each language that Babel formats (English keeps the house format)."""

_STATE: dict[str, Any] = {"language": "en", "translate": None}
"""The session's language and catalogue lookup (a plain module state: a notebook kernel keeps it from cell
to cell, where a context variable set in one cell would be lost in the next)."""


def check_language(language: str) -> str:
    """``language`` if it is one of :data:`LANGUAGES`.

    Raises
    ------
    ValueError
        Another language.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unknown report language {language!r}; use one of {', '.join(LANGUAGES)}")
    return language


def language() -> str:
    """The language of the current report (``"en"`` unless :func:`set_language` chose another)."""
    return _STATE["language"]


def set_language(language: str, translate: Callable[[str], str] | None = None) -> None:
    """Make ``language`` the report language of this session (a notebook kernel, a run).

    Parameters
    ----------
    language
        ``"en"`` or ``"fr"``.
    translate
        The message catalogue's lookup for that language (``gettext``), used by :func:`tr`;
        :func:`workbench.reporting.i18n.activate` passes it. None: messages stay English.
    """
    _STATE.update(language=check_language(language), translate=translate)


@contextlib.contextmanager
def use_language(language: str, translate: Callable[[str], str] | None = None) -> Iterator[None]:
    """Format (and translate, with ``translate``) in ``language`` inside a ``with`` block, then go back."""
    before = dict(_STATE)
    _STATE.update(language=check_language(language), translate=translate)
    try:
        yield
    finally:
        _STATE.update(before)


def tr(message: str, /, **values: Any) -> str:
    """``message`` in the report language, with its ``{placeholders}`` filled from ``values``.

    The English text is the catalogue key (gettext's msgid): ``tr("Rejected rows by reason")``.
    Strings written this way in any layer are extracted by ``make messages`` into
    ``workbench/reporting/locales/<lang>/LC_MESSAGES/workbench.po``. Format the numbers in
    ``values`` with this module first, so that they follow the locale too.
    """
    translate = _STATE["translate"]
    text = translate(message) if translate is not None else message
    return text.format(**values) if values else text


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (a label translated later by :func:`tr`)."""
    return message


def _babel_locale(locale: str | None) -> str | None:
    """The Babel locale for ``locale`` (None: the current language); None for English."""
    return BABEL_LOCALES.get(check_language(locale or language()))


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


def _decimals(digits: int) -> str:
    return "." + "0" * digits if digits > 0 else ""


def number(value: Any, digits: int = 0, *, missing: str = "", locale: str | None = None) -> str:
    """``12345.678`` → ``12 346`` (``digits`` decimals, thousands grouped; French ``12 345,7``).

    Parameters
    ----------
    value
        A number; None or NaN print as ``missing``.
    digits
        Decimals shown.
    locale
        ``"en"`` or ``"fr"``; None: the current report language.
    """
    if _missing(value):
        return missing
    babel = _babel_locale(locale)
    if babel is None:
        return f"{value:,.{digits}f}".replace(",", GROUP)
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0" + _decimals(digits), locale=babel)


def signed(value: Any, digits: int = 0, *, missing: str = "", locale: str | None = None) -> str:
    """``1234`` → ``+1 234``; ``-5`` → ``−5`` (a true minus sign)."""
    if _missing(value):
        return missing
    sign = "+" if value >= 0 else "−"
    return sign + number(abs(value), digits, locale=locale)


def percent(value: Any, digits: int = 1, *, missing: str = "", locale: str | None = None, tight: bool = False) -> str:
    """A fraction as a percentage: ``0.1234`` → ``12.3 %`` (French ``12,3 %``).

    ``tight``: no space before ``%`` in English (``12.3%``, as inside the data-quality sentences);
    French always keeps its no-break space.
    """
    if _missing(value):
        return missing
    babel = _babel_locale(locale)
    if babel is None:
        return f"{100 * value:.{digits}f}" + ("%" if tight else " %")
    from babel import Locale
    from babel.numbers import format_percent

    pattern = Locale.parse(babel).percent_formats[None].pattern.replace("#,##0", "#,##0" + _decimals(digits), 1)
    return format_percent(value, format=pattern, locale=babel)


def money(value: Any, currency: str = "", digits: int = 0, *, missing: str = "", locale: str | None = None) -> str:
    """An amount with its currency: ``1234567.8, "EUR"`` → ``1 234 568 EUR`` (French ``1 234 568 €``).

    Parameters
    ----------
    value
        The amount, in ``currency``.
    currency
        An ISO code such as ``EUR``; empty: the number alone.
    digits
        Decimals shown.
    locale
        ``"en"`` or ``"fr"``; None: the current report language.
    """
    if _missing(value):
        return missing
    babel = _babel_locale(locale)
    if babel is None or not currency:
        return number(value, digits, locale=locale) + (f" {currency}" if currency else "")
    from babel.numbers import format_currency

    return format_currency(value, currency, format="#,##0" + _decimals(digits) + "\u00a0¤", locale=babel, currency_digits=False)


def date(value: Any, *, missing: str = "", locale: str | None = None) -> str:
    """A day: ``2024-12-31`` in English (ISO), ``31/12/2024`` in French.

    Parameters
    ----------
    value
        A ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp`` or ISO text; None or NaT print as ``missing``.
    locale
        ``"en"`` or ``"fr"``; None: the current report language.
    """
    if value is None or value != value:
        return missing
    babel = _babel_locale(locale)
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    day = value.date() if isinstance(value, dt.datetime) else value
    if babel is None:
        return f"{day:%Y-%m-%d}"
    from babel.dates import format_date

    return format_date(day, "dd/MM/yyyy", locale=babel)


def day_month(value: Any, *, locale: str | None = None) -> str:
    """A day of the year without its year: ``01 May`` in English, ``1 mai`` in French.

    Parameters
    ----------
    value
        A ``datetime.date``, ``datetime.datetime`` or ``pandas.Timestamp``.
    locale
        ``"en"`` or ``"fr"``; None: the current report language.
    """
    babel = _babel_locale(locale)
    day = value.date() if isinstance(value, dt.datetime) else value
    if babel is None:
        return f"{day:%d %B}"
    from babel.dates import format_date

    return format_date(day, "d MMMM", locale=babel)


def significant(value: Any, digits: int = 4, *, missing: str = "", locale: str | None = None) -> str:
    """A small figure to ``digits`` significant digits: ``0.794812`` → ``0.7948`` (French ``0,7948``)."""
    if _missing(value):
        return missing
    babel = _babel_locale(locale)
    if babel is None:
        return f"{value:.{digits}g}"
    from babel.numbers import format_decimal

    return format_decimal(value, format="@" + "#" * (digits - 1), locale=babel)


def change_points(change: Any, digits: int = 1, *, missing: str = "—", locale: str | None = None) -> str:
    """A change of a fraction in percentage points: ``0.012`` → ``+1.2 pt`` (French ``+1,2 pt``)."""
    if _missing(change):
        return missing
    if _babel_locale(locale) is None:
        return f"{100 * change:+.{digits}f} pt"
    return signed(100 * change, digits, locale=locale) + "\u00a0pt"


def change_percent(fraction: Any, digits: int = 1, *, missing: str = "", locale: str | None = None) -> str:
    """A relative change with its sign: ``0.034`` → ``+3.4 %`` (French ``+3,4 %``)."""
    if _missing(fraction):
        return missing
    if _babel_locale(locale) is None:
        return f"{100 * fraction:+.{digits}f} %"
    return ("+" if fraction >= 0 else "") + percent(fraction, digits, locale=locale)
