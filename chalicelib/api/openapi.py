"""OpenAPI 3.1 generated from the app's routes and the pydantic models they declare."""

from __future__ import annotations

import functools
import re

from pydantic.json_schema import models_json_schema

from . import path_params
from .endpoint import model as resolve

_REF = "#/components/schemas/{model}"


def _models(spec) -> list:
    found = []
    if spec.body is not None:
        found.append((resolve(spec.body), "validation"))
    for names, _ in spec.responses.values():
        for name in names if isinstance(names, tuple) else (names,):
            if name is not None:
                found.append((resolve(name), "serialization"))
    return found


def _schema_ref(names, refs) -> dict:
    if names is None:
        return {"type": "object"}
    if isinstance(names, tuple):
        return {"oneOf": [_schema_ref(n, refs) for n in names]}
    return refs[(resolve(names), "serialization")]


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
        op["parameters"].append(
            {
                "name": header.name,
                "in": "header",
                "required": header.required,
                "description": header.description,
                "schema": {"type": "string"},
            }
        )
    if spec.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(resolve(spec.body), "validation")]}},
        }
    for status, (model, description) in sorted(spec.responses.items()):
        if 300 <= status < 400:
            op["responses"][str(status)] = {
                "description": description,
                "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
            }
            continue
        media = "application/problem+json" if status >= 400 else "application/json"
        op["responses"][str(status)] = {
            "description": description,
            "content": {media: {"schema": _schema_ref(model, refs)}},
        }
    if spec.roles is not None:
        # An empty requirement makes the bearer token optional (OpenAPI 3.1).
        op["security"] = [{"bearerAuth": []}, {}] if spec.auth_optional else [{"bearerAuth": []}]
        op["responses"].setdefault("401", {"description": "Missing or invalid bearer token."})
        if spec.roles:
            op["x-roles"] = list(spec.roles)
    if not op["parameters"]:
        del op["parameters"]
    return op


@functools.cache
def _build(app) -> dict:
    specs = []
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            if getattr(entry.view_function, "edge", False):
                continue  # chalicelib.api.edge: the methods a path does not declare
            spec = getattr(entry.view_function, "spec", None)
            if spec is None:
                raise LookupError(f"{method} {path} has no OpenAPI spec; use @endpoint")
            specs.append(spec)
    models = {m for spec in specs for m in _models(spec)}
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
            "follow reports. Errors are RFC 9457 application/problem+json.",
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "paths": paths,
        "components": {
            "schemas": components.get("$defs", {}),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


def build(app) -> dict:
    return _build(app)
