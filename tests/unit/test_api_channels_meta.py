"""WhatsApp and Messenger webhooks over HTTP (chalice test client, fakes behind
bootstrap): the subscription handshake, signatures checked over the raw bytes before
anything is parsed, what is handed to intake and what is ignored."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from chalice.test import Client

from app import app
from chalicelib import bootstrap
from chalicelib.api.channels import signatures
from chalicelib.domain.inbound import InboundMedia, inbox_key
from chalicelib.domain.report import Channel
from tests.unit import channel_helpers as h
from tests.unit.api_helpers import problem

SECRET = h.META["app_secret"]
ROUTES = ("/channels/whatsapp", "/channels/messenger")


@pytest.fixture
def intake():
    return h.FakeIntake()


@pytest.fixture
def credentials():
    return h.StaticChannelSecrets(meta=h.META, x=h.X)


@pytest.fixture
def client(wired, intake, credentials):
    bootstrap.override(channel_intake=intake, channel_secrets=credentials)
    with Client(app) as c:
        yield c


def post(client, path, body: bytes, signature="sign", headers=None):
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    if signature == "sign":
        hdrs["X-Hub-Signature-256"] = h.hub_signature(SECRET, body)
    elif signature is not None:
        hdrs["X-Hub-Signature-256"] = signature
    return client.http.post(path, headers=hdrs, body=body)


def verify(client, path, **params):
    return client.http.get(f"{path}?{urlencode(params)}")


# -- the signature, against documented values ---------------------------------------------


def test_the_hub_signature_matches_the_documented_example():
    """X-Hub-Signature-256 is the lowercase hex HMAC-SHA256 of the raw body keyed with
    the secret (Meta's "Validate payloads"). GitHub documents the same header with a
    worked example: secret "It's a Secret to Everybody", body "Hello, World!"."""
    assert signatures.meta_signature("It's a Secret to Everybody", b"Hello, World!") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )


def test_the_signature_agrees_with_openssl_as_the_readme_computes_it():
    body = h.dumps(h.whatsapp_text(text="Tolong: jembatan putus di Desa Sukamaju \u2014 darurat"))
    expected = h.openssl_hmac_hex(SECRET, body)
    if expected is None:
        pytest.skip("no openssl on this machine")
    assert signatures.meta_signature(SECRET, body) == "sha256=" + expected


# -- GET: the subscription handshake ------------------------------------------------------


@pytest.mark.parametrize("path", ROUTES)
def test_the_handshake_echoes_the_challenge_as_plain_text(client, path):
    r = verify(
        client,
        path,
        **{"hub.mode": "subscribe", "hub.verify_token": h.META["verify_token"]},
        **{"hub.challenge": "1158201444"},
    )
    assert r.status_code == 200
    assert r.body == b"1158201444"
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {
            "hub.mode": "unsubscribe",
            "hub.verify_token": h.META["verify_token"],
            "hub.challenge": "1",
        },
        {"hub.verify_token": h.META["verify_token"], "hub.challenge": "1"},
        {
            "hub.mode": "subscribe",
            "hub.verify_token": h.META["verify_token"] + "x",
            "hub.challenge": "1",
        },
    ],
)
def test_a_wrong_token_or_mode_is_refused(client, path, params):
    r = verify(client, path, **params)
    assert r.status_code == 403
    assert problem(r)["type"].endswith(":verification-refused")


def test_a_missing_or_oversized_challenge_is_a_bad_request(client):
    good = {"hub.mode": "subscribe", "hub.verify_token": h.META["verify_token"]}
    assert verify(client, ROUTES[0], **good).status_code == 400
    assert verify(client, ROUTES[0], **good, **{"hub.challenge": "9" * 257}).status_code == 400


def test_without_a_configured_verify_token_every_handshake_is_refused(client):
    """An empty token in the secret (not filled in yet) must not match an empty one."""
    bootstrap.override(channel_secrets=h.StaticChannelSecrets(meta={**h.META, "verify_token": ""}))
    r = verify(
        client, ROUTES[0], **{"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    )
    assert r.status_code == 404
    assert problem(r)["type"].endswith(":channel-not-enabled")


# -- POST: signature first ----------------------------------------------------------------


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "",
        "sha256=" + "0" * 64,
        "sha1=" + "0" * 40,
        "garbage",
        "sha256=zz",
    ],
)
def test_a_missing_or_forged_signature_is_refused_and_nothing_is_handed_over(
    client, intake, path, signature
):
    body = h.dumps(h.whatsapp_text() if "whatsapp" in path else h.messenger(h.messenger_text()))
    r = post(client, path, body, signature=signature)
    assert r.status_code == 403
    assert problem(r)["type"].endswith(":invalid-signature")
    assert intake.batches == []


def test_a_signature_with_another_secret_is_refused(client, intake):
    body = h.dumps(h.whatsapp_text())
    r = post(client, ROUTES[0], body, signature=h.hub_signature("another-app-secret", body))
    assert r.status_code == 403 and intake.batches == []


def test_the_signature_covers_the_raw_bytes_not_the_parsed_json(client, intake):
    """Meta signs the bytes it sent (\\u escapes included): the same JSON re-serialised
    differently does not verify, and the escaped original does."""
    payload = h.whatsapp_text(text="Banjir di Kampung Melayu \u2014 air setinggi 1 m")
    escaped = json.dumps(payload).encode()  # \u2014 as an escape, as Meta sends it
    signature = h.hub_signature(SECRET, escaped)
    assert b"\\u2014" in escaped

    r = post(client, ROUTES[0], json.dumps(payload, ensure_ascii=False).encode(), signature)
    assert r.status_code == 403 and intake.batches == []
    r = post(client, ROUTES[0], escaped, signature)
    assert r.status_code == 200
    assert intake.messages[0].text == "Banjir di Kampung Melayu \u2014 air setinggi 1 m"


def test_an_upper_case_hex_signature_still_verifies(client, intake):
    body = h.dumps(h.whatsapp_text())
    signature = "sha256=" + h.hub_signature(SECRET, body)[7:].upper()
    assert post(client, ROUTES[0], body, signature).status_code == 200


@pytest.mark.parametrize("path", ROUTES)
def test_without_an_app_secret_nothing_is_accepted(client, intake, path):
    bootstrap.override(channel_secrets=h.StaticChannelSecrets(meta={**h.META, "app_secret": ""}))
    body = h.dumps(h.whatsapp_text())
    r = post(client, path, body, signature=h.hub_signature("", body))
    assert r.status_code == 404 and intake.batches == []
    bootstrap.override(channel_secrets=h.StaticChannelSecrets(meta=None))
    r = post(client, path, body)
    assert r.status_code == 404 and intake.batches == []


def test_a_secret_that_cannot_be_read_now_is_a_503_meta_retries(client, intake):
    bootstrap.override(channel_secrets=h.StaticChannelSecrets(meta="unavailable"))
    r = post(client, ROUTES[0], h.dumps(h.whatsapp_text()))
    assert r.status_code == 503
    assert r.headers["Retry-After"]
    assert problem(r)["type"].endswith(":channel-unavailable")
    assert intake.batches == []


# -- POST: abuse ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ROUTES)
def test_an_oversized_body_is_refused_before_anything_else(client, intake, path):
    body = b'{"object":"page","pad":"' + b"a" * (256 * 1024) + b'"}'
    r = post(client, path, body)
    assert r.status_code == 413
    assert problem(r)["type"].endswith(":body-too-large")
    assert intake.batches == []


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b'{"object": "page", "entry": [',
        b"[1, 2, 3]",
        b'"a string"',
        b"\xff\xfe\x00garbage",
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 100 + b"1" + b"}" * 100,
    ],
)
def test_garbage_with_a_valid_signature_is_a_bad_request_not_a_crash(client, intake, path, body):
    r = post(client, path, body)
    assert r.status_code == 400
    assert problem(r)["type"].endswith((":invalid-json", ":invalid-utf8"))
    assert intake.batches == []


@pytest.mark.parametrize(
    "payload",
    [
        {"object": "instagram", "entry": [{"id": "1", "messaging": [h.messenger_text()]}]},
        {"object": "whatsapp_business_account", "entry": "not a list"},
        {"object": "whatsapp_business_account", "entry": [1, "x", None, {"changes": {"a": 1}}]},
        {
            "object": "whatsapp_business_account",
            "entry": [{"changes": [{"field": "messages", "value": []}]}],
        },
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "changes": [
                        {
                            "field": "messages",
                            "value": {"messages": [{"id": 5, "from": [], "type": "text"}]},
                        }
                    ]
                }
            ],
        },
        {
            "object": "page",
            "entry": [{"messaging": [{"message": "text"}, {"sender": 1, "message": {}}]}],
        },
        {"unexpected": True},
    ],
)
def test_unknown_objects_and_odd_shapes_are_ignored_with_200(client, intake, payload):
    for path in ROUTES:
        r = post(client, path, h.dumps(payload))
        assert r.status_code == 200, (path, r.body)
        assert json.loads(r.body) == {"accepted": 0}
    assert intake.batches == []


# -- WhatsApp ------------------------------------------------------------------------------


def test_a_whatsapp_text_becomes_an_inbound_message(client, intake, clock):
    r = post(client, "/channels/whatsapp", h.dumps(h.whatsapp_text()))

    assert r.status_code == 200
    assert json.loads(r.body) == {"accepted": 1}
    (message,) = intake.messages
    assert message.channel is Channel.WHATSAPP
    assert (
        message.message_id
        == h.whatsapp_text()["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    )
    assert message.sender == "+6281234567890"
    assert message.sender_name == "Siti Rahayu"
    assert message.text == "Jalan berlubang di depan Pasar Kosambi, mohon segera diperbaiki"
    assert message.received_at == clock.now()
    assert message.public is False and message.reply_to is None and message.media == ()
    assert message.key == inbox_key(Channel.WHATSAPP, message.message_id)


def test_the_same_delivery_twice_gives_the_same_keys(client, intake):
    """Meta redelivers: intake drops the repeat by key, so the key must not change."""
    body = h.dumps(h.whatsapp_text())
    post(client, "/channels/whatsapp", body)
    post(client, "/channels/whatsapp", body)
    first, second = intake.batches
    assert [m.key for m in first] == [m.key for m in second]
    assert first == second


def test_whatsapp_status_callbacks_are_ignored(client, intake):
    r = post(client, "/channels/whatsapp", h.dumps(h.whatsapp_status()))
    assert r.status_code == 200 and json.loads(r.body) == {"accepted": 0}
    assert intake.batches == []


def test_whatsapp_images_and_documents_carry_their_media_ids(client, intake):
    payload = h.whatsapp_text()
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"] = [
        {
            "from": "6281234567890",
            "id": "wamid.image",
            "timestamp": "1764400000",
            "type": "image",
            "image": {
                "caption": "Foto jalan berlubang",
                "mime_type": "image/jpeg",
                "sha256": "81d3bd8a8db4868c9520ed47186e8b7c5789e61ff79f7f834be6950b808a90d3",
                "id": "2754859441498128",
            },
        },
        {
            "from": "6281234567890",
            "id": "wamid.document",
            "timestamp": "1764400001",
            "type": "document",
            "document": {
                "filename": "surat-keterangan.pdf",
                "mime_type": "application/pdf",
                "sha256": "aa",
                "id": "1003383421387256",
            },
        },
        {
            "from": "6281234567890",
            "id": "wamid.reaction",
            "type": "reaction",
            "reaction": {"emoji": "👍", "message_id": "wamid.x"},
        },
        {
            "from": "6281234567890",
            "id": "wamid.audio",
            "type": "audio",
            "audio": {"id": "1", "mime_type": "audio/ogg"},
        },
        {"from": "6281234567890", "id": "wamid.sticker", "type": "sticker", "sticker": {"id": "2"}},
        {
            "from": "6281234567890",
            "id": "wamid.group",
            "group_id": "Y2FwaV9",
            "type": "text",
            "text": {"body": "di grup"},
        },
        {"from": "6281234567890", "id": "wamid.empty", "type": "text", "text": {"body": "   "}},
    ]
    r = post(client, "/channels/whatsapp", h.dumps(payload))

    assert json.loads(r.body) == {"accepted": 2}
    image, document = intake.messages
    assert image.text == "Foto jalan berlubang"
    assert image.media == (InboundMedia(media_id="2754859441498128", content_type="image/jpeg"),)
    assert document.text == ""
    assert document.media == (
        InboundMedia(
            media_id="1003383421387256",
            content_type="application/pdf",
            filename="surat-keterangan.pdf",
        ),
    )


def test_whatsapp_messages_to_another_business_number_are_not_ours(client, intake):
    r = post(client, "/channels/whatsapp", h.dumps(h.whatsapp_text(phone_number_id="999")))
    assert json.loads(r.body) == {"accepted": 0} and intake.batches == []


def test_a_whatsapp_sender_that_is_not_a_phone_number_is_skipped(client, intake):
    for wa_id in ("+6281234567890", "0812345", "62812345678901234", "abc"):
        post(client, "/channels/whatsapp", h.dumps(h.whatsapp_text(wa_id=wa_id)))
    assert intake.batches == []


def test_a_whatsapp_delivery_on_the_messenger_route_is_ignored(client, intake):
    r = post(client, "/channels/messenger", h.dumps(h.whatsapp_text()))
    assert r.status_code == 200 and intake.batches == []


# -- Messenger -----------------------------------------------------------------------------


def test_a_messenger_text_becomes_an_inbound_message(client, intake, clock):
    r = post(client, "/channels/messenger", h.dumps(h.messenger(h.messenger_text())))

    assert r.status_code == 200 and json.loads(r.body) == {"accepted": 1}
    (message,) = intake.messages
    assert message.channel is Channel.MESSENGER
    assert message.message_id == "m_AG5Hz2Uq7tuwNEhXfYYKj8"
    assert message.sender == "6745123987612345"
    assert message.text == "Lampu jalan mati di Jl. Dago sejak seminggu"
    assert message.received_at == clock.now()
    assert message.key == inbox_key(Channel.MESSENGER, "m_AG5Hz2Uq7tuwNEhXfYYKj8")


def test_messenger_echoes_deliveries_reads_and_postbacks_are_ignored(client, intake):
    echo = h.messenger_text(mid="m_echo")
    echo["message"]["is_echo"] = True
    echo["message"]["app_id"] = 1517776481860111
    echo["sender"], echo["recipient"] = echo["recipient"], echo["sender"]
    delivery = {
        "sender": {"id": "6745123987612345"},
        "recipient": {"id": "109876543210"},
        "delivery": {"mids": ["m_AG5Hz2Uq7tuwNEhXfYYKj8"], "watermark": 1764400000000},
    }
    read = {
        "sender": {"id": "6745123987612345"},
        "recipient": {"id": "109876543210"},
        "timestamp": 1764400000000,
        "read": {"watermark": 1764400000000},
    }
    postback = {
        "sender": {"id": "6745123987612345"},
        "recipient": {"id": "109876543210"},
        "postback": {"title": "Mulai", "payload": "GET_STARTED"},
    }
    r = post(client, "/channels/messenger", h.dumps(h.messenger(echo, delivery, read, postback)))
    assert r.status_code == 200 and json.loads(r.body) == {"accepted": 0}
    assert intake.batches == []


def test_messenger_images_and_files_carry_their_urls_stickers_do_not(client, intake):
    event = h.messenger_text(text="", mid="m_media")
    event["message"]["attachments"] = [
        {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/v/photo.jpg"}},
        {"type": "file", "payload": {"url": "https://cdn.fbsbx.com/v/t59/laporan.pdf"}},
        {
            "type": "image",
            "payload": {
                "url": "https://scontent.xx.fbcdn.net/sticker.png",
                "sticker_id": 369239263222822,
            },
        },
        {"type": "audio", "payload": {"url": "https://cdn.fbsbx.com/audio.mp4"}},
        {"type": "image", "payload": {}},
    ]
    sticker_only = h.messenger_text(text="", mid="m_sticker")
    sticker_only["message"]["attachments"] = [
        {"type": "image", "payload": {"url": "https://x/s.png", "sticker_id": 1}}
    ]
    post(client, "/channels/messenger", h.dumps(h.messenger(event, sticker_only)))

    (message,) = intake.messages
    assert message.text == ""
    assert message.media == (
        InboundMedia(url="https://scontent.xx.fbcdn.net/v/photo.jpg"),
        InboundMedia(url="https://cdn.fbsbx.com/v/t59/laporan.pdf"),
    )


def test_a_batch_of_messenger_events_is_handed_over_at_once(client, intake):
    events = [
        h.messenger_text(text=f"Laporan nomor {i} tentang sampah", mid=f"m_{i}") for i in range(3)
    ]
    post(client, "/channels/messenger", h.dumps(h.messenger(*events)))
    assert len(intake.batches) == 1
    assert [m.message_id for m in intake.messages] == ["m_0", "m_1", "m_2"]


def test_other_methods_are_answered_by_the_edge(client):
    r = client.http.put("/channels/whatsapp", body=b"{}")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, POST, OPTIONS"
