"""Bearer tokens verified against the identity provider's JWKS (RS256).

The same code runs on AWS (Cognito User Pool) and locally (the emulator's Cognito), so a
token with a bad signature, the wrong issuer or audience, or past its expiry is refused
everywhere — unlike Chalice's local authorizer, which decodes without verifying.
"""

from __future__ import annotations

import functools
import logging

from ..config import settings
from ..domain.identity import Principal, Role

log = logging.getLogger(__name__)


class InvalidToken(Exception):
    """A token we refuse. ``str(e)`` is one of a few fixed public reasons; what the
    decoder said is logged, never sent (it described the decoder, the key lookup and the
    expected issuer and audience to whoever sent the token)."""

    def __init__(self, public: str, detail: str | None = None):
        super().__init__(public)
        self.detail = detail or public


_INVALID = "The bearer token is not valid."
_EXPIRED = "The bearer token has expired; sign in again."
_NOT_ID = "Send the ID token of your sign-in."


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
            raise self._refused(_INVALID, f"signing key: {e}") from None
        except Exception as e:  # a malformed header can surface as anything
            raise self._refused(_INVALID, f"signing key: {type(e).__name__}") from None
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
        except jwt.ExpiredSignatureError:
            raise self._refused(_EXPIRED, "expired") from None
        except jwt.InvalidTokenError as e:
            raise self._refused(_INVALID, str(e)) from None
        # Cognito marks every token it issues: an access token (or a token from another
        # issuer that lacks the claim) is not an ID token, whatever else it says.
        if claims.get("token_use") != "id":
            raise self._refused(_NOT_ID, f"token_use={claims.get('token_use')!r}")
        return claims

    @staticmethod
    def _refused(public: str, detail: str) -> InvalidToken:
        log.info("bearer token refused", extra={"reason": detail[:200]})
        return InvalidToken(public, detail)


def mfa_evidenced(claims: dict) -> bool | None:
    """True/False when the token says how the user signed in (Cognito's `amr` claim, e.g.
    ``["pwd", "otp", "mfa"]``), None when it does not say. Only ``mfa`` (RFC 8176:
    multiple factors) counts: ``otp`` alone can be a passwordless one-factor sign-in."""
    amr = claims.get("amr")
    if amr is None:
        return None
    if isinstance(amr, str):
        amr = [amr]
    return isinstance(amr, list) and "mfa" in amr


# Roles that change the platform's configuration or see across agencies: a stolen
# password alone must not be enough.
MFA_ROLES = (Role.PLATFORM_ADMIN, Role.AGENCY_ADMIN)


def lacks_second_factor(principal: Principal, claims: dict, claim_required: bool) -> bool:
    """An admin whose token shows a sign-in without a second factor: `amr` without mfa,
    or no `amr` at all once the claim is required (STAFF_MFA_CLAIM=required)."""
    if not principal.has_any(*MFA_ROLES):
        return False
    evidenced = mfa_evidenced(claims)
    return evidenced is False or (evidenced is None and claim_required)


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
