"""The executive dashboard page (/staf/dasbor): the same service and rules as
GET /v1/dashboard, charts as inline SVG with their numbers in tables, pickers for the
agency and the period, and clear 4xx pages for what is not allowed."""

import re
from html import unescape

import pytest
from chalice.test import Client

from app import app
from chalicelib.services.statistics import publish_summaries
from tests.fakes import FakeDirectory
from tests.stats_fakes import cells_of
from tests.unit.portal_helpers import Browser
from tests.unit.test_api_stats import AGENCIES, CATEGORIES, lives, overdue  # noqa: F401

pytestmark = pytest.mark.usefixtures("stats_reader")


@pytest.fixture
def directory():
    return FakeDirectory(categories=CATEGORIES, agencies=AGENCIES)


@pytest.fixture
def client(wired, stats_reader, trusted_staff_tokens):
    stats_reader.load(cells_of(lives()))
    with Client(app) as c:
        yield c


@pytest.fixture
def browser(client):
    return Browser(client)


def text(response) -> str:
    return unescape(response.body.decode())


def executive(browser, agency="pemkot-bandung"):
    return browser.sign_in_as("executive", agency, "exec." + agency)


def test_signed_out_goes_to_sign_in_and_officers_are_refused(browser):
    r = browser.get("/staf/dasbor?period=2026-11")
    assert r.status_code == 303
    assert r.headers["Location"] == "/staf/masuk?next=/staf/dasbor%3Fperiod%3D2026-11"
    browser.sign_in_as("officer", "pemkot-bandung")
    r = browser.get("/en/staf/dasbor")
    assert r.status_code == 403
    assert "Your account's role does not give access to this page." in text(r)


def test_an_executive_reads_the_agency_and_its_sub_units(
    browser,
    overdue,  # noqa: F811
    stats_reader,
    directory,
    clock,
):
    publish_summaries(stats_reader, directory, clock, "Asia/Jakarta")
    r = executive(browser).get("/en/staf/dasbor")
    assert r.status_code == 200
    page = text(r)
    assert "<h1>Dashboard: Pemerintah Kota Bandung</h1>" in page
    assert r.headers["Cache-Control"] == "no-store"
    # (a) workload: a chart with a title and a description, the numbers in a table
    assert '<svg class="chart" viewBox="0 0 400' in page
    assert '<title id="workload-title">Open reports by status</title>' in page
    assert (
        "Open reports right now: Awaiting follow-up: 11; In progress: 10; Overdue now: 0." in page
    )
    assert '<th scope="row">Awaiting follow-up</th><td class="num">11</td>' in page
    assert 'class="bar alert"' in page
    # the overdue list, oldest deadline first, linking to the console's report page
    links = re.findall(r'href="/en/staf/laporan/([A-Z0-9]+)"', page)
    assert links == [overdue[1], overdue[0], overdue[2]]
    assert page.count("overdue by ") == 3  # in working days, as in the inbox
    # (b) the weekly service level: 8 columns, axis labels, a table
    assert '<title id="service-level-title">First responses in time, per week</title>' in page
    assert page.count('<th scope="row">') >= 8
    assert ">Week starting</text>" in page and ">In time</text>" in page
    assert "23 Nov" in page
    # (c) the sub-units' table, narrowing links
    assert 'href="/en/staf/dasbor?agency=dinas-pu-bandung">Dinas PU Kota Bandung</a>' in page
    # (d) emerging issues: computed, none rising here
    assert "No topic is rising unusually fast in this agency's area." in page
    # top topics as a chart and a table
    assert '<th scope="row">Infrastruktur</th><td class="num">15</td>' in page
    # the agency picker offers the agency and its sub-units only
    assert '<option value="" selected>Pemerintah Kota Bandung</option>' in page
    assert '<option value="dinas-pu-bandung">Dinas PU Kota Bandung</option>' in page
    assert "kemenkes" not in page


def test_no_inline_style_or_script_and_every_chart_has_a_text_alternative(browser):
    page = executive(browser).get("/staf/dasbor").body.decode()
    assert " style=" not in page and "<style" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    assert re.search(r"\son[a-z]+=", page) is None
    svgs = re.findall(r"<svg [^>]*>", page)
    assert len(svgs) >= 3
    for svg in svgs:
        assert 'role="img"' in svg and "aria-labelledby=" in svg
    assert page.count("<details") >= 3  # "show the numbers"


def test_an_executive_narrows_to_a_sub_unit_and_the_language_switch_keeps_it(browser):
    r = executive(browser).get("/en/staf/dasbor?agency=dinas-pu-bandung&period=2026-11")
    assert r.status_code == 200
    page = text(r)
    assert "<h1>Dashboard: Dinas PU Kota Bandung</h1>" in page
    assert '<option value="dinas-pu-bandung" selected>' in page
    assert '<option value="2026-11" selected>November 2026</option>' in page
    switch = re.search(r'href="([^"]+)" hreflang="id"', page).group(1)
    assert switch.startswith("/staf/dasbor?") and "period=2026-11" in switch
    assert "agency=dinas-pu-bandung" in switch
    r = browser.get(switch)
    assert r.status_code == 200 and "<h1>Dasbor: Dinas PU Kota Bandung</h1>" in text(r)


def test_an_executive_cannot_look_elsewhere(browser):
    r = executive(browser).get("/en/staf/dasbor?agency=kemenkes")
    assert r.status_code == 403
    page = text(r)
    assert "That agency is not yours or one of its sub-units." in page
    assert 'href="#agency"' in page and "Key figures" not in page
    r = browser.get("/en/staf/dasbor?agency=BAD%21")
    assert r.status_code == 404 and "There is no such agency." in text(r)
    browser.sign_in_as("executive", None, "exec.nowhere")
    r = browser.get("/en/staf/dasbor")
    assert r.status_code == 403
    assert "Your account belongs to no agency" in text(r)


def test_a_bad_period_is_refused_with_the_pickers(browser):
    r = executive(browser).get("/en/staf/dasbor?period=2099-01")
    assert r.status_code == 400
    page = text(r)
    assert "There are no figures for that period." in page and 'href="#period"' in page
    assert "Period: Last 30 days" in page  # the default period's figures, said plainly


def test_a_platform_admin_sees_the_nation_or_any_agency(browser, stats_reader, directory, clock):
    browser.sign_in_as("platform_admin", None, "admin")
    r = browser.get("/en/staf/dasbor")
    assert r.status_code == 200
    page = text(r)
    assert "<h1>Dashboard: Nationwide</h1>" in page
    assert "The agencies' figures are computed every hour." in page
    assert "Emerging issues are computed every hour." in page
    assert "Not yet verified: 9" in page  # the national workload includes verification
    assert '<option value="" selected>Nationwide</option>' in page
    assert '<option value="pln">PT PLN (Persero)</option>' in page
    publish_summaries(stats_reader, directory, clock, "Asia/Jakarta")
    page = text(browser.get("/en/staf/dasbor"))
    assert 'href="/en/staf/dasbor?agency=kemenkes">Kementerian Kesehatan</a>' in page
    assert '<th scope="row">Jawa Barat</th><td class="num">40</td>' in page
    r = browser.get("/en/staf/dasbor?agency=kemenkes")
    assert r.status_code == 200 and "<h1>Dashboard: Kementerian Kesehatan</h1>" in text(r)
    r = browser.get("/en/staf/dasbor?agency=tidak-ada")
    assert r.status_code == 404 and "There is no such agency." in text(r)


def test_emerging_issues_are_drawn_with_the_change(browser, stats_reader, directory, clock):
    from datetime import date, timedelta

    from tests.stats_fakes import Life

    today = date(2026, 11, 27)
    stats_reader.load(cells_of([Life(today - timedelta(days=n % 3)) for n in range(10)]))
    publish_summaries(stats_reader, directory, clock, "Asia/Jakarta")
    page = text(executive(browser).get("/en/staf/dasbor"))
    assert '<title id="emerging-title">Emerging issues</title>' in page
    assert "last 7 days: 10" in page and "usual week: 1.9" in page
    assert "5.3 times the usual" in page
    assert 'href="/en/statistik/wilayah/32.73">' in page


def test_the_indonesian_dashboard(browser):
    page = text(executive(browser).get("/staf/dasbor"))
    assert "<h1>Dasbor: Pemerintah Kota Bandung</h1>" in page
    assert "Tampilkan angka" in page
