"""The period picker of the public statistics pages: a plain GET form, the same periods as
/v1/stats (?period=last30 or YYYY-MM), links and the language switch keep the choice, and a
period that is not published is refused with a 400 page that says why (never a 500)."""

from datetime import date
from html import unescape

import pytest
from chalice.test import Client

from app import app
from chalicelib.portal import period_picker
from chalicelib.services.statistics import publish_summaries
from chalicelib.stats import periods
from tests.fakes import FakeDirectory
from tests.stats_fakes import cells_of
from tests.unit.test_api_stats import AGENCIES, CATEGORIES, lives

HTML = {"Host": "127.0.0.1:8000", "Accept": "text/html"}
TODAY = date(2026, 11, 27)  # the fixed clock's day in Jakarta


@pytest.fixture
def directory():
    return FakeDirectory(categories=CATEGORIES, agencies=AGENCIES)


@pytest.fixture
def client(wired, stats_reader):
    stats_reader.load(cells_of(lives()))  # all in November 2026
    with Client(app) as c:
        yield c


def page(client, path):
    r = client.http.get(path, headers=HTML)
    return r, unescape(r.body.decode())


def same(text):
    return text


def test_the_choices_are_the_last_30_days_and_the_months_back_from_this_one():
    shown = period_picker.options(TODAY, same)
    assert shown[:3] == [
        ("last30", "Last 30 days"),
        ("2026-11", "November 2026"),
        ("2026-10", "October 2026"),
    ]
    assert len(shown) == 1 + period_picker.MONTHS_OFFERED
    assert shown[-1] == ("2025-12", "December 2025")
    older = periods.parse("2019-05", TODAY)
    assert period_picker.options(TODAY, same, older)[-1] == ("2019-05", "May 2019")
    # never before the first month statistics can hold
    early = period_picker.options(date(2000, 3, 5), same)
    assert [v for v, _ in early] == ["last30", "2000-03", "2000-02", "2000-01"]


def test_a_month_is_shown_and_every_link_keeps_it(client, stats_reader, directory, clock):
    r, text = page(client, "/en/statistik?period=2026-11")
    assert r.status_code == 200
    assert "Period: November 2026, 1 November 2026 to 27 November 2026." in text
    assert '<option value="2026-11" selected>November 2026</option>' in text
    assert '<form method="get" action="/en/statistik" class="filters">' in text
    assert "Reports received</dt><dd>40</dd>" in text
    assert 'href="/en/statistik/kategori/infrastruktur?period=2026-11"' in text
    assert 'href="/en/statistik/wilayah/32?period=2026-11"' in text
    # the language switch keeps the period
    assert 'href="/statistik?period=2026-11" hreflang="id"' in text
    r, text = page(client, "/statistik?period=2026-11")
    assert "Periode: November 2026, 1 November 2026 sampai 27 November 2026." in text
    assert 'href="/en/statistik?period=2026-11" hreflang="en"' in text


def test_the_default_period_adds_nothing_to_the_links(client):
    r, text = page(client, "/en/statistik")
    assert r.status_code == 200
    assert '<option value="last30" selected>Last 30 days</option>' in text
    assert "Period: Last 30 days, 29 October 2026 to 27 November 2026." in text
    assert 'href="/en/statistik/kategori/infrastruktur"' in text
    assert 'href="/statistik" hreflang="id"' in text


def test_an_earlier_month_has_its_own_figures_and_says_when_there_is_no_ranking(
    client, stats_reader, directory, clock
):
    publish_summaries(stats_reader, directory, clock, "Asia/Jakarta")
    r, text = page(client, "/en/statistik?period=2026-09")
    assert r.status_code == 200
    assert "Reports received</dt><dd>0</dd>" in text
    assert "There is no ranking for this period." in text
    assert "Period: September 2026, 1 September 2026 to 30 September 2026." in text
    r, text = page(client, "/en/statistik?period=2026-11")  # the running month is ranked
    assert "Pemerintah Kota Bandung</a>" in text


@pytest.mark.parametrize("bad", ["2031-01", "1999-12", "2026-13", "november", "x" * 5000, "2026-1"])
def test_a_period_that_is_not_published_is_refused_with_the_picker(client, bad):
    r, text = page(client, f"/en/statistik?period={bad}")
    assert r.status_code == 400
    assert "There are no figures for that period. Choose one from the list." in text
    assert 'href="#period"' in text  # the error summary leads to the picker
    assert 'aria-invalid="true"' in text
    assert "Period: Last 30 days" in text  # what is shown instead, said plainly
    assert f'value="{bad}"' not in text
    r, text = page(client, f"/statistik/pemkot-bandung?period={bad}")
    assert r.status_code == 400 and "Tidak ada angka untuk periode tersebut" in text


def test_an_empty_choice_is_the_default(client):
    r, text = page(client, "/en/statistik?period=")
    assert r.status_code == 200 and "Period: Last 30 days" in text


def test_agency_region_and_topic_pages_take_the_period(client):
    r, text = page(client, "/en/statistik/pemkot-bandung?period=2026-11")
    assert r.status_code == 200
    assert "Reports received</dt><dd>18</dd>" in text
    assert '<form method="get" action="/en/statistik/pemkot-bandung" class="filters">' in text
    assert 'href="/statistik/pemkot-bandung?period=2026-11" hreflang="id"' in text
    assert 'href="/en/statistik?period=2026-11">All statistics</a>' in text
    r, text = page(client, "/en/statistik/pemkot-bandung?period=2026-10")
    assert "Reports received</dt><dd>0</dd>" in text
    r, text = page(client, "/en/statistik/wilayah/32?period=2026-11")
    assert r.status_code == 200 and "Reports received</dt><dd>40</dd>" in text
    assert 'href="/en/statistik/wilayah/32.73?period=2026-11"' in text
    assert '<form method="get" action="/en/statistik/wilayah/32" class="filters">' in text
    r, text = page(client, "/en/statistik/kategori/kesehatan?period=2026-11")
    assert r.status_code == 200 and "Reports received</dt><dd>10</dd>" in text
    assert 'href="/statistik/kategori/kesehatan?period=2026-11" hreflang="id"' in text
    r, text = page(client, "/en/statistik/kategori/kesehatan?period=2026-10")
    assert "Reports received</dt><dd>0</dd>" in text or "too few reports" in text
