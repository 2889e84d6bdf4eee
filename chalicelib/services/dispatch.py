"""Fan-out: turn a report event into one job per delivery target, and deliver a job.

Payloads are built for the agency: an anonymous report's payload has no ``reporter`` key
at all; a confidential report is delivered (the agency needs it) with the flag set.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..domain import views
from ..domain.directory import Agency
from ..domain.report import Report
from .ports import (
    AgencyQueueSender,
    Alerts,
    Clock,
    DeliveryAttempt,
    DeliveryLog,
    DispatchJob,
    ReportNotFound,
    ReportRepository,
    WebhookSender,
    WebhookTarget,
    WebhookTargets,
)

log = logging.getLogger(__name__)

REPORT_ASSIGNED = "report.assigned"
ROTATION_GRACE = timedelta(hours=24)


def agency_payload(report: Report, event_type: str, at: datetime, minimal=False) -> dict:
    if minimal:  # an agency that no longer has the report learns only that it lost it
        data = {"tracking_id": report.tracking_id, "status": report.status.value}
        return {"type": event_type, "timestamp": at.isoformat(), "data": data}
    data = {
        "tracking_id": report.tracking_id,
        "kind": report.kind.value,
        "status": report.status.value,
        "status_label": report.status.label,
        "title": report.title,
        "description": report.description,
        "category": report.category,
        "region": views.region_for_others(report),
        "location": views.location_for_agency(report),
        "incident_date": report.incident_date.isoformat() if report.incident_date else None,
        "created_at": report.created_at.isoformat(),
        "agency": {"id": report.agency.id, "name": report.agency.name} if report.agency else None,
        "anonymous": report.anonymous,
        "confidential": report.confidential,
        "channel": report.channel.value,
    }
    if not report.anonymous and report.reporter is not None:
        r = report.reporter
        data["reporter"] = {"name": r.name, "phone": r.phone, "email": r.email}
    return {"type": event_type, "timestamp": at.isoformat(), "data": data}


def delivery_id(event_type: str, tracking_id: str, occurrence: str, target: str) -> str:
    digest = hashlib.sha256(f"{event_type}|{tracking_id}|{occurrence}|{target}".encode())
    return "msg_" + digest.hexdigest()[:32]


def jobs_for(
    report: Report,
    agency: Agency,
    targets: WebhookTargets,
    event_type: str,
    at: datetime,
    change: dict | None = None,
    minimal: bool = False,
) -> list[DispatchJob]:
    """``at`` (and ``change``) identify the event, so building the jobs again (a
    redelivery) gives the same ids."""
    occurrence = at.isoformat()
    if change is not None:
        occurrence += "|" + json.dumps(change, sort_keys=True)

    def job(target_type: str, target_id: str) -> DispatchJob:
        return DispatchJob(
            delivery_id(event_type, report.tracking_id, occurrence, target_id),
            event_type,
            report.tracking_id,
            agency.id,
            target_type,
            target_id,
            at.isoformat(),
            change,
            minimal,
        )

    jobs = [job("webhook", t.id) for t in targets.for_agency(agency.id) if t.wants(event_type)]
    if agency.sqs_queue_url:
        jobs.append(job("sqs", "sqs"))
    return jobs


def payload_for(job: DispatchJob, report: Report, may_see: bool = True) -> dict:
    """What the job's agency receives, from the report as it is now. An agency that no
    longer has the report (re-routed, transferred) gets ids and the status only."""
    at = datetime.fromisoformat(job.occurred_at)
    payload = agency_payload(report, job.event_type, at, minimal=job.minimal or not may_see)
    if job.change is not None:
        payload["data"]["change"] = job.change
    return payload


def backoff_seconds(attempt: int, base: float, cap: float, rand=random.random) -> int:
    """Exponential backoff with full jitter (uniform between 0 and the exponential)."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return int(rand() * ceiling)


class Retry(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DeliveryOutcome:
    outcome: str
    detail: str | None = None


@dataclass
class Dispatcher:
    targets: WebhookTargets
    deliveries: DeliveryLog
    webhooks: WebhookSender
    queues: AgencyQueueSender
    alerts: Alerts
    clock: Clock
    agency_queue_url: Callable[[str], str | None]  # agency_id -> its queue url, if any
    reports: ReportRepository | None = None
    # whether an agency may see the report's content now (assigned to it or a sub-unit)
    may_see: Callable[[str, Report], bool] = lambda agency_id, report: True
    max_attempts: int = 8
    # optional: (job) -> (already delivered?, webhook target, report) in one read
    lookup: Callable[[DispatchJob], tuple[bool, WebhookTarget | None, Report | None]] | None = None

    def deliver(self, job: DispatchJob, attempt: int) -> DeliveryOutcome:
        """Deliver once. Raises Retry when the target should be tried again later."""
        delivered, target, report = self._lookup(job)
        if delivered:
            return DeliveryOutcome("skipped", "already delivered")
        if report is None:
            self._record(job, attempt, "skipped", error="report not found")
            return DeliveryOutcome("skipped", "no report")
        payload = payload_for(job, report, self.may_see(job.agency_id, report))
        if job.target_type == "sqs":
            return self._deliver_sqs(job, attempt, payload)
        return self._deliver_webhook(job, attempt, target, payload)

    def _lookup(self, job: DispatchJob):
        """Was this delivery id delivered already, the stored webhook target (fresh: a
        target disabled a moment ago is not used) and the report as it is now. One read
        where the adapter can."""
        if self.lookup is not None:
            return self.lookup(job)
        delivered = self.deliveries.delivered(job.tracking_id, job.delivery_id)
        target = report = None
        if not delivered:
            if job.target_type == "webhook":
                target = self.targets.get(job.agency_id, job.target_id)
            try:
                report = self.reports.get(job.tracking_id)
            except ReportNotFound:
                report = None
        return delivered, target, report

    def _record(self, job, attempt, outcome, **fields) -> None:
        self.deliveries.record(
            DeliveryAttempt(
                job.delivery_id,
                job.tracking_id,
                job.event_type,
                job.agency_id,
                job.target_type,
                job.target_id,
                attempt,
                outcome,
                self.clock.now(),
                **fields,
            )
        )

    def _failed(self, job, attempt, **fields) -> None:
        last = attempt >= self.max_attempts
        self._record(job, attempt, "gave_up" if last else "retry", **fields)
        if last:
            self.alerts.alert(
                "Delivery failed",
                f"{job.event_type} for {job.tracking_id} to {job.agency_id}/{job.target_id} "
                f"failed {attempt} times and went to the dead-letter queue.",
            )
        raise Retry(fields.get("error") or f"HTTP {fields.get('http_status')}")

    def _deliver_sqs(self, job, attempt, payload) -> DeliveryOutcome:
        url = self.agency_queue_url(job.agency_id)
        if not url:
            self._record(job, attempt, "skipped", error="agency has no queue any more")
            return DeliveryOutcome("skipped", "no queue")
        try:
            self.queues.send(url, job, payload)
        except Exception as e:  # the agency's queue is outside our control
            self._failed(job, attempt, error=f"{type(e).__name__}: {e}"[:500])
        self._record(job, attempt, "delivered")
        return DeliveryOutcome("delivered")

    def _deliver_webhook(self, job, attempt, target, payload) -> DeliveryOutcome:
        if target is None or not target.active:
            self._record(job, attempt, "skipped", error="target removed or disabled")
            return DeliveryOutcome("skipped", "target disabled")
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = sign(job.delivery_id, self.clock.now(), body, target)
        result = self.webhooks.send(target.url, body, headers)
        if result.status is not None and 200 <= result.status < 300:
            self._record(
                job, attempt, "delivered", http_status=result.status, latency_ms=result.latency_ms
            )
            return DeliveryOutcome("delivered")
        if result.status == 410:
            self._record(job, attempt, "disabled", http_status=410, latency_ms=result.latency_ms)
            self.disable(target, "the receiver answered 410 Gone")
            return DeliveryOutcome("disabled")
        self._failed(
            job,
            attempt,
            http_status=result.status,
            latency_ms=result.latency_ms,
            error=result.error,
        )
        raise AssertionError("unreachable")  # pragma: no cover

    def disable(self, target, reason: str) -> None:
        from dataclasses import replace

        # Start from the stored target, not the copy read before the POST: a secret
        # rotated meanwhile must survive.
        current = self.targets.get(target.agency_id, target.id) or target
        self.targets.save(
            replace(current, active=False, disabled_reason=reason, updated_at=self.clock.now())
        )
        self.alerts.alert(
            "Webhook disabled",
            f"Webhook {target.id} of agency {target.agency_id} ({target.url}) was disabled: "
            f"{reason}.",
        )


def sign(msg_id: str, at: datetime, body: bytes, target) -> dict[str, str]:
    """Standard Webhooks headers; during a secret rotation both secrets sign."""
    from standardwebhooks import Webhook

    # The library signs ``at.replace(tzinfo=UTC)``: an aware time in another zone (a
    # Jakarta clock) would be signed hours off the webhook-timestamp header.
    at = at.astimezone(UTC)
    payload = body.decode()
    signatures = [Webhook(target.secret).sign(msg_id, at, payload)]
    if (
        target.previous_secret
        and target.previous_secret_until
        and at < target.previous_secret_until
    ):
        signatures.append(Webhook(target.previous_secret).sign(msg_id, at, payload))
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
        "user-agent": "SatuPintu-Webhooks/1.0",
    }
