"""Nothing stranded: reports stay in the outbox until the router acknowledges them (in its
disposition transaction); the sweeper re-publishes whatever was left there (a failed
enqueue, a lost message)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from .ports import Clock, EventPublisher, ReportRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    republished: int
    failed: int


def sweep(
    reports: ReportRepository,
    publisher: EventPublisher,
    clock: Clock,
    *,
    grace: timedelta,
    limit: int = 500,
) -> SweepResult:
    cutoff = clock.now() - grace
    republished = failed = 0
    for tracking_id in reports.unacknowledged(older_than=cutoff, limit=limit):
        try:
            publisher.report_submitted(tracking_id, clock.now())
            republished += 1
        except Exception:
            failed += 1
            log.exception("re-publish failed", extra={"tracking_id": tracking_id})
    if republished or failed:
        log.warning("outbox swept", extra={"republished": republished, "failed": failed})
    return SweepResult(republished, failed)
