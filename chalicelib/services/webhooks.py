"""Agencies register webhook targets; secrets are shown once (Standard Webhooks form)."""

from __future__ import annotations

import base64
import secrets
import socket
import uuid
from dataclasses import replace
from urllib.parse import urlsplit

from ..domain import addresses
from ..domain.events import AGENCY_EVENTS
from .dispatch import ROTATION_GRACE
from .ports import Clock, WebhookTarget, WebhookTargets

# What an agency may subscribe to: every event the platform tells agencies.
EVENT_TYPES = tuple(e.value for e in AGENCY_EVENTS)


class InvalidWebhook(ValueError):
    """``field`` is the request's field at fault, ``code`` which rule it broke (for a
    message in the reader's language), the message says it in English."""

    def __init__(self, field: str, message: str, code: str):
        super().__init__(message)
        self.field = field
        self.code = code


class TargetNotFound(LookupError):
    pass


# Every active target gets one POST per event: a cap keeps one agency from multiplying
# the dispatcher's work (40 targets made 40 POSTs per report).
MAX_ACTIVE_WEBHOOKS = 5


class TooManyWebhooks(Exception):
    def __init__(self, agency_id: str):
        super().__init__(
            f"Agency {agency_id} already has {MAX_ACTIVE_WEBHOOKS} active webhooks; "
            "disable one first."
        )


def _room_for_one_more(targets: WebhookTargets, agency_id: str, except_id: str = "") -> None:
    active = [t for t in targets.for_agency(agency_id) if t.active and t.id != except_id]
    if len(active) >= MAX_ACTIVE_WEBHOOKS:
        raise TooManyWebhooks(agency_id)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _public_address(host: str) -> bool:
    """True when every address the host resolves to is a public unicast address."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise InvalidWebhook(
            "url", f"the webhook host {host!r} does not resolve", "unresolvable"
        ) from None
    return all(addresses.is_public(addresses.parse(info[4][0])) for info in infos)


def check_url(url: str, *, dev: bool, resolve=None) -> None:
    """Webhooks go over https to public addresses only, so that the platform cannot be
    pointed at its own network (instance metadata, internal services). In the dev stage,
    plain http to the loopback interface is allowed for local receivers. The check runs
    at registration; the sender checks the resolved addresses again at every delivery
    (adapters/webhook_http.py), as DNS can change later."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidWebhook("url", "the webhook URL has no host", "no_host")
    loopback = host in ("localhost", "127.0.0.1", "::1")
    if loopback:
        if dev and parts.scheme in ("http", "https"):
            return
        raise InvalidWebhook(
            "url", "webhooks must not point at this platform's own host", "own_host"
        )
    if parts.scheme != "https":
        raise InvalidWebhook("url", "webhook URLs must use https://", "not_https")
    if parts.username or parts.password:
        raise InvalidWebhook("url", "webhook URLs must not carry credentials", "credentials")
    if not (resolve or _public_address)(host):
        raise InvalidWebhook(
            "url", "webhooks must point at a public internet address", "not_public"
        )


def register(
    targets: WebhookTargets, clock: Clock, *, agency_id: str, url: str, events: list[str], dev: bool
) -> WebhookTarget:
    check_url(url, dev=dev)
    unknown = sorted(set(events) - set(EVENT_TYPES) - {"*"})
    if unknown:
        raise InvalidWebhook(
            "events", f"unknown event types: {', '.join(unknown)}", "unknown_event"
        )
    _room_for_one_more(targets, agency_id)
    now = clock.now()
    target = WebhookTarget(
        id="wh_" + uuid.uuid4().hex[:16],
        agency_id=agency_id,
        url=url,
        events=tuple(sorted(set(events))),
        secret=new_secret(),
        created_at=now,
        updated_at=now,
    )
    targets.save(target)
    return target


def _existing(targets, agency_id: str, target_id: str) -> WebhookTarget:
    target = targets.get(agency_id, target_id)
    if target is None:
        raise TargetNotFound(target_id)
    return target


def set_active(targets, clock, agency_id: str, target_id: str, active: bool) -> WebhookTarget:
    existing = _existing(targets, agency_id, target_id)
    if active and not existing.active:
        _room_for_one_more(targets, agency_id, except_id=target_id)
    target = replace(
        existing,
        active=active,
        disabled_reason=None if active else "disabled by the agency",
        updated_at=clock.now(),
    )
    targets.save(target)
    return target


def rotate_secret(targets, clock, agency_id: str, target_id: str) -> WebhookTarget:
    """A new secret; the old one keeps signing too for 24 h so receivers can switch."""
    old = _existing(targets, agency_id, target_id)
    now = clock.now()
    target = replace(
        old,
        secret=new_secret(),
        previous_secret=old.secret,
        previous_secret_until=now + ROTATION_GRACE,
        updated_at=now,
    )
    targets.save(target)
    return target
