"""Which service levels apply to a report: the defaults, overridden by its category's,
overridden by its agency's (both from the directory)."""

from __future__ import annotations

from ..domain.calendar import ServiceLevels, WorkingCalendar
from ..domain.deadlines import SlaClock
from ..domain.report import Report
from .ports import Directory


def sla_clock(
    directory: Directory,
    calendar: WorkingCalendar,
    category: str | None,
    agency_id: str | None = None,
) -> SlaClock:
    found = directory.category(category) if category else None
    agency = directory.agency(agency_id) if agency_id else None
    levels = ServiceLevels.for_report(
        getattr(found, "service_levels", None), getattr(agency, "service_levels", None)
    )
    return SlaClock(calendar, levels)


def for_report(
    directory: Directory, calendar: WorkingCalendar, report: Report, agency_id: str | None = None
) -> SlaClock:
    """``agency_id`` defaults to the agency the report is assigned to."""
    if agency_id is None and report.agency is not None:
        agency_id = report.agency.id
    return sla_clock(directory, calendar, report.category, agency_id)
