"""The staff console's admin pages in a real browser on the local stack, at a 360 px phone
viewport, in both languages, with axe-core on each page: a platform admin finds a freshly
filed report in the verification queue and follows its link, reads the reporter's
identity with a stated reason (and sees the read in the access log); an agency admin
registers a webhook (the signing secret shown once), disables and enables it, and opens
the delivery log."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.console_helpers import sign_in
from tests.e2e.test_portal_browser import check_accessibility, fits_the_phone, phone, press

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")


def file_unsorted_report(http, stack, title: str) -> str:
    """A report without a category: the router leaves it to the admins."""
    r = http.post(
        f"{stack.url}/v1/reports",
        json={
            "kind": "complaint",
            "title": title,
            "description": "Lampu penerangan jalan di gang depan sekolah mati sejak sepekan.",
            "region": "32.73",
            "anonymous": True,
            "reporter": {"name": "Rina Marlina", "phone": "+62 812 7788 9900"},
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["tracking_id"]


def open_queue_until_listed(page, stack, lang: str, tid: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.goto(f"{stack.url}{lang}/staf/verifikasi")
        if page.locator(f"a[href$='/staf/laporan/{tid}']").count():
            return
        time.sleep(0.5)
    raise AssertionError(f"{tid} never reached the verification queue")


@pytest.mark.parametrize("lang", ["", "/en"])
def test_an_admin_works_the_queue_and_reads_an_identity_with_a_reason(
    chromium,
    stack,
    http,
    lang,
):
    title = f"Lampu jalan mati di gang sekolah {lang or 'id'}"
    tid = file_unsorted_report(http, stack, title)
    context = phone(chromium)
    page = context.new_page()
    sign_in(page, stack, "admin", lang)

    open_queue_until_listed(page, stack, lang, tid)
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading in ("Antrean verifikasi", "Verification queue")
    item = page.locator("ol.queue > li", has=page.locator(f"a[href$='/staf/laporan/{tid}']"))
    assert re.search(
        r"(Batas waktu verifikasi|Verification due)\s*\d+ \w+ \d{4}", item.inner_text()
    )
    assert "Rina" not in page.content()  # no identity in the queue
    check_accessibility(page, f"{lang}/staf/verifikasi")
    fits_the_phone(page)
    with page.expect_navigation():
        item.get_by_role("link", name=title).click()
    assert page.url == f"{stack.url}{lang}/staf/laporan/{tid}"  # the report's page (its own work)

    page.goto(f"{stack.url}{lang}/staf/laporan/{tid}/identitas")
    assert "Rina" not in page.content()
    check_accessibility(page, f"{lang} identity form")
    fits_the_phone(page)
    press(page, re.compile("Show the identity|Tampilkan identitas"))  # no reason: refused
    assert page.locator("#reason-error").count() == 1
    assert "Rina" not in page.content()
    check_accessibility(page, f"{lang} identity form with an error")
    reason = "Permintaan penyidik Polrestabes Bandung nomor 45/2026"
    page.fill("#reason", reason)
    press(page, re.compile("Show the identity|Tampilkan identitas"))
    identity = page.locator("#identity").inner_text()
    assert "Rina Marlina" in identity and "+6281277889900" in identity
    log = page.get_by_role("table").inner_text()
    assert reason in log and "admin" in log
    check_accessibility(page, f"{lang} identity shown")
    fits_the_phone(page)
    # a fresh visit shows no identity: it lived on that one response
    page.goto(f"{stack.url}{lang}/staf/laporan/{tid}/identitas")
    assert "Rina" not in page.locator("main").inner_text().replace(reason, "")
    context.close()


@pytest.mark.parametrize("lang", ["", "/en"])
def test_an_agency_admin_registers_a_webhook_disables_and_enables_it(
    chromium,
    stack,
    lang,
):
    context = phone(chromium)
    page = context.new_page()
    sign_in(page, stack, "agencyadmin.pemkot-bandung", lang)
    page.goto(f"{stack.url}{lang}/staf/webhook")
    check_accessibility(page, f"{lang}/staf/webhook")
    fits_the_phone(page)

    address = f"http://127.0.0.1:9/satupintu{lang.replace('/', '-')}"
    page.fill("#url", address)
    page.check("input[name='ev-report.completed']")
    press(page, re.compile("Register the webhook|Daftarkan webhook"))
    secret = page.locator("#webhook-secret").inner_text()
    assert SECRET.fullmatch(secret)
    assert len(SECRET.findall(page.content())) == 1  # once, on this page
    check_accessibility(page, f"{lang} webhook secret")
    fits_the_phone(page)

    row = page.locator("tr", has=page.locator(f"code:text-is('{address}')"))
    with page.expect_navigation():
        row.get_by_role("button", name=re.compile("^(Disable|Nonaktifkan)")).click()
    assert page.get_by_role("status").count() == 1
    assert SECRET.search(page.content()) is None  # never again
    row = page.locator("tr", has=page.locator(f"code:text-is('{address}')"))
    assert re.search("Disabled|Nonaktif", row.inner_text())
    check_accessibility(page, f"{lang} webhook disabled")
    with page.expect_navigation():
        row.get_by_role("button", name=re.compile("^(Enable|Aktifkan)")).click()
    row = page.locator("tr", has=page.locator(f"code:text-is('{address}')"))
    assert re.search("Active|Aktif", row.inner_text())
    # disabled again, so that the stack's later reports are not sent to a closed port
    with page.expect_navigation():
        row.get_by_role("button", name=re.compile("^(Disable|Nonaktifkan)")).click()

    page.goto(f"{stack.url}{lang}/staf/pengiriman")
    assert page.get_by_role("heading", level=1).inner_text() in ("Log pengiriman", "Delivery log")
    check_accessibility(page, f"{lang}/staf/pengiriman")
    fits_the_phone(page)
    page.select_option("#hasil", "gave_up")
    press(page, re.compile("^(Show|Tampilkan)$"))
    assert "hasil=gave_up" in page.url
    check_accessibility(page, f"{lang}/staf/pengiriman filtered")
    context.close()
