"""Reads of the identity-access log (written through the unit of work)."""

from __future__ import annotations

from ..services.ports import IdentityAccess
from .dynamodb_models import IdentityAccessItem


def _entry(item: IdentityAccessItem) -> IdentityAccess:
    return IdentityAccess(item.tracking_id, item.admin, item.reason, item.at)


class DynamoIdentityLog:
    def for_report(self, tracking_id: str) -> list[IdentityAccess]:
        return [_entry(i) for i in IdentityAccessItem.query(f"report#{tracking_id}")]

    def for_month(self, month: str, limit: int) -> list[IdentityAccess]:
        """The month's reads, newest first."""
        results = IdentityAccessItem.query(f"all#{month}", scan_index_forward=False, limit=limit)
        return [_entry(i) for i in results]
