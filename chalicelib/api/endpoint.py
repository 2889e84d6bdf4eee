"""The one way routes are declared: parsing, validation, auth and OpenAPI metadata.

``@endpoint(bp, "/v1/reports", "POST", body=SubmitReportIn, ...)`` registers a Chalice
route whose view receives a parsed ``Call``; the same declaration feeds /openapi.json.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field

from chalice import Blueprint, Response

from ..config import settings
from ..lazy import lazy_module
from .path_params import param
from .problems import Problem

# pydantic and the models load on the first request, not at import (cold start).
schemas = lazy_module("chalicelib.api.schemas")

JSON_TYPES = ("application/json",)

# Every path and the methods declared on it (chalicelib.api.edge answers the others).
DECLARED: dict[str, set[str]] = {}

# No request body nests deeper than a few levels; a deeper one is refused before parsing
# (Python's json module would recurse until RecursionError, a 500).
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


@dataclass(frozen=True)
class HeaderParam:
    name: str
    description: str
    required: bool = False
    schema: tuple = ()  # JSON Schema keywords as (key, value) pairs (hashable)


@dataclass(frozen=True)
class Spec:
    method: str
    path: str
    summary: str
    tags: tuple[str, ...]
    # model names in chalicelib.api.schemas (a tuple of names: one of several)
    responses: dict[int, tuple[str | tuple[str, ...] | None, str]]
    body: str | None = None
    query: str | None = None
    headers: tuple[HeaderParam, ...] = ()
    roles: tuple[str, ...] | None = None  # None: public; (): any signed-in staff
    description: str | None = None
    # With roles: a bearer token is checked when sent, but the route also serves callers
    # without one (who prove themselves otherwise, e.g. with X-Report-Token).
    auth_optional: bool = False
    media_type: str = "application/json"  # of the 2xx answers


@dataclass
class Call:
    request: object
    body: object | None = None
    query: object | None = None
    principal: object | None = None
    params: dict = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name.lower())


def _field_path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(body)"


def model(name: str):
    return getattr(schemas, name)


def validation_problem(error, where: str = "body") -> Problem:
    errors = [
        {
            "field": _field_path(e["loc"]),
            "message": e["msg"].removeprefix("Value error, "),
            "type": e["type"],
        }
        for e in error.errors(include_url=False, include_input=False)
    ]
    return Problem(
        422,
        "validation-error",
        f"The request {where} has invalid fields.",
        errors=errors,
        title="Validation failed",
    )


def parse_json_body(request, model):
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media_type not in JSON_TYPES:
        raise Problem(
            415,
            "unsupported-media-type",
            "Send the body as application/json.",
            headers={"Accept-Post": "application/json"},
        )
    raw = request.raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode()
    if len(raw) > settings().max_body_bytes:
        raise body_too_large()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Problem(
            400, "invalid-utf8", f"The body is not valid UTF-8 (byte {e.start})."
        ) from None
    if _nesting_depth(text) > MAX_JSON_DEPTH:
        raise Problem(
            400, "invalid-json", f"The body nests deeper than {MAX_JSON_DEPTH} levels."
        ) from None
    try:
        json.loads(text)
    except ValueError as e:
        raise Problem(400, "invalid-json", f"The body is not valid JSON: {e}.") from None
    except RecursionError:
        raise Problem(400, "invalid-json", "The body nests too deeply.") from None
    try:
        return model.model_validate_json(text)
    except schemas.ValidationError as e:
        raise validation_problem(e) from None


def _nesting_depth(text: str) -> int:
    """How deep arrays and objects nest, strings left out (no recursion, linear)."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def check_path_params(method: str, path: str, params: dict) -> None:
    """Every path parameter matches its pattern: else 404 as for an unknown id, or 422
    when a PUT names the resource it creates (as a body field would be)."""
    last = re.findall(r"{(\w+)}$", path)
    for name, value in params.items():
        spec = param(name)
        if spec.matches(value):
            continue
        if method == "PUT" and last == [name]:
            raise Problem(
                422,
                "validation-error",
                "The request path has invalid fields.",
                errors=[
                    {
                        "field": name,
                        "message": f"String should match pattern '{spec.pattern}'",
                        "type": "string_pattern_mismatch",
                    }
                ],
                title="Validation failed",
            )
        slug, detail = spec.not_found
        raise Problem(404, slug, detail)


def body_too_large() -> Problem:
    limit = settings().max_body_bytes
    return Problem(413, "body-too-large", f"The body must not exceed {limit} bytes.")


def parse_query(request, model):
    params = request.query_params or {}
    try:
        return model.model_validate(dict(params))
    except schemas.ValidationError as e:
        raise validation_problem(e, "query string") from None


def json_response(out, status: int = 200, headers: dict | None = None):
    return Response(
        body=out.model_dump_json(exclude_none=False),
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def endpoint(
    bp: Blueprint,
    path: str,
    method: str,
    *,
    summary: str,
    tags: tuple[str, ...],
    responses: dict,
    body=None,
    query=None,
    headers=(),
    roles=None,
    description=None,
    auth_optional=False,
    media_type="application/json",
):
    if auth_optional and roles is None:
        raise ValueError("auth_optional needs roles")
    spec = Spec(
        method,
        path,
        summary,
        tags,
        responses,
        body,
        query,
        tuple(headers),
        None if roles is None else tuple(roles),
        description,
        auth_optional,
        media_type,
    )

    for name in re.findall(r"{(\w+)}", path):
        param(name)  # every path parameter has a pattern (LookupError at import)

    def decorate(fn):
        @functools.wraps(fn)
        def view(**params):
            request = bp.current_request
            try:
                call = Call(request, params=params)
                if spec.roles is not None and not (
                    spec.auth_optional and "authorization" not in request.headers
                ):
                    from .auth import authenticate

                    call.principal = authenticate(request, spec.roles)
                check_path_params(spec.method, spec.path, params)
                if spec.query is not None:
                    call.query = parse_query(request, model(spec.query))
                if spec.body is not None:
                    call.body = parse_json_body(request, model(spec.body))
                return fn(call)
            except Problem as problem:
                return problem.response(request.context.get("path"))
            except Exception as error:
                from .errors import problem_for

                problem = problem_for(error)
                if problem is None:
                    raise
                return problem.response(request.context.get("path"))

        view.spec = spec
        bp.route(path, methods=[method], content_types=["*/*"])(view)
        DECLARED.setdefault(path, set()).add(method)
        return view

    return decorate
