"""Staff API (signed-in officers, agency admins, executives, platform admins)."""

from __future__ import annotations

from chalice import Blueprint

from .endpoint import endpoint, json_response
from .endpoint import schemas as s

bp = Blueprint(__name__)
_ERR = ("ProblemOut", "Problem details (RFC 9457).")


@endpoint(
    bp,
    "/v1/me",
    "GET",
    summary="Who am I (from the bearer token)",
    tags=("staff",),
    roles=(),
    responses={200: ("MeOut", "The caller."), 401: _ERR, 403: _ERR},
)
def me(call):
    p = call.principal
    return json_response(
        s.MeOut(
            subject=p.subject, username=p.username, roles=sorted(p.roles), agency_id=p.agency_id
        ),
        headers={"Cache-Control": "private, no-store"},
    )
