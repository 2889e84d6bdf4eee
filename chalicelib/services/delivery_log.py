"""What staff may read of the delivery log (the same rules for the API and the console):
platform admins everything, an agency admin their own agency's attempts."""

from __future__ import annotations

from ..domain.identity import Principal, Role
from .ports import DeliveryAttempt, DeliveryLog, Page


class OtherAgency(Exception):
    """An agency admin asked for another agency's deliveries."""


def for_agency(
    log: DeliveryLog,
    principal: Principal,
    agency_id: str,
    *,
    outcome: str | None,
    limit: int,
    cursor: str | None,
) -> Page:
    """The agency's attempts that did not deliver, newest first within an outcome
    (InvalidCursor from the log for a cursor it did not issue)."""
    if not principal.administers(agency_id):
        raise OtherAgency(agency_id)
    return log.failures(agency_id, outcome, limit, cursor)


def for_report(log: DeliveryLog, principal: Principal, tracking_id: str) -> list[DeliveryAttempt]:
    """Every attempt for one report, oldest first: an agency admin sees those to their
    own agency's targets only."""
    attempts = log.attempts(tracking_id)
    if principal.has_any(Role.PLATFORM_ADMIN):
        return attempts
    return [a for a in attempts if principal.agency_id and a.agency_id == principal.agency_id]
