"""Attachments: open an upload slot, validate what arrived, list and hand out files.

One service for every channel: the HTTP API opens slots for reporters and staff; media
arriving by SMS or Messenger later opens a slot with ``open_slot`` and puts the bytes at
the slot's key, and the same ``process_upload`` validates it. Nothing the client says is
trusted: the object's size, magic bytes and structure are checked after it is stored, and
anything that fails is deleted (every version) and the slot rejected with a reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from ..domain import attachment as policy
from ..domain import media
from ..domain import tracking_id as tracking_ids
from ..domain.attachment import Attachment, AttachmentStatus, Audience, RejectReason
from ..domain.errors import ConcurrentUpdate
from ..domain.policy import Action, ActionNotAllowedNow, NotPermitted, Party
from ..domain.policy import check as policy_check
from ..domain.report import Actor, Report
from ..domain.status import Status
from . import access, messagebus
from .access import Caller
from .ports import (
    AttachmentAlreadyDecided,
    AttachmentRepository,
    Clock,
    Directory,
    ObjectStore,
    ObjectTooLarge,
    ReportNotFound,
    ReportRepository,
    SlotsChanged,
    UnitOfWork,
)

log = logging.getLogger(__name__)

_ATTEMPTS = 5
# Slots ever opened per report (rejected and expired ones included), as a multiple of the
# live limit: enough to retry mistakes, not enough to flood the table.
_OPENED_FACTOR = 4
_CLOSED = (Status.ARCHIVED, Status.COMPLETED)
_AUDIENCES = {
    Party.REPORTER: Audience.REPORTER,
    Party.PLATFORM_ADMIN: Audience.PLATFORM_ADMIN,
    Party.ASSIGNED_AGENCY: Audience.ASSIGNED_AGENCY,
    Party.OVERSIGHT: Audience.ASSIGNED_AGENCY,  # reads as the agency does
    Party.PUBLIC: Audience.PUBLIC,
}


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * 1024 * 1024
    max_count: int = 5
    types: tuple[str, ...] = tuple(policy.EXTENSIONS)
    url_seconds: int = 300

    @classmethod
    def from_settings(cls, cfg) -> Limits:
        return cls(
            cfg.attachment_max_bytes,
            cfg.attachment_max_count,
            cfg.attachment_types,
            cfg.attachment_url_seconds,
        )


# ---------------------------------------------------------------- errors


class AttachmentNotFound(Exception):
    pass


class NotAllowed(Exception):
    def __init__(self, message: str, *, authenticated: bool):
        super().__init__(message)
        self.authenticated = authenticated


class InvalidUpload(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class TooManyAttachments(Exception):
    pass


class ReportClosed(Exception):
    pass


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class UploadSlot:
    report: Report
    attachment: Attachment
    url: str
    fields: dict[str, str]
    max_bytes: int


@dataclass(frozen=True)
class Listing:
    report: Report
    audience: Audience
    items: list[Attachment]

    def filename(self, attachment: Attachment) -> str:
        return policy.shown_filename(attachment, self.audience, self.report)

    def served(self, attachment: Attachment) -> tuple[int | None, str | None]:
        """Size and SHA-256 of the copy this audience downloads (the original's hash could
        link an anonymous reporter to a photo published elsewhere)."""
        if policy.gets_original(self.audience) or attachment.shared_key is None:
            return attachment.size, attachment.sha256
        return attachment.shared_size, attachment.shared_sha256


@dataclass(frozen=True)
class Outcome:
    """What ``process_upload`` did: accepted, rejected, removed (no slot expects the key),
    duplicate (the slot was already decided), gone (nothing left to check), ignored."""

    result: str
    reason: str | None = None


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


class AttachmentService:
    def __init__(
        self,
        *,
        reports: ReportRepository,
        attachments: AttachmentRepository,
        store: ObjectStore,
        uow,
        outlets: messagebus.Outlets,
        directory: Directory,
        clock: Clock,
        limits: Limits,
    ):
        self.reports = reports
        self.attachments = attachments
        self.store = store
        self.uow: type[UnitOfWork] = uow
        self.outlets = outlets
        self.directory = directory
        self.clock = clock
        self.limits = limits

    # ------------------------------------------------------------ who is asking

    def _load(self, raw_id: str) -> Report:
        tracking_id = tracking_ids.normalise(raw_id)
        if not tracking_ids.is_valid(tracking_id):
            raise ReportNotFound(raw_id)
        return self.reports.get(tracking_id)

    def party(self, report: Report, caller: Caller) -> Party:
        return access.party(report, caller, self.directory)

    def audience(self, report: Report, caller: Caller) -> Audience:
        return _AUDIENCES[self.party(report, caller)]

    # ------------------------------------------------------------ slots

    def request_upload(
        self,
        raw_id: str,
        caller: Caller,
        *,
        filename: str,
        content_type: str,
        size: int,
        redirect: str | None = None,
    ) -> UploadSlot:
        report = self._load(raw_id)
        who = self.party(report, caller)
        try:
            policy_check(Action.ATTACH, who, report.status)
        except NotPermitted:
            raise NotAllowed(
                "Only the reporter (X-Report-Token), the assigned agency and platform "
                "admins may add attachments.",
                authenticated=caller.authenticated,
            ) from None
        except ActionNotAllowedNow:
            raise ReportClosed(report.status) from None
        slot = self.open_slot(
            report,
            by=access.actor(who, caller),
            filename=filename,
            content_type=content_type,
            size=size,
        )
        form = self.store.presign_upload(
            slot.incoming_key,
            slot.content_type,
            self.limits.max_bytes,
            self.limits.url_seconds,
            redirect=redirect,
        )
        return UploadSlot(report, slot, form.url, form.fields, self.limits.max_bytes)

    def open_slot(
        self, report: Report, *, by: Actor, filename: str, content_type: str, size: int
    ) -> Attachment:
        """Record a pending slot (any channel). The caller has checked who is asking."""
        content_type = content_type.strip().lower()
        if content_type not in self.limits.types:
            raise InvalidUpload("content_type", "must be one of: " + ", ".join(self.limits.types))
        if size > self.limits.max_bytes:
            raise InvalidUpload(
                "size",
                f"must not exceed {self.limits.max_bytes} bytes ({_mb(self.limits.max_bytes)})",
            )
        if size < 1:
            raise InvalidUpload("size", "must be at least 1 byte")
        if report.status in _CLOSED:
            raise ReportClosed(report.status)
        now = self.clock.now()
        try:
            slot = Attachment.open(
                report,
                filename=filename,
                content_type=content_type,
                declared_size=size,
                by=by,
                at=now,
                window=timedelta(seconds=self.limits.url_seconds),
            )
        except ValueError as e:
            raise InvalidUpload("filename", str(e)) from None
        for _ in range(_ATTEMPTS):
            existing, opened = self.attachments.slots(report.tracking_id)
            # Limits per uploader: the agency (or a flood of its garbage uploads) can never
            # use up the reporter's places, nor the reporter the agency's.
            mine = [a for a in existing if _uploader(a.uploaded_by) == _uploader(by)]
            live = sum(a.is_live(now) for a in mine)
            if live >= self.limits.max_count or len(mine) >= self.limits.max_count * _OPENED_FACTOR:
                raise TooManyAttachments(self.limits.max_count)
            try:
                self.attachments.add(slot, opened)
            except SlotsChanged:
                continue
            log.info(
                "attachment slot opened",
                extra={"tracking_id": report.tracking_id, "attachment_id": slot.id},
            )
            return slot
        raise ConcurrentUpdate(report.tracking_id)

    # ------------------------------------------------------------ validation

    def process_upload(self, key: str, version_id: str | None = None) -> Outcome:
        """Validate an object that landed at an incoming key (idempotent on redelivery)."""
        parsed = policy.parse_incoming_key(key)
        if parsed is None:
            if key.startswith(policy.INCOMING_PREFIX):
                removed = self.store.delete_all_versions(key)
                log.warning("upload to a key no slot expects removed", extra={"versions": removed})
                return Outcome("removed", "not_expected")
            log.warning("object outside the upload prefix ignored")
            return Outcome("ignored")
        tracking_id, attachment_id = parsed
        slot = self.attachments.get(tracking_id, attachment_id)
        if slot is None:
            removed = self.store.delete_all_versions(key)
            log.warning(
                "upload to a key no slot expects removed",
                extra={"tracking_id": tracking_id, "versions": removed},
            )
            return Outcome("removed", "not_expected")
        if slot.status is not AttachmentStatus.PENDING:
            # A redelivery, or another upload with the same form: the slot is decided.
            self.store.delete_all_versions(key)
            return Outcome("duplicate", slot.status.value)
        obj = self.store.head(key, version_id)
        if obj is None:
            return Outcome("gone")
        reason, detail = self._precheck(slot, obj)
        data = shared = b""
        stripped: tuple[str, ...] = ()
        if reason is None:
            try:
                data = self.store.read(key, obj.version_id, self.limits.max_bytes)
            except ObjectTooLarge:
                reason, detail = RejectReason.TOO_LARGE, self._too_large()
            else:
                reason, detail, shared, stripped = self._inspect(slot, data)
        if reason is not None:
            return self._reject(slot, reason, detail)
        return self._accept(slot, obj, data, shared, stripped)

    def _too_large(self) -> str:
        return f"The file is larger than the limit of {_mb(self.limits.max_bytes)}."

    def _precheck(self, slot: Attachment, obj) -> tuple[RejectReason | None, str | None]:
        if slot.arrived_too_late(obj.last_modified):
            return RejectReason.EXPIRED, (
                "The file arrived after the upload form had expired. Request a new one."
            )
        if obj.size == 0:
            return RejectReason.EMPTY, "The file is empty."
        if obj.size > self.limits.max_bytes:
            return RejectReason.TOO_LARGE, self._too_large()
        return None, None

    def _inspect(self, slot: Attachment, data: bytes):
        actual = media.sniff(data)
        if actual != slot.content_type:
            found = f"looks like {actual}" if actual else "is of an unrecognised type"
            detail = f"The file was declared as {slot.content_type} but its content {found}."
            return RejectReason.TYPE_MISMATCH, detail, b"", ()
        try:
            shared, stripped = media.strip_metadata(slot.content_type, data)
        except media.MalformedFile as e:
            return RejectReason.MALFORMED, f"The file is damaged: {e}.", b"", ()
        return None, None, shared, stripped

    def _reject(self, slot: Attachment, reason: RejectReason, detail: str) -> Outcome:
        # Recorded first, removed second: if the delete fails, the redelivery finds the
        # slot decided and deletes again. Nobody can fetch a slot that is not accepted.
        with contextlib.suppress(AttachmentAlreadyDecided):
            self.attachments.reject(slot.rejected(reason, detail, self.clock.now()))
        removed = self.store.delete_all_versions(slot.incoming_key)
        log.warning(
            "upload rejected",
            extra={
                "tracking_id": slot.tracking_id,
                "attachment_id": slot.id,
                "reason": reason.value,
                "versions_removed": removed,
            },
        )
        return Outcome("rejected", reason.value)

    def _accept(self, slot, obj, data: bytes, shared: bytes, stripped) -> Outcome:
        digest = hashlib.sha256(data).hexdigest()
        original_key = policy.stored_key(slot.tracking_id, slot.id, digest, "original")
        self.store.copy(slot.incoming_key, obj.version_id, original_key, slot.content_type)
        shared_key = shared_digest = None
        if shared != data:
            shared_key = policy.stored_key(slot.tracking_id, slot.id, digest, "shared")
            shared_digest = hashlib.sha256(shared).hexdigest()
            self.store.put(shared_key, shared, slot.content_type)
        now = self.clock.now()
        accepted = slot.accepted(
            size=len(data),
            sha256=digest,
            uploaded_at=obj.last_modified,
            version_id=obj.version_id,
            original_key=original_key,
            shared_key=shared_key,
            shared_size=len(shared) if shared_key else None,
            shared_sha256=shared_digest,
            stripped=tuple(stripped),
            decided_at=now,
        )
        for _ in range(_ATTEMPTS):
            uow = self.uow()
            report = uow.reports.get(slot.tracking_id)
            report.add_attachment(
                slot.id,
                actor=slot.uploaded_by,
                at=now,
                note=f"attachment {slot.id} ({slot.content_type}, {len(data)} bytes)",
            )
            uow.attachments.decide(accepted)
            uow.reports.save(report)
            try:
                uow.commit()
            except ConcurrentUpdate:
                continue
            except AttachmentAlreadyDecided:
                self._drop_copies_if_unused(accepted)
                self.store.delete_all_versions(slot.incoming_key)
                return Outcome("duplicate")
            break
        else:
            raise ConcurrentUpdate(slot.tracking_id)
        self.store.delete_all_versions(slot.incoming_key)
        log.info(
            "attachment accepted",
            extra={"tracking_id": slot.tracking_id, "attachment_id": slot.id, "size": len(data)},
        )
        # The attachment is stored and listed whatever happens; events not passed on are
        # kept on the report for the scheduler.
        messagebus.handle_or_keep(
            uow.collect_new_events(),
            {report.tracking_id: report},
            self.outlets,
            lambda tid, events: self.reports.remember_unsent(tid, events, self.clock.now()),
        )
        return Outcome("accepted")

    def _drop_copies_if_unused(self, loser: Attachment) -> None:
        winner = self.attachments.get(loser.tracking_id, loser.id)
        kept = {winner.original_key, winner.shared_key} if winner else set()
        for key in (loser.original_key, loser.shared_key):
            if key and key not in kept:
                self.store.delete_all_versions(key)

    # ------------------------------------------------------------ reading

    def listing(self, raw_id: str, caller: Caller) -> Listing:
        return self.listing_of(self._load(raw_id), caller)

    def listing_of(self, report: Report, caller: Caller) -> Listing:
        audience = self.audience(report, caller)
        self._check_read(audience, report, caller)
        return self._listing(report, audience)

    def for_reporter(self, report: Report) -> Listing:
        """The reporter's list (the caller has already checked the token)."""
        return self._listing(report, Audience.REPORTER)

    def _listing(self, report: Report, audience: Audience) -> Listing:
        items, _ = self.attachments.slots(report.tracking_id)
        now = self.clock.now()
        if policy.sees_all_slots(audience):
            shown = [a if a.status_at(now) is a.status else _as_expired(a) for a in items]
        else:
            shown = [a for a in items if a.status is AttachmentStatus.ACCEPTED]
        shown.sort(key=lambda a: (a.created_at, a.id))
        return Listing(report, audience, shown)

    @staticmethod
    def _check_read(audience: Audience, report: Report, caller: Caller) -> None:
        if not policy.may_read(audience, report):
            raise NotAllowed(
                "Attachments of confidential and anonymous reports are only for the "
                "reporter, the assigned agency and platform admins.",
                authenticated=caller.authenticated,
            )

    def download_url(self, raw_id: str, attachment_id: str, caller: Caller) -> str:
        report = self._load(raw_id)
        audience = self.audience(report, caller)
        self._check_read(audience, report, caller)
        found = None
        if policy.is_attachment_id(attachment_id):
            found = self.attachments.get(report.tracking_id, attachment_id)
        if found is None or found.status is not AttachmentStatus.ACCEPTED:
            raise AttachmentNotFound(attachment_id)
        if policy.gets_original(audience) or found.shared_key is None:
            key = found.original_key
        else:
            key = found.shared_key
        return self.store.presign_download(
            key,
            filename=policy.shown_filename(found, audience, report),
            content_type=found.content_type,
            inline=found.content_type.startswith("image/"),
            expires_in=self.limits.url_seconds,
        )


def _uploader(actor: Actor) -> str:
    """Whose quota a slot counts against: the reporter (also media arriving on their
    channel), the agency's staff, or the platform admins."""
    if actor.kind in ("reporter", "system"):
        return "reporter"
    return "admin" if actor.kind == "platform_admin" else "agency"


def _as_expired(attachment: Attachment) -> Attachment:
    return dataclasses.replace(attachment, status=AttachmentStatus.EXPIRED)
