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
        if length and length.isdigit() and int(length) > settings().max_body_bytes:
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
        body=json.dumps(build(bp.current_app)),
        status_code=200,
        headers={"Content-Type": "application/json", "Cache-Control": "max-age=300"},
    )
