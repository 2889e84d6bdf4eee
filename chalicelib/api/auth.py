"""Staff authentication for routes declared with ``roles=``."""

from __future__ import annotations

from ..adapters import jwt_verifier
from ..config import settings
from ..domain.identity import Principal
from .problems import Problem

_CHALLENGE = 'Bearer realm="satupintu"'


def authenticate(request, roles: tuple[str, ...], verifier=None) -> Principal:
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(
            401,
            "authentication-required",
            "Send a bearer token.",
            headers={"WWW-Authenticate": _CHALLENGE},
        )
    try:
        claims = (verifier or jwt_verifier.default_verifier()).verify(token.strip())
    except jwt_verifier.InvalidToken as e:
        raise Problem(
            401,
            "invalid-token",
            str(e),
            headers={"WWW-Authenticate": _CHALLENGE + ', error="invalid_token"'},
        ) from None
    except jwt_verifier.KeysUnavailable:
        raise Problem(
            503,
            "identity-provider-unavailable",
            "Sign-in cannot be checked right now; try again shortly.",
            headers={"Retry-After": "5"},
        ) from None
    principal = jwt_verifier.principal_from_claims(claims)
    _require_mfa_for_admins(principal, claims)
    if roles and not principal.has_any(*roles):
        raise Problem(403, "forbidden", "Your role does not allow this.")
    return principal


def _require_mfa_for_admins(principal: Principal, claims: dict) -> None:
    """The staff user pool requires TOTP at every sign-in (MfaConfiguration ON); this
    refuses an admin's token that shows a sign-in without a second factor: `amr` without
    mfa/otp, or no `amr` at all once STAFF_MFA_CLAIM=required (set it when the pool
    issues ACR/AMR claims)."""
    if jwt_verifier.lacks_second_factor(principal, claims, settings().staff_mfa_claim_required):
        raise Problem(
            403,
            "mfa-required",
            "Administrators must sign in with a second factor (authenticator app).",
            headers={"WWW-Authenticate": _CHALLENGE + ', error="insufficient_user_authentication"'},
        )
