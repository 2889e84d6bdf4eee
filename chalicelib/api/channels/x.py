"""X Account Activity webhook.

``GET ?crc_token=...`` is the challenge-response check X makes at registration and about
hourly after: the answer is ``{"response_token": "sha256=" + base64(HMAC-SHA256(consumer
secret, crc_token))}``. ``POST`` is a delivery signed the same way over the raw body in
``x-twitter-webhooks-signature``: checked before the body is parsed; mentions of the
platform account and DMs to it go to the intake service, and the answer is a quick 200.
"""

from __future__ import annotations

import json

from chalice import Blueprint, Response

from ... import bootstrap
from ...lazy import lazy_module
from ..endpoint import endpoint
from ..problems import Problem
from . import signatures
from .webhook import ERR, hand_over, json_object, not_configured, query, raw_body, refuse_signature

payloads = lazy_module("chalicelib.api.channels.x_payload")
credentials = lazy_module("chalicelib.adapters.channel_secrets")

bp = Blueprint(__name__)

CHANNEL = "x"
_MAX_CRC_TOKEN = 1024


def _x_secret(*keys: str) -> tuple[str, ...]:
    try:
        return credentials.require(bootstrap.channel_secrets().x(), "x", *keys)
    except credentials.ChannelNotConfigured as e:
        raise not_configured(CHANNEL, e) from None


@endpoint(
    bp,
    "/channels/x",
    "GET",
    summary="X Account Activity: the challenge-response check (CRC)",
    tags=("channels",),
    responses={
        200: (None, '{"response_token": "sha256=<base64 HMAC-SHA256 of crc_token>"}.'),
        400: ERR,
        404: ERR,
        503: ERR,
    },
)
def x_crc(call):
    (consumer_secret,) = _x_secret("consumer_secret")
    token = query(call.request).get("crc_token") or ""
    if not token or len(token) > _MAX_CRC_TOKEN:
        raise Problem(400, "invalid-crc-token", "crc_token is missing or too long.")
    return Response(
        body=json.dumps(
            {"response_token": signatures.x_signature(consumer_secret, token.encode())}
        ),
        status_code=200,
        headers={"Content-Type": "application/json", "Cache-Control": "no-store"},
    )


@endpoint(
    bp,
    "/channels/x",
    "POST",
    summary="X Account Activity: mentions and direct messages (signed)",
    tags=("channels",),
    responses={
        200: (None, 'Received: {"accepted": <messages handed to intake>}.'),
        400: ERR,
        403: ERR,
        404: ERR,
        413: ERR,
        503: ERR,
    },
)
def x_receive(call):
    raw = raw_body(call.request)
    consumer_secret, account_id = _x_secret("consumer_secret", "user_id")
    header = call.request.headers.get("x-twitter-webhooks-signature")
    if not signatures.x_valid(consumer_secret, raw, header):
        raise refuse_signature(CHANNEL)
    payload = json_object(raw)
    messages = payloads.x_messages(payload, account_id, bootstrap.clock().now())
    return hand_over(CHANNEL, messages)
