"""What a fuzzer found at the API's edge: numbers DynamoDB cannot store, integers that
overflow, integral floats, deeply nested bodies, path parameters that are not ids."""

import json
import re

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.directory import Agency
from tests.fakes import FakeDirectory
from tests.unit.api_helpers import VALID, bearer, post_report, problem

PLATFORM_ADMIN = bearer("platform_admin", username="admin")
JSON = {"Content-Type": "application/json"}


class DynamoLikeDirectory(FakeDirectory):
    """Refuses keys as DynamoDB does (a key attribute over 1024 bytes is a
    ValidationException, which the API would answer with a 500)."""

    def agency(self, agency_id):
        if len(agency_id.encode()) > 1024:
            raise RuntimeError("ValidationException: key attribute value too large")
        return super().agency(agency_id)


@pytest.fixture
def directory():
    return DynamoLikeDirectory(
        agencies=[Agency("pemkot-bandung", "Pemerintah Kota Bandung", "local_government")]
    )


@pytest.fixture
def client(wired, trusted_staff_tokens):
    with Client(app) as c:
        yield c


def with_lat(lat_literal: str) -> str:
    body = json.dumps({**VALID, "location": {"lat": 0, "lon": 107.6191}})
    return body.replace('"lat": 0', f'"lat": {lat_literal}')


# -- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "literal",
    [
        "1e-200",  # DynamoDB: magnitude below 1e-130 -> TransactionCanceledException
        "-1e-131",
        "1" * 401,  # OverflowError in float()
        "-" + "9" * 401,
        "1e400",  # inf
        "NaN",
        "true",
    ],
)
def test_coordinates_dynamodb_cannot_store_are_422_not_500(client, reports, literal):
    r = post_report(client, raw=with_lat(literal))

    assert r.status_code == 422, r.body
    (error,) = problem(r)["errors"]
    assert error["field"] == "location.lat"
    assert reports.reports == {}


def test_coordinates_are_rounded_before_they_are_stored(client, reports):
    r = post_report(client, raw=with_lat("-6.917512345678901234"))

    assert r.status_code == 201, r.body
    stored = reports.reports[json.loads(r.body)["tracking_id"]].location
    assert (stored.lat, stored.lon) == (-6.9175123, 107.6191)


@pytest.mark.parametrize("literal,stored", [("5", 5.0), ("-0.0", 0.0), ("1e-100", 0.0)])
def test_representable_coordinates_are_accepted(client, reports, literal, stored):
    r = post_report(client, raw=with_lat(literal))

    assert r.status_code == 201, r.body
    lat = reports.reports[json.loads(r.body)["tracking_id"]].location.lat
    assert lat == stored and str(lat) != "-0.0"


def test_an_integral_float_is_an_integer():
    """JSON has one number type (and JSON Schema's integer includes 5.0); pydantic's strict
    mode refuses every float for an int. A client generator may well send 1234.0."""
    from chalicelib.api import schemas

    body = '{"filename": "a.png", "content_type": "image/png", "size": %s}'
    assert schemas.AttachmentSlotIn.model_validate_json(body % "1234.0").size == 1234
    for bad in ("1234.5", '"1234"', "true", "1e400", "1e300", "0", "-1.0"):
        with pytest.raises(schemas.ValidationError):
            schemas.AttachmentSlotIn.model_validate_json(body % bad)


def test_an_integral_float_size_opens_an_upload_slot(client, reports):
    created = json.loads(post_report(client).body)
    r = client.http.post(
        f"/v1/reports/{created['tracking_id']}/attachments",
        headers={**JSON, "X-Report-Token": created["access_token"]},
        body='{"filename": "bukti.png", "content_type": "image/png", "size": 1234.0}',
    )

    assert r.status_code == 201, r.body
    assert json.loads(r.body)["upload"]["max_bytes"] >= 1234


def test_every_integer_a_client_sends_is_bounded():
    from chalicelib.api import schemas

    for name in dir(schemas):
        model = getattr(schemas, name)
        if not (isinstance(model, type) and issubclass(model, schemas._In)):
            continue
        for field, prop in model.model_json_schema().get("properties", {}).items():
            if prop.get("type") in ("integer", "number"):
                assert "maximum" in prop and "minimum" in prop, f"{name}.{field}"


# -- nesting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 20_000 + "]" * 20_000,
        '{"reporter": ' + "[" * 900 + "]" * 900 + "}",
        '{"a": "' + "[" * 100 + '", "b": ' + "{" * 40 + "}" * 40 + "}",
    ],
)
def test_deeply_nested_bodies_are_400_problems(client, raw):
    r = post_report(client, raw=raw)

    assert r.status_code == 400, r.body
    assert problem(r)["type"].endswith(":invalid-json")


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    body = {**VALID, "title": "[[[[[[ {{{{ " * 10, "description": "]" * 40 + " " + "{" * 40}
    assert post_report(client, body).status_code == 201


# -- path parameters -----------------------------------------------------------------------

AGENCY_BODY = {"name": "Pemerintah Kota Cimahi", "type": "ministry"}


@pytest.mark.parametrize("agency_id", ["Bad_Id", "x", "-cimahi", "a" * 65, "ci mahi", "é"])
def test_put_agency_validates_the_path_id_like_a_body_id(client, directory, agency_id):
    r = client.http.put(
        f"/v1/admin/agencies/{agency_id}",
        headers={**JSON, **PLATFORM_ADMIN},
        body=json.dumps(AGENCY_BODY),
    )

    assert r.status_code == 422, r.body
    (error,) = problem(r)["errors"]
    assert error["field"] == "agency_id"
    assert directory.agency(agency_id) is None


@pytest.mark.parametrize("agency_id", ["Bad_Id", "a" * 2000, "pemkot%20bandung"])
@pytest.mark.parametrize("suffix", ["/webhooks", "/webhooks/wh_0123456789abcdef/disable"])
def test_an_agency_id_that_cannot_exist_is_404_in_any_path(client, agency_id, suffix):
    method = client.http.post if suffix.endswith("disable") else client.http.get
    r = method(f"/v1/admin/agencies/{agency_id}{suffix}", headers={**JSON, **PLATFORM_ADMIN})

    assert r.status_code == 404, r.body
    assert problem(r)["type"].endswith(":agency-not-found")


@pytest.mark.parametrize("path", ["/v1/reports/{}", "/v1/reports/{}/attachments"])
def test_a_tracking_id_that_cannot_exist_is_404(client, path):
    r = client.http.get(path.format("X" * 3000))

    assert r.status_code == 404
    assert problem(r)["type"].endswith(":report-not-found")


def test_openapi_gives_every_path_parameter_its_pattern(client):
    doc = json.loads(client.http.get("/openapi.json").body)

    seen = set()
    for path, operations in doc["paths"].items():
        for op in operations.values():
            for p in op.get("parameters", []):
                if p["in"] != "path":
                    continue
                seen.add(p["name"])
                assert p["schema"]["pattern"], (path, p["name"])
    assert {"tracking_id", "agency_id", "webhook_id", "attachment_id"} <= seen


def test_the_tracking_id_pattern_admits_every_id_the_api_accepts(client):
    from chalicelib.domain import tracking_id

    doc = json.loads(client.http.get("/openapi.json").body)
    (param,) = doc["paths"]["/v1/reports/{tracking_id}"]["get"]["parameters"][:1]
    pattern = re.compile(param["schema"]["pattern"])
    tid = tracking_id.generate()
    created = json.loads(post_report(client).body)["tracking_id"]
    for typed in (tid, tid.lower(), f"{tid[:4]}-{tid[4:]}", f"{tid[:5]} {tid[5:]}", created):
        assert pattern.search(typed), typed
    for junk in ("", "K7M3QX9P2", "K7M3QX9P2A/../x", "0" * 10, "K7M3QX9P2A" * 4):
        assert not pattern.search(junk), junk
    typed = f"{created[:4].lower()}-{created[4:]}"
    assert client.http.get(f"/v1/reports/{typed}").status_code == 200


def test_every_route_declares_known_path_parameters():
    from chalicelib.api.path_params import PATH_PARAMS

    for path in app.routes:
        for name in re.findall(r"{(\w+)}", path):
            assert name in PATH_PARAMS, path


def test_admin_report_answers_a_malformed_tracking_id_with_404(client):
    r = client.http.get("/v1/admin/reports/" + "Z" * 40, headers=PLATFORM_ADMIN)

    assert r.status_code == 404
    assert problem(r)["type"].endswith(":report-not-found")
