"""The web portal in a real browser (Python Playwright driving Debian's chromium) on the
local stack, at a 360 px phone viewport: the citizen's journey with JavaScript on and off,
in both languages (file, follow, attach a photo, reply, rate, confirm, the public feed and
statistics), a report written offline sent once when back online, and axe-core on every
page.

Chromium comes from Debian (`apt-get install -y chromium`; .ci/run installs it when it is
missing) and is never downloaded by Playwright. Without it these tests fail in CI
(CI=true) and are skipped with that instruction on a developer's machine.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

PHONE = {"width": 360, "height": 740}
SERIOUS = ("serious", "critical")


def phone(chromium, javascript: bool = True):
    return chromium.new_context(
        viewport=PHONE,
        java_script_enabled=javascript,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
    )


def check_accessibility(page, name: str) -> None:
    """axe-core (vendored in axe-playwright-python) on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    assert not bad, f"{name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in bad
    )


def fits_the_phone(page) -> None:
    """Nothing wider than the screen: no sideways scrolling at 360 px."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def wait_for_status(http, stack, tid: str, status: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if http.get(f"{stack.url}/v1/reports/{tid}").json().get("status") == status:
            return
        time.sleep(0.3)
    raise AssertionError(f"{tid} never reached {status}")


def press(page, name) -> None:
    """Click a button or link that loads another page, and wait for that page."""
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def attach_photo(page, photo: Path, javascript: bool, lang: str) -> str:
    """With JavaScript: pick the file, watch it go. Without: choose the kind of file, then
    a plain form posts it to the bucket, which sends the browser back (the file's name is
    not known when the slot is opened: it is listed as lampiran.png). Returns the name."""
    if javascript:
        page.set_input_files("#file", str(photo))
        with page.expect_navigation(url=re.compile(r"done=attach")):
            page.get_by_role("button", name=re.compile("Add the file|Tambahkan berkas")).click()
    else:
        page.select_option("#content_type", "image/png")
        press(page, re.compile("Add the file|Tambahkan berkas"))
        page.set_input_files("#file", str(photo))
        press(page, re.compile("Send the file|Kirim berkas"))  # to the bucket and back
        assert "/terkirim" in page.url
        with page.expect_navigation():
            page.get_by_role(
                "link", name=re.compile("Back to your report|Kembali ke laporan")
            ).click()
    # checked by the upload handler (event pump) within seconds
    added = "added" if lang == "en" else "ditambahkan"
    name = photo.name if javascript else "lampiran.png"
    deadline = time.monotonic() + 30
    while not re.search(rf"{re.escape(name)}</a>: {added}", page.content()):
        if time.monotonic() > deadline:
            raise AssertionError("the photo was never accepted:\n" + page.content()[-3000:])
        time.sleep(0.5)
        page.reload()
    return name


def fill_report(page, *, title: str) -> None:
    page.check("#kind-complaint")
    page.fill("#title", title)
    page.fill(
        "#description",
        "Lubang besar di Jalan Ahmad Yani depan Pasar Kosambi sudah tiga bulan tidak "
        "diperbaiki dan membahayakan pengendara motor.",
    )
    page.select_option("#category", "infrastruktur")
    page.select_option("#province", "32")
    page.select_option("#regency", "32.73")
    page.fill("#incident_date", "2026-11-20")
    page.fill("#name", "Siti Rahayu")
    page.fill("#phone", "0812-3456-7890")


@pytest.mark.parametrize(
    "javascript, lang",
    [(True, "en"), (False, "id")],
    ids=["javascript-english", "no-javascript-bahasa"],
)
def test_a_citizen_files_follows_attaches_replies_rates_and_confirms(
    chromium, stack, http, javascript, lang, tmp_path
):
    from tests import samples

    photo = tmp_path / "foto.png"
    photo.write_bytes(samples.png())
    prefix = "/en" if lang == "en" else ""
    words = {
        "en": {"make": "Make a report", "save": "Save this now", "wait": "waiting for your"},
        "id": {"make": "Buat laporan", "save": "Simpan sekarang", "wait": "menunggu jawaban"},
    }[lang]
    context = phone(chromium, javascript)
    page = context.new_page()
    page.goto(f"{stack.url}{prefix or '/'}")
    assert page.locator("html").get_attribute("lang") == lang
    check_accessibility(page, "home") if javascript else None
    fits_the_phone(page)

    with page.expect_navigation():
        page.get_by_role("link", name=words["make"]).first.click()
    assert page.url.endswith(f"{prefix}/lapor")
    fits_the_phone(page)

    # A first try with a title too short: the error is beside the field, the rest kept.
    fill_report(page, title="abc")
    press(page, re.compile("Send the report|Kirim laporan"))
    assert page.locator("#error-summary").is_visible(), page.content()[:3000]
    assert page.locator("#title-error").is_visible()
    assert page.input_value("#name") == "Siti Rahayu"
    assert page.input_value("#regency") == "32.73"
    if javascript:
        check_accessibility(page, "form with errors")

    page.fill("#title", f"Jalan berlubang di depan pasar ({lang})")
    press(page, re.compile("Send the report|Kirim laporan"))
    page.get_by_text(words["save"]).wait_for()
    tid = page.locator("#tracking-id").inner_text().strip()
    token = page.locator("#access-token").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{10}", tid) and len(token) > 20
    if javascript:
        check_accessibility(page, "saved")
    fits_the_phone(page)

    # Routed by the stack's router to Kota Bandung; the agency asks for more.
    wait_for_status(http, stack, tid, "awaiting_followup")
    officer = {"Authorization": f"Bearer {stack.token('officer.pemkot-bandung')}"}
    r = http.post(
        f"{stack.url}/v1/staff/reports/{tid}/information-requests",
        json={"message": "Mohon kirim titik lokasi persisnya."},
        headers=officer,
    )
    assert r.status_code == 200, r.text

    # A new device: the tracking form, then the report (the token never in a URL).
    other = phone(chromium, javascript)
    reader = other.new_page()
    reader.goto(f"{stack.url}{prefix}/lacak")
    if javascript:
        check_accessibility(reader, "track form")
    reader.fill("#tracking_id", tid.lower())
    reader.fill("#access_token", token)
    press(reader, re.compile("Show my report|Tampilkan laporan saya"))
    assert reader.url.endswith(f"{prefix}/lacak/{tid}")
    assert token not in reader.url
    assert words["wait"] in reader.content()
    assert "Mohon kirim titik lokasi persisnya." in reader.content()
    if javascript:
        check_accessibility(reader, "report")
    fits_the_phone(reader)

    name = attach_photo(reader, photo, javascript, lang)
    link = reader.get_by_role("link", name=name)
    download = http.get(
        f"{stack.url}{link.get_attribute('href')}",
        cookies={c["name"]: c["value"] for c in other.cookies()},
        allow_redirects=True,
    )
    assert download.status_code == 200 and download.content.startswith(b"\x89PNG")

    reader.fill("#message", "Di depan gerbang utara pasar.")
    press(reader, re.compile("Send the message|Kirim pesan"))
    assert "done=reply" in reader.url
    assert reader.locator(".notice").is_visible()
    assert "Di depan gerbang utara pasar." in reader.content()

    r = http.post(
        f"{stack.url}/v1/staff/reports/{tid}/final-response",
        json={"message": "Lubang sudah ditambal pada 2 Desember."},
        headers=officer,
    )
    assert r.status_code == 200, r.text
    reader.reload()
    reader.check("#score-5")
    reader.fill("#comment", "Cepat, terima kasih")
    press(reader, re.compile("Send the rating|Kirim penilaian"))
    assert "done=rate" in reader.url
    press(reader, re.compile("Yes, it is resolved|Ya, sudah selesai"))
    assert "done=confirm" in reader.url
    if javascript:
        check_accessibility(reader, "completed report")

    # The public feed lists it (completed, not confidential), without the reporter.
    reader.goto(f"{stack.url}{prefix}/publik?status=completed")
    assert f"Jalan berlubang di depan pasar ({lang})" in reader.content()
    assert "Siti Rahayu" not in reader.content()
    if javascript:
        check_accessibility(reader, "public feed")
    fits_the_phone(reader)

    reader.goto(f"{stack.url}{prefix}/statistik")
    assert reader.locator("h1").inner_text() in ("Statistics", "Statistik")
    if javascript:
        check_accessibility(reader, "statistics")
    fits_the_phone(reader)

    me = {"X-Report-Token": token}
    body = http.get(f"{stack.url}/v1/reports/{tid}", headers=me).json()
    assert body["status"] == "completed"
    assert body["rating"]["score"] == 5
    actions = [e["action"] for e in body["timeline"]]
    assert "reporter_replied" in actions and "confirmed" in actions
    assert "attachment_added" in actions
    assert [a["filename"] for a in body["attachments"]] == [name]
    context.close()
    other.close()


def test_a_forged_csrf_token_is_refused(chromium, stack):
    """A form whose CSRF field is not the MAC of this browser's cookie is refused."""
    context = phone(chromium)
    page = context.new_page()
    page.goto(f"{stack.url}/lapor")
    before = page.locator("input[name=csrf]").get_attribute("value")
    page.evaluate("""() => { document.querySelector('input[name=csrf]').value = 'forged'; }""")
    fill_report(page, title="Laporan palsu dari situs lain")
    press(page, "Kirim laporan")
    assert "kedaluwarsa" in page.content()
    assert before != "forged"
    context.close()


def test_headers_forbid_framing_and_inline_code(chromium, stack):
    context = phone(chromium)
    page = context.new_page()
    response = page.goto(f"{stack.url}/en/lapor")
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    violations = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    page.reload()
    assert violations == []
    context.close()


def test_the_accessibility_check_can_fail(chromium):
    """The axe-core run finds a serious violation when there is one (so a pass means
    something): an image without alternative text and an unlabelled field."""
    context = phone(chromium)
    page = context.new_page()
    page.set_content(
        '<html lang="en"><title>t</title><body><main><img src="x.png">'
        '<input type="text"></main></body></html>'
    )
    with pytest.raises(AssertionError, match=r"image-alt|label"):
        check_accessibility(page, "broken page")
    context.close()


def test_a_report_written_offline_is_kept_and_sent_once_when_back_online(chromium, stack):
    """The service worker keeps a report posted without a connection (with its form's
    idempotency key) and sends it when the connection returns; it is filed once."""
    import uuid

    context = phone(chromium)
    page = context.new_page()
    page.goto(f"{stack.url}/lapor")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("!!navigator.serviceWorker.controller")
    manifest = page.locator("link[rel=manifest]").get_attribute("href")
    assert manifest == "/manifest.webmanifest"

    title = f"Lampu jalan mati, ditulis luring {uuid.uuid4().hex[:8]}"
    fill_report(page, title=title)
    context.set_offline(True)
    press(page, "Kirim laporan")
    assert page.locator("#kept").is_visible(), page.content()[:2000]
    check_accessibility(page, "kept offline")
    assert count_reports(stack, title) == 0

    with page.expect_navigation(url=re.compile(r"/lapor/terkirim/"), timeout=30_000):
        context.set_offline(False)  # the page's "online" event asks the worker to send
    shown = page.url
    tid = page.locator("#tracking-id").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{10}", tid)
    assert page.locator("#access-token").inner_text().strip()

    # Asked again (another page opened, another "online"), nothing is sent twice.
    page.goto(f"{stack.url}/lacak")
    page.evaluate("navigator.serviceWorker.controller.postMessage('flush')")
    page.wait_for_timeout(1500)
    assert count_reports(stack, title) == 1
    # The answer holding the token is shown once, then forgotten by the worker (the
    # server has no such page).
    again = page.goto(shown)
    assert again.status >= 400 and tid not in page.content()
    context.close()


def count_reports(stack, title: str) -> int:
    found = stack.dynamodb().scan(
        TableName="satupintu-dev-reports",
        FilterExpression="title = :t",
        ExpressionAttributeValues={":t": {"S": title}},
    )
    return found["Count"]


def test_every_other_page_passes_axe(chromium, stack, http):
    """The pages the journeys above reach only without JavaScript (where axe cannot run),
    or not at all: the plain upload form, the page the bucket sends back to, an agency's
    statistics, the offline page, an error page, in both languages."""
    r = http.post(
        f"{stack.url}/v1/reports",
        json={
            "kind": "complaint",
            "title": "Halte rusak di Jalan Dago",
            "description": "Atap halte bus di Jalan Dago bocor dan bangkunya patah.",
            "category": "infrastruktur",
            "region": "32.73",
            "reporter": {"name": "Dewi Lestari", "email": "dewi@example.id"},
        },
    )
    assert r.status_code == 201, r.text
    tid, token = r.json()["tracking_id"], r.json()["access_token"]
    context = phone(chromium)
    page = context.new_page()
    for prefix in ("", "/en"):
        page.goto(f"{stack.url}{prefix}/lacak")
        page.fill("#tracking_id", tid)
        page.fill("#access_token", token)
        press(page, re.compile("Show my report|Tampilkan laporan saya"))
        # the plain form's way: the kind of file, then the bucket's form
        with page.expect_navigation():
            page.evaluate(
                """() => {
                  const select = document.getElementById('content_type');
                  select.disabled = false;
                  select.value = 'image/jpeg';
                  document.getElementById('attach-form').submit();
                }"""
            )
        assert page.locator("input[type=file][name=file]").count() == 1
        check_accessibility(page, f"{prefix} upload form")
        for path in (
            f"/lacak/{tid}/terkirim",
            f"/publik/{tid}",
            "/statistik/pemkot-bandung",
            "/statistik/wilayah/32",
            "/statistik/kategori/infrastruktur",
            "/offline",
            "/lacak/K7M3QX9P2A",  # another report's id: the token form
            "/lacak/bukan-nomor!",  # the error page
        ):
            response = page.goto(f"{stack.url}{prefix}{path}")
            assert response.status == (404 if path.endswith("!") else 200), path
            check_accessibility(page, f"{prefix}{path}")
            fits_the_phone(page)
    context.close()
