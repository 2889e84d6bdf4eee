"""Real Cognito tokens from the emulator, verified against its JWKS over HTTP."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.adapters.jwt_verifier import InvalidToken, JwtVerifier, principal_from_claims
from chalicelib.domain.identity import Role
from devstack import seed

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pool(stack):
    idp = stack.client("cognito-idp")
    pool_id = stack.created.refs["StaffUserPool"]
    client_id = stack.created.refs["StaffUserPoolClient"]
    seed.seed_accounts(idp, pool_id)
    return idp, pool_id, client_id


@pytest.fixture
def verifier(stack):
    env = stack.env
    return JwtVerifier(
        issuer=env["JWT_ISSUER"], audience=env["JWT_AUDIENCE"], jwks_url=env["JWKS_URL"]
    )


def token_for(pool, username: str) -> str:
    idp, pool_id, client_id = pool
    return seed.id_token(idp, pool_id, client_id, username)


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_local_environment_points_at_the_emulators_pool(stack, pool):
    _, pool_id, client_id = pool
    assert stack.env["JWT_ISSUER"].endswith("/" + pool_id)
    assert stack.env["JWT_AUDIENCE"] == client_id
    assert stack.env["JWKS_URL"].startswith(stack.endpoint + "/")


def test_an_admins_id_token_verifies_as_platform_admin(pool, verifier):
    claims = verifier.verify(token_for(pool, "admin"))
    principal = principal_from_claims(claims)

    assert claims["iss"] == verifier.issuer
    assert claims["aud"] == verifier.audience
    assert principal.username == "admin"
    assert principal.roles == frozenset({Role.PLATFORM_ADMIN})
    assert principal.agency_id is None
    assert principal.subject == claims["sub"]


def test_an_officers_id_token_verifies_with_role_and_agency(pool, verifier):
    principal = principal_from_claims(verifier.verify(token_for(pool, "officer.kemenkes")))

    assert principal.username == "officer.kemenkes"
    assert principal.roles == frozenset({Role.OFFICER})
    assert principal.agency_id == "kemenkes"


def _flip(char: str) -> str:
    return "A" if char != "A" else "B"


def test_a_token_with_a_flipped_signature_character_is_rejected(pool, verifier):
    token = token_for(pool, "admin")
    header, payload, signature = token.split(".")
    middle = len(signature) // 2  # not the last symbol, whose low bits may be padding
    flipped = signature[:middle] + _flip(signature[middle]) + signature[middle + 1 :]
    forged = f"{header}.{payload}.{flipped}"

    assert forged != token
    with pytest.raises(InvalidToken):
        verifier.verify(forged)


def test_a_token_with_changed_claims_is_rejected(pool, verifier):
    token = token_for(pool, "officer.kemenkes")
    header, _payload, signature = token.split(".")
    claims = claims_of(token)
    claims["cognito:groups"] = ["platform_admin"]
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")

    with pytest.raises(InvalidToken):
        verifier.verify(f"{header}.{forged_payload}.{signature}")


def test_a_token_for_another_app_client_is_rejected(pool, verifier):
    idp, pool_id, _ = pool
    other = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="some-other-app",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    token = seed.id_token(idp, pool_id, other, "admin")
    assert claims_of(token)["aud"] == other  # a genuine, correctly signed token...

    with pytest.raises(InvalidToken):
        verifier.verify(token)  # ...for someone else's app


def test_an_access_token_is_rejected(pool, verifier):
    idp, pool_id, client_id = pool
    result = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "admin", "PASSWORD": seed.DEMO_PASSWORD},
    )["AuthenticationResult"]
    access = result["AccessToken"]
    assert claims_of(access)["token_use"] == "access"

    with pytest.raises(InvalidToken):
        verifier.verify(access)
    assert verifier.verify(result["IdToken"])["token_use"] == "id"


def test_a_token_from_another_pool_is_rejected(pool, verifier, stack):
    idp = stack.client("cognito-idp")
    other_pool = idp.create_user_pool(PoolName="someone-else")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=other_pool,
        ClientName="satupintu-dev-staff-web",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=other_pool, Username="admin", MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=other_pool, Username="admin", Password=seed.DEMO_PASSWORD, Permanent=True
    )
    token = seed.id_token(idp, other_pool, client, "admin")

    with pytest.raises(InvalidToken):
        verifier.verify(token)
