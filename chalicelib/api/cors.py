"""CORS for the web portal's origin (``WEB_ORIGIN``, the template's ``WebOrigin``).

The API answers CORS itself, in the Lambda, so the local stack and API Gateway behave the
same and the allowed origin is a deploy parameter rather than a constant baked into the
API definition. Only that origin is allowed; no cookies are used (staff send a bearer token,
reporters an X-Report-Token), so credentials are never allowed.
"""

from __future__ import annotations

from ..config import settings

ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key, If-None-Match, X-Report-Token"
EXPOSE_HEADERS = (
    "Location, Idempotent-Replayed, Retry-After, WWW-Authenticate, X-Request-Id, Allow, ETag"
)
MAX_AGE_SECONDS = "600"


def allowed_origin(headers) -> str | None:
    origin = headers.get("origin")
    web_origin = settings().web_origin
    if origin and web_origin and origin.rstrip("/") == web_origin:
        return origin
    return None


def _vary(headers: dict, name: str) -> None:
    current = [v.strip() for v in headers.get("Vary", "").split(",") if v.strip()]
    if name not in current:
        headers["Vary"] = ", ".join([*current, name])


def add_response_headers(request_headers, response_headers: dict) -> None:
    """On every answer: the allowed origin echoed, the headers a script may read."""
    if settings().web_origin:
        _vary(response_headers, "Origin")
    origin = allowed_origin(request_headers)
    if origin:
        response_headers["Access-Control-Allow-Origin"] = origin
        response_headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS


def preflight_headers(request_headers, methods: list[str]) -> dict:
    """For an OPTIONS preflight from the allowed origin asking for a method the path has."""
    origin = allowed_origin(request_headers)
    wanted = (request_headers.get("access-control-request-method") or "").upper()
    if not origin or wanted not in methods:
        return {}
    return {
        "Access-Control-Allow-Methods": ", ".join(methods),
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": MAX_AGE_SECONDS,
    }
