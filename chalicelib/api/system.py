"""Health check, the OpenAPI document, and the HTTP middleware (logs + problem+json)."""

from __future__ import annotations

import json
import logging
import time
import uuid

from chalice import Blueprint, Response

from .. import logs
from ..config import settings
from . import cors, problems
from .endpoint import body_too_large, endpoint, json_response
from .endpoint import schemas as s

bp = Blueprint(__name__)
log = logging.getLogger("satupintu.http")


@bp.middleware("http")
def http_middleware(event, get_response):
    logs.configure(settings().log_level)
    started = time.perf_counter()
    context = event.context or {}
    request_id = context.get("requestId") or uuid.uuid4().hex  # chalice local has none
    token = logs.bind(request_id=request_id)
    try:
        length = event.headers.get("content-length")
        # Open311 answers in its own error format (chalicelib/api/open311.py checks it).
        open311 = (event.path or "").startswith("/open311/")
        if length and length.isdigit() and int(length) > settings().max_body_bytes and not open311:
            response = body_too_large().response(context.get("path"))
        else:
            response = get_response(event)
            if response.status_code >= 400:
                response = problems.from_chalice_response(response) or response
        response.headers["X-Request-Id"] = request_id
        cors.add_response_headers(event.headers, response.headers)
        log.info(
            "request",
            extra={
                "method": event.method,
                "path": context.get("path"),
                "route": context.get("resourcePath"),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
    finally:
        logs.reset(token)


@endpoint(
    bp,
    "/healthz",
    "GET",
    summary="Liveness",
    tags=("system",),
    responses={200: ("HealthOut", "Alive.")},
)
def healthz(call):
    return json_response(
        s.HealthOut(status="ok", stage=settings().stage), headers={"Cache-Control": "no-store"}
    )


def base_url(request) -> str | None:
    """The URL this API is served under, from the request: API Gateway puts the stage
    (execute-api) or the custom domain's base path before the route in the context path."""
    host = request.headers.get("host")
    path = (request.context or {}).get("path") or ""
    if not host or not path.endswith(request.path) or request.path == "/":
        return None
    scheme = request.headers.get("x-forwarded-proto", "http").split(",")[0].strip()
    return f"{scheme}://{host}{path.removesuffix(request.path)}"


def _prefix(request) -> str:
    path = (request.context or {}).get("path") or ""
    if request.path == "/":
        return path.rstrip("/")
    return path.removesuffix(request.path) if path.endswith(request.path) else ""


@endpoint(
    bp,
    "/",
    "GET",
    summary="Where to start: links to the reference and the description",
    description="A browser (Accept: text/html, JSON not preferred) gets the web portal's "
    "home page instead (HTML, Bahasa Indonesia; /en in English).",
    tags=("system",),
    responses={200: ("IndexOut", "Links.")},
)
def index(call):
    from . import portal

    if portal.prefers_html(call.request):
        return portal.home_id(call.request)
    prefix = _prefix(call.request)
    links = {
        "docs": f"{prefix}/docs",
        "openapi": f"{prefix}/openapi.json",
        "health": f"{prefix}/healthz",
        "reports": f"{prefix}/v1/reports",
        "portal": f"{prefix}/",
    }
    out = s.IndexOut(
        name="Satu Pintu API",
        version="1.0.0",
        links={name: s.Link(href=href) for name, href in links.items()},
    )
    # Vary: a browser asking for the same URL gets the portal's home page instead.
    return json_response(out, headers={"Cache-Control": "max-age=300", "Vary": "Accept"})


@endpoint(
    bp,
    "/openapi.json",
    "GET",
    summary="This API's OpenAPI 3.1 description",
    tags=("system",),
    responses={200: (None, "OpenAPI 3.1 document.")},
)
def openapi_document(call):
    from .openapi import build

    return Response(
        body=json.dumps(build(bp.current_app, base_url(call.request))),
        status_code=200,
        headers={"Content-Type": "application/json", "Cache-Control": "max-age=300"},
    )


@endpoint(
    bp,
    "/docs",
    "GET",
    summary="The API reference, readable (HTML, no script)",
    tags=("system",),
    responses={200: (None, "An HTML page.")},
    media_type="text/html",
)
def docs(call):
    from .docs import render
    from .openapi import build

    return Response(
        body=render(build(bp.current_app, base_url(call.request))),
        status_code=200,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "max-age=300",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "X-Content-Type-Options": "nosniff",
        },
    )
