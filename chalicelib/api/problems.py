"""RFC 9457 problem details: every error the API returns has this shape."""

from __future__ import annotations

import json
from http import HTTPStatus

from chalice import Response

MEDIA_TYPE = "application/problem+json"
_TYPE_BASE = "urn:satupintu:problem:"


class Problem(Exception):
    def __init__(
        self,
        status: int,
        slug: str,
        detail: str | None = None,
        *,
        title: str | None = None,
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
        **extensions,
    ):
        super().__init__(detail or slug)
        self.status = status
        self.slug = slug
        self.title = title or HTTPStatus(status).phrase
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict:
        body = {"type": _TYPE_BASE + self.slug, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extensions)
        return body

    def response(self, instance: str | None = None) -> Response:
        return Response(
            body=json.dumps(self.body(instance), ensure_ascii=False),
            status_code=self.status,
            headers={"Content-Type": MEDIA_TYPE, "Cache-Control": "no-store", **self.headers},
        )


# Chalice answers some errors itself ({"Code": ..., "Message": ...}); the middleware
# rewrites them with these slugs so clients only ever see problem+json.
CHALICE_CODES = {
    "BadRequestError": "bad-request",
    "UnauthorizedError": "unauthorized",
    "ForbiddenError": "forbidden",
    "NotFoundError": "not-found",
    "MethodNotAllowedError": "method-not-allowed",
    "RequestTimeoutError": "request-timeout",
    "ConflictError": "conflict",
    "UnprocessableEntityError": "unprocessable-entity",
    "TooManyRequestsError": "too-many-requests",
    "UnsupportedMediaType": "unsupported-media-type",
    "NotAcceptableError": "not-acceptable",
    "InternalServerError": "internal-error",
}


def from_chalice_response(response: Response) -> Response | None:
    body = response.body
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    if not isinstance(body, dict) or set(body) != {"Code", "Message"}:
        return None
    slug = CHALICE_CODES.get(body["Code"], "error")
    detail = body["Message"] if response.status_code < 500 else None
    # Keep what Chalice said in headers (Allow on a 405), not its content type.
    kept = {
        k: v
        for k, v in (response.headers or {}).items()
        if k.lower() not in ("content-type", "content-length")
    }
    return Problem(response.status_code, slug, detail, headers=kept).response()


def invalid_field(
    field: str, message: str, error_type: str, where: str = "body", detail: str | None = None
) -> Problem:
    """422 for one field that failed a check beyond the schema (unknown code, ...)."""
    return Problem(
        422,
        "validation-error",
        detail or f"The request {where} has invalid fields.",
        title="Validation failed",
        errors=[{"field": field, "message": message, "type": error_type}],
    )
