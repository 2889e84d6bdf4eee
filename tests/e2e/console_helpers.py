"""Signing in to the staff console in a real browser on the local stack: the console sends
the browser to the hosted UI's stand-in (devstack/signin.py), which checks the demo
account's password against the emulator's user pool and sends it back with a code."""

from __future__ import annotations

import re

from devstack.seed import DEMO_PASSWORD


def sign_in(page, stack, username: str, lang: str = "", password: str = DEMO_PASSWORD) -> None:
    """Open the console (``lang`` "" or "/en") signed in as a demo account."""
    page.goto(f"{stack.url}{lang}/staf")
    page.wait_for_selector("#username")  # at the hosted UI
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation(url=re.compile(re.escape(stack.url) + r".*/staf")):
        page.get_by_role("button", name=re.compile("Sign in|Masuk")).click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Sign out|Keluar")).click()
