"""SMS through Twilio: the webhook signed with twilio's own RequestValidator, answered in
TwiML; forged, unsigned and malformed requests refused with nothing stored."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from chalice.test import Client
from twilio.request_validator import RequestValidator

from app import app
from chalicelib import bootstrap
from chalicelib.adapters import secrets
from chalicelib.config import settings
from chalicelib.domain.inbound import inbox_key
from chalicelib.domain.report import Channel
from tests.fakes import FakeChannelSender, FakeInboundMessages, FakeIntakeQueue
from tests.unit.api_helpers import problem

PUBLIC = "https://api.satupintu.example"
URL = PUBLIC + "/channels/sms/twilio"
TOKEN = "twilio-auth-token-for-tests"
ARN = "arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:twilio-test"
PHONE = "+6281234567890"
TEXT = "Lampu jalan di Jl. Merdeka mati sejak sepekan, rawan kecelakaan."


@pytest.fixture
def client(wired, monkeypatch):
    monkeypatch.setenv("PUBLIC_API_URL", PUBLIC + "/")
    monkeypatch.setenv("SMS_SECRET_ARN", ARN)
    settings.cache_clear()
    secrets._cache[ARN] = (json.dumps({"auth_token": TOKEN}).encode(), time.monotonic())
    inbox, queue = FakeInboundMessages(), FakeIntakeQueue()
    bootstrap.override(
        inbound_messages=inbox, intake_queue=queue, channel_sender=FakeChannelSender()
    )
    with Client(app) as c:
        c.inbox, c.queue = inbox, queue
        yield c
    secrets.forget()
    settings.cache_clear()


def fields(sid="SM" + "a" * 32, body=TEXT, sender=PHONE, **more):
    return {
        "MessageSid": sid,
        "AccountSid": "AC" + "b" * 32,
        "From": sender,
        "To": "+6281100001708",
        "Body": body,
        "NumMedia": "0",
        **more,
    }


def post(client, form, *, token=TOKEN, signature=None, url=URL, raw=None):
    signature = signature or RequestValidator(token).compute_signature(url, form)
    return client.http.post(
        "/channels/sms/twilio",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
        body=raw if raw is not None else urlencode(form),
    )


def message_text(response) -> str:
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.body)
    assert root.tag == "Response"
    return "".join(m.text or "" for m in root.iter("Message"))


def test_a_signed_sms_becomes_a_report_and_the_twiml_carries_its_tracking_id(client, reports):
    text = message_text(post(client, fields()))
    (report,) = reports.reports.values()
    assert report.tracking_id in text
    assert report.channel.value == "sms" and report.reporter.phone == PHONE


def test_a_redelivered_message_sid_gets_the_same_answer_and_no_second_report(client, reports):
    first = message_text(post(client, fields()))
    assert message_text(post(client, fields())) == first
    assert len(reports.reports) == 1


@pytest.mark.parametrize(
    "how",
    ["missing", "wrong token", "other url", "tampered body"],
)
def test_a_forged_or_unsigned_request_is_refused_and_nothing_is_stored(client, reports, how):
    form = fields()
    if how == "missing":
        r = client.http.post(
            "/channels/sms/twilio",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=urlencode(form),
        )
    elif how == "wrong token":
        r = post(client, form, token="not-the-token")
    elif how == "other url":
        r = post(client, form, url="https://evil.example/channels/sms/twilio")
    else:
        signature = RequestValidator(TOKEN).compute_signature(URL, form)
        r = post(client, {**form, "Body": "changed " + TEXT}, signature=signature)
    assert r.status_code == 403
    problem(r)
    assert reports.reports == {} and client.inbox.items == {}


@pytest.mark.parametrize(
    "form",
    [
        fields(sid="not-a-sid"),
        fields(sender="whoever"),
        fields(NumMedia="many"),
        fields(NumMedia="11"),
        fields(NumMedia="1", MediaUrl0="file:///etc/passwd"),
        fields(NumMedia="1"),
    ],
)
def test_malformed_signed_forms_are_400_with_nothing_stored(client, reports, form):
    r = post(client, form)
    assert r.status_code == 400, r.body
    problem(r)
    assert reports.reports == {} and client.inbox.items == {}


def test_garbage_bodies_are_4xx(client, reports):
    assert post(client, {}, raw="%%%&&&=").status_code in (400, 403)
    assert post(client, {}, raw="a=1&a=2").status_code in (400, 403)
    r = client.http.post(
        "/channels/sms/twilio", headers={"Content-Type": "application/json"}, body="{}"
    )
    assert r.status_code == 415
    assert reports.reports == {}


def test_long_and_non_latin_messages(client, reports):
    long_text = ("Jalan rusak parah di depan sekolah, anak-anak sering jatuh. " * 25).strip()
    message_text(post(client, fields(body=long_text)))
    javanese = "ꦗꦭꦤ꧀ꦫꦸꦱꦏ꧀ ꦲꦶꦁ ꦔꦂꦱ ꦱꦼꦏꦺꦴꦭꦃ ꦲꦤꦏ꧀ꦲꦤꦏ꧀ ꦱꦼꦫꦶꦁ ꦕꦶꦭꦏ"
    message_text(post(client, fields(sid="SM" + "c" * 32, body=javanese)))
    stored = sorted(reports.reports.values(), key=lambda r: len(r.description))
    assert stored[0].description == javanese
    assert stored[1].description == long_text[:1600].strip()


def test_status_and_reply_by_sms(client, reports):
    message_text(post(client, fields()))
    (tid,) = reports.reports
    status = message_text(post(client, fields(sid="SM" + "d" * 32, body=f"status {tid}")))
    assert tid in status and "Belum Terverifikasi" in status
    replied = message_text(
        post(
            client,
            fields(sid="SM" + "e" * 32, body=f"BALAS {tid} Terima kasih, lokasinya dekat SD 3."),
        )
    )
    assert "diteruskan" in replied


def test_mms_media_are_queued_for_the_worker(client, reports):
    form = fields(
        NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1", MediaContentType0="image/jpeg"
    )
    text = message_text(post(client, form))
    assert "1 lampiran" in text
    assert client.queue.keys == [inbox_key(Channel.SMS, form["MessageSid"])]


def test_a_channel_not_connected_is_not_enabled(client, reports):
    secrets._cache[ARN] = (b"{}", time.monotonic())  # the secret as the template creates it
    r = post(client, fields())
    assert r.status_code == 404 and problem(r)["type"].endswith("channel-not-enabled")
    assert reports.reports == {}


def test_an_oversized_form_is_refused_like_every_channels_webhook(client):
    raw = "Body=" + "a" * (256 * 1024)
    r = post(client, {}, raw=raw)
    assert r.status_code == 413
    assert client.queue.keys == []
