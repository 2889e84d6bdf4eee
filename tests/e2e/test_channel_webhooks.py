"""The channel webhooks on the local stack, over HTTP, with the credentials `make run`
seeds into the emulator's Secrets Manager: the handshakes, signatures computed here (and
by openssl, as the README does), refusals, and the README's curl examples run as written.
The shared stack's AWS calls are checked against the API function's role when the session
ends (the API may read exactly the two channel secrets)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from chalicelib.domain.inbound import inbox_key
from chalicelib.domain.report import Channel
from devstack.providers import LOCAL_CREDENTIALS
from tests.e2e.conftest import ROOT
from tests.unit import channel_helpers as h

pytestmark = pytest.mark.e2e

META = LOCAL_CREDENTIALS["whatsapp"]
MESSENGER = LOCAL_CREDENTIALS["messenger"]
X = LOCAL_CREDENTIALS["x"]
JSON = {"Content-Type": "application/json"}


def test_the_meta_handshakes_answer_the_challenge_with_the_seeded_token(stack, http):
    for path, secret in (("/channels/whatsapp", META), ("/channels/messenger", MESSENGER)):
        params = {
            "hub.mode": "subscribe",
            "hub.verify_token": secret["verify_token"],
            "hub.challenge": "1158201444",
        }
        r = http.get(stack.url + path, params=params)
        assert r.status_code == 200 and r.text == "1158201444"
        r = http.get(stack.url + path, params={**params, "hub.verify_token": "guess"})
        assert r.status_code == 403
        assert r.headers["Content-Type"] == "application/problem+json"


def test_the_x_crc_uses_the_seeded_consumer_secret(stack, http):
    r = http.get(f"{stack.url}/channels/x", params={"crc_token": "Y2M3MjljYWItOWEwYS00ZjZl"})
    assert r.status_code == 200
    assert r.json() == {
        "response_token": h.x_signature(X["consumer_secret"], b"Y2M3MjljYWItOWEwYS00ZjZl")
    }


def test_forged_deliveries_are_refused_over_http(stack, http):
    body = h.dumps(h.whatsapp_text(phone_number_id=META["phone_number_id"]))
    for path in ("/channels/whatsapp", "/channels/messenger"):
        forged = {**JSON, "X-Hub-Signature-256": h.hub_signature("guessed", body)}
        assert http.post(stack.url + path, data=body, headers=forged).status_code == 403
        assert http.post(stack.url + path, data=body, headers=JSON).status_code == 403
    body = h.dumps(h.x_payload(dms=[h.dm_event(recipient=X["user_id"])]))
    forged = {**JSON, "x-twitter-webhooks-signature": h.x_signature("guessed", body)}
    assert http.post(f"{stack.url}/channels/x", data=body, headers=forged).status_code == 403


def test_signed_callbacks_without_messages_are_answered_200(stack, http):
    """Status callbacks and echoes: verified with the seeded secrets, nothing handed over."""
    body = h.dumps(h.whatsapp_status(phone_number_id=META["phone_number_id"]))
    signed = {**JSON, "X-Hub-Signature-256": h.hub_signature(META["app_secret"], body)}
    r = http.post(f"{stack.url}/channels/whatsapp", data=body, headers=signed)
    assert r.status_code == 200 and r.json() == {"accepted": 0}

    body = h.dumps({"for_user_id": X["user_id"], "favorite_events": [{"id": "1"}]})
    signed = {**JSON, "x-twitter-webhooks-signature": h.x_signature(X["consumer_secret"], body)}
    r = http.post(f"{stack.url}/channels/x", data=body, headers=signed)
    assert r.status_code == 200 and r.json() == {"accepted": 0}


def test_garbage_and_oversized_bodies_are_4xx_over_http(stack, http):
    garbage = b'{"object": "page", "entry": ['
    signed = {**JSON, "X-Hub-Signature-256": h.hub_signature(MESSENGER["app_secret"], garbage)}
    assert (
        http.post(f"{stack.url}/channels/messenger", data=garbage, headers=signed).status_code
        == 400
    )
    big = b'{"pad":"' + b"a" * (256 * 1024) + b'"}'
    signed = {**JSON, "X-Hub-Signature-256": h.hub_signature(META["app_secret"], big)}
    assert http.post(f"{stack.url}/channels/whatsapp", data=big, headers=signed).status_code == 413


# -- the README, as written --------------------------------------------------------------


def readme_blocks(section: str) -> list[str]:
    """The ```sh blocks of a README section that talk to the local API."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n### {section}\n")
    end = text.find("\n### ", start + 1)
    body = text[start : end if end != -1 else None]
    return [b for b in re.findall(r"```sh\n(.*?)```", body, re.S) if "$API" in b]


def run_block(stack, block: str) -> list[str]:
    script = block.replace("http://127.0.0.1:8000", stack.url)
    out = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return out.stdout.splitlines()


needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")


@needs_openssl
def test_the_readme_crc_example_prints_the_same_token_twice(stack):
    (block,) = readme_blocks("X")
    crc_part = block.split("# A mention")[0]
    answer, computed = run_block(stack, crc_part)
    assert json.loads(answer) == {"response_token": "sha256=" + computed}


@needs_openssl
@pytest.mark.parametrize("section", ["WhatsApp", "Facebook Messenger", "X"])
def test_the_readme_examples_run_as_written(stack, section):
    """Every curl of the section, exactly as in the README, against the local stack:
    the handshake or CRC answers, each signed delivery is accepted, forged ones refused."""
    pytest.importorskip("chalicelib.services.channel_intake", reason="intake not merged yet")
    (block,) = readme_blocks(section)
    lines = run_block(stack, block)
    accepted = [json.loads(line) for line in lines if line.startswith('{"accepted"')]
    assert accepted and all(a == {"accepted": 1} for a in accepted), lines
    if section != "X":
        assert lines[0] in ("1158201444", "42")
    if section == "WhatsApp":
        assert lines[-1] == "403"


# -- through the intake: a report filed once, no identity in public -------------------------


def _delivery(channel: str, uid: str) -> tuple[str, bytes, dict, str, str]:
    """(path, body, headers, inbox key, the sender's identity as it must never show)."""
    text = f"Jembatan penyeberangan di Jl. Asia Afrika rusak dan berbahaya, kode {uid}"
    if channel == "whatsapp":
        wa_id = "62813" + uid[:8]
        payload = h.whatsapp_text(
            text=text,
            wamid=f"wamid.e2e-{uid}",
            wa_id=wa_id,
            phone_number_id=META["phone_number_id"],
        )
        body = h.dumps(payload)
        sig = {"X-Hub-Signature-256": h.hub_signature(META["app_secret"], body)}
        return (
            "/channels/whatsapp",
            body,
            sig,
            inbox_key(Channel.WHATSAPP, f"wamid.e2e-{uid}"),
            wa_id,
        )
    if channel == "messenger":
        event = h.messenger_text(text=text, mid=f"m_e2e-{uid}")
        event["sender"]["id"] = "67451" + uid[:8]
        body = h.dumps(h.messenger(event))
        sig = {"X-Hub-Signature-256": h.hub_signature(MESSENGER["app_secret"], body)}
        return (
            "/channels/messenger",
            body,
            sig,
            inbox_key(Channel.MESSENGER, f"m_e2e-{uid}"),
            event["sender"]["id"],
        )
    tweet = h.tweet(
        text="@LAPOR1708 " + text,
        tweet_id="18640" + uid[:8],
        user_id="44196" + uid[:8],
        screen_name="warga_" + uid[:6],
        mentions=(X["user_id"],),
    )
    body = h.dumps(h.x_payload(tweets=[tweet], for_user_id=X["user_id"]))
    sig = {"x-twitter-webhooks-signature": h.x_signature(X["consumer_secret"], body)}
    return "/channels/x", body, sig, inbox_key(Channel.X, tweet["id_str"]), "warga_" + uid[:6]


@pytest.mark.parametrize("channel", ["whatsapp", "messenger", "x"])
def test_a_message_files_one_report_and_a_redelivery_is_stored_once(stack, http, channel):
    import time
    import uuid

    uid = str(uuid.uuid4().int)[:10]
    path, body, signature, key, identity = _delivery(channel, uid)
    headers = {**JSON, **signature}
    first = http.post(stack.url + path, data=body, headers=headers)
    again = http.post(stack.url + path, data=body, headers=headers)  # the provider retries
    assert first.json() == again.json() == {"accepted": 1}

    table = stack.dynamodb()
    idempotency = next(t for t in table.list_tables()["TableNames"] if t.endswith("-idempotency"))
    deadline, item = time.monotonic() + 30, None
    while time.monotonic() < deadline:
        item = table.get_item(
            TableName=idempotency, Key={"key": {"S": "inbound#" + key}}, ConsistentRead=True
        ).get("Item")
        if item and "tracking_id" in item:
            break
        time.sleep(0.3)
    assert item and "tracking_id" in item, f"the intake worker did not file {key}: {item}"
    tid = item["tracking_id"]["S"]

    public = http.get(f"{stack.url}/v1/reports/{tid}")
    assert public.status_code == 200
    assert uid in public.text  # the report is the message
    assert identity not in public.text
