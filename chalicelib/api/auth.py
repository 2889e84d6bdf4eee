"""Staff authentication for routes declared with ``roles=``."""

from __future__ import annotations

from ..adapters import jwt_verifier
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
    if roles and not principal.has_any(*roles):
        raise Problem(403, "forbidden", "Your role does not allow this.")
    return principal
