"""GET /v1/open-data and its stable file URLs (chalice test client, in-memory fakes)."""

import json
from datetime import UTC, date, datetime

import pytest
from chalice.test import Client

from app import app
from chalicelib import bootstrap
from chalicelib.services import open_data
from tests.fakes import FakeOpenDataStore as MemoryStore
from tests.unit.api_helpers import problem

T0 = datetime(2026, 3, 18, 17, 30, tzinfo=UTC)


@pytest.fixture
def bucket(wired, reports):
    bucket = MemoryStore()
    bootstrap.override(open_data_store=bucket)
    return bucket


@pytest.fixture
def client(bucket):
    with Client(app) as c:
        yield c


def export(bucket, reports, day):
    open_data.export(day, [open_data.reports_table(reports)], bucket, T0)


def test_nothing_exported_yet_is_an_empty_list(client):
    r = client.http.get("/v1/open-data")
    assert r.status_code == 200
    body = json.loads(r.body)
    assert body["exports"] == [] and body["latest"] is None and body["licence"]


def test_the_exports_newest_first_with_stable_urls(client, bucket, reports):
    export(bucket, reports, date(2026, 3, 17))
    export(bucket, reports, date(2026, 3, 18))
    r = client.http.get("/v1/open-data")
    assert r.status_code == 200
    assert r.headers["Cache-Control"].startswith("public")
    body = json.loads(r.body)
    assert body["latest"] == "2026-03-18"
    assert [e["date"] for e in body["exports"]] == ["2026-03-18", "2026-03-17"]
    urls = {f["name"]: f["url"] for f in body["exports"][1]["files"]}
    assert urls["reports.csv"] == "/v1/open-data/2026-03-17/reports.csv"
    assert body["dictionary_url"] == "/v1/open-data/latest/data-dictionary.json"


def test_a_file_url_redirects_to_a_short_lived_link(client, bucket, reports):
    export(bucket, reports, date(2026, 3, 17))
    export(bucket, reports, date(2026, 3, 18))
    r = client.http.get("/v1/open-data/2026-03-17/reports.json")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("https://bucket.example/open-data/2026-03-17/")
    latest = client.http.get("/v1/open-data/latest/reports.csv")
    assert latest.status_code == 302
    assert "/open-data/2026-03-18/reports.csv" in latest.headers["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/open-data/2026-01-01/reports.csv",  # no such export
        "/v1/open-data/2026-03-18/secrets.csv",  # no such file
        "/v1/open-data/yesterday/reports.csv",  # not a date
        "/v1/open-data/2026-03-18/..%2Findex.json",  # not a file name
        "/v1/open-data/latest/reports.csv",  # nothing exported... see below
    ],
)
def test_unknown_exports_and_files_are_404(client, bucket, reports, path):
    if "latest" not in path:
        export(bucket, reports, date(2026, 3, 18))
    r = client.http.get(path)
    assert r.status_code == 404, r.body
    problem(r)
