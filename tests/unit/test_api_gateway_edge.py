"""The API's edge as deployed: stage and paths, methods a path does not declare, CORS,
gateway responses, throttling, WAF, reserved concurrency, a regional endpoint."""

import json
import re
from pathlib import Path

import pytest
from chalice import Response
from chalice.test import Client

from app import app
from chalicelib.api import edge, problems
from chalicelib.api.endpoint import DECLARED
from chalicelib.config import settings
from devstack.resources import load_template
from tests.unit.api_helpers import post_report, problem

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "https://lapor.example.go.id"
SAMPLE = {
    "tracking_id": "K7M3QX9P2A",
    "agency_id": "pemkot-bandung",
    "webhook_id": "wh_0123456789abcdef",
    "attachment_id": "xfkx7cpj75nf",
    "export_date": "2026-11-29",
    "file_name": "reports.csv",
    "category_code": "infrastruktur",
    "region_code": "32.73",
    "asset": "portal.0123456789.css",
}


@pytest.fixture
def web_origin(monkeypatch):
    monkeypatch.setenv("WEB_ORIGIN", ORIGIN + "/")
    settings.cache_clear()
    yield ORIGIN
    settings.cache_clear()


@pytest.fixture
def client(wired):
    with Client(app) as c:
        yield c


def concrete(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: SAMPLE[m.group(1)], path)


def config() -> dict:
    return json.loads((ROOT / ".chalice" / "config.json").read_text())


# -- stage and paths -----------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_stage_name_does_not_repeat_the_version_prefix(stage):
    """API Gateway puts the stage first: stage v1 + routes under /v1 gave /v1/v1/reports."""
    name = config()["stages"][stage]["api_gateway_stage"]
    prefixes = {path.strip("/").split("/")[0] for path in app.routes}
    assert name == "api"
    assert name not in prefixes
    assert config()["stages"][stage]["api_gateway_endpoint_type"] == "REGIONAL"


def test_every_function_has_reserved_concurrency_and_sqs_pollers_stay_inside_it():
    functions = config()["stages"]["prod"]["lambda_functions"]
    names = {"api_handler"} | {source.name for source in app.event_sources}
    assert set(functions) >= names
    for name in names:
        assert functions[name]["reserved_concurrency"] >= 1, name
    resources = load_template()["Resources"]
    for source in app.event_sources:
        if type(source).__name__ != "SQSEventConfig":
            continue
        logical = "".join(part.capitalize() for part in source.name.split("_"))
        props = resources[logical]["Properties"]["Events"][f"{logical}SqsEventSource"]
        maximum = props["Properties"]["ScalingConfig"]["MaximumConcurrency"]
        # More pollers than reserved concurrency: throttled batches go back to the queue
        # and count towards maxReceiveCount (dead-lettered without being tried).
        assert 2 <= maximum <= functions[source.name]["reserved_concurrency"], source.name


# -- methods a path does not declare ------------------------------------------------------


def test_every_path_answers_every_other_method_with_405_and_allow(client):
    for path, declared in DECLARED.items():
        allow = edge.allow_header(declared)
        for method in edge.METHODS:
            if method in declared or method in ("OPTIONS", "HEAD"):
                continue
            r = client.http.request(method, concrete(path), headers={}, body=b"")
            assert r.status_code == 405, (method, path, r.body)
            assert r.headers["Allow"] == allow, (method, path)
            assert problem(r)["type"].endswith(":method-not-allowed")
            for m in declared:
                assert m in r.headers["Allow"].split(", ")


def test_head_is_405_with_allow_too(client):
    r = client.http.request("HEAD", "/v1/reports", headers={}, body=b"")
    assert r.status_code == 405
    assert r.headers["Allow"] == "POST, OPTIONS"


def test_options_answers_allow(client):
    r = client.http.request("OPTIONS", concrete("/v1/reports/{tracking_id}/attachments"))
    assert r.status_code == 204
    assert r.headers["Allow"] == "GET, POST, OPTIONS"
    assert "Access-Control-Allow-Origin" not in r.headers


def test_chalices_own_405_keeps_its_allow_header():
    chalice_405 = Response(
        body={"Code": "MethodNotAllowedError", "Message": "Unsupported method: PUT"},
        status_code=405,
        headers={"Allow": "GET, POST", "Content-Type": "application/json"},
    )

    rewritten = problems.from_chalice_response(chalice_405)

    assert rewritten.status_code == 405
    assert rewritten.headers["Allow"] == "GET, POST"
    assert rewritten.headers["Content-Type"] == problems.MEDIA_TYPE


# -- CORS ----------------------------------------------------------------------------------


def test_preflight_from_the_portal_is_allowed(client, web_origin):
    r = client.http.request(
        "OPTIONS",
        "/v1/reports",
        headers={"Origin": web_origin, "Access-Control-Request-Method": "POST"},
    )

    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == web_origin
    assert r.headers["Access-Control-Allow-Methods"] == "POST"
    allowed = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "idempotency-key", "x-report-token", "authorization"} <= allowed
    assert "Origin" in r.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_preflight_for_a_method_the_path_lacks_or_another_origin_gets_no_cors(client, web_origin):
    wrong_method = client.http.request(
        "OPTIONS",
        "/v1/reports",
        headers={"Origin": web_origin, "Access-Control-Request-Method": "DELETE"},
    )
    other_origin = client.http.request(
        "OPTIONS",
        "/v1/reports",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )

    assert "Access-Control-Allow-Methods" not in wrong_method.headers
    assert "Access-Control-Allow-Origin" not in other_origin.headers


def test_answers_to_the_portal_expose_the_headers_a_script_needs(client, web_origin):
    ok = client.http.get("/v1/categories", headers={"Origin": web_origin})
    error = client.http.get("/v1/reports/K7M3QX9P2A", headers={"Origin": web_origin})
    other = client.http.get("/v1/categories", headers={"Origin": "https://evil.example"})

    for r in (ok, error):
        assert r.headers["Access-Control-Allow-Origin"] == web_origin
        exposed = r.headers["Access-Control-Expose-Headers"]
        assert "Location" in exposed and "Idempotent-Replayed" in exposed
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in other.headers["Vary"]


def test_vary_keeps_what_the_route_said(client, web_origin):
    created = json.loads(post_report(client).body)
    r = client.http.get(f"/v1/reports/{created['tracking_id']}")

    assert r.status_code == 200
    assert r.headers["Vary"] == "X-Report-Token, Origin"


# -- the template: gateway responses, throttling, WAF ------------------------------------


def gateway_responses() -> dict[str, dict]:
    """In the API definition itself (x-amazon-apigateway-gateway-responses), so that an
    update of the definition can never drop them (sam validate's W3660)."""
    body = load_template()["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    return body["x-amazon-apigateway-gateway-responses"]


def render(template: str) -> dict:
    """A gateway response template as API Gateway fills it in."""
    filled = template.replace("$context.error.messageString", '"Missing Authentication Token"')
    filled = filled.replace("$context.error.responseType", "MISSING_AUTHENTICATION_TOKEN")
    assert "$" not in filled, filled
    return json.loads(filled)


def test_unknown_paths_are_a_404_problem_not_a_403_missing_token():
    response = gateway_responses()["MISSING_AUTHENTICATION_TOKEN"]

    assert response["statusCode"] == "404"
    body = render(response["responseTemplates"]["application/json"])
    assert body["status"] == 404
    assert body["type"] == "urn:satupintu:problem:not-found"
    assert "Authentication" not in json.dumps(body)


@pytest.mark.parametrize(
    "kind,status",
    [
        ("MISSING_AUTHENTICATION_TOKEN", 404),
        ("THROTTLED", 429),
        ("WAF_FILTERED", 403),
        ("REQUEST_TOO_LARGE", 413),
        ("UNSUPPORTED_MEDIA_TYPE", 415),
        ("INTEGRATION_TIMEOUT", 504),
        ("DEFAULT_4XX", None),
        ("DEFAULT_5XX", None),
    ],
)
def test_every_gateway_response_is_problem_json_the_portal_can_read(kind, status):
    response = gateway_responses()[kind]
    params = response["responseParameters"]

    assert params["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
    assert params["gatewayresponse.header.Access-Control-Allow-Origin"] == {
        "Fn::Sub": "'${WebOrigin}'"
    }
    body = render(response["responseTemplates"]["application/json"])
    assert body["type"] and body["title"]
    if status is not None:
        assert response["statusCode"] == str(status) and body["status"] == status
    if kind == "THROTTLED":
        assert params["gatewayresponse.header.Retry-After"]


def test_the_stage_is_throttled():
    (setting,) = load_template()["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    assert (setting["HttpMethod"], setting["ResourcePath"]) == ("*", "/*")
    assert setting["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRate"}
    assert setting["ThrottlingBurstLimit"] == {"Ref": "ApiThrottleBurst"}
    params = load_template()["Parameters"]
    assert params["ApiThrottleBurst"]["Default"] >= params["ApiThrottleRate"]["Default"] > 0


def test_a_regional_web_acl_with_a_per_ip_rate_rule_and_managed_groups_guards_the_stage():
    resources = load_template()["Resources"]
    acl = resources["ApiWebAcl"]
    props = acl["Properties"]
    assert acl["Type"] == "AWS::WAFv2::WebACL" and props["Scope"] == "REGIONAL"
    rules = {r["Name"]: r for r in props["Rules"]}
    rate = rules["rate-per-ip"]
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rate["Action"] == {"Block": {}}
    managed = {
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]: r
        for r in props["Rules"]
        if "ManagedRuleGroupStatement" in r["Statement"]
    }
    assert managed["AWSManagedRulesCommonRuleSet"]["OverrideAction"] == {"None": {}}
    assert managed["AWSManagedRulesKnownBadInputsRuleSet"]["OverrideAction"] == {"None": {}}
    # whistleblowers may use Tor or a VPN: anonymising networks are counted, not blocked
    assert managed["AWSManagedRulesAnonymousIpList"]["OverrideAction"] == {"Count": {}}
    assert len({r["Priority"] for r in props["Rules"]}) == len(props["Rules"])

    association = resources["ApiWebAclAssociation"]
    stage = config()["stages"]["prod"]["api_gateway_stage"]
    arn = association["Properties"]["ResourceArn"]["Fn::Sub"]
    assert arn.endswith(f"/restapis/${{RestAPI}}/stages/{stage}")
    assert association["DependsOn"] == f"RestAPI{stage}Stage"  # SAM's stage resource


def test_the_functions_get_the_portal_origin():
    variables = load_template()["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["WEB_ORIGIN"] == {"Ref": "WebOrigin"}
