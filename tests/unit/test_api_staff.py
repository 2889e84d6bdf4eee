"""Staff sign-in: RS256 tokens verified against a JWKS (issuer, audience, expiry)."""

import json
import time

import jwt
import pytest
from chalice.test import Client

from app import app
from chalicelib.adapters import jwt_verifier
from tests.unit.api_helpers import AUDIENCE, ISSUER, UNTRUSTED, problem, token


@pytest.fixture
def client(wired, trusted_staff_tokens):
    with Client(app) as c:
        yield c


def me(client, bearer=None, header=None):
    headers = {}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    if header is not None:
        headers["Authorization"] = header
    return client.http.get("/v1/me", headers=headers)


def test_valid_token_gives_identity_role_and_agency(client):
    r = me(client, token())
    assert r.status_code == 200
    assert json.loads(r.body) == {
        "subject": "5f1c2d3e",
        "username": "officer.kemenkes",
        "roles": ["officer"],
        "agency_id": "kemenkes",
    }


def test_platform_admin_without_agency(client):
    r = me(client, token(**{"cognito:groups": ["platform_admin"], "custom:agency_id": None}))
    assert json.loads(r.body)["roles"] == ["platform_admin"]
    assert json.loads(r.body)["agency_id"] is None


def test_unknown_groups_grant_nothing(client):
    r = me(client, token(**{"cognito:groups": ["superuser", "officer"]}))
    assert json.loads(r.body)["roles"] == ["officer"]


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda: token(key=UNTRUSTED), id="bad-signature"),
        pytest.param(lambda: token(kid="other"), id="unknown-key"),
        pytest.param(lambda: token(iss="https://evil.example/pool"), id="wrong-issuer"),
        pytest.param(lambda: token(aud="another-client"), id="wrong-audience"),
        pytest.param(lambda: token(exp=int(time.time()) - 120), id="expired"),
        pytest.param(lambda: token(exp=None), id="no-expiry"),
        pytest.param(lambda: token(token_use="access"), id="access-token"),
        pytest.param(lambda: token(token_use=None), id="no-token-use"),
        pytest.param(lambda: token()[:-4] + "AAAA", id="tampered"),
        pytest.param(lambda: "not.a.jwt", id="garbage"),
        pytest.param(
            lambda: jwt.encode({"sub": "x", "iss": ISSUER, "aud": AUDIENCE}, "s" * 32, "HS256"),
            id="hs256",
        ),
    ],
)
def test_bad_tokens_are_401(client, bad):
    r = me(client, bad())
    assert r.status_code == 401
    body = problem(r)
    assert body["type"].endswith("invalid-token")
    assert "invalid_token" in r.headers["WWW-Authenticate"]
    # One of a few fixed sentences: nothing the decoder said (algorithms, key ids,
    # the expected issuer or audience, library names) reaches the caller.
    assert body["detail"] in {
        "The bearer token is not valid.",
        "The bearer token has expired; sign in again.",
        "Send the ID token of your sign-in.",
    }, body["detail"]
    text = r.body.decode() if isinstance(r.body, bytes) else r.body
    for leak in (ISSUER, AUDIENCE, "Signature", "signature", "kid", "PyJWK", "issuer", "aud"):
        assert leak not in text, leak


def test_the_decoders_reason_is_logged_not_sent(client, caplog):
    with caplog.at_level("INFO"):
        r = me(client, token(aud="another-client"))
    assert r.status_code == 401
    assert any(getattr(rec, "reason", "").startswith("Audience") for rec in caplog.records)


# -- MFA for administrators ---------------------------------------------------------------

ADMIN = {"cognito:groups": ["platform_admin"], "custom:agency_id": None}
AGENCY_ADMIN = {"cognito:groups": ["agency_admin"], "custom:agency_id": "kemenkes"}


@pytest.mark.parametrize("who", [ADMIN, AGENCY_ADMIN], ids=["platform", "agency"])
@pytest.mark.parametrize("amr", [["pwd"], ["otp"], "pwd", [], {"mfa": True}])
def test_an_admin_signed_in_without_a_second_factor_is_refused(client, who, amr):
    r = me(client, token(**who, amr=amr))
    assert r.status_code == 403
    assert problem(r)["type"].endswith("mfa-required")
    assert "insufficient_user_authentication" in r.headers["WWW-Authenticate"]


@pytest.mark.parametrize("amr", [["pwd", "otp", "mfa"], ["pwd", "swk", "mfa"], "mfa"])
def test_an_admin_with_a_second_factor_is_let_in(client, amr):
    assert me(client, token(**ADMIN, amr=amr)).status_code == 200


def test_officers_are_not_refused_for_amr(client):
    # The pool itself requires TOTP for every staff member; only admins are checked here.
    assert me(client, token(amr=["pwd"])).status_code == 200


def test_without_amr_admins_pass_unless_the_claim_is_required(client, monkeypatch):
    from chalicelib import config

    assert me(client, token(**ADMIN)).status_code == 200
    monkeypatch.setenv("STAFF_MFA_CLAIM", "required")
    config.settings.cache_clear()
    try:
        r = me(client, token(**ADMIN))
        assert r.status_code == 403
        assert me(client, token(**ADMIN, amr=["pwd", "otp", "mfa"])).status_code == 200
        assert me(client, token()).status_code == 200  # an officer
    finally:
        monkeypatch.delenv("STAFF_MFA_CLAIM")
        config.settings.cache_clear()


@pytest.mark.parametrize("header", [None, "", "Basic YWRtaW46YWRtaW4=", "Bearer ", "Bearer"])
def test_missing_bearer_is_401(client, header):
    r = me(client, header=header) if header is not None else me(client)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_identity_provider_down_is_503_not_401(client, monkeypatch):
    class Down:
        def get_signing_key_from_jwt(self, token):
            raise jwt.PyJWKClientConnectionError("timed out")

    verifier = jwt_verifier.JwtVerifier(ISSUER, AUDIENCE, "unused", jwks_client=Down())
    monkeypatch.setattr(jwt_verifier, "default_verifier", lambda: verifier)
    r = me(client, token())
    assert r.status_code == 503
    problem(r)
