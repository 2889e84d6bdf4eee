"""/openapi.json validates strictly and says what the API does; /docs renders it."""

import json
from datetime import UTC, datetime

import pytest
from chalice.test import Client
from jsonschema import Draft202012Validator
from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

from app import app
from chalicelib.domain.events import AGENCY_EVENTS
from chalicelib.domain.report import Location
from chalicelib.services.dispatch import agency_payload
from tests.builders import submitted_report
from tests.unit.api_helpers import VALID, post_report

AT = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


@pytest.fixture
def client(wired):
    with Client(app) as c:
        yield c


@pytest.fixture
def doc(client):
    return json.loads(client.http.get("/openapi.json").body)


def validator(doc, schema):
    return Draft202012Validator({**doc, **schema})


def component(doc, name):
    return validator(doc, {"$ref": f"#/components/schemas/{name}"})


def test_the_document_is_valid_openapi_3_1(doc):
    errors = [str(e)[:300] for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    assert errors == []


def test_the_public_and_reporter_views_are_told_apart(client, doc):
    created = json.loads(post_report(client).body)
    tid = created["tracking_id"]
    public = json.loads(client.http.get(f"/v1/reports/{tid}").body)
    mine = json.loads(
        client.http.get(
            f"/v1/reports/{tid}", headers={"X-Report-Token": created["access_token"]}
        ).body
    )
    schema = doc["paths"]["/v1/reports/{tracking_id}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]

    assert public["view"] == "public" and mine["view"] == "reporter"
    for body in (public, mine):
        validator(doc, schema).validate(body)  # oneOf: exactly one matches
        matching = [
            name
            for name in ("PublicReportOut", "ReporterReportOut")
            if component(doc, name).is_valid(body)
        ]
        assert matching == ["PublicReportOut" if body is public else "ReporterReportOut"]


def test_servers_name_the_stage_and_the_local_stack(client):
    doc = json.loads(
        client.http.get(
            "/openapi.json",
            headers={
                "Host": "abc123.execute-api.ap-southeast-3.amazonaws.com",
                "X-Forwarded-Proto": "https",
            },
        ).body
    )
    urls = [s["url"] for s in doc["servers"]]
    assert urls[0] == "https://abc123.execute-api.ap-southeast-3.amazonaws.com"
    assert "https://{apiId}.execute-api.ap-southeast-3.amazonaws.com/api" in urls
    assert "http://127.0.0.1:8000" in urls


@pytest.mark.parametrize("anonymous", [False, True])
@pytest.mark.parametrize("event", [e.value for e in AGENCY_EVENTS])
def test_every_agency_event_payload_is_documented_and_matches(doc, event, anonymous):
    hook = doc["webhooks"][event]["post"]
    headers = {p["name"] for p in hook["parameters"] if p["in"] == "header"}
    assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= headers
    schema = hook["requestBody"]["content"]["application/json"]["schema"]
    report = submitted_report(
        AT, "K7M3QX9P2A", anonymous=anonymous, location=Location(-6.9175123, 107.6191)
    )
    payload = agency_payload(report, event, AT)
    if event != "report.assigned":
        payload["data"]["change"] = {"seq": 3, "action": "respond"}

    validator(doc, schema).validate(json.loads(json.dumps(payload)))
    assert ("reporter" in payload["data"]) is not anonymous
    lost = agency_payload(report, "report.transferred", AT, minimal=True)
    validator(
        doc,
        doc["webhooks"]["report.transferred"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ],
    ).validate(json.loads(json.dumps(lost)))
    assert not validator(doc, schema).is_valid({**payload, "type": "report.nothing"})


def test_security_schemes_bearer_and_report_token(doc):
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["reportToken"]["type"] == "apiKey"
    assert (schemes["reportToken"]["in"], schemes["reportToken"]["name"]) == (
        "header",
        "X-Report-Token",
    )
    paths = doc["paths"]
    assert paths["/v1/reports/{tracking_id}"]["get"]["security"] == [{}, {"reportToken": []}] or (
        paths["/v1/reports/{tracking_id}"]["get"]["security"] == [{"reportToken": []}, {}]
    )
    assert paths["/v1/reports/{tracking_id}/replies"]["post"]["security"] == [{"reportToken": []}]
    assert paths["/v1/me"]["get"]["security"] == [{"bearerAuth": []}]
    assert "WWW-Authenticate" in paths["/v1/me"]["get"]["responses"]["401"]["headers"]


def test_every_json_body_operation_documents_400_413_415_422(doc):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if "requestBody" in op:
                assert {"400", "413", "415", "422"} <= set(op["responses"]), (method, path)


def test_response_headers_are_documented(doc):
    submit = doc["paths"]["/v1/reports"]["post"]["responses"]["201"]["headers"]
    assert {"Location", "Idempotent-Replayed", "Cache-Control", "X-Request-Id"} <= set(submit)
    assert "Retry-After" in doc["paths"]["/v1/me"]["get"]["responses"]["503"]["headers"]


def test_create_agency_requires_the_id(doc):
    ref = doc["paths"]["/v1/admin/agencies"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert "id" in schema["required"]


def test_the_reporter_rule_and_the_idempotency_key_bounds_are_in_the_schema(doc):
    submit = doc["paths"]["/v1/reports"]["post"]
    body = validator(doc, submit["requestBody"]["content"]["application/json"]["schema"])
    no_reporter = {k: v for k, v in VALID.items() if k != "reporter"}

    assert body.is_valid(VALID)
    assert not body.is_valid(no_reporter)
    assert not body.is_valid({**VALID, "reporter": {"name": "Siti Rahayu"}})
    assert not body.is_valid({**VALID, "reporter": None})
    assert body.is_valid({**no_reporter, "anonymous": True})
    assert body.is_valid({**VALID, "reporter": {"name": "Siti", "email": "s@example.id"}})
    (key,) = [p for p in submit["parameters"] if p["name"] == "Idempotency-Key"]
    assert (key["schema"]["minLength"], key["schema"]["maxLength"]) == (8, 255)
    assert Draft202012Validator(key["schema"]).is_valid("7d0c1c8e-2b7a-4d0e-9a51-3f6a1f1d2b11")
    assert not Draft202012Validator(key["schema"]).is_valid("with space and more")


def test_docs_is_a_readable_page_of_every_operation(client, doc):
    r = client.http.get("/docs")

    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    page = r.body.decode()
    assert page.startswith("<!doctype html>") and '<html lang="en">' in page
    # nothing loaded from elsewhere (machines have no internet), no script
    assert "<script" not in page and " src=" not in page and "<link" not in page
    assert 'href="openapi.json"' in page  # relative: works under any stage or base path
    for path, ops in doc["paths"].items():
        for method in ops:
            assert f"<code>{path}</code>" in page, (method, path)
    for event in doc["webhooks"]:
        assert event in page


def test_the_root_links_to_the_reference(client):
    r = client.http.get("/")
    assert r.status_code == 200
    links = json.loads(r.body)["links"]
    assert links["docs"]["href"] == "/docs" and links["openapi"]["href"] == "/openapi.json"
