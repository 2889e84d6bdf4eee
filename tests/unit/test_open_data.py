"""The daily open-data export with the in-memory repository: the files, the index, the
data dictionary, and that nothing in them identifies a reporter."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain import tracking_id
from chalicelib.domain.calendar import default_calendar
from chalicelib.domain.deadlines import SlaClock
from chalicelib.domain.report import Actor, AgencyRef, Reporter
from chalicelib.services import open_data
from tests.builders import submitted_report
from tests.fakes import FakeOpenDataStore as MemoryStore
from tests.fakes import InMemoryReports

T0 = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)
SLA = SlaClock(default_calendar())
ADMIN = Actor("platform_admin", "admin.pusat")
OFFICER = Actor("officer", "budi.santoso")
BANDUNG = AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung")
WHISTLEBLOWER = Reporter("Rahmat Hidayat", "+6281399887766", "rahmat.hidayat@example.id")
CITIZEN = Reporter("Dewi Lestari", "+6281322334455", "dewi.lestari@example.id")


def store(reports, at, *, respond=True, **fields):
    report = submitted_report(at, tracking_id.generate(), **fields)
    reports.add_new(report, None)
    report.dispose(BANDUNG, actor=ADMIN, at=at, rule="admin", reason="ok", sla=SLA)
    reports.save_changes(report)
    if respond:
        report.respond("Tim kami meninjau lokasi besok.", actor=OFFICER, at=at + timedelta(hours=2))
        reports.save_changes(report)
    return report


@pytest.fixture
def exported():
    reports = InMemoryReports()
    normal = store(reports, T0, reporter=CITIZEN, region="32.73.01.1001")
    anonymous = store(reports, T0 + timedelta(hours=1), anonymous=True, reporter=WHISTLEBLOWER)
    confidential = store(reports, T0 + timedelta(hours=2), confidential=True, reporter=CITIZEN)
    waiting = submitted_report(T0, tracking_id.generate(), reporter=CITIZEN)
    reports.add_new(waiting, None)  # unverified: not public
    bucket = MemoryStore()
    entry = open_data.export(
        date(2026, 3, 18), [open_data.reports_table(reports)], bucket, T0 + timedelta(days=1)
    )
    return {
        "bucket": bucket,
        "entry": entry,
        "normal": normal,
        "anonymous": anonymous,
        "confidential": confidential,
        "waiting": waiting,
    }


def test_the_reports_are_exported_as_csv_and_json_alike(exported):
    bucket = exported["bucket"]
    rows = list(csv.DictReader(io.StringIO(bucket.text("open-data/2026-03-18/reports.csv"))))
    items = json.loads(bucket.text("open-data/2026-03-18/reports.json"))
    assert [r["tracking_id"] for r in rows] == [i["tracking_id"] for i in items]
    assert {r["tracking_id"] for r in rows} == {
        exported["normal"].tracking_id,
        exported["anonymous"].tracking_id,
    }
    normal = next(r for r in rows if r["tracking_id"] == exported["normal"].tracking_id)
    assert normal["region"] == "32.73"  # never finer than the regency
    assert normal["status"] == "in_progress" and normal["status_label"] == "Proses"
    assert normal["agency_name"] == "Pemerintah Kota Bandung"
    assert normal["last_response"] == "Tim kami meninjau lokasi besok."
    assert normal["anonymous"] == "false"
    item = next(i for i in items if i["tracking_id"] == exported["normal"].tracking_id)
    assert item["anonymous"] is False and item["response_count"] == 1
    assert item["responses"][0]["agency_id"] == "pemkot-bandung"


def test_anonymous_reports_have_no_region_and_nothing_names_a_reporter_or_officer(exported):
    bucket = exported["bucket"]
    everything = "\n".join(bucket.text(key) for key in bucket.objects)
    for secret in (
        "Rahmat",
        "Hidayat",
        "+6281399887766",
        "81399887766",
        "rahmat.hidayat",
        "Dewi",
        "Lestari",
        "81322334455",
        "dewi.lestari",
        "budi.santoso",
        "admin.pusat",
        exported["confidential"].tracking_id,
        exported["waiting"].tracking_id,
    ):
        assert secret not in everything, secret
    items = json.loads(bucket.text("open-data/2026-03-18/reports.json"))
    anonymous = next(i for i in items if i["tracking_id"] == exported["anonymous"].tracking_id)
    assert anonymous["region"] == "" and anonymous["anonymous"] is True


def test_the_index_lists_each_file_with_its_checksum_and_rows(exported):
    bucket = exported["bucket"]
    index = json.loads(bucket.text(open_data.INDEX_KEY))
    (export,) = index["exports"]
    assert export["date"] == "2026-03-18"
    files = {f["name"]: f for f in export["files"]}
    assert set(files) == {"reports.csv", "reports.json", "data-dictionary.json"}
    assert files["reports.csv"]["rows"] == files["reports.json"]["rows"] == 2
    import hashlib

    body = bucket.objects["open-data/2026-03-18/reports.csv"][0]
    assert files["reports.csv"]["sha256"] == hashlib.sha256(body).hexdigest()
    assert files["reports.csv"]["bytes"] == len(body)
    assert bucket.objects["open-data/2026-03-18/reports.csv"][1].startswith("text/csv")


def test_the_dictionary_describes_every_column_of_every_file(exported):
    bucket = exported["bucket"]
    dictionary = json.loads(bucket.text("open-data/2026-03-18/data-dictionary.json"))
    (dataset,) = dictionary["datasets"]
    header = bucket.text("open-data/2026-03-18/reports.csv").splitlines()[0].split(",")
    assert [c["name"] for c in dataset["columns"]] == header
    assert all(c["description"] and c["type"] for c in dataset["columns"])
    assert dictionary["licence"]


def test_a_day_exported_again_replaces_itself_and_the_index_keeps_a_month():
    bucket = MemoryStore()
    reports = InMemoryReports()
    store(reports, T0)
    table = open_data.reports_table(reports)
    for n in range(40):
        open_data.export(date(2026, 1, 1) + timedelta(days=n), [table], bucket, T0)
    open_data.export(date(2026, 2, 9), [table], bucket, T0 + timedelta(hours=5))
    exports = json.loads(bucket.text(open_data.INDEX_KEY))["exports"]
    assert len(exports) == open_data.KEEP_EXPORTS
    assert exports[0]["date"] == "2026-02-09"
    assert exports[0]["generated_at"] == (T0 + timedelta(hours=5)).isoformat()
    assert [e["date"] for e in exports] == sorted((e["date"] for e in exports), reverse=True)


def test_an_empty_feed_exports_valid_empty_files():
    bucket = MemoryStore()
    open_data.export(date(2026, 3, 18), [open_data.reports_table(InMemoryReports())], bucket, T0)
    assert json.loads(bucket.text("open-data/2026-03-18/reports.json")) == []
    assert len(bucket.text("open-data/2026-03-18/reports.csv").splitlines()) == 1
