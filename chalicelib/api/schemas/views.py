"""A report as each audience sees it, its timeline, deadline, attachments and the
answer to an action."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from ...domain.report import ReportKind
from ...domain.status import Status
from .base import ByteCount, Link, _In, _Out


class AttachmentSlotIn(_In):
    filename: Annotated[str, Field(min_length=1, max_length=255)] = Field(
        description="The file's name as the user knows it (shown to the reporter)."
    )
    content_type: Annotated[str, Field(min_length=3, max_length=100)] = Field(
        description="image/jpeg, image/png, image/webp or application/pdf (configurable)."
    )
    size: ByteCount = Field(description="Bytes. At most the configured limit (10 MB by default).")


class CategoryRef(_Out):
    code: str
    name: str | None = None


class AgencyRefOut(_Out):
    id: str
    name: str


class PublicReportOut(_Out):
    view: Literal["public"] = Field("public", description="Which view this is.")
    tracking_id: str
    kind: ReportKind
    status: Status
    status_label: str
    category: CategoryRef | None = None
    region: str | None = Field(None, description="No finer than the regency for anonymous reports.")
    agency: AgencyRefOut | None = None
    confidential: bool
    title: str | None = Field(None, description="Left out for confidential reports.")
    description: str | None = Field(None, description="Left out for confidential reports.")
    created_at: datetime
    updated_at: datetime
    timeline: list[TimelineEventOut] | None = Field(
        None,
        description="The agency's responses and the reporter's replies (never identity or "
        "internal notes); empty for confidential reports.",
    )


class ReporterOut(_Out):
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    account: str | None = Field(
        None, description="The reporter's id on the channel they wrote from (Messenger, X)."
    )


class LocationOut(_Out):
    lat: float
    lon: float


class TimelineEventOut(_Out):
    seq: int
    at: datetime
    action: str
    actor: str = Field(
        description="reporter, system, agency or admin; staff see officer, agency_admin, "
        "platform_admin"
    )
    actor_id: str | None = Field(None, description="Staff views only: who exactly.")
    from_status: Status | None = None
    to_status: Status
    to_status_label: str
    note: str | None = None
    visibility: Literal["public", "reporter", "staff"] = "public"


class DeadlineOut(_Out):
    kind: Literal["verification", "first_response", "completion"]
    due: datetime = Field(description="The end of the last working day (Asia/Jakarta).")
    warn_at: datetime | None = None
    state: Literal["open", "warned", "overdue"]
    overdue: bool


class RatingOut(_Out):
    score: int
    comment: str | None = None
    at: datetime


class ArchivalOut(_Out):
    reason: str
    message: str
    at: datetime


class AttachmentOut(_Out):
    id: str
    filename: str = Field(
        description="Only the reporter and platform admins see the original name; "
        "others see a neutral one (lampiran-<id>.<ext>)."
    )
    content_type: str
    status: Literal["pending", "accepted", "rejected", "expired"]
    size: int | None = Field(None, description="Bytes of the copy this caller downloads.")
    sha256: str | None = Field(None, description="SHA-256 of the copy this caller downloads.")
    uploaded_at: datetime | None = None
    created_at: datetime
    reason: str | None = Field(
        None, description="Why a rejected upload was refused (too_large, type_mismatch...)."
    )
    reason_detail: str | None = None
    metadata_removed: list[str] | None = Field(
        None,
        description="What was stripped from the copy shared with others than the reporter "
        "(exif, xmp, iptc, comment, text...).",
    )
    links: dict[str, Link]


class AttachmentList(_Out):
    items: list[AttachmentOut]


class UploadFormOut(_Out):
    url: str
    method: Literal["POST"]
    fields: dict[str, str] = Field(
        description="Send every field as multipart/form-data, then the file as `file` (last)."
    )
    expires_at: datetime
    max_bytes: int


class UploadSlotOut(_Out):
    attachment: AttachmentOut
    upload: UploadFormOut


class ReporterReportOut(PublicReportOut):
    view: Literal["reporter"] = Field("reporter", description="Which view this is.")
    title: str
    description: str
    anonymous: bool
    channel: str
    location: LocationOut | None = None
    incident_date: date | None = None
    reporter: ReporterOut | None = None
    timeline: list[TimelineEventOut]
    attachments: list[AttachmentOut] = []
    deadline: DeadlineOut | None = None
    awaiting_reporter: bool = Field(False, description="The agency asked you for more.")
    archival: ArchivalOut | None = None
    duplicate_of: str | None = None
    rating: RatingOut | None = None
    reopen_until: datetime | None = None
    allowed_actions: list[str] = Field(description="What you may do now.")


class StaffReportOut(ReporterReportOut):
    view: Literal["staff"] = Field("staff", description="Which view this is.")
    identity_withheld: bool = Field(
        description="An anonymous reporter left an identity that only platform admins may "
        "read, through the audited route."
    )
    routing: RoutingOut | None = None
    duplicates: list[str] = []
    first_response_at: datetime | None = None
    final_response_at: datetime | None = None
    completed_at: datetime | None = None
    version: int | None = Field(None, description="Optimistic-locking version.")


class RoutingOut(_Out):
    rule: str
    reason: str
    decided_at: datetime
    decided_by: str
    agency_id: str | None = None


class ActionOut(_Out):
    """What an action did: the report's new state and the timeline entry it added."""

    tracking_id: str
    status: Status
    status_label: str
    version: int | None = None
    deadline: DeadlineOut | None = None
    awaiting_reporter: bool
    allowed_actions: list[str]
    recorded: TimelineEventOut | None = None
    notified: bool = Field(
        True, description="False: done, but telling others failed (logged; operators retry)."
    )
