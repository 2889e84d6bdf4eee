"""Admin API: the agency directory, webhook targets, deliveries, the verification queue."""

from __future__ import annotations

import logging

from chalice import Blueprint

from .. import bootstrap
from ..config import settings
from ..domain import tracking_id as tracking_ids
from ..domain.directory import Agency
from ..domain.identity import Role
from ..domain.report import ArchiveReason
from ..lazy import lazy_module
from ..services.ports import InvalidCursor
from .directory import agency_out
from .endpoint import endpoint, json_response
from .endpoint import schemas as s
from .problems import Problem, invalid_field
from .staff import staff_view_response

# Loaded when a route first uses them: a cold start pays only for what its request needs.
access = lazy_module("chalicelib.services.access")
delivery_log = lazy_module("chalicelib.services.delivery_log")
identity = lazy_module("chalicelib.services.identity")
webhooks = lazy_module("chalicelib.services.webhooks")
report_out = lazy_module("chalicelib.api.report_out")

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
    body="AgencyCreateIn",
    responses={201: ("AgencyAdminOut", "Created."), 409: _ERR, **_ERRORS},
)
def create_agency(call):
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
    if not call.principal.administers(agency_id):
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
    summary="Delivery attempts for a report, or an agency's failed deliveries",
    description="With `tracking_id`: every attempt for the report, oldest first; platform "
    "admins see all, an agency admin those to their own agency's targets. With "
    "`agency_id`: the agency's attempts that did not deliver (`outcome=gave_up`: "
    "dead-lettered, `retry`: failed and retried, `disabled`, `skipped`), newest first "
    "within an outcome, a page at a time; an agency admin may ask for their own agency only.",
    tags=("admin",),
    roles=AGENCY_ADMINS,
    query="DeliveriesQuery",
    responses={200: ("DeliveryList", "The attempts."), **_ERRORS},
)
def list_deliveries(call):
    q, p = call.query, call.principal
    if (q.tracking_id is None) == (q.agency_id is None):
        raise invalid_field(
            "tracking_id",
            "give tracking_id or agency_id (one of them)",
            "missing",
            where="query string",
        )
    next_cursor = None
    if q.agency_id is not None:
        try:
            page = delivery_log.for_agency(
                bootstrap.deliveries(),
                p,
                q.agency_id,
                outcome=q.outcome,
                limit=q.limit,
                cursor=q.cursor,
            )
        except delivery_log.OtherAgency:
            raise Problem(
                403, "forbidden", "Agency admins see their own agency's deliveries."
            ) from None
        except InvalidCursor:
            raise invalid_field(
                "cursor", "not a cursor from this API", "invalid_cursor", where="query string"
            ) from None
        attempts, next_cursor = page.items, page.next_cursor
    else:
        attempts = delivery_log.for_report(
            bootstrap.deliveries(), p, tracking_ids.normalise(q.tracking_id)
        )
    items = [
        s.DeliveryOut(**{k: getattr(a, k) for k in s.DeliveryOut.model_fields}) for a in attempts
    ]
    return json_response(
        s.DeliveryList(items=items, next_cursor=next_cursor), headers={"Cache-Control": "no-store"}
    )


@endpoint(
    bp,
    "/v1/admin/verification-queue",
    "GET",
    summary="Reports waiting for verification, with the reason",
    description="Reports an agency handed back (not its authority) come first, then the "
    "oldest, a page at a time (next_cursor). One index query per shard, however long the "
    "queue.",
    tags=("admin",),
    roles=PLATFORM,
    query="QueueQuery",
    responses={200: ("VerificationQueueOut", "Transferred first, then oldest first."), **_ERRORS},
)
def verification_queue(call):
    now = bootstrap.clock().now()
    try:
        page = bootstrap.reports().verification_page(call.query.limit, call.query.cursor)
    except InvalidCursor:
        raise invalid_field(
            "cursor", "not a cursor from this API", "invalid_cursor", where="query string"
        ) from None
    items = [
        s.VerificationItem(
            tracking_id=r.tracking_id,
            kind=r.kind,
            title=r.title,
            category=r.category,
            region=r.region,
            created_at=r.created_at,
            transferred_at=r.transferred_at,
            deadline=report_out.deadline_out(r.deadline, now),
            routing=report_out.routing_out(r.routing),
        )
        for r in page.items
    ]
    return json_response(
        s.VerificationQueueOut(items=items, next_cursor=page.next_cursor),
        headers={"Cache-Control": "no-store"},
    )


@endpoint(
    bp,
    "/v1/admin/reports/{tracking_id}",
    "GET",
    summary="A report as platform admins see it, with its routing decision",
    description="The staff view. An anonymous reporter's identity is not part of it: "
    "reading it is a separate, logged action (POST .../identity).",
    tags=("admin",),
    roles=PLATFORM,
    responses={200: ("StaffReportOut", "The report."), **_ERRORS},
)
def admin_report(call):
    return staff_view_response(call.params["tracking_id"], call.principal)


_ACTION_ERRORS = {**_ERRORS, 409: _ERR, 415: _ERR}


def _admin(call) -> access.Caller:
    return access.Caller(principal=call.principal)


def _done(done):
    return report_out.action_response(done)


@endpoint(
    bp,
    "/v1/admin/reports/{tracking_id}/dispose",
    "POST",
    summary="Verify a report and dispose it to an agency",
    description="Idempotent: disposing again to the same agency only notifies it again.",
    tags=("admin",),
    roles=PLATFORM,
    body="DisposeIn",
    responses={200: ("ActionOut", "Disposed; the agency is notified."), **_ACTION_ERRORS},
)
def dispose_report(call):
    from ..services import verification

    try:
        done = verification.dispose(
            bootstrap.workflow(),
            call.params["tracking_id"],
            _admin(call),
            agency_id=call.body.agency_id,
            note=call.body.note,
        )
    except verification.AnnouncePending:
        raise Problem(
            503,
            "agency-not-notified-yet",
            "The report is disposed, but the agency could not be notified yet. "
            "Repeat this request to retry.",
            headers={"Retry-After": "5"},
        ) from None
    return _done(done)


@endpoint(
    bp,
    "/v1/admin/reports/{tracking_id}/archive",
    "POST",
    summary="Archive a report with a reason the reporter sees",
    description="Reasons: too_general, not_public_service, duplicate (name the report it "
    "duplicates in duplicate_of: both are linked), abusive, no_answer.",
    tags=("admin",),
    roles=PLATFORM,
    body="ArchiveIn",
    responses={200: ("ActionOut", "Archived; the reporter is told."), **_ACTION_ERRORS},
)
def archive_report(call):
    b = call.body
    return _done(
        bootstrap.workflow().archive(
            call.params["tracking_id"],
            _admin(call),
            reason=ArchiveReason(b.reason),
            message=b.message,
            duplicate_of=b.duplicate_of,
        )
    )


@endpoint(
    bp,
    "/v1/admin/reports/{tracking_id}/restore",
    "POST",
    summary="Take an archived report back into verification",
    tags=("admin",),
    roles=PLATFORM,
    body="NoteIn",
    responses={200: ("ActionOut", "Waiting for verification again."), **_ACTION_ERRORS},
)
def restore_report(call):
    return _done(
        bootstrap.workflow().restore(call.params["tracking_id"], _admin(call), note=call.body.note)
    )


@endpoint(
    bp,
    "/v1/admin/reports/{tracking_id}/reroute",
    "POST",
    summary="Move a disposed report to another agency",
    description="The old agency is told it is no longer theirs (report.transferred); the "
    "new one receives report.assigned with a fresh first-response deadline.",
    tags=("admin",),
    roles=PLATFORM,
    body="RerouteIn",
    responses={200: ("ActionOut", "Re-routed."), **_ACTION_ERRORS},
)
def reroute_report(call):
    return _done(
        bootstrap.workflow().reroute(
            call.params["tracking_id"],
            _admin(call),
            agency_id=call.body.agency_id,
            reason=call.body.reason,
        )
    )


@endpoint(
    bp,
    "/v1/admin/reports/{tracking_id}/close",
    "POST",
    summary="Complete a report in progress",
    tags=("admin",),
    roles=PLATFORM,
    body="NoteIn",
    responses={200: ("ActionOut", "Completed."), **_ACTION_ERRORS},
)
def close_report(call):
    return _done(
        bootstrap.workflow().close(call.params["tracking_id"], _admin(call), note=call.body.note)
    )


@endpoint(
    bp,
    "/v1/admin/reports/{tracking_id}/identity",
    "POST",
    summary="Read the reporter's identity (logged, with your reason)",
    description="Platform admins only. Every read is written to the identity-access log "
    "(who, when, which report, why) before the identity is returned.",
    tags=("admin",),
    roles=PLATFORM,
    body="IdentityReadIn",
    responses={
        200: ("IdentityOut", "The identity the reporter gave (may be empty)."),
        **_ACTION_ERRORS,
    },
)
def read_identity(call):
    result = identity.read(
        bootstrap.workflow(),
        call.params["tracking_id"],
        admin=call.principal.username,
        reason=call.body.reason,
    )
    r = result.reporter
    log.warning(
        "reporter identity read",
        extra={"tracking_id": result.tracking_id, "by": call.principal.username},
    )
    out = s.IdentityOut(
        tracking_id=result.tracking_id,
        reporter=s.ReporterOut(name=r.name, phone=r.phone, email=r.email) if r else None,
    )
    return json_response(out, headers={"Cache-Control": "no-store"})


@endpoint(
    bp,
    "/v1/admin/identity-access-log",
    "GET",
    summary="Who read which reporter's identity, when and why",
    description="By report (tracking_id) or by month (YYYY-MM, newest first; default: this month).",
    tags=("admin",),
    roles=PLATFORM,
    query="IdentityLogQuery",
    responses={200: ("IdentityLogOut", "The entries."), **_ERRORS},
)
def identity_access_log(call):
    q, log_ = call.query, bootstrap.get("identity_log")
    if q.tracking_id:
        entries = log_.for_report(tracking_ids.normalise(q.tracking_id))
    else:
        month = q.month or f"{bootstrap.clock().now():%Y-%m}"
        entries = log_.for_month(month, q.limit)
    items = [
        s.IdentityAccessOut(tracking_id=e.tracking_id, admin=e.admin, reason=e.reason, at=e.at)
        for e in entries[: q.limit]
    ]
    return json_response(s.IdentityLogOut(items=items), headers={"Cache-Control": "no-store"})
