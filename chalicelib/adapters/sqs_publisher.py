"""Domain events onto SQS queues."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime

from ..config import settings
from .aws_clients import client

log = logging.getLogger(__name__)


def envelope(event_type: str, occurred_at: datetime, data: dict) -> dict:
    return {
        "type": event_type,
        "id": str(uuid.uuid4()),
        "timestamp": occurred_at.isoformat(),
        "data": data,
    }


class SqsEventPublisher:
    def __init__(self, queue_url: str | None = None):
        self._queue_url = queue_url

    @property
    def queue_url(self) -> str:
        url = self._queue_url or settings().report_submitted_queue_url
        if not url:
            raise RuntimeError("REPORT_SUBMITTED_QUEUE_URL is not configured")
        return url

    def report_submitted(self, tracking_id: str, occurred_at: datetime) -> None:
        # Only the id travels: consumers read the report, so no personal data is queued.
        body = envelope("report.submitted", occurred_at, {"tracking_id": tracking_id})
        client("sqs").send_message(
            QueueUrl=self.queue_url,
            MessageBody=json.dumps(body),
            MessageAttributes={
                "type": {"DataType": "String", "StringValue": "report.submitted"},
            },
        )
