"""PynamoDB models: the item shapes stored in the tables defined in infra/resources.json."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from ..config import settings
from .aws_clients import share_session_with_pynamodb

_cfg = settings()
share_session_with_pynamodb()  # one botocore session for every table (cold start)

OUTBOX_PENDING = "pending"
VERIFICATION_PENDING = "pending"


class _Meta:
    region = _cfg.region
    # Lambda reuses connections; keep retries modest so a slow table fails fast.
    max_retry_attempts = 3
    connect_timeout_seconds = 2
    read_timeout_seconds = 5


class ReporterMap(MapAttribute):
    name = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)


class LocationMap(MapAttribute):
    lat = NumberAttribute()
    lon = NumberAttribute()


class RoutingMap(MapAttribute):
    rule = UnicodeAttribute()
    reason = UnicodeAttribute()
    decided_at = UTCDateTimeAttribute()
    decided_by = UnicodeAttribute()
    agency_id = UnicodeAttribute(null=True)


class VerificationIndex(GlobalSecondaryIndex):
    """Sparse index: the admins' verification queue, oldest first."""

    class Meta:
        index_name = "verification"
        projection = KeysOnlyProjection()

    verification = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OutboxIndex(GlobalSecondaryIndex):
    """Sparse index of reports whose ``report.submitted`` the router has not acknowledged."""

    class Meta:
        index_name = "outbox"
        projection = KeysOnlyProjection()

    outbox = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ReportItem(Model):
    class Meta(_Meta):
        table_name = _cfg.reports_table

    tracking_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute()
    channel = UnicodeAttribute()
    anonymous = BooleanAttribute()
    confidential = BooleanAttribute()
    reporter = ReporterMap(null=True)
    category = UnicodeAttribute(null=True)
    region = UnicodeAttribute(null=True)
    location = LocationMap(null=True)
    incident_date = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    agency_id = UnicodeAttribute(null=True)
    agency_name = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    access_token_hash = UnicodeAttribute()
    event_count = NumberAttribute(default=0)
    routing = RoutingMap(null=True)
    outbox = UnicodeAttribute(null=True)
    verification = UnicodeAttribute(null=True)
    version = VersionAttribute()

    outbox_index = OutboxIndex()
    verification_index = VerificationIndex()


class ReportEventItem(Model):
    class Meta(_Meta):
        table_name = _cfg.report_events_table

    tracking_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    at = UTCDateTimeAttribute()
    action = UnicodeAttribute()
    actor_kind = UnicodeAttribute()
    actor_id = UnicodeAttribute(null=True)
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute()
    note = UnicodeAttribute(null=True)


class IdempotencyItem(Model):
    class Meta(_Meta):
        table_name = _cfg.idempotency_table

    key = UnicodeAttribute(hash_key=True)  # scope + sha256 of the client's key
    fingerprint = UnicodeAttribute()
    tracking_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class CategoryItem(Model):
    class Meta(_Meta):
        table_name = _cfg.directory_table

    kind = UnicodeAttribute(hash_key=True, default="category")
    id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    name_en = UnicodeAttribute(null=True)
    scope = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    examples = ListAttribute(of=UnicodeAttribute, null=True)
    auto_route = BooleanAttribute(default=True)
    lead_agency = UnicodeAttribute(null=True)


class AgencyItem(Model):
    class Meta(_Meta):
        table_name = _cfg.directory_table

    kind = UnicodeAttribute(hash_key=True, default="agency")
    id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    short_name = UnicodeAttribute(null=True)
    type = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    region_code = UnicodeAttribute(null=True)
    categories = ListAttribute(of=UnicodeAttribute, null=True)
    email = UnicodeAttribute(null=True)
    website = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    sqs_queue_url = UnicodeAttribute(null=True)


class WebhookTargetItem(Model):
    """An agency's webhook endpoint; partition ``webhook#<agency_id>`` of the directory."""

    class Meta(_Meta):
        table_name = _cfg.directory_table

    kind = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)
    agency_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)
    secret = UnicodeAttribute()
    previous_secret = UnicodeAttribute(null=True)
    previous_secret_until = UTCDateTimeAttribute(null=True)
    active = BooleanAttribute(default=True)
    disabled_reason = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class DeliveryItem(Model):
    """One delivery attempt (``attempt#...``) or the marker of a success (``delivered#...``)."""

    class Meta(_Meta):
        table_name = _cfg.deliveries_table

    tracking_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    delivery_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    agency_id = UnicodeAttribute()
    target_id = UnicodeAttribute()
    target_type = UnicodeAttribute()
    attempt = NumberAttribute()
    outcome = UnicodeAttribute()
    http_status = NumberAttribute(null=True)
    latency_ms = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)


SLOTS_COUNTER = "#slots"  # the per-report counter row in the attachments table


class AttachmentItem(Model):
    """An attachment slot, keyed by report; plus one counter row per report
    (``attachment_id == SLOTS_COUNTER``, only ``opened`` set) that serialises new slots."""

    class Meta(_Meta):
        table_name = _cfg.attachments_table

    tracking_id = UnicodeAttribute(hash_key=True)
    attachment_id = UnicodeAttribute(range_key=True)
    opened = NumberAttribute(null=True)  # counter row only
    filename = UnicodeAttribute(null=True)
    content_type = UnicodeAttribute(null=True)
    declared_size = NumberAttribute(null=True)
    status = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    upload_expires_at = UTCDateTimeAttribute(null=True)
    actor_kind = UnicodeAttribute(null=True)
    actor_id = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    sha256 = UnicodeAttribute(null=True)
    uploaded_at = UTCDateTimeAttribute(null=True)
    version_id = UnicodeAttribute(null=True)
    original_key = UnicodeAttribute(null=True)
    shared_key = UnicodeAttribute(null=True)
    shared_size = NumberAttribute(null=True)
    shared_sha256 = UnicodeAttribute(null=True)
    stripped = ListAttribute(of=UnicodeAttribute, null=True)
    reason = UnicodeAttribute(null=True)
    reason_detail = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)
