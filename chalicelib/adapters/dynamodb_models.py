"""PynamoDB models: the item shapes stored in the tables defined in infra/resources.json."""

from __future__ import annotations

import functools

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
from pynamodb.connection import Connection
from pynamodb.indexes import (
    AllProjection,
    GlobalSecondaryIndex,
    IncludeProjection,
    KeysOnlyProjection,
)
from pynamodb.models import Model

from ..config import settings
from .aws_clients import share_session_with_pynamodb

_cfg = settings()
share_session_with_pynamodb()  # one botocore session for every table (cold start)


class _Meta:
    region = _cfg.region
    # Lambda reuses connections; keep retries modest so a slow table fails fast.
    max_retry_attempts = 3
    connect_timeout_seconds = 2
    read_timeout_seconds = 5


@functools.cache
def shared_connection() -> Connection:
    """One connection (one botocore client) for every transaction of a warm container:
    creating a client costs about half a second of endpoint-data loading."""
    return Connection(
        region=_Meta.region,
        connect_timeout_seconds=_Meta.connect_timeout_seconds,
        read_timeout_seconds=_Meta.read_timeout_seconds,
        max_retry_attempts=_Meta.max_retry_attempts,
    )


class ReporterMap(MapAttribute):
    name = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    account = UnicodeAttribute(null=True)


class LocationMap(MapAttribute):
    lat = NumberAttribute()
    lon = NumberAttribute()


class RoutingMap(MapAttribute):
    rule = UnicodeAttribute()
    reason = UnicodeAttribute()
    decided_at = UTCDateTimeAttribute()
    decided_by = UnicodeAttribute()
    agency_id = UnicodeAttribute(null=True)


class DeadlineMap(MapAttribute):
    kind = UnicodeAttribute()
    due = UTCDateTimeAttribute()
    warn_at = UTCDateTimeAttribute(null=True)
    state = UnicodeAttribute()


class PauseMap(MapAttribute):
    kind = UnicodeAttribute()
    working_days_left = NumberAttribute()
    since = UTCDateTimeAttribute()


class RatingMap(MapAttribute):
    score = NumberAttribute()
    comment = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute()


class ArchivalMap(MapAttribute):
    reason = UnicodeAttribute()
    message = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class PublicResponseMap(MapAttribute):
    agency_id = UnicodeAttribute()
    agency_name = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    message = UnicodeAttribute()
    final = BooleanAttribute(default=False)


class VerificationIndex(GlobalSecondaryIndex):
    """Sparse index: the admins' verification queue, transferred reports first, then
    oldest first. All attributes projected: the queue is listed without a read per item."""

    class Meta:
        index_name = "verification-queue"
        projection = AllProjection()

    verification = UnicodeAttribute(hash_key=True)
    queue_key = UnicodeAttribute(range_key=True)


class InboxIndex(GlobalSecondaryIndex):
    """An agency's reports by status (``<agency>#<status>``), nearest deadline first."""

    class Meta:
        index_name = "inbox"
        projection = AllProjection()

    inbox_pk = UnicodeAttribute(hash_key=True)
    inbox_sk = UnicodeAttribute(range_key=True)


class InboxCategoryIndex(GlobalSecondaryIndex):
    """The same, narrowed to one category (``<agency>#<status>#<category>``)."""

    class Meta:
        index_name = "inbox-category"
        projection = AllProjection()

    inbox_cat_pk = UnicodeAttribute(hash_key=True)
    inbox_sk = UnicodeAttribute(range_key=True)


class DeadlineIndex(GlobalSecondaryIndex):
    """Sparse: reports with something for the scheduler to do, by when (``due#<shard>``,
    see partitions.py)."""

    class Meta:
        index_name = "deadlines"
        projection = KeysOnlyProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    due_at = UTCDateTimeAttribute(range_key=True)


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
    language = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    agency_id = UnicodeAttribute(null=True)
    agency_name = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    access_token_hash = UnicodeAttribute()
    event_count = NumberAttribute(default=0)
    routing = RoutingMap(null=True)
    deadline = DeadlineMap(null=True)
    paused = PauseMap(null=True)
    first_response_at = UTCDateTimeAttribute(null=True)
    final_response_at = UTCDateTimeAttribute(null=True)
    completed_at = UTCDateTimeAttribute(null=True)
    reopen_until = UTCDateTimeAttribute(null=True)
    rating = RatingMap(null=True)
    archival = ArchivalMap(null=True)
    duplicate_of = UnicodeAttribute(null=True)
    duplicates = ListAttribute(of=UnicodeAttribute, null=True)
    transferred_at = UTCDateTimeAttribute(null=True)
    verified_at = UTCDateTimeAttribute(null=True)
    assigned_at = UTCDateTimeAttribute(null=True)
    responded_on_time = BooleanAttribute(null=True)
    unsent = ListAttribute(of=UnicodeAttribute, null=True)  # JSON of ReportEvent.to_dict()
    public_responses = ListAttribute(of=PublicResponseMap, null=True)
    public_response_count = NumberAttribute(null=True)
    # sparse index keys, derived from the report on every write
    outbox = UnicodeAttribute(null=True)
    verification = UnicodeAttribute(null=True)
    queue_key = UnicodeAttribute(null=True)
    inbox_pk = UnicodeAttribute(null=True)
    inbox_cat_pk = UnicodeAttribute(null=True)
    inbox_sk = UnicodeAttribute(null=True)
    due_shard = UnicodeAttribute(null=True)
    due_at = UTCDateTimeAttribute(null=True)
    # the public feed's sparse indexes (listed reports only; see FeedItem) and the region a
    # listing may show (views.feed_region)
    feed_pk = UnicodeAttribute(null=True)
    feed_agency_pk = UnicodeAttribute(null=True)
    feed_category_pk = UnicodeAttribute(null=True)
    feed_province_pk = UnicodeAttribute(null=True)
    feed_regency_pk = UnicodeAttribute(null=True)
    feed_sk = UnicodeAttribute(null=True)
    feed_region = UnicodeAttribute(null=True)
    version = VersionAttribute()

    outbox_index = OutboxIndex()
    verification_index = VerificationIndex()
    inbox_index = InboxIndex()
    inbox_category_index = InboxCategoryIndex()
    deadline_index = DeadlineIndex()


# What the public feed's indexes hold besides their keys and the tracking id: the content of
# a listed report, never its reporter, channel, exact region or location (the index holds no
# identity at all, whatever reads it). The same list is in infra/resources.json.
FEED_PROJECTION = (
    "kind",
    "title",
    "description",
    "status",
    "category",
    "agency_id",
    "agency_name",
    "anonymous",
    "updated_at",
    "feed_region",
    "public_responses",
    "public_response_count",
)


class FeedIndex(GlobalSecondaryIndex):
    """Every listed report (``all#<status>#<shard>``). Newest first."""

    class Meta:
        index_name = "feed"
        projection = IncludeProjection(list(FEED_PROJECTION))

    feed_pk = UnicodeAttribute(hash_key=True)
    feed_sk = UnicodeAttribute(range_key=True)  # <created_at>#<tracking id>


class FeedAgencyIndex(GlobalSecondaryIndex):
    """By the agency handling it (``<agency id>#<status>#<shard>``). Newest first."""

    class Meta:
        index_name = "feed-agency"
        projection = IncludeProjection(list(FEED_PROJECTION))

    feed_agency_pk = UnicodeAttribute(hash_key=True)
    feed_sk = UnicodeAttribute(range_key=True)  # <created_at>#<tracking id>


class FeedCategoryIndex(GlobalSecondaryIndex):
    """By category (``<category>#<status>#<shard>``). Newest first."""

    class Meta:
        index_name = "feed-category"
        projection = IncludeProjection(list(FEED_PROJECTION))

    feed_category_pk = UnicodeAttribute(hash_key=True)
    feed_sk = UnicodeAttribute(range_key=True)  # <created_at>#<tracking id>


class FeedProvinceIndex(GlobalSecondaryIndex):
    """By province (``32#<status>#<shard>``); never an anonymous report. Newest first."""

    class Meta:
        index_name = "feed-province"
        projection = IncludeProjection(list(FEED_PROJECTION))

    feed_province_pk = UnicodeAttribute(hash_key=True)
    feed_sk = UnicodeAttribute(range_key=True)  # <created_at>#<tracking id>


class FeedRegencyIndex(GlobalSecondaryIndex):
    """By regency (``32.73#<status>#<shard>``); never an anonymous report. Newest first."""

    class Meta:
        index_name = "feed-regency"
        projection = IncludeProjection(list(FEED_PROJECTION))

    feed_regency_pk = UnicodeAttribute(hash_key=True)
    feed_sk = UnicodeAttribute(range_key=True)  # <created_at>#<tracking id>


class FeedItem(Model):
    """A listed report as the public feed's indexes hold it (read only: the reports table
    is written through ReportItem). Its attributes are exactly the indexes' projection."""

    class Meta(_Meta):
        table_name = _cfg.reports_table

    tracking_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute()
    status = UnicodeAttribute()
    category = UnicodeAttribute(null=True)
    agency_id = UnicodeAttribute()
    agency_name = UnicodeAttribute(null=True)
    anonymous = BooleanAttribute()
    updated_at = UTCDateTimeAttribute()
    feed_region = UnicodeAttribute(null=True)
    public_responses = ListAttribute(of=PublicResponseMap, null=True)
    public_response_count = NumberAttribute(null=True)
    feed_pk = UnicodeAttribute(null=True)
    feed_agency_pk = UnicodeAttribute(null=True)
    feed_category_pk = UnicodeAttribute(null=True)
    feed_province_pk = UnicodeAttribute(null=True)
    feed_regency_pk = UnicodeAttribute(null=True)
    feed_sk = UnicodeAttribute()

    feed_index = FeedIndex()
    agency_index = FeedAgencyIndex()
    category_index = FeedCategoryIndex()
    province_index = FeedProvinceIndex()
    regency_index = FeedRegencyIndex()


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
    visibility = UnicodeAttribute(null=True)  # absent: public (events stored before it)
    stats = UnicodeAttribute(null=True)  # JSON of stats.standing.StatEvent: see there


class IdempotencyItem(Model):
    class Meta(_Meta):
        table_name = _cfg.idempotency_table

    key = UnicodeAttribute(hash_key=True)  # scope + sha256 of the client's key
    fingerprint = UnicodeAttribute()
    tracking_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class InboundItem(Model):
    """A channel message in the idempotency table (``inbound#<channel>:<message id>``):
    the message as JSON (identity inside: only the intake reads it), its answer and how far
    it got. Expires after the retention."""

    class Meta(_Meta):
        table_name = _cfg.idempotency_table

    key = UnicodeAttribute(hash_key=True)
    message = UnicodeAttribute(null=True)
    answer = UnicodeAttribute(null=True)
    tracking_id = UnicodeAttribute(null=True)
    answer_sent = BooleanAttribute(null=True)
    media_done = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class CategoryItem(Model):
    class Meta(_Meta):
        table_name = _cfg.directory_table

    kind = UnicodeAttribute(hash_key=True, default="category")
    id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    name_en = UnicodeAttribute(null=True)
    scope = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    description_en = UnicodeAttribute(null=True)
    examples = ListAttribute(of=UnicodeAttribute, null=True)
    auto_route = BooleanAttribute(default=True)
    lead_agency = UnicodeAttribute(null=True)
    service_levels = MapAttribute(null=True)  # raw map: {"first_response_days": 7}


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
    service_levels = MapAttribute(null=True)


class ApiClientItem(Model):
    """An Open311 client application's api_key, by its SHA-256 (never the key itself);
    partition ``open311-key`` of the directory."""

    class Meta(_Meta):
        table_name = _cfg.directory_table

    kind = UnicodeAttribute(hash_key=True, default="open311-key")
    id = UnicodeAttribute(range_key=True)  # sha256 hex of the api_key
    name = UnicodeAttribute()
    active = BooleanAttribute(default=True)
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


class DirectoryVersionItem(Model):
    """``meta``/``agencies``: a token replaced at every change to an agency, so every warm
    container can tell with one small read whether its copy of the directory is stale."""

    class Meta(_Meta):
        table_name = _cfg.directory_table

    kind = UnicodeAttribute(hash_key=True, default="meta")
    id = UnicodeAttribute(range_key=True)
    token = UnicodeAttribute()


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


class AgencyFailuresIndex(GlobalSecondaryIndex):
    """Sparse: only attempts that did not deliver, per agency, by outcome then time."""

    class Meta:
        index_name = "agency-failures"
        projection = AllProjection()

    failed_agency = UnicodeAttribute(hash_key=True)
    failed_sk = UnicodeAttribute(range_key=True)  # <outcome>#<at>#<delivery id>#<attempt>


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
    failed_agency = UnicodeAttribute(null=True)  # set on attempts that did not deliver
    failed_sk = UnicodeAttribute(null=True)
    agency_failures = AgencyFailuresIndex()


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


class IdentityAccessItem(Model):
    """One read of an anonymous reporter's identity by a platform admin (who, when, why).
    Partition ``report#<tracking_id>`` for a report's log and ``all#<yyyy-mm>`` for the
    month's log; written in the same transaction as nothing else, before the answer."""

    class Meta(_Meta):
        table_name = _cfg.audit_table

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # <at iso>#<random>
    tracking_id = UnicodeAttribute()
    admin = UnicodeAttribute()
    reason = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class SentMarkerItem(Model):
    """A notification already sent (``notified#<event id>#<recipient>``), beside the
    report's delivery attempts; claimed before sending, so a redelivery sends nothing."""

    class Meta(_Meta):
        table_name = _cfg.deliveries_table

    tracking_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class CounterItem(Model):
    """A rate-limit counter in the idempotency table (``access-link#<id>#<hour>``)."""

    class Meta(_Meta):
        table_name = _cfg.idempotency_table

    key = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)
