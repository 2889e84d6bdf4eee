"""The per-report rate limit of access links: one counter per report and hour in the
idempotency table, raised by a conditional UpdateItem (no read), expired by TTL."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from .dynamodb_models import CounterItem


class DynamoAccessLinkLimits:
    def allow(self, tracking_id: str, now: datetime, per_hour: int) -> bool:
        window = now.strftime("%Y%m%d%H")
        item = CounterItem(f"access-link#{tracking_id}#{window}")
        try:
            item.update(
                actions=[
                    CounterItem.count.add(1),
                    CounterItem.expires_at.set(now + timedelta(hours=2)),
                ],
                condition=CounterItem.count.does_not_exist() | (CounterItem.count < per_hour),
            )
        except UpdateError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True
