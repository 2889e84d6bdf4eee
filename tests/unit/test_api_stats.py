"""GET /v1/stats/... (public, cacheable, suppressed) and GET /v1/dashboard, with fakes."""

import json
from datetime import date, timedelta

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.calendar import WorkingCalendar
from chalicelib.domain.deadlines import SlaClock
from chalicelib.domain.directory import Agency, Category
from chalicelib.domain.report import Actor, AgencyRef
from chalicelib.services.statistics import publish_summaries
from tests.builders import submitted_report
from tests.fakes import FakeDirectory
from tests.stats_fakes import Life, cells_of
from tests.unit.api_helpers import bearer, problem

# The fixed clock: Friday 27 November 2026, 10:00 in Jakarta.
NOV = date(2026, 11, 2)  # a Monday

CATEGORIES = [
    Category("infrastruktur", "Infrastruktur", "regional"),
    Category("sampah", "Sampah dan Kebersihan", "regional"),
    Category("kesehatan", "Kesehatan", "regional"),
    Category("imigrasi", "Imigrasi", "national"),
]
AGENCIES = [
    Agency(
        "pemkot-bandung",
        "Pemerintah Kota Bandung",
        "local_government",
        region_code="32.73",
        categories=("infrastruktur", "sampah"),
    ),
    Agency(
        "dinas-pu-bandung",
        "Dinas PU Kota Bandung",
        "local_government",
        parent_id="pemkot-bandung",
        region_code="32.73",
        categories=("infrastruktur",),
    ),
    Agency("kemenkes", "Kementerian Kesehatan", "ministry", categories=("kesehatan",)),
    Agency("puskesmas-kecil", "Puskesmas Kecil", "local_government", region_code="32.04"),
    Agency("pln", "PT PLN (Persero)", "soe"),
]


def lives():
    out = []
    for n in range(15):  # infrastructure in Kota Bandung: 12 to the city, 3 to its PU office
        agency = "pemkot-bandung" if n < 12 else "dinas-pu-bandung"
        day = NOV + timedelta(days=n % 10)
        life = Life(day).dispose(day, agency)
        if n % 3:
            life.respond(day + timedelta(days=2), on_time=n % 4 != 0)
        out.append(life)
    out += [Life(NOV, category="sampah").dispose(NOV, "pemkot-bandung") for _ in range(6)]
    out += [Life(NOV, category="kesehatan").dispose(NOV, "kemenkes") for _ in range(7)]
    out += [  # a small regency × category: 3 reports
        Life(NOV, category="kesehatan", region="32.04").dispose(NOV, "puskesmas-kecil")
        for _ in range(3)
    ]
    out += [Life(NOV, region="32.77") for _ in range(9)]  # not verified yet
    return out


@pytest.fixture
def directory():
    return FakeDirectory(categories=CATEGORIES, agencies=AGENCIES)


@pytest.fixture
def client(wired, stats_reader, trusted_staff_tokens):
    stats_reader.load(cells_of(lives()))
    with Client(app) as c:
        yield c


def get(client, path, **headers):
    r = client.http.get(path, headers=headers)
    body = json.loads(r.body) if r.body else None
    return r, body


# ---------------------------------------------------------------- public pages


def test_national_indicators_are_public_and_cacheable(client):
    r, body = get(client, "/v1/stats/national")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "public, max-age=300"
    assert r.headers["ETag"].startswith('"') and len(r.headers["ETag"]) == 34
    assert body["scope"] == {
        "kind": "national",
        "id": None,
        "name": "Indonesia",
        "province": None,
        "parent_id": None,
    }
    assert body["period"] == {
        "label": "last30",
        "start": "2026-10-29",
        "end": "2026-11-27",
        "closed": False,
    }
    assert body["suppressed"] is False
    ind = body["indicators"]
    assert (ind["received"], ind["verified"], ind["followed_up"]) == (40, 31, 10)
    assert ind["rates"]["verified"] == round(31 / 40, 4)
    assert body["now"]["open"]["total"] == 40
    assert [(c["code"], c["received"], c["suppressed"]) for c in body["categories"]] == [
        ("infrastruktur", 24, False),
        ("kesehatan", 10, False),
        ("sampah", 6, False),
    ]
    assert body["categories"][0]["name"] == "Infrastruktur"


def test_an_unchanged_page_is_304_without_a_body(client):
    r, _ = get(client, "/v1/stats/national")
    etag = r.headers["ETag"]
    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again, _ = get(client, "/v1/stats/national", **{"If-None-Match": sent})
        assert again.status_code == 304, sent
        assert again.body in (b"", "")
        assert again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == "public, max-age=300"
    other, body = get(client, "/v1/stats/national", **{"If-None-Match": '"stale"'})
    assert other.status_code == 200 and body["indicators"]


def test_a_new_report_changes_the_etag(client, stats_reader):
    etag = get(client, "/v1/stats/national")[0].headers["ETag"]
    stats_reader.load(cells_of([Life(date(2026, 11, 27))]))
    r, body = get(client, "/v1/stats/national", **{"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["ETag"] != etag
    assert body["indicators"]["received"] == 41


def test_a_closed_month_is_cached_longer(client):
    r, body = get(client, "/v1/stats/national?period=2026-10")
    assert r.headers["Cache-Control"] == "public, max-age=3600"
    assert body["period"]["closed"] is True
    assert body["indicators"]["received"] == 0
    r, body = get(client, "/v1/stats/national?period=2026-11")
    assert r.headers["Cache-Control"] == "public, max-age=300"
    assert body["period"]["end"] == "2026-11-27"


@pytest.mark.parametrize("period", ["2026-12", "1999-12", "2026-13", "lastweek", "2026-1"])
def test_a_bad_period_is_422_problem(client, period):
    r, _ = get(client, f"/v1/stats/national?period={period}")
    assert r.status_code == 422
    assert problem(r)["errors"][0]["field"] == "period"


@pytest.mark.parametrize(
    "path, slug",
    [
        ("/v1/stats/agencies/dinas-tidak-ada", "agency-not-found"),
        ("/v1/stats/agencies/NOT_AN_ID", "agency-not-found"),
        ("/v1/stats/categories/tidak-ada", "category-not-found"),
        ("/v1/stats/regions/99", "region-not-found"),
        ("/v1/stats/regions/32.73.01", "region-not-found"),
        ("/v1/stats/regions/x", "region-not-found"),
    ],
)
def test_unknown_scopes_are_404_problems(client, path, slug):
    r, _ = get(client, path)
    assert r.status_code == 404
    assert problem(r)["type"].endswith(slug)


def test_an_agency_page(client):
    r, body = get(client, "/v1/stats/agencies/pemkot-bandung?period=2026-11")
    assert r.status_code == 200
    assert body["scope"]["name"] == "Pemerintah Kota Bandung"
    assert body["indicators"]["received"] == 18  # 12 infrastructure + 6 waste
    assert body["indicators"]["verified"] is None  # not an agency figure
    assert {c["code"]: c["received"] for c in body["categories"]} == {
        "infrastruktur": 12,
        "sampah": 6,
    }
    assert body["regions"] == [{"code": "32.73", "name": None, "received": 18, "suppressed": False}]
    assert body["now"]["open"]["awaiting_followup"] + body["now"]["open"]["in_progress"] == 18


def test_a_small_agency_shows_only_that_it_is_small(client):
    r, body = get(client, "/v1/stats/agencies/puskesmas-kecil")
    assert r.status_code == 200
    assert body["suppressed"] is True
    for field in ("indicators", "now", "categories", "regions", "regions_by_category"):
        assert body[field] is None
    assert "3" not in json.dumps({k: v for k, v in body.items() if k != "period"})


def test_an_agency_without_reports_shows_zeros(client):
    _, body = get(client, "/v1/stats/agencies/pln")
    assert body["suppressed"] is False and body["indicators"]["received"] == 0


def test_a_category_page_agrees_with_the_national_table(client):
    _, body = get(client, "/v1/stats/categories/kesehatan")
    assert body["scope"] == {
        "kind": "category",
        "id": "kesehatan",
        "name": "Kesehatan",
        "province": None,
        "parent_id": None,
    }
    assert body["indicators"]["received"] == 10


def test_a_province_page_suppresses_the_small_cells_and_their_complements(client):
    r, body = get(client, "/v1/stats/regions/32")
    assert r.status_code == 200
    assert body["scope"]["name"] == "Jawa Barat"
    assert body["indicators"]["received"] == 40
    regencies = {row["code"]: row["received"] for row in body["regions"]}
    # 32.04 has 3: suppressed; 32.77 (9, the smallest other) with it, else 40 - 28 - 9 = 3
    assert regencies == {"32.73": 28, "32.77": None, "32.04": None}
    assert [row["code"] for row in body["regions"]] == ["32.73", "32.04", "32.77"]
    cells = {(c["region"], c["category"]): c["received"] for c in body["regions_by_category"]}
    assert cells == {
        ("32.73", "infrastruktur"): None,  # protects (32.77, infrastruktur) in its column
        ("32.73", "sampah"): 6,
        ("32.73", "kesehatan"): None,  # protects (32.04, kesehatan) in its column
        ("32.04", "kesehatan"): None,
        ("32.77", "infrastruktur"): None,  # else 32.77 = 9 (its only cell)
    }
    assert {c["code"]: c["received"] for c in body["categories"]} == {
        "infrastruktur": 24,
        "sampah": 6,
        "kesehatan": 10,
    }


def test_a_regency_page_uses_its_provinces_table(client):
    _, body = get(client, "/v1/stats/regions/3273")
    assert body["scope"]["id"] == "32.73"
    assert body["scope"]["province"] == {"code": "32", "name": "Jawa Barat"}
    assert body["indicators"]["received"] == 28
    assert {c["code"]: c["received"] for c in body["categories"]} == {
        "infrastruktur": None,  # as on the province's page
        "sampah": 6,
        "kesehatan": None,
    }
    for small in ("32.04", "32.77"):
        _, page = get(client, f"/v1/stats/regions/{small}")
        assert page["suppressed"] is True and page["indicators"] is None


# ---------------------------------------------------------------- the ranking


def test_the_ranking_needs_the_hourly_summary(client):
    r, _ = get(client, "/v1/stats/ranking")
    assert r.status_code == 404
    assert problem(r)["type"].endswith("ranking-not-available")


def test_the_ranking_after_the_hourly_summary(client, stats_reader, directory, clock):
    publish_summaries(stats_reader, directory, clock, "Asia/Jakarta")
    r, body = get(client, "/v1/stats/ranking")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "public, max-age=900"
    assert body["minimum_received"] == 20 and body["criteria"]
    listed = [(i["agency"]["id"], i["ranked"], i["suppressed"]) for i in body["items"]]
    assert listed == [
        ("pemkot-bandung", False, False),  # 18 < 20: not ranked
        ("kemenkes", False, False),
        ("dinas-pu-bandung", False, True),  # 3: small
        ("puskesmas-kecil", False, True),
    ]
    assert body["items"][2]["indicators"] is None
    r, _ = get(client, "/v1/stats/ranking?period=2026-11")
    assert r.status_code == 200
    r, _ = get(client, "/v1/stats/ranking?period=2026-09")
    assert r.status_code == 404


# ---------------------------------------------------------------- the dashboard


@pytest.fixture
def overdue(reports, clock):
    """Three reports of the city's tree whose first-response deadline has passed, one
    that is not due yet."""
    sla = SlaClock(WorkingCalendar())
    admin = Actor("platform_admin", "admin")
    made = []
    for n, (agency, days_ago) in enumerate(
        [
            ("pemkot-bandung", 20),
            ("dinas-pu-bandung", 30),
            ("pemkot-bandung", 12),
            ("pemkot-bandung", 1),
        ]
    ):
        at = clock.now() - timedelta(days=days_ago)
        report = submitted_report(at, f"K7M3QX9P{n}A"[:10], sla=sla)
        report.dispose(
            AgencyRef(agency, agency), actor=admin, at=at, rule="admin", reason="t", sla=sla
        )
        report.events.clear()
        reports.add_new(report, None)
        made.append(report.tracking_id)
    return made


def test_officers_and_anonymous_callers_have_no_dashboard(client):
    r, _ = get(client, "/v1/dashboard")
    assert r.status_code == 401
    for role in ("officer", "agency_admin"):
        r, _ = get(client, "/v1/dashboard", **bearer(role, agency_id="pemkot-bandung"))
        assert r.status_code == 403, role


def test_an_executive_sees_the_agency_and_its_sub_units(
    client, overdue, stats_reader, directory, clock
):
    publish_summaries(stats_reader, directory, clock, "Asia/Jakarta")
    r, body = get(client, "/v1/dashboard", **bearer("executive", agency_id="pemkot-bandung"))
    assert r.status_code == 200, body
    assert r.headers["Cache-Control"] == "private, no-store"
    assert body["scope"]["id"] == "pemkot-bandung"
    assert body["agencies"] == ["pemkot-bandung", "dinas-pu-bandung"]
    assert body["indicators"]["received"] == 21  # 18 + 3
    assert [u["agency"]["id"] for u in body["sub_units"]] == ["pemkot-bandung", "dinas-pu-bandung"]
    assert body["sub_units"][1]["indicators"]["received"] == 3  # staff see small figures
    assert body["now"]["open"]["total"] == 21
    # the overdue list: oldest deadline first, not the one still in time
    assert [i["tracking_id"] for i in body["overdue"]["items"]] == [
        overdue[1],
        overdue[0],
        overdue[2],
    ]
    assert body["overdue"]["more"] is False
    weeks = body["service_level_weekly"]
    assert len(weeks) == 8 and weeks[-1]["week_start"] == "2026-11-23"
    assert sum(w["followed_up"] for w in weeks) == 10
    assert body["top_categories"][0] == {
        "code": "infrastruktur",
        "name": "Infrastruktur",
        "received": 15,
    }
    assert body["top_regions"] == [{"code": "32.73", "name": None, "received": 21}]
    assert body["emerging"]["rule"].startswith("n = reports")


def test_an_executive_may_narrow_to_a_sub_unit_but_not_look_elsewhere(client):
    exec_ = bearer("executive", agency_id="pemkot-bandung")
    r, body = get(client, "/v1/dashboard?agency=dinas-pu-bandung", **exec_)
    assert r.status_code == 200 and body["agencies"] == ["dinas-pu-bandung"]
    r, _ = get(client, "/v1/dashboard?agency=kemenkes", **exec_)
    assert r.status_code == 403
    r, _ = get(client, "/v1/dashboard", **bearer("executive"))
    assert r.status_code == 403  # belongs to no agency


def test_a_platform_admin_sees_the_nation_or_any_agency(client, stats_reader, directory, clock):
    admin = bearer("platform_admin", username="admin")
    r, body = get(client, "/v1/dashboard", **admin)
    assert r.status_code == 200, body
    assert body["scope"]["kind"] == "national" and body["agencies"] is None
    assert body["indicators"]["received"] == 40
    assert body["sub_units"] is None and body["emerging"] is None  # not computed yet
    publish_summaries(stats_reader, directory, clock, "Asia/Jakarta")
    _, body = get(client, "/v1/dashboard", **admin)
    assert body["top_regions"][0] == {"code": "32", "name": "Jawa Barat", "received": 40}
    assert {u["agency"]["id"] for u in body["sub_units"]} == {
        "pemkot-bandung",
        "kemenkes",
        "puskesmas-kecil",
    }
    r, body = get(client, "/v1/dashboard?agency=kemenkes", **admin)
    assert body["indicators"]["received"] == 7
    r, _ = get(client, "/v1/dashboard?agency=tidak-ada", **admin)
    assert r.status_code == 404


def test_emerging_issues_reach_the_executives_they_concern(client, stats_reader, directory, clock):
    # 10 infrastructure reports in Kota Bandung this week against 15 in the 8 weeks before
    # (λ = 1.875): P(X >= 10) = 0.00012
    today = date(2026, 11, 27)
    stats_reader.load(cells_of([Life(today - timedelta(days=n % 3)) for n in range(10)]))
    publish_summaries(stats_reader, directory, clock, "Asia/Jakarta")
    _, body = get(client, "/v1/dashboard", **bearer("executive", agency_id="pemkot-bandung"))
    (cell,) = body["emerging"]["items"]
    assert (cell["category"], cell["region"], cell["recent"], cell["baseline"]) == (
        "infrastruktur",
        "32.73",
        10,
        15,
    )
    assert cell["links"]["reports"] == "/v1/public/reports?category=infrastruktur&region=32.73"
    _, other = get(client, "/v1/dashboard", **bearer("executive", agency_id="kemenkes"))
    assert other["emerging"]["items"] == []


def test_the_hourly_function_writes_the_summaries(client, stats_reader):
    from devstack.pump import EventPump, schedule_seconds

    pump = EventPump(app, None, "ap-southeast-3")
    [schedule] = [s for s in pump.schedules() if s.name == "publish_stats"]
    assert schedule_seconds(schedule.schedule_expression) == 3600  # hourly
    result = pump.run_schedule(schedule)  # a Lambda-shaped event and context
    assert result["periods"] == ["last30", "2026-11", "2026-10"]
    assert result["agencies"]["last30"] == 4  # those with reports: not pln
    assert set(stats_reader.summaries) == {
        "period#last30",
        "period#2026-11",
        "period#2026-10",
        "emerging",
    }
    assert stats_reader.summaries["period#2026-11"]["provinces"] == {"32": 40}
    # every query reads one scope's day items over the emerging window (63 days)
    days = [q for q in stats_reader.queries if q[0] == "days"]
    assert {(q[2], q[3]) for q in days} == {(date(2026, 9, 26), date(2026, 11, 27))}
    assert len(days) == len(AGENCIES) + 38


# ---------------------------------------------------------------- open data


def test_the_open_data_export_publishes_the_same_suppressed_indicators(client, stats_reader):
    import csv
    import io

    from chalicelib import bootstrap
    from chalicelib.services import open_data
    from tests.fakes import FakeOpenDataStore

    publish_summaries(stats_reader, bootstrap.directory(), bootstrap.clock(), "Asia/Jakarta")
    bucket = FakeOpenDataStore()
    table = open_data.indicators_table(bootstrap.statistics(), bootstrap.directory(), ["32", "31"])
    entry = open_data.export(date(2026, 11, 27), [table], bucket, bootstrap.clock().now())
    rows = list(csv.DictReader(io.StringIO(bucket.text("open-data/2026-11-27/indicators.csv"))))
    assert {f["name"] for f in entry["files"]} >= {"indicators.csv", "indicators.json"}
    last30 = {(r["scope_kind"], r["scope_id"]): r for r in rows if r["period"] == "last30"}
    national = last30[("national", "")]
    _, page = get(client, "/v1/stats/national")
    assert int(national["received"]) == page["indicators"]["received"] == 40
    assert int(national["open_now"]) == page["now"]["open"]["total"]
    # the small agency (3 reports) is suppressed in the file as on the page
    small = last30[("agency", "puskesmas-kecil")]
    assert small["suppressed"] == "true" and small["received"] == ""
    assert last30[("agency", "pemkot-bandung")]["received"] == "18"
    assert ("category", "kesehatan") in last30 and ("region", "32") in last30
    assert {r["period"] for r in rows} == {"last30", "2026-10"}
