"""Staff sign-in: RS256 tokens verified against a JWKS (issuer, audience, expiry)."""

import json
import time

import jwt
import pytest
from chalice.test import Client

from app import app
from chalicelib.adapters import jwt_verifier
from tests.unit.api_helpers import AUDIENCE, ISSUER, UNTRUSTED, StaticJwks, problem, token


@pytest.fixture
def client(wired, monkeypatch):
    verifier = jwt_verifier.JwtVerifier(ISSUER, AUDIENCE, "unused", jwks_client=StaticJwks())
    monkeypatch.setattr(jwt_verifier, "default_verifier", lambda: verifier)
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
    assert problem(r)["type"].endswith("invalid-token")
    assert "invalid_token" in r.headers["WWW-Authenticate"]


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
