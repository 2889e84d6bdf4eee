"""Domain views (``domain/views.py``) turned into the API's response models. Only
translation happens here: what each audience may see is decided by the domain views."""

from __future__ import annotations

from datetime import datetime

from .. import bootstrap
from ..domain import views
from ..domain.deadlines import Deadline
from ..domain.policy import Party
from ..domain.report import Report, TimelineEvent
from .endpoint import json_response
from .endpoint import schemas as s


def category_ref(code: str | None):
    if code is None:
        return None
    category = bootstrap.directory().category(code)
    return s.CategoryRef(code=code, name=category.name if category else None)


def deadline_out(d: Deadline | None, now: datetime | None = None):
    if d is None:
        return None
    now = now or bootstrap.clock().now()
    return s.DeadlineOut(
        kind=d.kind.value,
        due=d.due,
        warn_at=d.warn_at,
        state=d.state.value,
        overdue=d.is_overdue(now),
    )


def timeline_out(entries) -> list:
    return [
        s.TimelineEventOut(
            seq=e.seq,
            at=e.at,
            action=e.action,
            actor=e.actor,
            actor_id=e.actor_id,
            from_status=e.from_status,
            to_status=e.to_status,
            to_status_label=e.to_status.label,
            note=e.note,
            visibility=e.visibility.value,
        )
        for e in entries
    ]


def _common(view: dict) -> dict:
    agency = view["agency"]
    out = dict(
        view,
        status_label=view["status"].label,
        category=category_ref(view["category"]),
        agency=s.AgencyRefOut(id=agency.id, name=agency.name) if agency else None,
    )
    if "timeline" in view:
        out["timeline"] = timeline_out(view["timeline"])
    return out


def _details(view: dict, now) -> dict:
    r, loc = view.get("reporter"), view.get("location")
    rating, archival = view.get("rating"), view.get("archival")
    return dict(
        reporter=s.ReporterOut(name=r.name, phone=r.phone, email=r.email, account=r.account)
        if r
        else None,
        location=s.LocationOut(lat=loc.lat, lon=loc.lon) if loc else None,
        deadline=deadline_out(view["deadline"], now),
        rating=s.RatingOut(score=rating.score, comment=rating.comment, at=rating.at)
        if rating
        else None,
        archival=s.ArchivalOut(
            reason=archival.reason.value, message=archival.message, at=archival.at
        )
        if archival
        else None,
    )


def public_out(report: Report, timeline: list[TimelineEvent] | None = None):
    return s.PublicReportOut(**_common(views.public(report, timeline)))


def reporter_out(report: Report, timeline: list[TimelineEvent], attachments: list):
    view = views.reporter(report, timeline)
    return s.ReporterReportOut(**{**_common(view), **_details(view, None)}, attachments=attachments)


def staff_out(report: Report, timeline: list[TimelineEvent], party: Party, attachments: list):
    view = views.staff(report, timeline, party)
    routing = view.pop("routing")
    return s.StaffReportOut(
        **{**_common(view), **_details(view, None)},
        attachments=attachments,
        routing=routing_out(routing),
    )


def routing_out(r):
    if r is None:
        return None
    return s.RoutingOut(
        rule=r.rule,
        reason=r.reason,
        decided_at=r.decided_at,
        decided_by=r.decided_by,
        agency_id=r.agency_id,
    )


def inbox_item(report: Report, now: datetime):
    agency = report.agency
    return s.InboxItem(
        tracking_id=report.tracking_id,
        kind=report.kind,
        title=report.title,
        category=report.category,
        region=views.region_for_others(report),
        agency=s.AgencyRefOut(id=agency.id, name=agency.name) if agency else None,
        status=report.status,
        status_label=report.status.label,
        deadline=deadline_out(report.deadline, now),
        awaiting_reporter=report.awaiting_reporter,
        anonymous=report.anonymous,
        confidential=report.confidential,
        created_at=report.created_at,
        updated_at=report.updated_at or report.created_at,
    )


def action_out(done) -> object:
    report = done.report
    # the entry the action added, as the acting party sees it
    shown = timeline_out(views.timeline_for(list(done.recorded), done.party))
    return s.ActionOut(
        tracking_id=report.tracking_id,
        status=report.status,
        status_label=report.status.label,
        version=report.version,
        deadline=deadline_out(report.deadline),
        awaiting_reporter=report.awaiting_reporter,
        allowed_actions=views.actions_for(done.party, report),
        recorded=shown[0] if shown else None,
        notified=done.published,
    )


def action_response(done):
    """What every action route answers: the action's result, never cached."""
    return json_response(action_out(done), headers={"Cache-Control": "no-store"})


def feed_entry_out(entry: views.FeedEntry):
    """A feed entry (decided by views.feed_entry) in the API's words."""
    return s.FeedEntryOut(
        tracking_id=entry.tracking_id,
        kind=entry.kind,
        status=entry.status,
        status_label=entry.status.label,
        category=category_ref(entry.category),
        region=entry.region,
        agency=s.AgencyRefOut(id=entry.agency.id, name=entry.agency.name),
        anonymous=entry.anonymous,
        title=entry.title,
        description=entry.description,
        created_at=entry.created_at,
        updated_at=entry.updated_at,
        responses=[
            s.FeedResponseOut(
                agency=s.AgencyRefOut(id=r.agency.id, name=r.agency.name),
                at=r.at,
                message=r.message,
                final=r.final,
            )
            for r in entry.responses
        ],
        response_count=entry.response_count,
        links={"self": s.Link(href=f"/v1/reports/{entry.tracking_id}")},
    )
