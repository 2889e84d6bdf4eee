"""What every channel webhook does the same way: bound the body, check the provider's
signature over the raw bytes before anything reads them, parse JSON that may still be
garbage (400, never 500), hand the messages to the intake service, answer fast.

Logs carry the channel and counts only: never a sender, a name or a text.
"""

from __future__ import annotations

import json
import logging

from chalice import Response

from ... import bootstrap
from ...config import settings
from ..problems import Problem

log = logging.getLogger(__name__)

ERR = ("ProblemOut", "Problem details (RFC 9457).")
MAX_JSON_DEPTH = 64  # a provider's payload nests a few levels; deeper is refused


def raw_body(request) -> bytes:
    raw = request.raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode()
    limit = settings().channel_max_body_bytes
    if len(raw) > limit:
        raise Problem(413, "body-too-large", f"The body must not exceed {limit} bytes.")
    return raw


def refuse_signature(channel: str) -> Problem:
    log.warning("channel webhook refused: bad signature", extra={"channel": channel})
    return Problem(403, "invalid-signature", "The request's signature does not verify.")


def not_configured(channel: str, error: Exception) -> Problem:
    """A channel whose credentials are not filled in is not enabled (404, like a path
    that does not exist: scanners do not page anybody); one whose secret cannot be read
    right now is 503 (the provider retries). Which key is missing goes to the log for
    the operator, not to the caller."""
    from ...adapters.channel_secrets import ChannelSecretUnavailable

    if isinstance(error, ChannelSecretUnavailable):
        log.error("channel secret unavailable", extra={"channel": channel})
        return Problem(
            503,
            "channel-unavailable",
            "This channel cannot take messages right now; try again later.",
            headers={"Retry-After": "60"},
        )
    log.warning("channel not enabled", extra={"channel": channel, "reason": str(error)})
    return Problem(404, "channel-not-enabled", "This channel is not enabled.")


def json_object(raw: bytes) -> dict:
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Problem(
            400, "invalid-utf8", f"The body is not valid UTF-8 (byte {e.start})."
        ) from None
    if _too_deep(body):
        raise Problem(400, "invalid-json", f"The body nests deeper than {MAX_JSON_DEPTH} levels.")
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        raise Problem(400, "invalid-json", "The body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise Problem(400, "invalid-json", "The body is not a JSON object.")
    return value


def _too_deep(text: str) -> bool:
    from ..endpoint import _nesting_depth

    return _nesting_depth(text) > MAX_JSON_DEPTH


def hand_over(channel: str, messages: list) -> Response:
    """Give the messages to the intake service (it stores each once, by its key, and
    queues it) and answer 200: the provider retries anything else."""
    if messages:
        bootstrap.channel_intake().accept(messages)
    log.info("channel webhook received", extra={"channel": channel, "messages": len(messages)})
    return Response(
        body=json.dumps({"accepted": len(messages)}),
        status_code=200,
        headers={"Content-Type": "application/json", "Cache-Control": "no-store"},
    )


def query(request) -> dict:
    return dict(request.query_params or {})
