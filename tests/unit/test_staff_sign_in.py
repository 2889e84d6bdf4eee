"""Staff sign-in for the console: the authorization code flow with PKCE against the local
stand-in for the hosted UI (devstack/signin.py, here over a fake user pool whose tokens
the test JWKS trusts), the session cookie, what is refused, and signing out."""

import base64
import hashlib
import json
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from chalice.test import Client

from app import app
from chalicelib import config
from devstack.signin import HostedSignIn, s256
from tests.unit.api_helpers import AUDIENCE, UNTRUSTED, token
from tests.unit.portal_helpers import Browser

PUBLIC = "http://127.0.0.1:8000"
CALLBACK = PUBLIC + "/staf/masuk/selesai"
PASSWORD = "Correct-Horse-9"
USERS = {
    "officer.pemkot-bandung": ("officer", "pemkot-bandung"),
    "admin": ("platform_admin", None),
    "exec.pemkot-bandung": ("executive", "pemkot-bandung"),
}


class FakePool:
    """What the stand-in asks of Cognito: the client's settings and a password check."""

    def __init__(self):
        self.key = None  # sign with another key to test a token the console must refuse
        self.claims = {}  # more claims in the ID tokens (e.g. amr)

    def describe_user_pool_client(self, UserPoolId, ClientId):
        if ClientId != AUDIENCE:
            raise KeyError(ClientId)
        return {
            "UserPoolClient": {
                "ClientId": AUDIENCE,
                "AllowedOAuthFlows": ["code"],
                "AllowedOAuthScopes": ["openid", "email", "profile"],
                "CallbackURLs": [CALLBACK],
                "LogoutURLs": [PUBLIC + "/", PUBLIC + "/en"],
            }
        }

    def admin_initiate_auth(self, UserPoolId, ClientId, AuthFlow, AuthParameters):
        if AuthFlow == "REFRESH_TOKEN_AUTH":
            user = AuthParameters["REFRESH_TOKEN"].removeprefix("refresh-token-of-")
            return self._tokens(user, refresh=False)
        user = AuthParameters["USERNAME"]
        if user not in USERS or AuthParameters["PASSWORD"] != PASSWORD:
            raise PermissionError("NotAuthorizedException")
        return self._tokens(user)

    def _tokens(self, user, refresh=True):
        role, agency = USERS[user]
        claims = {
            "cognito:username": user,
            "cognito:groups": [role],
            "custom:agency_id": agency,
            **self.claims,
        }
        id_token = token(**claims) if self.key is None else token(key=self.key, **claims)
        result = {"IdToken": id_token, "AccessToken": "a", "ExpiresIn": 3600}
        if refresh:
            result["RefreshToken"] = f"refresh-token-of-{user}"
        return {"AuthenticationResult": result}


@pytest.fixture
def pool():
    return FakePool()


@pytest.fixture
def hosted(pool):
    server = HostedSignIn(pool, "pool").start()
    yield server
    server.stop()


@pytest.fixture
def client(wired, hosted, trusted_staff_tokens, monkeypatch):
    monkeypatch.setenv("JWT_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("STAFF_SIGNIN_URL", hosted.url)
    monkeypatch.setenv("PUBLIC_API_URL", PUBLIC)
    config.settings.cache_clear()
    with Client(app) as c:
        yield c
    config.settings.cache_clear()


@pytest.fixture
def browser(client):
    return Browser(client)


def location(response) -> str:
    return response.headers["Location"]


def set_cookies(response) -> list[str]:
    raw = response.headers.get("Set-Cookie") or []
    return [raw] if isinstance(raw, str) else raw


def sign_in(browser, username="officer.pemkot-bandung", password=PASSWORD, start="/staf"):
    """As a browser does: the console, the sign-in redirect, the hosted UI's form, the
    callback. Returns the callback's response."""
    r = browser.get(start)
    assert r.status_code == 303
    r = browser.get(location(r))
    assert r.status_code == 302
    authorize = location(r)
    form = requests.get(authorize, timeout=5)
    assert form.status_code == 200
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.text))
    answer = requests.post(
        authorize.split("/oauth2/")[0] + "/login",
        data={**fields, "username": username, "password": password},
        allow_redirects=False,
        timeout=5,
    )
    if answer.status_code != 302:
        return answer
    callback = urlsplit(location(answer))
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == CALLBACK
    return browser.get(f"{callback.path}?{callback.query}")


# ---------------------------------------------------------------- the flow


def test_a_signed_out_visit_goes_to_the_hosted_ui_with_a_pkce_challenge(browser, hosted):
    r = browser.get("/en/staf?from=mail")
    assert r.status_code == 303
    assert location(r) == "/en/staf/masuk?next=/en/staf%3Ffrom%3Dmail"
    r = browser.get(location(r))
    assert r.status_code == 302
    url = urlsplit(location(r))
    assert f"{url.scheme}://{url.netloc}{url.path}" == hosted.url + "/oauth2/authorize"
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert q["response_type"] == "code"
    assert q["client_id"] == AUDIENCE
    assert q["redirect_uri"] == CALLBACK
    assert q["code_challenge_method"] == "S256"
    assert q["lang"] == "en"
    assert len(q["state"]) >= 32 and len(q["code_challenge"]) == 43
    (cookie,) = set_cookies(r)
    assert cookie.startswith("sp_signin=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=600" in cookie
    # the verifier is in the HttpOnly cookie only, never in the URL
    held = json.loads(base64.urlsafe_b64decode(browser.cookies["sp_signin"] + "=="))
    assert held[0] == q["state"] and held[2] == "/en/staf?from=mail"
    digest = hashlib.sha256(held[1].encode()).digest()
    assert base64.urlsafe_b64encode(digest).decode().rstrip("=") == q["code_challenge"]
    assert held[1] not in location(r)


def test_signing_in_keeps_the_id_token_in_an_http_only_cookie_and_returns_where_asked(browser):
    r = sign_in(browser, "admin")
    assert r.status_code == 303 and location(r) == "/staf"
    session = next(c for c in set_cookies(r) if c.startswith("sp_staff="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    assert 3500 <= int(re.search(r"Max-Age=(\d+)", session).group(1)) <= 3600
    assert "sp_signin" not in browser.cookies  # the one-time state is gone
    home = browser.get("/staf")
    assert home.status_code == 200
    page = home.body.decode()
    assert "admin" in page and 'action="/staf/keluar"' in page
    for path in ("/staf/kotak-masuk", "/staf/verifikasi", "/staf/dasbor", "/staf/webhook"):
        assert f'href="{path}"' in page  # a platform admin's menu


def test_a_role_with_one_page_goes_straight_to_it(browser):
    sign_in(browser, "exec.pemkot-bandung")
    r = browser.get("/en/staf")
    assert r.status_code == 303 and location(r) == "/en/staf/dasbor"


def test_a_wrong_password_stays_at_the_hosted_ui(browser):
    r = sign_in(browser, password="wrong")
    assert r.status_code == 400
    assert "sp_staff" not in browser.cookies


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/staf", "/lacak", "/staf/../x\\"]
)
def test_after_sign_in_only_console_pages_of_this_site(browser, evil):
    browser.get("/staf/masuk?" + urlencode({"next": evil}))
    held = json.loads(base64.urlsafe_b64decode(browser.cookies["sp_signin"] + "=="))
    assert held[2] == "/staf"


def test_a_callback_with_another_state_is_refused(browser, hosted):
    r = browser.get("/staf/masuk")
    authorize = location(r)
    q = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    code = hosted.sign_in(q, "officer.pemkot-bandung", PASSWORD)
    r = browser.get(f"/staf/masuk/selesai?code={code}&state=forged-state-forged-state-1")
    assert r.status_code == 400
    assert "sp_staff" not in browser.cookies
    assert "/staf/masuk" in r.body.decode()  # a way to start again


def test_a_callback_without_the_sign_in_cookie_is_refused(browser, hosted):
    r = browser.get("/staf/masuk")
    q = {k: v[0] for k, v in parse_qs(urlsplit(location(r)).query).items()}
    code = hosted.sign_in(q, "officer.pemkot-bandung", PASSWORD)
    browser.cookies.pop("sp_signin")  # e.g. a login CSRF: the attacker's code, our browser
    r = browser.get(f"/staf/masuk/selesai?code={code}&state={q['state']}")
    assert r.status_code == 400 and "sp_staff" not in browser.cookies


def test_the_identity_provider_saying_no_is_a_page_not_an_error(browser):
    browser.get("/staf/masuk")
    held = json.loads(base64.urlsafe_b64decode(browser.cookies["sp_signin"] + "=="))
    r = browser.get(f"/staf/masuk/selesai?error=access_denied&state={held[0]}")
    assert r.status_code == 400


def test_a_token_the_pool_did_not_sign_is_not_a_session(browser, pool):
    pool.key = UNTRUSTED
    r = sign_in(browser)
    assert r.status_code == 400 and "sp_staff" not in browser.cookies


def test_a_forged_or_foreign_session_cookie_is_signed_out(browser):
    browser.cookies["sp_staff"] = token(key=UNTRUSTED)
    assert browser.get("/staf").status_code == 303
    browser.cookies["sp_staff"] = "not-a-token"
    assert browser.get("/staf").status_code == 303


def test_an_admin_session_without_a_second_factor_is_signed_out(browser):
    browser.sign_in_as("platform_admin", amr=["pwd"])
    assert browser.get("/staf").status_code == 303
    browser.sign_in_as("platform_admin", amr=["pwd", "otp", "mfa"])
    assert browser.get("/staf").status_code == 200


def test_over_https_the_cookies_are_host_only_and_secure(client):
    r = client.http.get(
        "/staf/masuk",
        headers={
            "Host": "lapor.example.go.id",
            "X-Forwarded-Proto": "https",
            "Accept": "text/html",
        },
    )
    (cookie,) = set_cookies(r)
    assert cookie.startswith("__Host-sp_signin=") and "Secure" in cookie


# ---------------------------------------------------------------- signing out


def test_signing_out_needs_the_csrf_token(browser):
    browser.sign_in_as("officer", "pemkot-bandung")
    r = browser.post("/staf/keluar", {}, csrf=False)
    assert r.status_code == 403
    assert "sp_staff" in browser.cookies


def test_signing_out_clears_the_session_and_ends_the_hosted_ui_session(browser, hosted):
    sign_in(browser, "admin")
    browser.get("/en/staf")
    r = browser.post("/en/staf/keluar", {})
    assert r.status_code == 303
    assert "sp_staff" not in browser.cookies
    url = urlsplit(location(r))
    assert f"{url.scheme}://{url.netloc}{url.path}" == hosted.url + "/logout"
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert q == {"client_id": AUDIENCE, "logout_uri": PUBLIC + "/en"}
    back = requests.get(location(r), allow_redirects=False, timeout=5)
    assert back.status_code == 302 and back.headers["Location"] == PUBLIC + "/en"


# ---------------------------------------------------------------- the stand-in's rules


def _authorize(hosted, **overrides):
    params = {
        "response_type": "code",
        "client_id": AUDIENCE,
        "redirect_uri": CALLBACK,
        "state": "s" * 32,
        "code_challenge": s256("v" * 64),
        "code_challenge_method": "S256",
        "scope": "openid email profile",
        **overrides,
    }
    return requests.get(hosted.url + "/oauth2/authorize", params=params, timeout=5)


@pytest.mark.parametrize(
    "overrides",
    [
        {"redirect_uri": "https://evil.example/cb"},
        {"client_id": "another"},
        {"code_challenge_method": "plain"},
        {"code_challenge": ""},
        {"response_type": "token"},
        {"scope": "openid aws.cognito.signin.user.admin"},
    ],
)
def test_the_stand_in_refuses_what_cognito_refuses(hosted, overrides):
    assert _authorize(hosted).status_code == 200
    assert _authorize(hosted, **overrides).status_code == 400


def _redeem(hosted, code, verifier="v" * 64, **overrides):
    form = {
        "grant_type": "authorization_code",
        "client_id": AUDIENCE,
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
        **overrides,
    }
    return requests.post(hosted.url + "/oauth2/token", data=form, timeout=5)


def test_a_code_needs_its_verifier_and_is_good_once(hosted):
    params = {"client_id": AUDIENCE, "redirect_uri": CALLBACK, "code_challenge": s256("v" * 64)}
    code = hosted.sign_in(params, "admin", PASSWORD)
    assert _redeem(hosted, code, verifier="w" * 64).json() == {"error": "invalid_grant"}
    code = hosted.sign_in(params, "admin", PASSWORD)
    assert _redeem(hosted, code, redirect_uri=PUBLIC + "/other").status_code == 400
    code = hosted.sign_in(params, "admin", PASSWORD)
    first = _redeem(hosted, code)
    assert first.status_code == 200 and first.json()["id_token"].count(".") == 2
    assert _redeem(hosted, code).status_code == 400  # replayed


def test_the_stand_in_only_logs_out_to_registered_addresses(hosted):
    ok = requests.get(
        hosted.url + "/logout",
        params={"client_id": AUDIENCE, "logout_uri": PUBLIC + "/"},
        allow_redirects=False,
        timeout=5,
    )
    assert ok.status_code == 302
    bad = requests.get(
        hosted.url + "/logout",
        params={"client_id": AUDIENCE, "logout_uri": "https://evil.example/"},
        allow_redirects=False,
        timeout=5,
    )
    assert bad.status_code == 400


def test_console_pages_let_the_sign_out_form_reach_the_hosted_ui(browser, hosted):
    # CSP form-action also covers the redirects after a form's POST: without the hosted UI's
    # origin the browser stops signing out at /logout.
    browser.sign_in_as("platform_admin", amr=["mfa"])
    csp = browser.get("/staf").headers["Content-Security-Policy"]
    assert f"form-action 'self' {hosted.url}" in csp
    assert "form-action 'self';" in browser.get("/lapor").headers["Content-Security-Policy"]


# ---------------------------------------------------------------- staying signed in


def test_an_expired_id_token_is_renewed_with_the_refresh_token_in_the_same_request(browser):
    sign_in(browser, "officer.pemkot-bandung")
    refresh = next(c for c in set_cookies(browser.last) if c.startswith("sp_staff_r="))
    assert "HttpOnly" in refresh and "SameSite=Lax" in refresh and "Max-Age=43200" in refresh
    browser.cookies["sp_staff"] = token(exp=1_700_000_000)  # expired long ago
    r = browser.get("/en/staf")
    assert r.status_code == 303 and location(r) == "/en/staf/kotak-masuk"  # not to sign in
    renewed = next(c for c in set_cookies(r) if c.startswith("sp_staff="))
    assert "Max-Age=3" in renewed  # about an hour again


def test_without_a_usable_refresh_token_an_expired_session_signs_in_again(browser):
    browser.cookies["sp_staff"] = token(exp=1_700_000_000)
    browser.cookies["sp_staff_r"] = "refresh-token-of-nobody"
    r = browser.get("/staf")
    assert r.status_code == 303 and location(r).startswith("/staf/masuk")
    assert "sp_staff_r" not in browser.cookies  # the refused one is cleared


def test_signing_out_revokes_the_refresh_token(browser):
    sign_in(browser, "admin")
    kept = browser.cookies["sp_staff_r"]
    browser.get("/staf")
    browser.post("/staf/keluar", {})
    assert "sp_staff_r" not in browser.cookies
    browser.cookies.update({"sp_staff": token(exp=1_700_000_000), "sp_staff_r": kept})
    r = browser.get("/staf")  # a copy of the cookies taken before signing out
    assert r.status_code == 303 and location(r).startswith("/staf/masuk")


def test_the_refresh_cookie_lasts_as_long_as_the_pool_lets_a_refresh_token_live():
    from chalicelib.portal.staff_session import REFRESH_SECONDS
    from devstack.resources import load_template

    client = load_template()["Resources"]["StaffUserPoolClient"]["Properties"]
    assert client["TokenValidityUnits"]["RefreshToken"] == "hours"
    assert client["RefreshTokenValidity"] * 3600 == REFRESH_SECONDS


def test_an_unreachable_identity_provider_keeps_the_refresh_token_for_later(browser, hosted):
    sign_in(browser, "officer.pemkot-bandung")
    kept = browser.cookies["sp_staff_r"]
    browser.cookies["sp_staff"] = token(exp=1_700_000_000)
    hosted.stop()  # the token endpoint is down
    r = browser.get("/staf")
    assert r.status_code == 503
    assert browser.cookies["sp_staff_r"] == kept  # not signed out by an outage


def test_a_refresh_the_provider_refuses_signs_in_again(browser, hosted):
    sign_in(browser, "officer.pemkot-bandung")
    browser.cookies["sp_staff"] = token(exp=1_700_000_000)
    browser.cookies["sp_staff_r"] = "refresh-token-revoked-elsewhere"
    r = browser.get("/staf")
    assert r.status_code == 303 and location(r).startswith("/staf/masuk")
    assert "sp_staff_r" not in browser.cookies


def test_keys_that_cannot_be_fetched_are_a_503_page_not_a_500(browser, monkeypatch):
    from chalicelib.adapters import jwt_verifier

    class Down:
        def verify(self, token):
            raise jwt_verifier.KeysUnavailable("timed out")

    browser.sign_in_as("officer", "pemkot-bandung")
    monkeypatch.setattr(jwt_verifier, "default_verifier", lambda: Down())
    r = browser.get("/en/staf")
    assert r.status_code == 503
    assert "Signing in is not possible right now" in r.body.decode()


def test_an_admin_signing_in_without_a_second_factor_gets_no_session_and_no_loop(browser, pool):
    pool.claims = {"amr": ["pwd"]}
    r = sign_in(browser, "admin")
    assert r.status_code == 403
    assert "sp_staff" not in browser.cookies and "sp_staff_r" not in browser.cookies
    assert "faktor kedua" in r.body.decode()


def test_an_unreachable_token_endpoint_at_the_callback_is_a_503(browser, hosted, monkeypatch):
    from chalicelib.portal import staff_session

    def down(*args):
        raise staff_session.ProviderUnavailable("timed out")

    monkeypatch.setattr(staff_session, "exchange", down)
    r = sign_in(browser, "admin")
    assert r.status_code == 503 and "sp_staff" not in browser.cookies
