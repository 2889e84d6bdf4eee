"""An adversarial review of the staff console: who may read and do what on every console
route (the same as the JSON API refuses for the same caller), what never shows (an
anonymous reporter's identity, another agency's confidential report, tokens, a webhook's
signing secret after its one showing), and that odd input on any route is a 4xx page,
never a 500."""

import json
from datetime import UTC, datetime
from html import unescape

import pytest
from chalice.test import Client

from app import app
from chalicelib import bootstrap
from chalicelib.api.portal_casework import ACTION_SEGMENTS
from chalicelib.domain.directory import Agency, Category
from chalicelib.services import webhooks
from chalicelib.services.ports import DeliveryAttempt
from chalicelib.services.routing import route_submitted
from tests.fakes import FakeDeliveryLog, FakeDirectory
from tests.unit.api_helpers import AUDIENCE, VALID, bearer, token
from tests.unit.portal_helpers import Browser

JABAR, BANDUNG, DUKCAPIL, KEMENKES = (
    "pemprov-jabar",
    "pemkot-bandung",
    "disdukcapil-bandung",
    "kemenkes",
)
CATEGORIES = [
    Category("infrastruktur", "Infrastruktur", "regional", name_en="Infrastructure"),
    Category("kesehatan", "Kesehatan", "national", name_en="Health"),
]
AGENCIES = [
    Agency(JABAR, "Pemerintah Provinsi Jawa Barat", "local_government", region_code="32"),
    Agency(
        BANDUNG,
        "Pemerintah Kota Bandung",
        "local_government",
        parent_id=JABAR,
        region_code="32.73",
        categories=("infrastruktur",),
    ),
    Agency(DUKCAPIL, "Disdukcapil Kota Bandung", "local_government", parent_id=BANDUNG),
    Agency(KEMENKES, "Kementerian Kesehatan", "ministry", categories=("kesehatan",)),
]
# The anonymous reporter: none of this may reach a page an agency or executive gets.
WHO = {"name": "Rahasia Wibowo", "phone": "0813-9988-7766", "email": "rahasia.w@contoh.id"}
IDENTITY_MARKERS = ("Rahasia Wibowo", "Wibowo", "9988", "8776", "rahasia.w", "contoh.id")


@pytest.fixture
def directory():
    return FakeDirectory(CATEGORIES, AGENCIES)


@pytest.fixture
def clock(clock):
    clock.at = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)  # Tuesday 10:00 in Jakarta
    return clock


@pytest.fixture
def deliveries():
    return FakeDeliveryLog()


@pytest.fixture
def client(wired, deliveries, trusted_staff_tokens):
    bootstrap.override(deliveries=deliveries)
    with Client(app) as c:
        yield c


@pytest.fixture
def filed(client, uow, directory, outlets, clock, calendar):
    """File a report through the API and route it (to Kota Bandung by default)."""

    def _file(routed=True, **fields):
        body = {**VALID, "incident_date": "2026-03-10", **fields}
        r = client.http.post(
            "/v1/reports", headers={"Content-Type": "application/json"}, body=json.dumps(body)
        )
        assert r.status_code == 201, r.body
        tid = json.loads(r.body)["tracking_id"]
        if routed:
            route_submitted(
                tid, uow=uow, directory=directory, outlets=outlets, clock=clock, calendar=calendar
            )
        return tid

    return _file


def browser_as(client, role, agency=None, username=None):
    return Browser(client).sign_in_as(role, agency, username or f"{role}.{agency or 'platform'}")


def text(response) -> str:
    return unescape(response.body.decode())


# ---------------------------------------------------------------- sign-in's ``next``


@pytest.mark.parametrize(
    "next_path",
    ["/staf%0A", "/staf/kotak-masuk%0A", "/en/staf?x=1%0A", "/staf%0D%0A", "/staf/../../lacak"],
)
def test_sign_in_next_is_a_console_page_and_never_breaks_the_redirect(client, next_path):
    """``$`` also matches before a trailing newline: "/staf\\n" passed the check and went
    into the Location header (a 500, and a header value no server should send)."""
    officer = browser_as(client, "officer", BANDUNG)
    r = officer.get(f"/staf/masuk?next={next_path}")
    assert r.status_code == 303
    assert r.headers["Location"] == "/staf"


# ---------------------------------------------------------------- odd input: never a 500

GET_ROUTES = [
    "/staf",
    "/staf/kotak-masuk",
    "/staf/laporan/{tid}",
    "/staf/laporan/{tid}/identitas",
    "/staf/laporan/{tid}/lampiran/{aid}",
    "/staf/verifikasi",
    "/staf/webhook",
    "/staf/pengiriman",
    "/staf/dasbor",
    "/staf/masuk/selesai",
]
POST_ROUTES = [
    *(f"/staf/laporan/{{tid}}/{segment}" for segment in ACTION_SEGMENTS),
    "/staf/laporan/{tid}/identitas",
    "/staf/webhook",
    *(f"/staf/webhook/{{wid}}/{s}" for s in ("nonaktifkan", "aktifkan", "ganti-rahasia")),
    "/staf/keluar",
]
ODD_IDS = ["ABCDEFGHJK", "abc", "..%2F..", "23456789AB%0A", "%00", "%FF", "a" * 300]
ODD_QUERIES = [
    "?periode=9999-99",
    "?period=9999-99&agency=../x",
    "?period=2026-W99&agency=kemenkes%0A",
    "?status=foo&overdue=%FF",
    "?status=completed&status=&category=%00",
    "?instansi=../x",
    "?instansi=kemenkes%0A&hasil=foo",
    "?instansi=%00&laporan=../../x",
    "?agency_id=../x&after=xxx",
    "?agency_id=kemenkes&after=%FF",
    "?setelah=zzz&laporan=23456789AB%0A",
    "?setelah=" + "A" * 3000,
    "?done=%0Afoo&next=//evil.example",
    "?code=x&state=y&error=%0A",
]
ODD_FORMS = [
    {},
    {"message": "x" * 100_000, "text": "\x00", "reason": "\ud800".encode("utf-8", "surrogatepass")},
    {"agency_id": "../x", "suggested_agency": "kemenkes\n", "instansi": KEMENKES},
    {"instansi": "../x", "url": "javascript:alert(1)", "ev-*": "on", "ev-nope": "on"},
    {"reason": "duplicate", "duplicate_of": "zzz", "message": "ok ok ok"},
]
ODD_BODIES = [
    ("application/x-www-form-urlencoded", b"csrf={csrf}&message=%FF%FE&text=%FF"),
    ("application/x-www-form-urlencoded", b"\xff\xfe\x00"),
    (
        "application/x-www-form-urlencoded",
        b"csrf={csrf}&" + b"&".join(b"a%d=1" % i for i in range(90)),
    ),
    ("application/x-www-form-urlencoded", b"csrf={csrf}&csrf=x&message=a&message=b"),
    ("application/json", b'{"csrf": "x", "message": "hello"}'),
    ("multipart/form-data; boundary=x", b"--x--"),
    ("text/plain", b"csrf={csrf}"),
    ("", b""),
]
SWEEP_ROLES = [
    None,
    ("officer", BANDUNG),
    ("officer", KEMENKES),
    ("agency_admin", BANDUNG),
    ("executive", JABAR),
    ("platform_admin", None),
    ("officer", None),
]


def assert_console_response(r, where):
    assert r.status_code < 500, (where, r.status_code, text(r)[-500:])
    assert r.headers.get("Cache-Control") == "no-store", where
    assert "frame-ancestors 'none'" in r.headers.get("Content-Security-Policy", ""), where
    assert r.headers.get("X-Frame-Options") == "DENY", where
    location = r.headers.get("Location", "")
    assert "\n" not in location and "\r" not in location, where


@pytest.fixture
def anonymous_report(filed):
    return filed(anonymous=True, reporter=WHO)


@pytest.mark.parametrize("route", GET_ROUTES)
def test_every_console_page_answers_odd_input_with_a_page_not_a_500(
    client, anonymous_report, route
):
    for role in SWEEP_ROLES:
        browser = Browser(client) if role is None else browser_as(client, *role)
        for tid in [anonymous_report, *ODD_IDS]:
            path = route.format(tid=tid, aid="att_0000000000")
            for lang in ("", "/en"):
                for query in ["", *ODD_QUERIES]:
                    where = (role, lang + path + query)
                    assert_console_response(browser.get(lang + path + query), where)
            if "{tid}" not in route:
                break


@pytest.mark.parametrize("route", POST_ROUTES)
def test_every_console_form_answers_odd_input_with_a_page_not_a_500(
    client, anonymous_report, route, reports
):
    for role in SWEEP_ROLES:
        browser = browser_as(client, *role) if role else Browser(client)
        for tid in [anonymous_report, *ODD_IDS[:4]]:
            path = route.format(tid=tid, wid="wh_0000000000")
            for fields in ODD_FORMS:
                assert_console_response(browser.post(path, fields), (role, path, fields))
            csrf = browser.csrf()
            for content_type, raw in ODD_BODIES:
                headers = {**browser._headers(), "Content-Type": content_type}
                body = raw.replace(b"{csrf}", csrf.encode())
                r = client.http.post(path, headers=headers, body=body)
                assert_console_response(r, (role, path, content_type, raw[:40]))
            for method in ("PUT", "DELETE", "PATCH"):
                r = client.http.request(method, path, headers=browser._headers(), body=b"")
                assert r.status_code < 500, (role, method, path)
            if "{tid}" not in route:
                break


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_sign_in_page_answers_odd_next_paths_with_a_redirect_to_the_console(
    client, monkeypatch, signed_in
):
    from chalicelib.config import settings

    monkeypatch.setenv("STAFF_SIGNIN_URL", "https://signin.example")
    monkeypatch.setenv("JWT_AUDIENCE", AUDIENCE)
    settings.cache_clear()
    try:
        browser = browser_as(client, "officer", BANDUNG) if signed_in else Browser(client)
        for query in [*ODD_QUERIES, "?next=/staf%0A", "?next=/staf%0D%0ALocation:x", "?next=%FF"]:
            for lang in ("", "/en"):
                r = browser.get(f"{lang}/staf/masuk{query}")
                assert_console_response(r, (signed_in, query))
                assert r.status_code in (302, 303)
                location = r.headers["Location"]
                assert location.startswith(("https://signin.example/", "/staf", "/en/staf"))
    finally:
        settings.cache_clear()


# ---------------------------------------- the console refuses what the API refuses

CALLERS = [
    ("officer", BANDUNG),
    ("officer", JABAR),
    ("officer", DUKCAPIL),
    ("officer", KEMENKES),
    ("officer", None),
    ("agency_admin", BANDUNG),
    ("agency_admin", KEMENKES),
    ("executive", BANDUNG),
    ("executive", JABAR),
    ("executive", KEMENKES),
    ("platform_admin", None),
]
# (console segment, the API's route, the form / body, filed to an agency or left unverified)
ACTIONS = [
    ("tanggapi", "/v1/staff/reports/{t}/responses", {"message": "Sedang kami tindak lanjuti."}, 1),
    (
        "minta-informasi",
        "/v1/staff/reports/{t}/information-requests",
        {"message": "Mohon kirim foto lokasi."},
        1,
    ),
    ("alihkan", "/v1/staff/reports/{t}/transfer", {"reason": "Bukan wewenang kami."}, 1),
    ("catatan", "/v1/staff/reports/{t}/notes", {"text": "Catatan internal"}, 1),
    (
        "tanggapan-akhir",
        "/v1/staff/reports/{t}/final-response",
        {"message": "Jalan sudah diperbaiki."},
        1,
    ),
    ("disposisi", "/v1/admin/reports/{t}/dispose", {"agency_id": BANDUNG}, 0),
    (
        "arsipkan",
        "/v1/admin/reports/{t}/archive",
        {"reason": "too_general", "message": "Terlalu umum."},
        0,
    ),
    (
        "pindahkan",
        "/v1/admin/reports/{t}/reroute",
        {"agency_id": KEMENKES, "reason": "Salah alamat"},
        1,
    ),
    ("tutup", "/v1/admin/reports/{t}/close", {"note": "Selesai"}, 1),
]


@pytest.mark.parametrize("confidential", [False, True])
@pytest.mark.parametrize("role, agency", CALLERS)
def test_the_console_allows_and_refuses_exactly_what_the_api_does(
    client, filed, reports, role, agency, confidential
):
    api = {**bearer(role, agency), "Content-Type": "application/json"}
    browser = browser_as(client, role, agency)
    tid = filed(confidential=confidential, anonymous=True, reporter=WHO)
    api_read = client.http.get(f"/v1/staff/reports/{tid}", headers=api).status_code
    page = browser.get(f"/en/staf/laporan/{tid}")
    assert (api_read == 200) == (page.status_code == 200), (api_read, page.status_code)
    if page.status_code != 200:
        assert "Jalan berlubang" not in text(page)  # not even the title of the report
    for segment, api_path, fields, routed in ACTIONS:
        by_api = filed(routed=bool(routed), confidential=confidential)
        r = client.http.post(api_path.format(t=by_api), headers=api, body=json.dumps(fields))
        by_console = filed(routed=bool(routed), confidential=confidential)
        before = reports.get(by_console).version
        c = browser.post(f"/en/staf/laporan/{by_console}/{segment}", fields)
        done = reports.get(by_console).version != before
        assert (r.status_code < 300) == done, (segment, r.status_code, c.status_code)
        assert c.status_code == (303 if done else r.status_code), (segment, r.status_code)


def test_guessed_attachment_ids_and_another_agencys_files_are_refused(
    client, filed, store, monkeypatch
):
    from chalicelib.config import settings
    from tests import samples
    from tests.unit.test_api_attachments import BUCKET, deliver

    monkeypatch.setenv("ATTACHMENTS_BUCKET", BUCKET)
    settings.cache_clear()
    try:
        # A report of Kota Bandung's and one of Kemenkes's, a file on each.
        files = {
            "mine": filed(anonymous=True, reporter=WHO),
            "theirs": filed(anonymous=True, reporter=WHO, category="kesehatan"),
        }
        aids = {}
        for name, tid in files.items():
            r = client.http.post(
                f"/v1/reports/{tid}/attachments",
                headers={**bearer("platform_admin"), "Content-Type": "application/json"},
                body=json.dumps(
                    {"filename": "Rahasia Wibowo KTP.png", "content_type": "image/png", "size": 99}
                ),
            )
            assert r.status_code == 201, r.body
            slot = json.loads(r.body)
            store.upload(slot["upload"]["fields"]["key"], samples.png(), "image/png")
            assert deliver(client, store, slot["upload"]["fields"]["key"]) == {
                "batchItemFailures": []
            }
            aids[name] = slot["attachment"]["id"]
        officer = browser_as(client, "officer", BANDUNG)
        mine, theirs = files["mine"], files["theirs"]
        page = text(officer.get(f"/en/staf/laporan/{mine}"))
        assert aids["mine"] in page and "Rahasia Wibowo" not in page  # a neutral file name
        assert officer.get(f"/en/staf/laporan/{mine}/lampiran/{aids['mine']}").status_code == 302
        # another report's file under my report's address, and the other report itself
        assert officer.get(f"/en/staf/laporan/{mine}/lampiran/{aids['theirs']}").status_code == 404
        assert (
            officer.get(f"/en/staf/laporan/{theirs}/lampiran/{aids['theirs']}").status_code == 403
        )
        guess = aids["theirs"][:-1] + ("a" if aids["theirs"][-1] != "a" else "b")
        assert officer.get(f"/en/staf/laporan/{theirs}/lampiran/{guess}").status_code == 403
        got = officer.get(f"/en/staf/laporan/{mine}/lampiran/{aids['mine']}")
        assert "Wibowo" not in got.headers["Location"]
    finally:
        settings.cache_clear()


# ---------------------------------------------------------------- an anonymous reporter's identity

IDENTITY = ("Rahasia Wibowo", "rahasia.w@contoh.id", "0813-9988-7766", "81399887766")


def test_an_anonymous_reporters_identity_is_on_no_page_an_agency_or_executive_gets(
    client, filed, clock, deliveries
):
    tid = filed(anonymous=True, reporter=WHO)
    note = client.http.post(  # a timeline with staff in it too
        f"/v1/staff/reports/{tid}/notes",
        headers={**bearer("officer", BANDUNG), "Content-Type": "application/json"},
        body=json.dumps({"text": "Cek ke lokasi besok."}),
    )
    assert note.status_code == 200, note.body
    deliveries.record(
        DeliveryAttempt(
            "d1", tid, "report.assigned", BANDUNG, "webhook", "wh_1", 1, "gave_up", clock.now()
        )
    )
    clock.advance(days=30)  # overdue: on the dashboard's list
    pages = [
        "/en/staf",
        "/en/staf/kotak-masuk",
        "/en/staf/kotak-masuk?overdue=1&status=in_progress",
        f"/en/staf/laporan/{tid}",
        f"/en/staf/laporan/{tid}/identitas",
        "/en/staf/dasbor",
        f"/en/staf/dasbor?agency={BANDUNG}",
        "/en/staf/webhook",
        "/en/staf/pengiriman",
        f"/en/staf/pengiriman?laporan={tid}",
        "/en/staf/verifikasi",
    ]
    seen_report = set()
    for role, agency in [
        ("officer", BANDUNG),
        ("officer", JABAR),
        ("agency_admin", BANDUNG),
        ("executive", BANDUNG),
        ("executive", JABAR),
    ]:
        browser = browser_as(client, role, agency)
        for path in pages:
            r = browser.get(path)
            shown = text(r) + json.dumps(dict(r.headers))
            for marker in IDENTITY:
                assert marker not in shown, (role, agency, path, marker)
            if tid in shown:
                seen_report.add((role, path.split("?")[0]))
        posted = browser.post(f"/en/staf/laporan/{tid}/identitas", {"reason": "x" * 20})
        assert posted.status_code == 403
        assert not any(marker in text(posted) for marker in IDENTITY)
    # the pages did show the report (the test looked where the identity could be)
    assert ("officer", f"/en/staf/laporan/{tid}") in seen_report
    assert ("executive", "/en/staf/dasbor") in seen_report
    assert ("agency_admin", "/en/staf/pengiriman") in seen_report


# ---------------------------------------------------------------- CSRF, origin, sessions


@pytest.mark.parametrize("segment", ACTION_SEGMENTS)
def test_a_console_action_needs_the_token_the_origin_and_a_live_session(
    client, filed, reports, segment
):
    fields = {
        "message": "Sedang kami tindak lanjuti.",
        "text": "Catatan",
        "reason": "too_general",
        "agency_id": KEMENKES,
        "note": "Catatan",
    }
    tid = filed(routed=segment not in ("disposisi", "arsipkan"))
    browser = browser_as(client, "platform_admin", None, "admin")
    path = f"/staf/laporan/{tid}/{segment}"
    version = reports.get(tid).version
    csrf = browser.csrf()
    refused = [
        browser.post(path, fields, csrf=False),
        browser.post(path, {**fields, "csrf": "0" * 64}),
        browser.post(path, {**fields, "csrf": csrf}, headers={"Origin": "https://evil.example"}),
        browser.post(path, {**fields, "csrf": csrf}, headers={"Origin": "null"}),
        browser.post(path, {**fields, "csrf": csrf}, headers={"Origin": "http://127.0.0.1:8000.x"}),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    # the token of another browser's nonce
    other = Browser(client)
    assert browser.post(path, {**fields, "csrf": other.csrf()}).status_code == 403
    # an expired session (past the verifier's leeway) and no refresh token: sign in again
    browser.cookies["sp_staff"] = token(
        **{"cognito:groups": ["platform_admin"], "cognito:username": "admin", "exp": 1}
    )
    r = browser.post(path, {**fields, "csrf": csrf})
    assert r.status_code == 303 and r.headers["Location"].startswith("/staf/masuk")
    assert reports.get(tid).version == version


def test_the_session_tokens_never_reach_a_page_or_an_address(client, filed):
    tid = filed(anonymous=True, reporter=WHO)
    for role, agency in [("officer", BANDUNG), ("platform_admin", None), ("executive", JABAR)]:
        browser = browser_as(client, role, agency)
        browser.cookies["sp_staff_r"] = "refresh-token-" + "r" * 40
        id_token = browser.cookies["sp_staff"]
        for path in [
            "/staf",
            "/staf/kotak-masuk",
            f"/staf/laporan/{tid}",
            f"/staf/laporan/{tid}/identitas",
            "/staf/dasbor",
            "/staf/webhook",
            "/staf/pengiriman",
            "/staf/verifikasi",
            "/staf/laporan/ABCDEFGHJK",
        ]:
            r = browser.get(path)
            body = r.body.decode()
            for secret in (id_token, id_token.split(".")[1], "r" * 40):
                assert secret not in body, (role, path)
                assert secret not in r.headers.get("Location", ""), (role, path)


# ---------------------------------------------------- markup from reports and the directory

XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def test_report_text_agency_names_and_webhook_urls_are_escaped(
    client, filed, directory, targets, clock
):
    from chalicelib.services.ports import WebhookTarget

    directory._agencies = [
        Agency(a.id, a.name + XSS, a.type, parent_id=a.parent_id, categories=a.categories)
        if a.id in (DUKCAPIL, KEMENKES)
        else a
        for a in directory._agencies
    ]
    directory._categories["kesehatan"] = Category("kesehatan", "Kesehatan" + XSS, "national")
    tid = filed(title="Judul " + XSS, description="Isi laporan yang cukup panjang " + XSS)
    clock.advance(days=30)  # overdue: on the dashboard's list too
    targets.save(
        WebhookTarget(
            id="wh_x",
            agency_id=BANDUNG,
            url="https://contoh.go.id/" + XSS,
            events=("*",),
            secret="whsec_x",
            active=True,
            created_at=datetime(2026, 3, 1, tzinfo=UTC),
            updated_at=datetime(2026, 3, 1, tzinfo=UTC),
        )
    )
    for role, agency, path in [
        ("officer", BANDUNG, f"/en/staf/laporan/{tid}"),
        ("officer", BANDUNG, "/en/staf/kotak-masuk"),
        ("agency_admin", BANDUNG, "/en/staf/webhook"),
        ("platform_admin", None, f"/en/staf/webhook?instansi={KEMENKES}"),
        ("platform_admin", None, f"/en/staf/laporan/{tid}"),
        ("platform_admin", None, "/en/staf/dasbor"),
        ("executive", JABAR, "/en/staf/dasbor"),
    ]:
        r = browser_as(client, role, agency).get(path)
        assert r.status_code < 400, (path, r.status_code)
        body = r.body.decode()
        assert "<script>alert" not in body and "<img src=x" not in body, (role, path)
        assert "&lt;script&gt;alert" in body, (role, path)  # it was there, escaped


# ---------------------------------------------- another agency's webhooks and deliveries


def test_an_agency_admin_reaches_no_other_agencys_webhooks_by_query_form_or_id(
    client, targets, deliveries, clock
):
    theirs = webhooks.register(
        targets, clock, agency_id=KEMENKES, url="https://contoh.go.id/k", events=["*"], dev=True
    )
    deliveries.record(
        DeliveryAttempt(
            "d9",
            "23456789AB",
            "report.assigned",
            KEMENKES,
            "webhook",
            theirs.id,
            1,
            "gave_up",
            clock.now(),
            error="kemenkes-only detail",
        )
    )
    admin = browser_as(client, "agency_admin", BANDUNG)
    assert admin.get(f"/staf/webhook?instansi={KEMENKES}").status_code == 403
    assert admin.get(f"/staf/pengiriman?instansi={KEMENKES}").status_code == 403
    own_log = text(admin.get("/staf/pengiriman?laporan=23456789AB"))
    assert "kemenkes-only detail" not in own_log and theirs.url not in own_log
    registered = admin.post(
        "/staf/webhook",
        {"url": "https://contoh.go.id/x", "ev-*": "on", "instansi": KEMENKES},
    )
    assert registered.status_code == 403 and targets.for_agency(KEMENKES) == [theirs]
    for segment in ("nonaktifkan", "ganti-rahasia"):
        for fields in ({}, {"instansi": KEMENKES}):
            r = admin.post(f"/staf/webhook/{theirs.id}/{segment}", fields)
            assert r.status_code in (403, 404)
            assert theirs.secret not in r.body.decode()
    assert targets.get(KEMENKES, theirs.id) == theirs  # untouched
    # the secret is shown on the answer that made it, and on no later page
    platform = browser_as(client, "platform_admin")
    for path in (f"/staf/webhook?instansi={KEMENKES}", f"/staf/pengiriman?instansi={KEMENKES}"):
        assert theirs.secret not in platform.get(path).body.decode()
