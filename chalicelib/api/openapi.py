"""OpenAPI 3.1 generated from the app's routes and the pydantic models they declare."""

from __future__ import annotations

import copy
import functools
import re

from pydantic.json_schema import models_json_schema

from . import path_params
from .endpoint import model as resolve

_REF = "#/components/schemas/{model}"
REPORT_TOKEN = "X-Report-Token"

# The events agencies receive on their webhooks (and queues): chalicelib.domain.events.
AGENCY_EVENTS = {
    "report.assigned": "A report was disposed to the agency (by the router or an admin).",
    "report.updated": "The report changed (a response, an archival, a reroute...).",
    "report.transferred": "The report moved: the agency losing it gets ids only.",
    "report.reporter_replied": "The reporter replied or added information.",
    "report.sla_warning": "A deadline is one working day away.",
    "report.overdue": "A deadline passed (also sent to the parent agency).",
    "report.completed": "The report was completed.",
    "report.rated": "The reporter rated the handling.",
}

_HEADERS = {
    "X-Request-Id": {
        "description": "The request's id; quote it when asking for help.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "How long the answer may be kept.",
        "schema": {"type": "string"},
    },
    "Location": {"description": "Where the resource is.", "schema": {"type": "string"}},
    "Idempotent-Replayed": {
        "description": "true: this answers an earlier request with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "WWW-Authenticate": {"description": "The bearer challenge.", "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}},
    "Allow": {"description": "The methods this resource answers.", "schema": {"type": "string"}},
    "ETag": {
        "description": "The answer's version: send it back in If-None-Match for a 304.",
        "schema": {"type": "string"},
    },
}


def _header(name: str) -> dict:
    return {"$ref": f"#/components/headers/{name}"}


def _models(spec) -> list:
    found = []
    if spec.body is not None:
        found.append((resolve(spec.body), "validation"))
    for names, _ in spec.responses.values():
        for name in names if isinstance(names, tuple) else (names,):
            if name is not None:
                found.append((resolve(name), "serialization"))
    return found


def _schema_ref(names, refs, media_type="application/json") -> dict:
    if names is None:
        return {"type": "object"} if media_type == "application/json" else {"type": "string"}
    if isinstance(names, tuple):
        return {"oneOf": [_schema_ref(n, refs) for n in names]}
    return refs[(resolve(names), "serialization")]


def _security(spec) -> list | None:
    token = next((h for h in spec.headers if h.name == REPORT_TOKEN), None)
    options = []
    if spec.roles is not None:
        options.append({"bearerAuth": []})
    if token is not None:
        options.append({"reportToken": []})
    if not options:
        return None
    if (token is not None and not token.required and spec.roles is None) or (
        spec.auth_optional and token is None
    ):
        options.append({})  # optional: anonymous callers are served too
    return options


_ERR_REF = {"$ref": "#/components/schemas/ProblemOut"}


def _problem(description: str, *headers: str) -> dict:
    out = {
        "description": description,
        "headers": {"X-Request-Id": _header("X-Request-Id")},
        "content": {"application/problem+json": {"schema": _ERR_REF}},
    }
    for name in headers:
        out["headers"][name] = _header(name)
    return out


def _operation(spec, refs) -> dict:
    op = {
        "operationId": spec.path.strip("/").replace("/", "_").replace("{", "").replace("}", "")
        + "_"
        + spec.method.lower(),
        "summary": spec.summary,
        "tags": list(spec.tags),
        "parameters": [],
        "responses": {},
    }
    if spec.description:
        op["description"] = spec.description
    for name in re.findall(r"{(\w+)}", spec.path):
        op["parameters"].append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": path_params.param(name).description,
                "schema": path_params.openapi_schema(name),
            }
        )
    if spec.query is not None:
        schema = resolve(spec.query).model_json_schema()
        for name, prop in schema.get("properties", {}).items():
            op["parameters"].append(
                {
                    "name": name,
                    "in": "query",
                    "schema": prop,
                    "required": name in schema.get("required", []),
                }
            )
    for header in spec.headers:
        if header.name == REPORT_TOKEN:
            continue  # the reportToken security scheme
        op["parameters"].append(
            {
                "name": header.name,
                "in": "header",
                "required": header.required,
                "description": header.description,
                "schema": {"type": "string", **dict(header.schema)},
            }
        )
    if spec.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(resolve(spec.body), "validation")]}},
        }
    conditional = any(h.name == "If-None-Match" for h in spec.headers)
    for status, (model, description) in sorted(spec.responses.items()):
        if status == 304:
            op["responses"]["304"] = {
                "description": description,
                "headers": {
                    "ETag": _header("ETag"),
                    "Cache-Control": _header("Cache-Control"),
                    "X-Request-Id": _header("X-Request-Id"),
                },
            }
            continue
        if 300 <= status < 400:
            op["responses"][str(status)] = {
                "description": description,
                "headers": {
                    "Location": _header("Location"),
                    "X-Request-Id": _header("X-Request-Id"),
                },
            }
            continue
        if status >= 400:
            op["responses"][str(status)] = _problem(description)
            continue
        headers = {
            "X-Request-Id": _header("X-Request-Id"),
            "Cache-Control": _header("Cache-Control"),
        }
        if status == 201:
            headers["Location"] = _header("Location")
        if conditional:
            headers["ETag"] = _header("ETag")
        if spec.path == "/v1/reports" and spec.method == "POST":
            headers["Idempotent-Replayed"] = _header("Idempotent-Replayed")
        op["responses"][str(status)] = {
            "description": description,
            "headers": headers,
            "content": {spec.media_type: {"schema": _schema_ref(model, refs, spec.media_type)}},
        }
    responses = op["responses"]
    if spec.body is not None:
        responses.setdefault("400", _problem("The body is not JSON, or not UTF-8, or too deep."))
        responses.setdefault("413", _problem("The body is too large."))
        responses.setdefault("415", _problem("The body is not application/json."))
        responses.setdefault("422", _problem("The body has invalid fields."))
    if spec.query is not None or re.search(r"{\w+}", spec.path):
        responses.setdefault("422", _problem("A parameter is invalid."))
        if re.search(r"{\w+}", spec.path):
            responses.setdefault("404", _problem("No such resource."))
    security = _security(spec)
    if security is not None:
        op["security"] = security
        responses.setdefault("401", _problem("Missing or invalid credentials."))
        if spec.roles is not None:
            responses["401"]["headers"]["WWW-Authenticate"] = _header("WWW-Authenticate")
            responses.setdefault(
                "503", _problem("Sign-in cannot be checked right now.", "Retry-After")
            )
        if spec.roles:
            op["x-roles"] = list(spec.roles)
            responses.setdefault("403", _problem("Your role does not allow this."))
    if not op["parameters"]:
        del op["parameters"]
    return op


def _webhooks(refs) -> dict:
    from . import schemas

    headers = {
        "webhook-id": "The delivery's id (msg_...): the same on every retry; dedupe on it.",
        "webhook-timestamp": "Unix seconds when it was signed; refuse old ones (5 minutes).",
        "webhook-signature": "Space-separated v1,<base64 HMAC-SHA256> signatures of "
        "'{webhook-id}.{webhook-timestamp}.{body}' with the secret (whsec_...); several "
        "while a rotated secret overlaps the old one.",
    }
    out = {}
    for event, summary in AGENCY_EVENTS.items():
        out[event] = {
            "post": {
                "operationId": "webhook_" + event.replace(".", "_"),
                "summary": summary,
                "description": "Sent to the agency's registered webhooks (signed per Standard "
                "Webhooks) and its SQS queue. Answer 2xx within 10 s; anything else is "
                "retried with backoff up to 8 attempts; 410 Gone disables the webhook.",
                "tags": ["webhooks"],
                "parameters": [
                    {
                        "name": name,
                        "in": "header",
                        "required": True,
                        "description": text,
                        "schema": {"type": "string"},
                    }
                    for name, text in headers.items()
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "allOf": [
                                    refs[(schemas.WebhookEventOut, "serialization")],
                                    {"properties": {"type": {"const": event}}},
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "Delivered."},
                    "410": {"description": "Gone: the platform disables this webhook."},
                },
            }
        }
    return out


@functools.cache
def _build(app) -> dict:
    from . import schemas

    specs = []
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            if getattr(entry.view_function, "edge", False):
                continue  # chalicelib.api.edge: the methods a path does not declare
            if getattr(entry.view_function, "outside_openapi", None):
                continue  # documented elsewhere (Open311: its specification); says why
            if getattr(entry.view_function, "portal", False):
                continue  # chalicelib.api.portal: the web portal's pages, not the API
            spec = getattr(entry.view_function, "spec", None)
            if spec is None:
                raise LookupError(f"{method} {path} has no OpenAPI spec; use @endpoint")
            specs.append(spec)
    models = {m for spec in specs for m in _models(spec)}
    models.add((schemas.ProblemOut, "serialization"))
    models.add((schemas.WebhookEventOut, "serialization"))
    refs, components = models_json_schema(
        sorted(models, key=lambda m: (m[0].__name__, m[1])), ref_template=_REF
    )
    paths: dict[str, dict] = {}
    for spec in specs:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Satu Pintu API",
            "version": "1.0.0",
            "description": "National public-service complaint platform: submit, route and "
            "follow reports. Errors are RFC 9457 application/problem+json. Every path also "
            "answers OPTIONS (204 with Allow; CORS for the web portal) and any other method "
            "with 405 and Allow. Open311 GeoReport v2 (form-encoded, XML and JSON, its own "
            "error format) is served under /open311/v2 and documented by its specification "
            "(https://wiki.open311.org/GeoReport_v2), not here.",
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [
            {
                "url": "https://{apiId}.execute-api.ap-southeast-3.amazonaws.com/api",
                "description": "AWS, Jakarta: API Gateway stage api (the stack's EndpointURL)",
                "variables": {"apiId": {"default": "example", "description": "RestAPIId"}},
            },
            {"url": "http://127.0.0.1:8000", "description": "The local stack (make run)"},
        ],
        "tags": [
            {"name": "citizen"},
            {"name": "public", "description": "The public feed: no sign-in, no identity."},
            {"name": "directory"},
            {"name": "attachments"},
            {"name": "staff"},
            {"name": "admin"},
            {"name": "statistics"},
            {"name": "system"},
            {"name": "webhooks", "description": "What agencies receive (outbound)."},
            {
                "name": "channels",
                "description": "What messaging providers call (inbound, signed by them).",
            },
        ],
        "paths": paths,
        "webhooks": _webhooks(refs),
        "components": {
            "schemas": components.get("$defs", {}),
            "headers": copy.deepcopy(_HEADERS),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A staff member's Cognito ID token.",
                },
                "reportToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": REPORT_TOKEN,
                    "description": "The reporter's access token, issued once at submission.",
                },
            },
        },
    }


def build(app, server: str | None = None) -> dict:
    """The document; ``server``: the URL it was requested under, listed first."""
    doc = _build(app)
    if not server:
        return doc
    return {**doc, "servers": [{"url": server, "description": "This server"}, *doc["servers"]]}
