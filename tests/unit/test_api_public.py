"""Directory, health and the generated OpenAPI document."""

import json

import pytest
from chalice.test import Client

from app import app
from tests.fakes import AGENCIES


@pytest.fixture
def client(wired):
    with Client(app) as c:
        yield c


def test_healthz(client):
    r = client.http.get("/healthz")
    assert r.status_code == 200
    assert json.loads(r.body)["status"] == "ok"
    assert r.headers["X-Request-Id"]


def test_categories(client):
    body = json.loads(client.http.get("/v1/categories").body)
    assert [c["code"] for c in body["items"]] == ["imigrasi", "infrastruktur", "kesehatan"]


def test_agencies_paginate_to_the_end(client):
    seen, cursor = [], None
    for _ in range(10):
        url = "/v1/agencies?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = json.loads(client.http.get(url).body)
        seen += [a["id"] for a in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [a.id for a in AGENCIES]


def test_openapi_describes_every_route(client):
    doc = json.loads(client.http.get("/openapi.json").body)
    assert doc["openapi"].startswith("3.1")
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            if getattr(entry.view_function, "edge", False):
                continue  # 405 with Allow / OPTIONS: described once in info.description
            if getattr(entry.view_function, "outside_openapi", None):
                continue  # documented elsewhere, and says where (Open311: its specification)
            if getattr(entry.view_function, "portal", False):
                continue  # the web portal's HTML pages (chalicelib/api/portal.py)
            assert method.lower() in doc["paths"][path], (method, path)
    submit = doc["paths"]["/v1/reports"]["post"]
    schema_ref = submit["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][schema_ref.rsplit("/", 1)[-1]]
    assert schema["properties"]["title"]["maxLength"] == 150
    assert schema["properties"]["description"]["maxLength"] == 4000
    assert "422" in submit["responses"]
    assert doc["paths"]["/v1/me"]["get"]["security"] == [{"bearerAuth": []}]
    params = {p["name"] for p in submit["parameters"]}
    assert "Idempotency-Key" in params


def test_openapi_refuses_a_route_without_spec():
    from chalice import Chalice

    from chalicelib.api.openapi import build

    bare = Chalice("bare")

    @bare.route("/x")
    def x():
        return {}

    with pytest.raises(LookupError):
        build(bare)
