"""Agencies register webhook targets; secrets are shown once (Standard Webhooks form)."""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import replace
from urllib.parse import urlsplit

from .dispatch import ROTATION_GRACE
from .ports import Clock, WebhookTarget, WebhookTargets

EVENT_TYPES = ("report.assigned", "report.updated", "report.transferred", "report.sla")


class InvalidWebhook(ValueError):
    pass


class TargetNotFound(LookupError):
    pass


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_url(url: str, *, allow_plain_http_to_localhost: bool) -> None:
    parts = urlsplit(url)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme == "https" and parts.hostname:
        if local and not allow_plain_http_to_localhost:
            raise InvalidWebhook("webhooks must not point at this platform's own host")
        return
    if parts.scheme == "http" and local and allow_plain_http_to_localhost:
        return
    raise InvalidWebhook("webhook URLs must use https://")


def register(
    targets: WebhookTargets, clock: Clock, *, agency_id: str, url: str, events: list[str], dev: bool
) -> WebhookTarget:
    check_url(url, allow_plain_http_to_localhost=dev)
    unknown = sorted(set(events) - set(EVENT_TYPES) - {"*"})
    if unknown:
        raise InvalidWebhook(f"unknown event types: {', '.join(unknown)}")
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
