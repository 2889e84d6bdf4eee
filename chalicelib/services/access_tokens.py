"""The reporter's access token: issued once, stored only as a hash.

With an Idempotency-Key the token is derived (HMAC with the server secret) from the key
and the tracking id, so a retried submission can hand the same token back without the
token ever being stored. Without a key it is 256 random bits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def issue(secret: bytes, tracking_id: str, idempotency_key: str | None) -> str:
    if not idempotency_key:  # None or "": no key, so nothing to derive from
        return _b64(secrets.token_bytes(32))
    message = f"access-token\x1f{idempotency_key}\x1f{tracking_id}".encode()
    return _b64(hmac.new(secret, message, hashlib.sha256).digest())


def digest(token: str) -> str:
    # Tokens carry 256 bits of entropy, so a fast hash is enough (no password stretching).
    return hashlib.sha256(token.encode()).hexdigest()


def matches(token: str | None, stored_digest: str) -> bool:
    if not token:
        return False
    return hmac.compare_digest(digest(token), stored_digest)
