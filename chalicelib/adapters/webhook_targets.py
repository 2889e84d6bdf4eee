"""Agencies' webhook targets, stored in the directory table (partition webhook#<agency>)."""

from __future__ import annotations

import time

from pynamodb.exceptions import DoesNotExist

from ..services.ports import WebhookTarget
from .dynamodb_models import WebhookTargetItem


def _partition(agency_id: str) -> str:
    return f"webhook#{agency_id}"


def _target(item: WebhookTargetItem) -> WebhookTarget:
    return WebhookTarget(
        id=item.id,
        agency_id=item.agency_id,
        url=item.url,
        events=tuple(item.events or ()),
        secret=item.secret,
        active=item.active,
        disabled_reason=item.disabled_reason,
        previous_secret=item.previous_secret,
        previous_secret_until=item.previous_secret_until,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


class DynamoWebhookTargets:
    """``for_agency`` (which targets get a new event) is cached per container for
    ``cache_seconds``: a new target gets events within that time. ``get`` (used right
    before each delivery) always reads the table."""

    def __init__(self, cache_seconds: float = 60, clock=time.monotonic):
        self._cache: dict[str, tuple[float, list[WebhookTarget]]] = {}
        self._cache_seconds = cache_seconds
        self._clock = clock

    def for_agency(self, agency_id: str, *, fresh: bool = False) -> list[WebhookTarget]:
        cached = self._cache.get(agency_id)
        if not fresh and cached and self._clock() - cached[0] <= self._cache_seconds:
            return cached[1]
        targets = [
            _target(i)
            for i in WebhookTargetItem.query(_partition(agency_id), consistent_read=fresh)
        ]
        self._cache[agency_id] = (self._clock(), targets)
        return targets

    def get(self, agency_id: str, target_id: str) -> WebhookTarget | None:
        """Always read from the table: a target disabled a moment ago is not used."""
        try:
            return _target(
                WebhookTargetItem.get(_partition(agency_id), target_id, consistent_read=True)
            )
        except DoesNotExist:
            return None

    def save(self, target: WebhookTarget) -> None:
        WebhookTargetItem(
            _partition(target.agency_id),
            target.id,
            agency_id=target.agency_id,
            url=target.url,
            events=list(target.events),
            secret=target.secret,
            previous_secret=target.previous_secret,
            previous_secret_until=target.previous_secret_until,
            active=target.active,
            disabled_reason=target.disabled_reason,
            created_at=target.created_at,
            updated_at=target.updated_at,
        ).save()
        self._cache.pop(target.agency_id, None)
