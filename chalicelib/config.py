"""Settings from the environment, read once per (warm) Lambda container.

``SATUPINTU_STAGE`` must be set (``dev`` locally and in tests, ``prod`` on AWS): without it
nothing starts, rather than falling back to dev's public token secret and loopback
webhooks. Every resource name carries the stage (``satupintu-<stage>-reports``), so dev
and prod can live in one account and region. Resource names default to the names in
``infra/resources.json`` for that stage; deployed functions get them from the template's
``Globals`` and the local stack from the emulator.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

APP = "satupintu"
# A stage name as the template's Stage parameter allows it (it goes into resource names).
STAGE_PATTERN = r"[a-z][a-z0-9]{1,9}"


class StageNotSet(RuntimeError):
    """SATUPINTU_STAGE is missing or malformed: refuse to start (fail closed)."""


def stage_from_env() -> str:
    stage = os.environ.get("SATUPINTU_STAGE", "")
    if not re.fullmatch(STAGE_PATTERN, stage):
        raise StageNotSet(
            "SATUPINTU_STAGE must be set explicitly (dev or prod"
            f"{', not ' + repr(stage) if stage else ''}); nothing falls back to dev"
        )
    return stage


def resource_name(stage: str, base: str) -> str:
    """The physical name infra/resources.json gives a resource: satupintu-<stage>-<base>."""
    return f"{APP}-{stage}-{base}"


# The stage is read at import: ``@on_sqs_message`` needs the queue names then (Chalice
# builds the event source ARN from them). `chalice package --stage S` and `chalice local`
# load the app with the stage's environment_variables from .chalice/config.json, which set
# SATUPINTU_STAGE; on Lambda the same variable is in the function's environment. The
# packaged template's Stage parameter is locked to the packaged stage (infra/package.py),
# so the queues CloudFormation creates are the ones the event sources name; tests check
# both against infra/.
STAGE = stage_from_env()
REPORT_SUBMITTED_QUEUE = resource_name(STAGE, "report-submitted")
DISPATCH_QUEUE = resource_name(STAGE, "dispatch")
ATTACHMENT_UPLOADS_QUEUE = resource_name(STAGE, "attachment-uploads")
NOTIFICATIONS_QUEUE = resource_name(STAGE, "notifications")
CHANNEL_INBOX_QUEUE = resource_name(STAGE, "channel-inbox")
# A stream's ARN ends with its creation time, known only once the table exists: the
# packaged template replaces this with the table's StreamArn (infra/resources.json), and
# the local event pump finds the stream by the table's name.
TIMELINE_STREAM_ARN = (
    "arn:aws:dynamodb:ap-southeast-3:000000000000:table/"
    + resource_name(STAGE, "report-events")
    + "/stream/replaced-by-infra-resources-json"
)

# What the platform can verify by magic bytes. ATTACHMENT_TYPES may narrow it, not widen it.
SUPPORTED_ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


# The environment variables holding each channel's credentials secret ARN (infra/).
CHANNEL_SECRET_VARIABLES = {
    "sms": "SMS_SECRET_ARN",
    "whatsapp": "WHATSAPP_SECRET_ARN",
    "messenger": "MESSENGER_SECRET_ARN",
    "x": "X_SECRET_ARN",
}


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    reports_table: str
    report_events_table: str
    directory_table: str
    idempotency_table: str
    deliveries_table: str
    report_submitted_queue_url: str | None
    dispatch_queue_url: str | None
    alerts_topic_arn: str | None
    dispatch_max_attempts: int
    dispatch_backoff_base_seconds: float
    dispatch_backoff_cap_seconds: float
    jwt_issuer: str | None
    jwt_audience: str | None
    jwks_url: str | None
    token_secret: bytes | None
    log_level: str
    token_secret_arn: str | None = None  # Secrets Manager: read at runtime, cached
    staff_mfa_claim_required: bool = False  # admins' tokens must carry amr with mfa
    attachments_table: str = resource_name(STAGE, "attachments")
    attachments_bucket: str | None = None
    attachment_uploads_queue_url: str | None = None
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachment_max_count: int = 5
    attachment_types: tuple[str, ...] = SUPPORTED_ATTACHMENT_TYPES
    attachment_url_seconds: int = 300  # presigned POST and GET lifetime (at most 5 min)
    max_body_bytes: int = 64 * 1024
    idempotency_ttl_seconds: int = 24 * 3600
    outbox_grace_seconds: int = 120
    category_cache_seconds: int = 300
    audit_table: str = resource_name(STAGE, "audit")
    stats_table: str = resource_name(STAGE, "stats")
    open_data_bucket: str | None = None
    notifications_queue_url: str | None = None
    mail_sender: str | None = None  # a verified SES identity
    portal_url: str = "http://127.0.0.1:8000"  # links in messages to reporters
    web_origin: str | None = None  # the web portal's origin, allowed by CORS
    time_zone: str = "Asia/Jakarta"
    # Open311 GeoReport v2: the one jurisdiction this endpoint serves (jurisdiction_id)
    open311_jurisdiction_id: str = "satupintu.id"
    channel_inbox_queue_url: str | None = None
    # The API's public base URL as providers call it: Twilio signs the full URL.
    public_api_url: str | None = None
    # The staff pool's hosted UI (https://<domain>.auth.<region>.amazoncognito.com; locally
    # devstack's stand-in): the console signs in there with the authorization code + PKCE.
    staff_signin_url: str | None = None
    channel_per_minute: int = 10  # messages a sender may send per minute...
    channel_per_day: int = 100  # ...and per day before intake stops processing them
    clock_file: str | None = None  # local stack only: a shifted clock (python -m devstack clock)
    channel_max_body_bytes: int = 256 * 1024  # a provider's webhook delivery
    # Secrets Manager ARNs of each messaging channel's credentials (a JSON object each).
    channel_secret_arns: tuple[tuple[str, str], ...] = ()
    # Local stack only: one URL standing in for every messaging provider (devstack's fake).
    channel_api_url: str | None = None
    channel_timeout_seconds: float = 10.0

    def channel_secret_arn(self, channel: str) -> str | None:
        return dict(self.channel_secret_arns).get(channel)

    def require_token_secret(self) -> bytes:
        """The HMAC key of reporters' access tokens. Deployed functions get only the
        secret's ARN (TOKEN_SECRET_ARN) and read the value from Secrets Manager at
        runtime (cached); TOKEN_SECRET as a value is for tests and benchmarks, and dev
        without either has a built-in key."""
        if self.token_secret_arn:
            from .adapters.secrets import secret_bytes

            return secret_bytes(self.token_secret_arn)
        if not self.token_secret:
            raise RuntimeError("TOKEN_SECRET_ARN is not configured (required outside dev)")
        return self.token_secret


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, default)
    return value if value else default


def _positive_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    value = int(raw)
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, not {raw!r}")
    return value


def _attachment_types(raw: str | None) -> tuple[str, ...]:
    if raw is None:
        return SUPPORTED_ATTACHMENT_TYPES
    types = tuple(t.strip().lower() for t in raw.split(",") if t.strip())
    unknown = [t for t in types if t not in SUPPORTED_ATTACHMENT_TYPES]
    if unknown or not types:
        raise ValueError(
            f"ATTACHMENT_TYPES may only list {', '.join(SUPPORTED_ATTACHMENT_TYPES)}; got {raw!r}"
        )
    return types


@functools.cache
def settings() -> Settings:
    issuer = _env("JWT_ISSUER")
    secret = _env("TOKEN_SECRET")
    secret_arn = _env("TOKEN_SECRET_ARN")
    stage = stage_from_env()
    if not secret and not secret_arn and stage == "dev":
        secret = "dev-only-token-secret-do-not-use-in-production"

    def _name(base: str) -> str:
        return resource_name(stage, base)

    return Settings(
        stage=stage,
        region=_env("AWS_REGION", _env("AWS_DEFAULT_REGION", "ap-southeast-3")),
        reports_table=_env("REPORTS_TABLE", _name("reports")),
        report_events_table=_env("REPORT_EVENTS_TABLE", _name("report-events")),
        directory_table=_env("DIRECTORY_TABLE", _name("directory")),
        idempotency_table=_env("IDEMPOTENCY_TABLE", _name("idempotency")),
        deliveries_table=_env("DELIVERIES_TABLE", _name("deliveries")),
        report_submitted_queue_url=_env("REPORT_SUBMITTED_QUEUE_URL"),
        dispatch_queue_url=_env("DISPATCH_QUEUE_URL"),
        alerts_topic_arn=_env("ALERTS_TOPIC_ARN"),
        # Must equal the dispatch queue's maxReceiveCount (a test checks infra/).
        dispatch_max_attempts=int(_env("DISPATCH_MAX_ATTEMPTS", "8")),
        dispatch_backoff_base_seconds=float(_env("DISPATCH_BACKOFF_BASE_SECONDS", "5")),
        dispatch_backoff_cap_seconds=float(_env("DISPATCH_BACKOFF_CAP_SECONDS", "900")),
        jwt_issuer=issuer,
        jwt_audience=_env("JWT_AUDIENCE"),
        jwks_url=_env("JWKS_URL", f"{issuer}/.well-known/jwks.json" if issuer else None),
        token_secret=secret.encode() if secret else None,
        token_secret_arn=secret_arn,
        staff_mfa_claim_required=_env("STAFF_MFA_CLAIM", "optional") == "required",
        log_level=_env("LOG_LEVEL", "INFO"),
        attachments_table=_env("ATTACHMENTS_TABLE", _name("attachments")),
        attachments_bucket=_env("ATTACHMENTS_BUCKET"),
        attachment_uploads_queue_url=_env("ATTACHMENT_UPLOADS_QUEUE_URL"),
        attachment_max_bytes=_positive_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
        attachment_max_count=_positive_int("ATTACHMENT_MAX_COUNT", 5),
        attachment_types=_attachment_types(_env("ATTACHMENT_TYPES")),
        attachment_url_seconds=min(_positive_int("ATTACHMENT_URL_SECONDS", 300), 300),
        audit_table=_env("AUDIT_TABLE", _name("audit")),
        stats_table=_env("STATS_TABLE", _name("stats")),
        open_data_bucket=_env("OPEN_DATA_BUCKET"),
        notifications_queue_url=_env("NOTIFICATIONS_QUEUE_URL"),
        mail_sender=_env("MAIL_SENDER"),
        portal_url=_env("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/"),
        web_origin=(_env("WEB_ORIGIN") or "").rstrip("/") or None,
        time_zone=_env("TIME_ZONE", "Asia/Jakarta"),
        open311_jurisdiction_id=_env("OPEN311_JURISDICTION_ID", "satupintu.id"),
        channel_inbox_queue_url=_env("CHANNEL_INBOX_QUEUE_URL"),
        public_api_url=(_env("PUBLIC_API_URL") or "").rstrip("/") or None,
        staff_signin_url=(_env("STAFF_SIGNIN_URL") or "").rstrip("/") or None,
        channel_per_minute=_positive_int("CHANNEL_PER_MINUTE", 10),
        channel_per_day=_positive_int("CHANNEL_PER_DAY", 100),
        # Only the local stack sets it, and only in dev does the clock read it.
        clock_file=_env("SATUPINTU_CLOCK_FILE") if stage == "dev" else None,
        channel_max_body_bytes=_positive_int("CHANNEL_MAX_BODY_BYTES", 256 * 1024),
        channel_secret_arns=tuple(
            (channel, arn)
            for channel, name in CHANNEL_SECRET_VARIABLES.items()
            if (arn := _env(name))
        ),
        channel_api_url=(_env("CHANNEL_API_URL") or "").rstrip("/") or None
        if stage == "dev"
        else None,
    )
