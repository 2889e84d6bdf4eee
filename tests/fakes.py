"""In-memory fakes of the service ports, for fast unit tests."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime, timedelta

from chalicelib.domain.attachment import AttachmentStatus
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.services.ports import (
    Agency,
    AttachmentAlreadyDecided,
    Category,
    IdempotencyKeyUsed,
    IdempotencyRecord,
    InvalidCursor,
    ObjectTooLarge,
    Page,
    ReportNotFound,
    SlotsChanged,
    StoredObject,
    TrackingIdTaken,
    UploadForm,
)


class FixedClock:
    def __init__(self, at: datetime | None = None):
        self.at = at or datetime(2026, 11, 27, 3, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs) -> None:
        self.at += timedelta(**kwargs)


class InMemoryReports:
    def __init__(self):
        self.reports = {}  # tracking_id -> (report copy, version)
        self.events = {}  # tracking_id -> list[TimelineEvent]
        self.idempotency = {}
        self.outbox = {}  # tracking_id -> created_at
        self.reads = 0
        self.failing_remember = False
        self.stat_changes = []  # what the timeline table's stream would carry

    def _record_change(self, report) -> None:
        """As the DynamoDB repository does: the commit's change of standing."""
        from chalicelib.stats.standing import change_of

        if not report.pending_events:
            return
        last = report.pending_events[-1]
        change = change_of(report, report.stored_standing, last.seq, last.at)
        if change is not None:
            self.stat_changes.append(change)
            report.stored_standing = change.after

    def add_new(self, report, idempotency: IdempotencyRecord | None) -> None:
        if idempotency:
            existing = self.idempotency.get(idempotency.key)
            if existing and existing.expires_at > idempotency.created_at:
                raise IdempotencyKeyUsed(idempotency.key)
        if report.tracking_id in self.reports:
            raise TrackingIdTaken(report.tracking_id)
        if idempotency:
            self.idempotency[idempotency.key] = idempotency
        self.events[report.tracking_id] = list(report.pending_events)
        self._record_change(report)
        report.event_count += len(report.pending_events)
        report.pending_events.clear()
        report.version = 1
        self.reports[report.tracking_id] = _stored(report)
        self.outbox[report.tracking_id] = report.created_at

    def get(self, tracking_id):
        self.reads += 1
        try:
            return copy.deepcopy(self.reports[tracking_id])
        except KeyError:
            raise ReportNotFound(tracking_id) from None

    def timeline(self, tracking_id):
        return list(self.events.get(tracking_id, []))

    def get_many(self, tracking_ids):
        assert len(tracking_ids) <= 100, "one BatchGetItem reads at most 100 keys"
        self.batch_reads = getattr(self, "batch_reads", 0) + 1
        return [copy.deepcopy(self.reports[t]) for t in tracking_ids if t in self.reports]

    def save_changes(self, report, *, acknowledge=False) -> None:
        stored = self.reports.get(report.tracking_id)
        if stored is None or stored.version != report.version:
            raise ConcurrentUpdate(report.tracking_id)
        if acknowledge:
            self.outbox.pop(report.tracking_id, None)
        self.events[report.tracking_id] += report.pending_events
        self._record_change(report)
        report.event_count += len(report.pending_events)
        report.pending_events.clear()
        report.version += 1
        self.reports[report.tracking_id] = _stored(report)

    def _keys(self, tracking_id):
        from chalicelib.adapters.report_repository import index_keys

        return index_keys(self.reports[tracking_id])

    def verification_queue(self, limit):
        return self.verification_page(limit, None).items

    def verification_page(self, limit, cursor):
        from chalicelib.adapters.report_repository import queue_cursor
        from chalicelib.services.ports import Page

        after = queue_cursor(cursor)
        waiting = sorted(
            (self._keys(tid)["queue_key"], tid)
            for tid, r in self.reports.items()
            if r.needs_verification and (after is None or self._keys(tid)["queue_key"] > after)
        )
        page = waiting[:limit]
        more = len(waiting) > limit
        return Page([self.get(tid) for _, tid in page], page[-1][0] if more else None)

    def inbox(self, agencies, statuses, *, category, limit, after, before):
        from chalicelib.adapters.partitions import inbox_partitions

        field = "inbox_cat_pk" if category else "inbox_pk"
        self.inbox_reads = 0
        items = []
        for partition in inbox_partitions(agencies, statuses, category):
            found = sorted(
                (k["inbox_sk"], tid)
                for tid in self.reports
                if (k := self._keys(tid))[field] == partition
                and (after is None or k["inbox_sk"] > after)
                and (before is None or k["inbox_sk"] < before)
            )[: limit + 1]
            self.inbox_reads += len(found)
            items += found
        items.sort()
        page = items[:limit]
        next_key = page[-1][0] if len(items) > limit else None
        return [self.get(tid) for _, tid in page], next_key

    def feed(self, filters, *, limit, after):
        """Like the feed's indexes: the keys index_keys derives, newest first."""
        from chalicelib.adapters.partitions import feed_partitions
        from chalicelib.adapters.report_repository import feed_scope
        from chalicelib.domain import views

        attribute, scope = feed_scope(filters)
        wanted = set(feed_partitions(scope, list(filters.statuses)))
        found = sorted(
            (
                (k["feed_sk"], tid)
                for tid in self.reports
                if (k := self._keys(tid))[attribute] in wanted
                and (after is None or k["feed_sk"] < after)
            ),
            reverse=True,
        )
        page = found[:limit]
        next_key = page[-1][0] if len(found) > limit else None
        return [views.feed_entry(self.reports[tid]) for _, tid in page], next_key

    def due(self, now, limit):
        found = []
        for tid in self.reports:
            k = self._keys(tid)
            if k["due_at"] is not None and k["due_at"] <= now:
                found.append((k["due_at"], tid))
        return [tid for _, tid in sorted(found)]

    def get_idempotency(self, key):
        return self.idempotency.get(key)

    def remember_unsent(self, tracking_id, events, at) -> None:
        if tracking_id not in self.reports:
            raise ReportNotFound(tracking_id)
        if self.failing_remember:
            raise ConnectionError("table unavailable")
        stored = self.reports[tracking_id]
        stored.unsent = (*stored.unsent, *events)
        stored.version += 1

    def acknowledge_submitted(self, tracking_id) -> None:
        if tracking_id not in self.reports:
            raise ReportNotFound(tracking_id)
        self.outbox.pop(tracking_id, None)

    def unacknowledged(self, older_than, limit):
        due = sorted((at, tid) for tid, at in self.outbox.items() if at < older_than)
        return [tid for _, tid in due[:limit]]


def _stored(report):
    """What DynamoDB keeps: the report, not the domain events it has yet to hand over."""
    stored = copy.deepcopy(report)
    stored.events = []
    return stored


class InMemoryUnitOfWork:
    """Stages like the DynamoDB one: nothing is stored unless every version still
    matches and every slot is still pending at commit."""

    def __init__(self, reports: InMemoryReports, attachments=None, audit=None):
        self.store = reports
        self.reports = _StagedReports(self, reports)
        self.attachments = _StagedAttachments(self, attachments)
        self.audit = _StagedAudit(self, audit)
        self.staged = []  # (kind, object)
        self.seen = []
        self._ack = {}  # id(report) -> acknowledge the outbox too
        self.commits = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.staged.clear()

    def commit(self):
        for kind, obj in self.staged:
            if kind == "report":
                stored = self.store.reports.get(obj.tracking_id)
                if stored is None or stored.version != obj.version:
                    self.staged.clear()
                    raise ConcurrentUpdate(obj.tracking_id)
            if kind == "attachment":
                current = self.attachments.repo.items.get((obj.tracking_id, obj.id))
                if current is None or current.status is not AttachmentStatus.PENDING:
                    self.staged.clear()
                    raise AttachmentAlreadyDecided(obj.id)
        for kind, obj in self.staged:
            if kind == "report":
                report, acknowledge = obj, self._ack.pop(id(obj), False)
                self.store.save_changes(report, acknowledge=acknowledge)
            elif kind == "attachment":
                self.attachments.repo.items[(obj.tracking_id, obj.id)] = obj
            else:
                self.audit.log.append(obj)
        self.commits += 1
        self.staged.clear()

    def collect_new_events(self):
        events = []
        for report in self.seen:
            events += report.events
            report.events.clear()
        return events


class _StagedReports:
    def __init__(self, uow, repo):
        self.uow, self.repo = uow, repo

    def __getattr__(self, name):
        return getattr(self.repo, name)

    def get(self, tracking_id):
        report = self.repo.get(tracking_id)
        self.uow.seen.append(report)
        return report

    def save(self, report, *, acknowledge=False):
        if report not in self.uow.seen:
            self.uow.seen.append(report)
        self.uow._ack[id(report)] = acknowledge
        self.uow.staged.append(("report", report))


class _StagedAttachments:
    def __init__(self, uow, repo):
        self.uow, self.repo = uow, repo

    def decide(self, attachment):
        self.uow.staged.append(("attachment", attachment))


class _StagedAudit:
    def __init__(self, uow, log):
        self.uow = uow
        self.log = log if log is not None else []

    def record(self, entry):
        self.uow.staged.append(("audit", entry))


class FakeIdentityLog:
    def __init__(self):
        self.entries = []

    def for_report(self, tracking_id):
        return [e for e in self.entries if e.tracking_id == tracking_id]

    def for_month(self, month, limit):
        found = [e for e in self.entries if f"{e.at:%Y-%m}" == month]
        return sorted(found, key=lambda e: e.at, reverse=True)[:limit]


class FakeMessages:
    def __init__(self):
        self.messages = []
        self.failing = False

    def enqueue(self, messages):
        if self.failing:
            raise ConnectionError("notifications queue unavailable")
        self.messages.extend(messages)


class FakePublisher:
    def __init__(self):
        self.published: list[str] = []
        self.failing = False

    def report_submitted(self, tracking_id, occurred_at) -> None:
        if self.failing:
            raise ConnectionError("queue unavailable")
        self.published.append(tracking_id)


class InMemoryAttachments:
    """Slots per report; acceptance goes through the report fake's optimistic locking."""

    def __init__(self, reports: InMemoryReports):
        self.reports = reports
        self.items = {}  # (tracking_id, attachment_id) -> Attachment
        self.opened = {}  # tracking_id -> slots ever opened

    def slots(self, tracking_id):
        items = [a for (tid, _), a in self.items.items() if tid == tracking_id]
        return items, self.opened.get(tracking_id, 0)

    def add(self, attachment, opened_before):
        if self.opened.get(attachment.tracking_id, 0) != opened_before:
            raise SlotsChanged(attachment.tracking_id)
        self.items[(attachment.tracking_id, attachment.id)] = attachment
        self.opened[attachment.tracking_id] = opened_before + 1

    def get(self, tracking_id, attachment_id):
        return self.items.get((tracking_id, attachment_id))

    def _decide(self, attachment):
        current = self.items.get((attachment.tracking_id, attachment.id))
        if current is None or current.status is not AttachmentStatus.PENDING:
            raise AttachmentAlreadyDecided(attachment.id)

    def reject(self, attachment):
        self._decide(attachment)
        self.items[(attachment.tracking_id, attachment.id)] = attachment


class FakeStore:
    """A versioned bucket in memory: key -> list of (version_id, bytes, content_type, at)."""

    def __init__(self, clock=None):
        self.clock = clock
        self.objects: dict[str, list[tuple[str, bytes, str, datetime]]] = {}
        self.presigned: list[tuple[str, str, int, int]] = []
        self._versions = 0

    def _now(self):
        return self.clock.now() if self.clock else datetime.now(UTC)

    def upload(self, key, data, content_type="application/octet-stream", at=None) -> str:
        """What a client (or S3 itself) does: a new version at ``key``."""
        self._versions += 1
        version = f"v{self._versions}"
        self.objects.setdefault(key, []).append((version, data, content_type, at or self._now()))
        return version

    def versions(self, key):
        return [v for v, *_ in self.objects.get(key, [])]

    def body(self, key, version_id=None):
        for version, data, _, _ in reversed(self.objects.get(key, [])):
            if version_id in (None, version):
                return data
        raise KeyError(key)

    def presign_upload(self, key, content_type, max_bytes, expires_in, redirect=None):
        self.presigned.append((key, content_type, max_bytes, expires_in))
        fields = {"key": key, "Content-Type": content_type}
        if redirect:
            fields["success_action_redirect"] = redirect
        return UploadForm("https://bucket.example/", fields)

    def presign_download(self, key, *, filename, content_type, inline, expires_in):
        kind = "inline" if inline else "attachment"
        return (
            f"https://bucket.example/{key}?disposition={kind}&filename={filename}&ttl={expires_in}"
        )

    def _find(self, key, version_id):
        for entry in reversed(self.objects.get(key, [])):
            if version_id in (None, entry[0]):
                return entry
        return None

    def head(self, key, version_id=None):
        entry = self._find(key, version_id)
        if entry is None:
            return None
        return StoredObject(key, entry[0], len(entry[1]), entry[3])

    def read(self, key, version_id, max_bytes):
        data = self._find(key, version_id)[1]
        if len(data) > max_bytes:
            raise ObjectTooLarge(key)
        return data

    def put(self, key, data, content_type):
        self.upload(key, data, content_type)

    def copy(self, source_key, source_version, key, content_type):
        self.upload(key, self._find(source_key, source_version)[1], content_type)

    def delete_all_versions(self, key):
        return len(self.objects.pop(key, []))


CATEGORIES = [
    Category("infrastruktur", "Infrastruktur", "regional", "Infrastructure"),
    Category("kesehatan", "Kesehatan", "regional", "Health"),
    Category("imigrasi", "Imigrasi", "national", "Immigration"),
]
AGENCIES = [
    Agency("kemenkes", "Kementerian Kesehatan", "ministry", categories=("kesehatan",)),
    Agency(
        "pemkot-bandung",
        "Pemerintah Kota Bandung",
        "local_government",
        region_code="32.73",
        categories=("infrastruktur",),
    ),
    Agency("pln", "PT PLN (Persero)", "soe"),
]


class FakeDirectory:
    def __init__(self, categories=CATEGORIES, agencies=AGENCIES):
        self._categories = {c.code: c for c in categories}
        self._agencies = list(agencies)

    def category(self, code):
        return self._categories.get(code)

    def categories(self):
        return sorted(self._categories.values(), key=lambda c: c.name)

    def agencies(self, limit, cursor):
        start = 0
        if cursor:
            if not cursor.isdigit():
                raise InvalidCursor(cursor)
            start = int(cursor)
        items = self._agencies[start : start + limit]
        more = start + limit < len(self._agencies)
        return Page(items, str(start + limit) if more else None)

    def agency(self, agency_id):
        return next((a for a in self._agencies if a.id == agency_id), None)

    def all_agencies(self):
        return list(self._agencies)

    def save_agency(self, agency):
        self._agencies = [a for a in self._agencies if a.id != agency.id] + [agency]


class FakeTargets:
    def __init__(self):
        self.targets = {}  # (agency_id, id) -> WebhookTarget

    def for_agency(self, agency_id):
        return [t for (a, _), t in sorted(self.targets.items()) if a == agency_id]

    def get(self, agency_id, target_id):
        return self.targets.get((agency_id, target_id))

    def save(self, target):
        self.targets[(target.agency_id, target.id)] = target


class FakeDispatchQueue:
    def __init__(self):
        self.jobs = []
        self.failing = False
        self.delays = []

    def enqueue(self, jobs):
        if self.failing:
            raise ConnectionError("dispatch queue unavailable")
        self.jobs.extend(jobs)

    def retry_later(self, receipt_handle, delay_seconds):
        self.delays.append(delay_seconds)


class FakeDeliveryLog:
    def __init__(self):
        self.records = []

    def record(self, attempt):
        self.records.append(attempt)

    def delivered(self, tracking_id, delivery_id):
        return any(r.delivery_id == delivery_id and r.outcome == "delivered" for r in self.records)

    def attempts(self, tracking_id):
        return [r for r in self.records if r.tracking_id == tracking_id]

    def failures(self, agency_id, outcome, limit, cursor):
        from chalicelib.services.ports import InvalidCursor, Page

        found = [
            r
            for r in self.records
            if r.agency_id == agency_id
            and r.outcome != "delivered"
            and (outcome is None or r.outcome == outcome)
        ]
        found.sort(key=lambda r: (r.outcome, r.at, r.delivery_id, r.attempt), reverse=True)
        start = 0
        if cursor:
            if not cursor.isdigit():
                raise InvalidCursor(cursor)
            start = int(cursor)
        page = found[start : start + limit]
        more = start + limit < len(found)
        return Page(page, str(start + limit) if more else None)


class FakeWebhookSender:
    """Answers with the queued statuses (then 200); keeps what it was sent."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.sent = []

    def send(self, url, body, headers):
        from chalicelib.services.ports import HttpResult

        self.sent.append((url, body, dict(headers)))
        status = self.statuses.pop(0) if self.statuses else 200
        if status is None:
            return HttpResult(None, 1.0, "ConnectionRefusedError: down")
        return HttpResult(status, 1.0)


class FakeAgencyQueues:
    def __init__(self):
        self.sent = []

    def send(self, queue_url, job, payload):
        self.sent.append((queue_url, job, payload))


class FakeAlerts:
    def __init__(self):
        self.alerts = []

    def alert(self, subject, message):
        self.alerts.append((subject, message))


class FakeMailer:
    """Keeps what it was asked to send: (to, subject, text)."""

    def __init__(self):
        self.sent = []
        self.failing = False

    def send(self, to, subject, text):
        if self.failing:
            raise ConnectionError("SES unavailable")
        self.sent.append((to, subject, text))


class FakeSentMarkers:
    def __init__(self):
        self.claimed = set()

    def claim(self, tracking_id, key):
        if (tracking_id, key) in self.claimed:
            return False
        self.claimed.add((tracking_id, key))
        return True

    def release(self, tracking_id, key):
        self.claimed.discard((tracking_id, key))


class FakeAccessLinkLimits:
    """Counts per report and hour, like the DynamoDB counter."""

    def __init__(self):
        self.counts = {}

    def allow(self, tracking_id, now, per_hour):
        key = (tracking_id, now.strftime("%Y%m%d%H"))
        if self.counts.get(key, 0) >= per_hour:
            return False
        self.counts[key] = self.counts.get(key, 0) + 1
        return True


class FakeRateLimits:
    """Fixed windows per key, like the DynamoDB counters."""

    def __init__(self):
        self.counts = {}

    def allow(self, key, now, limit, window):
        seconds = int(window.total_seconds())
        slot = (key, seconds, int(now.timestamp()) // seconds)
        if self.counts.get(slot, 0) >= limit:
            return False
        self.counts[slot] = self.counts.get(slot, 0) + 1
        return True


class FakeApiClients:
    """Open311 client applications by key hash, like the directory partition."""

    def __init__(self):
        self.items = {}

    def by_key_hash(self, key_hash):
        return self.items.get(key_hash)

    def add(self, client):
        assert client.key_hash not in self.items
        self.items[client.key_hash] = client

    def named(self, name):
        return [c for c in self.items.values() if c.name == name]

    def all(self):
        return list(self.items.values())

    def save(self, client):
        self.items[client.key_hash] = client


class FakeStatsCells:
    """The stats table: counters, shard checkpoints with their conditions, and the
    checkpoints a rebuild leaves per report."""

    def __init__(self):
        self.cells = {}  # (pk, sk) -> Counter
        self.shards = {}  # shard -> position
        self.rebuilt_at = {}  # tracking id -> seq
        self.items_written = 0
        self.transactions = 0
        self.fail_at = None  # the number of the transaction that fails (1 = the first)
        self.interfere = None  # called before a transaction: a concurrent invocation

    def shard_checkpoint(self, shard):
        return self.shards.get(shard)

    def rebuilt(self, tracking_ids):
        return {t: self.rebuilt_at[t] for t in tracking_ids if t in self.rebuilt_at}

    def apply(self, deltas, shard, old, new):
        from collections import Counter

        from chalicelib.stats.projector import CheckpointMoved

        if self.interfere is not None:
            interfere, self.interfere = self.interfere, None
            interfere(self)
        if self.fail_at is not None and self.transactions + 1 == self.fail_at:
            self.fail_at = None
            raise ConnectionError("stats table unavailable")
        assert len(deltas) + 1 <= 100, "more than a transaction holds"
        if self.shards.get(shard) != old:
            raise CheckpointMoved()
        assert old is None or new > old, "a checkpoint only moves forward"
        self.shards[shard] = new
        for cell, counters in deltas.items():
            self.cells.setdefault(cell, Counter()).update(counters)
        self.transactions += 1
        self.items_written += len(deltas) + 1

    def counters(self):
        """Every counter that is not zero, as {(pk, sk): {name: n}}."""
        out = {}
        for cell, counters in self.cells.items():
            kept = {k: v for k, v in counters.items() if v}
            if kept:
                out[cell] = kept
        return out


class FakeOpenDataStore:
    """The open-data bucket: objects in memory, links to a fake host."""

    def __init__(self):
        self.objects = {}

    def put_file(self, key, path, content_type):
        self.objects[key] = (path.read_bytes(), content_type)

    def read(self, key):
        found = self.objects.get(key)
        return found[0] if found else None

    def write(self, key, body, content_type):
        self.objects[key] = (body, content_type)

    def link(self, key, expires_in):
        return f"https://bucket.example/{key}?expires={expires_in}"

    def text(self, key):
        return self.objects[key][0].decode("utf-8")


class FakeInboundMessages:
    """The channel inbox: conditional add, answer, send claim, media count."""

    def __init__(self):
        from chalicelib.services.ports import StoredInbound

        self._stored = StoredInbound
        self.items = {}

    def add(self, message, *, expires_at):
        if message.key in self.items:
            return False
        self.items[message.key] = self._stored(message)
        return True

    def get(self, key):
        return self.items.get(key)

    def _set(self, key, **changes):
        self.items[key] = dataclasses.replace(self.items[key], **changes)

    def record_answer(self, key, answer, tracking_id):
        changes = {"answer": answer}
        if tracking_id:
            changes["tracking_id"] = tracking_id
        self._set(key, **changes)

    def claim_send(self, key):
        if self.items[key].answer_sent:
            return False
        self._set(key, answer_sent=True)
        return True

    def release_send(self, key):
        self._set(key, answer_sent=False)

    def record_media(self, key, done):
        self._set(key, media_done=done)


class FakeIntakeQueue:
    def __init__(self):
        self.keys = []

    def enqueue(self, key):
        self.keys.append(key)


class FakeChannelSender:
    """The ChannelSender port: keeps (channel, to, text, in_reply_to, human_agent).
    Channels in ``refusing`` refuse for good, those in ``failing`` fail for now, those in
    ``not_connected`` are not connected in this deployment."""

    def __init__(self):
        self.sent = []
        self.refusing = set()
        self.failing = set()
        self.not_connected = set()
        self.templates = []  # the template parts each send was given

    def ready(self, channel):
        return channel not in self.not_connected

    def send(self, channel, to, text, *, in_reply_to=None, human_agent=False, template=None):
        from chalicelib.services.ports import ChannelRefused, ChannelUnavailable

        self.templates.append(template)

        if channel in self.failing:
            raise ChannelUnavailable(f"{channel}: HTTP 503")
        if channel in self.refusing:
            raise ChannelRefused(f"{channel}: HTTP 400")
        self.sent.append((channel, to, text, in_reply_to, human_agent))


class FakeMediaFetcher:
    """The MediaFetcher port: ``media`` maps a URL or media id to (bytes, content type)."""

    def __init__(self, media=None):
        self.media = dict(media or {})
        self.fetched = []

    def fetch(self, channel, media, *, limit):
        from chalicelib.services.ports import MediaTooLarge, MediaUnavailable

        key = media.url or media.media_id
        self.fetched.append((channel, key))
        if key not in self.media:
            raise MediaUnavailable(f"{channel}: HTTP 404")
        data, content_type = self.media[key]
        if len(data) > limit:
            raise MediaTooLarge(f"{channel}: more than {limit} bytes")
        return data, content_type
