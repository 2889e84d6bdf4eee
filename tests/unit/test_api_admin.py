"""Admin API: the agency directory, webhooks, deliveries, the verification queue."""

import json
from urllib.parse import quote

import pytest
from chalice.test import Client

from app import app
from chalicelib import bootstrap
from chalicelib.domain.directory import Agency, Category
from chalicelib.domain.report import Channel
from chalicelib.services import webhooks
from chalicelib.services.ports import DeliveryAttempt
from chalicelib.services.routing import route_submitted
from tests.builders import submitted_report
from tests.fakes import FakeDeliveryLog, FakeDirectory
from tests.unit.api_helpers import bearer, problem

BANDUNG = "pemkot-bandung"
REAL_PUBLIC_ADDRESS = webhooks._public_address  # before the autouse no_dns fixture
CATEGORIES = [
    Category("infrastruktur", "Infrastruktur", "regional"),
    Category("kependudukan", "Administrasi Kependudukan", "regional"),
    Category("imigrasi", "Imigrasi", "national"),
]
AGENCIES = [
    Agency("kemenkes", "Kementerian Kesehatan", "ministry"),
    Agency(
        "pemprov-jabar",
        "Pemerintah Provinsi Jawa Barat",
        "local_government",
        region_code="32",
        categories=("infrastruktur",),
    ),
    Agency(
        BANDUNG,
        "Pemerintah Kota Bandung",
        "local_government",
        parent_id="pemprov-jabar",
        region_code="32.73",
        categories=("infrastruktur",),
    ),
]

PLATFORM_ADMIN = bearer("platform_admin", username="admin")
BANDUNG_ADMIN = bearer("agency_admin", BANDUNG)
KEMENKES_ADMIN = bearer("agency_admin", "kemenkes")
BANDUNG_OFFICER = bearer("officer", BANDUNG)
EXECUTIVE = bearer("executive", BANDUNG)


@pytest.fixture
def directory():
    return FakeDirectory(CATEGORIES, AGENCIES)


@pytest.fixture
def deliveries():
    return FakeDeliveryLog()


@pytest.fixture
def client(wired, deliveries, trusted_staff_tokens):
    bootstrap.override(deliveries=deliveries)
    with Client(app) as c:
        yield c


def post(client, path, body=None, headers=None):
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    return client.http.post(path, headers=hdrs, body=json.dumps(body) if body is not None else "")


def put(client, path, body, headers=None):
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    return client.http.put(path, headers=hdrs, body=json.dumps(body))


def get(client, path, headers=None):
    return client.http.get(path, headers=headers or {})


def error_fields(response) -> list[str]:
    return [e["field"] for e in problem(response).get("errors") or []]


# -- agencies --------------------------------------------------------------------------------

CIMAHI = {
    "id": "pemkot-cimahi",
    "name": "Pemerintah Kota Cimahi",
    "short_name": "Pemkot Cimahi",
    "type": "local_government",
    "parent_id": "pemprov-jabar",
    "region_code": "3277",
    "categories": ["infrastruktur", "kependudukan"],
    "website": "cimahikota.go.id",
    "sqs_queue_url": "https://sqs.ap-southeast-3.amazonaws.com/123456789012/pemkot-cimahi",
}


def test_platform_admin_creates_an_agency(client, directory):
    r = post(client, "/v1/admin/agencies", CIMAHI, PLATFORM_ADMIN)

    assert r.status_code == 201, r.body
    assert r.headers["Location"] == "/v1/admin/agencies/pemkot-cimahi"
    body = json.loads(r.body)
    assert body["id"] == "pemkot-cimahi"
    assert body["region_code"] == "32.77"  # normalised
    assert body["active"] is True
    assert body["sqs_queue_url"] == CIMAHI["sqs_queue_url"]
    saved = directory.agency("pemkot-cimahi")
    assert saved.parent_id == "pemprov-jabar"
    assert saved.region_code == "32.77"
    assert saved.categories == ("infrastruktur", "kependudukan")
    assert saved.sqs_queue_url == CIMAHI["sqs_queue_url"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not.a.jwt"}, 401),
        (BANDUNG_OFFICER, 403),
        (BANDUNG_ADMIN, 403),
        (EXECUTIVE, 403),
    ],
)
def test_only_platform_admins_create_agencies(client, directory, headers, status):
    r = post(client, "/v1/admin/agencies", CIMAHI, headers)
    assert r.status_code == status
    problem(r)
    assert directory.agency("pemkot-cimahi") is None


def test_duplicate_agency_is_409(client, directory):
    before = directory.agency(BANDUNG)
    r = post(client, "/v1/admin/agencies", {**CIMAHI, "id": BANDUNG}, PLATFORM_ADMIN)
    assert r.status_code == 409
    assert BANDUNG in problem(r)["detail"]
    assert directory.agency(BANDUNG) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parent_id": "pemprov-atlantis"}, "parent_id"),
        ({"categories": ["infrastruktur", "teleportasi"]}, "categories"),
        ({"id": None}, "id"),
        ({"id": "Pemkot Cimahi!"}, "id"),
        ({"type": "kingdom"}, "type"),
        ({"region_code": "99.01"}, "region_code"),
        ({"sqs_queue_url": "https://evil.example.com/123456789012/q"}, "sqs_queue_url"),
        (
            {"sqs_queue_url": "http://sqs.ap-southeast-3.amazonaws.com/123456789012/q"},
            "sqs_queue_url",
        ),
        ({"sqs_queue_url": "not a url"}, "sqs_queue_url"),
        ({"name": "X"}, "name"),
        ({"unexpected": True}, "unexpected"),
    ],
)
def test_invalid_agency_is_422_with_the_field(client, directory, change, field):
    body = {k: v for k, v in {**CIMAHI, **change}.items() if v is not None}

    r = post(client, "/v1/admin/agencies", body, PLATFORM_ADMIN)

    assert r.status_code == 422, r.body
    if field is not None:
        assert field in error_fields(r)
    assert directory.agency("pemkot-cimahi") is None


def test_local_government_needs_a_region(client, directory):
    body = {k: v for k, v in CIMAHI.items() if k != "region_code"}
    r = post(client, "/v1/admin/agencies", body, PLATFORM_ADMIN)
    assert r.status_code == 422
    assert "region_code" in json.dumps(problem(r)["errors"])
    assert directory.agency("pemkot-cimahi") is None


def test_a_ministry_needs_no_region(client, directory):
    body = {"id": "kemenham", "name": "Kementerian Hak Asasi Manusia", "type": "ministry"}
    r = post(client, "/v1/admin/agencies", body, PLATFORM_ADMIN)
    assert r.status_code == 201, r.body
    assert directory.agency("kemenham").region_code is None


def test_put_replaces_an_agency(client, directory):
    body = {k: v for k, v in CIMAHI.items() if k != "id"} | {"name": "Pemerintah Kota Bandung"}
    body["region_code"] = "32.73"
    body["active"] = False

    r = put(client, f"/v1/admin/agencies/{BANDUNG}", body, PLATFORM_ADMIN)

    assert r.status_code == 200, r.body
    assert json.loads(r.body)["id"] == BANDUNG
    saved = directory.agency(BANDUNG)
    assert saved.active is False
    assert saved.categories == ("infrastruktur", "kependudukan")


def test_put_with_a_different_id_in_the_body_is_422(client, directory):
    before = directory.agency(BANDUNG)
    body = {**CIMAHI, "region_code": "32.73"}  # id pemkot-cimahi, path pemkot-bandung

    r = put(client, f"/v1/admin/agencies/{BANDUNG}", body, PLATFORM_ADMIN)

    assert r.status_code == 422
    assert error_fields(r) == ["id"]
    assert directory.agency(BANDUNG) == before
    assert directory.agency("pemkot-cimahi") is None


def test_put_is_platform_admin_only(client, directory):
    body = {k: v for k, v in CIMAHI.items() if k != "id"}
    r = put(client, f"/v1/admin/agencies/{BANDUNG}", body, BANDUNG_ADMIN)
    assert r.status_code == 403
    assert directory.agency(BANDUNG).name == "Pemerintah Kota Bandung"


# -- webhooks --------------------------------------------------------------------------------

HOOK = {"url": "https://hooks.bandung.go.id/satupintu", "events": ["report.assigned"]}


def hooks_path(agency=BANDUNG):
    return f"/v1/admin/agencies/{agency}/webhooks"


def register(client, headers=BANDUNG_ADMIN, body=HOOK, agency=BANDUNG):
    return post(client, hooks_path(agency), body, headers)


def test_agency_admin_registers_a_webhook_and_sees_the_secret_once(client, targets):
    r = register(client)

    assert r.status_code == 201, r.body
    assert r.headers["Cache-Control"] == "no-store"
    body = json.loads(r.body)
    assert body["secret"].startswith("whsec_")
    assert body["url"] == HOOK["url"]
    assert body["events"] == ["report.assigned"]
    assert body["active"] is True
    assert body["agency_id"] == BANDUNG
    stored = targets.get(BANDUNG, body["id"])
    assert stored.secret == body["secret"]

    listed = get(client, hooks_path(), BANDUNG_ADMIN)
    assert listed.status_code == 200
    items = json.loads(listed.body)["items"]
    assert [i["id"] for i in items] == [body["id"]]
    assert "secret" not in items[0]
    assert body["secret"] not in listed.body.decode()
    assert body["secret"][len("whsec_") :] not in listed.body.decode()


def test_default_events_is_report_assigned(client):
    r = register(client, body={"url": HOOK["url"]})
    assert r.status_code == 201
    assert json.loads(r.body)["events"] == ["report.assigned"]


def test_platform_admin_registers_for_any_agency(client, targets):
    r = register(client, PLATFORM_ADMIN, agency="kemenkes")
    assert r.status_code == 201
    assert targets.for_agency("kemenkes")


@pytest.mark.parametrize(
    ("headers", "status"),
    [(KEMENKES_ADMIN, 403), (BANDUNG_OFFICER, 403), (EXECUTIVE, 403), ({}, 401)],
)
def test_others_cannot_register_for_bandung(client, targets, headers, status):
    r = register(client, headers)
    assert r.status_code == status
    problem(r)
    assert targets.for_agency(BANDUNG) == []


def test_another_agencys_admin_cannot_list_its_webhooks(client):
    register(client)
    r = get(client, hooks_path(), KEMENKES_ADMIN)
    assert r.status_code == 403
    assert "hooks.bandung" not in r.body.decode()


def test_unknown_agency_is_404(client, targets):
    r = register(client, PLATFORM_ADMIN, agency="pemkot-atlantis")
    assert r.status_code == 404
    problem(r)
    assert targets.targets == {}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("http://hooks.bandung.go.id/satupintu", "url"),
        ("ftp://hooks.bandung.go.id/satupintu", "url"),
        ("hooks.bandung.go.id/satupintu", "url"),
        ("https://", "url"),
    ],
)
def test_webhook_url_must_be_https(client, targets, url, field):
    r = register(client, body={"url": url, "events": ["report.assigned"]})
    assert r.status_code == 422
    assert error_fields(r) == [field]
    assert targets.targets == {}


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/hook", "http://localhost:9000/x", "https://hooks.example.id/x"]
)
def test_dev_stage_allows_local_http_receivers(client, url):
    r = register(client, body={"url": url, "events": ["report.assigned"]})
    assert r.status_code == 201, r.body


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/x",
        "https://localhost/x",
        "https://127.0.0.1/x",
        "http://hooks.example.id/x",
        # not the platform's own network: metadata service, private ranges, link-local
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.12/hook",
        "https://192.168.1.5/hook",
        "https://[fd00::1]/hook",
        "https://0.0.0.0/hook",
        "https://db.internal/hook",
        "https://user:pw@hooks.example.id/x",
    ],
)
def test_outside_dev_only_https_to_public_hosts_is_allowed(url):
    with pytest.raises(webhooks.InvalidWebhook) as e:
        webhooks.check_url(url, dev=False)
    assert e.value.field == "url"
    webhooks.check_url("https://hooks.example.id/x", dev=False)


def test_a_host_that_resolves_to_a_private_address_is_refused():
    def resolves_private(host):
        return False

    with pytest.raises(webhooks.InvalidWebhook):
        webhooks.check_url("https://innocent.example.id/x", dev=False, resolve=resolves_private)


@pytest.mark.parametrize(
    "url",
    [
        "https://[64:ff9b::7f00:1]/hook",  # NAT64 form of 127.0.0.1 (is_global says True)
        "https://[64:ff9b::a9fe:a9fe]/latest/meta-data",  # ... of the metadata service
        "https://[2002:a00:1::1]/hook",  # 6to4 form of 10.0.0.1
        "https://[::ffff:10.0.0.1]/hook",  # IPv4-mapped
        "https://[::a00:1]/hook",  # IPv4-compatible
    ],
)
def test_ipv6_forms_of_private_ipv4_addresses_are_refused(url):
    # the real check (the no_dns fixture replaces it); literal addresses need no DNS
    with pytest.raises(webhooks.InvalidWebhook):
        webhooks.check_url(url, dev=False, resolve=REAL_PUBLIC_ADDRESS)
    webhooks.check_url("https://[2606:4700:4700::1111]/x", dev=False, resolve=REAL_PUBLIC_ADDRESS)


def test_an_agency_has_at_most_five_active_webhooks(client, targets):
    hooks = [register(client) for _ in range(webhooks.MAX_ACTIVE_WEBHOOKS)]
    assert [r.status_code for r in hooks] == [201] * webhooks.MAX_ACTIVE_WEBHOOKS

    r = register(client)

    assert r.status_code == 409
    assert problem(r)["type"].endswith(":webhook-limit")
    assert len(targets.for_agency(BANDUNG)) == webhooks.MAX_ACTIVE_WEBHOOKS
    # another agency has its own allowance
    assert register(client, PLATFORM_ADMIN, agency="kemenkes").status_code == 201


def test_a_disabled_webhook_frees_a_place_and_cannot_be_enabled_past_the_cap(client, targets):
    ids = [json.loads(register(client).body)["id"] for _ in range(webhooks.MAX_ACTIVE_WEBHOOKS)]
    assert action(client, ids[0], "disable").status_code == 200
    assert register(client).status_code == 201

    r = action(client, ids[0], "enable")

    assert r.status_code == 409, r.body
    assert problem(r)["type"].endswith(":webhook-limit")
    assert targets.get(BANDUNG, ids[0]).active is False
    assert action(client, ids[1], "enable").status_code == 200  # already active: no change


def test_openapi_documents_the_webhook_limit(client):
    doc = json.loads(get(client, "/openapi.json").body)
    assert "409" in doc["paths"]["/v1/admin/agencies/{agency_id}/webhooks"]["post"]["responses"]
    enable = "/v1/admin/agencies/{agency_id}/webhooks/{webhook_id}/enable"
    assert "409" in doc["paths"][enable]["post"]["responses"]


def test_unknown_event_type_is_422(client, targets):
    r = register(client, body={"url": HOOK["url"], "events": ["report.assigned", "report.eaten"]})
    assert r.status_code == 422
    assert error_fields(r) == ["events"]
    assert "report.eaten" in problem(r)["detail"]
    assert targets.targets == {}


def test_wildcard_events_are_allowed(client):
    r = register(client, body={"url": HOOK["url"], "events": ["*"]})
    assert r.status_code == 201
    assert json.loads(r.body)["events"] == ["*"]


def action(client, webhook_id, verb, headers=BANDUNG_ADMIN, agency=BANDUNG):
    return post(client, f"{hooks_path(agency)}/{webhook_id}/{verb}", headers=headers)


def test_disable_and_enable(client, targets, clock):
    hook = json.loads(register(client).body)
    clock.advance(minutes=1)

    r = action(client, hook["id"], "disable")

    assert r.status_code == 200, r.body
    body = json.loads(r.body)
    assert body["active"] is False and body["disabled_reason"]
    assert "secret" not in body
    assert targets.get(BANDUNG, hook["id"]).active is False
    assert targets.get(BANDUNG, hook["id"]).updated_at == clock.now()

    r = action(client, hook["id"], "enable")

    assert r.status_code == 200
    assert json.loads(r.body)["active"] is True
    assert json.loads(r.body)["disabled_reason"] is None
    assert targets.get(BANDUNG, hook["id"]).active is True
    assert targets.get(BANDUNG, hook["id"]).secret == hook["secret"]  # unchanged


def test_rotate_secret_returns_a_new_one_and_keeps_the_old_for_a_while(client, targets, clock):
    hook = json.loads(register(client).body)

    r = action(client, hook["id"], "rotate-secret")

    assert r.status_code == 200, r.body
    assert r.headers["Cache-Control"] == "no-store"
    new = json.loads(r.body)["secret"]
    assert new.startswith("whsec_") and new != hook["secret"]
    stored = targets.get(BANDUNG, hook["id"])
    assert stored.secret == new
    assert stored.previous_secret == hook["secret"]
    assert stored.previous_secret_until > clock.now()
    listed = get(client, hooks_path(), BANDUNG_ADMIN).body.decode()
    assert new not in listed and hook["secret"] not in listed


@pytest.mark.parametrize("verb", ["disable", "enable", "rotate-secret"])
def test_unknown_webhook_is_404(client, verb):
    r = action(client, "wh_doesnotexist", verb)
    assert r.status_code == 404
    problem(r)


@pytest.mark.parametrize("verb", ["disable", "enable", "rotate-secret"])
def test_another_agencys_webhook_is_not_reachable_through_your_own_path(client, targets, verb):
    theirs = json.loads(register(client, PLATFORM_ADMIN, agency="kemenkes").body)

    r = action(client, theirs["id"], verb, BANDUNG_ADMIN, BANDUNG)

    assert r.status_code == 404
    assert targets.get("kemenkes", theirs["id"]).secret == theirs["secret"]
    assert targets.get("kemenkes", theirs["id"]).active is True


@pytest.mark.parametrize("verb", ["disable", "enable", "rotate-secret"])
def test_another_agencys_admin_cannot_change_a_webhook(client, targets, verb):
    hook = json.loads(register(client).body)
    r = action(client, hook["id"], verb, KEMENKES_ADMIN)
    assert r.status_code == 403
    assert targets.get(BANDUNG, hook["id"]).secret == hook["secret"]
    assert targets.get(BANDUNG, hook["id"]).active is True


def test_platform_admin_can_disable_any_webhook(client, targets):
    hook = json.loads(register(client).body)
    r = action(client, hook["id"], "disable", PLATFORM_ADMIN)
    assert r.status_code == 200
    assert targets.get(BANDUNG, hook["id"]).active is False


# -- deliveries ------------------------------------------------------------------------------


def _attempt(tracking_id, attempt, outcome, clock, **fields):
    return DeliveryAttempt(
        "msg_" + "a" * 32,
        tracking_id,
        "report.assigned",
        BANDUNG,
        "webhook",
        "wh_1",
        attempt,
        outcome,
        clock.now(),
        **fields,
    )


def test_platform_admin_lists_delivery_attempts(client, deliveries, clock):
    deliveries.record(_attempt("23456789AB", 1, "retry", clock, http_status=503, latency_ms=12.5))
    clock.advance(seconds=5)
    deliveries.record(_attempt("23456789AB", 2, "delivered", clock, http_status=200))
    deliveries.record(_attempt("3456789ABC", 1, "delivered", clock))

    r = get(client, "/v1/admin/deliveries?tracking_id=2345-6789ab", PLATFORM_ADMIN)

    assert r.status_code == 200, r.body
    items = json.loads(r.body)["items"]
    assert [(i["attempt"], i["outcome"], i["http_status"]) for i in items] == [
        (1, "retry", 503),
        (2, "delivered", 200),
    ]
    assert items[0]["latency_ms"] == 12.5
    assert items[0]["target_id"] == "wh_1" and items[0]["agency_id"] == BANDUNG


def test_no_attempts_is_an_empty_list(client):
    r = get(client, "/v1/admin/deliveries?tracking_id=23456789AB", PLATFORM_ADMIN)
    assert r.status_code == 200
    assert json.loads(r.body) == {"items": [], "next_cursor": None}


def test_officers_cannot_read_the_delivery_log(client, deliveries, clock):
    deliveries.record(_attempt("23456789AB", 1, "delivered", clock))
    r = get(client, "/v1/admin/deliveries?tracking_id=23456789AB", BANDUNG_OFFICER)
    assert r.status_code == 403


def test_an_agency_admin_sees_only_attempts_to_their_agency(client, deliveries, clock):
    from dataclasses import replace

    deliveries.record(_attempt("23456789AB", 1, "delivered", clock))
    other = replace(_attempt("23456789AB", 1, "retry", clock), agency_id="kemenkes")
    deliveries.record(other)
    r = get(client, "/v1/admin/deliveries?tracking_id=23456789AB", BANDUNG_ADMIN)
    assert r.status_code == 200
    assert [i["agency_id"] for i in json.loads(r.body)["items"]] == [BANDUNG]
    everything = get(client, "/v1/admin/deliveries?tracking_id=23456789AB", PLATFORM_ADMIN)
    assert len(json.loads(everything.body)["items"]) == 2


def test_deliveries_need_a_tracking_id(client):
    r = get(client, "/v1/admin/deliveries", PLATFORM_ADMIN)
    assert r.status_code == 422
    assert "tracking_id" in error_fields(r)


def test_deliveries_take_a_tracking_id_or_an_agency_not_both(client):
    r = get(
        client, f"/v1/admin/deliveries?tracking_id=23456789AB&agency_id={BANDUNG}", PLATFORM_ADMIN
    )
    assert r.status_code == 422


def _failures(deliveries, clock):
    from dataclasses import replace

    deliveries.record(_attempt("23456789AB", 1, "retry", clock, http_status=503))
    clock.advance(seconds=5)
    deliveries.record(_attempt("23456789AB", 8, "gave_up", clock, http_status=500))
    clock.advance(seconds=5)
    deliveries.record(_attempt("3456789ABC", 8, "gave_up", clock, error="timeout"))
    deliveries.record(_attempt("456789ABCD", 1, "delivered", clock, http_status=200))
    deliveries.record(replace(_attempt("56789ABCDE", 8, "gave_up", clock), agency_id="kemenkes"))


def test_platform_admin_lists_an_agencys_dead_lettered_deliveries(client, deliveries, clock):
    _failures(deliveries, clock)

    r = get(client, f"/v1/admin/deliveries?agency_id={BANDUNG}&outcome=gave_up", PLATFORM_ADMIN)

    assert r.status_code == 200, r.body
    items = json.loads(r.body)["items"]
    assert [(i["tracking_id"], i["outcome"]) for i in items] == [
        ("3456789ABC", "gave_up"),  # newest first
        ("23456789AB", "gave_up"),
    ]
    every_failure = get(client, f"/v1/admin/deliveries?agency_id={BANDUNG}", PLATFORM_ADMIN)
    outcomes = sorted(i["outcome"] for i in json.loads(every_failure.body)["items"])
    assert outcomes == ["gave_up", "gave_up", "retry"]  # never the delivered one


def test_an_agencys_failures_come_a_page_at_a_time(client, deliveries, clock):
    _failures(deliveries, clock)
    path = f"/v1/admin/deliveries?agency_id={BANDUNG}&limit=2"
    first = json.loads(get(client, path, PLATFORM_ADMIN).body)
    second = json.loads(get(client, f"{path}&cursor={first['next_cursor']}", PLATFORM_ADMIN).body)
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert second["next_cursor"] is None


def test_an_agency_admin_lists_their_own_agencys_failures_only(client, deliveries, clock):
    _failures(deliveries, clock)
    own = get(client, f"/v1/admin/deliveries?agency_id={BANDUNG}&outcome=gave_up", BANDUNG_ADMIN)
    assert own.status_code == 200
    assert {i["agency_id"] for i in json.loads(own.body)["items"]} == {BANDUNG}
    other = get(client, "/v1/admin/deliveries?agency_id=kemenkes", BANDUNG_ADMIN)
    assert other.status_code == 403
    officer = get(client, f"/v1/admin/deliveries?agency_id={BANDUNG}", BANDUNG_OFFICER)
    assert officer.status_code == 403


@pytest.mark.parametrize(
    "query", ["outcome=delivered", "outcome=lost", "limit=0", "limit=101", "cursor=garbage"]
)
def test_bad_failure_queries_are_422(client, query):
    r = get(client, f"/v1/admin/deliveries?agency_id={BANDUNG}&{query}", PLATFORM_ADMIN)
    assert r.status_code == 422, r.body


# -- the verification queue and the admin's view of a report ---------------------------------


@pytest.fixture
def routed(reports, uow, directory, outlets, clock, calendar):
    """Submit a report and let the router decide; returns its tracking id."""

    def _routed(tracking_id, **fields):
        report = submitted_report(clock.now(), tracking_id, **{"channel": Channel.WEB, **fields})
        reports.add_new(report, None)
        clock.advance(seconds=1)
        route_submitted(
            tracking_id,
            uow=uow,
            directory=directory,
            outlets=outlets,
            clock=clock,
            calendar=calendar,
        )
        return tracking_id

    return _routed


def test_verification_queue_lists_waiting_reports_with_the_reason(client, routed):
    no_category = routed("23456789AB", category=None)
    routed("3456789ABC")  # disposed to Kota Bandung: not waiting
    nobody = routed("456789ABCD", region="96.71", title="Sampah menumpuk di pinggir jalan")

    r = get(client, "/v1/admin/verification-queue", PLATFORM_ADMIN)

    assert r.status_code == 200, r.body
    assert r.headers["Cache-Control"] == "no-store"
    items = json.loads(r.body)["items"]
    assert [i["tracking_id"] for i in items] == [no_category, nobody]  # oldest first
    assert items[0]["routing"]["rule"] == "no-category"
    assert items[1]["routing"]["rule"] == "no-handler"
    assert "96.71" in items[1]["routing"]["reason"]
    assert items[1]["routing"]["decided_by"] == "router"
    assert items[1]["routing"]["agency_id"] is None
    assert items[1]["title"] == "Sampah menumpuk di pinggir jalan"
    assert "Siti" not in r.body.decode() and "6281234567890" not in r.body.decode()


def test_verification_queue_respects_the_limit_and_pages_on(client, routed):
    first = routed("23456789AB", category=None)
    second = routed("3456789ABC", category=None)
    r = get(client, "/v1/admin/verification-queue?limit=1", PLATFORM_ADMIN)
    body = json.loads(r.body)
    assert [i["tracking_id"] for i in body["items"]] == [first]
    r = get(
        client,
        f"/v1/admin/verification-queue?limit=1&cursor={quote(body['next_cursor'])}",
        PLATFORM_ADMIN,
    )
    body = json.loads(r.body)
    assert [i["tracking_id"] for i in body["items"]] == [second]
    assert body["next_cursor"] is None


def test_verification_queue_refuses_a_cursor_it_did_not_issue(client, routed):
    routed("23456789AB", category=None)
    r = get(client, "/v1/admin/verification-queue?cursor=1%23yesterday%23X", PLATFORM_ADMIN)
    assert r.status_code == 422
    assert problem(r)["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("headers", [BANDUNG_ADMIN, BANDUNG_OFFICER, EXECUTIVE])
def test_verification_queue_is_platform_admin_only(client, routed, headers):
    routed("23456789AB", category=None)
    r = get(client, "/v1/admin/verification-queue", headers)
    assert r.status_code == 403
    assert "23456789AB" not in r.body.decode()


def test_admin_sees_the_routing_decision_and_a_named_reporter(client, routed, clock):
    tid = routed("23456789AB", confidential=True)

    r = get(client, f"/v1/admin/reports/{tid.lower()}", PLATFORM_ADMIN)

    assert r.status_code == 200, r.body
    body = json.loads(r.body)
    assert body["status"] == "awaiting_followup"
    assert body["agency"] == {"id": BANDUNG, "name": "Pemerintah Kota Bandung"}
    assert body["routing"]["rule"] == "regional-regency:32.73:infrastruktur"
    assert body["routing"]["agency_id"] == BANDUNG
    assert body["routing"]["decided_by"] == "router"
    assert "infrastruktur" in body["routing"]["reason"]
    assert body["description"].startswith("Jalan di depan Pasar Kosambi")  # admins see it
    assert body["confidential"] is True and body["anonymous"] is False
    # not anonymous: staff see the contact (the access token's hash never)
    assert body["reporter"]["name"] == "Siti Rahayu"
    assert "h" * 64 not in r.body.decode()


def test_admin_view_of_a_held_report(client, routed):
    tid = routed("23456789AB", anonymous=True, region=None)
    body = json.loads(get(client, f"/v1/admin/reports/{tid}", PLATFORM_ADMIN).body)
    assert body["status"] == "unverified"
    assert body["agency"] is None
    assert body["routing"]["rule"] == "no-region"
    assert body["anonymous"] is True
    # an anonymous identity is read only through the logged route
    assert body["reporter"] is None
    assert body["identity_withheld"] is True
    for secret in ("Siti", "Rahayu", "6281234567890", "example.id"):
        assert secret not in get(client, f"/v1/admin/reports/{tid}", PLATFORM_ADMIN).body.decode()


def test_admin_view_of_an_unknown_report_is_404(client):
    r = get(client, "/v1/admin/reports/23456789AB", PLATFORM_ADMIN)
    assert r.status_code == 404
    problem(r)


@pytest.mark.parametrize("headers", [BANDUNG_ADMIN, BANDUNG_OFFICER, {}])
def test_admin_view_is_platform_admin_only(client, routed, headers):
    tid = routed("23456789AB")
    r = get(client, f"/v1/admin/reports/{tid}", headers)
    assert r.status_code in (401, 403)
    assert "Pasar Kosambi" not in r.body.decode()


def test_an_agency_subscribes_to_every_event_it_is_told(client, directory):
    from chalicelib.domain.events import AGENCY_EVENTS

    events = [e.value for e in AGENCY_EVENTS]
    assert {"report.overdue", "report.sla_warning", "report.rated"} <= set(events)
    r = post(
        client,
        hooks_path(),
        {"url": "https://hooks.bandung.go.id/satupintu", "events": events},
        BANDUNG_ADMIN,
    )
    assert r.status_code == 201, r.body
    assert sorted(json.loads(r.body)["events"]) == sorted(events)
