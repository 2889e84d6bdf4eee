"""A stand-in for the staff user pool's hosted UI (Cognito's managed sign-in), which the
emulator does not have: the endpoints the console uses, with Cognito's rules for them.

- ``GET /oauth2/authorize``: ``response_type=code``, a known ``client_id`` whose
  ``CallbackURLs`` hold ``redirect_uri`` and whose ``AllowedOAuthFlows`` hold ``code``,
  a ``state``, and a PKCE challenge (S256 only; the console always sends one). Shows a
  sign-in form.
- ``POST /login``: the username and password checked by the emulator's user pool
  (``AdminInitiateAuth``); on success the browser goes back to ``redirect_uri`` with a
  one-time ``code`` (5 minutes) and the ``state``.
- ``POST /oauth2/token``: ``grant_type=authorization_code`` with the code, the same
  ``client_id`` and ``redirect_uri``, and the ``code_verifier`` whose S256 is the
  challenge; answers the pool's tokens. Anything else: 400 ``invalid_grant`` (or
  ``invalid_request``), as Cognito answers.
  ``grant_type=refresh_token`` renews the ID token (``REFRESH_TOKEN_AUTH``) unless the
  refresh token was revoked.
- ``POST /oauth2/revoke``: the refresh token stops working.
- ``GET /logout``: ``logout_uri`` must be one of the client's ``LogoutURLs``.

The tokens are the emulator's own (signed with its keys, served at its JWKS URL), so the
console verifies them exactly as it verifies Cognito's on AWS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlencode, urlsplit

from .background_server import BackgroundServer

CODE_SECONDS = 300
_OAUTH_FIELDS = ("client_id", "redirect_uri", "state", "code_challenge", "scope", "lang")

_TEXT = {
    "id": {
        "title": "Masuk ke Satu Pintu",
        "note": "Layanan masuk lokal (pengganti Cognito Hosted UI di AWS).",
        "username": "Nama pengguna",
        "password": "Kata sandi",
        "submit": "Masuk",
        "wrong": "Nama pengguna atau kata sandi salah.",
    },
    "en": {
        "title": "Sign in to Satu Pintu",
        "note": "Local sign-in (stands in for the Cognito hosted UI on AWS).",
        "username": "Username",
        "password": "Password",
        "submit": "Sign in",
        "wrong": "Incorrect username or password.",
    },
}


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class HostedSignIn(BackgroundServer):
    thread_name = "hosted-sign-in"

    def __init__(self, idp, pool_id: str, *, host: str = "127.0.0.1", port: int = 0):
        self.idp = idp
        self.pool_id = pool_id
        self._codes: dict[str, dict] = {}
        self._revoked: set[str] = set()
        self._lock = threading.Lock()
        super().__init__(_handler(self), host=host, port=port)

    # -------------------------------------------------------------- the rules

    def client(self, client_id: str) -> dict | None:
        try:
            return self.idp.describe_user_pool_client(UserPoolId=self.pool_id, ClientId=client_id)[
                "UserPoolClient"
            ]
        except Exception:
            return None

    def authorize_problem(self, params: dict) -> str | None:
        """Why an authorize request is refused (Cognito shows an error page), or None."""
        client = self.client(params.get("client_id", ""))
        if client is None:
            return "invalid client_id"
        if params.get("redirect_uri") not in client.get("CallbackURLs", []):
            return "redirect_mismatch"
        if params.get("response_type") != "code" or "code" not in client.get(
            "AllowedOAuthFlows", []
        ):
            return "unsupported_response_type"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "invalid_request: PKCE with S256 required"
        scopes = set((params.get("scope") or "openid").split())
        if not scopes <= set(client.get("AllowedOAuthScopes", [])):
            return "invalid_scope"
        return None

    def sign_in(self, params: dict, username: str, password: str) -> str | None:
        """A code for the client when the pool accepts the password, else None."""
        try:
            result = self.idp.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=params["client_id"],
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except Exception:
            return None
        tokens = result.get("AuthenticationResult")
        if not tokens:
            return None
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = {
                "client_id": params["client_id"],
                "redirect_uri": params["redirect_uri"],
                "challenge": params["code_challenge"],
                "expires": time.monotonic() + CODE_SECONDS,
                "tokens": tokens,
            }
        return code

    def refresh(self, form: dict) -> tuple[int, dict]:
        token = form.get("refresh_token", "")
        if self.client(form.get("client_id", "")) is None:
            return 400, {"error": "invalid_client"}
        if not token or token in self._revoked:
            return 400, {"error": "invalid_grant"}
        try:
            result = self.idp.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=form["client_id"],
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": token},
            )
        except Exception:
            return 400, {"error": "invalid_grant"}
        tokens = result["AuthenticationResult"]
        return 200, {
            "id_token": tokens["IdToken"],
            "access_token": tokens["AccessToken"],
            "expires_in": tokens.get("ExpiresIn", 3600),
            "token_type": "Bearer",
        }

    def revoke(self, form: dict) -> int:
        if self.client(form.get("client_id", "")) is None or not form.get("token"):
            return 400
        self._revoked.add(form["token"])
        return 200

    def redeem(self, form: dict) -> tuple[int, dict]:
        if form.get("grant_type") == "refresh_token":
            return self.refresh(form)
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            held = self._codes.pop(form.get("code", ""), None)  # one use, even a failed one
        if held is None or held["expires"] < time.monotonic():
            return 400, {"error": "invalid_grant"}
        if form.get("client_id") != held["client_id"]:
            return 400, {"error": "invalid_client"}
        if form.get("redirect_uri") != held["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier") or ""
        if not hmac.compare_digest(s256(verifier), held["challenge"]):
            return 400, {"error": "invalid_grant"}
        tokens = held["tokens"]
        return 200, {
            "id_token": tokens["IdToken"],
            "access_token": tokens["AccessToken"],
            "refresh_token": tokens.get("RefreshToken", ""),
            "expires_in": tokens.get("ExpiresIn", 3600),
            "token_type": "Bearer",
        }

    def logout_target(self, params: dict) -> str | None:
        client = self.client(params.get("client_id", ""))
        uri = params.get("logout_uri")
        if client is None or uri not in client.get("LogoutURLs", []):
            return None
        return uri


def _form_page(params: dict, error: str | None = None) -> bytes:
    lang = "en" if params.get("lang") == "en" else "id"
    t = _TEXT[lang]
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(params.get(k, ""))}">'
        for k in _OAUTH_FIELDS
    )
    alert = f'<p role="alert"><strong>{t["wrong"]}</strong></p>' if error else ""
    page = f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t["title"]}</title></head>
<body><main>
<h1>{t["title"]}</h1>
<p>{t["note"]}</p>{alert}
<form method="post" action="/login">{hidden}
<p><label for="username">{t["username"]}</label><br>
<input id="username" name="username" autocomplete="username" required></p>
<p><label for="password">{t["password"]}</label><br>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">{t["submit"]}</button></p>
</form></main></body></html>"""
    return page.encode()


def _handler(server: HostedSignIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet: the stack prints its own banner
            pass

        def _send(self, status: int, body: bytes, content_type: str, headers=None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str):
            self._send(302, b"", "text/plain", {"Location": location})

        def _error(self, status: int, message: str):
            self._send(status, message.encode(), "text/plain; charset=utf-8")

        def _form(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            if length > 64 * 1024:
                return {}
            return dict(parse_qsl(self.rfile.read(length).decode("utf-8", "replace")))

        def do_GET(self):
            parts = urlsplit(self.path)
            params = dict(parse_qsl(parts.query))
            if parts.path == "/oauth2/authorize":
                problem = server.authorize_problem(params)
                if problem:
                    return self._error(400, problem)
                return self._send(200, _form_page(params), "text/html; charset=utf-8")
            if parts.path == "/logout":
                target = server.logout_target(params)
                if target is None:
                    return self._error(400, "invalid logout_uri")
                return self._redirect(target)
            return self._error(404, "not found")

        def do_POST(self):
            path = urlsplit(self.path).path
            form = self._form()
            if path == "/login":
                params = {k: form.get(k, "") for k in _OAUTH_FIELDS}
                problem = server.authorize_problem(
                    {**params, "response_type": "code", "code_challenge_method": "S256"}
                )
                if problem:
                    return self._error(400, problem)
                code = server.sign_in(params, form.get("username", ""), form.get("password", ""))
                if code is None:
                    return self._send(400, _form_page(params, "wrong"), "text/html; charset=utf-8")
                query = urlencode({"code": code, "state": params["state"]})
                return self._redirect(f"{params['redirect_uri']}?{query}")
            if path == "/oauth2/token":
                status, answer = server.redeem(form)
                return self._send(status, json.dumps(answer).encode(), "application/json")
            if path == "/oauth2/revoke":
                return self._send(server.revoke(form), b"", "application/json")
            return self._error(404, "not found")

    return Handler
