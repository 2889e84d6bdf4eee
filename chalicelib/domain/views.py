"""What each audience sees of a report: one privacy-aware function per audience, used by
every route, webhook and message. Nothing else decides what is shown.

- public: status, category, agency; title, description and the dialogue unless the
  report is confidential; never the identity, the precise location or internal notes;
- reporter: everything of their own report except internal notes and routing details;
- staff (assigned agency, oversight, platform admins): everything, with the reporter's
  contact unless the report is anonymous (an anonymous identity is read only by platform
  admins, through the audited route), internal notes, deadlines and allowed actions;
- the public feed (and open data): a report past verification that is not confidential,
  with its content and the agency's public responses; never the identity, a region no
  finer than the regency (none at all for an anonymous report), never a location.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import policy
from .policy import Party
from .report import (
    AgencyRef,
    Location,
    PublicResponse,
    Report,
    ReportKind,
    TimelineEvent,
    Visibility,
)
from .status import Status

# ~1.1 km at the equator: an anonymous reporter's pin is not their doorstep.
_ANONYMOUS_DECIMALS = 2


def region_for_others(report: Report) -> str | None:
    """An anonymous report's region no finer than the regency (``32.73``)."""
    if report.region and report.anonymous:
        return ".".join(report.region.split(".")[:2])
    return report.region


def location_for_others(report: Report) -> Location | None:
    """An anonymous reporter's pin rounded to about 1 km; others' as given."""
    loc = report.location
    if loc is None or not report.anonymous:
        return loc
    return Location(round(loc.lat, _ANONYMOUS_DECIMALS), round(loc.lon, _ANONYMOUS_DECIMALS))


def location_for_agency(report: Report) -> dict | None:
    loc = location_for_others(report)
    return {"lat": loc.lat, "lon": loc.lon} if loc else None


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    at: object
    action: str
    actor: str
    actor_id: str | None
    from_status: object
    to_status: object
    note: str | None
    visibility: Visibility


def timeline_for(events: list[TimelineEvent], audience: Party) -> list[TimelineEntry]:
    staff = audience in (Party.ASSIGNED_AGENCY, Party.OVERSIGHT, Party.PLATFORM_ADMIN)
    allowed = {Visibility.PUBLIC}
    if audience is Party.REPORTER or staff:
        allowed.add(Visibility.REPORTER)
    if staff:
        allowed.add(Visibility.STAFF)
    entries = []
    for e in events:
        if e.visibility not in allowed:
            continue
        # Outside staff, officers appear as their agency, never by name.
        actor = e.actor.kind if staff or not e.actor.is_staff else "agency"
        if e.actor.kind == "platform_admin" and not staff:
            actor = "admin"
        entries.append(
            TimelineEntry(
                e.seq,
                e.at,
                e.action,
                actor,
                e.actor.id if staff else None,
                e.from_status,
                e.to_status,
                e.note,
                e.visibility,
            )
        )
    return entries


def public(report: Report, timeline: list[TimelineEvent] | None = None) -> dict:
    hidden = report.confidential
    view = dict(
        tracking_id=report.tracking_id,
        kind=report.kind,
        status=report.status,
        category=report.category,
        region=region_for_others(report),
        agency=report.agency,
        confidential=report.confidential,
        title=None if hidden else report.title,
        description=None if hidden else report.description,
        created_at=report.created_at,
        updated_at=report.updated_at or report.created_at,
    )
    if timeline is not None:
        view["timeline"] = [] if hidden else timeline_for(timeline, Party.PUBLIC)
    return view


def reporter(report: Report, timeline: list[TimelineEvent]) -> dict:
    return dict(
        public(report),
        region=report.region,
        title=report.title,
        description=report.description,
        anonymous=report.anonymous,
        channel=report.channel,
        location=report.location,
        incident_date=report.incident_date,
        reporter=report.reporter,
        timeline=timeline_for(timeline, Party.REPORTER),
        deadline=report.deadline,
        awaiting_reporter=report.awaiting_reporter,
        archival=report.archival,
        duplicate_of=report.duplicate_of,
        rating=report.rating,
        reopen_until=report.reopen_until,
        allowed_actions=actions_for(Party.REPORTER, report),
    )


def staff(report: Report, timeline: list[TimelineEvent], audience: Party) -> dict:
    """The view of a party that passed ``policy.check(VIEW_STAFF, ...)``."""
    sees_identity = policy.sees_identity(audience, report.anonymous)
    admin = audience is Party.PLATFORM_ADMIN
    return dict(
        public(report),
        region=report.region if (admin or not report.anonymous) else region_for_others(report),
        title=report.title,
        description=report.description,
        anonymous=report.anonymous,
        channel=report.channel,
        location=report.location if admin else location_for_others(report),
        incident_date=report.incident_date,
        reporter=report.reporter if sees_identity else None,
        identity_withheld=report.anonymous and report.reporter is not None,
        timeline=timeline_for(timeline, audience),
        deadline=report.deadline,
        awaiting_reporter=report.awaiting_reporter,
        routing=report.routing,
        archival=report.archival,
        duplicate_of=report.duplicate_of,
        duplicates=list(report.duplicates),
        rating=report.rating,
        first_response_at=report.first_response_at,
        final_response_at=report.final_response_at,
        completed_at=report.completed_at,
        reopen_until=report.reopen_until,
        version=report.version,
        allowed_actions=actions_for(audience, report),
    )


def actions_for(audience: Party, report: Report) -> list[str]:
    return [
        a.value
        for a in policy.allowed_actions(audience, report.status)
        if a is not policy.Action.VIEW_STAFF and report.allows(a.value)
    ]


# ---------------------------------------------------------------- the public feed

# Listed once an agency has the report: never while unverified (nobody has checked it; it
# may hold junk or personal data) nor once archived (not accepted).
FEED_STATUSES = (Status.AWAITING_FOLLOWUP, Status.IN_PROGRESS, Status.COMPLETED)


@dataclass(frozen=True)
class FeedEntry:
    """A report as the public feed and open data list it. Everything here may be public;
    the feed's index holds exactly these fields (adapters/report_repository.py)."""

    tracking_id: str
    kind: ReportKind
    status: Status
    category: str | None
    region: str | None  # the province or regency; None for anonymous reports
    agency: AgencyRef
    anonymous: bool
    title: str
    description: str
    created_at: datetime
    updated_at: datetime
    responses: tuple[PublicResponse, ...]  # the newest, oldest first
    response_count: int  # all the agency's public responses (the public view has them)


def listed_in_feed(report: Report) -> bool:
    return not report.confidential and report.status in FEED_STATUSES and report.agency is not None


def feed_region(report: Report) -> str | None:
    """The region a listing may show: no finer than the regency (``32.73.01.1001`` ->
    ``32.73``), and none for an anonymous report (nor may a region filter find it)."""
    if report.anonymous or not report.region:
        return None
    return ".".join(report.region.split(".")[:2])


def feed_entry(report: Report) -> FeedEntry | None:
    """The report's public feed entry, or None when it is not listed."""
    if not listed_in_feed(report):
        return None
    return FeedEntry(
        tracking_id=report.tracking_id,
        kind=report.kind,
        status=report.status,
        category=report.category,
        region=feed_region(report),
        agency=report.agency,
        anonymous=report.anonymous,
        title=report.title,
        description=report.description,
        created_at=report.created_at,
        updated_at=report.updated_at or report.created_at,
        responses=report.public_responses,
        response_count=report.public_response_count,
    )
