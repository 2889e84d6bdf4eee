"""Languages, the gettext catalogue and locale-aware formatting (standard library only).

Bahasa Indonesia is the default (pages at ``/``), English by choice (pages at ``/en``).
Message ids are English; ``locale/id/LC_MESSAGES/portal.po`` translates them (its compiled
``portal.mo`` is committed and checked against the .po by a test: ``python -m
ops.catalogue compile``). Times are shown in Asia/Jakarta, whatever the reader's language.
"""

from __future__ import annotations

import functools
import gettext
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

LANGUAGES = ("id", "en")
DEFAULT = "id"
PREFIX = {"id": "", "en": "/en"}  # where each language's pages live
DOMAIN = "portal"
LOCALE_DIR = Path(__file__).parent / "locale"
TIME_ZONE = ZoneInfo("Asia/Jakarta")
ZONE_LABEL = "WIB"  # Waktu Indonesia Barat: Asia/Jakarta, UTC+7


def N_(text: str) -> str:
    """Marks a message id for the catalogue; translated where it is shown."""
    return text


MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    if lang == "en":  # the message ids are English
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


def gettext_for(lang: str):
    return translations(lang).gettext


def local(moment: datetime) -> datetime:
    return moment.astimezone(TIME_ZONE)


def format_date(value: date | datetime | None, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    month = gettext_for(lang)(MONTHS[value.month - 1])
    return f"{value.day} {month} {value.year}"


def format_datetime(value: datetime | None, lang: str) -> str:
    """29 November 2026, 14.05 WIB (id) / 29 November 2026, 14:05 WIB (en)."""
    if value is None:
        return ""
    moment = local(value)
    sep = "." if lang == "id" else ":"
    return f"{format_date(moment, lang)}, {moment.hour:02d}{sep}{moment.minute:02d} {ZONE_LABEL}"


def format_number(value: int | float | None, lang: str, decimals: int = 0) -> str:
    """12.345,6 (id) / 12,345.6 (en)."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_percent(rate: float | None, lang: str) -> str:
    if rate is None:
        return "–"
    return format_number(rate * 100, lang) + "%"
