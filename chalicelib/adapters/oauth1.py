"""OAuth 1.0a request signing (HMAC-SHA1, RFC 5849 section 3), standard library only: how
the X API authenticates calls made as the platform's own account (user context).

Only what X needs: the ``Authorization: OAuth ...`` header for a request whose body is
JSON (the body is then not part of the signature; query parameters and form-encoded
bodies are, and are passed in ``params``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding as RFC 5849 3.6 asks: everything but the unreserved
    characters ``A-Z a-z 0-9 - . _ ~``, UTF-8 first."""
    return quote(value.encode("utf-8"), safe="-._~")


def base_url(url: str) -> str:
    """Scheme and host lower-cased, default ports dropped, no query or fragment."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "https" and port == 443) or (scheme == "http" and port == 80)):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", "", ""))


def signature_base_string(method: str, url: str, params: list[tuple[str, str]]) -> str:
    """``METHOD&base url&normalised parameters``, each part percent-encoded."""
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in params)
    normalised = "&".join(f"{k}={v}" for k, v in encoded)
    return "&".join([method.upper(), percent_encode(base_url(url)), percent_encode(normalised)])


def sign(base_string: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def authorization_header(
    method: str,
    url: str,
    *,
    consumer_key: str,
    consumer_secret: str,
    token: str,
    token_secret: str,
    params: list[tuple[str, str]] | None = None,
    nonce: str | None = None,
    timestamp: int | None = None,
) -> str:
    """The ``Authorization`` header value. ``params``: query and form parameters of the
    request (never a JSON body). ``nonce`` and ``timestamp`` only for tests."""
    oauth = {
        "oauth_consumer_key": consumer_key,
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(timestamp if timestamp is not None else int(time.time())),
        "oauth_token": token,
        "oauth_version": "1.0",
    }
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    everything = [*(params or []), *query, *oauth.items()]
    oauth["oauth_signature"] = sign(
        signature_base_string(method, url, everything), consumer_secret, token_secret
    )
    fields = ", ".join(f'{percent_encode(k)}="{percent_encode(v)}"' for k, v in oauth.items())
    return f"OAuth {fields}"
