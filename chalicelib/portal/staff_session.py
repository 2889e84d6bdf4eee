"""Staff sessions for the console: sign-in through the Cognito user pool's hosted UI with
the authorization code flow and PKCE (RFC 7636), the ID token kept in an HttpOnly cookie.

- ``/staf/masuk`` sends the browser to the hosted UI's ``/oauth2/authorize`` with a fresh
  ``state`` and an S256 code challenge; the state, the code verifier and where to go next
  wait in a short-lived HttpOnly cookie.
- ``/staf/masuk/selesai`` (the registered callback) checks the state against that cookie,
  exchanges the code with the verifier at ``/oauth2/token``, verifies the ID token with the
  pool's JWKS (as the API does) and keeps it in the session cookie.
- Every console page reads the cookie and verifies the token again; the API's rules apply
  (admins need a second factor). When the one-hour ID token has expired, the refresh token
  (its own HttpOnly cookie, 12 hours) gets a new one from the token endpoint during that
  request, so an officer's half-hour of typing is not lost to a sign-in redirect; without
  it the browser is sent to sign in again.
- ``/staf/keluar`` (POST, CSRF-checked) revokes the refresh token, clears the cookies and
  ends the hosted UI's session at ``/logout``.

The cookies are SameSite=Lax, not Strict: the browser comes back from the identity
provider's site, and a Strict cookie set or read on that cross-site redirect chain is not
sent. Cross-site form posts are still refused by the portal's CSRF token and origin check.
Locally the stack serves a stand-in for the hosted UI with the same endpoints
(``devstack/signin.py``), backed by the emulator's user pool.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
import urllib.error
import urllib.parse

from ..adapters import jwt_verifier
from ..config import settings
from ..domain.identity import Principal
from . import security

log = logging.getLogger(__name__)

SESSION_COOKIE = "sp_staff"
REFRESH_COOKIE = "sp_staff_r"
SIGN_IN_COOKIE = "sp_signin"
# The pool client's RefreshTokenValidity (infra/resources.json; a test keeps them equal): a
# working day signed in; the one-hour ID token is renewed with it on the next request.
REFRESH_SECONDS = 12 * 3600
_REFRESH = re.compile(r"^[A-Za-z0-9_.-]{16,4000}$")
SIGN_IN_SECONDS = 600  # time to finish signing in at the hosted UI
SCOPES = "openid email profile"
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_STATE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
_VERIFIER = re.compile(r"^[A-Za-z0-9_~.-]{43,128}$")
# Where a sign-in may return to: a console page of this site, nothing else.
_NEXT = re.compile(r"^(/en)?/staf(/[A-Za-z0-9_./-]*)?(\?[A-Za-z0-9_.=&%-]*)?$")


class SignInRequired(Exception):
    """No valid session: the page answers with a redirect to sign in."""


class NotAllowed(Exception):
    """Signed in, but the role does not allow this page: 403."""


class SignInFailed(Exception):
    """The identity provider's answer could not be used (shown as a page, logged)."""


class ProviderUnavailable(SignInFailed):
    """The identity provider (token endpoint or JWKS) cannot be reached now: a 503 page,
    and the session's cookies are kept for when it can."""


# ---------------------------------------------------------------- the session


def cookie_attributes(request, name: str, value: str, max_age: int) -> str:
    parts = [
        f"{security.cookie_name(request, name)}={value}",
        "Path=/",
        "HttpOnly",
        "SameSite=Lax",
        f"Max-Age={max(0, max_age)}",
    ]
    if security.is_secure(request):
        parts.append("Secure")
    return "; ".join(parts)


def _verified(token: str) -> dict:
    try:
        return jwt_verifier.default_verifier().verify(token)
    except jwt_verifier.KeysUnavailable as e:
        raise ProviderUnavailable(f"JWKS unavailable: {e}") from None


def staff_member(claims: dict) -> Principal | None:
    """The API's rule too: a platform or agency admin needs a second factor."""
    who = jwt_verifier.principal_from_claims(claims)
    if jwt_verifier.lacks_second_factor(who, claims, settings().staff_mfa_claim_required):
        return None
    return who


def principal(request) -> Principal | None:
    """Who holds this session, or None (no cookie, a token that fails verification, an
    admin without a second factor)."""
    token = security.read_cookie(request, SESSION_COOKIE)
    if not token or not _JWT.match(token):
        return None
    try:
        claims = _verified(token)
    except jwt_verifier.InvalidToken:
        return None
    return staff_member(claims)


def resume(request) -> tuple[Principal | None, list[str]]:
    """Who holds this session, renewing an expired ID token with the refresh token; and
    the cookies to set (the new ID token, or clearing a refresh token the provider
    refused). ProviderUnavailable when the provider cannot answer now."""
    who = principal(request)
    refresh = security.read_cookie(request, REFRESH_COOKIE)
    if who is not None or not refresh:
        return who, []
    if not _REFRESH.match(refresh):
        return None, [cookie_attributes(request, REFRESH_COOKIE, "", 0)]
    try:
        id_token, claims, _ = _token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh}
        )
    except ProviderUnavailable:
        raise  # the refresh token may well still be good: kept
    except SignInFailed as e:
        log.info("staff session not renewed: %s", e)
        return None, [cookie_attributes(request, REFRESH_COOKIE, "", 0)]
    who = staff_member(claims)
    return who, [session_cookie(request, id_token, claims)] if who else []


def session_cookie(request, id_token: str, claims: dict) -> str:
    remaining = int(claims.get("exp", 0)) - int(time.time())
    return cookie_attributes(request, SESSION_COOKIE, id_token, remaining)


def refresh_cookie(request, refresh_token: str) -> str | None:
    if not _REFRESH.match(refresh_token or ""):
        return None
    return cookie_attributes(request, REFRESH_COOKIE, refresh_token, REFRESH_SECONDS)


def end_session_cookies(request) -> list[str]:
    return [
        cookie_attributes(request, SESSION_COOKIE, "", 0),
        cookie_attributes(request, REFRESH_COOKIE, "", 0),
    ]


def revoke(request) -> None:
    """Sign-out: the refresh token stops working at the identity provider too (a copy of
    the cookie cannot renew the session). Best effort: a failure is logged."""
    refresh = security.read_cookie(request, REFRESH_COOKIE)
    if not refresh or not _REFRESH.match(refresh):
        return
    body = urllib.parse.urlencode({"token": refresh, "client_id": settings().jwt_audience})
    try:
        _post(f"{signin_url()}/oauth2/revoke", body.encode()).close()
    except (SignInFailed, urllib.error.URLError, TimeoutError) as e:
        log.warning("refresh token not revoked at sign-out: %s", e)


# ---------------------------------------------------------------- signing in


def safe_next(path: str | None, default: str) -> str:
    # fullmatch: ``$`` alone also matches before a trailing newline, which would reach the
    # Location header; no dot segments, which would leave the console.
    if not path or not _NEXT.fullmatch(path) or "//" in path:
        return default
    segments = path.partition("?")[0].split("/")
    return default if "." in segments or ".." in segments else path


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def challenge_for(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


def begin(request, *, redirect_uri: str, next_path: str, lang: str) -> tuple[str, str]:
    """(the hosted UI's authorize URL, the Set-Cookie header keeping state + verifier)."""
    cfg = settings()
    state = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)  # 64 characters of the unreserved set
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": cfg.jwt_audience,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": state,
            "code_challenge": challenge_for(verifier),
            "code_challenge_method": "S256",
            "lang": lang,
        }
    )
    held = _b64(json.dumps([state, verifier, next_path]).encode())
    cookie = cookie_attributes(request, SIGN_IN_COOKIE, held, SIGN_IN_SECONDS)
    return f"{signin_url()}/oauth2/authorize?{query}", cookie


def held_sign_in(request) -> tuple[str, str, str] | None:
    raw = security.read_cookie(request, SIGN_IN_COOKIE)
    if not raw or len(raw) > 1024:
        return None
    try:
        state, verifier, next_path = json.loads(
            base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        )
    except Exception:
        return None
    if not all(isinstance(x, str) for x in (state, verifier, next_path)):
        return None
    if not _STATE.match(state) or not _VERIFIER.match(verifier):
        return None
    return state, verifier, next_path


def state_matches(held_state: str, returned: str | None) -> bool:
    return bool(returned) and hmac.compare_digest(held_state.encode(), returned.encode())


def clear_sign_in_cookie(request) -> str:
    return cookie_attributes(request, SIGN_IN_COOKIE, "", 0)


def exchange(code: str, verifier: str, redirect_uri: str) -> tuple[str, dict, str | None]:
    """The code for tokens at the token endpoint: (the ID token, its verified claims, the
    refresh token)."""
    return _token_request(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
    )


def _post(url: str, body: bytes):
    # Here, not at the top: every citizen page imports this module, and urllib.request
    # (with http.client and email) takes ~20 ms that only a sign-in needs.
    import urllib.request

    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    return urllib.request.urlopen(request, timeout=10)


def _token_request(fields: dict) -> tuple[str, dict, str | None]:
    body = urllib.parse.urlencode({**fields, "client_id": settings().jwt_audience}).encode()
    try:
        with _post(f"{signin_url()}/oauth2/token", body) as response:
            answer = json.loads(response.read(64 * 1024))
    except urllib.error.HTTPError as e:
        if e.code >= 500 or e.code == 429:
            raise ProviderUnavailable(f"token endpoint answered {e.code}") from None
        raise SignInFailed(f"token endpoint answered {e.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise ProviderUnavailable(f"token endpoint unreachable: {e}") from None
    except ValueError as e:
        raise SignInFailed(f"token endpoint's answer unreadable: {e}") from None
    id_token = answer.get("id_token") if isinstance(answer, dict) else None
    if not isinstance(id_token, str) or not _JWT.match(id_token):
        raise SignInFailed("no ID token in the token endpoint's answer")
    try:
        claims = _verified(id_token)
    except jwt_verifier.InvalidToken as e:
        raise SignInFailed(f"ID token refused: {e.detail}") from None
    refresh = answer.get("refresh_token")
    return id_token, claims, refresh if isinstance(refresh, str) else None


def sign_out_url(logout_uri: str) -> str:
    query = urllib.parse.urlencode({"client_id": settings().jwt_audience, "logout_uri": logout_uri})
    return f"{signin_url()}/logout?{query}"


def signin_url() -> str:
    url = settings().staff_signin_url
    if not url:
        raise SignInFailed("STAFF_SIGNIN_URL is not configured")
    return url
