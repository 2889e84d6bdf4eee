"""Fixed-window rate limits (per sender, per client application...): one counter per key
and window in the idempotency table, raised by a conditional UpdateItem (no read),
expired by TTL. A refused call writes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from .dynamodb_models import CounterItem


class DynamoRateLimits:
    def allow(self, key: str, now: datetime, limit: int, window: timedelta) -> bool:
        seconds = int(window.total_seconds())
        start = int(now.timestamp()) // seconds * seconds
        item = CounterItem(f"rate#{key}#{seconds}s#{start}")
        try:
            item.update(
                actions=[
                    CounterItem.count.add(1),
                    CounterItem.expires_at.set(now + 2 * window),
                ],
                condition=CounterItem.count.does_not_exist() | (CounterItem.count < limit),
            )
        except UpdateError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True
