"""Least privilege, proven on the local stack.

Every AWS call a function makes on the stack is recorded under that function's name
(``devstack/aws_calls.py``: the API server is ``api_handler``, the event pump names the
handler it invokes, ``devstack clock`` runs ``check_deadlines``, ``devstack schedule`` any
scheduled function) as the (IAM action, resource ARN) pairs AWS would authorize. This
module drives every function through its real paths, then checks each pair against the
role infra/resources.json gives that function. A permission missing from a role (or an
action the code starts to need) fails here, with the function, the call, the action and
the resource.

This module runs its own stack (it registers an agency, which the other e2e tests' shared
stack must not see); the shared stack records too and checks its whole log against the
roles when the session ends (tests/e2e/conftest.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid

import boto3
import pytest

from devstack.aws_calls import read_log
from devstack.receiver import Receiver
from tests import iam, samples
from tests.e2e.conftest import ROOT, Stack, assert_calls_allowed, report_body

pytestmark = pytest.mark.e2e
JSON = {"Content-Type": "application/json"}
AGENCY = "dinas-uji-iam"


def functions_of_the_app() -> set[str]:
    import app

    # The API is one function; every event source (SQS, schedule) is its own.
    return {"api_handler", *(s.name for s in app.app.event_sources)}


def _sqs(stack):
    return boto3.client(
        "sqs",
        endpoint_url=stack.emulator,
        region_name=iam.REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def _eventually(predicate, seconds=30, what="it"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _recorded(stack, function, call_prefix):
    return any(
        c["function"] == function and c["call"].startswith(call_prefix)
        for c in read_log(stack.calls)
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """This module's own stack (shadows the session's)."""
    stack = Stack(tmp_path_factory.mktemp("devstack-iam")).start()
    yield stack
    assert stack.stop() == 0, stack.log.read_text()
    assert_calls_allowed(stack)


@pytest.fixture(scope="module")
def driven(stack):
    """Drive every function through its paths once; returns what the flows produced."""
    http = __import__("requests").Session()
    admin = {"Authorization": f"Bearer {stack.token('admin')}", **JSON}

    # An agency with its own SQS queue (the dispatcher's SendMessage to agencies) and a
    # webhook (its BatchGetItem lookup and BatchWriteItem log).
    sqs = _sqs(stack)
    inbox = sqs.create_queue(QueueName=f"{AGENCY}-inbox")["QueueUrl"]
    r = http.post(
        f"{stack.url}/v1/admin/agencies",
        headers=admin,
        json={
            "id": AGENCY,
            "name": "Dinas Uji Hak Akses",
            "type": "local_government",
            "region_code": "32.73",
            "email": "dinas-uji@satupintu.test",
            "sqs_queue_url": inbox,
        },
    )
    assert r.status_code == 201, r.text
    receiver = Receiver()
    r = http.post(
        f"{stack.url}/v1/admin/agencies/{AGENCY}/webhooks",
        json={"url": receiver.url, "events": ["report.assigned", "report.updated"]},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    receiver.secret = r.json()["secret"]

    # Submission (api_handler) with an e-mail address, routed to the verification queue
    # (on_report_submitted), disposed by an admin to the agency (dispatch jobs).
    email = f"pelapor-{uuid.uuid4().hex[:8]}@satupintu.test"
    r = http.post(
        f"{stack.url}/v1/reports",
        data=report_body(
            category="korupsi-pungli",
            reporter={"name": "Dewi Lestari", "email": email, "phone": "+6281234509876"},
        ),
        headers={**JSON, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 201, r.text
    tid, token = r.json()["tracking_id"], r.json()["access_token"]
    me = {"X-Report-Token": token, **JSON}

    def in_verification():
        items = http.get(f"{stack.url}/v1/admin/verification-queue", headers=admin).json()
        return any(i["tracking_id"] == tid for i in items["items"])

    _eventually(in_verification, what="the router")
    r = http.post(
        f"{stack.url}/v1/admin/reports/{tid}/dispose",
        json={"agency_id": AGENCY, "note": "uji hak akses"},
        headers=admin,
    )
    assert r.status_code == 200, r.text

    # The public feed (api_handler queries the feed's indexes, unfiltered and by agency).
    for query in ({}, {"agency_id": AGENCY}):
        r = http.get(f"{stack.url}/v1/public/reports", params=query)
        assert r.status_code == 200, r.text
    assert tid in [e["tracking_id"] for e in r.json()["items"]]

    # Open311: a client application's key (directory GetItem), its rate limits (counters),
    # a request filed, and the disposed report read back in a batch (reports BatchGetItem).
    from devstack.seed import DEMO_OPEN311_KEY

    o311 = f"{stack.url}/open311/v2"
    r = http.post(
        f"{o311}/requests.json",
        data={
            "api_key": DEMO_OPEN311_KEY,
            "service_code": "energi-listrik",
            "address_string": "Jl. Kebon Sirih 1, Jakarta Pusat",
            "description": "Listrik padam di Jalan Kebon Sirih sejak pagi tadi.",
        },
    )
    assert r.status_code == 200, r.text
    r = http.get(f"{o311}/requests.json", params={"service_request_id": tid})
    assert r.status_code == 200 and r.json()[0]["service_request_id"] == tid, r.text

    # on_dispatch_job: the webhook and the agency's own queue both receive it.
    assert receiver.wait_for(
        lambda rc: any(d.payload["data"]["tracking_id"] == tid for d in rc.delivered)
    )
    received = _eventually(
        lambda: sqs.receive_message(QueueUrl=inbox, WaitTimeSeconds=1).get("Messages"),
        what="the agency's queue",
    )
    assert any(tid in m["Body"] for m in received)

    # on_attachment_uploaded: one accepted upload (read, checked copies written, the
    # agency told) and one refused (every version deleted); the API presigns both ways.
    accepted = _upload(stack, http, tid, me, "foto.png", "image/png", samples.png())
    refused = _upload(stack, http, tid, me, "palsu.png", "image/png", samples.HTML)
    assert _settled(stack, http, tid, me, accepted)["status"] == "accepted"
    assert _settled(stack, http, tid, me, refused)["status"] == "rejected"
    link = http.get(
        f"{stack.url}/v1/reports/{tid}/attachments/{accepted}", headers=me, allow_redirects=False
    )
    assert link.status_code in (302, 303, 307), link.text
    assert http.get(link.headers["Location"]).status_code == 200

    # The audited identity read and its log (audit table).
    r = http.post(
        f"{stack.url}/v1/admin/reports/{tid}/identity",
        json={"reason": "verifikasi identitas pelapor untuk uji hak akses"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    month = time.strftime("%Y-%m")
    r = http.get(f"{stack.url}/v1/admin/identity-access-log?month={month}", headers=admin)
    assert r.status_code == 200, r.text

    # on_notification: a new access link by e-mail (a new token, SES).
    r = http.post(
        f"{stack.url}/v1/reports/{tid}/access-link", json={"contact": email}, headers=JSON
    )
    assert r.status_code == 202, r.text
    _eventually(
        lambda: _recorded(stack, "on_notification", "email.SendEmail"), what="the access link"
    )
    # ...and one by SMS: the SMS channel's credentials from Secrets Manager.
    r = http.post(
        f"{stack.url}/v1/reports/{tid}/access-link",
        json={"contact": "+6281234509876"},
        headers=JSON,
    )
    assert r.status_code == 202, r.text
    _eventually(
        lambda: _recorded(stack, "on_notification", "secretsmanager.GetSecretValue"),
        what="the access link by SMS",
    )

    # check_deadlines, as `python -m devstack clock` runs it (the pump runs it hourly, scaled).
    shown = subprocess.run(
        [sys.executable, "-m", "devstack", "clock", "reset"],  # runs the scheduler once
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    # Statistics: public pages (a Query of day items, a GetItem of gauges), the dashboard of
    # an agency with sub-units (their gauges in one BatchGetItem, their inbox, summaries),
    # the hourly summaries (`python -m devstack schedule` runs publish_stats), the ranking.
    for path in ("/v1/stats/national", f"/v1/stats/agencies/{AGENCY}", "/v1/stats/regions/32"):
        r = http.get(stack.url + path)
        assert r.status_code == 200, r.text
    r = http.get(f"{stack.url}/v1/dashboard?agency=pemprov-jabar", headers=admin)
    assert r.status_code == 200, r.text
    published = subprocess.run(
        [sys.executable, "-m", "devstack", "schedule", "publish_stats"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert published.returncode == 0, published.stdout + published.stderr
    r = http.get(f"{stack.url}/v1/stats/ranking")
    assert r.status_code == 200, r.text

    # export_open_data, as `python -m devstack open-data` runs it (daily on AWS); the API
    # lists it and links to its files.
    exported = subprocess.run(
        [sys.executable, "-m", "devstack", "open-data"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert exported.returncode == 0, exported.stderr
    assert http.get(f"{stack.url}/v1/open-data").status_code == 200
    r = http.get(f"{stack.url}/v1/open-data/latest/reports.csv", allow_redirects=False)
    assert r.status_code == 302, r.text
    assert http.get(r.headers["Location"]).status_code == 200
    # on_channel_message: an MMS (the API checks Twilio's signature with the SMS channel's
    # secret and answers in TwiML); the intake worker fetches the picture from the local
    # stand-in for Twilio with the channel's credentials and puts it into an upload slot.
    _mms(stack, http)
    _eventually(
        lambda: _recorded(stack, "on_channel_message", "s3.PutObject"), what="the intake worker"
    )
    # sweep_outbox runs every few seconds on the test stack.
    _eventually(lambda: _recorded(stack, "sweep_outbox", "dynamodb.Query"), what="the sweeper")
    # project_statistics reads the timeline's stream and counts the changes above.
    _eventually(
        lambda: _recorded(stack, "project_statistics", "dynamodb.TransactWriteItems"),
        what="the statistics projector",
    )
    receiver.close()
    http.close()
    return read_log(stack.calls)


def _mms(stack, http):
    from twilio.request_validator import RequestValidator

    from devstack.providers import LOCAL_CREDENTIALS, SAMPLE_MEDIA_ID

    state = json.loads((stack.calls.parent / "state.json").read_text())
    sms = LOCAL_CREDENTIALS["sms"]
    form = {
        "MessageSid": "MM" + uuid.uuid4().hex,
        "From": "+6281277788899",
        "Body": "Jalan di depan SD Negeri 3 berlubang besar, fotonya terlampir.",
        "NumMedia": "1",
        "MediaUrl0": f"{state['providers']}/2010-04-01/Accounts/{sms['account_sid']}"
        f"/Messages/MM1/Media/{SAMPLE_MEDIA_ID}",
        "MediaContentType0": "image/png",
    }
    url = stack.url + "/channels/sms/twilio"
    signature = RequestValidator(sms["auth_token"]).compute_signature(url, form)
    r = http.post(url, data=form, headers={"X-Twilio-Signature": signature})
    assert r.status_code == 200 and "1 lampiran" in r.text, r.text


def _upload(stack, http, tid, headers, filename, content_type, data):
    r = http.post(
        f"{stack.url}/v1/reports/{tid}/attachments",
        headers={**JSON, **headers},
        data=json.dumps({"filename": filename, "content_type": content_type, "size": len(data)}),
    )
    assert r.status_code == 201, r.text
    slot = r.json()
    form = slot["upload"]
    up = http.post(form["url"], data=form["fields"], files={"file": (filename, data)})
    assert up.status_code in (200, 201, 204), up.text
    return slot["attachment"]["id"]


def _settled(stack, http, tid, headers, aid):
    def state():
        items = http.get(f"{stack.url}/v1/reports/{tid}/attachments", headers=headers).json()
        found = {i["id"]: i for i in items["items"]}
        return found.get(aid) if found.get(aid, {}).get("status") not in (None, "pending") else None

    return _eventually(state, what="the upload check")


def _by_function(calls):
    out: dict[str, set[tuple[str, str]]] = {}
    for c in calls:
        out.setdefault(c["function"], set()).update(map(tuple, c["requests"]))
    return out


def test_every_function_was_exercised(driven):
    seen = _by_function(driven)
    assert functions_of_the_app() <= set(seen), sorted(functions_of_the_app() - set(seen))
    actions = {f: {a for a, _ in pairs} for f, pairs in seen.items()}
    # The calls the review found unproven: each is made, so each is checked below.
    for function, action in [
        ("on_dispatch_job", "dynamodb:BatchGetItem"),
        ("on_dispatch_job", "dynamodb:BatchWriteItem"),
        ("project_statistics", "dynamodb:GetRecords"),
        ("export_open_data", "dynamodb:Query"),
        ("export_open_data", "s3:PutObject"),
        ("api_handler", "s3:GetObject"),
        ("project_statistics", "dynamodb:BatchGetItem"),
        ("project_statistics", "dynamodb:UpdateItem"),
        ("on_dispatch_job", "sqs:SendMessage"),  # the agency's own queue
        ("on_notification", "ses:SendEmail"),
        ("on_notification", "dynamodb:PutItem"),  # the sent marker
        ("on_notification", "secretsmanager:GetSecretValue"),  # a channel's credentials
        ("on_attachment_uploaded", "s3:DeleteObjectVersion"),
        ("on_attachment_uploaded", "s3:PutObject"),
        ("api_handler", "s3:PutObject"),  # presigned POST
        ("api_handler", "s3:GetObject"),  # presigned GET
        ("api_handler", "sqs:SendMessage"),
        ("check_deadlines", "dynamodb:Query"),
        ("sweep_outbox", "dynamodb:Query"),
        ("api_handler", "dynamodb:BatchGetItem"),  # the gauges of an agency's sub-units
        ("publish_stats", "dynamodb:Query"),
        ("publish_stats", "dynamodb:PutItem"),
    ]:
        assert action in actions.get(function, set()), (function, action)


def test_open311_reads_reports_in_batches(driven):
    resources = {
        r
        for c in driven
        if c["function"] == "api_handler"
        for a, r in c["requests"]
        if a == "dynamodb:BatchGetItem"
    }
    assert any(r.endswith("-reports") for r in resources), resources


def test_the_public_feed_queries_its_indexes(driven):
    """The feed's Query calls are recorded, so the role check above covers them."""
    feed_calls = [c for c in driven if c["function"] == "api_handler" and "Query" in c["call"]]
    resources = {r for c in feed_calls for a, r in c["requests"] if a == "dynamodb:Query"}
    assert any(r.endswith("-reports/index/feed") for r in resources), resources
    assert any(r.endswith("-reports/index/feed-agency") for r in resources), resources


def test_every_recorded_call_is_allowed_by_its_functions_role(driven):
    violations = iam.check(driven, iam.load_template())
    assert not violations, "calls the functions' roles would deny:\n" + "\n".join(
        map(str, violations)
    )


def test_no_call_is_unknown_to_the_recorder(driven):
    unknown = sorted(
        {c["call"] for c in driven for a, _ in c["requests"] if a.startswith("unmapped:")}
    )
    assert not unknown, f"teach devstack/aws_calls.iam_requests these calls: {unknown}"


def test_removing_any_used_action_from_a_role_turns_this_red(driven):
    """The check is not vacuous: for every function and every action it was seen to use,
    the role without that action denies a recorded call."""
    template = iam.load_template()
    for function, pairs in _by_function(driven).items():
        role = iam.role_of(template, iam.cfn_name(function))
        for action in sorted({a for a, _ in pairs}):
            weaker = iam.without_action(template, role, action)
            denied = iam.check([c for c in driven if c["function"] == function], weaker)
            assert any(v.action == action for v in denied), (function, action)


def test_sqs_functions_may_poll_their_own_queue_only(stack):
    """Lambda's event source mapping polls with the function's role: it needs Receive,
    Delete and GetQueueAttributes on its queue (the pump does this locally, unrecorded)."""
    import app

    template = iam.load_template()
    for source in app.app.event_sources:
        if type(source).__name__ != "SQSEventConfig":
            continue
        role = iam.role_of(template, iam.cfn_name(source.name))
        statements = iam.statements_of(template, role)
        queue = f"arn:aws:sqs:{iam.REGION}:{iam.ACCOUNT_ID}:{source.queue}"
        for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
            assert iam.allowed(statements, action, queue), (source.name, action)
            other = f"arn:aws:sqs:{iam.REGION}:{iam.ACCOUNT_ID}:satupintu-other"
            assert not iam.allowed(statements, action, other), (source.name, action)
