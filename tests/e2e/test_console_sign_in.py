"""Staff sign-in in a real browser on the local stack: the authorization code flow with
PKCE through the hosted UI's stand-in, at a phone viewport, in both languages; the session
cookie is HttpOnly; signing out ends the session; axe on the console's home."""

from __future__ import annotations

import re

import pytest

from tests.e2e.console_helpers import sign_in, sign_out
from tests.e2e.test_portal_browser import check_accessibility, fits_the_phone, phone


@pytest.mark.parametrize("lang", ["", "/en"])
def test_an_admin_signs_in_sees_the_console_and_signs_out(stack, chromium, lang):
    context = phone(chromium)
    page = context.new_page()
    sign_in(page, stack, "admin", lang)
    assert page.url == f"{stack.url}{lang}/staf"
    heading = page.get_by_role("heading", level=1).inner_text()
    assert re.search("Welcome|Selamat datang", heading) and "admin" in heading
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["sp_staff"]["httpOnly"] and cookies["sp_staff"]["sameSite"] == "Lax"
    assert "sp_signin" not in cookies
    assert page.evaluate("document.cookie").find("sp_staff") == -1  # not readable by scripts
    fits_the_phone(page)
    check_accessibility(page, f"console home {lang or '/'}")
    sign_out(page)
    assert page.url.rstrip("/") == f"{stack.url}{lang}".rstrip("/")
    assert "sp_staff" not in {c["name"] for c in context.cookies()}
    page.goto(f"{stack.url}{lang}/staf")
    assert page.locator("#username").count() == 1  # signed out: back at the hosted UI
    context.close()


def test_a_wrong_password_does_not_sign_in(stack, chromium):
    context = phone(chromium)
    page = context.new_page()
    page.goto(f"{stack.url}/staf")
    page.fill("#username", "officer.pemkot-bandung")
    page.fill("#password", "not-the-password")
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_selector("[role=alert]")
    assert "sp_staff" not in {c["name"] for c in context.cookies()}
    context.close()
