"""The channels' one door (services/channel_intake.py) with the app's fakes: keywords,
reports, status, replies, answers on the channel, idempotency, limits, media."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from chalicelib import bootstrap
from chalicelib.domain import tracking_id
from chalicelib.domain.inbound import InboundMedia, InboundMessage
from chalicelib.domain.report import Channel, ReportKind
from chalicelib.domain.status import Status
from chalicelib.services.ports import ChannelUnavailable
from tests import samples
from tests.fakes import (
    FakeChannelSender,
    FakeInboundMessages,
    FakeIntakeQueue,
    FakeMediaFetcher,
)

PHONE = "+6281234567890"
OTHER = "+6281298765432"
TEXT = "Lampu jalan di Jl. Merdeka mati sejak sepekan, rawan kecelakaan."
AT = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@pytest.fixture
def channel(wired):
    parts = {
        "inbound_messages": FakeInboundMessages(),
        "intake_queue": FakeIntakeQueue(),
        "channel_sender": FakeChannelSender(),
        "media_fetcher": FakeMediaFetcher(
            {"https://media.example/1": (samples.png(), "image/png")}
        ),
    }
    bootstrap.override(**parts)
    return parts


def msg(text=TEXT, *, id="m1", channel=Channel.WHATSAPP, sender=PHONE, **more):
    return InboundMessage(channel, id, sender, text, AT, **more)


def intake():
    return bootstrap.channel_intake()


def deliver(message, channel):
    """What a webhook then the worker do with an asynchronous channel's message: the
    answers it sent."""
    before = len(sent(channel))
    intake().accept([message])
    for key in channel["intake_queue"].keys:
        intake().process(key)
    channel["intake_queue"].keys.clear()
    return sent(channel)[before:]


def sent(channel) -> list[dict]:
    return [
        {"channel": c, "to": to, "text": text, "in_reply_to": reply}
        for c, to, text, reply, _ in channel["channel_sender"].sent
    ]


def test_a_message_becomes_a_complaint_and_the_sender_hears_back(channel, reports):
    sent = deliver(msg(sender_name="Dewi"), channel)
    (report,) = reports.reports.values()
    assert report.kind is ReportKind.COMPLAINT and report.channel is Channel.WHATSAPP
    assert report.description == TEXT
    assert report.title == "Lampu jalan di Jl. Merdeka mati sejak sepekan, rawan kecelakaan"
    assert (report.reporter.phone, report.reporter.name) == (PHONE, "Dewi")
    assert [(s["channel"], s["to"]) for s in sent] == [("whatsapp", PHONE)]
    assert report.tracking_id in sent[0]["text"]


def test_the_queue_message_carries_nothing_of_a_message_id_that_encodes_the_sender(channel):
    # Meta's documented wamid: base64 around the sender's number (16503879439).
    wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA"
    intake().accept([msg(id=wamid)])
    (key,) = channel["intake_queue"].keys
    assert key.startswith("whatsapp:") and "HBgL" not in key and wamid not in key


def test_a_message_stored_by_a_delivery_that_failed_before_queueing_is_queued_again(
    channel, reports
):
    queue = channel["intake_queue"]
    real = queue.enqueue

    def down(key):
        raise ConnectionError("SQS unreachable")

    queue.enqueue = down
    with pytest.raises(ConnectionError):
        intake().accept([msg()])  # stored, not queued: the webhook answers 500
    queue.enqueue = real
    assert intake().accept([msg()]) == 0  # the provider's redelivery: not new...
    (key,) = queue.keys  # ...but queued this time
    assert intake().process(key) == "answered"
    assert len(reports.reports) == 1
    queue.keys.clear()
    intake().accept([msg()])  # answered: a later redelivery queues nothing
    assert queue.keys == []


def test_a_sender_over_ten_a_minute_is_told_once_then_dropped_even_when_redelivered(
    channel, reports
):
    for n in range(10):
        deliver(msg(id=f"m{n}"), channel)
    assert len(reports.reports) == 10
    told = deliver(msg(id="m10"), channel)  # the 11th: told to slow down, not filed
    assert len(told) == 1 and len(reports.reports) == 10
    assert deliver(msg(id="m11"), channel) == []  # the 12th: dropped silently
    assert deliver(msg(id="m11"), channel) == []  # its redelivery too
    assert len(reports.reports) == 10
    other = deliver(msg(id="o1", sender=OTHER), channel)  # others are not held up
    assert len(other) == 1 and len(reports.reports) == 11


@pytest.mark.parametrize("name", ["😊", "x" * 101, "  "])
def test_a_profile_name_the_intake_rules_refuse_is_left_out_not_a_refusal(channel, reports, name):
    deliver(msg(sender_name=name), channel)
    (report,) = reports.reports.values()
    assert report.reporter.name is None and report.reporter.phone == PHONE


@pytest.mark.parametrize(
    ("text", "kind", "anonymous", "confidential"),
    [
        ("ASPIRASI " + TEXT, ReportKind.ASPIRATION, False, False),
        ("info: " + TEXT, ReportKind.INFORMATION_REQUEST, False, False),
        ("ANONIM RAHASIA " + TEXT, ReportKind.COMPLAINT, True, True),
        ("rahasia aspirasi " + TEXT, ReportKind.ASPIRATION, False, True),
    ],
)
def test_keywords(channel, reports, text, kind, anonymous, confidential):
    deliver(msg(text), channel)
    (report,) = reports.reports.values()
    assert (report.kind, report.anonymous, report.confidential) == (kind, anonymous, confidential)
    assert report.description == TEXT


def test_a_redelivery_is_ignored(channel, reports):
    deliver(msg(), channel)
    assert deliver(msg(), channel) == []
    assert len(reports.reports) == 1


def test_a_retried_step_submits_and_answers_once(channel, reports):
    intake().accept([msg()])
    (key,) = channel["intake_queue"].keys
    channel["channel_sender"].failing.add("whatsapp")
    with pytest.raises(ChannelUnavailable):
        intake().process(key)  # stored, answered, the send failed: the queue retries
    channel["channel_sender"].failing.clear()
    assert intake().process(key) == "answered"
    assert intake().process(key) == "done"  # a duplicate queue delivery
    assert len(reports.reports) == 1 and len(channel["channel_sender"].sent) == 1


def test_a_too_short_text_is_answered_with_what_is_missing_and_not_stored(channel, reports):
    sent = deliver(msg("Jalan rusak"), channel)
    assert reports.reports == {}
    assert "paling sedikit 20 karakter" in sent[0]["text"]


def test_help_and_usage(channel):
    assert "ASPIRASI" in deliver(msg("bantuan", id="h"), channel)[0]["text"]
    assert "Format: STATUS" in deliver(msg("STATUS", id="s"), channel)[0]["text"]
    assert "REPLY <tracking" in deliver(msg("reply", id="r"), channel)[0]["text"]


def test_status_of_a_report(channel, reports):
    deliver(msg(), channel)
    (tid,) = reports.reports
    answer = deliver(msg(f"STATUS {tid.lower()}", id="s"), channel)[0]["text"]
    assert tid in answer and Status.UNVERIFIED.label in answer


def test_a_confidential_reports_status_is_never_a_public_post(channel, reports):
    dm = dict(channel=Channel.X, sender="1234567")
    deliver(msg("RAHASIA " + TEXT, **dm), channel)  # filed by direct message
    (tid,) = reports.reports
    assert (
        Status.UNVERIFIED.label in deliver(msg(f"STATUS {tid}", id="d2", **dm), channel)[0]["text"]
    )
    public = deliver(msg(f"STATUS {tid}", id="p1", public=True, reply_to="99", **dm), channel)
    assert "tidak ditemukan" in public[0]["text"]
    assert Status.UNVERIFIED.label not in public[0]["text"]


def test_a_confidential_report_answers_only_its_reporter(channel, reports):
    deliver(msg("RAHASIA " + TEXT), channel)
    (tid,) = reports.reports
    mine = deliver(msg(f"STATUS {tid}", id="s1"), channel)[0]["text"]
    other = deliver(msg(f"STATUS {tid}", id="s2", sender=OTHER), channel)[0]["text"]
    nobody = tracking_id.generate()
    unknown = deliver(msg(f"STATUS {nobody}", id="s3", sender=OTHER), channel)[0]["text"]
    assert Status.UNVERIFIED.label in mine
    assert "tidak ditemukan" in other and Status.UNVERIFIED.label not in other
    assert other.replace(tid, "X") == unknown.replace(nobody, "X")
    # the same phone on SMS is the same reporter
    assert (
        Status.UNVERIFIED.label
        in deliver(msg(f"STATUS {tid}", id="s4", channel=Channel.SMS), channel)[0]["text"]
    )


def test_a_reply_from_the_reporter_reaches_the_timeline(channel, reports):
    deliver(msg(), channel)
    (tid,) = reports.reports
    answer = deliver(msg(f"BALAS {tid} Lampunya di depan rumah no. 12", id="r1"), channel)
    assert "diteruskan" in answer[0]["text"]
    timeline = reports.timeline(tid)
    assert timeline[-1].action == "reporter_replied"
    assert "rumah no. 12" in (timeline[-1].note or "")


def test_a_reply_from_anybody_else_is_refused_like_an_unknown_report(channel, reports):
    deliver(msg(), channel)
    (tid,) = reports.reports
    answer = deliver(msg(f"BALAS {tid} saya bukan pelapor", id="r1", sender=OTHER), channel)
    assert "tidak ditemukan" in answer[0]["text"]
    assert [e.action for e in reports.timeline(tid)] == ["submitted"]


def test_english_keywords_get_english_answers(channel):
    assert "Your report was received" in deliver(msg("COMPLAINT " + TEXT), channel)[0]["text"]


def test_a_public_mention_is_answered_in_public_without_identity(channel, reports):
    mention = msg(
        TEXT, channel=Channel.X, sender="1234567", sender_name="@dewi", public=True, reply_to="99"
    )
    sent = deliver(mention, channel)
    (report,) = reports.reports.values()
    assert report.reporter.account == "1234567" and not report.confidential
    assert sent[0]["in_reply_to"] == "99"
    assert "DM" in sent[0]["text"]
    assert "1234567" not in sent[0]["text"] and "dewi" not in sent[0]["text"].lower()


def test_a_public_mention_cannot_be_confidential(channel, reports):
    mention = msg("RAHASIA " + TEXT, channel=Channel.X, sender="1", public=True, reply_to="9")
    sent = deliver(mention, channel)
    assert reports.reports == {}
    assert "DM" in sent[0]["text"]


def test_a_flooding_sender_is_told_once_and_not_processed(channel, reports):
    messages = [msg(f"{TEXT} nomor {n}", id=f"m{n}") for n in range(15)]
    intake().accept(messages)
    queued = list(channel["intake_queue"].keys)
    assert len(queued) == 11  # ten within the minute's limit, one notice
    for key in queued:
        intake().process(key)
    assert len(reports.reports) == 10
    notices = [s for s in sent(channel) if "Terlalu banyak" in s["text"]]
    assert len(notices) == 1
    # somebody else is not affected
    channel["intake_queue"].keys.clear()
    deliver(msg(id="other", sender=OTHER), channel)
    assert len(reports.reports) == 11


def test_media_go_into_upload_slots_once(channel, reports, store, attachments):
    media = (InboundMedia(url="https://media.example/1", content_type="image/png"),)
    message = msg(media=media)
    intake().accept([message])
    (key,) = channel["intake_queue"].keys
    intake().process(key)
    intake().process(key)  # redelivered: not fetched again
    (tid,) = reports.reports
    assert channel["media_fetcher"].fetched == [("whatsapp", "https://media.example/1")]
    slots, _ = attachments.slots(tid)
    assert len(slots) == 1 and slots[0].content_type == "image/png"
    assert store.versions(slots[0].incoming_key)
    assert "1 lampiran" in sent(channel)[0]["text"]


def test_sms_is_answered_in_the_webhook_and_a_redelivery_gets_the_same_answer(channel, reports):
    message = dataclasses.replace(msg(), channel=Channel.SMS)
    first = intake().handle_now(message)
    again = intake().handle_now(message)
    (tid,) = reports.reports
    assert first.outcome == "reported" and tid in first.text
    assert again.outcome == "duplicate" and again.text == first.text
    assert channel["intake_queue"].keys == []  # no media: nothing for the worker
    assert channel["channel_sender"].sent == []  # the webhook's response carries it


def test_an_answer_the_channel_refuses_for_good_is_not_retried(channel, reports):
    channel["channel_sender"].refusing.add("whatsapp")
    intake().accept([msg()])
    (key,) = channel["intake_queue"].keys
    assert intake().process(key) == "refused"
    assert intake().process(key) == "done"  # a redelivery does not try again
    assert len(reports.reports) == 1


def test_media_gone_or_too_large_are_skipped_others_attached(channel, reports, attachments):
    media = (
        InboundMedia(url="https://media.example/gone", content_type="image/png"),
        InboundMedia(url="https://media.example/1", content_type="image/png"),
    )
    intake().accept([msg(media=media)])
    (key,) = channel["intake_queue"].keys
    intake().process(key)
    (tid,) = reports.reports
    slots, _ = attachments.slots(tid)
    assert len(slots) == 1


def test_a_store_that_fails_for_now_leaves_the_media_to_the_retry(
    channel, reports, attachments, monkeypatch
):
    media = (InboundMedia(url="https://media.example/1", content_type="image/png"),)
    intake().accept([msg(media=media)])
    (key,) = channel["intake_queue"].keys
    add = attachments.add

    def throttled(*args, **kwargs):
        raise RuntimeError("ProvisionedThroughputExceeded")

    monkeypatch.setattr(attachments, "add", throttled)
    with pytest.raises(RuntimeError):
        intake().process(key)  # the queue retries it
    monkeypatch.setattr(attachments, "add", add)
    intake().process(key)
    (tid,) = reports.reports
    slots, _ = attachments.slots(tid)
    assert len(slots) == 1


def test_the_rate_counters_name_no_phone_number(channel):
    deliver(msg(), channel)
    keys = [key for key, *_ in bootstrap.get("rate_limits").counts]
    assert keys and all(PHONE not in key and PHONE[1:] not in key for key in keys)
