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
from chalicelib.adapters import jwt_verifier
from chalicelib.domain.directory import Agency, Category
from chalicelib.services.routing import route_submitted
from tests.fakes import FakeDeliveryLog, FakeDirectory
from tests.unit.api_helpers import AUDIENCE, ISSUER, VALID, StaticJwks
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
def client(wired, deliveries, monkeypatch):
    bootstrap.override(deliveries=deliveries)
    verifier = jwt_verifier.JwtVerifier(ISSUER, AUDIENCE, "unused", jwks_client=StaticJwks())
    monkeypatch.setattr(jwt_verifier, "default_verifier", lambda: verifier)
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
ACTION_SEGMENTS = (
    "tanggapi",
    "minta-informasi",
    "alihkan",
    "catatan",
    "tanggapan-akhir",
    "disposisi",
    "arsipkan",
    "pulihkan",
    "pindahkan",
    "tutup",
)
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
