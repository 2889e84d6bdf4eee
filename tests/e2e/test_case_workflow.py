"""The case workflow on the local stack, over HTTP, as its users do it: a report goes
through its whole life with real staff tokens, the event pump and the emulator."""

import time

import pytest

from tests.e2e.conftest import report_body

pytestmark = pytest.mark.e2e
JSON = {"Content-Type": "application/json"}


def _wait_for(http, url, headers, predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while True:
        body = http.get(url, headers=headers).json()
        if predicate(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def test_submit_answer_reply_rate_confirm(stack, http):
    officer = {"Authorization": f"Bearer {stack.token('officer.pemkot-bandung')}", **JSON}
    created = http.post(
        f"{stack.url}/v1/reports",
        data=report_body(category="infrastruktur", region="32.73", anonymous=True),
        headers=JSON,
    ).json()
    tid, me = created["tracking_id"], {"X-Report-Token": created["access_token"], **JSON}
    staff_url = f"{stack.url}/v1/staff/reports/{tid}"
    view = _wait_for(http, staff_url, officer, lambda b: b.get("status") == "awaiting_followup")
    assert view["status"] == "awaiting_followup", view
    assert view["deadline"]["kind"] == "first_response"
    assert view["reporter"] is None and view["identity_withheld"] is True  # anonymous

    inbox = http.get(f"{stack.url}/v1/inbox?limit=100", headers=officer).json()
    assert tid in [i["tracking_id"] for i in inbox["items"]]

    def post(path, body, headers):
        r = http.post(f"{stack.url}{path}", json=body, headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    post(
        f"/v1/staff/reports/{tid}/information-requests", {"message": "Di mana persisnya?"}, officer
    )
    post(f"/v1/reports/{tid}/replies", {"message": "Depan gerbang utara."}, me)
    assert (
        post(f"/v1/staff/reports/{tid}/responses", {"message": "Kami cek."}, officer)["status"]
        == "in_progress"
    )
    post(f"/v1/staff/reports/{tid}/notes", {"text": "internal only"}, officer)
    final = post(f"/v1/staff/reports/{tid}/final-response", {"message": "Sudah."}, officer)
    assert final["deadline"]["kind"] == "completion"
    r = http.put(f"{stack.url}/v1/reports/{tid}/rating", json={"score": 5}, headers=me)
    assert r.status_code == 200, r.text
    assert post(f"/v1/reports/{tid}/confirm", None, me)["status"] == "completed"

    public = http.get(f"{stack.url}/v1/reports/{tid}")
    actions = [e["action"] for e in public.json()["timeline"]]
    assert "final_response" in actions and "internal_note" not in actions
    assert "internal only" not in public.text and "Asep" not in public.text

    # a second confirmation is a 409 naming the status
    r = http.post(f"{stack.url}/v1/reports/{tid}/confirm", headers=me)
    assert r.status_code == 409 and r.json()["current_status"] == "completed"


def test_transfer_back_to_the_admins_and_reroute(stack, http):
    officer = {"Authorization": f"Bearer {stack.token('officer.pemkot-bandung')}", **JSON}
    admin = {"Authorization": f"Bearer {stack.token('admin')}", **JSON}
    created = http.post(
        f"{stack.url}/v1/reports",
        data=report_body(category="infrastruktur", region="32.73"),
        headers=JSON,
    ).json()
    tid = created["tracking_id"]
    _wait_for(
        http,
        f"{stack.url}/v1/staff/reports/{tid}",
        officer,
        lambda b: b.get("status") == "awaiting_followup",
    )
    r = http.post(
        f"{stack.url}/v1/staff/reports/{tid}/transfer",
        headers=officer,
        json={"reason": "Jalan provinsi", "suggested_agency": "pemprov-jabar"},
    )
    assert r.status_code == 200, r.text
    queue = http.get(f"{stack.url}/v1/admin/verification-queue", headers=admin).json()
    assert queue["items"][0]["tracking_id"] == tid  # transferred: first in line
    r = http.post(
        f"{stack.url}/v1/admin/reports/{tid}/dispose",
        headers=admin,
        json={"agency_id": "pemkot-bandung"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "awaiting_followup"


def test_a_final_response_completes_on_its_own_when_the_window_ends(stack, http):
    """The scheduler on the local stack, driven by the dev-only clock."""
    import subprocess
    import sys

    from tests.e2e.conftest import ROOT

    officer = {"Authorization": f"Bearer {stack.token('officer.pemkot-bandung')}", **JSON}
    created = http.post(
        f"{stack.url}/v1/reports",
        data=report_body(category="infrastruktur", region="32.73"),
        headers=JSON,
    ).json()
    tid, me = created["tracking_id"], {"X-Report-Token": created["access_token"]}
    _wait_for(
        http,
        f"{stack.url}/v1/staff/reports/{tid}",
        officer,
        lambda b: b.get("status") == "awaiting_followup",
    )
    r = http.post(
        f"{stack.url}/v1/staff/reports/{tid}/final-response",
        json={"message": "Sudah dibersihkan."},
        headers=officer,
    )
    assert r.status_code == 200, r.text

    def clock(step):
        return subprocess.run(
            [sys.executable, "-m", "devstack", "clock", step],
            cwd=ROOT,
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    try:
        moved = clock("+20d")  # ten working days, whatever the holidays
        assert moved.returncode == 0, moved.stderr
        assert "completed" in moved.stdout
        mine = http.get(f"{stack.url}/v1/reports/{tid}", headers=me).json()
        assert mine["status"] == "completed"
        assert mine["timeline"][-1]["action"] == "auto_completed"
        assert "reopen" in mine["allowed_actions"]
    finally:
        assert clock("reset").returncode == 0
