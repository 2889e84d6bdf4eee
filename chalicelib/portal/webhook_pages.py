"""An agency's webhooks in the staff console (agency admins for their own agency, platform
admins for any): list, register, disable, enable, rotate the signing secret — the same
service, rules and validation as ``/v1/admin/agencies/{id}/webhooks``. A signing secret is
shown once, on the response that created it, never again (no URL, no cookie, no-store).
"""

from __future__ import annotations

import logging

from chalice import Response

from .. import bootstrap
from ..api.schemas import ValidationError
from ..api.schemas.admin import WebhookIn
from ..config import settings
from ..services import webhooks
from . import admin_agency
from .i18n import N_
from .pages import Page, error_page
from .staff_pages import AGENCY_ADMINS, render_staff

log = logging.getLogger(__name__)

# The events an agency may subscribe to (services/webhooks.EVENT_TYPES), in plain words.
EVENTS = {
    "report.assigned": N_("A report is sent to your agency"),
    "report.updated": N_("A report your agency handles changes"),
    "report.transferred": N_("A report is taken away from your agency"),
    "report.reporter_replied": N_("The reporter replies or adds information"),
    "report.sla_warning": N_("A deadline is near"),
    "report.overdue": N_("A deadline has passed"),
    "report.completed": N_("A report is completed"),
    "report.rated": N_("The reporter rates the handling"),
    "*": N_("Every event, also those added later"),
}
SEGMENTS = {"disable": "nonaktifkan", "enable": "aktifkan", "rotate": "ganti-rahasia"}
DONE = {
    "disabled": N_("The webhook is disabled. It receives nothing until you enable it."),
    "enabled": N_("The webhook is enabled again."),
}
# What a broken rule says, by services/webhooks.InvalidWebhook's code.
URL_PROBLEMS = {
    "no_host": N_("Enter a full address, for example https://sistem.instansi.go.id/satupintu."),
    "own_host": N_("The address must not point at this platform's own server."),
    "not_https": N_("The address must start with https://."),
    "credentials": N_("The address must not contain a user name or password."),
    "not_public": N_("The address must be reachable on the public internet."),
    "unresolvable": N_("This host name cannot be found. Check the address."),
    "unknown_event": N_("Choose events from the list."),
}
NO_URL = N_("Enter the address that receives the webhooks.")
URL_TOO_LONG = N_("The address is too long (at most %(n)s characters).")
NO_EVENTS = N_("Choose at least one event.")
TOO_MANY = N_(
    "Your agency already has %(n)s active webhooks. Disable one before you add or enable another."
)
NOT_FOUND = N_("There is no such webhook for this agency.")


def _choice(page: Page, raw: str | None):
    who = page.staff(*AGENCY_ADMINS)
    return who, admin_agency.chosen(who, raw)


def _render(page: Page, who, choice, status: int = 200, **context) -> Response:
    agency = choice.agency
    targets = bootstrap.targets().for_agency(agency.id) if agency else []
    context.setdefault("values", {"url": "", "events": ["report.assigned"]})
    context.setdefault("errors", {})
    instansi = admin_agency.query_for(who, agency)
    return render_staff(
        page,
        "staff_webhooks.html",
        status,
        agency=agency,
        choices=choice.choices,
        instansi=instansi,
        targets=sorted(targets, key=lambda t: t.created_at),
        events=EVENTS,
        segments=SEGMENTS,
        max_active=webhooks.MAX_ACTIVE_WEBHOOKS,
        here={
            "name": "staff_webhooks",
            "query": {admin_agency.PARAM: instansi} if instansi else {},
        },
        **context,
    )


def _unknown_agency(page: Page) -> Response:
    return error_page(page, 404)


def listing(page: Page) -> Response:
    try:
        who, choice = _choice(page, page.query(admin_agency.PARAM))
    except admin_agency.UnknownAgency:
        return _unknown_agency(page)
    done = DONE.get(page.query("done") or "")
    return _render(page, who, choice, done=page.gettext(done) if done else None)


def _events_from(form: dict) -> list[str]:
    return [code for code in EVENTS if form.get(f"ev-{code}") == "on"]


def register(page: Page) -> Response:
    form = page.form()
    try:
        who, choice = _choice(page, form.get(admin_agency.PARAM))
    except admin_agency.UnknownAgency:
        return _unknown_agency(page)
    if choice.agency is None:
        return _render(page, who, choice, 422)
    _ = page.gettext
    url = (form.get("url") or "").strip()
    events = _events_from(form)
    values = {"url": url, "events": events}
    errors = _schema_errors(page, url, events)
    if errors:
        return _render(page, who, choice, 422, values=values, errors=errors)
    try:
        target = webhooks.register(
            bootstrap.targets(),
            bootstrap.clock(),
            agency_id=choice.agency.id,
            url=url,
            events=events,
            dev=settings().stage == "dev",
        )
    except webhooks.InvalidWebhook as e:
        message = _(URL_PROBLEMS.get(e.code, URL_PROBLEMS["no_host"]))
        return _render(page, who, choice, 422, values=values, errors={e.field: message})
    except webhooks.TooManyWebhooks:
        problem = _(TOO_MANY) % {"n": webhooks.MAX_ACTIVE_WEBHOOKS}
        return _render(page, who, choice, 409, values=values, problem=problem)
    log.info(
        "webhook registered in the console",
        extra={"agency_id": target.agency_id, "target_id": target.id, "by": who.username},
    )
    return _render(page, who, choice, 201, secret_for=target, secret_kind="new")


def _schema_errors(page: Page, url: str, events: list[str]) -> dict[str, str]:
    """The API's schema for the body (WebhookIn), its complaints by field."""
    _ = page.gettext
    if not url:
        return {"url": _(NO_URL)}
    try:
        WebhookIn.model_validate({"url": url, "events": events})
    except ValidationError as e:
        errors = {}
        for err in e.errors(include_url=False, include_input=False):
            field = str(err["loc"][0]) if err["loc"] else "url"
            if field == "events":
                errors.setdefault("events", _(NO_EVENTS))
            else:
                limit = WebhookIn.model_fields["url"].metadata[0].max_length
                errors.setdefault("url", _(URL_TOO_LONG) % {"n": limit})
        return errors
    return {}


def change(page: Page, webhook_id: str, verb: str) -> Response:
    form = page.form()
    try:
        who, choice = _choice(page, form.get(admin_agency.PARAM))
    except admin_agency.UnknownAgency:
        return _unknown_agency(page)
    if choice.agency is None:
        return error_page(page, 404, NOT_FOUND)
    agency_id = choice.agency.id
    targets, clock = bootstrap.targets(), bootstrap.clock()
    try:
        if verb == "rotate":
            target = webhooks.rotate_secret(targets, clock, agency_id, webhook_id)
        else:
            target = webhooks.set_active(targets, clock, agency_id, webhook_id, verb == "enable")
    except webhooks.TargetNotFound:
        return error_page(page, 404, NOT_FOUND)
    except webhooks.TooManyWebhooks:
        problem = page.gettext(TOO_MANY) % {"n": webhooks.MAX_ACTIVE_WEBHOOKS}
        return _render(page, who, choice, 409, problem=problem)
    log.info(
        "webhook changed in the console",
        extra={
            "agency_id": agency_id,
            "target_id": target.id,
            "change": verb,
            "by": who.username,
        },
    )
    if verb == "rotate":
        return _render(page, who, choice, secret_for=target, secret_kind="rotated")
    done = "enabled" if verb == "enable" else "disabled"
    instansi = admin_agency.query_for(who, choice.agency)
    return page.redirect(
        page.url("staff_webhooks", **{admin_agency.PARAM: instansi}, done=done) + "#webhooks"
    )
