"""Markers of notifications already sent, in the deliveries table (``notified#...`` rows
beside a report's delivery attempts), kept for 30 days: a redelivered message finds its
marker and is not sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import PutError

from .dynamodb_models import SentMarkerItem

RETENTION = timedelta(days=30)  # longer than any queue keeps a message (14 days)


class DynamoSentMarkers:
    def claim(self, tracking_id: str, key: str) -> bool:
        now = datetime.now(UTC)
        item = SentMarkerItem(tracking_id, key, at=now, expires_at=now + RETENTION)
        try:
            item.save(condition=SentMarkerItem.sk.does_not_exist())
        except PutError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def release(self, tracking_id: str, key: str) -> None:
        SentMarkerItem(tracking_id, key).delete()
