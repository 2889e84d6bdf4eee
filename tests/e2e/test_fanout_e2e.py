"""On the local stack: a routable report reaches a registered webhook, signed and
verifiable; an unroutable one waits for an admin, who disposes it."""

import pytest

from devstack.receiver import Receiver
from tests.e2e.conftest import report_body

pytestmark = pytest.mark.e2e
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def receiver(stack, http):
    token = stack.token("agencyadmin.pemkot-bandung")
    auth = {"Authorization": f"Bearer {token}"}
    receiver = Receiver()
    r = http.post(
        f"{stack.url}/v1/admin/agencies/pemkot-bandung/webhooks",
        json={"url": receiver.url, "events": ["report.assigned"]},
        headers=auth,
    )
    assert r.status_code == 201, r.text
    receiver.secret = r.json()["secret"]
    assert receiver.secret.startswith("whsec_")
    listed = http.get(
        f"{stack.url}/v1/admin/agencies/pemkot-bandung/webhooks", headers=auth
    ).json()["items"]
    assert all("secret" not in w for w in listed)
    yield receiver
    http.post(
        f"{stack.url}/v1/admin/agencies/pemkot-bandung/webhooks/{r.json()['id']}/disable",
        headers=auth,
    )
    receiver.close()


def test_routable_report_reaches_the_webhook(stack, http, receiver):
    r = http.post(
        f"{stack.url}/v1/reports", data=report_body(category="infrastruktur"), headers=JSON
    )
    tid = r.json()["tracking_id"]
    assert receiver.wait_for(
        lambda rc: any(d.payload["data"]["tracking_id"] == tid for d in rc.delivered)
    )
    assert receiver.rejected_signatures == 0
    public = http.get(f"{stack.url}/v1/reports/{tid}").json()
    assert public["agency"] == {"id": "pemkot-bandung", "name": "Pemerintah Kota Bandung"}
    assert public["status_label"] == "Belum Ditindaklanjuti"

    admin = {"Authorization": f"Bearer {stack.token('admin')}"}

    def log():
        return http.get(
            f"{stack.url}/v1/admin/deliveries", params={"tracking_id": tid}, headers=admin
        ).json()["items"]

    # The dispatcher records the attempt after the receiver has answered.
    assert receiver.wait_for(lambda _: log())
    assert [(d["outcome"], d["http_status"]) for d in log()] == [("delivered", 200)]


def test_unroutable_report_waits_then_an_admin_disposes_it(stack, http, receiver):
    r = http.post(
        f"{stack.url}/v1/reports",
        data=report_body(category="korupsi-pungli", anonymous=True),
        headers=JSON,
    )
    tid = r.json()["tracking_id"]
    admin = {"Authorization": f"Bearer {stack.token('admin')}"}

    def queued():
        items = http.get(f"{stack.url}/v1/admin/verification-queue", headers=admin).json()["items"]
        return next((i for i in items if i["tracking_id"] == tid), None)

    assert receiver.wait_for(lambda _: queued() is not None)
    assert queued()["routing"]["rule"] == "manual-category"

    r = http.post(
        f"{stack.url}/v1/admin/reports/{tid}/dispose",
        json={"agency_id": "pemkot-bandung", "note": "pungli di kelurahan"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "awaiting_followup"
    view = http.get(f"{stack.url}/v1/admin/reports/{tid}", headers=admin).json()
    assert view["routing"]["rule"] == "admin"
    assert receiver.wait_for(
        lambda rc: any(d.payload["data"]["tracking_id"] == tid for d in rc.delivered)
    )
    delivered = next(d for d in receiver.delivered if d.payload["data"]["tracking_id"] == tid)
    assert "reporter" not in delivered.payload["data"]  # anonymous
    assert queued() is None
