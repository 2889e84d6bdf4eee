"""What the services need from the outside world; adapters and test fakes implement it."""

# Agency and Category are re-exported for the adapters.

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from ..domain.directory import Agency, Category
from ..domain.events import ReportEvent
from ..domain.report import Report, TimelineEvent
from ..domain.views import FEED_STATUSES, FeedEntry

if TYPE_CHECKING:  # annotations only: a cold start without attachments does not load it
    from ..domain.attachment import Attachment


class TrackingIdTaken(Exception):
    """The generated tracking id already exists (the conditional write refused it)."""


class IdempotencyKeyUsed(Exception):
    """A report was already stored under this idempotency key."""


class ReportNotFound(Exception):
    pass


class InvalidCursor(ValueError):
    """A pagination cursor this API did not issue."""


class SlotsChanged(Exception):
    """Another slot was opened for the report since its slots were read."""


class ObjectTooLarge(Exception):
    """The stored object is larger than the caller is willing to read."""


class AttachmentAlreadyDecided(Exception):
    """The slot is no longer pending (accepted or rejected by another delivery)."""


@dataclass(frozen=True)
class IdempotencyRecord:
    key: str
    fingerprint: str
    tracking_id: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


class ReportRepository(Protocol):
    def add_new(self, report: Report, idempotency: IdempotencyRecord | None) -> None:
        """Store a new report with its pending events (and idempotency record) atomically.

        Raises TrackingIdTaken or IdempotencyKeyUsed when a condition refuses the write.
        """

    def get(self, tracking_id: str) -> Report: ...

    def get_many(self, tracking_ids: list[str]) -> list[Report]:
        """The reports that exist among ``tracking_ids`` (at most 100), in that order."""

    def timeline(self, tracking_id: str) -> list[TimelineEvent]: ...

    def verification_queue(self, limit: int) -> list[Report]:
        """Reports waiting for an admin: transferred first, then oldest first."""

    def verification_page(self, limit: int, cursor: str | None) -> Page:
        """The verification queue a page at a time (InvalidCursor for a cursor it did not
        issue)."""

    def inbox(
        self,
        agencies: list[str],
        statuses: list[str],
        *,
        category: str | None,
        limit: int,
        after: str | None,
        before: str | None,
    ) -> tuple[list[Report], str | None]:
        """The agencies' reports in these statuses (and category), nearest deadline first,
        after the cursor ``after`` (and before ``before``); the next cursor or None."""

    def due(self, now: datetime, limit: int) -> list[str]:
        """Tracking ids the scheduler must look at by ``now`` (at most ``limit`` a shard)."""

    def get_idempotency(self, key: str) -> IdempotencyRecord | None: ...

    def acknowledge_submitted(self, tracking_id: str) -> None:
        """The router has the report: take it out of the outbox."""

    def unacknowledged(self, older_than: datetime, limit: int) -> list[str]:
        """Tracking ids whose ``report.submitted`` nobody acknowledged before ``older_than``."""


@dataclass(frozen=True)
class FeedFilters:
    """Which feed entries: in these statuses and, at most one of, an agency, a category or
    a region (a province ``32`` or a regency ``32.73``). services/feed.py checks them."""

    statuses: tuple[str, ...] = tuple(s.value for s in FEED_STATUSES)
    agency_id: str | None = None
    category: str | None = None
    region: str | None = None


class PublicFeed(Protocol):
    def feed(
        self, filters: FeedFilters, *, limit: int, after: str | None
    ) -> tuple[list[FeedEntry], str | None]:
        """Listed reports matching ``filters``, newest first, after the cursor ``after``
        (``<created_at>#<tracking id>``, as returned); the next cursor or None."""


class EventPublisher(Protocol):
    def report_submitted(self, tracking_id: str, occurred_at: datetime) -> None: ...


class AttachmentRepository(Protocol):
    def slots(self, tracking_id: str) -> tuple[list[Attachment], int]:
        """The report's attachments in every state, and the number of slots ever opened."""

    def add(self, attachment: Attachment, opened_before: int) -> None:
        """Store a new pending slot; SlotsChanged if ``opened_before`` is out of date."""

    def get(self, tracking_id: str, attachment_id: str) -> Attachment | None: ...

    def reject(self, attachment: Attachment) -> None:
        """Mark the slot rejected; AttachmentAlreadyDecided if it is not pending."""


@dataclass(frozen=True)
class IdentityAccess:
    """A platform admin read an anonymous reporter's identity."""

    tracking_id: str
    admin: str
    reason: str
    at: datetime


class UnitOfWork(Protocol):
    """Repositories stage their writes; ``commit`` stores them all or none (one
    transaction, optimistic locking on every report). A lost race: ConcurrentUpdate."""

    reports: ReportRepository  # plus save(report, acknowledge=False), which stages

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, *exc) -> None: ...

    def commit(self) -> None: ...

    def collect_new_events(self) -> list[ReportEvent]:
        """Domain events recorded by the reports this unit of work loaded or saved."""


class IdentityLog(Protocol):
    def for_report(self, tracking_id: str) -> list[IdentityAccess]: ...

    def for_month(self, month: str, limit: int) -> list[IdentityAccess]: ...


class ReporterMessages(Protocol):
    """Queues a message for a reporter (the sender renders and sends it later)."""

    def enqueue(self, messages: list[dict]) -> None: ...


@dataclass(frozen=True)
class UploadForm:
    """A presigned POST: send ``fields`` and then the file as multipart/form-data to ``url``."""

    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class StoredObject:
    key: str
    version_id: str | None
    size: int
    last_modified: datetime


class ObjectStore(Protocol):
    def presign_upload(
        self,
        key: str,
        content_type: str,
        max_bytes: int,
        expires_in: int,
        redirect: str | None = None,
    ) -> UploadForm:
        """A POST form for one file. ``redirect``: where the storage sends the browser after
        a successful upload (a plain HTML form, without JavaScript)."""

    def presign_download(
        self, key: str, *, filename: str, content_type: str, inline: bool, expires_in: int
    ) -> str: ...

    def head(self, key: str, version_id: str | None = None) -> StoredObject | None: ...

    def read(self, key: str, version_id: str | None, max_bytes: int) -> bytes:
        """The object's bytes; ObjectTooLarge if it has more than ``max_bytes``."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def copy(self, source_key: str, source_version: str | None, key: str, content_type: str):
        """Server-side copy of one version of an object."""

    def delete_all_versions(self, key: str) -> int:
        """Delete every version and delete marker of exactly ``key``; returns how many."""


class Directory(Protocol):
    def category(self, code: str) -> Category | None: ...

    def categories(self) -> list[Category]: ...

    def agencies(self, limit: int, cursor: str | None) -> Page: ...

    def agency(self, agency_id: str) -> Agency | None: ...

    def all_agencies(self) -> list[Agency]:
        """The whole directory (a few thousand entries at most), cached while warm."""

    def save_agency(self, agency: Agency) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


# ---------------------------------------------------------------- routing and fan-out


@dataclass(frozen=True)
class WebhookTarget:
    id: str
    agency_id: str
    url: str
    events: tuple[str, ...]
    secret: str
    active: bool = True
    disabled_reason: str | None = None
    previous_secret: str | None = None
    previous_secret_until: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def wants(self, event_type: str) -> bool:
        return self.active and (event_type in self.events or "*" in self.events)


@dataclass(frozen=True)
class DispatchJob:
    """One event for one delivery target: ids and codes only, never the report's content
    or its reporter (queues and their DLQs keep messages for days). The dispatcher builds
    the payload from the report when it delivers. ``delivery_id`` is deterministic, so a
    job enqueued twice is delivered once (it is also the ``webhook-id``)."""

    delivery_id: str
    event_type: str
    tracking_id: str
    agency_id: str
    target_type: str  # "webhook" | "sqs"
    target_id: str
    occurred_at: str  # ISO 8601: the event's time, the payload's timestamp
    change: dict | None = None  # codes and ids (report.updated and the like)
    minimal: bool = False  # the agency lost the report: ids and status only


@dataclass(frozen=True)
class DeliveryAttempt:
    delivery_id: str
    tracking_id: str
    event_type: str
    agency_id: str
    target_type: str
    target_id: str
    attempt: int
    outcome: str  # delivered | retry | gave_up | disabled | skipped
    at: datetime
    http_status: int | None = None
    latency_ms: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class HttpResult:
    status: int | None
    latency_ms: float
    error: str | None = None


class WebhookTargets(Protocol):
    def for_agency(self, agency_id: str) -> list[WebhookTarget]:
        """The agency's targets as stored now."""

    def get(self, agency_id: str, target_id: str) -> WebhookTarget | None:
        """The stored target (never a cached copy)."""

    def save(self, target: WebhookTarget) -> None: ...


class DispatchQueue(Protocol):
    def enqueue(self, jobs: list[DispatchJob]) -> None: ...


class DeliveryLog(Protocol):
    def record(self, attempt: DeliveryAttempt) -> None: ...

    def delivered(self, tracking_id: str, delivery_id: str) -> bool: ...

    def attempts(self, tracking_id: str) -> list[DeliveryAttempt]: ...

    def failures(self, agency_id: str, outcome: str | None, limit: int, cursor: str | None) -> Page:
        """Attempts to the agency that did not deliver, newest first per outcome."""
        ...


class WebhookSender(Protocol):
    def send(self, url: str, body: bytes, headers: dict[str, str]) -> HttpResult: ...


class AgencyQueueSender(Protocol):
    def send(self, queue_url: str, job: DispatchJob, payload: dict) -> None: ...


class Alerts(Protocol):
    def alert(self, subject: str, message: str) -> None: ...


class RateLimits(Protocol):
    def allow(self, key: str, now: datetime, limit: int, window: timedelta) -> bool:
        """Count one call for ``key`` in the current window; False (nothing counted) once
        ``limit`` calls were counted there."""


class ChannelSender(Protocol):
    """Sends a text to somebody on a channel (SMS, WhatsApp, Messenger, X). ``to`` is the
    address as the channel knows it (E.164 phone, page-scoped id, X user id);
    ``in_reply_to`` makes an X answer a public reply to that tweet instead of a DM (``to``
    may then be empty; a public text must never carry identity or confidential content:
    ``services.chat_texts.public_update``).
    Raises on failure (the queue retries); a send must be safe to retry."""

    def ready(self, channel: str) -> bool:
        """False when the channel is not connected in this deployment (nothing could go
        out on it); raises ChannelUnavailable when its configuration is broken."""

    def send(
        self,
        channel: str,
        to: str,
        text: str,
        *,
        in_reply_to: str | None = None,
        human_agent: bool = False,
        template: dict[str, str] | None = None,
    ) -> None:
        """``human_agent``: the text carries a person's answer (an agency's response),
        which Messenger lets a page send up to 7 days after the user's last message (the
        HUMAN_AGENT tag) instead of 24 hours. ``template``: the message's parts
        (``tracking_id``, ``status``, ``link``, ``language``) for a channel configured to
        send an approved template instead of free text (WhatsApp outside its 24-hour
        window). ChannelRefused: dropped for good; ChannelUnavailable (or any other
        error): retry."""


class MediaFetcher(Protocol):
    """Downloads an inbound message's media (``domain.inbound.InboundMedia``) from its
    provider, at most ``limit`` bytes: returns (bytes, content type)."""

    def fetch(self, channel: str, media, *, limit: int) -> tuple[bytes, str | None]: ...


@dataclass(frozen=True)
class ApiClient:
    """A client application of the Open311 API, known by its api_key's SHA-256 only."""

    name: str
    key_hash: str
    created_at: datetime
    active: bool = True
    revoked_at: datetime | None = None


class ApiClients(Protocol):
    def by_key_hash(self, key_hash: str) -> ApiClient | None: ...

    def add(self, client: ApiClient) -> None:
        """Store a new client key (refused if that hash exists: never overwritten)."""

    def named(self, name: str) -> list[ApiClient]: ...

    def all(self) -> list[ApiClient]: ...

    def save(self, client: ApiClient) -> None: ...


@dataclass(frozen=True)
class StoredInbound:
    """An inbound channel message as the inbox keeps it, with what became of it."""

    message: object  # domain.inbound.InboundMessage
    answer: str | None = None
    tracking_id: str | None = None
    answer_sent: bool = False
    media_done: int = 0  # how many of its media were put into upload slots


class InboundMessages(Protocol):
    """The channel inbox: each inbound message once, by its key (identity inside: never
    logged, never in a queue message)."""

    def add(self, message, *, expires_at: datetime) -> bool:
        """Store a message not seen before; False if its key is already stored."""

    def get(self, key: str) -> StoredInbound | None: ...

    def record_answer(self, key: str, answer: str, tracking_id: str | None) -> None: ...

    def claim_send(self, key: str) -> bool:
        """Mark the answer as being sent; False if it already was."""

    def release_send(self, key: str) -> None: ...

    def record_media(self, key: str, done: int) -> None: ...


class IntakeQueue(Protocol):
    def enqueue(self, key: str) -> None:
        """Queue an inbound message (its key only) for the intake worker."""


class ChannelRefused(Exception):
    """The provider refused the message for good (an invalid or unreachable recipient, a
    closed messaging window, a user who blocked the account): retrying cannot help, so
    the message is dropped (and the reporter reached another way if they can be)."""


class ChannelNotConnected(ChannelRefused):
    """This deployment has not connected the channel (its credentials secret is empty):
    nothing can go out on it until an operator does."""


class ChannelUnavailable(Exception):
    """The provider could not take the message now (network, 5xx, rate limit, rejected
    or missing credentials): raised so that the queue retries and, in the end,
    dead-letters it where operators see it."""


class MediaTooLarge(Exception):
    """The provider's file has more bytes than the limit: its download was stopped."""


class MediaUnavailable(Exception):
    """The media cannot be had for good (gone, refused, from a host it may not come from);
    ChannelUnavailable when it may work later."""
