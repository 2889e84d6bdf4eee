"""What every path answers to a method it does not declare.

API Gateway answers a method a resource lacks with its own 403 "Missing Authentication
Token"; Chalice's local server with a 405. So that both answer alike, every declared path
also routes each other method here: ``OPTIONS`` answers ``204`` with ``Allow`` (and the
CORS preflight for the web portal's origin), anything else ``405`` problem+json with
``Allow``. Unknown paths are API Gateway's (a gateway response turns them into a 404
problem, see infra/resources.json) and Chalice local's.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from . import cors
from .problems import Problem

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def allow_header(declared: set[str]) -> str:
    return ", ".join([m for m in METHODS if m in declared] + ["OPTIONS"])


def _answer(bp: Blueprint, declared: set[str]):
    allow = allow_header(declared)
    methods = [m for m in METHODS if m in declared]

    def other_method(**params):
        request = bp.current_request
        if request.method == "OPTIONS":
            headers = {"Allow": allow, **cors.preflight_headers(request.headers, methods)}
            return Response(body="", status_code=204, headers=headers)
        return Problem(
            405,
            "method-not-allowed",
            f"This resource answers {allow}, not {request.method}.",
            headers={"Allow": allow},
        ).response(request.context.get("path"))

    other_method.edge = True
    return other_method


def blueprint(declared: dict[str, set[str]]) -> Blueprint:
    bp = Blueprint(__name__)
    for path, methods in sorted(declared.items()):
        others = [m for m in METHODS if m not in methods]
        if others:
            bp.route(path, methods=others, content_types=["*/*"])(_answer(bp, set(methods)))
    return bp
