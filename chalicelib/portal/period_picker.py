"""The period a statistics page or the dashboard shows: ``?period=last30`` (the default)
or ``?period=YYYY-MM``, parsed by the same rule as the statistics API
(``Statistics.period``), and the choices the pages' picker offers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..stats import periods
from ..stats.periods import Period
from .i18n import MONTHS, N_

MONTHS_OFFERED = 12  # the running month and the eleven before it
LAST30_NAME = N_("Last 30 days")
BAD_PERIOD = N_("There are no figures for that period. Choose one from the list.")


@dataclass(frozen=True)
class Chosen:
    period: Period
    query: str | None  # what links and the language switch carry: None for the default
    name: str  # "Last 30 days", "March 2026" in the reader's language
    options: list[tuple[str, str]]  # (value, name in the reader's language)
    error: str | None = None  # the refusal of a period asked for, in the reader's language


def name_of(period: Period, gettext) -> str:
    """ "Last 30 days", "March 2026" in the reader's language."""
    if period.label == periods.LAST30:
        return gettext(LAST30_NAME)
    return f"{gettext(MONTHS[period.start.month - 1])} {period.start.year}"


def options(today: date, gettext, chosen: Period | None = None) -> list[tuple[str, str]]:
    """The last 30 days, then the months from the running one back; a month chosen from
    further back (by its address) is kept in the list so the picker shows it."""
    out = [(periods.LAST30, gettext(LAST30_NAME))]
    year, month = today.year, today.month
    for _ in range(MONTHS_OFFERED):
        if date(year, month, 1) < periods.EARLIEST_MONTH:
            break
        p = periods.month(year, month, today)
        out.append((p.label, name_of(p, gettext)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    if chosen is not None and chosen.label not in {value for value, _ in out}:
        out.append((chosen.label, name_of(chosen, gettext)))
    return out


def choose(stats, text: str | None, gettext) -> Chosen:
    """The period asked for; the default one with an error when it is not one the
    statistics are published for (not YYYY-MM, before 2000, in the future)."""
    error = None
    wanted = (text or "").strip() or None
    try:
        period = stats.period(wanted)
    except periods.BadPeriod:
        period, error = stats.period(None), gettext(BAD_PERIOD)
    query = None if period.label == periods.LAST30 else period.label
    shown = options(stats.today(), gettext, period)
    return Chosen(period, query, name_of(period, gettext), shown, error)
