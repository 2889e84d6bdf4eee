"""The fixed-window rate limiter on the real idempotency table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.rate_limits import DynamoRateLimits
from chalicelib.domain import tracking_id

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 27, 3, 0, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_counts_per_key_and_window_and_refuses_without_counting(stack):
    limits = DynamoRateLimits()
    key = "sms:+62812" + tracking_id.generate()
    assert [limits.allow(key, T0, 3, MINUTE) for _ in range(5)] == [True] * 3 + [False] * 2
    assert limits.allow("other:" + key, T0, 3, MINUTE) is True
    assert limits.allow(key, T0 + timedelta(seconds=30), 3, MINUTE) is True  # next window
    # an hour-long window is another counter
    assert limits.allow(key, T0, 1, timedelta(hours=1)) is True
    assert limits.allow(key, T0, 1, timedelta(hours=1)) is False
