"""Citizen API: submit a report and follow it."""

from __future__ import annotations

import logging
import re

from chalice import Blueprint

from .. import bootstrap, logs
from ..config import settings
from ..domain.report import Channel, Location, Reporter
from ..services import submission, tracking
from ..services.ports import ReportNotFound
from .attachments import attachment_out
from .endpoint import HeaderParam, endpoint, json_response
from .endpoint import schemas as s
from .problems import Problem, invalid_field

bp = Blueprint(__name__)
log = logging.getLogger(__name__)

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{8,255}$")
_ERR = ("ProblemOut", "Problem details (RFC 9457).")


def _command(body: s.SubmitReportIn) -> submission.SubmitReport:
    reporter = None
    if body.reporter and (body.reporter.name or body.reporter.phone or body.reporter.email):
        reporter = Reporter(body.reporter.name, body.reporter.phone, body.reporter.email)
    return submission.SubmitReport(
        kind=body.kind,
        title=body.title,
        description=body.description,
        anonymous=body.anonymous,
        confidential=body.confidential,
        reporter=reporter,
        category=body.category,
        region=body.region,
        location=Location(body.location.lat, body.location.lon) if body.location else None,
        incident_date=body.incident_date,
        channel=Channel.API,
    )


@endpoint(
    bp,
    "/v1/reports",
    "POST",
    summary="Submit a complaint, aspiration or information request",
    tags=("citizen",),
    body="SubmitReportIn",
    headers=(
        HeaderParam(
            "Idempotency-Key",
            "8-255 visible ASCII characters (a UUID is "
            "ideal). Retrying with the same key and body returns the same "
            "report; a different body is refused with 422.",
        ),
    ),
    responses={
        201: ("SubmittedOut", "Stored. Keep the access token: it is shown once."),
        400: _ERR,
        413: _ERR,
        415: _ERR,
        422: _ERR,
    },
)
def submit_report(call):
    key = call.header("Idempotency-Key")
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise Problem(
            400,
            "invalid-idempotency-key",
            "Idempotency-Key must be 8-255 visible ASCII characters.",
        )
    cfg = settings()
    try:
        result = submission.submit_report(
            _command(call.body),
            reports=bootstrap.reports(),
            publisher=bootstrap.publisher(),
            directory=bootstrap.directory(),
            clock=bootstrap.clock(),
            token_secret=cfg.require_token_secret(),
            idempotency_key=key,
        )
    except submission.UnknownCategory as e:
        raise invalid_field(
            "category", f"unknown category {e.code!r}; see GET /v1/categories", "unknown_category"
        ) from None
    except submission.IdempotencyConflict as e:
        raise Problem(422, "idempotency-key-reused", str(e)) from None
    logs.bind(tracking_id=result.tracking_id)
    log.info(
        "report submitted", extra={"replayed": result.replayed, "anonymous": call.body.anonymous}
    )
    location = f"/v1/reports/{result.tracking_id}"
    out = s.SubmittedOut(
        tracking_id=result.tracking_id,
        access_token=result.access_token,
        status=result.status,
        status_label=result.status.label,
        created_at=result.created_at,
        links={"self": s.Link(href=location)},
    )
    headers = {"Location": location, "Cache-Control": "no-store"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(out, 201, headers)


def _category_ref(code: str | None) -> s.CategoryRef | None:
    if code is None:
        return None
    category = bootstrap.directory().category(code)
    return s.CategoryRef(code=code, name=category.name if category else None)


def _public(report) -> dict:
    hidden = report.confidential
    return dict(
        tracking_id=report.tracking_id,
        kind=report.kind,
        status=report.status,
        status_label=report.status.label,
        category=_category_ref(report.category),
        region=report.region,
        agency=s.AgencyRefOut(id=report.agency.id, name=report.agency.name)
        if report.agency
        else None,
        confidential=report.confidential,
        title=None if hidden else report.title,
        description=None if hidden else report.description,
        created_at=report.created_at,
        updated_at=report.updated_at or report.created_at,
    )


def _reporter_view(view: tracking.ReporterView) -> s.ReporterReportOut:
    report = view.report
    r = report.reporter
    files = bootstrap.attachment_service().for_reporter(report)
    return s.ReporterReportOut(
        **{**_public(report), "title": report.title, "description": report.description},
        anonymous=report.anonymous,
        channel=report.channel,
        location=s.LocationOut(lat=report.location.lat, lon=report.location.lon)
        if report.location
        else None,
        incident_date=report.incident_date,
        reporter=s.ReporterOut(name=r.name, phone=r.phone, email=r.email) if r else None,
        timeline=[
            s.TimelineEventOut(
                seq=e.seq,
                at=e.at,
                action=e.action,
                actor=e.actor.kind,
                from_status=e.from_status,
                to_status=e.to_status,
                to_status_label=e.to_status.label,
                note=e.note,
            )
            for e in view.timeline
        ],
        attachments=[attachment_out(files, a) for a in files.items],
    )


@endpoint(
    bp,
    "/v1/reports/{tracking_id}",
    "GET",
    summary="Follow a report",
    description="Anyone with the tracking id sees the public view (no reporter identity; "
    "no content if confidential). With X-Report-Token the reporter sees everything, "
    "including the timeline. A wrong token is answered exactly like an unknown id.",
    tags=("citizen",),
    headers=(HeaderParam("X-Report-Token", "The access token issued at submission."),),
    responses={
        200: (
            ("PublicReportOut", "ReporterReportOut"),
            "The public view, or the reporter view with a valid token.",
        ),
        404: _ERR,
    },
)
def get_report(call):
    raw_id = call.params["tracking_id"]
    token = call.header("X-Report-Token")
    reports = bootstrap.reports()
    try:
        if token is None:
            out = s.PublicReportOut(**_public(tracking.public_view(reports, raw_id)))
            cache = "public, max-age=15"
        else:
            out = _reporter_view(tracking.reporter_view(reports, raw_id, token))
            cache = "private, no-store"
    except ReportNotFound:
        raise Problem(404, "report-not-found", "No report with this tracking id.") from None
    return json_response(out, 200, {"Cache-Control": cache, "Vary": "X-Report-Token"})
