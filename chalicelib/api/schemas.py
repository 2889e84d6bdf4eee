"""Request and response models: they validate requests and generate /openapi.json."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..domain import regions
from ..domain.report import ReportKind
from ..domain.status import Status
from .path_params import AGENCY_ID, TRACKING_ID

JAKARTA = timezone(timedelta(hours=7))
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

# -- numbers: every number a client sends is bounded (and coordinates rounded) here, so
# nothing DynamoDB cannot store (38 digits, magnitude 1e-130..1e126) reaches a write.

MAX_INT = 2**53 - 1  # exact as a JSON double, far inside DynamoDB's 38 digits
_DYNAMODB_SMALLEST = 1e-130
COORDINATE_DECIMALS = 7  # about 1 cm; a phone's fix is metres at best


def _whole_number(value):
    # JSON has one number type: 5.0 is the integer 5 (JSON Schema agrees); 5.5 is not.
    # Strict mode would refuse every float.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _coordinate_in(value):
    if isinstance(value, bool):
        return value  # strict float refuses it
    if isinstance(value, int):
        # a 401-digit integer must not reach float() (OverflowError)
        if abs(value) > 10**15:
            raise ValueError("must be a coordinate in degrees")
        return float(value)
    if isinstance(value, float) and value != 0 and abs(value) < _DYNAMODB_SMALLEST:
        raise ValueError("must be 0 or at least 1e-130 in magnitude")
    return value


def _coordinate_out(value: float) -> float:
    return round(value, COORDINATE_DECIMALS) + 0.0  # + 0.0: no negative zero


def whole_number(ge: int = -MAX_INT, le: int = MAX_INT):
    """An integer field that also takes 5.0 (constraints before validators, or pydantic
    cannot show them in the JSON schema)."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_whole_number)]


Latitude = Annotated[
    float,
    Field(ge=-90, le=90, description="Degrees; kept to 7 decimals."),
    BeforeValidator(_coordinate_in),
    AfterValidator(_coordinate_out),
]
Longitude = Annotated[
    float,
    Field(ge=-180, le=180, description="Degrees; kept to 7 decimals."),
    BeforeValidator(_coordinate_in),
    AfterValidator(_coordinate_out),
]

ByteCount = whole_number(ge=1)


# defer_build: a model's validator and serializer are built the first time it is used,
# not when this module loads (a cold start uses a few of these ~70 models).


class _In(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, strict=True, defer_build=True
    )


class _Out(BaseModel):
    # Every field is always sent (null when empty): the documented schema says so.
    model_config = ConfigDict(
        use_enum_values=True, json_schema_serialization_defaults_required=True, defer_build=True
    )


# ---------------------------------------------------------------- requests


class ReporterIn(_In):
    """Who is reporting. Required unless the report is anonymous: a name and at least one
    way to reach the reporter (phone or e-mail). Never shown to agencies or the public
    for anonymous reports."""

    name: Annotated[str, Field(min_length=2, max_length=100)] | None = None
    phone: (
        Annotated[
            str,
            Field(
                max_length=32,
                description="Indonesian numbers may be written locally (0812-3456-7890); "
                "stored in E.164 (+6281234567890).",
            ),
        ]
        | None
    ) = None
    email: Annotated[str, Field(max_length=254)] | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        import phonenumbers  # loaded on first use, not at cold start

        try:
            number = phonenumbers.parse(value, "ID")
        except phonenumbers.NumberParseException:
            raise ValueError("not a phone number") from None
        if not phonenumbers.is_valid_number(number):
            raise ValueError("not a valid phone number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value.lower() if value else value


class LocationIn(_In):
    lat: Latitude
    lon: Longitude


# The reporter-unless-anonymous rule, as JSON Schema (the model validator enforces it).
_REPORTER_UNLESS_ANONYMOUS = {
    "if": {"properties": {"anonymous": {"const": False}}},
    "then": {
        "required": ["reporter"],
        "properties": {
            "reporter": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
                "anyOf": [
                    {"required": ["phone"], "properties": {"phone": {"type": "string"}}},
                    {"required": ["email"], "properties": {"email": {"type": "string"}}},
                ],
            }
        },
    },
}


class SubmitReportIn(_In):
    """A report. Unless it is anonymous, reporter.name and reporter.phone or reporter.email
    are required."""

    model_config = ConfigDict(json_schema_extra=_REPORTER_UNLESS_ANONYMOUS)
    kind: ReportKind = Field(description="complaint, aspiration or information_request")
    title: Annotated[str, Field(min_length=5, max_length=150)]
    description: Annotated[str, Field(min_length=20, max_length=4000)]
    category: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,64}$")] | None = Field(
        None, description="A code from GET /v1/categories. Leave out if unsure."
    )
    region: Annotated[str, Field(max_length=13)] | None = Field(
        None, description="Kemendagri region code, e.g. 32.73 (Kota Bandung)."
    )
    location: LocationIn | None = None
    incident_date: date | None = Field(None, description="ISO date, not in the future.")
    anonymous: bool = Field(
        False, description="Hide the reporter's identity from agencies and the public."
    )
    confidential: bool = Field(
        False, description="Keep the content out of public listings and open data."
    )
    reporter: ReporterIn | None = None
    language: Literal["id", "en"] = Field(
        "id", description="Language of the messages the reporter receives."
    )

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value):
        # strict mode would want an enum instance; JSON gives a string
        if isinstance(value, str):
            try:
                return ReportKind(value)
            except ValueError:
                pass
        raise ValueError("must be one of: " + ", ".join(k.value for k in ReportKind))

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return regions.normalise_region_code(value) if value is not None else None

    @field_validator("incident_date")
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        if value is not None and value > datetime.now(JAKARTA).date():
            raise ValueError("must not be in the future")
        return value

    @model_validator(mode="after")
    def _reporter_required(self):
        if self.anonymous:
            return self
        r = self.reporter
        if r is None or not r.name or not (r.phone or r.email):
            raise ValueError(
                "reporter.name and reporter.phone or reporter.email are required "
                "unless the report is anonymous"
            )
        return self


class AttachmentSlotIn(_In):
    filename: Annotated[str, Field(min_length=1, max_length=255)] = Field(
        description="The file's name as the user knows it (shown to the reporter)."
    )
    content_type: Annotated[str, Field(min_length=3, max_length=100)] = Field(
        description="image/jpeg, image/png, image/webp or application/pdf (configurable)."
    )
    size: ByteCount = Field(description="Bytes. At most the configured limit (10 MB by default).")


# ---------------------------------------------------------------- responses


class Link(_Out):
    href: str


class SubmittedOut(_Out):
    tracking_id: str = Field(description="10 symbols; quote it in SMS and calls.")
    access_token: str = Field(
        description="Shown once. Send it as X-Report-Token to see the full report."
    )
    status: Status
    status_label: str
    created_at: datetime
    links: dict[str, Link]


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


class CategoryOut(_Out):
    code: str
    name: str
    name_en: str | None = None
    scope: Literal["national", "regional"] | str
    description: str | None = None


class CategoryList(_Out):
    items: list[CategoryOut]


class AgencyOut(_Out):
    id: str
    name: str
    short_name: str | None = None
    type: str
    parent_id: str | None = None
    region_code: str | None = None
    categories: list[str]
    website: str | None = None
    email: str | None = None


class AgencyPage(_Out):
    items: list[AgencyOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page.")


class AgencyListQuery(_In):
    model_config = ConfigDict(extra="forbid", strict=False)
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Annotated[str, Field(max_length=512)] | None = None


class MeOut(_Out):
    subject: str
    username: str
    roles: list[str]
    agency_id: str | None = None


class IndexOut(_Out):
    name: str
    version: str
    links: dict[str, Link] = Field(description="docs, openapi, health, reports.")


class HealthOut(_Out):
    status: Literal["ok"]
    stage: str


class ProblemOut(_Out):
    """RFC 9457 problem details (members without a value are left out; extension members
    such as current_status or allowed_actions may follow)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=False)
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict] | None = Field(
        None, description="For validation errors: [{field, message, type}]."
    )


# ---------------------------------------------------------------- admin


class AgencyIn(_In):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)
    id: Annotated[str, Field(pattern=AGENCY_ID)] | None = Field(
        None, description="Slug; taken from the path on PUT."
    )
    name: Annotated[str, Field(min_length=3, max_length=200)]
    short_name: Annotated[str, Field(max_length=80)] | None = None
    type: Literal["ministry", "institution", "local_government", "soe"]
    parent_id: Annotated[str, Field(pattern=AGENCY_ID)] | None = None
    region_code: Annotated[str, Field(max_length=13)] | None = None
    categories: Annotated[
        list[Annotated[str, Field(pattern=r"^[a-z0-9-]{2,64}$")]], Field(max_length=100)
    ] = []
    email: Annotated[str, Field(max_length=254)] | None = None
    website: Annotated[str, Field(max_length=200)] | None = None
    active: bool = True
    sqs_queue_url: (
        Annotated[
            str,
            Field(
                pattern=r"^https://sqs\.[a-z0-9-]+\.amazonaws\.com/"
                r"\d{12}/[A-Za-z0-9_-]{1,80}(\.fifo)?$|"
                r"^http://127\.0\.0\.1:\d+/\d{12}/"
                r"[A-Za-z0-9_-]{1,80}(\.fifo)?$"
            ),
        ]
        | None
    ) = Field(None, description="The agency's own SQS queue for report events.")

    @field_validator("region_code")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return regions.normalise_region_code(value) if value is not None else None

    @model_validator(mode="after")
    def _local_needs_region(self):
        if self.type == "local_government" and not self.region_code:
            raise ValueError("region_code is required for a local government")
        return self


class AgencyCreateIn(AgencyIn):
    id: Annotated[str, Field(pattern=AGENCY_ID)] = Field(description="Slug, e.g. pemkot-cimahi.")


class AgencyAdminOut(AgencyOut):
    active: bool
    sqs_queue_url: str | None = None


class WebhookIn(_In):
    url: Annotated[str, Field(max_length=2000)]
    events: Annotated[list[str], Field(min_length=1, max_length=10)] = ["report.assigned"]


class WebhookOut(_Out):
    id: str
    agency_id: str
    url: str
    events: list[str]
    active: bool
    disabled_reason: str | None = None
    created_at: datetime
    updated_at: datetime


class WebhookSecretOut(WebhookOut):
    secret: str = Field(description="Standard Webhooks signing secret (whsec_...). Shown once.")


class WebhookList(_Out):
    items: list[WebhookOut]


class DeliveriesQuery(_In):
    """Either one report's attempts (``tracking_id``) or an agency's failed ones
    (``agency_id``, optionally one ``outcome``: ``gave_up`` = dead-lettered)."""

    model_config = ConfigDict(extra="forbid", strict=False)
    tracking_id: Annotated[str, Field(pattern=TRACKING_ID)] | None = None
    agency_id: Annotated[str, Field(pattern=AGENCY_ID)] | None = None
    outcome: Literal["retry", "gave_up", "disabled", "skipped"] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Annotated[str, Field(max_length=1024)] | None = None


class DeliveryOut(_Out):
    delivery_id: str
    tracking_id: str
    event_type: str
    agency_id: str
    target_type: str
    target_id: str
    attempt: int
    outcome: str
    http_status: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    at: datetime


class DeliveryList(_Out):
    items: list[DeliveryOut]
    next_cursor: str | None = Field(
        None, description="With agency_id: pass as ?cursor= for the next page."
    )


class RoutingOut(_Out):
    rule: str
    reason: str
    decided_at: datetime
    decided_by: str
    agency_id: str | None = None


class QueueQuery(_In):
    model_config = ConfigDict(extra="forbid", strict=False)
    limit: Annotated[int, Field(ge=1, le=100)] = 50


class VerificationItem(_Out):
    tracking_id: str
    kind: ReportKind
    title: str
    category: str | None = None
    region: str | None = None
    created_at: datetime
    transferred_at: datetime | None = Field(
        None, description="Set when an agency handed the report back: first in line."
    )
    deadline: DeadlineOut | None = None
    routing: RoutingOut | None = None


class VerificationQueueOut(_Out):
    items: list[VerificationItem]


class DisposeIn(_In):
    agency_id: Annotated[str, Field(pattern=AGENCY_ID)]
    note: Annotated[str, Field(max_length=1000)] | None = None


# ---------------------------------------------------------------- the case workflow

Message = Annotated[str, Field(min_length=1, max_length=5000)]


class MessageIn(_In):
    message: Message


class ReasonIn(_In):
    reason: Annotated[str, Field(min_length=3, max_length=2000)]


class NoteIn(_In):
    note: Annotated[str, Field(max_length=2000)] | None = None


class InternalNoteIn(_In):
    text: Annotated[str, Field(min_length=1, max_length=5000)]


class ArchiveIn(_In):
    reason: Literal["too_general", "not_public_service", "duplicate", "abusive", "no_answer"]
    message: Annotated[str, Field(min_length=3, max_length=2000)] = Field(
        description="Shown to the reporter."
    )
    duplicate_of: Annotated[str, Field(pattern=TRACKING_ID)] | None = Field(
        None, description="Required with reason duplicate: the report it duplicates."
    )


class RerouteIn(_In):
    agency_id: Annotated[str, Field(pattern=AGENCY_ID)]
    reason: Annotated[str, Field(min_length=3, max_length=2000)]


class TransferIn(_In):
    reason: Annotated[str, Field(min_length=3, max_length=2000)] = Field(
        description="Why this is not your agency's authority."
    )
    suggested_agency: Annotated[str, Field(pattern=AGENCY_ID)] | None = None


class RatingIn(_In):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=False)
    score: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=1000)] | None = None


class IdentityReadIn(_In):
    reason: Annotated[str, Field(min_length=10, max_length=500)] = Field(
        description="Why you need the identity; written to the identity-access log."
    )


class IdentityOut(_Out):
    tracking_id: str
    reporter: ReporterOut | None
    logged: bool = True


class IdentityAccessOut(_Out):
    tracking_id: str
    admin: str
    reason: str
    at: datetime


class IdentityLogOut(_Out):
    items: list[IdentityAccessOut]


class IdentityLogQuery(_In):
    model_config = ConfigDict(extra="forbid", strict=False)
    tracking_id: Annotated[str, Field(pattern=TRACKING_ID)] | None = None
    month: Annotated[str, Field(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 100


class InboxQuery(_In):
    model_config = ConfigDict(extra="forbid", strict=False)
    status: Annotated[str, Field(pattern=r"^[a-z_]+(,[a-z_]+)*$")] = Field(
        "awaiting_followup,in_progress",
        description="Comma-separated: awaiting_followup, in_progress, completed.",
    )
    overdue: bool = False
    category: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,64}$")] | None = None
    agency_id: Annotated[str, Field(pattern=AGENCY_ID)] | None = Field(
        None, description="Platform admins: whose inbox. Staff: one of their sub-units."
    )
    limit: Annotated[int, Field(ge=1, le=100)] = 25
    cursor: Annotated[str, Field(max_length=200)] | None = None


class InboxItem(_Out):
    tracking_id: str
    kind: ReportKind
    title: str
    category: str | None = None
    region: str | None = None
    agency: AgencyRefOut | None = None
    status: Status
    status_label: str
    deadline: DeadlineOut | None = None
    awaiting_reporter: bool
    anonymous: bool
    confidential: bool
    created_at: datetime
    updated_at: datetime


class InboxOut(_Out):
    items: list[InboxItem]
    next_cursor: str | None = None


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


# ---------------------------------------------------------------- access links


class AccessLinkIn(_In):
    """The contact the reporter gave when reporting: an e-mail address (any case) or a
    phone number (Indonesian numbers may be written locally)."""

    contact: Annotated[str, Field(min_length=3, max_length=254)]

    @field_validator("contact")
    @classmethod
    def _contact(cls, value: str) -> str:
        field = "email" if "@" in value else "phone"
        try:
            return getattr(ReporterIn(**{field: value}), field)
        except ValidationError:
            raise ValueError("neither an e-mail address nor a phone number") from None

    @property
    def kind(self) -> Literal["email", "phone"]:
        return "email" if "@" in self.contact else "phone"


class AccessLinkOut(_Out):
    status: Literal["accepted"] = "accepted"
    message: str


# ---------------------------------------------------------------- webhooks (outbound)


class WebhookReportData(_Out):
    """The report as an agency receives it: an anonymous report has no ``reporter`` key at
    all, a region no finer than the regency and coordinates rounded to about 1 km."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=False)
    tracking_id: str
    kind: ReportKind
    status: Status
    status_label: str
    title: str
    description: str
    category: str | None
    region: str | None
    location: LocationOut | None
    incident_date: date | None
    created_at: datetime
    agency: AgencyRefOut | None
    anonymous: bool
    confidential: bool
    channel: str
    reporter: ReporterOut | None = Field(
        None, description="Left out (no key) for anonymous reports."
    )
    change: dict | None = Field(
        None,
        description="Every event but report.assigned: the timeline entry (seq) and what "
        "changed (codes and ids).",
    )


class WebhookLostReport(_Out):
    """report.transferred to the agency that no longer has the report: ids only."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=False)
    tracking_id: str
    status: Status
    change: dict | None = None


class WebhookEventOut(_Out):
    type: str = Field(description="The event type (also the webhook's subscription name).")
    timestamp: datetime
    data: WebhookReportData | WebhookLostReport
