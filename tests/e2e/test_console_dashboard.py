"""The executive dashboard and the statistics pages' period picker in a real browser
(Debian's chromium) on the local stack: the charts drawn as SVG with their data, axe-core
in both languages at 360 px, the period picker working without JavaScript."""

from __future__ import annotations

import re

import pytest

from tests.e2e.console_helpers import sign_in
from tests.e2e.test_portal_browser import check_accessibility, fits_the_phone, phone, press

pytestmark = pytest.mark.e2e


def open_the_numbers(page) -> None:
    for summary in page.locator("details > summary").all():
        summary.click()


def chart_data(page) -> dict:
    """What each chart on the page draws: its title and its bars' sizes."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('svg.chart')].map(svg => [
            svg.querySelector('title').textContent,
            [...svg.querySelectorAll('rect.bar')].map(r => Math.max(
                +r.getAttribute('width'), 0) * Math.max(+r.getAttribute('height'), 0)),
        ]))"""
    )


@pytest.mark.parametrize("lang", ["", "/en"])
def test_an_executive_reads_the_dashboard(stack, chromium, seeded, month, lang):
    context = phone(chromium)
    page = context.new_page()
    sign_in(page, stack, "exec.pemkot-bandung", lang)
    page.goto(f"{stack.url}{lang}/staf/dasbor")
    assert "Pemerintah Kota Bandung" in page.locator("h1").inner_text()
    # last month, chosen with the picker (the seeded figures are there)
    page.select_option("#period", month.label)
    press(page, re.compile("^(Show|Tampilkan)$"))
    assert f"period={month.label}" in page.url
    charts = chart_data(page)
    workload = "Open reports by status" if lang else "Laporan terbuka menurut status"
    weekly = (
        "First responses in time, per week" if lang else "Tanggapan pertama tepat waktu, per minggu"
    )
    top = "Topics with the most reports" if lang else "Topik dengan laporan terbanyak"
    assert {workload, weekly, top} <= set(charts)
    assert any(area > 0 for area in charts[weekly])  # half the seeded reports were answered
    assert any(area > 0 for area in charts[top])
    svg = page.locator("svg.chart").first
    assert svg.get_attribute("role") == "img" and svg.get_attribute("aria-labelledby")
    table = page.locator("table", has=page.locator("caption", has_text=top))
    roads = "Infrastructure" if lang else "Infrastruktur"
    infrastructure = table.locator("tr", has_text=roads).locator("td").text_content()
    assert int(infrastructure.replace(".", "").replace(",", "")) >= 24
    # the sub-units' table and the overdue section are there, in words
    assert page.locator("#sub-units").count() == 1 and page.locator("#overdue").count() == 1
    check_accessibility(page, f"dashboard {lang or '/'}")
    open_the_numbers(page)
    check_accessibility(page, f"dashboard {lang or '/'} with its numbers shown")
    fits_the_phone(page)
    context.close()


def test_a_platform_admin_picks_the_nation_or_an_agency(stack, chromium, seeded, month):
    context = phone(chromium)
    page = context.new_page()
    sign_in(page, stack, "admin", "/en")
    page.goto(f"{stack.url}/en/staf/dasbor?period={month.label}")
    assert page.locator("h1").inner_text() == "Dashboard: Nationwide"
    assert page.locator("svg.chart").count() >= 3
    check_accessibility(page, "national dashboard")
    fits_the_phone(page)
    page.select_option("#agency", "pemkot-bandung")
    press(page, re.compile("^Show$"))
    assert page.locator("h1").inner_text() == "Dashboard: Pemerintah Kota Bandung"
    assert "agency=pemkot-bandung" in page.url and f"period={month.label}" in page.url
    check_accessibility(page, "an agency's dashboard for an admin")
    response = page.goto(f"{stack.url}/en/staf/dasbor?agency=no-such-agency")
    assert response.status == 404
    assert page.locator(".error-summary a[href='#agency']").count() == 1
    check_accessibility(page, "dashboard for an unknown agency")
    context.close()


def test_an_officer_has_no_dashboard(stack, chromium):
    context = phone(chromium)
    page = context.new_page()
    sign_in(page, stack, "officer.pemkot-bandung", "/en")
    response = page.goto(f"{stack.url}/en/staf/dasbor")
    assert response.status == 403
    context.close()


def test_the_statistics_period_picker_works_without_javascript(chromium, stack):
    context = phone(chromium, javascript=False)
    page = context.new_page()
    page.goto(f"{stack.url}/en/statistik")
    assert page.locator("#period").input_value() == "last30"
    month_option = page.locator("#period option").nth(1)  # the running month
    value, name = month_option.get_attribute("value"), month_option.inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}", value)
    page.select_option("#period", value)
    press(page, re.compile("^Show$"))
    assert page.url.endswith(f"/en/statistik?period={value}")
    assert f"Period: {name}," in page.content()
    # a region keeps the period, and so does the language switch
    page.locator("summary", has_text="Figures by province").click()
    with page.expect_navigation():
        page.locator("a[href*='/statistik/wilayah/32?']").first.click()
    assert page.url.endswith(f"/en/statistik/wilayah/32?period={value}")
    with page.expect_navigation():
        page.get_by_role("link", name="Bahasa Indonesia").click()
    assert page.url.endswith(f"/statistik/wilayah/32?period={value}")
    assert page.locator("#period").input_value() == value
    assert "Periode: " in page.content()
    response = page.goto(f"{stack.url}/statistik?period=2999-01")
    assert response.status == 400
    assert page.locator(".error-summary a[href='#period']").count() == 1
    context.close()
    # axe runs in the page: with JavaScript, on the same pages
    context = phone(chromium)
    page = context.new_page()
    for path in (
        f"/en/statistik?period={value}",
        f"/statistik/wilayah/32?period={value}",
        "/statistik?period=2999-01",
    ):
        page.goto(f"{stack.url}{path}")
        check_accessibility(page, path)
        fits_the_phone(page)
    context.close()
