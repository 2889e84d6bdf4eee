"""The console's casework in a real browser on the local stack, at a phone viewport: an
officer finds a report in the inbox, responds and hands it to another agency; a platform
admin disposes a report awaiting verification and archives another as its duplicate.
axe-core on the inbox and the report page in both languages.

Reports are filed through the JSON API and the tests wait for the router, as
tests/e2e/test_case_workflow.py does."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import report_body
from tests.e2e.console_helpers import sign_in
from tests.e2e.test_portal_browser import check_accessibility, fits_the_phone, phone

pytestmark = pytest.mark.e2e
JSON = {"Content-Type": "application/json"}
BANDUNG = "pemkot-bandung"


def file_report(stack, http, **fields) -> str:
    r = http.post(f"{stack.url}/v1/reports", data=report_body(**fields), headers=JSON)
    assert r.status_code == 201, r.text
    return r.json()["tracking_id"]


def wait_for_view(stack, http, tid: str, token: str, predicate, seconds: float = 30) -> dict:
    """The admin's view of the report once ``predicate`` holds (the router is a queue)."""
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + seconds
    while True:
        body = http.get(f"{stack.url}/v1/admin/reports/{tid}", headers=headers).json()
        if predicate(body):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"{tid} never got there: {body}")
        time.sleep(0.3)


def open_from_inbox(page, stack, tid: str, lang: str = "") -> None:
    """Find the report in the inbox, paging on as a reader would, and open it."""
    page.goto(f"{stack.url}{lang}/staf/kotak-masuk")
    for _ in range(40):
        link = page.get_by_role("link", name=tid, exact=True)
        if link.count():
            with page.expect_navigation():
                link.click()
            return
        with page.expect_navigation():
            page.get_by_role("link", name=re.compile("Next page|Halaman berikutnya")).click()
    raise AssertionError(f"{tid} is not in the inbox")


def submit(page, button) -> None:
    exact = isinstance(button, str) or None
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=exact).click()


def test_an_officer_responds_and_hands_a_report_to_another_agency(stack, chromium, http):
    admin_token = stack.token("admin")
    tid = file_report(stack, http, category="infrastruktur", region="32.73")
    wait_for_view(stack, http, tid, admin_token, lambda b: b.get("status") == "awaiting_followup")

    context = phone(chromium)
    page = context.new_page()
    sign_in(page, stack, f"officer.{BANDUNG}")
    open_from_inbox(page, stack, tid)
    assert page.url == f"{stack.url}/staf/laporan/{tid}"
    assert page.get_by_text("Asep Sunandar").count() == 1  # not anonymous: the contact shows
    assert page.get_by_text(re.compile(r"tenggat \d+ hari kerja lagi")).count()
    fits_the_phone(page)

    page.fill("#respond-message", "Petugas kami meninjau TPS Cicadas besok pagi.")
    submit(page, "Kirim tanggapan")
    assert page.locator("#notice").inner_text().startswith("Tanggapan Anda telah dikirim")
    assert "Proses" in page.locator("#status").inner_text()

    page.fill("#transfer-reason", "Pengangkutan sampah TPS ditangani pemerintah provinsi.")
    page.select_option("#transfer-suggested_agency", "pemprov-jabar")
    submit(page, "Kembalikan laporan")
    assert page.url.startswith(f"{stack.url}/staf/kotak-masuk")
    assert "tidak lagi menanganinya" in page.locator("#notice").inner_text()
    view = wait_for_view(stack, http, tid, admin_token, lambda b: True)
    assert view["status"] == "unverified"
    assert view["timeline"][-1]["action"] == "transferred"
    context.close()


def test_an_admin_disposes_one_report_and_archives_another_as_its_duplicate(stack, chromium, http):
    admin_token = stack.token("admin")

    def awaiting_verification(body):
        return body.get("status") == "unverified" and body.get("routing") is not None

    first = file_report(stack, http, category=None)
    second = file_report(stack, http, category=None, title="Sampah di TPS Cicadas belum diangkut")
    wait_for_view(stack, http, first, admin_token, awaiting_verification)
    wait_for_view(stack, http, second, admin_token, awaiting_verification)

    context = phone(chromium)
    page = context.new_page()
    sign_in(page, stack, "admin")
    page.goto(f"{stack.url}/staf/laporan/{first}")
    assert page.locator("#dispose").count() == 1 and page.locator("#respond").count() == 0
    page.select_option("#dispose-agency_id", BANDUNG)
    submit(page, "Disposisikan")
    assert page.locator("#notice").inner_text() == "Laporan telah didisposisikan ke instansi."
    view = wait_for_view(stack, http, first, admin_token, lambda b: True)
    assert view["status"] == "awaiting_followup" and view["agency"]["id"] == BANDUNG

    page.goto(f"{stack.url}/staf/laporan/{second}")
    page.select_option("#archive-reason", "duplicate")
    page.fill("#archive-duplicate_of", first)
    page.fill("#archive-message", "Hal yang sama sudah dilaporkan dan sedang ditangani.")
    submit(page, "Arsipkan")
    assert "diarsipkan" in page.locator("#notice").inner_text()
    assert page.get_by_role("link", name=first).count() >= 1  # "duplicate of", linked
    fits_the_phone(page)
    view = wait_for_view(stack, http, second, admin_token, lambda b: True)
    assert view["status"] == "archived" and view["duplicate_of"] == first
    assert second in wait_for_view(stack, http, first, admin_token, lambda b: True)["duplicates"]
    context.close()


@pytest.mark.parametrize("lang", ["", "/en"])
def test_the_inbox_and_the_report_page_pass_axe(stack, chromium, http, lang):
    admin_token = stack.token("admin")
    tid = file_report(stack, http, category="infrastruktur", region="32.73")
    wait_for_view(stack, http, tid, admin_token, lambda b: b.get("status") == "awaiting_followup")
    waiting = file_report(stack, http, category=None)
    wait_for_view(stack, http, waiting, admin_token, lambda b: b.get("routing") is not None)

    context = phone(chromium)
    page = context.new_page()
    sign_in(page, stack, f"officer.{BANDUNG}", lang)
    page.goto(f"{stack.url}{lang}/staf/kotak-masuk?overdue=1")
    check_accessibility(page, f"inbox, overdue filter {lang or '/'}")
    page.goto(f"{stack.url}{lang}/staf/kotak-masuk")
    assert page.locator("table caption").count() == 1
    fits_the_phone(page)
    check_accessibility(page, f"inbox {lang or '/'}")
    page.goto(f"{stack.url}{lang}/staf/laporan/{tid}")
    fits_the_phone(page)
    check_accessibility(page, f"report page, officer {lang or '/'}")
    # a refused form: the error beside its field
    page.fill("#transfer-reason", "no")
    submit(page, re.compile("Hand the report back|Kembalikan laporan"))
    assert page.locator("#transfer-reason-error").count() == 1
    check_accessibility(page, f"report page with an error {lang or '/'}")
    context.close()

    context = phone(chromium)
    page = context.new_page()
    sign_in(page, stack, "admin", lang)
    page.goto(f"{stack.url}{lang}/staf/kotak-masuk?agency_id={BANDUNG}")
    check_accessibility(page, f"inbox, platform admin {lang or '/'}")
    page.goto(f"{stack.url}{lang}/staf/laporan/{waiting}")
    fits_the_phone(page)
    check_accessibility(page, f"report page, platform admin {lang or '/'}")
    context.close()
