"""What the statistics know of a report, recorded on its timeline.

Every commit that changes a report's standing (status, agency, an overdue deadline, a first
response, a completion, a rating) records, on the last timeline event it writes, the
report's standing before and after the commit together with the report's fixed facts
(category, region, kind, submission time). The projector turns each such record into
counter deltas (``cells.py``); ``ops rebuild-stats`` replays the same records. Nothing
here identifies the reporter: ids, codes and instants only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from ..domain.deadlines import DeadlineState
from ..domain.report import Report

FORMAT = 1


@dataclass(frozen=True)
class Standing:
    status: str
    agency: str | None = None
    overdue: bool = False  # its running deadline (verification or first response) passed
    verified: bool = False  # disposed to an agency at least once
    assigned_at: datetime | None = None  # the current agency's assignment began
    first_response_at: datetime | None = None  # the current agency's first response
    on_time: bool | None = None  # that first response met its deadline
    completed_at: datetime | None = None
    rating: int | None = None

    def to_map(self) -> dict:
        raw = {
            "s": self.status,
            "a": self.agency,
            "o": int(self.overdue),
            "v": int(self.verified),
            "asg": _iso(self.assigned_at),
            "fr": _iso(self.first_response_at),
            "ot": None if self.on_time is None else int(self.on_time),
            "cmp": _iso(self.completed_at),
            "r": self.rating,
        }
        return {k: v for k, v in raw.items() if v is not None}

    @classmethod
    def from_map(cls, raw: dict) -> Standing:
        return cls(
            status=raw["s"],
            agency=raw.get("a"),
            overdue=bool(raw.get("o")),
            verified=bool(raw.get("v")),
            assigned_at=_dt(raw.get("asg")),
            first_response_at=_dt(raw.get("fr")),
            on_time=None if raw.get("ot") is None else bool(raw["ot"]),
            completed_at=_dt(raw.get("cmp")),
            rating=raw.get("r"),
        )


def standing_of(report: Report) -> Standing:
    deadline = report.deadline
    return Standing(
        status=report.status.value,
        agency=report.agency.id if report.agency else None,
        overdue=deadline is not None and deadline.state is DeadlineState.OVERDUE,
        verified=report.verified_at is not None,
        assigned_at=report.assigned_at if report.agency else None,
        first_response_at=report.first_response_at if report.agency else None,
        on_time=report.responded_on_time if report.first_response_at else None,
        completed_at=report.completed_at,
        rating=report.rating.score if report.rating else None,
    )


@dataclass(frozen=True)
class StatEvent:
    """One commit's change of standing, as stored on a timeline event (``stats``)."""

    tracking_id: str
    seq: int
    at: datetime
    category: str | None
    region: str | None
    kind: str
    submitted_at: datetime
    before: Standing | None  # None: the submission
    after: Standing

    def encode(self) -> str:
        """The ``stats`` attribute of the timeline event (tracking id and seq are its keys,
        ``at`` its own attribute)."""
        raw = {
            "f": FORMAT,
            "c": self.category,
            "g": self.region,
            "k": self.kind,
            "t": _iso(self.submitted_at),
            "b": self.before.to_map() if self.before else None,
            "a": self.after.to_map(),
        }
        return json.dumps(raw, separators=(",", ":"), sort_keys=True)

    @classmethod
    def decode(cls, tracking_id: str, seq: int, at: datetime, text: str) -> StatEvent:
        raw = json.loads(text)
        return cls(
            tracking_id=tracking_id,
            seq=seq,
            at=at,
            category=raw.get("c"),
            region=raw.get("g"),
            kind=raw["k"],
            submitted_at=_dt(raw["t"]),
            before=Standing.from_map(raw["b"]) if raw.get("b") else None,
            after=Standing.from_map(raw["a"]),
        )


def change_of(report: Report, before: Standing | None, seq: int, at: datetime) -> StatEvent | None:
    """The record for a commit whose last timeline event is ``seq``; None if the standing
    did not change (a note, a reply, an attachment...)."""
    after = standing_of(report)
    if before == after:
        return None
    return StatEvent(
        report.tracking_id,
        seq,
        at,
        report.category,
        report.region,
        report.kind.value,
        report.created_at,
        before,
        after,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
