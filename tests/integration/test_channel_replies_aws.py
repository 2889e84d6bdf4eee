"""Replies on the reporter's channel against the emulator: the channels' credentials come
from (the emulator's) Secrets Manager through the ARNs the template passes; a report event
of an SMS, WhatsApp, Messenger or X report goes onto the real notifications queue, the SQS
handler sends it through the real adapters to the local fake providers, and it is read
back the way `python -m devstack outbox` reads it."""

from __future__ import annotations

import json

import pytest

from chalicelib import bootstrap, config
from chalicelib.adapters import secrets
from chalicelib.adapters.channel_senders import ChannelSecrets
from chalicelib.adapters.report_repository import DynamoReportRepository
from chalicelib.domain import tracking_id
from chalicelib.domain.report import Channel, Report, Reporter, ReportKind
from chalicelib.handlers.notifications import on_notification
from chalicelib.services import access_tokens
from chalicelib.services.ports import ChannelNotConnected, ChannelUnavailable
from devstack import outbox
from devstack.providers import CHANNEL_SECRET_VARIABLES, LOCAL_CREDENTIALS, FakeProviders
from tests.integration.test_notifications_aws import T0, dispose, receive_for

pytestmark = pytest.mark.integration


def test_the_template_passes_only_the_secrets_arns_and_the_values_live_in_secrets_manager(
    stack,
):
    assert CHANNEL_SECRET_VARIABLES == config.CHANNEL_SECRET_VARIABLES
    sm = stack.client("secretsmanager")
    for channel, variable in CHANNEL_SECRET_VARIABLES.items():
        arn = stack.env[variable]
        assert arn.startswith("arn:aws:secretsmanager:")
        described = sm.describe_secret(SecretId=arn)
        assert described["Name"] == f"satupintu/dev/channel-{channel}"
        value = json.loads(sm.get_secret_value(SecretId=arn)["SecretString"])
        assert value == LOCAL_CREDENTIALS[channel]  # what the local stack connected
        # no credential is in the functions' environment
        for credential in value.values():
            assert credential not in stack.env.values()


def test_the_adapter_reads_each_channels_credentials_at_runtime(stack, monkeypatch):
    secrets.forget()
    config.settings.cache_clear()
    try:
        cfg = config.settings()
        read = ChannelSecrets({c: cfg.channel_secret_arn(c) for c in CHANNEL_SECRET_VARIABLES})
        for channel in CHANNEL_SECRET_VARIABLES:
            assert read(channel) == LOCAL_CREDENTIALS[channel]
    finally:
        config.settings.cache_clear()


def test_a_secret_as_the_template_creates_it_is_a_channel_not_connected(stack):
    """{} until an operator puts the provider's credentials; half filled in is broken
    (retried, then dead-lettered, so operators see it)."""
    sm = stack.client("secretsmanager")
    empty = sm.create_secret(Name=f"satupintu/test/{tracking_id.generate()}", SecretString="{}")
    half = sm.create_secret(
        Name=f"satupintu/test/{tracking_id.generate()}",
        SecretString=json.dumps({"access_token": "EAAG-only"}),
    )
    secrets.forget()
    with pytest.raises(ChannelNotConnected):
        ChannelSecrets({"whatsapp": empty["ARN"]})("whatsapp")
    with pytest.raises(ChannelUnavailable, match="lacks") as raised:
        ChannelSecrets({"whatsapp": half["ARN"]})("whatsapp")
    assert "EAAG-only" not in str(raised.value)


@pytest.fixture
def providers(stack, tmp_path, monkeypatch):
    with FakeProviders(record=tmp_path / "channel-outbox.jsonl") as fake:
        monkeypatch.setenv("CHANNEL_API_URL", fake.url)
        config.settings.cache_clear()
        secrets.forget()
        bootstrap.reset()
        yield fake
    bootstrap.reset()
    config.settings.cache_clear()


def store_report(channel: Channel, reporter: Reporter) -> str:
    report = Report.submit(
        at=T0,
        tracking_id=tracking_id.generate(),
        kind=ReportKind.COMPLAINT,
        title="Lampu jalan mati",
        description="Lampu jalan di Jalan Melati mati sejak sepekan.",
        channel=channel,
        anonymous=False,
        confidential=False,
        access_token_hash=access_tokens.digest("token"),
        reporter=reporter,
    )
    DynamoReportRepository().add_new(report, None)
    return report.tracking_id


@pytest.mark.parametrize(
    "channel,reporter,to",
    [
        (Channel.SMS, Reporter(phone="+6281234500001"), "+6281234500001"),
        (Channel.WHATSAPP, Reporter(phone="+6281234500002"), "6281234500002"),
        (Channel.MESSENGER, Reporter(account="7100000000003"), "7100000000003"),
        (Channel.X, Reporter(account="1500000000004"), "1500000000004"),
    ],
)
def test_a_report_event_reaches_the_reporter_on_their_channel(
    stack, aws, providers, tmp_path, channel, reporter, to
):
    queue_url = stack.env["NOTIFICATIONS_QUEUE_URL"]
    tid = store_report(channel, reporter)
    dispose(tid, queue_url)
    records = receive_for(aws, queue_url, tid)
    assert len(records) == 1
    body = records[0]["body"]
    assert to not in body and to.lstrip("+") not in body  # ids only on the queue

    assert on_notification({"Records": records}, None) == {"batchItemFailures": []}
    (sent,) = [m for m in providers.messages if tid in m["text"]]
    assert (sent["channel"], sent["to"]) == (channel.value, to)
    assert "Belum Ditindaklanjuti" in sent["text"]

    # SQS delivers at least once: the same message again sends nothing
    assert on_notification({"Records": records}, None) == {"batchItemFailures": []}
    assert len([m for m in providers.messages if tid in m["text"]]) == 1

    rendered = outbox.main(
        stack.endpoint,
        channel=channel.value,
        channel_outbox=str(tmp_path / "channel-outbox.jsonl"),
        to=to,
    )
    assert f"Channel: {channel.value}" in rendered and f"To:      {to}" in rendered
    assert tid in rendered


def test_a_provider_failing_for_now_leaves_the_message_to_the_queue(stack, aws, providers):
    queue_url = stack.env["NOTIFICATIONS_QUEUE_URL"]
    tid = store_report(Channel.SMS, Reporter(phone="+6281234500005"))
    dispose(tid, queue_url)
    records = receive_for(aws, queue_url, tid)
    providers.fail_next(503, {"code": 20500})
    failed = on_notification({"Records": records}, None)
    assert failed == {"batchItemFailures": [{"itemIdentifier": records[0]["messageId"]}]}
    assert providers.messages == []
    # the retry goes out
    assert on_notification({"Records": records}, None) == {"batchItemFailures": []}
    assert [m["to"] for m in providers.messages] == ["+6281234500005"]


def test_inbound_media_is_fetched_with_the_credentials_from_secrets_manager(providers):
    """What the channel intake worker gets from bootstrap: Twilio's media URL (basic auth,
    then the CDN without credentials) and a WhatsApp media id (id -> URL -> bytes)."""
    from chalicelib.domain.inbound import InboundMedia
    from chalicelib.services.ports import MediaTooLarge

    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
    media_id = providers.add_media(jpeg, "image/jpeg")
    fetcher = bootstrap.media_fetcher()

    sms = InboundMedia(url=providers.twilio_media_url(media_id), content_type="image/jpeg")
    assert fetcher.fetch("sms", sms, limit=10_000) == (jpeg, "image/jpeg")
    assert fetcher.fetch("whatsapp", InboundMedia(media_id=media_id), limit=10_000) == (
        jpeg,
        "image/jpeg",
    )
    with pytest.raises(MediaTooLarge):
        fetcher.fetch("sms", sms, limit=100)
