"""The providers' webhook signatures, computed over the raw body (never re-serialised
JSON: Meta signs the bytes it sent, \\u escapes included) and compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac


def meta_signature(app_secret: str, body: bytes) -> str:
    """``X-Hub-Signature-256``: ``sha256=`` + the lowercase hex HMAC-SHA256 of the body
    keyed with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def x_signature(consumer_secret: str, message: bytes) -> str:
    """``x-twitter-webhooks-signature`` and the CRC ``response_token``: ``sha256=`` +
    the base64 HMAC-SHA256 of the message keyed with the consumer secret."""
    digest = hmac.new(consumer_secret.encode(), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def same(expected: str, given: str | None) -> bool:
    """Constant-time comparison of what we computed with what the request carried."""
    if not given:
        return False
    return hmac.compare_digest(expected.encode(), given.strip().encode("utf-8", "replace"))


def meta_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    # Meta writes the hex in lowercase; a client that upper-cases it is still honest.
    if header and header[:7].lower() == "sha256=":
        header = "sha256=" + header[7:].strip().lower()
    return same(meta_signature(app_secret, body), header)


def x_valid(consumer_secret: str, body: bytes, header: str | None) -> bool:
    return same(x_signature(consumer_secret, body), header)
