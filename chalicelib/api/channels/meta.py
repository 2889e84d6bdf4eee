"""WhatsApp Cloud API and Facebook Messenger webhooks: both speak Meta's protocol.

``GET`` is the subscription handshake: Meta sends ``hub.mode=subscribe``,
``hub.verify_token`` (the token typed into the app dashboard, our secret's
``verify_token``) and ``hub.challenge``, and expects the challenge back as it came.
``POST`` is a delivery, signed ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw
body keyed with the app secret>``: checked before the body is parsed; the messages go to
the intake service and the answer is a quick 200 (Meta retries anything else).
"""

from __future__ import annotations

from chalice import Blueprint, Response

from ... import bootstrap
from ...lazy import lazy_module
from ..endpoint import endpoint
from ..problems import Problem
from . import signatures
from .webhook import ERR, hand_over, json_object, not_configured, query, raw_body, refuse_signature

# Loaded on a channel's first request, not at the API's cold start.
payloads = lazy_module("chalicelib.api.channels.meta_payload")
credentials = lazy_module("chalicelib.adapters.channel_secrets")

bp = Blueprint(__name__)

_VERIFY_RESPONSES = {
    200: (None, "hub.challenge, echoed as text/plain."),
    400: ERR,
    403: ERR,
    404: ERR,
    503: ERR,
}
_RECEIVE_RESPONSES = {
    200: (None, 'Received: {"accepted": <messages handed to intake>}.'),
    400: ERR,
    403: ERR,
    404: ERR,
    413: ERR,
    503: ERR,
}
_MAX_CHALLENGE = 256


def _meta_secret(channel: str) -> dict[str, str]:
    try:
        return bootstrap.channel_secrets().meta(channel)
    except credentials.ChannelNotConfigured as e:
        raise not_configured(channel, e) from None


def _require(secret: dict, channel: str, *keys: str) -> tuple[str, ...]:
    try:
        return credentials.require(secret, channel, *keys)
    except credentials.ChannelNotConfigured as e:
        raise not_configured(channel, e) from None


def verify_subscription(request, channel: str) -> Response:
    (token,) = _require(_meta_secret(channel), channel, "verify_token")
    params = query(request)
    if params.get("hub.mode") != "subscribe" or not signatures.same(
        token, params.get("hub.verify_token")
    ):
        raise Problem(
            403,
            "verification-refused",
            "hub.mode must be subscribe and hub.verify_token the configured verify token.",
        )
    challenge = params.get("hub.challenge") or ""
    if not challenge or len(challenge) > _MAX_CHALLENGE or not challenge.isprintable():
        raise Problem(400, "invalid-challenge", "hub.challenge is missing or malformed.")
    return Response(
        body=challenge,
        status_code=200,
        headers={
            "Content-Type": "text/plain; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def receive(request, channel: str, parse) -> Response:
    raw = raw_body(request)
    secret = _meta_secret(channel)
    (app_secret,) = _require(secret, channel, "app_secret")
    if not signatures.meta_valid(app_secret, raw, request.headers.get("x-hub-signature-256")):
        raise refuse_signature(channel)
    payload = json_object(raw)
    return hand_over(channel, parse(payload, bootstrap.clock().now(), secret))


def _whatsapp(payload, now, secret):
    return payloads.whatsapp_messages(payload, now, secret.get("phone_number_id") or None)


def _messenger(payload, now, secret):
    return payloads.messenger_messages(payload, now)


@endpoint(
    bp,
    "/channels/whatsapp",
    "GET",
    summary="WhatsApp Cloud API: the webhook subscription handshake",
    tags=("channels",),
    responses=_VERIFY_RESPONSES,
    media_type="text/plain",
)
def whatsapp_verify(call):
    return verify_subscription(call.request, "whatsapp")


@endpoint(
    bp,
    "/channels/whatsapp",
    "POST",
    summary="WhatsApp Cloud API: messages (signed X-Hub-Signature-256)",
    tags=("channels",),
    responses=_RECEIVE_RESPONSES,
)
def whatsapp_receive(call):
    return receive(call.request, "whatsapp", _whatsapp)


@endpoint(
    bp,
    "/channels/messenger",
    "GET",
    summary="Facebook Messenger: the webhook subscription handshake",
    tags=("channels",),
    responses=_VERIFY_RESPONSES,
    media_type="text/plain",
)
def messenger_verify(call):
    return verify_subscription(call.request, "messenger")


@endpoint(
    bp,
    "/channels/messenger",
    "POST",
    summary="Facebook Messenger: page messages (signed X-Hub-Signature-256)",
    tags=("channels",),
    responses=_RECEIVE_RESPONSES,
)
def messenger_receive(call):
    return receive(call.request, "messenger", _messenger)
