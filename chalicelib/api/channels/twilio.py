"""SMS through Twilio (or any Twilio-compatible gateway): ``POST /channels/sms/twilio``.

Twilio signs every webhook: ``X-Twilio-Signature`` is an HMAC-SHA1, keyed with the
account's auth token, of the full URL Twilio called followed by the sorted form
parameters. It is checked with the ``twilio`` package's ``RequestValidator`` against the
configured public URL (``PUBLIC_API_URL``; behind API Gateway the Host the function sees
is not the one Twilio called) before anything is read from the form. A missing or forged
signature is answered 403 and nothing is stored.

The answer (the tracking id, a status, what is missing) goes back in the response as
TwiML, which Twilio sends to the citizen as an SMS. ``MessageSid`` makes a redelivery
harmless. MMS pictures are fetched and validated by the intake worker.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode

from chalice import Blueprint, Response

from ... import bootstrap
from ...config import settings
from ..endpoint import DECLARED
from ..problems import Problem
from .webhook import not_configured, raw_body

bp = Blueprint(__name__)
log = logging.getLogger(__name__)

PATH = "/channels/sms/twilio"
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_SID = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")
MAX_MEDIA = 10  # Twilio sends at most 10 media per message
MAX_TEXT = 1600  # Twilio's limit for a concatenated message


def auth_token() -> str:
    """The account's auth token from the ``sms`` channel secret; a channel not connected
    is 404, a secret that cannot be read now 503 (``webhook.not_configured``)."""
    from ...adapters import channel_secrets

    try:
        (token,) = channel_secrets.require(bootstrap.channel_secrets().sms(), "sms", "auth_token")
    except channel_secrets.ChannelNotConfigured as e:
        raise not_configured("sms", e) from None
    return token


def public_url(request) -> str:
    base = settings().public_api_url
    if not base:
        raise Problem(503, "channel-not-configured", "PUBLIC_API_URL is not configured.")
    query = request.query_params or {}
    return base + PATH + (("?" + urlencode(query)) if query else "")


def form(request) -> dict[str, str]:
    raw = raw_body(request)  # bounded like every channel's webhook (413)
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError):
        raise Problem(400, "bad-request", "The body is not a URL-encoded form.") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise Problem(400, "bad-request", "A form field is repeated.")
    return fields


def verify(request, fields: dict[str, str]) -> None:
    from twilio.request_validator import RequestValidator

    signature = request.headers.get("x-twilio-signature")
    if not signature:
        raise Problem(403, "forbidden", "X-Twilio-Signature is missing.")
    validator = RequestValidator(auth_token())
    if not validator.validate(public_url(request), fields, signature):
        raise Problem(403, "forbidden", "X-Twilio-Signature does not match.")


def message_of(fields: dict[str, str]):
    from ...domain.inbound import InboundMedia, InboundMessage
    from ...domain.report import Channel

    sid, sender = fields.get("MessageSid", ""), fields.get("From", "")
    if not _SID.match(sid):
        raise Problem(400, "bad-request", "MessageSid is missing or malformed.")
    if not _E164.match(sender):
        raise Problem(400, "bad-request", "From is not a phone number in E.164.")
    try:
        count = int(fields.get("NumMedia") or 0)
    except ValueError:
        raise Problem(400, "bad-request", "NumMedia is not a number.") from None
    if not 0 <= count <= MAX_MEDIA:
        raise Problem(400, "bad-request", f"NumMedia must be 0 to {MAX_MEDIA}.")
    media = []
    for i in range(count):
        url = fields.get(f"MediaUrl{i}", "")
        if not url.startswith(("https://", "http://")):  # where from: the fetcher checks
            raise Problem(400, "bad-request", f"MediaUrl{i} is missing or not a URL.")
        media.append(InboundMedia(url=url, content_type=fields.get(f"MediaContentType{i}")))
    return InboundMessage(
        channel=Channel.SMS,
        message_id=sid,
        sender=sender,
        text=fields.get("Body", "")[:MAX_TEXT],
        received_at=bootstrap.clock().now(),
        media=tuple(media),
    )


def twiml(text: str) -> Response:
    from twilio.twiml.messaging_response import MessagingResponse

    reply = MessagingResponse()
    if text:
        reply.message(text)
    return Response(
        body=str(reply),
        status_code=200,
        headers={"Content-Type": "text/xml; charset=utf-8", "Cache-Control": "no-store"},
    )


@bp.route(PATH, methods=["POST"], content_types=["application/x-www-form-urlencoded"])
def twilio_sms():
    request = bp.current_request
    try:
        fields = form(request)
        verify(request, fields)  # before anything in the form is believed
        message = message_of(fields)
        answer = bootstrap.channel_intake().handle_now(message)
        log.info("sms %s", answer.outcome)
        return twiml(answer.text)
    except Problem as problem:
        return problem.response(request.context.get("path"))


# Not in /openapi.json (chalicelib.api.openapi skips views that say where they are
# documented): Twilio's webhook is form-encoded and answers TwiML.
twilio_sms.outside_openapi = "Twilio's messaging webhook (form-encoded, TwiML answers)"
DECLARED.setdefault(PATH, set()).add("POST")  # the edge answers other methods 405
