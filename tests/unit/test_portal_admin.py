"""The staff console's admin pages through Chalice's test client, services wired to fakes:
the verification queue, reading a reporter's identity with a reason, an agency's webhooks
(the signing secret shown once) and the delivery log — who may open each, what each
refuses (no CSRF, another agency, bad input: a 4xx page, never a 500), in both languages."""

import re
from datetime import timedelta
from html import unescape

import pytest
from chalice.test import Client

from app import app
from chalicelib import bootstrap
from chalicelib.domain.directory import Agency, Category
from chalicelib.domain.report import Channel
from chalicelib.services import webhooks
from chalicelib.services.ports import DeliveryAttempt, WebhookTarget
from chalicelib.services.routing import route_submitted
from chalicelib.services.sla import sla_clock
from tests.builders import submitted_report
from tests.fakes import FakeDeliveryLog, FakeDirectory
from tests.unit.portal_helpers import Browser

BANDUNG = "pemkot-bandung"
CATEGORIES = [
    Category("infrastruktur", "Infrastruktur", "regional", name_en="Infrastructure"),
    Category("imigrasi", "Imigrasi", "national", name_en="Immigration"),
]
AGENCIES = [
    Agency("kemenkes", "Kementerian Kesehatan", "ministry"),
    Agency(
        BANDUNG,
        "Pemerintah Kota Bandung",
        "local_government",
        region_code="32.73",
        categories=("infrastruktur",),
    ),
]
SECRET_SHAPE = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")


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


@pytest.fixture
def browser(client):
    return Browser(client)


def admin(browser):
    return browser.sign_in_as("platform_admin", username="admin")


def bandung_admin(browser):
    return browser.sign_in_as("agency_admin", BANDUNG, "agencyadmin.pemkot-bandung")


def text(response) -> str:
    return unescape(response.body.decode())


@pytest.fixture
def routed(reports, uow, directory, outlets, clock, calendar):
    """A report filed (with its verification deadline, as submission sets it) and routed:
    held for verification unless a rule routes it."""

    def _routed(tracking_id, **fields):
        fields = {"channel": Channel.WEB, **fields}
        sla = sla_clock(directory, calendar, fields.get("category", "infrastruktur"))
        report = submitted_report(clock.now(), tracking_id, sla=sla, **fields)
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


ROLES_REFUSED_VERIFICATION = [
    ("officer", BANDUNG),
    ("agency_admin", BANDUNG),
    ("executive", BANDUNG),
]


# ---------------------------------------------------------------- the verification queue


def test_the_queue_lists_waiting_reports_oldest_first_with_their_deadline(browser, routed):
    first = routed("23456789AB", category=None, title="Lampu jalan mati di Cibeunying")
    routed("3456789ABC")  # routed to Kota Bandung at once: not waiting
    second = routed("456789ABCD", category="imigrasi", region=None, title="Paspor belum terbit")

    r = admin(browser).get("/staf/verifikasi")

    assert r.status_code == 200, text(r)[-2000:]
    page = text(r)
    assert "<h1>Antrean verifikasi</h1>" in page
    assert page.index(first) < page.index(second)
    assert "3456789ABC" not in page
    assert f'href="/staf/laporan/{first}"' in page and f'href="/staf/laporan/{second}"' in page
    assert "<dt>Batas waktu verifikasi</dt>" in page
    assert "Kategori tidak dipilih." in page  # why it waits, in plain words
    assert "Siti" not in page and "6281234567890" not in page  # no identity in a listing
    english = text(browser.get("/en/staf/verifikasi"))
    assert "<h1>Verification queue</h1>" in english and "No category was chosen." in english
    assert 'href="/en/staf/laporan/23456789AB"' in english
    assert re.search(r"Verification due</dt><dd>\d+ \w+ \d{4}, \d\d:\d\d WIB", english)


def test_an_overdue_verification_says_so_in_words(browser, routed, clock):
    routed("23456789AB", category=None)
    clock.advance(days=10)
    page = text(admin(browser).get("/en/staf/verifikasi"))
    assert '<strong class="overdue">Overdue</strong>' in page


def test_an_empty_queue_says_so(browser):
    assert "No report is waiting for verification." in text(
        admin(browser).get("/en/staf/verifikasi")
    )


def test_the_queue_pages_on(browser, routed, monkeypatch):
    from chalicelib.portal import verification_pages

    monkeypatch.setattr(verification_pages, "QUEUE_PAGE", 1)
    first = routed("23456789AB", category=None)
    second = routed("3456789ABC", category=None)
    page = text(admin(browser).get("/en/staf/verifikasi"))
    assert first in page and second not in page
    next_url = re.search(r'href="([^"]+)">Next page<', page).group(1)
    page = text(browser.get(next_url))
    assert second in page and first not in page
    assert "Next page" not in page and "First page" in page


def test_a_page_link_the_queue_did_not_issue_is_a_400_page(browser, routed):
    routed("23456789AB", category=None)
    r = admin(browser).get("/en/staf/verifikasi?setelah=1%23tomorrow%23X")
    assert r.status_code == 400
    assert "Start from the first page" in text(r)


@pytest.mark.parametrize(("role", "agency"), ROLES_REFUSED_VERIFICATION)
def test_only_platform_admins_open_the_queue(browser, routed, role, agency):
    routed("23456789AB", category=None)
    r = browser.sign_in_as(role, agency).get("/staf/verifikasi")
    assert r.status_code == 403
    assert "23456789AB" not in text(r)


def test_signed_out_the_queue_sends_you_to_sign_in(browser):
    r = browser.get("/en/staf/verifikasi")
    assert r.status_code == 303
    assert r.headers["Location"] == "/en/staf/masuk?next=/en/staf/verifikasi"


# ---------------------------------------------------------------- identity access


def test_the_identity_is_not_shown_without_a_reason(browser, routed, identity_log):
    tid = routed("23456789AB", anonymous=True, category=None)
    page = text(admin(browser).get(f"/staf/laporan/{tid}/identitas"))
    assert "Mengapa Anda memerlukan identitas ini?" in page
    assert "Siti" not in page and "6281234567890" not in page
    assert "Belum ada yang membuka identitas pelapor ini." in page

    for reason in ("", "   ", "perlu"):
        r = browser.post(f"/en/staf/laporan/{tid}/identitas", {"reason": reason})
        assert r.status_code == 422
        page = text(r)
        assert "Say why you need the identity, in 10 to 500 characters." in page
        assert 'aria-invalid="true"' in page and 'href="#reason"' in page  # beside the field
        assert "Siti" not in page and "6281234567890" not in page
    assert identity_log.entries == []


def test_reading_an_identity_logs_who_and_why_and_shows_it_once(browser, routed, identity_log):
    tid = routed("23456789AB", anonymous=True, category=None)
    admin(browser).get(f"/en/staf/laporan/{tid}/identitas")
    reason = "Permintaan penyidik nomor 12/2026"

    r = browser.post(f"/en/staf/laporan/{tid}/identitas", {"reason": reason})

    assert r.status_code == 200, text(r)[-2000:]
    page = text(r)
    assert "Siti Rahayu" in page and "+6281234567890" in page and "siti.rahayu@example.id" in page
    assert [(e.tracking_id, e.admin, e.reason) for e in identity_log.entries] == [
        (tid, "admin", reason)
    ]
    assert f'<td>admin</td><td class="prose">{reason}</td>' in page  # the log, on the page
    # the identity is on this response only: not cached, not in a cookie or a URL
    assert r.headers["Cache-Control"] == "no-store"
    assert "Siti" not in str(r.headers)
    again = text(browser.get(f"/en/staf/laporan/{tid}/identitas"))
    assert "Siti" not in again and reason in again


def test_an_anonymous_report_without_contact_has_no_identity(browser, routed, identity_log):
    tid = routed("23456789AB", anonymous=True, category=None, reporter=None)
    r = admin(browser).post(
        f"/staf/laporan/{tid}/identitas", {"reason": "Memeriksa laporan ganda dari pelapor"}
    )
    assert r.status_code == 200
    assert "Tidak ada identitas: pelapor tidak memberikan nama maupun kontak." in text(r)
    assert len(identity_log.entries) == 1  # the read is logged all the same, like the API's


@pytest.mark.parametrize(("role", "agency"), ROLES_REFUSED_VERIFICATION)
def test_only_platform_admins_read_an_identity(browser, routed, identity_log, role, agency):
    tid = routed("23456789AB", anonymous=True)
    browser.sign_in_as(role, agency)
    assert browser.get(f"/staf/laporan/{tid}/identitas").status_code == 403
    r = browser.post(f"/staf/laporan/{tid}/identitas", {"reason": "Permintaan penyidik nomor 12"})
    assert r.status_code == 403
    assert "Siti" not in text(r)
    assert identity_log.entries == []


def test_an_identity_read_without_the_csrf_token_is_refused(browser, routed, identity_log):
    tid = routed("23456789AB", anonymous=True, category=None)
    admin(browser).get(f"/staf/laporan/{tid}/identitas")
    r = browser.post(
        f"/staf/laporan/{tid}/identitas", {"reason": "Permintaan penyidik nomor 12"}, csrf=False
    )
    assert r.status_code == 403
    assert "Siti" not in text(r)
    assert identity_log.entries == []


def test_identity_of_an_unknown_report_is_404_and_signed_out_goes_to_sign_in(browser):
    r = browser.get("/staf/laporan/23456789AB/identitas")
    assert r.status_code == 303 and "/staf/masuk?next=" in r.headers["Location"]
    admin(browser)
    assert browser.get("/staf/laporan/23456789AB/identitas").status_code == 404
    r = browser.post("/staf/laporan/23456789AB/identitas", {"reason": "Permintaan penyidik 12"})
    assert r.status_code == 404
    assert browser.get("/staf/laporan/not-an-id!/identitas").status_code == 404


# ---------------------------------------------------------------- webhooks


def register(browser, url="https://hook.example.go.id/satupintu", lang="", **fields):
    browser.get(f"{lang}/staf/webhook")
    form = {"url": url, "ev-report.assigned": "on", **fields}
    return browser.post(f"{lang}/staf/webhook", form)


def test_an_agency_admin_registers_a_webhook_and_sees_its_secret_exactly_once(browser, targets):
    r = register(bandung_admin(browser), **{"ev-report.completed": "on"})

    assert r.status_code == 201, text(r)[-2000:]
    page = text(r)
    (target,) = targets.for_agency(BANDUNG)
    assert target.url == "https://hook.example.go.id/satupintu"
    assert target.events == ("report.assigned", "report.completed")
    assert SECRET_SHAPE.findall(page) == [target.secret]  # once, on this response
    assert "Salin kunci penanda tangan sekarang" in page
    assert target.secret not in str(r.headers)
    listing = text(browser.get("/staf/webhook"))
    assert "https://hook.example.go.id/satupintu" in listing
    assert SECRET_SHAPE.search(listing) is None  # never again


def test_rotating_shows_the_new_secret_once(browser, targets):
    register(bandung_admin(browser))
    (old,) = targets.for_agency(BANDUNG)
    browser.get("/en/staf/webhook")
    r = browser.post(f"/en/staf/webhook/{old.id}/ganti-rahasia", {})
    assert r.status_code == 200
    (new,) = targets.for_agency(BANDUNG)
    assert new.secret != old.secret and new.previous_secret == old.secret
    assert SECRET_SHAPE.findall(text(r)) == [new.secret]
    assert "The old one also signs messages for 24 hours" in text(r)
    assert SECRET_SHAPE.search(text(browser.get("/en/staf/webhook"))) is None


def test_disable_and_enable_a_webhook(browser, targets):
    register(bandung_admin(browser))
    (target,) = targets.for_agency(BANDUNG)
    browser.get("/en/staf/webhook")

    r = browser.post(f"/en/staf/webhook/{target.id}/nonaktifkan", {})
    assert r.status_code == 303
    assert r.headers["Location"] == "/en/staf/webhook?done=disabled#webhooks"
    assert not targets.get(BANDUNG, target.id).active
    page = text(browser.get("/en/staf/webhook?done=disabled"))
    assert "The webhook is disabled." in page
    assert "<strong>Disabled</strong>: by your agency" in page

    r = browser.post(f"/en/staf/webhook/{target.id}/aktifkan", {})
    assert r.status_code == 303
    assert targets.get(BANDUNG, target.id).active
    assert "<strong>Active</strong>" in text(browser.get(r.headers["Location"]))


@pytest.mark.parametrize(
    ("url", "events", "field", "message"),
    [
        ("http://hook.example.go.id/x", True, "url", "The address must start with https://."),
        ("https://10.0.0.5/x", True, "url", "reachable on the public internet"),
        ("https://user:pw@hook.example.go.id/x", True, "url", "user name or password"),
        ("", True, "url", "Enter the address that receives the webhooks."),
        ("https://hook.example.go.id/" + "a" * 2000, True, "url", "at most 2000 characters"),
        ("https://hook.example.go.id/x", False, "events", "Choose at least one event."),
    ],
)
def test_a_webhook_the_api_would_refuse_is_refused_beside_its_field(
    browser, targets, url, events, field, message
):
    bandung_admin(browser).get("/en/staf/webhook")
    form = {"url": url, **({"ev-report.assigned": "on"} if events else {})}
    r = browser.post("/en/staf/webhook", form)
    assert r.status_code == 422
    page = text(r)
    assert re.search(rf'<p class="field-error" id="{field}-error">.*{re.escape(message)}', page)
    assert f'href="#{field}"' in page
    assert targets.for_agency(BANDUNG) == []


def test_no_more_than_five_active_webhooks(browser, targets):
    bandung_admin(browser)
    for n in range(webhooks.MAX_ACTIVE_WEBHOOKS):
        assert register(browser, f"https://hook{n}.example.go.id/x").status_code == 201
    r = register(browser, "https://hook9.example.go.id/x", lang="/en")
    assert r.status_code == 409
    assert "already has 5 active webhooks" in text(r)
    assert len(targets.for_agency(BANDUNG)) == webhooks.MAX_ACTIVE_WEBHOOKS


def test_an_agency_admin_cannot_touch_another_agencys_webhooks(browser, targets, clock):
    other = WebhookTarget(
        "wh_kemenkes1", "kemenkes", "https://hook.kemkes.go.id/", ("*",), "whsec_" + "A" * 44
    )
    targets.save(other)
    bandung_admin(browser)
    assert browser.get("/staf/webhook?instansi=kemenkes").status_code == 403
    browser.get("/staf/webhook")
    r = browser.post("/staf/webhook", {"instansi": "kemenkes", "url": "https://x.example.id/"})
    assert r.status_code == 403
    r = browser.post("/staf/webhook/wh_kemenkes1/nonaktifkan", {"instansi": "kemenkes"})
    assert r.status_code == 403
    r = browser.post("/staf/webhook/wh_kemenkes1/nonaktifkan", {})  # through your own agency
    assert r.status_code == 404
    assert targets.get("kemenkes", "wh_kemenkes1").active
    assert targets.for_agency(BANDUNG) == [] and len(targets.for_agency("kemenkes")) == 1


@pytest.mark.parametrize(("role", "agency"), [("officer", BANDUNG), ("executive", BANDUNG)])
def test_officers_and_executives_have_no_webhook_pages(browser, role, agency):
    browser.sign_in_as(role, agency)
    assert browser.get("/staf/webhook").status_code == 403
    assert browser.get("/staf/pengiriman").status_code == 403


def test_webhook_forms_need_the_csrf_token_and_a_session(browser, targets):
    bandung_admin(browser).get("/staf/webhook")
    form = {"url": "https://hook.example.go.id/x", "ev-report.assigned": "on"}
    assert browser.post("/staf/webhook", form, csrf=False).status_code == 403
    assert targets.for_agency(BANDUNG) == []
    del browser.cookies["sp_staff"]
    r = browser.post("/staf/webhook", form)
    assert r.status_code == 303 and "/staf/masuk" in r.headers["Location"]
    assert targets.for_agency(BANDUNG) == []


def test_a_platform_admin_picks_the_agency(browser, targets):
    page = text(admin(browser).get("/en/staf/webhook"))
    assert "Choose an agency to see its webhooks." in page
    assert '<option value="kemenkes">Kementerian Kesehatan</option>' in page
    r = register(browser, lang="/en", instansi="kemenkes")
    assert r.status_code == 201
    assert len(targets.for_agency("kemenkes")) == 1
    (target,) = targets.for_agency("kemenkes")
    r = browser.post(f"/en/staf/webhook/{target.id}/nonaktifkan", {"instansi": "kemenkes"})
    assert r.headers["Location"] == "/en/staf/webhook?instansi=kemenkes&done=disabled#webhooks"
    assert browser.get("/en/staf/webhook?instansi=no-such-agency").status_code == 404
    assert browser.get("/en/staf/webhook?instansi=../etc").status_code == 404
    # the language switch keeps the agency
    assert 'href="/staf/webhook?instansi=kemenkes"' in text(
        browser.get("/en/staf/webhook?instansi=kemenkes")
    )


# ---------------------------------------------------------------- the delivery log


def attempt(tid, n, outcome, clock, agency=BANDUNG, target="wh_bandung1", **fields):
    return DeliveryAttempt(
        delivery_id=f"d-{tid}",
        tracking_id=tid,
        event_type="report.assigned",
        agency_id=agency,
        target_type="webhook",
        target_id=target,
        attempt=n,
        outcome=outcome,
        at=clock.now() + timedelta(minutes=n),
        **fields,
    )


def test_the_delivery_log_lists_what_did_not_deliver_newest_first(
    browser, deliveries, targets, clock
):
    targets.save(
        WebhookTarget(
            "wh_bandung1", BANDUNG, "https://hook.bandung.go.id/", ("*",), "whsec_" + "A" * 44
        )
    )
    deliveries.record(attempt("23456789AB", 1, "retry", clock, http_status=503, error="HTTP 503"))
    deliveries.record(attempt("23456789AB", 2, "retry", clock, error="timed out"))
    deliveries.record(attempt("23456789AB", 3, "delivered", clock, http_status=200))
    deliveries.record(attempt("3456789ABC", 1, "retry", clock, agency="kemenkes"))

    page = text(bandung_admin(browser).get("/en/staf/pengiriman"))

    assert "timed out" in page and "HTTP 503" in page
    assert page.index("timed out") < page.index("HTTP 503")  # newest first
    assert "https://hook.bandung.go.id/" in page  # the webhook by its address
    assert 'href="/en/staf/laporan/23456789AB"' in page
    assert "3456789ABC" not in page  # another agency's
    assert "Delivered" not in page
    # one report: every attempt, delivered too
    page = text(browser.get("/en/staf/pengiriman?laporan=23456789ab"))
    assert "Delivered" in page and "(HTTP 200)" in page
    indonesian = text(browser.get("/staf/pengiriman"))
    assert "<h1>Log pengiriman</h1>" in indonesian and "Gagal, dicoba lagi" in indonesian


def test_the_delivery_log_filters_by_outcome_and_pages_on(browser, deliveries, clock, monkeypatch):
    from chalicelib.portal import delivery_pages

    monkeypatch.setattr(delivery_pages, "LOG_PAGE", 1)
    deliveries.record(attempt("23456789AB", 1, "retry", clock, error="first failure"))
    deliveries.record(attempt("3456789ABC", 1, "gave_up", clock, error="gave up here"))
    page = text(bandung_admin(browser).get("/en/staf/pengiriman?hasil=gave_up"))
    assert "gave up here" in page and "first failure" not in page
    page = text(browser.get("/en/staf/pengiriman"))
    next_url = re.search(r'href="([^"]+)">Next page<', page).group(1)
    assert "setelah=" in next_url
    second = text(browser.get(next_url))
    assert ("first failure" in page) != ("first failure" in second)
    assert browser.get("/en/staf/pengiriman?setelah=zz").status_code == 400


def test_bad_delivery_filters_are_named_beside_their_field(browser):
    r = bandung_admin(browser).get("/en/staf/pengiriman?laporan=%3Cscript%3E&hasil=everything")
    assert r.status_code == 400
    page = text(r)
    assert 'id="laporan-error"' in page and 'id="hasil-error"' in page
    assert "<script>" not in r.body.decode()


def test_an_agency_admin_sees_only_their_own_delivery_log(browser, deliveries, clock):
    deliveries.record(attempt("3456789ABC", 1, "retry", clock, agency="kemenkes"))
    bandung_admin(browser)
    assert browser.get("/staf/pengiriman?instansi=kemenkes").status_code == 403
    page = text(browser.get("/staf/pengiriman?laporan=3456789ABC"))
    assert "Tidak ada upaya pengiriman yang tercatat untuk laporan ini." in page
    admin(browser)
    assert "3456789ABC" in text(browser.get("/staf/pengiriman?instansi=kemenkes"))
    assert "Pilih instansi untuk melihat log pengirimannya." in text(
        browser.get("/staf/pengiriman")
    )


def test_signed_out_the_admin_pages_send_you_to_sign_in(browser):
    for path in ("/staf/webhook", "/staf/pengiriman", "/en/staf/pengiriman?hasil=retry"):
        r = browser.get(path)
        assert r.status_code == 303
        assert r.headers["Location"].split("?")[0].endswith("/staf/masuk")
