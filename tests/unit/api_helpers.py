"""Shared helpers for the API tests: a valid report body, problem checks, staff tokens."""

import json
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

VALID = {
    "kind": "complaint",
    "title": "Jalan berlubang di depan pasar",
    "description": "Jalan di depan Pasar Kosambi berlubang besar sejak tiga bulan dan "
    "membahayakan pengendara motor, terutama saat hujan.",
    "category": "infrastruktur",
    "region": "32.73",
    "location": {"lat": -6.9175, "lon": 107.6191},
    "incident_date": "2026-11-20",
    "reporter": {"name": "Siti Rahayu", "phone": "0812-3456-7890", "email": "Siti@Example.id"},
}


def post_report(client, body=None, headers=None, raw=None):
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    payload = raw if raw is not None else json.dumps(VALID if body is None else body)
    return client.http.post("/v1/reports", headers=hdrs, body=payload)


def problem(response):
    assert response.headers["Content-Type"] == "application/problem+json", response.body
    body = json.loads(response.body)
    assert body["status"] == response.status_code
    assert body["type"].startswith("urn:satupintu:problem:")
    return body


# -- staff tokens: RS256 JWTs signed by a key that a fake JWKS client knows ----------------

ISSUER = "https://cognito-idp.ap-southeast-3.amazonaws.com/ap-southeast-3_test"
AUDIENCE = "staff-web-client"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


TRUSTED, UNTRUSTED = _key(), _key()


class StaticJwks:
    """A JWKS client that knows one key id."""

    def __init__(self, kid="k1", key=TRUSTED):
        self.keys = {kid: key.public_key()}

    def get_signing_key_from_jwt(self, token):
        kid = jwt.get_unverified_header(token).get("kid")
        if kid not in self.keys:
            raise jwt.PyJWKClientError(f"no key {kid}")
        return type("Key", (), {"key": self.keys[kid]})()


def token(key=TRUSTED, kid="k1", **overrides):
    now = int(time.time())
    claims = {
        "sub": "5f1c2d3e",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "token_use": "id",
        "iat": now,
        "exp": now + 3600,  # module-level tokens outlive a slow run of the whole suite
        "cognito:username": "officer.kemenkes",
        "cognito:groups": ["officer"],
        "custom:agency_id": "kemenkes",
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def bearer(role: str, agency_id: str | None = None, username: str | None = None) -> dict:
    """An Authorization header for a staff member with one role."""
    jwt_token = token(
        **{
            "cognito:groups": [role],
            "custom:agency_id": agency_id,
            "cognito:username": username or f"{role}.{agency_id or 'platform'}",
        }
    )
    return {"Authorization": f"Bearer {jwt_token}"}
