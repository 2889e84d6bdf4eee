"""Agencies register webhook targets; secrets are shown once (Standard Webhooks form)."""

from __future__ import annotations

import base64
import ipaddress
import secrets
import socket
import uuid
from dataclasses import replace
from urllib.parse import urlsplit

from .dispatch import ROTATION_GRACE
from .ports import Clock, WebhookTarget, WebhookTargets

EVENT_TYPES = ("report.assigned", "report.updated", "report.transferred", "report.sla")


class InvalidWebhook(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class TargetNotFound(LookupError):
    pass


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _public_address(host: str) -> bool:
    """True when every address the host resolves to is a public unicast address."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise InvalidWebhook("url", f"the webhook host {host!r} does not resolve") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            return False
    return True


def check_url(url: str, *, dev: bool, resolve=None) -> None:
    """Webhooks go over https to public addresses only, so that the platform cannot be
    pointed at its own network (instance metadata, internal services). In the dev stage,
    plain http to the loopback interface is allowed for local receivers. The check runs
    at registration; DNS can change later, which egress controls must cover."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidWebhook("url", "the webhook URL has no host")
    loopback = host in ("localhost", "127.0.0.1", "::1")
    if loopback:
        if dev and parts.scheme in ("http", "https"):
            return
        raise InvalidWebhook("url", "webhooks must not point at this platform's own host")
    if parts.scheme != "https":
        raise InvalidWebhook("url", "webhook URLs must use https://")
    if parts.username or parts.password:
        raise InvalidWebhook("url", "webhook URLs must not carry credentials")
    if not (resolve or _public_address)(host):
        raise InvalidWebhook("url", "webhooks must point at a public internet address")


def register(
    targets: WebhookTargets, clock: Clock, *, agency_id: str, url: str, events: list[str], dev: bool
) -> WebhookTarget:
    check_url(url, dev=dev)
    unknown = sorted(set(events) - set(EVENT_TYPES) - {"*"})
    if unknown:
        raise InvalidWebhook("events", f"unknown event types: {', '.join(unknown)}")
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
    target = replace(
        _existing(targets, agency_id, target_id),
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
