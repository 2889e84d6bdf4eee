"""Admin API: the agency directory, webhook targets, deliveries, the verification queue."""

from __future__ import annotations

import logging

from chalice import Blueprint

from .. import bootstrap
from ..config import settings
from ..domain import tracking_id as tracking_ids
from ..domain.directory import Agency
from ..domain.identity import Role
from ..services import webhooks
from ..services.ports import ReportNotFound
from .directory import agency_out
from .endpoint import endpoint, json_response
from .endpoint import schemas as s
from .problems import Problem, invalid_field

bp = Blueprint(__name__)
log = logging.getLogger(__name__)

_ERR = ("ProblemOut", "Problem details (RFC 9457).")
_ERRORS = {400: _ERR, 401: _ERR, 403: _ERR, 404: _ERR, 422: _ERR}
PLATFORM = (Role.PLATFORM_ADMIN,)
AGENCY_ADMINS = (Role.PLATFORM_ADMIN, Role.AGENCY_ADMIN)


def _agency_out(a: Agency):
    return agency_out(a, "AgencyAdminOut")


def _agency_from(body, agency_id: str) -> Agency:
    directory = bootstrap.directory()
    if body.parent_id and directory.agency(body.parent_id) is None:
        raise invalid_field("parent_id", "unknown agency", "unknown_agency")
    unknown = [c for c in body.categories if directory.category(c) is None]
    if unknown:
        raise invalid_field(
            "categories", f"unknown categories: {', '.join(unknown)}", "unknown_category"
        )
    return Agency(
        id=agency_id,
        name=body.name,
        type=body.type,
        short_name=body.short_name,
        parent_id=body.parent_id,
        region_code=body.region_code,
        categories=tuple(body.categories),
        email=body.email,
        website=body.website,
        active=body.active,
        sqs_queue_url=body.sqs_queue_url,
    )


@endpoint(
    bp,
    "/v1/admin/agencies",
    "POST",
    summary="Add an agency to the directory",
    tags=("admin",),
    roles=PLATFORM,
    body="AgencyIn",
    responses={201: ("AgencyAdminOut", "Created."), 409: _ERR, **_ERRORS},
)
def create_agency(call):
    if not call.body.id:
        raise invalid_field("id", "required", "missing")
    if bootstrap.directory().agency(call.body.id) is not None:
        raise Problem(409, "agency-exists", f"Agency {call.body.id} already exists; use PUT.")
    agency = _agency_from(call.body, call.body.id)
    bootstrap.directory().save_agency(agency)
    log.info("agency created", extra={"agency_id": agency.id, "by": call.principal.username})
    return json_response(_agency_out(agency), 201, {"Location": f"/v1/admin/agencies/{agency.id}"})


@endpoint(
    bp,
    "/v1/admin/agencies/{agency_id}",
    "PUT",
    summary="Create or replace an agency",
    tags=("admin",),
    roles=PLATFORM,
    body="AgencyIn",
    responses={200: ("AgencyAdminOut", "Saved."), **_ERRORS},
)
def put_agency(call):
    agency_id = call.params["agency_id"]
    if call.body.id and call.body.id != agency_id:
        raise invalid_field("id", "must match the path", "mismatch")
    agency = _agency_from(call.body, agency_id)
    bootstrap.directory().save_agency(agency)
    log.info("agency saved", extra={"agency_id": agency.id, "by": call.principal.username})
    return json_response(_agency_out(agency))


def _authorise_agency(call) -> str:
    agency_id = call.params["agency_id"]
    p = call.principal
    if not (p.has_any(Role.PLATFORM_ADMIN) or p.agency_id == agency_id):
        raise Problem(403, "forbidden", "You administer another agency.")
    if bootstrap.directory().agency(agency_id) is None:
        raise Problem(404, "agency-not-found", f"No agency {agency_id}.")
    return agency_id


def _webhook_out(t, with_secret=False):
    fields = dict(
        id=t.id,
        agency_id=t.agency_id,
        url=t.url,
        events=list(t.events),
        active=t.active,
        disabled_reason=t.disabled_reason,
        created_at=t.created_at,
        updated_at=t.updated_at,
    )
    if with_secret:
        return s.WebhookSecretOut(**fields, secret=t.secret)
    return s.WebhookOut(**fields)


@endpoint(
    bp,
    "/v1/admin/agencies/{agency_id}/webhooks",
    "POST",
    summary="Register a webhook (the signing secret is shown once)",
    tags=("admin",),
    roles=AGENCY_ADMINS,
    body="WebhookIn",
    responses={201: ("WebhookSecretOut", "Registered."), 409: _ERR, **_ERRORS},
)
def create_webhook(call):
    agency_id = _authorise_agency(call)
    try:
        target = webhooks.register(
            bootstrap.targets(),
            bootstrap.clock(),
            agency_id=agency_id,
            url=call.body.url,
            events=call.body.events,
            dev=settings().stage == "dev",
        )
    except webhooks.InvalidWebhook as e:
        raise invalid_field(e.field, str(e), "invalid", detail=str(e)) from None
    except webhooks.TooManyWebhooks as e:
        raise Problem(409, "webhook-limit", str(e)) from None
    log.info(
        "webhook registered",
        extra={"agency_id": agency_id, "target_id": target.id, "by": call.principal.username},
    )
    return json_response(_webhook_out(target, with_secret=True), 201, {"Cache-Control": "no-store"})


@endpoint(
    bp,
    "/v1/admin/agencies/{agency_id}/webhooks",
    "GET",
    summary="List webhooks",
    tags=("admin",),
    roles=AGENCY_ADMINS,
    responses={200: ("WebhookList", "The agency's webhooks, without secrets."), **_ERRORS},
)
def list_webhooks(call):
    agency_id = _authorise_agency(call)
    targets = bootstrap.targets()
    items = targets.for_agency(agency_id)
    return json_response(
        s.WebhookList(items=[_webhook_out(t) for t in items]), headers={"Cache-Control": "no-store"}
    )


def _change(call, action):
    agency_id = _authorise_agency(call)
    try:
        target = action(
            bootstrap.targets(), bootstrap.clock(), agency_id, call.params["webhook_id"]
        )
    except webhooks.TargetNotFound:
        raise Problem(404, "webhook-not-found", "No such webhook for this agency.") from None
    except webhooks.TooManyWebhooks as e:
        raise Problem(409, "webhook-limit", str(e)) from None
    log.info(
        "webhook changed",
        extra={
            "agency_id": agency_id,
            "target_id": target.id,
            "active": target.active,
            "by": call.principal.username,
        },
    )
    return target


@endpoint(
    bp,
    "/v1/admin/agencies/{agency_id}/webhooks/{webhook_id}/disable",
    "POST",
    summary="Disable a webhook",
    tags=("admin",),
    roles=AGENCY_ADMINS,
    responses={200: ("WebhookOut", "Disabled."), **_ERRORS},
)
def disable_webhook(call):
    target = _change(call, lambda t, c, a, w: webhooks.set_active(t, c, a, w, False))
    return json_response(_webhook_out(target))


@endpoint(
    bp,
    "/v1/admin/agencies/{agency_id}/webhooks/{webhook_id}/enable",
    "POST",
    summary="Enable a webhook again",
    tags=("admin",),
    roles=AGENCY_ADMINS,
    responses={200: ("WebhookOut", "Enabled."), 409: _ERR, **_ERRORS},
)
def enable_webhook(call):
    target = _change(call, lambda t, c, a, w: webhooks.set_active(t, c, a, w, True))
    return json_response(_webhook_out(target))


@endpoint(
    bp,
    "/v1/admin/agencies/{agency_id}/webhooks/{webhook_id}/rotate-secret",
    "POST",
    summary="Rotate the signing secret (the old one also signs for 24 h)",
    tags=("admin",),
    roles=AGENCY_ADMINS,
    responses={200: ("WebhookSecretOut", "The new secret, shown once."), **_ERRORS},
)
def rotate_webhook_secret(call):
    target = _change(call, webhooks.rotate_secret)
    return json_response(
        _webhook_out(target, with_secret=True), headers={"Cache-Control": "no-store"}
    )


@endpoint(
    bp,
    "/v1/admin/deliveries",
    "GET",
    summary="Delivery attempts for a report",
    description="Platform admins see every attempt; an agency admin sees the attempts to "
    "their own agency's targets (to debug their receiver).",
    tags=("admin",),
    roles=AGENCY_ADMINS,
    query="DeliveriesQuery",
    responses={200: ("DeliveryList", "Every attempt, oldest first."), **_ERRORS},
)
def list_deliveries(call):
    tracking_id = tracking_ids.normalise(call.query.tracking_id)
    attempts = bootstrap.deliveries().attempts(tracking_id)
    p = call.principal
    if not p.has_any(Role.PLATFORM_ADMIN):
        attempts = [a for a in attempts if p.agency_id and a.agency_id == p.agency_id]
    items = [
        s.DeliveryOut(**{k: getattr(a, k) for k in s.DeliveryOut.model_fields}) for a in attempts
    ]
    return json_response(s.DeliveryList(items=items), headers={"Cache-Control": "no-store"})


def _routing_out(r):
    if r is None:
        return None
    return s.RoutingOut(
        rule=r.rule,
        reason=r.reason,
        decided_at=r.decided_at,
        decided_by=r.decided_by,
        agency_id=r.agency_id,
    )


@endpoint(
    bp,
    "/v1/admin/verification-queue",
    "GET",
    summary="Reports waiting for verification, with the reason",
    tags=("admin",),
    roles=PLATFORM,
    query="QueueQuery",
    responses={200: ("VerificationQueueOut", "Oldest first."), **_ERRORS},
)
def verification_queue(call):
    reports = bootstrap.reports()
    items = []
    for tracking_id in reports.verification_queue(call.query.limit):
        try:
            r = reports.get(tracking_id)
        except ReportNotFound:
            continue
        items.append(
            s.VerificationItem(
                tracking_id=r.tracking_id,
                kind=r.kind,
                title=r.title,
                category=r.category,
                region=r.region,
                created_at=r.created_at,
                routing=_routing_out(r.routing),
            )
        )
    return json_response(s.VerificationQueueOut(items=items), headers={"Cache-Control": "no-store"})


@endpoint(
    bp,
    "/v1/admin/reports/{tracking_id}",
    "GET",
    summary="A report as admins see it, with its routing decision",
    tags=("admin",),
    roles=PLATFORM,
    responses={200: ("AdminReportOut", "The report."), **_ERRORS},
)
def admin_report(call):
    return _admin_report_response(call.params["tracking_id"])


def _admin_report_response(raw_id: str):
    from .reports import _public

    try:
        report = bootstrap.reports().get(tracking_ids.normalise(raw_id))
    except ReportNotFound:
        raise Problem(404, "report-not-found", "No report with this tracking id.") from None
    # The reporter's identity is not part of this view (reading it is a separate,
    # audited action).
    out = s.AdminReportOut(
        **{**_public(report), "title": report.title, "description": report.description},
        anonymous=report.anonymous,
        channel=report.channel,
        routing=_routing_out(report.routing),
    )
    return json_response(out, headers={"Cache-Control": "no-store"})


@endpoint(
    bp,
    "/v1/admin/reports/{tracking_id}/dispose",
    "POST",
    summary="Verify a report and dispose it to an agency",
    tags=("admin",),
    roles=PLATFORM,
    body="DisposeIn",
    responses={200: ("AdminReportOut", "Disposed; the agency is notified."), 409: _ERR, **_ERRORS},
)
def dispose_report(call):
    from ..services import verification

    try:
        verification.dispose(
            tracking_ids.normalise(call.params["tracking_id"]),
            call.body.agency_id,
            admin=call.principal.username,
            note=call.body.note,
            reports=bootstrap.reports(),
            directory=bootstrap.directory(),
            targets=bootstrap.targets(),
            dispatch=bootstrap.dispatch_queue(),
            clock=bootstrap.clock(),
        )
    except ReportNotFound:
        raise Problem(404, "report-not-found", "No report with this tracking id.") from None
    except verification.NotDisposable as e:
        raise Problem(409, "not-disposable", str(e)) from None
    except verification.AnnouncePending:
        raise Problem(
            503,
            "agency-not-notified-yet",
            "The report is disposed, but the agency could not be notified yet. "
            "Repeat this request to retry.",
            headers={"Retry-After": "5"},
        ) from None
    except verification.UnknownAgency:
        raise invalid_field("agency_id", "unknown or inactive agency", "unknown_agency") from None
    log.info(
        "report disposed by admin",
        extra={
            "tracking_id": call.params["tracking_id"],
            "agency_id": call.body.agency_id,
            "by": call.principal.username,
        },
    )
    return _admin_report_response(call.params["tracking_id"])
