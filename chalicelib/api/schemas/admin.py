"""Administration: agencies, webhook targets, deliveries, the verification queue and
the audited identity reads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from ...domain import regions
from ...domain.report import ReportKind
from ..path_params import AGENCY_ID, TRACKING_ID
from .base import _In, _Out
from .directory import AgencyOut
from .views import DeadlineOut, ReporterOut, RoutingOut


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


class QueueQuery(_In):
    model_config = ConfigDict(extra="forbid", strict=False)
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Annotated[str, Field(max_length=100)] | None = None


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
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page.")


class DisposeIn(_In):
    agency_id: Annotated[str, Field(pattern=AGENCY_ID)]
    note: Annotated[str, Field(max_length=1000)] | None = None


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
