"""Agencies' webhook targets, stored in the directory table (partition webhook#<agency>)."""

from __future__ import annotations

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
    """Always read with strong consistency: a webhook registered or disabled a moment ago
    applies to the very next report (one small Query per disposition)."""

    def for_agency(self, agency_id: str) -> list[WebhookTarget]:
        return [
            _target(i) for i in WebhookTargetItem.query(_partition(agency_id), consistent_read=True)
        ]

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
