"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) as the domain sees it: our
statuses as ``open``/``closed``, a category as a service, a report as a service request
(what the public may see of it, nothing more), and the date range of a search. No I/O.
(A request's title is derived from its description by ``intake.title_from_text``.)

Privacy: a service request is built from the public view's rules (``views``): never the
reporter's identity or location, no content (description, status notes) when the report
is confidential.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .calendar import ServiceLevels
from .directory import Category
from .report import Report
from .status import Status

OPEN, CLOSED = "open", "closed"

# Ours -> GeoReport's: closed once resolved (completed) or not accepted (archived).
STATUS: dict[Status, str] = {
    Status.UNVERIFIED: OPEN,
    Status.AWAITING_FOLLOWUP: OPEN,
    Status.IN_PROGRESS: OPEN,
    Status.COMPLETED: CLOSED,
    Status.ARCHIVED: CLOSED,
}

MAX_RANGE = timedelta(days=90)  # "may not span more than 90 days"
MAX_RESULTS = 1000  # "first 1000 requests"


def status_of(status: Status) -> str:
    return STATUS[status]


@dataclass(frozen=True)
class Service:
    service_code: str
    service_name: str
    description: str | None
    metadata: bool
    type: str
    keywords: str
    group: str


def service_of(category: Category) -> Service:
    """A category as a GeoReport service: realtime (the request id comes back at once),
    no extra attributes (metadata false)."""
    return Service(
        service_code=category.code,
        service_name=category.name,
        description=category.description,
        metadata=False,
        type="realtime",
        keywords=", ".join(filter(None, (category.name_en,))),
        group=category.scope,
    )


def notice(levels: ServiceLevels) -> str:
    """What happens next (GeoReport's service_notice), from the service levels."""
    return (
        f"Laporan diverifikasi dalam {levels.verify_days} hari kerja, lalu instansi yang "
        f"berwenang menindaklanjutinya dalam {levels.first_response_days} hari kerja."
    )


# The fields of a service request, in the specification's order.
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


def w3c(at: datetime | None) -> str | None:
    """An instant in the W3C profile of ISO 8601, UTC, whole seconds: 2010-01-01T00:00:00Z."""
    if at is None:
        return None
    return at.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def service_request(report: Report, service_name: str | None) -> dict:
    """What anyone may see of a report as a GeoReport service request (the public view:
    no identity, no location; no description or notes when confidential)."""
    hidden = report.confidential
    notes = None
    if not hidden and report.public_responses:
        notes = report.public_responses[-1].message
    expected = None
    if report.deadline is not None and status_of(report.status) == OPEN:
        expected = report.deadline.due
    return _request(
        report.tracking_id,
        report.status,
        notes,
        report.category,
        service_name,
        None if hidden else report.description,
        report.agency.name if report.agency else None,
        report.created_at,
        report.updated_at or report.created_at,
        expected,
    )


def _request(tid, status, notes, code, name, description, agency, created, updated, expected):
    return {
        "service_request_id": tid,
        "status": status_of(status),
        "status_notes": notes,
        "service_name": name,
        "service_code": code,
        "description": description,
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": w3c(created),
        "updated_datetime": w3c(updated),
        "expected_datetime": w3c(expected),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


# ---------------------------------------------------------------- searching


class InvalidSearch(ValueError):
    """A search the specification does not allow; ``field`` names the argument."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def parse_w3c(field: str, raw: str) -> datetime:
    """A W3C date-time (2010-01-01T00:00:00Z or with an offset) or a date (its start, UTC).
    A time without a time zone is refused: the specification requires one."""
    value = raw.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidSearch(
            field, f"{field} must be a W3C date-time, e.g. 2010-01-01T00:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        raise InvalidSearch(field, f"{field} must include a time zone (Z or +07:00)")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:30:00+01:00 is before the first representable time
        raise InvalidSearch(field, f"{field} is out of range") from None


def date_range(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """The searched range of requested_datetime: the given one (at most 90 days), else
    the 90 days before ``end`` or after ``start``, else the most recent 90 days."""
    if start is None and end is None:
        end = now
    try:
        if start is None:
            start = end - MAX_RANGE
        if end is None:
            end = start + MAX_RANGE
    except OverflowError:  # 90 days before 0001-01-05 or after 9999-12-28
        raise InvalidSearch("start_date" if end is None else "end_date", "out of range") from None
    if end < start:
        raise InvalidSearch("end_date", "end_date must not be before start_date")
    if end - start > MAX_RANGE:
        raise InvalidSearch("end_date", "start_date and end_date may not span more than 90 days")
    return start, end


def statuses_for(wanted: set[str]) -> set[Status]:
    """Our statuses behind GeoReport's ``open``/``closed`` (both, or none: every one)."""
    unknown = wanted - {OPEN, CLOSED}
    if unknown:
        raise InvalidSearch("status", "status must be open or closed (comma-separated)")
    if not wanted:
        wanted = {OPEN, CLOSED}
    return {s for s, mapped in STATUS.items() if mapped in wanted}
