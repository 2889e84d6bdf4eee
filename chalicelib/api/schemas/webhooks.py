"""What agencies receive (outbound webhooks and their SQS queues)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import ConfigDict, Field

from ...domain.report import ReportKind
from ...domain.status import Status
from .base import _Out
from .views import AgencyRefOut, LocationOut, ReporterOut


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
