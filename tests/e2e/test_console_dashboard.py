"""The executive dashboard and the statistics pages' period picker in a real browser
(Debian's chromium) on the local stack: charts drawn as SVG with their data, axe-core in
both languages at 360 px, the period picker working without JavaScript."""

from __future__ import annotations

import re

from tests.e2e.test_portal_browser import (  # noqa: F401  (chromium: the module's fixture)
    check_accessibility,
    chromium,
    fits_the_phone,
    phone,
    press,
)


def test_the_statistics_period_picker_works_without_javascript(chromium, stack):
    context = phone(chromium, javascript=False)
    page = context.new_page()
    page.goto(f"{stack.url}/en/statistik")
    assert page.locator("#period").input_value() == "last30"
    month = page.locator("#period option").nth(1)  # the running month
    value, name = month.get_attribute("value"), month.inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}", value)
    page.select_option("#period", value)
    press(page, "Show")
    assert page.url.endswith(f"/en/statistik?period={value}")
    assert f"Period: {name}," in page.content()
    check_accessibility(page, "statistics for a month")
    fits_the_phone(page)
    # a topic keeps the period, and so does the language switch
    with page.expect_navigation():
        page.locator("a[href*='/statistik/wilayah/32?']").first.click()
    assert page.url.endswith(f"/en/statistik/wilayah/32?period={value}")
    with page.expect_navigation():
        page.get_by_role("link", name="Bahasa Indonesia").click()
    assert page.url.endswith(f"/statistik/wilayah/32?period={value}")
    assert page.locator("#period").input_value() == value
    assert "Periode: " in page.content()
    check_accessibility(page, "region statistics for a month, Indonesian")
    fits_the_phone(page)
    # an address with a period that is not published: a 400 page with the picker
    response = page.goto(f"{stack.url}/statistik?period=2999-01")
    assert response.status == 400
    assert page.locator(".error-summary a[href='#period']").count() == 1
    check_accessibility(page, "statistics with a wrong period")
    fits_the_phone(page)
    context.close()
