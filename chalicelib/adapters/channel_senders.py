"""Texts to reporters on the channel they wrote from, and their media from the provider:
Twilio (SMS), Meta's WhatsApp Cloud API and Messenger Send API (Graph API), and the X API
v2 — plain HTTPS (``provider_http``), no provider SDK in the Lambda package.

Credentials: one Secrets Manager secret per channel, a JSON object (keys below and in the
README); the function's environment holds only the secret's ARN. A secret still empty
(``{}``, as the template creates it) means the channel is not connected in this deployment
(``ChannelNotConnected``: the notifier does not use it). A secret that cannot be read or
lacks a key is ``ChannelUnavailable``: the queue retries and dead-letters, and operators
see it.

Errors: a provider answer that can never succeed (an invalid or unreachable recipient, a
closed messaging window, a user who blocked the account) is ``ChannelRefused``: dropped,
never retried. Everything that may pass — network, timeouts, 5xx, rate limits (429, and
the Graph API's throttling codes), rejected credentials (401, Graph code 190: fixed by an
operator, then redriven) — is ``ChannelUnavailable``. Error texts carry the channel, the
HTTP status and the provider's error code, never the recipient or the provider's message
(which often quotes the phone number).

The messaging windows, honestly:
- WhatsApp: free-form text reaches a user only within 24 hours of their last message;
  later the Cloud API still accepts the call and reports the failure (131047) afterwards
  in a status webhook. An approved template (``update_template`` in the secret) reaches
  them any time: report events then go as that template (tracking id, status, link).
- Messenger: text goes out as ``RESPONSE`` (the 24-hour standard window). An agency's
  answer (``human_agent``) may use the ``HUMAN_AGENT`` tag (7 days) when the page has that
  feature approved (``human_agent_tag: true`` in the secret). The ACCOUNT_UPDATE tag that
  status updates used is refused since 27 April 2026 (error 100); Meta's utility templates
  that replace it are not available in Indonesia. A closed window is ``ChannelRefused``.
- SMS has no window; X direct messages reach users who accept DMs from the account.
"""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Callable
from urllib.parse import quote, urlencode, urlsplit

from ..services.ports import (
    ChannelNotConnected,
    ChannelRefused,
    ChannelUnavailable,
    MediaTooLarge,
    MediaUnavailable,
)
from . import oauth1
from .provider_http import ProviderHttp, RedirectRefused, Response, TooLarge

TWILIO_API = "https://api.twilio.com"
GRAPH_API = "https://graph.facebook.com"
X_API = "https://api.x.com"
GRAPH_VERSION = "v25.0"

# Each channel's secret: required keys, and optional ones (README "Replies on the
# reporter's channel"). Inbound webhooks read the same secrets (signature keys).
SECRET_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sms": (("account_sid", "auth_token"), ("from", "messaging_service_sid")),
    "whatsapp": (
        ("access_token", "phone_number_id"),
        (
            "app_secret",
            "verify_token",
            "graph_version",
            "update_template",
            "update_template_languages",
        ),
    ),
    "messenger": (
        ("page_access_token",),
        ("page_id", "app_secret", "verify_token", "graph_version", "human_agent_tag"),
    ),
    "x": (
        ("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
        ("user_id",),
    ),
}

# Longest text each channel takes (characters); longer texts are cut with an ellipsis.
MAX_TEXT = {"sms": 1600, "whatsapp": 4096, "messenger": 2000, "x_dm": 10000, "x_post": 280}

# Graph API error codes that may pass: unknown/service errors, throttling, invalid token.
GRAPH_TRANSIENT = frozenset(
    {1, 2, 4, 17, 32, 190, 341, 613, 80004, 130429, 131000, 131016, 131048, 131056, 133004}
)
TRANSIENT_STATUS = frozenset({401, 408, 409, 425, 429})

Secrets = Callable[[str], dict]  # channel -> its secret's JSON object


class ChannelSecrets:
    """Reads each channel's JSON secret through ``read`` (cached and refreshed by
    ``adapters.secrets``). ``arns``: channel -> secret ARN (None: not configured)."""

    def __init__(self, arns: dict[str, str | None], read: Callable[[str], bytes] | None = None):
        self.arns = arns
        if read is None:
            from .secrets import secret_bytes

            read = secret_bytes
        self._read = read

    def __call__(self, channel: str) -> dict:
        arn = self.arns.get(channel)
        if not arn:
            raise ChannelNotConnected(f"{channel}: no credentials secret configured")
        try:
            value = json.loads(self._read(arn))
        except ValueError:
            raise ChannelUnavailable(f"{channel}: the credentials secret is not JSON") from None
        except Exception as e:
            raise ChannelUnavailable(f"{channel}: the credentials secret cannot be read") from e
        if not isinstance(value, dict):
            raise ChannelUnavailable(f"{channel}: the credentials secret is not a JSON object")
        if not value:
            raise ChannelNotConnected(f"{channel}: not connected (its secret is empty)")
        required, _ = SECRET_KEYS[channel]
        missing = [k for k in required if not isinstance(value.get(k), str) or not value[k]]
        if missing:
            raise ChannelUnavailable(f"{channel}: the credentials secret lacks {missing}")
        return value


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fail(channel: str, r: Response, code) -> None:
    """Raise for an answer that is not a success."""
    where = f"{channel}: HTTP {r.status}" + (f" (provider code {code})" if code else "")
    if r.status in TRANSIENT_STATUS or r.status >= 500 or r.status < 400:
        raise ChannelUnavailable(where)
    raise ChannelRefused(where)


def _graph_fail(channel: str, r: Response) -> None:
    error = r.json().get("error")
    error = error if isinstance(error, dict) else {}
    code, sub = error.get("code"), error.get("error_subcode")
    shown = f"{code}/{sub}" if code and sub else code
    if code in GRAPH_TRANSIENT or error.get("is_transient") is True:
        raise ChannelUnavailable(f"{channel}: HTTP {r.status} (provider code {shown})")
    _fail(channel, r, shown)


# What the network and a garbled answer raise. Their texts may quote the URL, which can
# hold the recipient's id (X's DM path): never passed on.
_NETWORK_ERRORS = (OSError, ValueError, http.client.HTTPException)


def _call(http: ProviderHttp, channel: str, method: str, url: str, **kw) -> Response:
    try:
        return http.request(method, url, **kw)
    except (*_NETWORK_ERRORS, TooLarge) as e:  # DNS, connect, TLS, timeout, garbled answer
        raise ChannelUnavailable(f"{channel}: {type(e).__name__}") from None


# ---------------------------------------------------------------- senders


class TwilioSms:
    """Programmable Messaging: POST /2010-04-01/Accounts/{sid}/Messages.json, form-encoded,
    HTTP basic auth with the account SID and auth token. ``From`` is the configured number,
    or ``MessagingServiceSid`` when a messaging service is configured (it picks the number).
    Twilio splits long texts into segments itself."""

    def __init__(self, secrets: Secrets, http: ProviderHttp, base: str = TWILIO_API):
        self.secrets, self.http, self.base = secrets, http, base.rstrip("/")

    def send(self, to: str, text: str, *, in_reply_to=None, human_agent=False, template=None):
        c = self.secrets("sms")
        form = {"To": to, "Body": _cut(text, MAX_TEXT["sms"])}
        if c.get("messaging_service_sid"):
            form["MessagingServiceSid"] = c["messaging_service_sid"]
        elif c.get("from"):
            form["From"] = c["from"]
        else:
            raise ChannelUnavailable("sms: neither from nor messaging_service_sid configured")
        sid = c["account_sid"]
        r = _call(
            self.http,
            "sms",
            "POST",
            f"{self.base}/2010-04-01/Accounts/{quote(sid, safe='')}/Messages.json",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=urlencode(form).encode(),
            auth=_basic(sid, c["auth_token"]),
        )
        if not 200 <= r.status < 300:
            _fail("sms", r, r.json().get("code"))


class WhatsAppCloud:
    """Cloud API: POST /{version}/{phone_number_id}/messages with a bearer token,
    ``messaging_product: whatsapp``, to the number (digits, no +): a text message, or —
    when the secret names an approved ``update_template`` and the caller gives the
    message's parts — that template with three body parameters (tracking id, status,
    link), which reaches the user outside the 24-hour window too. Its language: the
    report's (``id``/``en``), mapped by ``update_template_languages`` (default: as is)."""

    def __init__(self, secrets: Secrets, http: ProviderHttp, base: str = GRAPH_API):
        self.secrets, self.http, self.base = secrets, http, base.rstrip("/")

    def send(self, to: str, text: str, *, in_reply_to=None, human_agent=False, template=None):
        c = self.secrets("whatsapp")
        version = c.get("graph_version") or GRAPH_VERSION
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to.lstrip("+"),
            "type": "text",
            "text": {"preview_url": False, "body": _cut(text, MAX_TEXT["whatsapp"])},
        }
        if template and isinstance(c.get("update_template"), str) and c["update_template"]:
            del body["text"]
            languages = c.get("update_template_languages")
            languages = languages if isinstance(languages, dict) else {}
            lang = template.get("language") or "id"
            parts = [template.get(k, "") for k in ("tracking_id", "status", "link")]
            body["type"] = "template"
            body["template"] = {
                "name": c["update_template"],
                "language": {"code": languages.get(lang, lang)},
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": p} for p in parts]}
                ],
            }
        r = _call(
            self.http,
            "whatsapp",
            "POST",
            f"{self.base}/{version}/{quote(c['phone_number_id'], safe='')}/messages",
            headers={"Content-Type": "application/json"},
            body=json.dumps(body).encode(),
            auth=f"Bearer {c['access_token']}",
        )
        if not 200 <= r.status < 300:
            _graph_fail("whatsapp", r)


class MessengerSend:
    """Send API: POST /{version}/{page_id or me}/messages with the page access token, the
    recipient's page-scoped id. See the module's note on the messaging windows."""

    def __init__(self, secrets: Secrets, http: ProviderHttp, base: str = GRAPH_API):
        self.secrets, self.http, self.base = secrets, http, base.rstrip("/")

    def send(self, to: str, text: str, *, in_reply_to=None, human_agent=False, template=None):
        c = self.secrets("messenger")
        version = c.get("graph_version") or GRAPH_VERSION
        body = {
            "recipient": {"id": to},
            "messaging_type": "RESPONSE",
            "message": {"text": _cut(text, MAX_TEXT["messenger"])},
        }
        if human_agent and c.get("human_agent_tag") is True:
            body["messaging_type"] = "MESSAGE_TAG"
            body["tag"] = "HUMAN_AGENT"
        page = c.get("page_id") or "me"
        r = _call(
            self.http,
            "messenger",
            "POST",
            f"{self.base}/{version}/{quote(page, safe='')}/messages",
            headers={"Content-Type": "application/json"},
            body=json.dumps(body).encode(),
            auth=f"Bearer {c['page_access_token']}",
        )
        if not 200 <= r.status < 300:
            _graph_fail("messenger", r)


class XApi:
    """X API v2 as the platform's account (OAuth 1.0a user context): a public reply
    (POST /2/tweets with ``reply.in_reply_to_tweet_id``) when ``in_reply_to`` is given,
    else a direct message (POST /2/dm_conversations/with/{user id}/messages)."""

    def __init__(self, secrets: Secrets, http: ProviderHttp, base: str = X_API):
        self.secrets, self.http, self.base = secrets, http, base.rstrip("/")

    def _auth(self, c: dict, method: str, url: str) -> str:
        return oauth1.authorization_header(
            method,
            url,
            consumer_key=c["consumer_key"],
            consumer_secret=c["consumer_secret"],
            token=c["access_token"],
            token_secret=c["access_token_secret"],
        )

    def send(self, to: str, text: str, *, in_reply_to=None, human_agent=False, template=None):
        c = self.secrets("x")
        if in_reply_to:
            url = f"{self.base}/2/tweets"
            body = {
                "text": _cut(text, MAX_TEXT["x_post"]),
                "reply": {"in_reply_to_tweet_id": in_reply_to},
            }
        else:
            url = f"{self.base}/2/dm_conversations/with/{quote(to, safe='')}/messages"
            body = {"text": _cut(text, MAX_TEXT["x_dm"])}
        r = _call(
            self.http,
            "x",
            "POST",
            url,
            headers={"Content-Type": "application/json"},
            body=json.dumps(body).encode(),
            auth=self._auth(c, "POST", url),
        )
        if not 200 <= r.status < 300:
            _fail("x", r, r.json().get("title"))

    def get(self, url: str, *, limit: int) -> Response:
        c = self.secrets("x")
        return self.http.request(
            "GET", url, auth=self._auth(c, "GET", url), limit=limit, follow_redirects=True
        )


class ChannelSenders:
    """The ``ChannelSender`` port: one provider adapter per channel."""

    def __init__(self, senders: dict, secrets: Secrets | None = None):
        self.senders = senders
        self.secrets = secrets

    @classmethod
    def build(cls, secrets: Secrets, http: ProviderHttp, base: str | None = None):
        """``base``: one URL standing in for every provider (the local stack's fake)."""
        return cls(
            {
                "sms": TwilioSms(secrets, http, base or TWILIO_API),
                "whatsapp": WhatsAppCloud(secrets, http, base or GRAPH_API),
                "messenger": MessengerSend(secrets, http, base or GRAPH_API),
                "x": XApi(secrets, http, base or X_API),
            },
            secrets,
        )

    def ready(self, channel: str) -> bool:
        if str(channel) not in self.senders:
            return False
        if self.secrets is None:
            return True
        try:
            self.secrets(str(channel))
        except ChannelNotConnected:
            return False
        return True

    def send(
        self,
        channel: str,
        to: str,
        text: str,
        *,
        in_reply_to: str | None = None,
        human_agent: bool = False,
        template: dict[str, str] | None = None,
    ) -> None:
        sender = self.senders.get(str(channel))
        if sender is None:
            raise ChannelRefused(f"no sender for channel {channel!r}")
        if not to and not (channel == "x" and in_reply_to):
            raise ChannelRefused(f"{channel}: no recipient")
        sender.send(to, text, in_reply_to=in_reply_to, human_agent=human_agent, template=template)


# ---------------------------------------------------------------- media


# Where each provider serves media from (the host, or a parent domain of it).
MEDIA_HOSTS = {
    "sms": ("api.twilio.com",),
    "whatsapp": ("graph.facebook.com", "fbsbx.com", "whatsapp.net", "fbcdn.net"),
    "messenger": ("fbcdn.net", "fbsbx.com", "facebook.com"),
    "x": ("ton.twitter.com", "pbs.twimg.com", "video.twimg.com", "twimg.com"),
}


class ProviderMediaFetcher:
    """The ``MediaFetcher`` port. Twilio's MediaUrl: basic auth with the account's
    credentials, following its redirect to Twilio's CDN (the credentials stay with
    api.twilio.com). A WhatsApp media id: GET /{version}/{media-id} for its URL, then GET
    that URL with the token. A Messenger attachment URL is fetched as is; an X DM's media
    (ton.twitter.com) with the account's OAuth signature. At most ``limit`` bytes: past it
    the download stops (MediaTooLarge)."""

    def __init__(
        self,
        secrets: Secrets,
        http: ProviderHttp,
        *,
        graph_base: str = GRAPH_API,
        extra_hosts: tuple[str, ...] = (),
        x_api: XApi | None = None,
    ):
        self.secrets, self.http = secrets, http
        self.graph_base = graph_base.rstrip("/")
        self.extra_hosts = extra_hosts  # the local stack's fake provider
        self.x = x_api or XApi(secrets, http)

    def _allowed(self, channel: str, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        hosts = MEDIA_HOSTS.get(channel, ())
        if host in self.extra_hosts:
            return
        if parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in hosts):
            return
        raise MediaUnavailable(f"{channel}: media from a host it may not come from")

    def fetch(self, channel: str, media, *, limit: int) -> tuple[bytes, str | None]:
        channel = str(channel)
        try:
            if channel == "sms":
                r = self._sms(media, limit)
            elif channel == "whatsapp":
                r = self._whatsapp(media, limit)
            elif channel == "messenger":
                self._allowed(channel, media.url or "")
                r = self.http.request("GET", media.url, limit=limit, follow_redirects=True)
            elif channel == "x":
                self._allowed(channel, media.url or "")
                r = self.x.get(media.url, limit=limit)
            else:
                raise MediaUnavailable(f"no media on channel {channel!r}")
        except TooLarge:
            raise MediaTooLarge(f"{channel}: the media has more than {limit} bytes") from None
        except RedirectRefused:
            raise MediaUnavailable(f"{channel}: the media redirected to a plain URL") from None
        except _NETWORK_ERRORS as e:
            failed = f"{channel}: media download failed ({type(e).__name__})"
            raise ChannelUnavailable(failed) from None
        if r.status >= 500 or r.status in TRANSIENT_STATUS:
            raise ChannelUnavailable(f"{channel}: media download HTTP {r.status}")
        if not 200 <= r.status < 300:
            raise MediaUnavailable(f"{channel}: media download HTTP {r.status}")
        return r.body, r.content_type or getattr(media, "content_type", None)

    def _sms(self, media, limit: int) -> Response:
        self._allowed("sms", media.url or "")
        c = self.secrets("sms")
        return self.http.request(
            "GET",
            media.url,
            auth=_basic(c["account_sid"], c["auth_token"]),
            limit=limit,
            follow_redirects=True,
        )

    def _whatsapp(self, media, limit: int) -> Response:
        if not media.media_id:
            raise MediaUnavailable("whatsapp: media without an id")
        c = self.secrets("whatsapp")
        version = c.get("graph_version") or GRAPH_VERSION
        token = f"Bearer {c['access_token']}"
        meta = self.http.request(
            "GET", f"{self.graph_base}/{version}/{quote(media.media_id, safe='')}", auth=token
        )
        if not 200 <= meta.status < 300:
            return meta
        url = meta.json().get("url")
        if not isinstance(url, str):
            raise MediaUnavailable("whatsapp: the media id has no URL")
        declared = meta.json().get("file_size")
        if isinstance(declared, int) and declared > limit:
            raise TooLarge("declared file size")
        self._allowed("whatsapp", url)
        return self.http.request("GET", url, auth=token, limit=limit, follow_redirects=True)
