"""The delivery log: every attempt, and a marker per delivered webhook-id."""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import DoesNotExist

from ..services.ports import DeliveryAttempt
from .dynamodb_models import DeliveryItem

RETENTION = timedelta(days=90)


def _item(a: DeliveryAttempt, sk: str) -> DeliveryItem:
    return DeliveryItem(
        a.tracking_id,
        sk,
        delivery_id=a.delivery_id,
        event_type=a.event_type,
        agency_id=a.agency_id,
        target_id=a.target_id,
        target_type=a.target_type,
        attempt=a.attempt,
        outcome=a.outcome,
        http_status=a.http_status,
        latency_ms=round(a.latency_ms, 1) if a.latency_ms is not None else None,
        error=a.error,
        at=a.at,
        expires_at=a.at + RETENTION,
    )


class DynamoDeliveryLog:
    def record(self, attempt: DeliveryAttempt) -> None:
        sk = f"attempt#{attempt.at.isoformat()}#{attempt.delivery_id}#{attempt.attempt}"
        items = [_item(attempt, sk)]
        if attempt.outcome == "delivered":
            items.append(_item(attempt, f"delivered#{attempt.delivery_id}"))
        with DeliveryItem.batch_write() as batch:
            for item in items:
                batch.save(item)

    def delivered(self, tracking_id: str, delivery_id: str) -> bool:
        try:
            DeliveryItem.get(tracking_id, f"delivered#{delivery_id}", consistent_read=True)
        except DoesNotExist:
            return False
        return True

    def attempts(self, tracking_id: str) -> list[DeliveryAttempt]:
        return [
            DeliveryAttempt(
                i.delivery_id,
                i.tracking_id,
                i.event_type,
                i.agency_id,
                i.target_type,
                i.target_id,
                int(i.attempt),
                i.outcome,
                i.at,
                int(i.http_status) if i.http_status is not None else None,
                float(i.latency_ms) if i.latency_ms is not None else None,
                i.error,
            )
            for i in DeliveryItem.query(tracking_id, DeliveryItem.sk.startswith("attempt#"))
        ]


def delivery_lookup(job) -> tuple[bool, object, object]:
    """The delivered marker, the webhook target and the report in one BatchGetItem
    (three tables), strongly consistent: the dispatcher's only read before it delivers."""
    from .dynamodb_models import ReportItem, WebhookTargetItem
    from .report_repository import _from_item
    from .webhook_targets import _partition, _target

    keys = {DeliveryItem: (job.tracking_id, f"delivered#{job.delivery_id}")}
    if job.target_type == "webhook":
        keys[WebhookTargetItem] = (_partition(job.agency_id), job.target_id)
    keys[ReportItem] = (job.tracking_id, None)
    delivered, target, report = False, None, None
    request = {}
    for model, (hash_key, range_key) in keys.items():
        request[model.Meta.table_name] = {
            "Keys": [_key(model, hash_key, range_key)],
            "ConsistentRead": True,
        }
    response = _client().batch_get_item(RequestItems=request)
    unprocessed = response.get("UnprocessedKeys") or {}
    if unprocessed:  # throttled: the job is retried rather than guessed at
        raise RuntimeError("delivery lookup throttled; will be retried")
    for table, items in response.get("Responses", {}).items():
        for raw in items:
            if table == DeliveryItem.Meta.table_name:
                delivered = True
            elif table == ReportItem.Meta.table_name:
                report = _from_item(ReportItem.from_raw_data(raw))
            else:
                target = _target(WebhookTargetItem.from_raw_data(raw))
    return delivered, target, report


def _key(model, hash_key, range_key) -> dict:
    key = {model._hash_keyname: {"S": hash_key}}
    if range_key is not None:
        key[model._range_keyname] = {"S": range_key}
    return key


def _client():
    return DeliveryItem._get_connection().connection.client
