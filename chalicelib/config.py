"""Settings from the environment, read once per (warm) Lambda container.

Resource names default to the names in ``infra/resources.json``; deployed functions get
them from the template's ``Globals`` and the local stack from the emulator.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

# Queue names are needed at import time by ``@on_sqs_message`` (Chalice builds the
# event source ARN from them), so they are constants; a test checks them against infra/.
REPORT_SUBMITTED_QUEUE = "satupintu-report-submitted"
DISPATCH_QUEUE = "satupintu-dispatch"
ATTACHMENT_UPLOADS_QUEUE = "satupintu-attachment-uploads"
NOTIFICATIONS_QUEUE = "satupintu-notifications"

# What the platform can verify by magic bytes. ATTACHMENT_TYPES may narrow it, not widen it.
SUPPORTED_ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


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
    attachments_table: str = "satupintu-attachments"
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
    audit_table: str = "satupintu-audit"
    notifications_queue_url: str | None = None
    mail_sender: str | None = None  # a verified SES identity
    portal_url: str = "http://127.0.0.1:8000"  # links in messages to reporters
    web_origin: str | None = None  # the web portal's origin, allowed by CORS
    time_zone: str = "Asia/Jakarta"
    clock_file: str | None = None  # local stack only: a shifted clock (python -m devstack clock)

    def require_token_secret(self) -> bytes:
        if not self.token_secret:
            raise RuntimeError("TOKEN_SECRET is not configured (required outside dev)")
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
    stage = _env("SATUPINTU_STAGE", "dev")
    if not secret and stage == "dev":
        secret = "dev-only-token-secret-do-not-use-in-production"
    return Settings(
        stage=stage,
        region=_env("AWS_REGION", _env("AWS_DEFAULT_REGION", "ap-southeast-3")),
        reports_table=_env("REPORTS_TABLE", "satupintu-reports"),
        report_events_table=_env("REPORT_EVENTS_TABLE", "satupintu-report-events"),
        directory_table=_env("DIRECTORY_TABLE", "satupintu-directory"),
        idempotency_table=_env("IDEMPOTENCY_TABLE", "satupintu-idempotency"),
        deliveries_table=_env("DELIVERIES_TABLE", "satupintu-deliveries"),
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
        log_level=_env("LOG_LEVEL", "INFO"),
        attachments_table=_env("ATTACHMENTS_TABLE", "satupintu-attachments"),
        attachments_bucket=_env("ATTACHMENTS_BUCKET"),
        attachment_uploads_queue_url=_env("ATTACHMENT_UPLOADS_QUEUE_URL"),
        attachment_max_bytes=_positive_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
        attachment_max_count=_positive_int("ATTACHMENT_MAX_COUNT", 5),
        attachment_types=_attachment_types(_env("ATTACHMENT_TYPES")),
        attachment_url_seconds=min(_positive_int("ATTACHMENT_URL_SECONDS", 300), 300),
        audit_table=_env("AUDIT_TABLE", "satupintu-audit"),
        notifications_queue_url=_env("NOTIFICATIONS_QUEUE_URL"),
        mail_sender=_env("MAIL_SENDER"),
        portal_url=_env("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/"),
        web_origin=(_env("WEB_ORIGIN") or "").rstrip("/") or None,
        time_zone=_env("TIME_ZONE", "Asia/Jakarta"),
        # Only the local stack sets it, and only in dev does the clock read it.
        clock_file=_env("SATUPINTU_CLOCK_FILE") if stage == "dev" else None,
    )
