"""The web portal through Chalice's test client with the services wired to fakes: pages in
both languages, the citizen's path without JavaScript (submit, track, reply, rate,
confirm, reopen), what is refused (CSRF, foreign origins, bad forms, wrong tokens), and
what never happens (a token in a URL, Jinja2 in the API's cold start)."""

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from html import unescape

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.directory import Agency, Category
from chalicelib.domain.report import Channel
from chalicelib.services import access_tokens
from chalicelib.services.routing import route_submitted
from tests.fakes import FakeDirectory
from tests.unit.api_helpers import bearer
from tests.unit.portal_helpers import HOST, Browser

BANDUNG = "pemkot-bandung"
CATEGORIES = [
    Category(
        "infrastruktur",
        "Infrastruktur",
        "regional",
        name_en="Infrastructure",
        description="Jalan, jembatan, dan drainase.",
    ),
    Category("kesehatan", "Kesehatan", "regional", name_en="Health"),
]
AGENCIES = [
    Agency("pemprov-jabar", "Pemerintah Provinsi Jawa Barat", "local_government", region_code="32"),
    Agency(
        BANDUNG,
        "Pemerintah Kota Bandung",
        "local_government",
        parent_id="pemprov-jabar",
        region_code="32.73",
        categories=("infrastruktur",),
    ),
    Agency("pemkab-bogor", "Pemerintah Kabupaten Bogor", "local_government", region_code="32.01"),
    Agency("pemkot-surabaya", "Pemerintah Kota Surabaya", "local_government", region_code="35.78"),
]
OFFICER = bearer("officer", BANDUNG, "officer.bandung")
FORM = {
    "kind": "complaint",
    "title": "Jalan berlubang di depan pasar",
    "description": "Jalan di depan Pasar Kosambi berlubang besar sejak tiga bulan.",
    "category": "infrastruktur",
    "province": "32",
    "regency": "32.73",
    "incident_date": "2026-03-10",
    "name": "Siti Rahayu",
    "phone": "0812-3456-7890",
    "email": "",
    "lat": "",
    "lon": "",
}


@pytest.fixture
def directory():
    return FakeDirectory(CATEGORIES, AGENCIES)


@pytest.fixture
def clock(clock):
    clock.at = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)  # Tuesday 10:00 in Jakarta
    return clock


def text(response) -> str:
    return unescape(response.body.decode())


@pytest.fixture
def client(wired, trusted_staff_tokens):
    with Client(app) as c:
        yield c


@pytest.fixture
def browser(client):
    return Browser(client)


def submit(browser, lang="", **fields):
    page = browser.get(f"{lang}/lapor")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.body.decode()).group(1)
    return browser.post(f"{lang}/lapor", {**FORM, "idempotency_key": key, **fields})


def saved(response) -> tuple[str, str]:
    page = text(response)
    tid = re.search(r'id="tracking-id">([A-Z0-9]{10})<', page).group(1)
    token = re.search(r'id="access-token">([^<]+)<', page).group(1)
    return tid, token


# ---------------------------------------------------------------- pages and headers


def test_a_browser_gets_the_home_page_in_bahasa_indonesia_and_an_api_client_json(browser, client):
    r = browser.get("/")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    page = text(r)
    assert '<html lang="id"' in page
    assert "Satu pintu untuk setiap laporan" in page
    assert 'href="/en"' in page  # the other language, one link away
    api = client.http.get("/", headers={"Accept": "application/json"})
    assert json.loads(api.body)["name"] == "Satu Pintu API"
    assert "Accept" in api.headers["Vary"] and "Accept" in r.headers["Vary"]
    assert json.loads(client.http.get("/").body)["name"] == "Satu Pintu API"  # no Accept


def test_the_home_page_shows_national_figures(browser, stats_reader):
    page = text(browser.get("/en"))
    assert '<html lang="en"' in page
    assert "One door for every report" in page
    assert "Reports in the last 30 days" in page
    assert "Reports received" in page or "too few reports" in page


@pytest.mark.parametrize("path", ["/", "/en", "/lapor", "/en/lapor", "/lacak", "/en/lacak"])
def test_every_page_is_safe_to_serve(browser, path):
    r = browser.get(path)
    assert r.status_code == 200
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["Cache-Control"] == "no-store"
    page = r.body.decode()
    # no inline script or style, no inline event handlers: the CSP would block them
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    assert "<style" not in page and " style=" not in page
    assert re.search(r"\son[a-z]+=", page) is None


def test_the_submission_form_offers_kinds_categories_and_regions_in_the_readers_language(browser):
    page = text(browser.get("/en/lapor"))
    assert "Infrastructure" in page and "Health" in page  # name_en
    assert '<dd lang="id">Jalan, jembatan, dan drainase.</dd>' in page  # described, marked
    assert '<option value="32">Jawa Barat</option>' in page
    assert '<optgroup label="Jawa Barat" data-province="32">' in page
    assert '<option value="32.73">Kota Bandung</option>' in page
    assert '<option value="32.01">Kabupaten Bogor</option>' in page
    page_id = text(browser.get("/lapor"))
    assert "Pengaduan" in page_id and "Infrastruktur" in page_id
    assert "Anonim" in page_id and "Rahasia" in page_id


def test_static_assets_are_served_under_their_hash_for_a_year(browser, client):
    page = browser.get("/").body.decode()
    css = re.search(r'href="(/static/portal\.[0-9a-f]{10}\.css)"', page).group(1)
    js = re.search(r'src="(/static/portal\.[0-9a-f]{10}\.js)"', page).group(1)
    r = client.http.get(css)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/css; charset=utf-8"
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b".wrap" in r.body
    assert client.http.get(js).headers["Content-Type"].startswith("text/javascript")
    assert client.http.get("/static/portal.0000000000.css").status_code == 404  # old hash
    assert client.http.get("/static/secret.txt").status_code == 404


# ---------------------------------------------------------------- submit


def test_a_report_filed_through_the_form_is_stored_and_its_token_shown_once(browser, reports):
    r = submit(browser)
    assert r.status_code == 201, text(r)[:2000]
    tid, token = saved(r)
    stored = reports.reports[tid]
    assert stored.channel == Channel.WEB
    assert stored.language == "id"
    assert stored.region == "32.73" and stored.category == "infrastruktur"
    assert stored.reporter.phone == "+6281234567890"
    assert stored.access_token_hash == access_tokens.digest(token)
    assert "Simpan sekarang" in text(r)
    # the token rides in an HttpOnly, SameSite=Strict cookie named after the report
    cookie = next(c for c in r.headers["Set-Cookie"] if c.startswith(f"sp_rt_{tid}="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert token not in r.headers.get("Location", "")


def test_english_reports_are_filed_in_english(browser, reports):
    tid, _ = saved(submit(browser, "/en"))
    assert reports.reports[tid].language == "en"


def test_sending_the_same_form_twice_files_one_report(browser, reports):
    page = browser.get("/lapor")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.body.decode()).group(1)
    first = browser.post("/lapor", {**FORM, "idempotency_key": key})
    again = browser.post("/lapor", {**FORM, "idempotency_key": key})
    assert first.status_code == 201 and again.status_code == 200
    assert saved(first) == saved(again)
    assert len(reports.reports) == 1


def test_a_changed_form_sent_with_a_used_key_is_refused_with_a_fresh_key(browser, reports):
    page = browser.get("/lapor")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.body.decode()).group(1)
    browser.post("/lapor", {**FORM, "idempotency_key": key})
    r = browser.post("/lapor", {**FORM, "title": "Judul lain sama sekali", "idempotency_key": key})
    assert r.status_code == 409
    assert key not in r.body.decode()
    assert len(reports.reports) == 1


def test_errors_are_shown_next_to_their_fields_and_what_was_typed_is_kept(browser, reports):
    r = submit(browser, title="abc", name="", phone="", description="Pendek")
    assert r.status_code == 422
    page = text(r)
    assert 'id="error-summary"' in page
    assert 'href="#title"' in page and 'href="#description"' in page and 'href="#name"' in page
    assert 'id="title-error"' in page
    assert re.search(r'id="title"[^>]*aria-invalid="true"', page)
    assert "Tulis paling sedikit 5 karakter." in page
    assert 'value="abc"' in page and ">Pendek</textarea>" in page  # kept
    assert '<option value="32.73" selected>' in page
    assert reports.reports == {}


def test_errors_in_english(browser, reports):
    r = submit(browser, "/en", phone="12", email="not-mail")
    assert r.status_code == 422
    page = text(r)
    assert "This is not a phone number we can reach" in page
    assert 'id="phone-error"' in page
    assert reports.reports == {}


def test_a_regency_outside_the_chosen_province_is_refused(browser, reports):
    r = submit(browser, province="35", regency="32.73")
    assert r.status_code == 422
    assert 'id="regency-error"' in text(r)
    assert reports.reports == {}


def test_a_future_incident_date_and_garbage_coordinates_are_refused(browser, reports):
    r = submit(browser, incident_date="2030-01-01", lat="north", lon="1")
    assert r.status_code == 422
    assert 'id="lat-error"' in text(r)
    r = submit(browser, incident_date="2030-01-01")
    assert r.status_code == 422
    assert "Tanggal tidak boleh di masa depan." in text(r)
    assert reports.reports == {}


def test_an_anonymous_report_needs_no_identity(browser, reports):
    r = submit(browser, anonymous="on", confidential="on", name="", phone="")
    assert r.status_code == 201
    tid, _ = saved(r)
    assert reports.reports[tid].anonymous and reports.reports[tid].confidential


# ---------------------------------------------------------------- refused posts


def test_a_post_without_the_csrf_token_is_refused_and_nothing_stored(browser, reports):
    browser.get("/lapor")
    r = browser.post("/lapor", FORM, csrf=False)
    assert r.status_code == 403
    assert "kedaluwarsa" in text(r)
    assert reports.reports == {}


def test_a_csrf_token_for_another_cookie_is_refused(browser, client, reports):
    other = Browser(client)
    token = other.csrf()
    browser.get("/lapor")  # a cookie of its own
    assert browser.post("/lapor", {**FORM, "csrf": token}).status_code == 403
    assert reports.reports == {}


def test_a_post_from_another_origin_is_refused(browser, reports):
    r = browser.post("/lapor", FORM, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert reports.reports == {}


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/json", b'{"title": "x"}'),
        ("application/x-www-form-urlencoded", b"title=%FF%FE"),
        ("application/x-www-form-urlencoded", "&".join(f"f{i}=1" for i in range(100)).encode()),
    ],
)
def test_a_body_that_is_not_a_readable_form_is_400(browser, reports, content_type, body):
    browser.get("/lapor")
    headers = browser._headers({"Content-Type": content_type})
    r = browser.client.http.post("/lapor", headers=headers, body=body)
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert reports.reports == {}


# ---------------------------------------------------------------- track and act


def track(browser, tid, token, lang=""):
    return browser.post(f"{lang}/lacak", {"tracking_id": tid, "access_token": token})


def test_tracking_with_the_right_token_shows_the_report_and_keeps_the_token_out_of_urls(
    client, reports
):
    filer = Browser(client)
    tid, token = saved(submit(filer))
    browser = Browser(client)  # another device: no cookie yet
    r = browser.get(f"/lacak/{tid}")
    assert r.status_code == 200 and f'value="{tid}"' in text(r)  # asks for the token
    r = track(browser, tid.lower(), token)
    assert r.status_code == 303
    assert r.headers["Location"] == f"/lacak/{tid}"
    assert token not in r.headers["Location"]
    page = text(browser.get(r.headers["Location"]))
    assert "Jalan berlubang di depan pasar" in page
    assert "Belum Terverifikasi" in page
    assert "Laporan diterima" in page  # the timeline
    assert token not in page  # never shown again
    for url in re.findall(r'(?:href|action)="([^"]+)"', page):
        assert token not in url


def test_a_wrong_token_or_unknown_id_gets_the_same_answer_and_no_cookie(client, reports):
    filer = Browser(client)
    tid, token = saved(submit(filer))
    browser = Browser(client)
    wrong = track(browser, tid, token[:-2] + "xx")
    unknown = track(browser, "K7M3QX9P2A", token)
    assert wrong.status_code == unknown.status_code == 404
    assert not any(name.startswith("sp_rt_") for name in browser.cookies)
    message = "Tidak ada laporan dengan nomor pelacakan dan token akses ini"
    assert message in text(wrong) and message in text(unknown)
    assert track(browser, "", "").status_code == 422


def test_a_malformed_tracking_id_in_the_path_is_404(browser):
    r = browser.get("/lacak/not-an-id!")
    assert r.status_code == 404


@pytest.fixture
def routed(uow, directory, outlets, clock, calendar):
    def _route(tid):
        route_submitted(
            tid, uow=uow, directory=directory, outlets=outlets, clock=clock, calendar=calendar
        )

    return _route


def officer(client, method, path, body=None):
    headers = {"Content-Type": "application/json", **OFFICER}
    return getattr(client.http, method)(path, headers=headers, body=json.dumps(body or {}))


def test_the_citizens_whole_path_without_javascript(client, browser, reports, routed):
    tid, _ = saved(submit(browser, "/en"))
    routed(tid)
    # the agency asks; the reporter answers on the portal
    r = officer(
        client,
        "post",
        f"/v1/staff/reports/{tid}/information-requests",
        {"message": "Mohon kirim titik lokasi persisnya."},
    )
    assert r.status_code == 200, r.body
    page = text(browser.get(f"/en/lacak/{tid}"))
    assert "The agency is waiting for your answer." in page
    assert "Mohon kirim titik lokasi persisnya." in page
    assert 'id="rate"' not in page and 'id="confirm"' not in page  # not allowed yet
    r = browser.post(f"/en/lacak/{tid}/balas", {"message": "Di depan gerbang utara pasar."})
    assert r.status_code == 303
    assert r.headers["Location"] == f"/en/lacak/{tid}?done=reply#status"
    page = text(browser.get(f"/en/lacak/{tid}?done=reply"))
    assert "Your message was added to the report." in page
    assert "Di depan gerbang utara pasar." in page
    assert [e.action for e in reports.timeline(tid)][-1] == "reporter_replied"

    # the final response opens rating and confirmation
    officer(
        client,
        "post",
        f"/v1/staff/reports/{tid}/final-response",
        {"message": "Lubang sudah ditambal."},
    )
    page = text(browser.get(f"/en/lacak/{tid}"))
    assert 'id="rate"' in page and 'id="confirm"' in page
    assert browser.post(f"/en/lacak/{tid}/nilai", {"score": "9"}).status_code == 422
    r = browser.post(f"/en/lacak/{tid}/nilai", {"score": "4", "comment": "Cukup cepat"})
    assert r.status_code == 303
    assert reports.reports[tid].rating.score == 4
    r = browser.post(f"/en/lacak/{tid}/konfirmasi", {})
    assert r.status_code == 303
    assert reports.reports[tid].status == "completed"
    page = text(browser.get(f"/en/lacak/{tid}?done=confirm"))
    assert "Thank you. The report is completed." in page
    assert 'id="reopen"' in page and 'id="reply"' not in page

    # reopening needs a reason
    assert browser.post(f"/en/lacak/{tid}/buka-kembali", {"reason": ""}).status_code == 422
    r = browser.post(f"/en/lacak/{tid}/buka-kembali", {"reason": "Lubangnya muncul lagi."})
    assert r.status_code == 303
    assert reports.reports[tid].status == "in_progress"


def test_an_action_the_status_does_not_allow_is_409_and_changes_nothing(browser, reports):
    tid, _ = saved(submit(browser))
    r = browser.post(f"/lacak/{tid}/konfirmasi", {})
    assert r.status_code == 409
    assert "tidak dapat dilakukan lagi" in text(r)
    assert reports.reports[tid].status == "unverified"


def test_acting_without_the_token_cookie_asks_for_the_token(client, reports):
    filer = Browser(client)
    tid, _ = saved(submit(filer))
    stranger = Browser(client)
    r = stranger.post(f"/lacak/{tid}/balas", {"message": "Saya bukan pelapornya"})
    assert r.status_code == 401
    assert [e.action for e in reports.timeline(tid)] == ["submitted"]


def test_forgetting_the_token_clears_its_cookie(browser):
    tid, _ = saved(submit(browser))
    assert f"sp_rt_{tid}" in browser.cookies
    r = browser.post(f"/lacak/{tid}/lupakan", {})
    assert r.status_code == 303 and r.headers["Location"] == "/lacak"
    assert f"sp_rt_{tid}" not in browser.cookies
    assert 'name="access_token"' in text(browser.get(f"/lacak/{tid}"))


# ---------------------------------------------------------------- serving


def test_behind_api_gateway_links_carry_the_stage_and_cookies_are_host_only(client):
    r = client.http.get(
        "/en/lacak", headers={"Host": "abc.execute-api.example", "X-Forwarded-Proto": "https"}
    )
    cookie = r.headers["Set-Cookie"][0]
    assert cookie.startswith("__Host-sp_csrf=") and "Secure" in cookie


def test_the_api_cold_start_does_not_load_jinja2():
    code = "import app, sys; print('jinja2' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"SATUPINTU_STAGE": "dev", "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- attachments


def test_without_javascript_a_file_goes_to_the_bucket_by_a_plain_form(browser, store, reports):
    tid, _ = saved(submit(browser))
    page = text(browser.get(f"/lacak/{tid}"))
    assert 'id="attach-form"' in page
    assert (
        "connect-src 'self' https://bucket.example"
        in browser.last.headers["Content-Security-Policy"]
    )
    r = browser.post(f"/lacak/{tid}/lampiran", {"content_type": "image/png"})
    assert r.status_code == 200
    page = text(r)
    assert 'action="https://bucket.example/"' in page
    assert 'enctype="multipart/form-data"' in page
    redirect = f"http://{HOST}/lacak/{tid}/terkirim"
    assert f'name="success_action_redirect" value="{redirect}"' in page
    assert page.index('name="key"') < page.index('type="file"')  # the file comes last
    assert "form-action 'self' https://bucket.example" in r.headers["Content-Security-Policy"]
    # the bucket sends the browser back to a page that needs no cookie
    back = Browser(browser.client).get(f"/lacak/{tid}/terkirim?bucket=b&key=k&etag=e")
    assert back.status_code == 200 and "Berkas Anda sudah diterima" in text(back)


def test_with_javascript_the_slot_comes_as_json_and_the_file_is_listed_once_checked(
    browser, store, reports
):
    from chalicelib import bootstrap
    from tests import samples

    tid, _ = saved(submit(browser, "/en"))
    browser.get(f"/en/lacak/{tid}")
    r = browser.post(
        f"/en/lacak/{tid}/lampiran",
        {"content_type": "image/png", "filename": "jalan.png", "size": str(len(samples.png()))},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 201, r.body
    slot = json.loads(r.body)
    assert slot["url"] == "https://bucket.example/"
    assert "success_action_redirect" not in slot["fields"]
    key = slot["fields"]["key"]
    page = text(browser.get(f"/en/lacak/{tid}"))
    assert "jalan.png: being checked" in page

    store.upload(key, samples.png(), "image/png")
    assert bootstrap.attachment_service().process_upload(key).result == "accepted"
    page = text(browser.get(f"/en/lacak/{tid}?done=attach"))
    assert "Your file was received." in page
    link = re.search(
        r'<a href="(/en/lacak/[^"]+/lampiran/[0-9a-z]{12})">jalan.png</a>: added', page
    )
    assert link
    r = browser.get(link.group(1))
    assert r.status_code == 302 and r.headers["Location"].startswith("https://bucket.example/")
    # someone else's browser gets no file
    assert Browser(browser.client).get(link.group(1)).status_code == 200  # the token form
    assert "access_token" in text(browser.client.http.get(link.group(1), headers={"Host": HOST}))


def test_a_file_the_portal_cannot_take_is_refused_and_no_slot_opened(browser, attachments):
    tid, _ = saved(submit(browser))
    browser.get(f"/lacak/{tid}")
    r = browser.post(f"/lacak/{tid}/lampiran", {"content_type": "text/html"})
    assert r.status_code == 422 and "Pilih foto JPEG" in text(r)
    r = browser.post(
        f"/lacak/{tid}/lampiran",
        {"content_type": "image/png", "size": str(50 * 1024 * 1024)},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 422 and "lebih besar" in json.loads(r.body)["error"]
    stranger = Browser(browser.client)
    assert stranger.post(f"/lacak/{tid}/lampiran", {"content_type": "image/png"}).status_code == 401
    assert attachments.slots(tid)[0] == []


# ---------------------------------------------------------------- installable, offline


def test_the_service_worker_is_served_from_the_root_filled_in(client, browser):
    r = client.http.get("/sw.js", headers={"Host": HOST})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert r.headers["Cache-Control"] == "no-cache"
    body = r.body.decode()
    assert 'var BASE = "";' in body
    assert '{"id": "/offline", "en": "/en/offline"}' in body
    page = browser.get("/").body.decode()
    css = re.search(r'href="(/static/portal\.[0-9a-f]{10}\.css)"', page).group(1)
    assert css in body  # precached under the name the pages use
    assert "__" not in re.sub(r"//.*|/\*.*?\*/", "", body, flags=re.S).replace("__proto", "")


def test_the_manifest_makes_the_portal_installable(client):
    r = client.http.get("/manifest.webmanifest", headers={"Host": HOST})
    assert r.headers["Content-Type"] == "application/manifest+json"
    manifest = json.loads(r.body)
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    icon = manifest["icons"][0]["src"]
    assert re.fullmatch(r"/static/icon\.[0-9a-f]{10}\.svg", icon)
    assert client.http.get(icon).headers["Content-Type"] == "image/svg+xml"


def test_the_offline_pages_say_what_happened(browser):
    assert 'id="kept"' not in text(browser.get("/offline"))
    assert "Laporan Anda disimpan di perangkat ini" in text(browser.get("/offline?kept=1"))
    assert "Your report is kept on this device" in text(browser.get("/en/offline?kept=1"))


def test_the_csrf_cookie_outlives_the_session_for_reports_sent_later(browser):
    r = browser.get("/lapor")
    cookie = next(c for c in r.headers["Set-Cookie"] if c.startswith("sp_csrf="))
    assert "Max-Age=2592000" in cookie


# ---------------------------------------------------------------- the public feed


def test_the_public_feed_lists_what_agencies_handle_without_identity(client, browser, routed):
    tid, _ = saved(submit(browser))
    hidden, _ = saved(submit(browser, title="Rahasia: pungli di kelurahan", confidential="on"))
    saved(submit(browser, title="Belum diverifikasi siapa pun"))
    routed(tid)
    routed(hidden)
    officer(client, "post", f"/v1/staff/reports/{tid}/responses", {"message": "Tim meninjau."})
    page = text(browser.get("/publik"))
    assert "Jalan berlubang di depan pasar" in page
    assert "Tim meninjau." in page and "Pemerintah Kota Bandung" in page
    assert "Rahasia: pungli" not in page  # confidential: never listed
    assert "Belum diverifikasi" not in page  # unverified: not yet
    assert "Siti" not in page and "6281234567890" not in page
    english = text(browser.get("/en/publik?status=in_progress&category=infrastruktur"))
    assert "Jalan berlubang di depan pasar" in english and "In progress" in english
    assert "Jalan berlubang" not in text(browser.get("/publik?status=completed"))
    # a made-up status, topic or cursor is ignored, never a 500
    r = browser.get("/publik?status=nonsense&category=nope&after=forged.cursor")
    assert r.status_code == 200 and "Jalan berlubang di depan pasar" in text(r)


def test_the_public_feed_pages_on(client, browser, routed, monkeypatch, clock):
    from datetime import timedelta

    from chalicelib.portal import pages

    monkeypatch.setattr(pages, "FEED_PAGE", 1)
    first, _ = saved(submit(browser, title="Laporan pertama tentang jalan"))
    clock.at += timedelta(minutes=5)
    second, _ = saved(submit(browser, title="Laporan kedua tentang jalan"))
    routed(first)
    routed(second)
    page = text(browser.get("/publik"))
    assert "Laporan kedua" in page and "Laporan pertama" not in page
    older = re.search(r'href="(/publik\?after=[^"]+)"', page).group(1)
    page = text(browser.get(older))
    assert "Laporan pertama" in page and "Laporan kedua" not in page


def test_a_public_report_page_shows_what_anyone_may_see(client, browser, routed):
    long = "Jalan di depan Pasar Kosambi berlubang besar. " * 20  # ~900 characters
    tid, _ = saved(submit(browser, description=long))
    secret, _ = saved(submit(browser, title="Pungli di kantor kelurahan", confidential="on"))
    routed(tid)
    officer(client, "post", f"/v1/staff/reports/{tid}/responses", {"message": "Tim meninjau."})
    feed = text(browser.get("/en/publik"))
    assert long.strip() not in feed and "…" in feed  # the feed shows the start only
    assert f'href="/en/publik/{tid}"' in feed
    page = text(browser.get(f"/en/publik/{tid}"))
    assert long.strip() in page and "Tim meninjau." in page
    assert "The agency responded" in page
    assert "Siti" not in page and "6281234567890" not in page and "sp_rt_" not in page
    hidden = text(browser.get(f"/publik/{secret}"))
    assert "Laporan ini rahasia" in hidden and "Pungli" not in hidden
    assert browser.get("/publik/K7M3QX9P2A").status_code == 404


def test_regencies_are_worked_out_again_when_the_directory_reloads():
    from chalicelib.portal import choices

    class Directory:
        def __init__(self, agencies):
            self.agencies = agencies

        def all_agencies(self):
            return self.agencies

    directory = Directory(list(AGENCIES))
    first = choices.regencies(directory)
    assert choices.regencies(directory) is first  # the same list: not worked out again
    directory.agencies = [
        *AGENCIES,
        Agency(
            "pemkab-garut", "Pemerintah Kabupaten Garut", "local_government", region_code="32.05"
        ),
    ]
    names = [c.name for c in choices.regencies(directory)["32"]]
    assert "Kabupaten Garut" in names
