"""Attachments: evidence a reporter (or the assigned agency) adds to a report.

An attachment starts as a *pending* slot: the server picks the object key and hands out a
short-lived upload form. The upload itself is never trusted: after it lands, the object is
checked (size, magic bytes, that a pending slot expects it) and the slot becomes
*accepted* or *rejected* with a reason the reporter sees. A pending slot whose upload never
came is shown as *expired*. Pure Python, no I/O.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from . import tracking_id as tracking_ids
from .report import Actor, Report

# Where clients upload (the bucket notifies only for this prefix; a lifecycle rule removes
# anything left here), and where accepted files are kept.
INCOMING_PREFIX = "incoming/"
STORED_PREFIX = "attachments/"

# An upload may finish a little after its form expired (S3 checks the expiry when the
# request starts, the object's time is when it ends); past this it is refused.
UPLOAD_GRACE = timedelta(minutes=2)

_ID_ALPHABET = "23456789abcdefghjkmnpqrstvwxyz"  # no look-alikes, lower case
_ID_LENGTH = 12
_ID_RE = re.compile(rf"^[{_ID_ALPHABET}]{{{_ID_LENGTH}}}$")
MAX_FILENAME = 120

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


class AttachmentStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"  # shown for a pending slot past its upload window; never stored


class RejectReason(StrEnum):
    TOO_LARGE = "too_large"
    EMPTY = "empty"
    TYPE_MISMATCH = "type_mismatch"
    MALFORMED = "malformed"
    EXPIRED = "expired"


class Audience(StrEnum):
    """Who is asking, as far as a report's attachments are concerned."""

    REPORTER = "reporter"
    PLATFORM_ADMIN = "platform_admin"
    ASSIGNED_AGENCY = "assigned_agency"
    PUBLIC = "public"  # anyone else, signed in or not


def new_attachment_id(choice=secrets.choice) -> str:
    return "".join(choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))


def is_attachment_id(text: str) -> bool:
    return bool(_ID_RE.match(text))


def incoming_key(tracking_id: str, attachment_id: str) -> str:
    return f"{INCOMING_PREFIX}{tracking_id}/{attachment_id}"


def parse_incoming_key(key: str) -> tuple[str, str] | None:
    """(tracking_id, attachment_id) for a key this platform hands out, else None."""
    if not key.startswith(INCOMING_PREFIX):
        return None
    parts = key[len(INCOMING_PREFIX) :].split("/")
    if len(parts) != 2 or not tracking_ids.is_valid(parts[0]) or not is_attachment_id(parts[1]):
        return None
    return parts[0], parts[1]


def stored_key(tracking_id: str, attachment_id: str, sha256: str, variant: str) -> str:
    """Accepted files live under a key that names their content, so two uploads racing
    for one slot can never overwrite each other's copy."""
    return f"{STORED_PREFIX}{tracking_id}/{attachment_id}/{sha256[:16]}/{variant}"


def clean_filename(name: str) -> str:
    """The name to show for an upload: no directories, no control characters, at most
    MAX_FILENAME characters (the extension kept). Raises ValueError when nothing is left."""
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"\s+", " ", base).strip().strip(".")
    base = base.replace('"', "'")
    if not base:
        raise ValueError("the file name is empty")
    if len(base) > MAX_FILENAME:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            base = stem[: MAX_FILENAME - len(ext) - 1] + "." + ext
        else:
            base = base[:MAX_FILENAME]
    return base


@dataclass(frozen=True)
class Attachment:
    tracking_id: str
    id: str
    filename: str
    content_type: str
    declared_size: int
    status: AttachmentStatus
    created_at: datetime
    upload_expires_at: datetime
    uploaded_by: Actor
    size: int | None = None
    sha256: str | None = None
    uploaded_at: datetime | None = None
    version_id: str | None = None  # the version of the upload that was accepted
    original_key: str | None = None
    shared_key: str | None = None  # metadata-stripped copy; None: the original is shared
    shared_size: int | None = None
    shared_sha256: str | None = None
    stripped: tuple[str, ...] = ()  # what was removed from the shared copy
    reason: RejectReason | None = None
    reason_detail: str | None = None
    decided_at: datetime | None = None

    @classmethod
    def open(
        cls,
        report: Report,
        *,
        filename: str,
        content_type: str,
        declared_size: int,
        by: Actor,
        at: datetime,
        window: timedelta,
        new_id=new_attachment_id,
    ) -> Attachment:
        return cls(
            tracking_id=report.tracking_id,
            id=new_id(),
            filename=clean_filename(filename),
            content_type=content_type,
            declared_size=declared_size,
            status=AttachmentStatus.PENDING,
            created_at=at,
            upload_expires_at=at + window,
            uploaded_by=by,
        )

    @property
    def incoming_key(self) -> str:
        return incoming_key(self.tracking_id, self.id)

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "bin")

    def arrived_too_late(self, at: datetime) -> bool:
        return at > self.upload_expires_at + UPLOAD_GRACE

    def status_at(self, now: datetime) -> AttachmentStatus:
        if self.status is AttachmentStatus.PENDING and self.arrived_too_late(now):
            return AttachmentStatus.EXPIRED
        return self.status

    def is_live(self, now: datetime) -> bool:
        """Counts against the per-report limit: accepted, or still waiting for its upload."""
        return self.status_at(now) in (AttachmentStatus.ACCEPTED, AttachmentStatus.PENDING)

    def accepted(self, **fields) -> Attachment:
        return dataclasses.replace(self, status=AttachmentStatus.ACCEPTED, **fields)

    def rejected(self, reason: RejectReason, detail: str, at: datetime) -> Attachment:
        return dataclasses.replace(
            self,
            status=AttachmentStatus.REJECTED,
            reason=reason,
            reason_detail=detail,
            decided_at=at,
        )


# ---------------------------------------------------------------- who may do what


def may_upload(audience: Audience) -> bool:
    return audience is not Audience.PUBLIC


def may_read(audience: Audience, report: Report) -> bool:
    """Confidential and anonymous reports' files only for the reporter, platform admins
    and the assigned agency; other reports' accepted files are public."""
    if audience is not Audience.PUBLIC:
        return True
    return not (report.confidential or report.anonymous)


def sees_all_slots(audience: Audience) -> bool:
    """Pending and rejected slots (with the reason) are shown to those who can act on them."""
    return audience in (Audience.REPORTER, Audience.PLATFORM_ADMIN)


def gets_original(audience: Audience) -> bool:
    """Only the reporter gets the file exactly as uploaded; everyone else the copy without
    embedded metadata (GPS position, camera serial, author, comments)."""
    return audience is Audience.REPORTER


def shown_filename(attachment: Attachment, audience: Audience, report: Report) -> str:
    """A file name can identify a person ("KTP_3273012345678901.jpg", "Siti Rahayu.pdf"),
    on any report, anonymous or not: only the reporter and platform admins see it; the
    agency and the public see a neutral name."""
    if audience in (Audience.REPORTER, Audience.PLATFORM_ADMIN):
        return attachment.filename
    return f"lampiran-{attachment.id}.{attachment.extension}"
