"""The delivery log's per-agency failures index on the real (emulated) deliveries table."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.services.ports import DeliveryAttempt, InvalidCursor

pytestmark = pytest.mark.integration


def _attempt(agency_id, tracking_id, attempt, outcome, at, **fields):
    return DeliveryAttempt(
        f"msg_{uuid.uuid4().hex}",
        tracking_id,
        "report.assigned",
        agency_id,
        "webhook",
        "wh_1",
        attempt,
        outcome,
        at,
        **fields,
    )


@pytest.fixture
def log(s3_env):
    from chalicelib.adapters.deliveries import DynamoDeliveryLog

    return DynamoDeliveryLog()


def test_an_agencys_dead_lettered_and_failed_deliveries_are_one_query_away(log):
    agency = f"agency-{uuid.uuid4().hex[:8]}"
    t0 = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    log.record(_attempt(agency, "23456789AB", 1, "retry", t0, http_status=503))
    log.record(_attempt(agency, "23456789AB", 8, "gave_up", t0 + timedelta(minutes=50)))
    log.record(_attempt(agency, "3456789ABC", 8, "gave_up", t0 + timedelta(minutes=70)))
    log.record(_attempt(agency, "456789ABCD", 1, "delivered", t0, http_status=200))
    log.record(_attempt("someone-else", "56789ABCDE", 8, "gave_up", t0))

    gave_up = log.failures(agency, "gave_up", 50, None)
    assert [(a.tracking_id, a.outcome) for a in gave_up.items] == [
        ("3456789ABC", "gave_up"),  # newest first
        ("23456789AB", "gave_up"),
    ]
    assert gave_up.next_cursor is None
    every = log.failures(agency, None, 50, None).items
    assert sorted(a.outcome for a in every) == ["gave_up", "gave_up", "retry"]
    assert {a.agency_id for a in every} == {agency}
    assert next(a for a in every if a.outcome == "retry").http_status == 503

    first = log.failures(agency, None, 2, None)
    rest = log.failures(agency, None, 2, first.next_cursor)
    assert len(first.items) == 2 and len(rest.items) == 1
    with pytest.raises(InvalidCursor):
        log.failures("someone-else", None, 2, first.next_cursor)  # another agency's page
    with pytest.raises(InvalidCursor):
        log.failures(agency, None, 2, "e30=")  # {}
