"""Public statistics and the executive dashboard through HTTP on the local stack.

The cells are written the way the projector writes them (``ADD`` of each counter of
``cells.deltas`` of synthetic changes) into last month's day items, which no other test
touches; then the public pages, the hourly summaries (``python -m devstack schedule
publish_stats``), the ranking and the dashboard are read over HTTP.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e


def test_an_agencys_month_is_public_cacheable_and_revalidated(stack, http, seeded, month):
    url = f"{stack.url}/v1/stats/agencies/pemkot-bandung?period={month.label}"
    r = http.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "public, max-age=3600"  # a closed month
    body = r.json()
    assert body["period"]["label"] == month.label and body["period"]["closed"] is True
    assert body["indicators"]["received"] >= 24
    assert body["indicators"]["followed_up"] >= 12
    again = http.get(url, headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == r.headers["ETag"]


def test_a_small_region_cell_is_suppressed(stack, http, seeded, month):
    r = http.get(f"{stack.url}/v1/stats/regions/32.04?period={month.label}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["suppressed"] is True and body["indicators"] is None


def test_bad_input_is_a_problem_never_a_500(stack, http):
    cases = [
        ("/v1/stats/national?period=2026-13", 422),
        ("/v1/stats/national?period=2999-01", 422),
        ("/v1/stats/agencies/tidak-ada", 404),
        ("/v1/stats/categories/tidak-ada", 404),
        ("/v1/stats/regions/99", 404),
        ("/v1/stats/regions/32.73.01", 404),
    ]
    for path, status in cases:
        r = http.get(stack.url + path)
        assert r.status_code == status, (path, r.text)
        assert r.headers["Content-Type"] == "application/problem+json"


def test_the_hourly_summaries_feed_the_ranking_and_the_dashboard(stack, http, seeded, month):
    ran = subprocess.run(
        [sys.executable, "-m", "devstack", "schedule", "publish_stats"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert month.label in ran.stdout

    r = http.get(f"{stack.url}/v1/stats/ranking?period={month.label}")
    assert r.status_code == 200, r.text
    ranked = {i["agency"]["id"]: i for i in r.json()["items"]}
    assert ranked["pemkot-bandung"]["ranked"] is True
    assert ranked["pemkot-bandung"]["rank"] >= 1

    executive = {"Authorization": f"Bearer {stack.token('exec.pemkot-bandung')}"}
    r = http.get(f"{stack.url}/v1/dashboard?period={month.label}", headers=executive)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["scope"]["id"] == "pemkot-bandung"
    assert body["indicators"]["received"] >= 24
    assert len(body["service_level_weekly"]) == 8
    assert body["emerging"] is not None
    assert body["top_categories"][0]["code"] == "infrastruktur"

    officer = {"Authorization": f"Bearer {stack.token('officer.pemkot-bandung')}"}
    assert http.get(f"{stack.url}/v1/dashboard", headers=officer).status_code == 403
    admin = {"Authorization": f"Bearer {stack.token('admin')}"}
    r = http.get(f"{stack.url}/v1/dashboard?period={month.label}", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["scope"]["kind"] == "national"
