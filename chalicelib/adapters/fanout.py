"""Outbound delivery: the dispatch queue, agencies' queues, webhooks over HTTPS, alerts.

The webhook sender lives in webhook_http (deadline, answer cap, addresses checked at send
time); it is re-exported here.
"""

from __future__ import annotations

import dataclasses
import json
import logging

from ..config import settings
from ..services.ports import DispatchJob
from .aws_clients import client
from .webhook_http import HttpWebhookSender  # noqa: F401  (the webhook port's adapter)

log = logging.getLogger(__name__)


def job_to_message(job: DispatchJob) -> str:
    """Ids and codes only: the dispatcher reads the report when it delivers."""
    return json.dumps(dataclasses.asdict(job), ensure_ascii=False, separators=(",", ":"))


def job_from_message(body: str) -> DispatchJob:
    m = json.loads(body)
    return DispatchJob(
        m["delivery_id"],
        m["event_type"],
        m["tracking_id"],
        m["agency_id"],
        m["target_type"],
        m["target_id"],
        m["occurred_at"],
        m.get("change"),
        bool(m.get("minimal", False)),
    )


class SqsDispatchQueue:
    def __init__(self, queue_url: str | None = None):
        self._queue_url = queue_url

    @property
    def queue_url(self) -> str:
        url = self._queue_url or settings().dispatch_queue_url
        if not url:
            raise RuntimeError("DISPATCH_QUEUE_URL is not configured")
        return url

    def enqueue(self, jobs: list[DispatchJob]) -> None:
        for start in range(0, len(jobs), 10):
            batch = jobs[start : start + 10]
            response = client("sqs").send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "MessageBody": job_to_message(j)} for i, j in enumerate(batch)
                ],
            )
            if response.get("Failed"):
                raise RuntimeError(f"{len(response['Failed'])} dispatch jobs not enqueued")

    def retry_later(self, receipt_handle: str, delay_seconds: int) -> None:
        client("sqs").change_message_visibility(
            QueueUrl=self.queue_url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=max(0, min(delay_seconds, 43200)),
        )


class SqsAgencyQueueSender:
    def send(self, queue_url: str, job: DispatchJob, payload: dict) -> None:
        params = {
            "QueueUrl": queue_url,
            "MessageBody": json.dumps(payload, ensure_ascii=False),
            "MessageAttributes": {
                "event_type": {"DataType": "String", "StringValue": job.event_type},
                "tracking_id": {"DataType": "String", "StringValue": job.tracking_id},
                "dedupe_id": {"DataType": "String", "StringValue": job.delivery_id},
            },
        }
        if queue_url.endswith(".fifo"):
            params["MessageGroupId"] = job.tracking_id
            params["MessageDeduplicationId"] = job.delivery_id
        client("sqs").send_message(**params)


class SnsAlerts:
    def alert(self, subject: str, message: str) -> None:
        log.error("ALERT %s: %s", subject, message)
        topic = settings().alerts_topic_arn
        if topic:
            try:
                client("sns").publish(TopicArn=topic, Subject=subject[:100], Message=message)
            except Exception:
                log.exception("alert not published")
