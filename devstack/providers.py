"""The messaging providers of the local stack: one small HTTP server that answers the
calls the channel adapters make (``chalicelib/adapters/channel_senders.py``) the way
Twilio, Meta's Graph API and the X API answer them — the same paths and bodies, the
credentials checked (basic auth, bearer tokens, the OAuth 1.0a signature) — and keeps
every message it accepted: `python -m devstack outbox` prints them next to the e-mails.

It also serves media as the providers do (Twilio's authenticated media URL redirecting to
a CDN that needs no credentials, the Graph API's media id -> URL -> bytes), so that media
downloads run locally too. Unit tests use it as their fake provider.

Accepted messages are appended to a JSON-lines file (``record``) when one is given.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import secrets
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from chalicelib.adapters import oauth1

from .background_server import BackgroundServer

# As chalicelib.config names them (which cannot be imported before the stage is set); a
# unit test keeps the two equal.
CHANNEL_SECRET_VARIABLES = {
    "sms": "SMS_SECRET_ARN",
    "whatsapp": "WHATSAPP_SECRET_ARN",
    "messenger": "MESSENGER_SECRET_ARN",
    "x": "X_SECRET_ARN",
}

# The local stack's channel credentials (not secrets: they open nothing but this server).
SAMPLE_MEDIA_ID = "local-sample"
# A 2×2 PNG (a valid image for the attachment checks).
SAMPLE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001649444154789c"
    "633c2127c7c0c0c0c4c0c0c0c0c000000d0401087d71ca660000000049454e44ae426082"
)

LOCAL_CREDENTIALS = {
    "sms": {
        "account_sid": "AC" + "0" * 30 + "10",
        "auth_token": "local-twilio-auth-token",
        "from": "+15005550006",
    },
    "whatsapp": {
        "access_token": "local-whatsapp-token",
        "phone_number_id": "1000000000001",
        "app_secret": "local-whatsapp-app-secret",
        "verify_token": "local-whatsapp-verify-token",
    },
    "messenger": {
        "page_access_token": "local-page-token",
        "page_id": "2000000000002",
        "app_secret": "local-messenger-app-secret",
        "verify_token": "local-messenger-verify-token",
    },
    "x": {
        "consumer_key": "local-consumer-key",
        "consumer_secret": "local-consumer-secret",
        "access_token": "3000000003-local-access-token",
        "access_token_secret": "local-access-token-secret",
        "user_id": "3000000003",
    },
}

_TWILIO_SEND = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$")
_TWILIO_MEDIA = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)/Media/([^/]+)$")
_GRAPH_SEND = re.compile(r"^/(v\d+\.\d+)/([^/]+)/messages$")
_GRAPH_MEDIA = re.compile(r"^/(v\d+\.\d+)/([^/]+)$")
_X_DM = re.compile(r"^/2/dm_conversations/with/([^/]+)/messages$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


class FakeProviders(BackgroundServer):
    thread_name = "fake-providers"

    def __init__(
        self,
        credentials: dict | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        record: Path | None = None,
    ):
        self.credentials = credentials or LOCAL_CREDENTIALS
        self.record = record
        self.messages: list[dict] = []
        self.requests: list[dict] = []  # every request: method, path, headers, body
        # media id -> (bytes, type); "local-sample" is always there (a picture to send in
        # an MMS or WhatsApp message on the local stack)
        self.media: dict[str, tuple[bytes, str]] = {SAMPLE_MEDIA_ID: (SAMPLE_PNG, "image/png")}
        self.failures: list[tuple[int, dict]] = []  # the next answers, before any check
        self._lock = threading.Lock()
        super().__init__(_handler(self), host=host, port=port)

    # -- what tests arrange --------------------------------------------------------------

    def fail_next(self, status: int, body: dict | None = None) -> None:
        self.failures.append((status, body or {}))

    def add_media(self, data: bytes, content_type: str) -> str:
        media_id = secrets.token_hex(8)
        self.media[media_id] = (data, content_type)
        return media_id

    def twilio_media_url(self, media_id: str) -> str:
        sid = self.credentials["sms"]["account_sid"]
        return f"{self.url}/2010-04-01/Accounts/{sid}/Messages/MM{media_id}/Media/{media_id}"

    # -- what they accepted --------------------------------------------------------------

    def accept(self, channel: str, to: str, text: str, **extra) -> dict:
        entry = {
            "channel": channel,
            "to": to,
            "text": text,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            **extra,
        }
        with self._lock:
            self.messages.append(entry)
            if self.record is not None:
                with open(self.record, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return entry


def read_record(path: Path) -> list[dict]:
    """The messages a fake provider server accepted, oldest first."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _handler(fake: FakeProviders):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        # -- plumbing

        def _answer(self, status: int, body: dict | bytes = b"", headers: dict | None = None):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            content_type = "application/json" if isinstance(body, dict) else None
            for key, value in {"Content-Type": content_type, **(headers or {})}.items():
                if value:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _record(self, body: bytes) -> None:
            fake.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                }
            )

        def _failure(self) -> bool:
            with fake._lock:
                failure = fake.failures.pop(0) if fake.failures else None
            if failure is None:
                return False
            self._answer(*failure)
            return True

        def _json(self, body: bytes) -> dict | None:
            try:
                value = json.loads(body)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None

        def _bearer(self, token: str) -> bool:
            return _same(self.headers.get("Authorization"), f"Bearer {token}")

        # -- routes

        def do_POST(self):
            body = self._body()
            self._record(body)
            if self._failure():
                return
            path = urlsplit(self.path).path
            if m := _TWILIO_SEND.match(path):
                return self._twilio(m.group(1), body)
            if path == "/2/tweets":
                return self._x_post(body)
            if m := _X_DM.match(path):
                return self._x_dm(m.group(1), body)
            if m := _GRAPH_SEND.match(path):
                return self._graph(m.group(2), body)
            self._answer(404, {"error": "not found"})

        def do_GET(self):
            self._record(b"")
            if self._failure():
                return
            path = urlsplit(self.path).path
            if m := _TWILIO_MEDIA.match(path):
                c = fake.credentials["sms"]
                if m.group(1) != c["account_sid"] or not _same(
                    self.headers.get("Authorization"), _basic(c["account_sid"], c["auth_token"])
                ):
                    return self._answer(401, {"code": 20003, "message": "Authenticate"})
                # As Twilio does: a redirect to the CDN, which needs no credentials.
                return self._answer(307, b"", {"Location": f"{fake.url}/cdn/{m.group(3)}"})
            if path.startswith("/cdn/"):
                if self.headers.get("Authorization"):
                    return self._answer(400, {"error": "credentials sent to the CDN"})
                return self._media(path.removeprefix("/cdn/"))
            if path.startswith("/whatsapp-media/"):
                if not self._bearer(fake.credentials["whatsapp"]["access_token"]):
                    return self._answer(401, {"error": {"code": 190}})
                return self._media(path.removeprefix("/whatsapp-media/"))
            if path.startswith("/messenger-cdn/"):
                return self._media(path.removeprefix("/messenger-cdn/"))
            if m := _GRAPH_MEDIA.match(path):
                if not self._bearer(fake.credentials["whatsapp"]["access_token"]):
                    return self._answer(401, {"error": {"code": 190, "message": "token"}})
                found = fake.media.get(m.group(2))
                if found is None:
                    return self._answer(404, {"error": {"code": 100, "message": "no media"}})
                return self._answer(
                    200,
                    {
                        "url": f"{fake.url}/whatsapp-media/{m.group(2)}",
                        "mime_type": found[1],
                        "file_size": len(found[0]),
                        "id": m.group(2),
                        "messaging_product": "whatsapp",
                    },
                )
            self._answer(404, {"error": "not found"})

        def _media(self, media_id: str):
            found = fake.media.get(media_id)
            if found is None:
                return self._answer(404, {"error": "no media"})
            self._answer(200, found[0], {"Content-Type": found[1]})

        def _twilio(self, sid: str, body: bytes):
            c = fake.credentials["sms"]
            if sid != c["account_sid"] or not _same(
                self.headers.get("Authorization"), _basic(c["account_sid"], c["auth_token"])
            ):
                return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
            form = dict(parse_qsl(body.decode(), keep_blank_values=True))
            if not form.get("From") and not form.get("MessagingServiceSid"):
                return self._answer(400, {"code": 21603, "message": "'From' is required"})
            to = form.get("To", "")
            if not _E164.match(to):
                return self._answer(400, {"code": 21211, "message": "Invalid 'To'", "status": 400})
            sent = fake.accept("sms", to, form.get("Body", ""))
            self._answer(201, {"sid": "SM" + secrets.token_hex(16), "status": "queued", **sent})

        def _graph(self, node: str, body: bytes):
            wa, fb = fake.credentials["whatsapp"], fake.credentials["messenger"]
            data = self._json(body)
            if node == wa["phone_number_id"]:
                if not self._bearer(wa["access_token"]):
                    return self._answer(401, {"error": {"code": 190, "message": "token"}})
                if not data or data.get("messaging_product") != "whatsapp":
                    return self._answer(400, {"error": {"code": 100, "message": "param"}})
                text = (data.get("text") or {}).get("body", "")
                if data.get("type") == "template":  # shown as its name and parameters
                    template = data.get("template") or {}
                    params = [
                        p.get("text", "")
                        for c in template.get("components") or []
                        for p in c.get("parameters") or []
                    ]
                    language = (template.get("language") or {}).get("code")
                    text = f"[template {template.get('name')} ({language})] " + " | ".join(params)
                to = str(data.get("to", ""))
                if not to.isdigit():
                    return self._answer(
                        400, {"error": {"code": 131026, "message": "undeliverable"}}
                    )
                fake.accept("whatsapp", to, text)
                return self._answer(
                    200,
                    {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": to, "wa_id": to}],
                        "messages": [{"id": "wamid." + secrets.token_hex(12)}],
                    },
                )
            if node in ("me", fb["page_id"]):
                if not self._bearer(fb["page_access_token"]):
                    return self._answer(400, {"error": {"code": 190, "message": "token"}})
                recipient = ((data or {}).get("recipient") or {}).get("id")
                kind = (data or {}).get("messaging_type")
                if not recipient or kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
                    return self._answer(400, {"error": {"code": 100, "message": "param"}})
                text = ((data or {}).get("message") or {}).get("text", "")
                fake.accept("messenger", recipient, text, messaging_type=kind, tag=data.get("tag"))
                return self._answer(
                    200, {"recipient_id": recipient, "message_id": "m_" + secrets.token_hex(12)}
                )
            self._answer(400, {"error": {"code": 100, "message": "unknown node"}})

        def _x_signed(self, path: str) -> bool:
            c = fake.credentials["x"]
            header = self.headers.get("Authorization") or ""
            if not header.startswith("OAuth "):
                return False
            fields = {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', header)}
            signature = fields.pop("oauth_signature", "")
            if fields.get("oauth_consumer_key") != c["consumer_key"]:
                return False
            if fields.get("oauth_token") != c["access_token"]:
                return False
            url = f"http://{self.headers.get('Host')}{path}"
            base = oauth1.signature_base_string("POST", url, list(fields.items()))
            expected = oauth1.sign(base, c["consumer_secret"], c["access_token_secret"])
            return _same(signature, expected)

        def _x_unauthorized(self):
            self._answer(401, {"title": "Unauthorized", "status": 401, "type": "about:blank"})

        def _x_post(self, body: bytes):
            if not self._x_signed("/2/tweets"):
                return self._x_unauthorized()
            data = self._json(body) or {}
            reply = (data.get("reply") or {}).get("in_reply_to_tweet_id")
            text = data.get("text", "")
            if not text or len(text) > 280:
                return self._answer(400, {"title": "Invalid Request", "status": 400})
            tweet_id = str(secrets.randbelow(10**18))
            fake.accept("x", "(public)", text, in_reply_to=reply, public=True, id=tweet_id)
            self._answer(201, {"data": {"id": tweet_id, "text": text}})

        def _x_dm(self, participant: str, body: bytes):
            if not self._x_signed(self.path):
                return self._x_unauthorized()
            data = self._json(body) or {}
            if not participant.isdigit() or not data.get("text"):
                return self._answer(400, {"title": "Invalid Request", "status": 400})
            fake.accept("x", participant, data["text"], public=False)
            self._answer(
                201,
                {"data": {"dm_conversation_id": f"{participant}-x", "dm_event_id": "1"}},
            )

    return Handler
