"""Inbound channel messages onto the intake worker's queue: the inbox key only (the
message and its sender stay in the inbox item)."""

from __future__ import annotations

import json

from ..config import settings
from .aws_clients import client


class SqsIntakeQueue:
    def __init__(self, queue_url: str | None = None):
        self._queue_url = queue_url

    @property
    def queue_url(self) -> str:
        url = self._queue_url or settings().channel_inbox_queue_url
        if not url:
            raise RuntimeError("CHANNEL_INBOX_QUEUE_URL is not configured")
        return url

    def enqueue(self, key: str) -> None:
        client("sqs").send_message(
            QueueUrl=self.queue_url, MessageBody=json.dumps({"key": key}, separators=(",", ":"))
        )
