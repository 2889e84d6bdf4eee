"""What keeps the portal's pages safe: headers on every page, cookies, CSRF tokens.

- Content-Security-Policy without inline scripts or styles (everything from 'self'),
  no framing (frame-ancestors 'none' and X-Frame-Options), nosniff, no referrer to
  other sites.
- CSRF: a signed double-submit token. The browser holds a random nonce in an HttpOnly,
  SameSite=Strict cookie; every form carries HMAC(key, nonce) in a hidden field. A POST is
  accepted only when the field is the MAC of the cookie's nonce (a cross-site page can
  neither read the cookie nor compute the MAC) and, when the browser sends Origin, only
  from this host.
- The reporter's access token never goes into a URL: after the tracking form it is kept in
  an HttpOnly, SameSite=Strict cookie named after that report.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

_CSP = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "connect-src": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
    "base-uri": ("'none'",),
    "object-src": ("'none'",),
}


def csp(extra: dict[str, set[str]] | None = None) -> str:
    """The policy, with a page's extra origins (the attachments bucket for its upload)."""
    extra = extra or {}
    return "; ".join(
        " ".join([name, *values, *sorted(extra.get(name, ()))]) for name, values in _CSP.items()
    )


CSP = csp()


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form
    # posts, which the origin check must refuse. Other sites never get a referrer.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
    "Cache-Control": "no-store",
    "Vary": "Cookie, Accept",
}

_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
_NONCE = re.compile(r"^[A-Za-z0-9_-]{32}$")
TOKEN_COOKIE_PREFIX = "sp_rt_"
CSRF_COOKIE = "sp_csrf"
# Access tokens are base64url (services/access_tokens.py): only such a value is ever put in a
# cookie (no ";", "," or quotes that could add attributes).
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


def is_secure(request) -> bool:
    """HTTPS, or plain HTTP only to a loopback host (the local stack)."""
    proto = (request.headers.get("x-forwarded-proto") or "").split(",")[0].strip()
    if proto == "https":
        return True
    host = (request.headers.get("host") or "").rsplit(":", 1)[0]
    return host not in _LOOPBACK


def cookie_name(request, base: str) -> str:
    """``__Host-`` names (Secure, Path=/, no Domain: the browser enforces it) over HTTPS."""
    return f"__Host-{base}" if is_secure(request) else base


def set_cookie(request, base: str, value: str, *, max_age: int | None = None) -> str:
    parts = [f"{cookie_name(request, base)}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if is_secure(request):
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


def clear_cookie(request, base: str) -> str:
    return set_cookie(request, base, "", max_age=0)


def cookies(request) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(request.headers.get("cookie") or "")
    except Exception:  # a malformed cookie header is no cookie
        return {}
    return {k: m.value for k, m in jar.items()}


def read_cookie(request, base: str) -> str | None:
    return cookies(request).get(cookie_name(request, base))


# ---------------------------------------------------------------- the reporter's token


def token_cookie(tracking_id: str) -> str:
    return TOKEN_COOKIE_PREFIX + tracking_id


def plausible_token(token: str) -> bool:
    return bool(_TOKEN_CHARS.match(token))


# ---------------------------------------------------------------- CSRF


def csrf_key(token_secret: bytes) -> bytes:
    """A key of its own, derived from the platform's token secret."""
    return hmac.new(token_secret, b"satupintu portal csrf v1", hashlib.sha256).digest()


def new_nonce() -> str:
    return secrets.token_urlsafe(24)  # 32 characters


def csrf_token(key: bytes, nonce: str) -> str:
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def valid_nonce(nonce: str | None) -> bool:
    return bool(nonce) and _NONCE.match(nonce) is not None


def csrf_valid(key: bytes, nonce: str | None, token: str | None) -> bool:
    if not token or not valid_nonce(nonce):
        return False
    return hmac.compare_digest(csrf_token(key, nonce), token)


def same_origin(request) -> bool:
    """A POST from this host: Origin (sent by browsers on POST), when present, names it."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # older browsers: the CSRF token still has to match
    if origin == "null":
        return False
    return urlsplit(origin).netloc == (request.headers.get("host") or "")
