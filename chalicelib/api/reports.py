"""Citizen API: submit a report and follow it."""

from __future__ import annotations

import logging
import re

from chalice import Blueprint

from .. import bootstrap, logs
from ..config import settings
from ..domain.report import Channel, Location, Reporter
from ..lazy import lazy_module
from ..services import submission
from .attachments import attachment_out
from .endpoint import HeaderParam, endpoint, json_response
from .endpoint import schemas as s
from .problems import Problem, invalid_field

# Loaded when a route first uses them: a cold start pays only for what its request needs.
access = lazy_module("chalicelib.services.access")
tracking = lazy_module("chalicelib.services.tracking")
report_out = lazy_module("chalicelib.api.report_out")

bp = Blueprint(__name__)
log = logging.getLogger(__name__)

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{8,255}$")
_ERR = ("ProblemOut", "Problem details (RFC 9457).")


def command_from(body, channel: Channel = Channel.API) -> submission.SubmitReport:
    """The submission service's command from a validated ``SubmitReportIn`` (the API's
    body, or the web portal's form turned into the same body)."""
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
        channel=channel,
        language=body.language,
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
            schema=(("minLength", 8), ("maxLength", 255), ("pattern", _IDEMPOTENCY_KEY.pattern)),
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
            command_from(call.body),
            reports=bootstrap.reports(),
            publisher=bootstrap.publisher(),
            directory=bootstrap.directory(),
            clock=bootstrap.clock(),
            token_secret=cfg.require_token_secret(),
            idempotency_key=key,
            calendar=bootstrap.get("calendar"),
        )
    except submission.InvalidReport as e:
        raise Problem(
            422,
            "validation-error",
            "The request body has invalid fields.",
            title="Validation failed",
            errors=[p.as_dict() for p in e.errors],
        ) from None
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


@endpoint(
    bp,
    "/v1/reports/{tracking_id}",
    "GET",
    summary="Follow a report",
    description="Anyone with the tracking id sees the public view: status, agency, the "
    "agency's responses and the reporter's replies (no identity; no content if "
    "confidential). With X-Report-Token the reporter sees everything of their report, "
    "with its deadline and what they may do now. A wrong token is answered exactly like "
    "an unknown id.",
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
    if token is None:
        report = tracking.public_view(reports, raw_id)
        timeline = None if report.confidential else reports.timeline(report.tracking_id)
        out = report_out.public_out(report, timeline)
        cache = "public, max-age=15"
    else:
        view = tracking.reporter_view(reports, raw_id, token)
        files = bootstrap.attachment_service().for_reporter(view.report)
        out = report_out.reporter_out(
            view.report, view.timeline, [attachment_out(files, a) for a in files.items]
        )
        cache = "private, no-store"
    return json_response(out, 200, {"Cache-Control": cache, "Vary": "X-Report-Token"})


# ---------------------------------------------------------------- the reporter acts

_TOKEN = HeaderParam("X-Report-Token", "The access token issued at submission.", required=True)
_ACTION_ERRORS = {400: _ERR, 401: _ERR, 404: _ERR, 409: _ERR, 415: _ERR, 422: _ERR}


def _reporter(call) -> access.Caller:
    token = call.header("X-Report-Token")
    if not token:
        raise Problem(401, "report-token-required", "Send the report's X-Report-Token.")
    return access.Caller(report_token=token)


def _done(done):
    return report_out.action_response(done)


@endpoint(
    bp,
    "/v1/reports/{tracking_id}/replies",
    "POST",
    summary="Reply to the agency or add information",
    description="Answers a request for information (the agency's deadline runs again) or "
    "adds to the report. During the completion window a reply keeps the report open.",
    tags=("citizen",),
    headers=(_TOKEN,),
    body="MessageIn",
    responses={200: ("ActionOut", "Added to the timeline; the agency is told."), **_ACTION_ERRORS},
)
def reply(call):
    return _done(
        bootstrap.workflow().reply(
            call.params["tracking_id"], _reporter(call), message=call.body.message
        )
    )


@endpoint(
    bp,
    "/v1/reports/{tracking_id}/confirm",
    "POST",
    summary="Confirm that the report is resolved (completes it)",
    tags=("citizen",),
    headers=(_TOKEN,),
    responses={200: ("ActionOut", "Completed."), **_ACTION_ERRORS},
)
def confirm(call):
    return _done(bootstrap.workflow().confirm(call.params["tracking_id"], _reporter(call)))


@endpoint(
    bp,
    "/v1/reports/{tracking_id}/reopen",
    "POST",
    summary="Reopen a completed report (within 10 working days of completion)",
    tags=("citizen",),
    headers=(_TOKEN,),
    body="ReasonIn",
    responses={200: ("ActionOut", "Back in progress; the agency is told."), **_ACTION_ERRORS},
)
def reopen(call):
    return _done(
        bootstrap.workflow().reopen(
            call.params["tracking_id"], _reporter(call), reason=call.body.reason
        )
    )


@endpoint(
    bp,
    "/v1/reports/{tracking_id}/rating",
    "PUT",
    summary="Rate the handling, 1-5 (after the agency's final response)",
    description="One rating per report; it may change until the report is completed.",
    tags=("citizen",),
    headers=(_TOKEN,),
    body="RatingIn",
    responses={200: ("ActionOut", "Rated; the agency is told."), **_ACTION_ERRORS},
)
def rate(call):
    return _done(
        bootstrap.workflow().rate(
            call.params["tracking_id"],
            _reporter(call),
            score=call.body.score,
            comment=call.body.comment,
        )
    )
