"""Bearer tokens verified against the identity provider's JWKS (RS256).

The same code runs on AWS (Cognito User Pool) and locally (the emulator's Cognito), so a
token with a bad signature, the wrong issuer or audience, or past its expiry is refused
everywhere — unlike Chalice's local authorizer, which decodes without verifying.
"""

from __future__ import annotations

import functools

from ..config import settings
from ..domain.identity import Principal, Role


class InvalidToken(Exception):
    pass


class KeysUnavailable(Exception):
    """The JWKS could not be fetched: our problem, not the caller's."""


class JwtVerifier:
    def __init__(
        self, issuer: str, audience: str, jwks_url: str, *, leeway: int = 30, jwks_client=None
    ):
        import jwt

        self._jwt = jwt
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self._jwks = jwks_client or jwt.PyJWKClient(
            jwks_url, cache_keys=True, lifespan=3600, timeout=5
        )

    def verify(self, token: str) -> dict:
        jwt = self._jwt
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as e:
            raise KeysUnavailable(str(e)) from e
        except (jwt.PyJWKClientError, jwt.InvalidTokenError) as e:
            raise InvalidToken(f"unknown signing key: {e}") from e
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError as e:
            raise InvalidToken("token expired") from e
        except jwt.InvalidTokenError as e:
            raise InvalidToken(str(e)) from e
        if claims.get("token_use", "id") != "id":
            raise InvalidToken("an ID token is required")
        return claims


def principal_from_claims(claims: dict) -> Principal:
    groups = claims.get("cognito:groups") or claims.get("groups") or []
    roles = frozenset(Role(g) for g in groups if g in Role.__members__.values())
    return Principal(
        subject=claims["sub"],
        username=claims.get("cognito:username") or claims.get("username") or claims["sub"],
        roles=roles,
        agency_id=claims.get("custom:agency_id") or None,
    )


@functools.cache
def default_verifier() -> JwtVerifier:
    cfg = settings()
    if not (cfg.jwt_issuer and cfg.jwt_audience and cfg.jwks_url):
        raise KeysUnavailable("JWT_ISSUER, JWT_AUDIENCE and JWKS_URL are not configured")
    return JwtVerifier(cfg.jwt_issuer, cfg.jwt_audience, cfg.jwks_url)
