"""Report statuses, their public (LAPOR!) names and the allowed transitions."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    UNVERIFIED = "unverified"
    ARCHIVED = "archived"
    AWAITING_FOLLOWUP = "awaiting_followup"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: dict[Status, str] = {
    Status.UNVERIFIED: "Belum Terverifikasi",
    Status.ARCHIVED: "Diarsipkan",
    Status.AWAITING_FOLLOWUP: "Belum Ditindaklanjuti",
    Status.IN_PROGRESS: "Proses",
    Status.COMPLETED: "Selesai",
}

# The one definition of which status may follow which.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    # verified and disposed to an agency, or archived with a reason
    Status.UNVERIFIED: frozenset({Status.AWAITING_FOLLOWUP, Status.ARCHIVED}),
    # an admin may take an archived report back into verification
    Status.ARCHIVED: frozenset({Status.UNVERIFIED}),
    # the agency follows up, or hands the report back ("not our authority")
    Status.AWAITING_FOLLOWUP: frozenset({Status.IN_PROGRESS, Status.UNVERIFIED}),
    # closed by the reporter/admin/10-working-day rule, handed back, or re-routed by an
    # admin to another agency (which has not followed up yet)
    Status.IN_PROGRESS: frozenset({Status.COMPLETED, Status.UNVERIFIED, Status.AWAITING_FOLLOWUP}),
    # the reporter reopens inside the window
    Status.COMPLETED: frozenset({Status.IN_PROGRESS}),
}


OPEN = frozenset({Status.UNVERIFIED, Status.AWAITING_FOLLOWUP, Status.IN_PROGRESS})


def can_transition(current: Status, requested: Status) -> bool:
    return requested in TRANSITIONS[current]
