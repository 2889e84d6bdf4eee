"""A reporter who lost their access token asks for a new one, sent to the contact they
gave when they reported, and only there.

The request never tells whether the report or the contact exists: the caller answers the
same whatever this returns. Only when the contact is the reporter's and the report's rate
limit allows does a message go onto the notifications queue, with ids only (never the
contact, never a token); the notifications consumer then issues the token, stores its
hash (the old token stops working) and sends the link (``services/notify.py``).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from ..domain import tracking_id as tracking_ids
from ..domain.errors import ConcurrentUpdate
from ..domain.report import Report, Reporter
from . import access_tokens
from .ports import Clock, ReporterMessages, ReportNotFound, ReportRepository

log = logging.getLogger(__name__)

PER_HOUR = 3  # access links a report may be sent in one hour
RENEW_ATTEMPTS = 3


class AccessLinkLimits(Protocol):
    def allow(self, tracking_id: str, now: datetime, per_hour: int) -> bool:
        """Count one more link for the report in ``now``'s hour; False over the limit."""


def contact_matches(reporter: Reporter | None, kind: str, contact: str) -> bool:
    """``contact`` is already normalised (e-mail lower-cased, phone in E.164)."""
    if reporter is None:
        return False
    stored = reporter.email.lower() if kind == "email" and reporter.email else None
    if kind == "phone":
        stored = reporter.phone
    if not stored:
        return False
    return hmac.compare_digest(stored.encode(), contact.encode())


def request_access_link(
    raw_tracking_id: str,
    kind: str,
    contact: str,
    *,
    request_id: str,
    reports: ReportRepository,
    limits: AccessLinkLimits,
    messages: ReporterMessages,
    clock: Clock,
) -> bool:
    """Queue a new access link if the contact is the reporter's and the limit allows.
    True if queued; the caller must not let the answer depend on it."""
    tracking_id = tracking_ids.normalise(raw_tracking_id)
    if not tracking_ids.is_valid(tracking_id):
        return False
    try:
        report = reports.get(tracking_id)
    except ReportNotFound:
        return False
    if not contact_matches(report.reporter, kind, contact):
        return False
    if not limits.allow(tracking_id, clock.now(), PER_HOUR):
        log.warning("access link refused: rate limit", extra={"tracking_id": tracking_id})
        return False
    messages.enqueue(
        [
            {
                "kind": "access_link",
                "tracking_id": tracking_id,
                "request_id": request_id,
                "via": kind,  # which of the reporter's contacts; never the contact itself
            }
        ]
    )
    return True


def renew_token(uow: Callable, tracking_id: str) -> tuple[str, Report]:
    """A fresh random token; only its hash is stored, so the previous token stops working.
    A lost race with another change of the report is retried."""
    # Without an idempotency key the token is random: the secret is not used.
    token = access_tokens.issue(b"", tracking_id, None)
    for attempt in range(1, RENEW_ATTEMPTS + 1):
        with uow() as work:
            report = work.reports.get(tracking_id)
            report.access_token_hash = access_tokens.digest(token)
            work.reports.save(report)
            try:
                work.commit()
            except ConcurrentUpdate:
                if attempt == RENEW_ATTEMPTS:
                    raise
                continue
        return token, report
    raise AssertionError("unreachable")
