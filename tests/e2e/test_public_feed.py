"""The public feed on the local stack, over HTTP: reports filed (normal, anonymous,
confidential, one left unverified), disposed by an admin, answered by the agency; the feed
lists what may be public, newest first, and no reporter's identity appears anywhere in it.

The reports go to the DKI Jakarta provincial government (region 31), which no other test
of the shared stack uses, so its feed holds exactly these reports.
"""

import csv
import hashlib
import io
import subprocess
import sys
import time
import uuid

import pytest

from tests.e2e.conftest import ROOT, report_body

pytestmark = pytest.mark.e2e
JSON = {"Content-Type": "application/json"}
AGENCY = "pemprov-dki-jakarta"
FEED = "/v1/public/reports"


def _eventually(predicate, seconds=30, what="it"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _every_page(http, url, query):
    """Every page of a feed query: (ids in order, the raw bodies)."""
    ids, bodies, cursor = [], [], None
    for _ in range(100):
        params = dict(query, **({"cursor": cursor} if cursor else {}))
        r = http.get(url, params=params)
        assert r.status_code == 200, r.text
        assert r.headers["Cache-Control"].startswith("public, max-age=")
        bodies.append(r.text)
        ids += [e["tracking_id"] for e in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return ids, bodies
    raise AssertionError("the feed never ended")


def test_the_feed_lists_what_may_be_public_and_never_an_identity(stack, http):
    admin = {"Authorization": f"Bearer {stack.token('admin')}", **JSON}
    officer = {"Authorization": f"Bearer {stack.token(f'officer.{AGENCY}')}", **JSON}
    run = uuid.uuid4().hex[:8]
    identities = {}

    def submit(kind, **fields):
        name = f"Pelapor {kind.title()} {run}"
        email = f"pelapor.{kind}.{run}@example.id"
        phone = f"+62 812 {int(run, 16) % 10_000:04d} {len(identities):04d}"
        body = report_body(
            **{
                "category": "korupsi-pungli",  # never routed automatically: an admin disposes
                "region": "31.71.01.1001",
                "title": f"Pungutan liar di kelurahan ({kind})",
                "reporter": {"name": name, "email": email, "phone": phone},
                **fields,
            }
        )
        r = http.post(f"{stack.url}/v1/reports", data=body, headers=JSON)
        assert r.status_code == 201, r.text
        tid = r.json()["tracking_id"]
        identities[tid] = (name, email, phone, "+62812" + phone.split()[2] + phone.split()[3])
        return tid

    normal = submit("normal")
    anonymous = submit("anonymous", anonymous=True, region="31.71.02")
    confidential = submit("confidential", confidential=True)
    unverified = submit("unverified")

    def in_queue():
        queue = http.get(f"{stack.url}/v1/admin/verification-queue?limit=100", headers=admin)
        waiting = {i["tracking_id"] for i in queue.json()["items"]}
        return {normal, anonymous, confidential, unverified} <= waiting

    _eventually(in_queue, what="the router to hold the reports for verification")
    for tid in (normal, anonymous, confidential):
        r = http.post(
            f"{stack.url}/v1/admin/reports/{tid}/dispose",
            json={"agency_id": AGENCY, "note": "pungli: inspektorat provinsi"},
            headers=admin,
        )
        assert r.status_code == 200, r.text
    for tid, path, message in (
        (normal, "responses", f"Tim inspektorat memeriksa kelurahan {run}."),
        (anonymous, "final-response", f"Petugas yang memungut sudah ditindak {run}."),
        (confidential, "responses", f"Laporan rahasia ditangani {run}."),
    ):
        r = http.post(
            f"{stack.url}/v1/staff/reports/{tid}/{path}", json={"message": message}, headers=officer
        )
        assert r.status_code == 200, r.text

    # The agency's feed: exactly the two that may be public, newest first.
    ids, bodies = _every_page(http, f"{stack.url}{FEED}", {"agency_id": AGENCY, "limit": 1})
    assert ids == [anonymous, normal]
    entries = {
        e["tracking_id"]: e
        for e in http.get(f"{stack.url}{FEED}", params={"agency_id": AGENCY}).json()["items"]
    }
    assert entries[normal]["region"] == "31.71"  # filed for a village
    assert entries[normal]["status"] == "in_progress"
    assert entries[anonymous]["region"] is None and entries[anonymous]["anonymous"] is True
    (answer,) = entries[anonymous]["responses"]
    assert answer["final"] is True and run in answer["message"]
    assert answer["agency"] == {"id": AGENCY, "name": entries[anonymous]["agency"]["name"]}
    public = http.get(f"{stack.url}{entries[normal]['links']['self']['href']}")
    assert public.status_code == 200 and public.json()["tracking_id"] == normal

    # By region: the normal report, never the anonymous one (its region must not leak).
    for region in ("31", "31.71", "3171"):
        found, more = _every_page(http, f"{stack.url}{FEED}", {"region": region})
        assert normal in found and anonymous not in found, region
        bodies += more
    found, more = _every_page(http, f"{stack.url}{FEED}", {"status": "completed"})
    bodies += more
    assert normal not in found

    # The whole feed: listed once each, never the confidential or unverified one.
    everything, more = _every_page(http, f"{stack.url}{FEED}", {"limit": 7})
    bodies += more
    assert len(everything) == len(set(everything))
    assert {normal, anonymous} <= set(everything)
    assert not {confidential, unverified} & set(everything)

    # Nobody's identity, nor the officer's account, in any answer the feed gave.
    text = "\n".join(bodies)
    for tid, secrets in identities.items():
        for secret in secrets:
            assert secret not in text, (tid, secret)
    assert f"officer.{AGENCY}" not in text
    assert "31.71.01" not in text and "31.71.02" not in text
    assert f"Laporan rahasia ditangani {run}" not in text

    # A cursor is the API's own: a forged one is refused.
    r = http.get(f"{stack.url}{FEED}", params={"cursor": "MjA5OS0wMS0wMVQwMDowMDowMA"})
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "application/problem+json"

    # The open-data export of the same day: the same entries, and again nobody's identity.
    done = subprocess.run(
        [sys.executable, "-m", "devstack", "open-data"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    listing = http.get(f"{stack.url}/v1/open-data")
    assert listing.status_code == 200, listing.text
    latest = listing.json()["exports"][0]
    assert {f["name"] for f in latest["files"]} >= {
        "reports.csv",
        "reports.json",
        "data-dictionary.json",
    }
    files = {}
    for f in latest["files"]:
        r = http.get(f"{stack.url}{f['url']}")  # 302 to the bucket, followed
        assert r.status_code == 200, (f["name"], r.status_code)
        assert hashlib.sha256(r.content).hexdigest() == f["sha256"]
        files[f["name"]] = r.content.decode("utf-8")
    rows = {row["tracking_id"]: row for row in csv.DictReader(io.StringIO(files["reports.csv"]))}
    assert {normal, anonymous} <= set(rows)
    assert not {confidential, unverified} & set(rows)
    assert rows[normal]["region"] == "31.71" and rows[anonymous]["region"] == ""
    exported = "\n".join(files.values())
    for tid, secrets in identities.items():
        for secret in secrets:
            assert secret not in exported, (tid, secret)
    assert f"officer.{AGENCY}" not in exported
    assert "31.71.01" not in exported and "31.71.02" not in exported
    assert f"Laporan rahasia ditangani {run}" not in exported
