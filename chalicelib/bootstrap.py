"""Wires the adapters into the services: one place, created lazily, reused while warm.

Tests swap in fakes with ``override(...)``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .config import settings

_instances: dict[str, object] = {}


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """The local stack's clock: real time plus the offset in a file that
    ``python -m devstack clock +12d`` writes (read on every call, so the API server and
    the event pump move together)."""

    def __init__(self, path: str):
        self.path = path

    def now(self) -> datetime:
        from datetime import timedelta
        from pathlib import Path

        try:
            offset = float(Path(self.path).read_text().strip() or 0)
        except (OSError, ValueError):
            offset = 0.0
        return datetime.now(UTC) + timedelta(seconds=offset)


def _build(name: str):
    if name == "reports":
        from .adapters.report_repository import DynamoReportRepository

        return DynamoReportRepository()
    if name == "publisher":
        from .adapters.sqs_publisher import SqsEventPublisher

        return SqsEventPublisher()
    if name == "directory":
        from .adapters.directory import DynamoDirectory

        return DynamoDirectory(cache_seconds=settings().category_cache_seconds)
    if name == "clock":
        path = settings().clock_file
        return ShiftedClock(path) if path else SystemClock()
    if name == "calendar":
        from .domain.calendar import WorkingCalendar

        return WorkingCalendar(settings().time_zone)
    if name == "uow":
        from .adapters.unit_of_work import DynamoUnitOfWork

        return DynamoUnitOfWork
    if name == "messages":
        from .adapters.notifications import SqsReporterMessages

        return SqsReporterMessages()
    if name == "identity_log":
        from .adapters.identity_log import DynamoIdentityLog

        return DynamoIdentityLog()
    if name == "targets":
        from .adapters.webhook_targets import DynamoWebhookTargets

        return DynamoWebhookTargets()
    if name == "deliveries":
        from .adapters.deliveries import DynamoDeliveryLog

        return DynamoDeliveryLog()
    if name == "dispatch_queue":
        from .adapters.fanout import SqsDispatchQueue

        return SqsDispatchQueue()
    if name == "dispatcher":
        from .adapters import fanout
        from .adapters.deliveries import delivery_lookup
        from .services.dispatch import Dispatcher

        return Dispatcher(
            targets=targets(),
            deliveries=deliveries(),
            webhooks=fanout.HttpWebhookSender(),
            queues=fanout.SqsAgencyQueueSender(),
            alerts=fanout.SnsAlerts(),
            clock=clock(),
            agency_queue_url=lambda agency_id: getattr(
                directory().agency(agency_id), "sqs_queue_url", None
            ),
            reports=reports(),
            may_see=_agency_may_see,
            max_attempts=settings().dispatch_max_attempts,
            lookup=delivery_lookup,
        )
    if name == "mailer":
        from .adapters.mailer import SesMailer

        return SesMailer()
    if name == "channel_sender":
        from .adapters.channel_senders import ChannelSenders

        base = settings().channel_api_url
        return ChannelSenders.build(_channel_secrets(), _provider_http(), base)
    if name == "media_fetcher":
        from .adapters.channel_senders import ProviderMediaFetcher, XApi

        base = settings().channel_api_url
        secrets, http = _channel_secrets(), _provider_http()
        if base is None:
            return ProviderMediaFetcher(secrets, http)
        from urllib.parse import urlsplit

        return ProviderMediaFetcher(
            secrets,
            http,
            graph_base=base,
            extra_hosts=(urlsplit(base).hostname,),
            x_api=XApi(secrets, http, base),
        )
    if name == "sent_markers":
        from .adapters.sent_markers import DynamoSentMarkers

        return DynamoSentMarkers()
    if name == "access_link_limits":
        from .adapters.access_link_limits import DynamoAccessLinkLimits

        return DynamoAccessLinkLimits()
    if name == "inbound_messages":
        from .adapters.inbound_messages import DynamoInboundMessages

        return DynamoInboundMessages()
    if name == "intake_queue":
        from .adapters.intake_queue import SqsIntakeQueue

        return SqsIntakeQueue()
    if name == "rate_limits":
        from .adapters.rate_limits import DynamoRateLimits

        return DynamoRateLimits()
    if name == "api_clients":
        from .adapters.api_clients import DynamoApiClients

        return DynamoApiClients()
    if name == "alerts":
        from .adapters.fanout import SnsAlerts

        return SnsAlerts()
    if name == "attachments":
        from .adapters.attachment_repository import DynamoAttachmentRepository

        return DynamoAttachmentRepository()
    if name == "store":
        from .adapters.s3_store import S3ObjectStore

        return S3ObjectStore()
    if name == "open_data_store":
        from .adapters.open_data_store import S3OpenDataStore

        return S3OpenDataStore()
    if name == "stats_cells":
        from .adapters.stats_cells import DynamoStatsCells

        return DynamoStatsCells()
    if name == "stats":
        from .adapters.stats_reader import DynamoStatsReader

        return DynamoStatsReader()
    if name == "channel_secrets":
        from .adapters.channel_secrets import SecretsManagerChannelSecrets

        return SecretsManagerChannelSecrets()
    raise KeyError(name)


def _channel_secrets():
    from .adapters.channel_senders import ChannelSecrets
    from .config import CHANNEL_SECRET_VARIABLES

    cfg = settings()
    return ChannelSecrets({c: cfg.channel_secret_arn(c) for c in CHANNEL_SECRET_VARIABLES})


def _provider_http():
    """Plain http only to the local stack's fake providers (dev stage)."""
    from .adapters.provider_http import ProviderHttp

    cfg = settings()
    return ProviderHttp(cfg.channel_timeout_seconds, allow_http=cfg.channel_api_url is not None)


def _agency_may_see(agency_id: str, report) -> bool:
    """The report is assigned to this agency or to one of its sub-units."""
    from .domain import policy

    if report.agency is None:
        return False
    if report.agency.id == agency_id:
        return True

    def parent_of(a: str) -> str | None:
        return getattr(directory().agency(a), "parent_id", None)

    return agency_id in policy.ancestors(report.agency.id, parent_of)


def get(name: str):
    if name not in _instances:
        from .adapters import tracing

        tracing.init()
        _instances[name] = _build(name)
    return _instances[name]


def reports():
    return get("reports")


def publisher():
    return get("publisher")


def directory():
    return get("directory")


def clock():
    return get("clock")


def targets():
    return get("targets")


def deliveries():
    return get("deliveries")


def dispatch_queue():
    return get("dispatch_queue")


def dispatcher():
    return get("dispatcher")


def export_open_data() -> dict:
    """Today's (Asia/Jakarta) open-data export."""
    from .services import open_data

    now = clock().now()
    day = now.astimezone(get("calendar").tz).date()
    from .domain.regions import PROVINCES

    tables = [
        open_data.reports_table(reports()),
        open_data.indicators_table(statistics(), directory(), list(PROVINCES)),
    ]
    return open_data.export(day, tables, get("open_data_store"), now)


def statistics_projector():
    from .stats.projector import Projector

    return Projector(get("stats_cells"), get("calendar"))


def unit_of_work():
    """A fresh unit of work (the factory is what tests override)."""
    return get("uow")()


def outlets():
    from .services.messagebus import Outlets

    return Outlets(directory(), targets(), dispatch_queue(), get("messages"))


def workflow():
    """Built from the parts above on each call (cheap), so overrides in tests apply."""
    from .services.workflow import Workflow

    return Workflow(get("uow"), directory(), clock(), outlets(), get("calendar"))


def scheduler(**options):
    """One deadline-scheduler run (the hourly handler, and ``python -m devstack clock``)."""
    from .services.scheduler import run_scheduler

    return run_scheduler(
        uow=get("uow"),
        reports=reports(),
        directory=directory(),
        outlets=outlets(),
        clock=clock(),
        calendar=get("calendar"),
        **options,
    )


def attachment_service():
    from .services.attachments import AttachmentService, Limits

    return AttachmentService(
        reports=reports(),
        attachments=get("attachments"),
        store=get("store"),
        uow=get("uow"),
        outlets=outlets(),
        directory=directory(),
        clock=clock(),
        limits=Limits.from_settings(settings()),
    )


def statistics():
    """The statistics read side, built on each call (cheap) so overrides apply."""
    from .services.statistics import Statistics

    return Statistics(get("stats"), directory(), clock(), settings().time_zone)


def notifier():
    """The notifications consumer, built on each call (cheap) so overrides apply."""
    from .services.notify import CHAT_CHANNELS, ChatChannel, EmailChannel, Notifier

    cfg = settings()
    mailer = get("mailer")
    sender = channel_sender()
    return Notifier(
        reports=reports(),
        directory=directory(),
        channels=[EmailChannel(mailer), *(ChatChannel(c, sender) for c in CHAT_CHANNELS)],
        mailer=mailer,
        markers=get("sent_markers"),
        alerts=get("alerts"),
        uow=get("uow"),
        portal_url=cfg.portal_url,
        time_zone=cfg.time_zone,
    )


def channel_secrets():
    """The channels' credentials (Secrets Manager; tests override them)."""
    return get("channel_secrets")


def channel_intake():
    """The channels' one door, built on each call (cheap) so overrides apply; a test may
    also stand in for the whole service with ``override(channel_intake=...)``."""
    if "channel_intake" in _instances:
        return _instances["channel_intake"]
    from .services.channel_intake import ChannelIntake
    from .services.submission import submit_report

    cfg = settings()

    def submit(command, key):
        return submit_report(
            command,
            reports=reports(),
            publisher=publisher(),
            directory=directory(),
            clock=clock(),
            token_secret=cfg.require_token_secret(),
            idempotency_key=key,
            calendar=get("calendar"),
            time_zone=cfg.time_zone,
        )

    return ChannelIntake(
        inbox=get("inbound_messages"),
        queue=get("intake_queue"),
        limits=get("rate_limits"),
        reports=reports(),
        clock=clock(),
        submit=submit,
        workflow=workflow,
        sender=lambda: get("channel_sender"),
        media=lambda: get("media_fetcher"),
        attachments=attachment_service,
        per_minute=cfg.channel_per_minute,
        per_day=cfg.channel_per_day,
    )


def channel_sender():
    """The ``ChannelSender`` port: texts on SMS, WhatsApp, Messenger and X."""
    return get("channel_sender")


def media_fetcher():
    """The ``MediaFetcher`` port: inbound media from the providers."""
    return get("media_fetcher")


def override(**instances) -> None:
    _instances.update(instances)


def reset() -> None:
    _instances.clear()
