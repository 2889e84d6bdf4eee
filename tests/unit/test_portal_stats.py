"""The portal's statistics pages, from the same read models as /v1/stats (fakes)."""

from html import unescape

import pytest
from chalice.test import Client

from app import app
from chalicelib.services.statistics import publish_summaries
from tests.fakes import FakeDirectory
from tests.stats_fakes import cells_of
from tests.unit.test_api_stats import AGENCIES, CATEGORIES, lives

HTML = {"Host": "127.0.0.1:8000", "Accept": "text/html"}


@pytest.fixture
def directory():
    return FakeDirectory(categories=CATEGORIES, agencies=AGENCIES)


@pytest.fixture
def client(wired):
    with Client(app) as c:
        yield c


def page(client, path):
    r = client.http.get(path, headers=HTML)
    return r, unescape(r.body.decode())


def test_before_any_report_the_pages_say_so(client):
    r, text = page(client, "/statistik")
    assert r.status_code == 200
    assert "Laporan diterima</dt><dd>0</dd>" in text
    assert "Peringkat belum tersedia" in text
    assert "/v1/open-data/latest/reports.csv" in text


def test_national_figures_the_ranking_and_an_agency(client, stats_reader, directory, clock):
    stats_reader.load(cells_of(lives()))
    publish_summaries(stats_reader, directory, clock, "Asia/Jakarta")
    r, text = page(client, "/en/statistik")
    assert r.status_code == 200
    assert "Reports received</dt><dd>40</dd>" in text
    assert "Verified</dt><dd>78%</dd>" in text  # 31 of 40
    assert 'href="/en/statistik/pemkot-bandung">Pemerintah Kota Bandung</a>' in text
    assert "Fewer than 5 reports: not published." in text  # the small one
    r, text = page(client, "/en/statistik/pemkot-bandung")
    assert r.status_code == 200
    assert "<h1>Pemerintah Kota Bandung</h1>" in text
    assert "Reports received</dt><dd>18</dd>" in text
    assert "Verified</dt>" not in text  # an agency's page has no verification rate
    r, text = page(client, "/statistik/puskesmas-kecil")
    assert "Laporan masih terlalu sedikit" in text  # 3 reports: suppressed


def test_an_unknown_agency_is_404(client):
    assert page(client, "/statistik/tidak-ada")[0].status_code == 404
    assert page(client, "/statistik/BAD!")[0].status_code == 404


def test_provinces_regencies_and_topics(client, stats_reader):
    stats_reader.load(cells_of(lives()))
    r, text = page(client, "/en/statistik")
    assert 'href="/en/statistik/kategori/infrastruktur">Infrastruktur</a>: 24' in text
    assert 'href="/en/statistik/wilayah/32">Jawa Barat</a>' in text
    r, text = page(client, "/statistik/wilayah/32")
    assert r.status_code == 200 and "<h1>Jawa Barat</h1>" in text
    assert "Laporan diterima</dt><dd>40</dd>" in text
    assert 'href="/statistik/wilayah/32.73">Kota Bandung</a>' in text
    r, text = page(client, "/statistik/wilayah/32.73")
    assert "<h1>Kota Bandung</h1>" in text and 'href="/statistik/wilayah/32">Jawa Barat</a>' in text
    r, text = page(client, "/en/statistik/kategori/kesehatan")
    assert "Reports received</dt><dd>10</dd>" in text


def test_an_unknown_region_or_topic_is_404(client):
    for path in ("/statistik/wilayah/99", "/statistik/wilayah/3x", "/statistik/kategori/nope"):
        assert page(client, path)[0].status_code == 404, path
