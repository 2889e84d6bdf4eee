"""Domain events: what happened to a report, recorded by the report's own methods and
handed to the handlers registered in ``services/messagebus.py`` after the commit.

An event carries ids and codes only, never the reporter's identity or the report's text:
handlers load what their audience may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class EventType(StrEnum):
    # told to agencies (the names are the webhook event types)
    ASSIGNED = "report.assigned"
    UPDATED = "report.updated"
    TRANSFERRED = "report.transferred"
    REPORTER_REPLIED = "report.reporter_replied"
    SLA_WARNING = "report.sla_warning"
    OVERDUE = "report.overdue"
    COMPLETED = "report.completed"
    RATED = "report.rated"
    # told to the reporter only
    ARCHIVED = "report.archived"
    RESPONDED = "report.responded"
    INFO_REQUESTED = "report.info_requested"
    REOPENED = "report.reopened"
    RESTORED = "report.restored"


AGENCY_EVENTS = (
    EventType.ASSIGNED,
    EventType.UPDATED,
    EventType.TRANSFERRED,
    EventType.REPORTER_REPLIED,
    EventType.SLA_WARNING,
    EventType.OVERDUE,
    EventType.COMPLETED,
    EventType.RATED,
)


@dataclass(frozen=True)
class ReportEvent:
    type: EventType
    tracking_id: str
    at: datetime
    seq: int  # the timeline event that records it: (tracking_id, seq) identifies it
    agency_id: str | None = None  # the agency it concerns (the one losing it, if moved)
    data: dict = field(default_factory=dict)  # codes and ids only

    @property
    def id(self) -> str:
        return f"{self.tracking_id}:{self.seq}:{self.type.value}"

    def to_dict(self) -> dict:
        return {
            "type": self.type.value,
            "tracking_id": self.tracking_id,
            "at": self.at.isoformat(),
            "seq": self.seq,
            "agency_id": self.agency_id,
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, raw: dict) -> ReportEvent:
        return cls(
            EventType(raw["type"]),
            raw["tracking_id"],
            datetime.fromisoformat(raw["at"]),
            int(raw["seq"]),
            raw.get("agency_id"),
            dict(raw.get("data") or {}),
        )
