"""The channel senders and the media fetcher against a fake provider server over real
HTTP (devstack/providers.py: Twilio's, the Graph API's and X's paths, credentials checked
as the providers check them): what each request looks like, how it authenticates, which
answers are dropped for good and which are retried, the byte limit and the deadline."""

import base64
import json
import socket
import threading
import time
from urllib.parse import parse_qsl

import pytest

from chalicelib.adapters.channel_senders import (
    ChannelSecrets,
    ChannelSenders,
    ProviderMediaFetcher,
    XApi,
)
from chalicelib.adapters.provider_http import ProviderHttp, TooLarge
from chalicelib.domain.inbound import InboundMedia
from chalicelib.services.ports import (
    ChannelNotConnected,
    ChannelRefused,
    ChannelUnavailable,
    MediaTooLarge,
    MediaUnavailable,
)
from devstack.providers import LOCAL_CREDENTIALS, FakeProviders, read_record

CREDS = LOCAL_CREDENTIALS
PHONE = "+6281234567890"


def creds(channel):
    return CREDS[channel]


@pytest.fixture
def fake(tmp_path):
    with FakeProviders(record=tmp_path / "outbox.jsonl") as f:
        yield f


@pytest.fixture
def http():
    return ProviderHttp(3.0, allow_http=True)


@pytest.fixture
def senders(fake, http):
    return ChannelSenders.build(creds, http, fake.url)


@pytest.fixture
def fetcher(fake, http):
    return ProviderMediaFetcher(
        creds,
        http,
        graph_base=fake.url,
        extra_hosts=("127.0.0.1",),
        x_api=XApi(creds, http, fake.url),
    )


def last_request(fake):
    return fake.requests[-1]


# ---------------------------------------------------------------- request shapes


def test_an_sms_is_a_form_post_to_twilio_with_basic_auth(fake, senders):
    senders.send("sms", PHONE, "Laporan ABC: Proses")

    r = last_request(fake)
    sid = CREDS["sms"]["account_sid"]
    assert r["path"] == f"/2010-04-01/Accounts/{sid}/Messages.json"
    assert r["headers"]["content-type"] == "application/x-www-form-urlencoded"
    user, password = base64.b64decode(r["headers"]["authorization"][6:]).decode().split(":")
    assert (user, password) == (sid, CREDS["sms"]["auth_token"])
    assert dict(parse_qsl(r["body"].decode())) == {
        "To": PHONE,
        "Body": "Laporan ABC: Proses",
        "From": CREDS["sms"]["from"],
    }
    assert fake.messages[-1]["channel"] == "sms" and fake.messages[-1]["to"] == PHONE


def test_a_messaging_service_replaces_the_from_number(fake, http):
    def with_service(channel):
        return {**CREDS["sms"], "messaging_service_sid": "MG" + "1" * 32, "from": None}

    ChannelSenders.build(with_service, http, fake.url).send("sms", PHONE, "hi")
    form = dict(parse_qsl(last_request(fake)["body"].decode()))
    assert form["MessagingServiceSid"] == "MG" + "1" * 32 and "From" not in form


def test_long_and_non_latin_texts_go_out_whole_as_utf8(fake, senders):
    text = "Keluhan: jalan rusak parah — 道路 ✓ " * 20
    senders.send("sms", PHONE, text)
    assert fake.messages[-1]["text"] == text


def test_a_whatsapp_text_goes_to_the_cloud_api_with_the_bearer_token(fake, senders):
    senders.send("whatsapp", PHONE, "Halo")

    r = last_request(fake)
    assert r["path"] == f"/v25.0/{CREDS['whatsapp']['phone_number_id']}/messages"
    assert r["headers"]["authorization"] == f"Bearer {CREDS['whatsapp']['access_token']}"
    assert json.loads(r["body"]) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": PHONE.lstrip("+"),
        "type": "text",
        "text": {"preview_url": False, "body": "Halo"},
    }


PARTS = {"tracking_id": "K7M3QX9P2A", "status": "Proses", "link": "https://x/K7", "language": "id"}


def test_whatsapp_sends_text_unless_an_approved_template_is_configured(fake, http):
    ChannelSenders.build(creds, http, fake.url).send("whatsapp", PHONE, "Halo", template=PARTS)
    assert json.loads(last_request(fake)["body"])["type"] == "text"  # no template configured

    def with_template(channel):
        return {
            **CREDS["whatsapp"],
            "update_template": "status_laporan",
            "update_template_languages": {"en": "en_US"},
        }

    senders = ChannelSenders.build(with_template, http, fake.url)
    senders.send("whatsapp", PHONE, "Halo", template=PARTS)
    body = json.loads(last_request(fake)["body"])
    assert body["type"] == "template" and "text" not in body
    assert body["template"] == {
        "name": "status_laporan",
        "language": {"code": "id"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "K7M3QX9P2A"},
                    {"type": "text", "text": "Proses"},
                    {"type": "text", "text": "https://x/K7"},
                ],
            }
        ],
    }
    senders.send("whatsapp", PHONE, "Hello", template={**PARTS, "language": "en"})
    assert json.loads(last_request(fake)["body"])["template"]["language"] == {"code": "en_US"}
    # without the parts (an access link), the text goes as text
    senders.send("whatsapp", PHONE, "tautan akses")
    assert json.loads(last_request(fake)["body"])["type"] == "text"
    assert fake.messages[1]["text"] == (
        "[template status_laporan (id)] K7M3QX9P2A | Proses | https://x/K7"
    )


def test_a_messenger_text_is_a_response_and_an_agency_answer_may_use_the_human_agent_tag(
    fake, http
):
    senders = ChannelSenders.build(creds, http, fake.url)
    senders.send("messenger", "7100000001", "Status: Proses")
    body = json.loads(last_request(fake)["body"])
    assert last_request(fake)["path"] == f"/v25.0/{CREDS['messenger']['page_id']}/messages"
    assert body == {
        "recipient": {"id": "7100000001"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Status: Proses"},
    }
    # Without the page's Human Agent feature the tag is never used...
    senders.send("messenger", "7100000001", "Jawaban petugas", human_agent=True)
    assert json.loads(last_request(fake)["body"])["messaging_type"] == "RESPONSE"

    # ...with it, an agency's answer may reach the user for 7 days.
    def approved(channel):
        return {**CREDS[channel], "human_agent_tag": True}

    tagged = ChannelSenders.build(approved, http, fake.url)
    tagged.send("messenger", "7100000001", "Jawaban petugas", human_agent=True)
    body = json.loads(last_request(fake)["body"])
    assert (body["messaging_type"], body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    tagged.send("messenger", "7100000001", "Status: Selesai")  # automated: no tag
    assert "tag" not in json.loads(last_request(fake)["body"])


def test_x_sends_a_signed_direct_message_or_a_public_reply(fake, senders):
    senders.send("x", "1234567", "Laporan ABC: Proses")
    r = last_request(fake)
    assert r["path"] == "/2/dm_conversations/with/1234567/messages"
    assert json.loads(r["body"]) == {"text": "Laporan ABC: Proses"}
    assert r["headers"]["authorization"].startswith("OAuth ")
    assert fake.messages[-1] == {**fake.messages[-1], "to": "1234567", "public": False}

    senders.send("x", "1234567", "Laporan ABC: Proses", in_reply_to="1850000000000000000")
    r = last_request(fake)
    assert r["path"] == "/2/tweets"
    assert json.loads(r["body"]) == {
        "text": "Laporan ABC: Proses",
        "reply": {"in_reply_to_tweet_id": "1850000000000000000"},
    }
    # The fake server checked the OAuth 1.0a signature with the account's secrets.
    assert fake.messages[-1]["public"] is True


def test_an_x_signature_made_with_another_secret_is_refused_by_the_provider(fake, http):
    def wrong(channel):
        return {**CREDS["x"], "access_token_secret": "not-the-secret"}

    with pytest.raises(ChannelUnavailable, match="HTTP 401"):
        ChannelSenders.build(wrong, http, fake.url).send("x", "1234567", "hi")
    assert fake.messages == []


def test_a_public_post_is_cut_to_280_characters(fake, senders):
    senders.send("x", "1", "a" * 400, in_reply_to="99")
    assert len(fake.messages[-1]["text"]) == 280 and fake.messages[-1]["text"].endswith("…")


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "channel,to,status,body,error",
    [
        # an invalid number, an unsubscribed (STOP) number: never retried
        ("sms", PHONE, 400, {"code": 21211, "status": 400}, ChannelRefused),
        ("sms", PHONE, 400, {"code": 21610, "status": 400}, ChannelRefused),
        ("sms", PHONE, 404, {"code": 20404, "status": 404}, ChannelRefused),
        # rejected credentials, rate limits, provider trouble: retried
        ("sms", PHONE, 401, {"code": 20003, "status": 401}, ChannelUnavailable),
        ("sms", PHONE, 429, {"code": 20429, "status": 429}, ChannelUnavailable),
        ("sms", PHONE, 503, {}, ChannelUnavailable),
        # WhatsApp: undeliverable, outside the 24-hour window: dropped
        ("whatsapp", PHONE, 400, {"error": {"code": 131026}}, ChannelRefused),
        ("whatsapp", PHONE, 400, {"error": {"code": 131047}}, ChannelRefused),
        # throughput and token problems come as 400s from the Graph API: retried
        ("whatsapp", PHONE, 400, {"error": {"code": 130429}}, ChannelUnavailable),
        ("whatsapp", PHONE, 400, {"error": {"code": 190}}, ChannelUnavailable),
        ("whatsapp", PHONE, 500, {"error": {"code": 131000}}, ChannelUnavailable),
        # Messenger: closed window (10/2018278), person unavailable (551): dropped
        ("messenger", "71", 400, {"error": {"code": 10, "error_subcode": 2018278}}, ChannelRefused),
        ("messenger", "71", 400, {"error": {"code": 551}}, ChannelRefused),
        ("messenger", "71", 400, {"error": {"code": 613}}, ChannelUnavailable),
        (
            "messenger",
            "71",
            400,
            {"error": {"code": 100, "is_transient": True}},
            ChannelUnavailable,
        ),
        # X: the user does not accept DMs from the account: dropped; rate limit: retried
        ("x", "71", 403, {"title": "Forbidden", "status": 403}, ChannelRefused),
        ("x", "71", 400, {"title": "Invalid Request", "status": 400}, ChannelRefused),
        ("x", "71", 429, {"title": "Too Many Requests", "status": 429}, ChannelUnavailable),
        ("x", "71", 502, {}, ChannelUnavailable),
    ],
)
def test_provider_answers_map_to_dropped_or_retried(
    fake, senders, channel, to, status, body, error
):
    fake.fail_next(status, body)
    with pytest.raises(error) as raised:
        senders.send(channel, to, "text")
    assert f"HTTP {status}" in str(raised.value)
    assert fake.messages == []


def test_the_graph_apis_error_code_and_subcode_are_named(fake, senders):
    fake.fail_next(400, {"error": {"code": 10, "error_subcode": 2018278, "message": "window"}})
    with pytest.raises(ChannelRefused, match=r"^messenger: HTTP 400 \(provider code 10/2018278\)$"):
        senders.send("messenger", "71", "text")
    fake.fail_next(400, {"error": {"code": 551, "message": "unavailable"}})
    with pytest.raises(ChannelRefused, match=r"^messenger: HTTP 400 \(provider code 551\)$"):
        senders.send("messenger", "71", "text")


def test_an_answer_larger_than_any_api_answer_is_not_read_and_is_retried(fake, senders):
    fake.fail_next(200, {"padding": "x" * 100_000})  # the limit is 64 KB
    with pytest.raises(ChannelUnavailable, match="TooLarge"):
        senders.send("sms", PHONE, "text")


def test_errors_never_carry_the_recipient_or_the_providers_message(fake, senders):
    fake.fail_next(400, {"code": 21211, "message": f"The 'To' number {PHONE} is not valid"})
    with pytest.raises(ChannelRefused) as raised:
        senders.send("sms", PHONE, "text")
    assert PHONE not in str(raised.value) and "81234567890" not in str(raised.value)
    assert "21211" in str(raised.value)


def test_the_providers_own_checks_refuse_garbage_recipients(fake, senders):
    with pytest.raises(ChannelRefused, match="21211"):
        senders.send("sms", "0812-not-e164", "text")
    with pytest.raises(ChannelRefused, match="no recipient"):
        senders.send("messenger", "", "text")
    with pytest.raises(ChannelRefused, match="no sender"):
        senders.send("email", "a@b.id", "text")
    assert fake.messages == []


def test_a_provider_that_cannot_be_reached_is_retried(http):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    senders = ChannelSenders.build(creds, http, f"http://127.0.0.1:{port}")
    with pytest.raises(ChannelUnavailable, match=r"sms: \w*Error"):
        senders.send("sms", PHONE, "text")


@pytest.fixture
def silent_server():
    """Accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for c in held:
        c.close()
    server.close()


def test_a_provider_that_never_answers_is_given_up_after_the_timeout(silent_server):
    senders = ChannelSenders.build(creds, ProviderHttp(0.5, allow_http=True), silent_server)
    started = time.monotonic()
    with pytest.raises(ChannelUnavailable):
        senders.send("whatsapp", PHONE, "text")
    assert time.monotonic() - started < 3


def test_plain_http_is_refused_outside_the_local_stack(fake):
    senders = ChannelSenders.build(creds, ProviderHttp(3.0), fake.url)
    with pytest.raises(ChannelUnavailable):
        senders.send("sms", PHONE, "text")
    assert fake.requests == []


def test_a_redirect_of_a_send_is_not_followed(fake, senders):
    fake.fail_next(307, {})
    with pytest.raises(ChannelUnavailable, match="HTTP 307"):
        senders.send("sms", PHONE, "text")
    assert len(fake.requests) == 1


# ---------------------------------------------------------------- credentials


def test_credentials_come_from_the_channels_json_secret():
    reads = []

    def read(arn):
        reads.append(arn)
        return json.dumps(CREDS["sms"]).encode()

    secrets = ChannelSecrets({"sms": "arn:sms", "x": None}, read=read)
    assert secrets("sms")["auth_token"] == CREDS["sms"]["auth_token"]
    assert reads == ["arn:sms"]
    with pytest.raises(ChannelNotConnected, match="no credentials secret"):
        secrets("x")


def test_an_empty_secret_means_the_channel_is_not_connected(fake, http):
    """The template creates each secret as {}: until an operator fills it in, the channel
    is not there (the notifier reaches the reporter another way)."""

    def read(arn):
        return b"{}" if arn == "arn:whatsapp" else json.dumps(CREDS["sms"]).encode()

    secrets = ChannelSecrets({"sms": "arn:sms", "whatsapp": "arn:whatsapp"}, read=read)
    with pytest.raises(ChannelNotConnected, match="not connected"):
        secrets("whatsapp")
    senders = ChannelSenders.build(secrets, http, fake.url)
    assert senders.ready("sms") is True
    assert senders.ready("whatsapp") is False
    assert senders.ready("messenger") is False  # no secret at all
    assert senders.ready("email") is False  # no such sender
    with pytest.raises(ChannelNotConnected):
        senders.send("whatsapp", PHONE, "text")
    assert fake.requests == []


def test_a_broken_secret_is_not_taken_for_a_channel_not_connected():
    secrets = ChannelSecrets({"sms": "arn:sms"}, read=lambda arn: b'{"account_sid": "AC1"}')
    senders = ChannelSenders({"sms": object()}, secrets)
    with pytest.raises(ChannelUnavailable, match="lacks"):
        senders.ready("sms")  # raised, so that operators see it


@pytest.mark.parametrize(
    "value,match",
    [
        (b'{"account_sid": "AC1", "auth_token": ""}', "lacks \\['auth_token'\\]"),
        (b"not json", "not JSON"),
        (b'["a"]', "not a JSON object"),
    ],
)
def test_a_secret_that_is_not_filled_in_is_retried_and_never_quoted(value, match):
    secrets = ChannelSecrets({"sms": "arn:sms"}, read=lambda arn: value)
    with pytest.raises(ChannelUnavailable, match=match) as raised:
        secrets("sms")
    assert "AC1" not in str(raised.value)


def test_a_secret_that_cannot_be_read_is_retried():
    def read(arn):
        raise RuntimeError("AccessDenied")

    with pytest.raises(ChannelUnavailable, match="cannot be read"):
        ChannelSecrets({"sms": "arn:sms"}, read=read)("sms")


def test_an_sms_without_a_sender_number_is_retried(fake, http):
    def no_from(channel):
        return {"account_sid": CREDS["sms"]["account_sid"], "auth_token": "x"}

    with pytest.raises(ChannelUnavailable, match="neither from"):
        ChannelSenders.build(no_from, http, fake.url).send("sms", PHONE, "text")


def test_the_record_is_what_the_outbox_reads(fake, senders, tmp_path):
    senders.send("sms", PHONE, "satu")
    senders.send("x", "42", "dua")
    assert [(m["channel"], m["to"], m["text"]) for m in read_record(tmp_path / "outbox.jsonl")] == [
        ("sms", PHONE, "satu"),
        ("x", "42", "dua"),
    ]


# ---------------------------------------------------------------- media

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2000


def test_twilio_media_follows_the_redirect_without_taking_the_credentials_along(fake, fetcher):
    media_id = fake.add_media(JPEG, "image/jpeg")
    data, content_type = fetcher.fetch(
        "sms", InboundMedia(url=fake.twilio_media_url(media_id)), limit=10_000
    )
    assert (data, content_type) == (JPEG, "image/jpeg")
    first, cdn = fake.requests[-2:]
    assert first["headers"]["authorization"].startswith("Basic ")
    assert cdn["path"] == f"/cdn/{media_id}" and "authorization" not in cdn["headers"]


def test_whatsapp_media_is_looked_up_by_id_then_downloaded_with_the_token(fake, fetcher):
    media_id = fake.add_media(JPEG, "image/jpeg")
    data, content_type = fetcher.fetch("whatsapp", InboundMedia(media_id=media_id), limit=10_000)
    assert (data, content_type) == (JPEG, "image/jpeg")
    lookup, download = fake.requests[-2:]
    assert lookup["path"] == f"/v25.0/{media_id}"
    assert download["path"] == f"/whatsapp-media/{media_id}"
    token = f"Bearer {CREDS['whatsapp']['access_token']}"
    assert lookup["headers"]["authorization"] == download["headers"]["authorization"] == token


def test_media_past_the_limit_is_not_read_further(fake, fetcher):
    big = b"\xff\xd8\xff" + b"x" * 300_000
    media_id = fake.add_media(big, "image/jpeg")
    with pytest.raises(MediaTooLarge):
        fetcher.fetch("sms", InboundMedia(url=fake.twilio_media_url(media_id)), limit=1000)
    with pytest.raises(MediaTooLarge):  # the Graph API's declared size stops it earlier
        fetcher.fetch("whatsapp", InboundMedia(media_id=media_id), limit=1000)
    assert fake.requests[-1]["path"] == f"/v25.0/{media_id}"  # never downloaded
    with pytest.raises(MediaTooLarge):
        fetcher.fetch(
            "messenger", InboundMedia(url=f"{fake.url}/messenger-cdn/{media_id}"), limit=1000
        )


def test_the_reader_stops_at_the_limit_even_without_a_content_length(fake):
    class Endless:
        def __init__(self):
            self.read_bytes = 0

        def read(self, n):
            self.read_bytes += n
            return b"x" * n

    from chalicelib.adapters.provider_http import _read

    answer = Endless()
    with pytest.raises(TooLarge):
        _read(answer, 100_000, time.monotonic() + 5)
    assert answer.read_bytes <= 100_001


def test_media_that_is_gone_or_refused_and_media_from_elsewhere(fake, fetcher):
    with pytest.raises(MediaUnavailable, match="HTTP 404"):
        fetcher.fetch("whatsapp", InboundMedia(media_id="nope"), limit=1000)
    with pytest.raises(MediaUnavailable, match="may not come from"):
        fetcher.fetch("sms", InboundMedia(url="https://evil.example/a.jpg"), limit=1000)
    with pytest.raises(MediaUnavailable, match="without an id"):
        fetcher.fetch("whatsapp", InboundMedia(url="https://graph.facebook.com/x"), limit=1000)
    fake.fail_next(503, {})
    media_id = fake.add_media(JPEG, "image/jpeg")
    with pytest.raises(ChannelUnavailable):  # may work later: retried
        fetcher.fetch("sms", InboundMedia(url=fake.twilio_media_url(media_id)), limit=10_000)


def test_production_media_hosts_are_the_providers_and_https_only(http):
    fetcher = ProviderMediaFetcher(creds, http)
    for channel, url in [
        ("sms", "http://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"),
        ("sms", "https://api.twilio.com.evil.example/x"),
        ("messenger", "https://fbcdn.net.evil.example/x"),
        ("x", "https://127.0.0.1/x"),
    ]:
        with pytest.raises(MediaUnavailable):
            fetcher.fetch(channel, InboundMedia(url=url), limit=10)


def test_a_download_is_never_redirected_to_plain_http():
    from chalicelib.adapters.provider_http import RedirectRefused, _CheckedRedirects

    handler = _CheckedRedirects(allow_http=False)
    with pytest.raises(RedirectRefused):
        handler.redirect_request(None, None, 302, "Found", {}, "http://cdn.example/a.jpg")
    with pytest.raises(RedirectRefused):
        handler.redirect_request(None, None, 302, "Found", {}, "file:///etc/passwd")


def test_a_refused_redirect_makes_the_media_unavailable(fake, http, monkeypatch):
    from chalicelib.adapters import provider_http

    def refuse(*args, **kwargs):
        raise provider_http.RedirectRefused("redirect to a http URL")

    monkeypatch.setattr(http, "request", refuse)
    fetcher = ProviderMediaFetcher(creds, http, extra_hosts=("127.0.0.1",))
    with pytest.raises(MediaUnavailable, match="plain URL"):
        fetcher.fetch("messenger", InboundMedia(url=f"{fake.url}/messenger-cdn/x"), limit=10)
