"""Messages for reporters (and escalations) onto the notifications queue: ids only, the
sender loads the report and renders the message when it sends it."""

from __future__ import annotations

import json

from ..config import settings
from .aws_clients import client


class SqsReporterMessages:
    def __init__(self, queue_url: str | None = None):
        self._queue_url = queue_url

    @property
    def queue_url(self) -> str:
        url = self._queue_url or settings().notifications_queue_url
        if not url:
            raise RuntimeError("NOTIFICATIONS_QUEUE_URL is not configured")
        return url

    def enqueue(self, messages: list[dict]) -> None:
        for start in range(0, len(messages), 10):
            batch = messages[start : start + 10]
            response = client("sqs").send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "MessageBody": json.dumps(m, separators=(",", ":"))}
                    for i, m in enumerate(batch)
                ],
            )
            if response.get("Failed"):
                raise RuntimeError(f"{len(response['Failed'])} notification(s) not queued")
