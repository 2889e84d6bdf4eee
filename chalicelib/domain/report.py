"""The report a citizen files, and its timeline."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from .deadlines import Deadline, DeadlineKind, DeadlineState, Pause, SlaClock
from .errors import DomainError, InvalidTransition
from .events import EventType, ReportEvent
from .status import Status, can_transition


class ReportKind(StrEnum):
    COMPLAINT = "complaint"
    ASPIRATION = "aspiration"
    INFORMATION_REQUEST = "information_request"


class Channel(StrEnum):
    WEB = "web"
    API = "api"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    MESSENGER = "messenger"  # Facebook Messenger
    X = "x"
    OPEN311 = "open311"


@dataclass(frozen=True)
class Reporter:
    """Who filed the report. Sensitive: see the privacy rules in DESIGN.md."""

    name: str | None = None
    phone: str | None = None  # E.164
    email: str | None = None
    # The sender's id on a channel whose address is not a phone number: a Messenger
    # page-scoped id, an X user id. Identity like the rest; the report's channel says which.
    account: str | None = None


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class AgencyRef:
    id: str
    name: str


@dataclass(frozen=True)
class Actor:
    """Who caused a timeline event: ``reporter``, ``system`` or a staff role with an id."""

    kind: str
    id: str | None = None

    @classmethod
    def reporter(cls) -> Actor:
        return cls("reporter")

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls("system", name)

    @property
    def is_staff(self) -> bool:
        return self.kind not in ("reporter", "system")


@dataclass(frozen=True)
class RoutingNote:
    """Why the report went where it went (or why it waits for an admin). Admins see it."""

    rule: str
    reason: str
    decided_at: datetime
    decided_by: str
    agency_id: str | None = None


class Visibility(StrEnum):
    """The widest audience a timeline event is shown to (staff always see everything)."""

    PUBLIC = "public"  # anyone who may see the report's content
    REPORTER = "reporter"  # the reporter and staff
    STAFF = "staff"  # internal: staff only


class ArchiveReason(StrEnum):
    TOO_GENERAL = "too_general"
    NOT_PUBLIC_SERVICE = "not_public_service"
    DUPLICATE = "duplicate"
    ABUSIVE = "abusive"
    NO_ANSWER = "no_answer"  # the reporter never answered a request for information


@dataclass(frozen=True)
class TimelineEvent:
    seq: int
    at: datetime
    action: str
    actor: Actor
    from_status: Status | None
    to_status: Status
    note: str | None = None
    visibility: Visibility = Visibility.PUBLIC


@dataclass(frozen=True)
class Rating:
    score: int  # 1..5
    comment: str | None
    at: datetime


@dataclass(frozen=True)
class PublicResponse:
    """An agency's response as the public record keeps it: the agency that gave it, never
    the officer who wrote it."""

    agency: AgencyRef
    at: datetime
    message: str
    final: bool = False


# The public responses kept on the report itself (the newest), so that a listing shows them
# without reading each report's timeline; the public view has every one.
MAX_PUBLIC_RESPONSES = 5


@dataclass(frozen=True)
class Archival:
    reason: ArchiveReason
    message: str
    at: datetime


class RatingNotAllowed(DomainError):
    pass


class ReopenWindowClosed(DomainError):
    pass


class InvalidDuplicate(DomainError):
    pass


@dataclass
class Report:
    tracking_id: str
    kind: ReportKind
    title: str
    description: str
    channel: Channel
    anonymous: bool
    confidential: bool
    created_at: datetime
    access_token_hash: str
    reporter: Reporter | None = None
    category: str | None = None
    region: str | None = None
    location: Location | None = None
    incident_date: date | None = None
    language: str = "id"  # the reporter's language for messages: id | en
    status: Status = Status.UNVERIFIED
    agency: AgencyRef | None = None
    routing: RoutingNote | None = None
    updated_at: datetime | None = None
    deadline: Deadline | None = None
    paused: Pause | None = None
    first_response_at: datetime | None = None
    final_response_at: datetime | None = None
    completed_at: datetime | None = None
    reopen_until: datetime | None = None
    rating: Rating | None = None
    # The agency's public responses, newest last, at most MAX_PUBLIC_RESPONSES of them, and
    # how many there were in all. A transfer or reroute keeps earlier agencies' responses.
    public_responses: tuple[PublicResponse, ...] = ()
    public_response_count: int = 0
    archival: Archival | None = None
    duplicate_of: str | None = None
    duplicates: tuple[str, ...] = ()
    transferred_at: datetime | None = None  # back from an agency: first in the queue
    verified_at: datetime | None = None  # first disposed to an agency
    assigned_at: datetime | None = None  # the current agency's assignment began
    responded_on_time: bool | None = None  # its first response met the deadline
    # Events whose handlers failed after their commit; the scheduler passes them on again.
    unsent: tuple[ReportEvent, ...] = ()
    event_count: int = 0  # timeline events already stored
    version: int | None = None  # optimistic-locking version seen on read (None: new)
    # Persistence bookkeeping like ``version``: the statistics' view of the report as last
    # stored (stats.standing), so that a commit can record how it changed.
    stored_standing: object = field(default=None, repr=False, compare=False)
    pending_events: list[TimelineEvent] = field(default_factory=list, repr=False)
    events: list[ReportEvent] = field(default_factory=list, repr=False)  # domain events

    @classmethod
    def submit(cls, *, at: datetime, sla: SlaClock | None = None, **fields) -> Report:
        report = cls(created_at=at, updated_at=at, **fields)
        report._record(at, "submitted", Actor.reporter(), None, Status.UNVERIFIED)
        if sla is not None:
            report.deadline = sla.verification(at)
        return report

    _PHONE_CHANNELS = frozenset({"sms", "whatsapp"})

    def sent_by(self, channel: str, address: str) -> bool:
        """Whether a message from ``address`` on ``channel`` comes from this report's
        reporter: the same phone number (SMS and WhatsApp reach the same phone), or the
        same account on the channel the report came from."""
        r = self.reporter
        if r is None or not address:
            return False
        if channel in self._PHONE_CHANNELS:
            return r.phone == address
        return r.account == address and self.channel.value == channel

    # ------------------------------------------------------------ basics

    def change_status(
        self,
        to: Status,
        *,
        actor: Actor,
        at: datetime,
        action: str,
        note: str | None = None,
        visibility: Visibility = Visibility.PUBLIC,
    ) -> TimelineEvent:
        if not can_transition(self.status, to):
            raise InvalidTransition(self.status, to)
        previous, self.status, self.updated_at = self.status, to, at
        return self._record(at, action, actor, previous, to, note, visibility)

    def record(
        self,
        action: str,
        *,
        actor: Actor,
        at: datetime,
        note: str | None = None,
        visibility: Visibility = Visibility.PUBLIC,
    ) -> TimelineEvent:
        """A timeline event that leaves the status as it is (an attachment added...)."""
        self.updated_at = at
        return self._record(at, action, actor, self.status, self.status, note, visibility)

    def _record(
        self, at, action, actor, from_status, to_status, note=None, visibility=Visibility.PUBLIC
    ) -> TimelineEvent:
        seq = self.event_count + len(self.pending_events) + 1
        event = TimelineEvent(seq, at, action, actor, from_status, to_status, note, visibility)
        self.pending_events.append(event)
        return event

    def _emit(self, type_: EventType, timeline: TimelineEvent, agency_id=None, **data) -> None:
        agency_id = agency_id or (self.agency.id if self.agency else None)
        self.events.append(
            ReportEvent(type_, self.tracking_id, timeline.at, timeline.seq, agency_id, data)
        )

    def without_pending(self) -> Report:
        return dataclasses.replace(self, pending_events=[], events=[])

    @property
    def needs_verification(self) -> bool:
        return self.status == Status.UNVERIFIED and self.routing is not None

    @property
    def awaiting_reporter(self) -> bool:
        return self.paused is not None

    def take_unsent(self) -> list[ReportEvent]:
        """The events to pass on again; saving the report forgets them."""
        taken, self.unsent = list(self.unsent), ()
        return taken

    def allows(self, action: str) -> bool:
        """State rules beyond the policy table (which knows only statuses), so that the
        actions offered to a caller are the ones that will succeed."""
        if action == "rate":
            if self.status is Status.COMPLETED:
                return self.rating is None
            return self.final_response_at is not None
        if action == "reopen":
            return self.reopen_until is not None
        return True

    def add_attachment(self, attachment_id: str, *, actor: Actor, at: datetime, note: str):
        event = self.record("attachment_added", actor=actor, at=at, note=note)
        if self.agency is not None:  # not disposed yet: the agency sees it when assigned
            self._emit(
                EventType.UPDATED, event, change="attachment_added", attachment_id=attachment_id
            )
        return event

    # ------------------------------------------------------------ verification

    def dispose(
        self,
        agency: AgencyRef,
        *,
        actor: Actor,
        at: datetime,
        rule: str,
        reason: str,
        sla: SlaClock | None = None,
    ) -> TimelineEvent:
        """Hand the report to the responsible agency (verification passed)."""
        event = self.change_status(
            Status.AWAITING_FOLLOWUP, actor=actor, at=at, action="disposed", note=agency.name
        )
        self._assign(agency, event, actor=actor, at=at, rule=rule, reason=reason, sla=sla)
        return event

    def _assign(self, agency, event, *, actor, at, rule, reason, sla) -> None:
        self.agency = agency
        self.routing = RoutingNote(rule, reason, at, actor.id or actor.kind, agency.id)
        self.transferred_at = None
        self.verified_at = self.verified_at or at
        self.assigned_at = at
        self.responded_on_time = None
        self.paused = None
        self.deadline = sla.first_response(at) if sla else None
        self._emit(EventType.ASSIGNED, event)

    def hold_for_verification(
        self, *, actor: Actor, at: datetime, rule: str, reason: str
    ) -> TimelineEvent:
        """No confident route: the report waits in the admins' verification queue."""
        if self.status != Status.UNVERIFIED:
            raise InvalidTransition(self.status, Status.UNVERIFIED)
        self.routing = RoutingNote(rule, reason, at, actor.id or actor.kind)
        self.updated_at = at
        return self._record(
            at, "awaiting_verification", actor, self.status, self.status, reason, Visibility.STAFF
        )

    def archive(
        self,
        reason: ArchiveReason,
        message: str,
        *,
        actor: Actor,
        at: datetime,
        duplicate_of: Report | None = None,
    ) -> TimelineEvent:
        if (reason is ArchiveReason.DUPLICATE) != (duplicate_of is not None):
            raise InvalidDuplicate("a duplicate names the report it duplicates, and only then")
        if duplicate_of is not None and duplicate_of.tracking_id == self.tracking_id:
            raise InvalidDuplicate("a report cannot duplicate itself")
        # The reason is for the reporter: it may speak of them ("abusive", "no answer").
        event = self.change_status(
            Status.ARCHIVED,
            actor=actor,
            at=at,
            action="archived",
            note=message,
            visibility=Visibility.REPORTER,
        )
        self.archival = Archival(reason, message, at)
        self.deadline = self.paused = None
        if duplicate_of is not None:
            self.duplicate_of = duplicate_of.tracking_id
            duplicate_of.duplicates = (*duplicate_of.duplicates, self.tracking_id)
            duplicate_of.record(
                "duplicate_linked",
                actor=actor,
                at=at,
                note=f"{self.tracking_id} was archived as a duplicate of this report",
                visibility=Visibility.STAFF,
            )
        self._emit(EventType.ARCHIVED, event, reason=reason.value)
        return event

    def restore(self, *, actor: Actor, at: datetime, note: str | None, sla=None):
        """An admin takes an archived report back into verification."""
        event = self.change_status(
            Status.UNVERIFIED, actor=actor, at=at, action="restored", note=note
        )
        self.archival = None
        self.duplicate_of = None
        self.routing = RoutingNote("restored", note or "taken back by an admin", at, actor.id)
        self.deadline = sla.verification(at) if sla else None
        self._emit(EventType.RESTORED, event)
        return event

    def reroute(
        self, agency: AgencyRef, *, actor: Actor, at: datetime, reason: str, sla=None
    ) -> TimelineEvent:
        """An admin moves a disposed report to another agency."""
        if self.agency is not None and agency.id == self.agency.id:
            raise InvalidTransition(self.status, self.status)
        previous = self.agency
        if self.status is Status.IN_PROGRESS:
            event = self.change_status(
                Status.AWAITING_FOLLOWUP, actor=actor, at=at, action="rerouted", note=agency.name
            )
        else:
            event = self.record("rerouted", actor=actor, at=at, note=agency.name)
        if previous is not None:
            self._emit(EventType.TRANSFERRED, event, agency_id=previous.id, to=agency.id)
        self.first_response_at = self.final_response_at = None
        self._assign(agency, event, actor=actor, at=at, rule="admin", reason=reason, sla=sla)
        return event

    def close(self, *, actor: Actor, at: datetime, note: str | None, sla=None):
        """An admin completes the report."""
        return self._complete(actor, at, "closed", note, sla)

    # ------------------------------------------------------------ the agency

    def respond(self, message: str, *, actor: Actor, at: datetime) -> TimelineEvent:
        """A follow-up to the reporter; the first one moves the report to in progress."""
        if self.status is Status.AWAITING_FOLLOWUP:
            event = self.change_status(
                Status.IN_PROGRESS, actor=actor, at=at, action="responded", note=message
            )
            self.first_response_at = at
            self.responded_on_time = self._in_time(at)
        else:
            event = self.record("responded", actor=actor, at=at, note=message)
        # The agency followed up: a response deadline (first, or after a reopening) is met.
        if self.deadline and self.deadline.kind is DeadlineKind.FIRST_RESPONSE:
            self.deadline = None
        if self.paused and self.paused.kind is DeadlineKind.FIRST_RESPONSE:
            self.paused = None
        self._keep_public_response(message, at, final=False)
        self._emit(EventType.RESPONDED, event)
        return event

    def _keep_public_response(self, message: str, at: datetime, *, final: bool) -> None:
        """Respond and final response are public timeline events: keep the newest few on
        the report, under the agency's name."""
        if self.agency is None:
            return
        kept = (*self.public_responses, PublicResponse(self.agency, at, message, final))
        self.public_responses = kept[-MAX_PUBLIC_RESPONSES:]
        self.public_response_count += 1

    def _in_time(self, at: datetime) -> bool:
        """Whether a first response now meets the service level (a clock paused while the
        agency waits for the reporter has not run out)."""
        d = self.deadline
        if d is None or d.kind is not DeadlineKind.FIRST_RESPONSE:
            return True
        return at <= d.due

    def request_info(self, message: str, *, actor: Actor, at: datetime, sla: SlaClock):
        """Ask the reporter for more; the running deadline waits for the answer."""
        event = self.record("information_requested", actor=actor, at=at, note=message)
        if self.deadline is not None and self.deadline.kind is not DeadlineKind.COMPLETION:
            self.paused = sla.pause(self.deadline, at)
            self.deadline = None
        self._emit(EventType.INFO_REQUESTED, event)
        return event

    def transfer(
        self,
        reason: str,
        *,
        actor: Actor,
        at: datetime,
        suggested_agency: str | None = None,
        sla: SlaClock | None = None,
    ) -> TimelineEvent:
        """ "Bukan wewenang": back to the admins' queue, first in line."""
        previous = self.agency
        event = self.change_status(
            Status.UNVERIFIED,
            actor=actor,
            at=at,
            action="transferred",
            note=reason,
            visibility=Visibility.REPORTER,
        )
        suggestion = f"; suggested agency: {suggested_agency}" if suggested_agency else ""
        self.routing = RoutingNote(
            "transferred",
            f"{previous.id if previous else '?'}: {reason}{suggestion}",
            at,
            actor.id or actor.kind,
            suggested_agency,
        )
        self.agency = None
        self.assigned_at = self.responded_on_time = None
        self.transferred_at = at
        self.first_response_at = self.final_response_at = None
        self.paused = None
        self.deadline = sla.verification(at) if sla else None
        if previous is not None:
            self._emit(
                EventType.TRANSFERRED, event, agency_id=previous.id, suggested=suggested_agency
            )
        return event

    def add_note(self, text: str, *, actor: Actor, at: datetime) -> TimelineEvent:
        return self.record(
            "internal_note", actor=actor, at=at, note=text, visibility=Visibility.STAFF
        )

    def final_response(self, message: str, *, actor: Actor, at: datetime, sla: SlaClock):
        """The agency's answer; the completion window (10 working days) starts."""
        if self.status is Status.AWAITING_FOLLOWUP:
            event = self.change_status(
                Status.IN_PROGRESS, actor=actor, at=at, action="final_response", note=message
            )
            self.first_response_at = self.first_response_at or at
            self.responded_on_time = self._in_time(at)
        else:
            event = self.record("final_response", actor=actor, at=at, note=message)
        self.final_response_at = at
        self.paused = None
        self.deadline = sla.completion(at)
        self._keep_public_response(message, at, final=True)
        self._emit(EventType.RESPONDED, event, final=True)
        return event

    # ------------------------------------------------------------ the reporter

    def reply(self, message: str, *, at: datetime, sla: SlaClock | None = None):
        """The reporter adds information or answers the agency."""
        event = self.record("reporter_replied", actor=Actor.reporter(), at=at, note=message)
        if self.paused is not None and sla is not None:
            self.deadline = sla.resume(self.paused, at)
            self.paused = None
        elif self.deadline is not None and self.deadline.kind is DeadlineKind.COMPLETION:
            # The dialogue goes on: the agency answers again before the window reopens.
            self.deadline = None
            self.final_response_at = None
        if self.agency is not None:
            self._emit(EventType.REPORTER_REPLIED, event)
        return event

    def confirm(self, *, at: datetime, sla: SlaClock | None = None) -> TimelineEvent:
        """The reporter says it is resolved."""
        return self._complete(Actor.reporter(), at, "confirmed", None, sla)

    def reopen(self, reason: str, *, at: datetime, sla: SlaClock | None = None):
        if self.reopen_until is None or at >= self.reopen_until:
            raise ReopenWindowClosed("a report can be reopened within 10 working days")
        event = self.change_status(
            Status.IN_PROGRESS, actor=Actor.reporter(), at=at, action="reopened", note=reason
        )
        self.completed_at = self.reopen_until = self.final_response_at = None
        # the agency owes an answer again, within the first-response level
        self.deadline = sla.first_response(at) if sla else None
        self._emit(EventType.UPDATED, event, change="reopened")
        return event

    def rate(self, score: int, comment: str | None, *, at: datetime) -> TimelineEvent:
        if self.final_response_at is None and self.status is not Status.COMPLETED:
            raise RatingNotAllowed("the agency has not given its final response yet")
        if self.status is Status.COMPLETED and self.rating is not None:
            raise RatingNotAllowed("the rating cannot change after completion")
        if not 1 <= score <= 5:
            raise RatingNotAllowed("a rating is from 1 to 5")
        self.rating = Rating(score, comment, at)
        note = f"{score}/5" + (f": {comment}" if comment else "")
        event = self.record("rated", actor=Actor.reporter(), at=at, note=note)
        self._emit(EventType.RATED, event, score=score)
        return event

    # ------------------------------------------------------------ the scheduler

    def warn(self, *, at: datetime) -> TimelineEvent:
        return self._mark(DeadlineState.WARNED, "sla_warning", "due", EventType.SLA_WARNING, at)

    def mark_overdue(self, *, at: datetime) -> TimelineEvent:
        return self._mark(DeadlineState.OVERDUE, "overdue", "was due", EventType.OVERDUE, at)

    def _mark(self, state, action, verb, event_type, at) -> TimelineEvent:
        deadline = self.deadline
        self.deadline = deadline.marked(state)
        event = self.record(
            action,
            actor=Actor.system("scheduler"),
            at=at,
            note=f"{deadline.kind.value} {verb} {deadline.due.isoformat()}",
            visibility=Visibility.STAFF,
        )
        self._emit(event_type, event, deadline=deadline.kind.value)
        return event

    def complete_automatically(self, *, at: datetime, sla: SlaClock | None = None):
        return self._complete(
            Actor.system("scheduler"),
            at,
            "auto_completed",
            "completed 10 working days after the final response",
            sla,
        )

    def _complete(self, actor, at, action, note, sla) -> TimelineEvent:
        event = self.change_status(Status.COMPLETED, actor=actor, at=at, action=action, note=note)
        self.completed_at = at
        self.deadline = self.paused = None
        self.reopen_until = sla.reopen_until(at) if sla else None
        self._emit(EventType.COMPLETED, event)
        return event

    def due_check(self, now: datetime) -> str | None:
        """What the scheduler has to do now: warn, overdue, complete, or None."""
        d = self.deadline
        if d is None or self.status not in (
            Status.UNVERIFIED,
            Status.AWAITING_FOLLOWUP,
            Status.IN_PROGRESS,
        ):
            return None
        if d.kind is DeadlineKind.COMPLETION:
            return "complete" if now >= d.due and self.status is Status.IN_PROGRESS else None
        if d.state is not DeadlineState.OVERDUE and now >= d.due:
            return "overdue"
        if d.state is DeadlineState.OPEN and d.warn_at is not None and now >= d.warn_at:
            return "warn"
        return None
