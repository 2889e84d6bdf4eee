"""The channels on the running local stack, over HTTP: an SMS signed as Twilio signs it
(twilio's own RequestValidator, the local stack's Twilio token) becomes a report, is
answered in TwiML, is not filed twice when redelivered; a forged one is refused; the
sender's STATUS and BALAS work and the public view shows no identity."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator

from devstack.providers import LOCAL_CREDENTIALS

pytestmark = pytest.mark.e2e

PATH = "/channels/sms/twilio"
TEXT = "Sampah di TPS Cicadas tidak diangkut dua minggu, baunya sampai ke rumah warga."


def sms(stack, http, body, *, sender, sid=None, token=LOCAL_CREDENTIALS["sms"]["auth_token"]):
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


def test_a_whatsapp_message_is_answered_on_whatsapp_through_the_intake_worker(stack, http):
    """The webhook stores and queues it; the worker files the report and sends the answer
    through the real sender to the local stand-in for the Graph API: the outbox shows it,
    once, to the sender's number."""
    import subprocess
    import sys
    import time

    from devstack.providers import LOCAL_CREDENTIALS
    from tests.e2e.conftest import ROOT
    from tests.unit import channel_helpers as h

    wa = LOCAL_CREDENTIALS["whatsapp"]
    wa_id = "62813" + str(uuid.uuid4().int)[:8]
    wamid = f"wamid.e2e-{uuid.uuid4().hex}"
    body = h.dumps(
        h.whatsapp_text(
            text="ASPIRASI " + TEXT, wamid=wamid, wa_id=wa_id, phone_number_id=wa["phone_number_id"]
        )
    )
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": h.hub_signature(wa["app_secret"], body),
    }
    for _ in range(2):  # Meta redelivers: one report, one answer
        r = http.post(stack.url + "/channels/whatsapp", data=body, headers=headers)
        assert r.status_code == 200, r.text

    def outbox() -> str:
        out = subprocess.run(
            [sys.executable, "-m", "devstack", "outbox", "--channel", "whatsapp"],
            cwd=ROOT,
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    deadline, shown = time.monotonic() + 45, ""
    while time.monotonic() < deadline and wa_id not in shown:
        shown = outbox()
        time.sleep(0.5)
    blocks = [b for b in shown.split("=== ") if f"To:      {wa_id}" in b]
    assert len(blocks) == 1, shown
    assert "Nomor pelacakan" in blocks[0]
    tid = blocks[0].split("Nomor pelacakan: ")[1][:10]
    public = http.get(f"{stack.url}/v1/reports/{tid}").json()
    assert public["kind"] == "aspiration"
    assert wa_id not in str(public)
