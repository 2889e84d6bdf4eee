"""The delivery log: every attempt, and a marker per delivered webhook-id."""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import DoesNotExist

from ..services.ports import DeliveryAttempt, InvalidCursor, Page
from .directory import decode_key, encode_cursor
from .dynamodb_models import DeliveryItem

RETENTION = timedelta(days=90)
FAILED_OUTCOMES = ("retry", "gave_up", "disabled", "skipped")  # anything but "delivered"


def _failed_sk(a: DeliveryAttempt) -> str:
    return f"{a.outcome}#{a.at.isoformat()}#{a.delivery_id}#{a.attempt}"


def _item(a: DeliveryAttempt, sk: str) -> DeliveryItem:
    # Only attempt rows of failures enter the per-agency index (not the delivered marker).
    failed = sk.startswith("attempt#") and a.outcome != "delivered"
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
        failed_agency=a.agency_id if failed else None,
        failed_sk=_failed_sk(a) if failed else None,
    )


def _attempt(i: DeliveryItem) -> DeliveryAttempt:
    return DeliveryAttempt(
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


_CURSOR_KEYS = {"failed_agency", "failed_sk", "tracking_id", "sk"}


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
            _attempt(i)
            for i in DeliveryItem.query(tracking_id, DeliveryItem.sk.startswith("attempt#"))
        ]

    def failures(self, agency_id: str, outcome: str | None, limit: int, cursor: str | None) -> Page:
        """Attempts to an agency that did not deliver (one outcome, or all), newest first
        within an outcome: one query of the sparse ``agency-failures`` index."""
        start = decode_key(cursor, _CURSOR_KEYS)
        if start is not None and start["failed_agency"]["S"] != agency_id:
            raise InvalidCursor(cursor)
        condition = DeliveryItem.failed_sk.startswith(f"{outcome}#") if outcome else None
        result = DeliveryItem.agency_failures.query(
            agency_id,
            condition,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=start,
        )
        items = [_attempt(i) for i in result]
        return Page(items, encode_cursor(result.last_evaluated_key))


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
