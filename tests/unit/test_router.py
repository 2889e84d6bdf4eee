"""The router (services.routing.route_submitted) with in-memory fakes."""

import json
from datetime import datetime

import pytest

from chalicelib.domain.directory import Agency, Category
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.report import Actor
from chalicelib.domain.status import Status
from chalicelib.services.dispatch import REPORT_ASSIGNED, delivery_id, payload_for
from chalicelib.services.messagebus import NotPublished
from chalicelib.services.ports import WebhookTarget
from chalicelib.services.routing import route_submitted
from tests.builders import submitted_report
from tests.fakes import FakeDirectory
from tests.unit.lambda_events import sqs_event, sqs_record

BANDUNG_QUEUE = "https://sqs.ap-southeast-3.amazonaws.com/123456789012/pemkot-bandung-laporan"
CATEGORIES = [
    Category("infrastruktur", "Infrastruktur", "regional"),
    Category("imigrasi", "Imigrasi", "national", lead_agency="kemenimipas-imigrasi"),
    Category("energi-listrik", "Energi dan Listrik", "national", lead_agency="pln"),
]
AGENCIES = [
    Agency(
        "pemkot-bandung",
        "Pemerintah Kota Bandung",
        "local_government",
        region_code="32.73",
        categories=("infrastruktur",),
        sqs_queue_url=BANDUNG_QUEUE,
    ),
    Agency("kemenimipas-imigrasi", "Direktorat Jenderal Imigrasi", "ministry"),
    Agency("pln", "PT PLN (Persero)", "soe", categories=("energi-listrik",)),
]


@pytest.fixture
def directory():
    return FakeDirectory(CATEGORIES, AGENCIES)


def _target(target_id, agency_id="pemkot-bandung", events=("report.assigned",), active=True):
    return WebhookTarget(
        id=target_id,
        agency_id=agency_id,
        url=f"https://hooks.example.go.id/{target_id}",
        events=events,
        secret="whsec_" + "A" * 44,
        active=active,
    )


@pytest.fixture
def targets(targets):
    for t in [
        _target("wh_assigned"),
        _target("wh_everything", events=("*",)),
        _target("wh_disabled", active=False),
        _target("wh_updates_only", events=("report.updated",)),
        _target("wh_other_agency", agency_id="kemenimipas-imigrasi"),
    ]:
        targets.save(t)
    return targets


@pytest.fixture
def add(reports, clock):
    def _add(tracking_id="23456789AB", **fields):
        report = submitted_report(clock.now(), tracking_id, **{"region": "32.73.01", **fields})
        reports.add_new(report, None)
        return tracking_id

    return _add


@pytest.fixture
def run(uow, directory, outlets, clock, calendar):
    def _run(tracking_id):
        return route_submitted(
            tracking_id,
            uow=uow,
            directory=directory,
            outlets=outlets,
            clock=clock,
            calendar=calendar,
        )

    return _run


ROUTER = Actor("system", "router")


@pytest.fixture
def payload(reports):
    """What a job's agency receives when the dispatcher delivers it (jobs carry ids only)."""
    return lambda job: payload_for(job, reports.get(job.tracking_id))


# -- disposition -----------------------------------------------------------------------------


def test_routable_report_is_disposed_to_the_agency(reports, clock, add, run):
    tid = add()
    clock.advance(minutes=3)

    result = run(tid)

    stored = reports.get(tid)
    assert stored.status == Status.AWAITING_FOLLOWUP
    assert (stored.agency.id, stored.agency.name) == ("pemkot-bandung", "Pemerintah Kota Bandung")
    assert stored.routing.rule == "regional-regency:32.73:infrastruktur"
    assert stored.routing.agency_id == "pemkot-bandung"
    assert stored.routing.decided_by == "router"
    assert stored.routing.decided_at == clock.now()
    assert "infrastruktur" in stored.routing.reason
    assert stored.updated_at == clock.now()
    assert (result.agency_id, result.rule, result.redelivered) == (
        "pemkot-bandung",
        "regional-regency:32.73:infrastruktur",
        False,
    )
    # the first-response deadline: 5 working days after the disposition
    assert stored.deadline.kind.value == "first_response"

    last = reports.timeline(tid)[-1]
    assert [e.action for e in reports.timeline(tid)] == ["submitted", "disposed"]
    assert last.actor == ROUTER
    assert (last.from_status, last.to_status) == (Status.UNVERIFIED, Status.AWAITING_FOLLOWUP)
    assert last.at == clock.now()
    assert stored.event_count == 2
    assert tid not in reports.outbox  # acknowledged in the same write


def test_one_job_per_interested_webhook_and_one_for_the_agency_queue(
    clock, dispatch_queue, add, run, payload
):
    tid = add()
    run(tid)

    jobs = dispatch_queue.jobs
    assert sorted((j.target_type, j.target_id) for j in jobs) == [
        ("sqs", "sqs"),
        ("webhook", "wh_assigned"),
        ("webhook", "wh_everything"),
    ]
    occurrence = clock.now().isoformat()
    for job in jobs:
        assert job.event_type == REPORT_ASSIGNED
        assert job.tracking_id == tid
        assert job.agency_id == "pemkot-bandung"
        assert job.delivery_id == delivery_id(REPORT_ASSIGNED, tid, occurrence, job.target_id)
        assert payload(job)["type"] == REPORT_ASSIGNED
        assert payload(job)["data"]["tracking_id"] == tid
        assert payload(job)["data"]["status"] == "awaiting_followup"
        assert payload(job)["data"]["agency"] == {
            "id": "pemkot-bandung",
            "name": "Pemerintah Kota Bandung",
        }
        json.dumps(payload(job))  # serialisable as is
    assert len({j.delivery_id for j in jobs}) == 3


def test_only_the_agencys_own_targets_get_jobs(reports, dispatch_queue, add, run):
    tid = add(category="imigrasi", region=None)

    result = run(tid)

    assert result.agency_id == "kemenimipas-imigrasi"
    assert result.rule == "national-lead:imigrasi"
    # its one webhook; no queue job (the agency has no queue); nothing of Bandung's
    assert [(j.target_type, j.target_id) for j in dispatch_queue.jobs] == [
        ("webhook", "wh_other_agency")
    ]
    assert reports.get(tid).status == Status.AWAITING_FOLLOWUP


def test_agency_without_any_target_is_still_disposed(reports, dispatch_queue, add, run):
    tid = add(category="energi-listrik", region=None)

    result = run(tid)

    assert result.agency_id == "pln"
    assert dispatch_queue.jobs == []
    assert reports.get(tid).status == Status.AWAITING_FOLLOWUP
    assert tid not in reports.outbox


# -- the verification queue ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"category": None}, "no-category"),
        ({"region": None}, "no-region"),
        ({"region": "96.71"}, "no-handler"),
        ({"region": "99.01"}, "invalid-region"),
    ],
)
def test_unroutable_report_waits_for_verification(
    reports, dispatch_queue, clock, add, run, fields, rule
):
    tid = add(**fields)

    result = run(tid)

    stored = reports.get(tid)
    assert stored.status == Status.UNVERIFIED
    assert stored.agency is None
    assert stored.routing.rule == rule == result.rule
    assert stored.routing.agency_id is None
    assert result.agency_id is None
    events = reports.timeline(tid)
    assert [e.action for e in events] == ["submitted", "awaiting_verification"]
    assert events[-1].actor == ROUTER
    assert (events[-1].from_status, events[-1].to_status) == (Status.UNVERIFIED,) * 2
    assert [r.tracking_id for r in reports.verification_queue(10)] == [tid]
    assert dispatch_queue.jobs == []
    assert tid not in reports.outbox


def test_only_held_reports_are_in_the_verification_queue(reports, add, run):
    held, disposed, not_yet_routed = (
        add("23456789AB", category=None),
        add("3456789ABC"),
        add("456789ABCD"),
    )
    run(held)
    run(disposed)
    assert [r.tracking_id for r in reports.verification_queue(10)] == [held]
    assert not_yet_routed in reports.outbox


# -- redelivery (SQS delivers at least once) ---------------------------------------------------


def test_redelivered_message_does_not_dispose_twice_but_enqueues_the_same_jobs(
    reports, dispatch_queue, clock, add, run
):
    tid = add()
    run(tid)
    first = list(dispatch_queue.jobs)
    assert first
    events_after_first = reports.timeline(tid)
    clock.advance(minutes=10)  # the redelivery comes later: ids must not depend on it

    again = run(tid)

    assert again.redelivered is True
    assert again.agency_id == "pemkot-bandung"
    assert reports.timeline(tid) == events_after_first
    assert reports.get(tid).event_count == len(events_after_first) == 2
    assert reports.get(tid).updated_at < clock.now()
    second = dispatch_queue.jobs[len(first) :]
    assert second == first  # same delivery ids, same payloads: receivers dedupe


def test_redelivered_message_for_a_held_report_changes_nothing(reports, dispatch_queue, add, run):
    tid = add(category=None)
    run(tid)
    before = reports.timeline(tid)

    again = run(tid)

    assert again.redelivered is True
    assert reports.timeline(tid) == before
    assert dispatch_queue.jobs == []
    assert [r.tracking_id for r in reports.verification_queue(10)] == [tid]


def test_a_crash_between_disposition_and_enqueue_loses_nothing(
    reports, dispatch_queue, clock, add, run
):
    tid = add()
    decided_at = clock.now()
    dispatch_queue.failing = True

    with pytest.raises(NotPublished):  # the message goes back to the queue
        run(tid)

    assert reports.get(tid).status == Status.AWAITING_FOLLOWUP  # the save succeeded
    assert dispatch_queue.jobs == []

    dispatch_queue.failing = False
    clock.advance(minutes=5)
    result = run(tid)

    assert result.redelivered is True
    assert sorted(j.delivery_id for j in dispatch_queue.jobs) == sorted(
        delivery_id(REPORT_ASSIGNED, tid, decided_at.isoformat(), target)
        for target in ("wh_assigned", "wh_everything", "sqs")
    )
    assert [e.action for e in reports.timeline(tid)] == ["submitted", "disposed"]


def test_a_report_disposed_by_an_admin_is_announced_again_with_the_same_ids(
    reports, outlets, dispatch_queue, clock, add, run
):
    """Redelivery never decides again; re-announcing the admin's disposition is
    harmless because the jobs are identical (the dispatcher delivers each id once)."""
    from chalicelib.domain.report import AgencyRef
    from chalicelib.services.routing import announce_assignment

    tid = add()
    report = reports.get(tid)
    report.dispose(
        AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung"),
        actor=Actor("platform_admin", "admin"),
        at=clock.now(),
        rule="admin",
        reason="verified by an admin",
    )
    reports.save_changes(report)
    announce_assignment(reports.get(tid), outlets)
    first = list(dispatch_queue.jobs)
    assert first
    events_before = reports.get(tid).event_count

    result = run(tid)

    assert result.redelivered is True
    assert reports.get(tid).event_count == events_before  # not disposed twice
    again = dispatch_queue.jobs[len(first) :]
    assert [j.delivery_id for j in again] == [j.delivery_id for j in first]
    assert again == first  # same jobs: same ids, same events
    assert tid not in reports.outbox  # still acknowledged


def test_a_late_redelivery_after_a_transfer_does_not_notify_anyone(
    reports, dispatch_queue, add, run
):
    from chalicelib.domain.report import AgencyRef

    tid = add()
    run(tid)
    sent = len(dispatch_queue.jobs)
    # the city handed the report straight to another agency ("no wrong door")
    stored = reports.reports[tid]
    stored.agency = AgencyRef("kemenimipas-imigrasi", "Direktorat Jenderal Imigrasi")

    result = run(tid)

    assert result.redelivered is True
    assert len(dispatch_queue.jobs) == sent


def test_a_concurrent_update_propagates_so_the_message_is_retried(
    reports, dispatch_queue, add, run, monkeypatch
):
    tid = add()
    real_get = reports.get

    def stale_get(tracking_id):
        report = real_get(tracking_id)
        reports.reports[tracking_id].version += 1  # somebody else wrote meanwhile
        return report

    monkeypatch.setattr(reports, "get", stale_get)

    with pytest.raises(ConcurrentUpdate):
        run(tid)

    monkeypatch.undo()
    stored = reports.get(tid)
    assert stored.status == Status.UNVERIFIED and stored.routing is None
    assert [e.action for e in reports.timeline(tid)] == ["submitted"]
    assert dispatch_queue.jobs == []
    assert tid in reports.outbox


# -- privacy ---------------------------------------------------------------------------------


def _keys(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _keys(v)


def test_anonymous_report_payload_has_no_reporter_at_all(dispatch_queue, add, run, payload):
    tid = add(anonymous=True)  # an identity was given, and must still not travel
    run(tid)

    assert dispatch_queue.jobs
    for job in dispatch_queue.jobs:
        assert "reporter" not in set(_keys(payload(job)))
        assert payload(job)["data"]["anonymous"] is True
        text = json.dumps(payload(job), ensure_ascii=False)
        for secret in ("Siti", "Rahayu", "+6281234567890", "6281234567890", "example.id"):
            assert secret not in text


def test_confidential_report_is_delivered_with_the_flag_and_its_content(
    dispatch_queue, add, run, payload
):
    tid = add(confidential=True)
    run(tid)

    assert dispatch_queue.jobs
    for job in dispatch_queue.jobs:
        data = payload(job)["data"]
        assert data["confidential"] is True
        assert data["description"].startswith("Jalan di depan Pasar Kosambi")  # agency needs it


def test_named_report_payload_carries_the_reporter(dispatch_queue, add, run, payload):
    tid = add()
    run(tid)

    assert dispatch_queue.jobs
    for job in dispatch_queue.jobs:
        assert payload(job)["data"]["reporter"] == {
            "name": "Siti Rahayu",
            "phone": "+6281234567890",
            "email": "siti.rahayu@example.id",
        }
        assert payload(job)["data"]["anonymous"] is False


def test_created_at_and_timestamp_are_iso_8601(dispatch_queue, add, run, clock, payload):
    run(add())
    payload = payload(dispatch_queue.jobs[0])
    assert datetime.fromisoformat(payload["timestamp"]) == clock.now()
    assert datetime.fromisoformat(payload["data"]["created_at"]).tzinfo is not None


# -- through the SQS handler -----------------------------------------------------------------


@pytest.fixture
def root_logging():
    """The handler installs the JSON log handler on the root logger; undo it afterwards."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers = handlers
    root.setLevel(level)


def _submitted(tracking_id: str) -> str:
    return json.dumps({"type": "report.submitted", "data": {"tracking_id": tracking_id}})


def test_handler_retries_only_the_message_that_met_a_concurrent_update(
    wired, root_logging, reports, dispatch_queue, add, monkeypatch
):
    from chalicelib.handlers.routing import on_report_submitted

    ok, contended = add("23456789AB"), add("3456789ABC")
    real_get = reports.get

    def get(tracking_id):
        report = real_get(tracking_id)
        if tracking_id == contended:
            reports.reports[tracking_id].version += 1
        return report

    monkeypatch.setattr(reports, "get", get)
    event = sqs_event(
        sqs_record(_submitted(ok), 0, queue="satupintu-dev-report-submitted"),
        sqs_record(_submitted(contended), 1, queue="satupintu-dev-report-submitted"),
    )

    result = on_report_submitted(event, None)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    assert {j.tracking_id for j in dispatch_queue.jobs} == {ok}
    assert contended in reports.outbox


def test_handler_retries_when_the_dispatch_queue_is_down(
    wired, root_logging, reports, dispatch_queue, add
):
    from chalicelib.handlers.routing import on_report_submitted

    tid = add()
    dispatch_queue.failing = True
    event = sqs_event(sqs_record(_submitted(tid), 0, queue="satupintu-dev-report-submitted"))

    assert on_report_submitted(event, None) == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}

    dispatch_queue.failing = False
    assert on_report_submitted(event, None) == {"batchItemFailures": []}
    assert len(dispatch_queue.jobs) == 3


def test_a_failed_acknowledgement_on_redelivery_retries_the_message(reports, add, run, monkeypatch):
    tid = add()
    run(tid)

    def throttled(tracking_id):
        raise RuntimeError("ProvisionedThroughputExceeded")

    monkeypatch.setattr(reports, "acknowledge_submitted", throttled)
    with pytest.raises(RuntimeError):
        run(tid)  # the handler reports the record as failed; SQS delivers it again
