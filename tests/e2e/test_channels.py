"""The channels on the running local stack, over HTTP: an SMS signed as Twilio signs it
(twilio's own RequestValidator, the local stack's Twilio token) becomes a report, is
answered in TwiML, is not filed twice when redelivered; a forged one is refused; the
sender's STATUS and BALAS work and the public view shows no identity."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator

from devstack.resources import LOCAL_TWILIO_AUTH_TOKEN

pytestmark = pytest.mark.e2e

PATH = "/channels/sms/twilio"
TEXT = "Sampah di TPS Cicadas tidak diangkut dua minggu, baunya sampai ke rumah warga."


def sms(stack, http, body, *, sender, sid=None, token=LOCAL_TWILIO_AUTH_TOKEN):
    form = {
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
    }
    signature = RequestValidator(token).compute_signature(stack.url + PATH, form)
    r = http.post(stack.url + PATH, data=form, headers={"X-Twilio-Signature": signature})
    return r, form["MessageSid"]


def answer(r) -> str:
    assert r.status_code == 200, r.text
    return "".join(m.text or "" for m in ET.fromstring(r.text).iter("Message"))


def phone() -> str:
    return "+62812" + str(uuid.uuid4().int)[:7]


def test_an_sms_conversation(stack, http):
    sender = phone()
    r, sid = sms(stack, http, "ANONIM " + TEXT, sender=sender)
    text = answer(r)
    tid = text.split("pelacakan: ")[1][:10]
    assert answer(sms(stack, http, "ANONIM " + TEXT, sender=sender, sid=sid)[0]) == text

    public = http.get(f"{stack.url}/v1/reports/{tid}").json()
    assert public["tracking_id"] == tid
    assert sender not in str(public) and sender[1:] not in str(public)

    status = answer(sms(stack, http, f"STATUS {tid}", sender=sender)[0])
    assert tid in status and "Belum Terverifikasi" in status
    replied = answer(sms(stack, http, f"BALAS {tid} Lokasinya di samping pasar.", sender=sender)[0])
    assert "diteruskan" in replied
    other = answer(sms(stack, http, f"BALAS {tid} bukan saya", sender=phone())[0])
    assert "tidak ditemukan" in other


def test_a_forged_sms_is_refused_and_not_filed(stack, http):
    sender = phone()
    r, _ = sms(stack, http, TEXT, sender=sender, token="not-the-token")
    assert r.status_code == 403
    assert r.headers["Content-Type"] == "application/problem+json"
