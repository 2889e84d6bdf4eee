"""The X Account Activity webhook over HTTP: the CRC, the signature over the raw body,
mentions (public) and direct messages (private) handed to intake, the rest ignored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import quote

import pytest
from chalice.test import Client

from app import app
from chalicelib import bootstrap
from chalicelib.api.channels import signatures
from chalicelib.domain.inbound import InboundMedia, inbox_key
from chalicelib.domain.report import Channel
from tests.unit import channel_helpers as h
from tests.unit.api_helpers import problem

SECRET = h.X["consumer_secret"]
ACCOUNT = h.X["user_id"]


@pytest.fixture
def intake():
    return h.FakeIntake()


@pytest.fixture
def client(wired, intake):
    bootstrap.override(
        channel_intake=intake, channel_secrets=h.StaticChannelSecrets(meta=h.META, x=h.X)
    )
    with Client(app) as c:
        yield c


def post(client, body: bytes, signature="sign"):
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers["x-twitter-webhooks-signature"] = h.x_signature(SECRET, body)
    elif signature is not None:
        headers["x-twitter-webhooks-signature"] = signature
    return client.http.post("/channels/x", headers=headers, body=body)


def accepted(response) -> int:
    assert response.status_code == 200, response.body
    return json.loads(response.body)["accepted"]


# -- the CRC --------------------------------------------------------------------------------


def test_the_crc_answers_the_documented_response_token(client):
    """X: response_token = "sha256=" + base64(HMAC-SHA256(key=consumer secret,
    msg=crc_token)). No published vector with a known secret exists, so the expected
    value is computed here with hmac (and with openssl below), not with the code under
    test."""
    token = "Y2M3MjljYWItOWEwYS00ZjZlL"
    r = client.http.get(f"/channels/x?crc_token={token}")

    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    mac = hmac.new(SECRET.encode(), token.encode(), hashlib.sha256).digest()
    assert json.loads(r.body) == {"response_token": "sha256=" + base64.b64encode(mac).decode()}


def test_the_crc_agrees_with_openssl():
    expected = h.openssl_hmac_base64(SECRET, b"challenge_string")
    if expected is None:
        pytest.skip("no openssl on this machine")
    assert signatures.x_signature(SECRET, b"challenge_string") == "sha256=" + expected


def test_a_crc_token_with_reserved_characters_is_used_as_decoded(client):
    token = "a+b/c=d&e"
    r = client.http.get(f"/channels/x?crc_token={quote(token, safe='')}")
    assert json.loads(r.body)["response_token"] == h.x_signature(SECRET, token.encode())


def test_a_missing_or_oversized_crc_token_is_a_bad_request(client):
    for path in ("/channels/x", "/channels/x?crc_token=", f"/channels/x?crc_token={'a' * 1025}"):
        r = client.http.get(path)
        assert r.status_code == 400, path
        assert problem(r)["type"].endswith(":invalid-crc-token")


def test_without_a_consumer_secret_the_crc_fails_closed(client):
    bootstrap.override(channel_secrets=h.StaticChannelSecrets(x={**h.X, "consumer_secret": ""}))
    r = client.http.get("/channels/x?crc_token=abc")
    assert r.status_code == 404
    assert problem(r)["type"].endswith(":channel-not-enabled")


# -- the signature --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    [None, "", "sha256=", "sha256=" + base64.b64encode(b"\0" * 32).decode(), "sha256=%%%"],
)
def test_a_missing_or_forged_signature_is_refused_and_nothing_is_handed_over(
    client, intake, signature
):
    r = post(client, h.dumps(h.x_payload(tweets=[h.tweet()])), signature)
    assert r.status_code == 403
    assert problem(r)["type"].endswith(":invalid-signature")
    assert intake.batches == []


def test_a_body_changed_after_signing_is_refused(client, intake):
    body = h.dumps(h.x_payload(dms=[h.dm_event()]))
    signature = h.x_signature(SECRET, body)
    tampered = body.replace(b"pungli", b"PUNGLI")
    assert post(client, tampered, signature).status_code == 403
    assert intake.batches == []


def test_the_hex_form_of_the_signature_is_not_accepted(client, intake):
    """X sends base64; a hex digest is Meta's format, not X's."""
    body = h.dumps(h.x_payload(dms=[h.dm_event()]))
    assert post(client, body, h.hub_signature(SECRET, body)).status_code == 403


def test_without_an_account_id_deliveries_are_refused(client, intake):
    bootstrap.override(channel_secrets=h.StaticChannelSecrets(x={**h.X, "user_id": ""}))
    r = post(client, h.dumps(h.x_payload(dms=[h.dm_event()])))
    assert r.status_code == 404 and intake.batches == []


# -- abuse ------------------------------------------------------------------------------------


def test_an_oversized_body_is_refused(client, intake):
    body = b'{"for_user_id":"1","pad":"' + b"a" * (256 * 1024) + b'"}'
    r = post(client, body)
    assert r.status_code == 413 and intake.batches == []


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"\xc3\x28", b"[" * 3000 + b"]" * 3000])
def test_garbage_with_a_valid_signature_is_a_bad_request(client, intake, body):
    r = post(client, body)
    assert r.status_code == 400
    assert intake.batches == []


@pytest.mark.parametrize(
    "payload",
    [
        {"for_user_id": ACCOUNT, "favorite_events": [{"id": "1"}]},
        {"for_user_id": ACCOUNT, "follow_events": [{"type": "follow"}]},
        {"for_user_id": ACCOUNT, "direct_message_indicate_typing_events": [{"sender_id": "1"}]},
        {"for_user_id": ACCOUNT, "tweet_create_events": "nope"},
        {"for_user_id": ACCOUNT, "tweet_create_events": [1, None, {"id_str": 5}]},
        {"for_user_id": ACCOUNT, "direct_message_events": [{"type": "message_create"}]},
        {"for_user_id": ["x"]},
        {},
    ],
)
def test_other_events_and_odd_shapes_are_ignored_with_200(client, intake, payload):
    assert accepted(post(client, h.dumps(payload))) == 0
    assert intake.batches == []


# -- mentions --------------------------------------------------------------------------------


def test_a_mention_becomes_a_public_message_answered_by_a_reply(client, intake, clock):
    assert accepted(post(client, h.dumps(h.x_payload(tweets=[h.tweet()])))) == 1

    (message,) = intake.messages
    assert message.channel is Channel.X
    assert message.public is True
    assert message.message_id == "1864000000000000001"
    assert message.reply_to == "1864000000000000001"
    assert message.sender == "44196397"
    assert message.sender_name == "@warga_bdg"
    # The leading mention is gone and X's HTML escaping undone.
    assert message.text == "Jalan rusak parah di Jl. Soekarno-Hatta & belum diperbaiki"
    assert message.received_at == clock.now()


def test_the_same_delivery_twice_gives_the_same_keys(client, intake):
    body = h.dumps(h.x_payload(tweets=[h.tweet()]))
    post(client, body)
    post(client, body)
    first, second = intake.batches
    assert first == second and first[0].key == inbox_key(Channel.X, "1864000000000000001")


def test_own_posts_reposts_and_posts_without_our_mention_are_ignored(client, intake):
    own = h.tweet(tweet_id="1", user_id=ACCOUNT, screen_name="LAPOR1708")
    repost = h.tweet(tweet_id="2", retweeted_status={"id_str": "9"})
    elsewhere = h.tweet(tweet_id="3", text="@someone lain hal", mentions=("99",))
    no_entities = {**h.tweet(tweet_id="4"), "entities": {}}
    only_mention = h.tweet(tweet_id="5", text="@LAPOR1708 ")
    payload = h.x_payload(tweets=[own, repost, elsewhere, no_entities, only_mention])
    assert accepted(post(client, h.dumps(payload))) == 0


def test_mentions_by_a_blocked_user_are_ignored(client, intake):
    payload = h.x_payload(tweets=[h.tweet()], user_has_blocked="true")
    assert accepted(post(client, h.dumps(payload))) == 0


def test_a_delivery_for_another_subscribed_account_is_ignored(client, intake):
    payload = h.x_payload(tweets=[h.tweet()], dms=[h.dm_event()], for_user_id="12345")
    assert accepted(post(client, h.dumps(payload))) == 0


def test_a_long_post_uses_its_extended_text_and_all_leading_mentions_go(client, intake):
    full = "@LAPOR1708 @pemkotbandung Sudah tiga bulan " + "sampah menumpuk di TPS Cicadas. " * 6
    long_post = h.tweet(
        text="@LAPOR1708 @pemkotbandung Sudah tiga bulan sampah… https://t.co/abc",
        truncated=True,
        extended_tweet={
            "full_text": full + "https://t.co/photo1",
            "entities": {"user_mentions": [{"id_str": ACCOUNT}, {"id_str": "777"}]},
            "extended_entities": {
                "media": [
                    {
                        "id_str": "1864000000000000900",
                        "type": "photo",
                        "media_url_https": "https://pbs.twimg.com/media/GdA1.jpg",
                        "url": "https://t.co/photo1",
                    },
                    {"id_str": "2", "type": "video", "media_url_https": "https://v/x.jpg"},
                ]
            },
        },
        entities={"user_mentions": []},  # the truncated outer entities
    )
    post(client, h.dumps(h.x_payload(tweets=[long_post])))

    (message,) = intake.messages
    assert message.text == full.removeprefix("@LAPOR1708 @pemkotbandung ").strip()
    assert message.media == (
        InboundMedia(url="https://pbs.twimg.com/media/GdA1.jpg", media_id="1864000000000000900"),
    )


def test_a_mention_in_the_middle_keeps_the_text_whole(client, intake):
    post(client, h.dumps(h.x_payload(tweets=[h.tweet(text="Tolong @LAPOR1708 cek ini")])))
    assert intake.messages[0].text == "Tolong @LAPOR1708 cek ini"


# -- direct messages ----------------------------------------------------------------------


def test_a_direct_message_becomes_a_private_message(client, intake, clock):
    assert accepted(post(client, h.dumps(h.x_payload(dms=[h.dm_event()])))) == 1

    (message,) = intake.messages
    assert message.channel is Channel.X
    assert message.public is False
    assert message.reply_to is None
    assert message.message_id == "1864000000000000777"
    assert message.sender == "44196397"
    assert message.sender_name == "@warga_bdg"
    assert message.text == "Saya ingin melapor pungli di kantor kelurahan"


def test_direct_messages_the_account_sent_are_ignored(client, intake):
    ours = h.dm_event(event_id="1", sender=ACCOUNT, recipient="44196397")
    to_someone_else = h.dm_event(event_id="2", recipient="5555")
    not_a_message = {**h.dm_event(event_id="3"), "type": "participants_join"}
    payload = h.x_payload(dms=[ours, to_someone_else, not_a_message])
    assert accepted(post(client, h.dumps(payload))) == 0


def test_a_direct_message_photo_is_media_and_its_link_leaves_the_text(client, intake):
    event = h.dm_event(text="Ini buktinya https://t.co/dmphoto")
    event["message_create"]["message_data"]["attachment"] = {
        "type": "media",
        "media": {
            "id_str": "1864000000000000901",
            "type": "photo",
            "media_url_https": "https://ton.twitter.com/1.1/ton/data/dm/1/2/abc.jpg",
            "url": "https://t.co/dmphoto",
        },
    }
    post(client, h.dumps(h.x_payload(dms=[event])))

    (message,) = intake.messages
    assert message.text == "Ini buktinya"
    assert message.media == (
        InboundMedia(
            url="https://ton.twitter.com/1.1/ton/data/dm/1/2/abc.jpg",
            media_id="1864000000000000901",
        ),
    )
