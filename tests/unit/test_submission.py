"""Submitting a report: stored atomically, announced, idempotent, never stranded."""

import copy
import dataclasses
import hashlib
from datetime import date, timedelta

import pytest

from chalicelib.domain import tracking_id as tracking_ids
from chalicelib.domain.report import Actor, Channel, Location, Reporter, ReportKind
from chalicelib.domain.status import Status
from chalicelib.services import access_tokens, outbox
from chalicelib.services.ports import IdempotencyKeyUsed
from chalicelib.services.submission import (
    IdempotencyConflict,
    SubmitReport,
    UnknownCategory,
    idempotency_record_key,
    submit_report,
)
from tests.fakes import InMemoryReports

SECRET = b"unit-test-secret"
KEY = "4f7c2a1e-idem-key"


def command(**overrides) -> SubmitReport:
    fields = {
        "kind": ReportKind.COMPLAINT,
        "title": "Jalan berlubang di depan pasar",
        "description": "Jalan di depan Pasar Kosambi berlubang besar sejak tiga bulan.",
        "reporter": Reporter("Siti Rahayu", "+6281234567890", "siti@example.id"),
        "category": "infrastruktur",
        "region": "32.73",
        "location": Location(-6.9175, 107.6191),
        "incident_date": date(2026, 11, 20),
        "channel": Channel.WEB,
    }
    fields.update(overrides)
    return SubmitReport(**fields)


@pytest.fixture
def submit(reports, publisher, directory, clock):
    def _submit(cmd=None, **kwargs):
        return submit_report(
            cmd or command(),
            reports=reports,
            publisher=publisher,
            directory=directory,
            clock=clock,
            token_secret=SECRET,
            **kwargs,
        )

    return _submit


def _strings(value):
    """Every string inside a (nested) value: dataclasses, dicts, lists, tuples."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, bytes):
        yield value.decode(errors="replace")
    elif value is not None:
        yield str(value)


def _token_stored_anywhere(reports: InMemoryReports, token: str) -> bool:
    state = [reports.reports, reports.events, reports.idempotency, reports.outbox]
    return any(token in s for s in _strings(state)) or token in repr(state)


def test_submission_is_stored_with_one_submitted_event(submit, reports, clock):
    cmd = command()
    result = submit(cmd)

    assert tracking_ids.is_valid(result.tracking_id)
    assert result.status == Status.UNVERIFIED
    assert result.created_at == clock.now()
    assert result.replayed is False
    assert list(reports.reports) == [result.tracking_id]

    stored = reports.reports[result.tracking_id]
    assert stored.status == Status.UNVERIFIED
    assert stored.created_at == stored.updated_at == clock.now()
    for name in ("kind", "title", "description", "reporter", "category", "region"):
        assert getattr(stored, name) == getattr(cmd, name), name
    assert stored.location == cmd.location
    assert stored.incident_date == cmd.incident_date
    assert stored.channel == Channel.WEB
    assert stored.pending_events == []
    assert stored.event_count == 1

    [event] = reports.timeline(result.tracking_id)
    assert event.seq == 1
    assert event.action == "submitted"
    assert event.actor == Actor.reporter()
    assert event.from_status is None
    assert event.to_status == Status.UNVERIFIED
    assert event.at == clock.now()


@pytest.mark.parametrize("idempotency_key", [None, KEY])
def test_only_the_token_digest_is_stored(submit, reports, idempotency_key):
    result = submit(idempotency_key=idempotency_key)
    stored = reports.reports[result.tracking_id]

    assert stored.access_token_hash == hashlib.sha256(result.access_token.encode()).hexdigest()
    assert not any(result.access_token in s for s in _strings(stored))
    assert result.access_token not in repr(stored)
    assert not _token_stored_anywhere(reports, result.access_token)


def test_the_token_opens_the_stored_report(submit, reports):
    result = submit()
    stored = reports.reports[result.tracking_id]
    assert access_tokens.matches(result.access_token, stored.access_token_hash)


def test_report_submitted_is_published_once(submit, publisher):
    result = submit()
    assert publisher.published == [result.tracking_id]


def test_submission_without_category_is_accepted(submit, reports):
    result = submit(command(category=None))
    assert reports.reports[result.tracking_id].category is None


@pytest.mark.parametrize("idempotency_key", [None, KEY])
def test_unknown_category_is_refused_and_nothing_is_stored(
    submit, reports, publisher, idempotency_key
):
    with pytest.raises(UnknownCategory) as raised:
        submit(command(category="pajak-bumi"), idempotency_key=idempotency_key)

    assert raised.value.code == "pajak-bumi"
    assert reports.reports == {}
    assert reports.events == {}
    assert reports.idempotency == {}
    assert reports.outbox == {}
    assert publisher.published == []


def test_same_key_and_same_command_replays_the_first_result(submit, reports, publisher, clock):
    first = submit(command(), idempotency_key=KEY)
    clock.advance(hours=1)
    again = submit(command(), idempotency_key=KEY)  # an equal command, not the same object

    assert first.replayed is False
    assert again.replayed is True
    assert again.tracking_id == first.tracking_id
    assert again.access_token == first.access_token
    assert again.status == first.status
    assert again.created_at == first.created_at
    assert list(reports.reports) == [first.tracking_id]
    assert len(reports.timeline(first.tracking_id)) == 1
    assert publisher.published == [first.tracking_id]


def test_replayed_token_still_opens_the_report(submit, reports):
    first = submit(idempotency_key=KEY)
    again = submit(idempotency_key=KEY)
    stored = reports.reports[first.tracking_id]
    assert access_tokens.matches(again.access_token, stored.access_token_hash)


def test_replay_reports_the_current_status(submit, reports):
    first = submit(idempotency_key=KEY)
    report = reports.get(first.tracking_id)
    report.change_status(
        Status.ARCHIVED, actor=Actor("platform_admin", "a-1"), at=report.created_at, action="x"
    )
    reports.save_changes(report)

    again = submit(idempotency_key=KEY)

    assert again.replayed is True
    assert again.status == Status.ARCHIVED


@pytest.mark.parametrize(
    "changed",
    [
        {"title": "Jalan berlubang di depan terminal"},
        {"category": "kesehatan"},
        {"anonymous": True},
        {"channel": Channel.API},
        {"reporter": Reporter("Siti Rahayu", "+6281234567891", "siti@example.id")},
    ],
)
def test_same_key_with_a_different_command_is_a_conflict(submit, reports, publisher, changed):
    first = submit(command(), idempotency_key=KEY)
    state = copy.deepcopy((reports.reports, reports.events, reports.idempotency, reports.outbox))

    with pytest.raises(IdempotencyConflict):
        submit(command(**changed), idempotency_key=KEY)

    assert (reports.reports, reports.events, reports.idempotency, reports.outbox) == state
    assert publisher.published == [first.tracking_id]


def test_different_keys_make_different_reports(submit, reports, publisher):
    a = submit(idempotency_key=KEY)
    b = submit(idempotency_key=KEY + "-2")
    assert a.tracking_id != b.tracking_id
    assert a.access_token != b.access_token
    assert len(reports.reports) == 2
    assert publisher.published == [a.tracking_id, b.tracking_id]


def test_without_a_key_every_submission_is_new(submit, reports):
    a = submit()
    b = submit()
    assert a.tracking_id != b.tracking_id
    assert a.access_token != b.access_token
    assert b.replayed is False
    assert len(reports.reports) == 2


def test_an_empty_idempotency_key_counts_as_no_key(submit, reports):
    a = submit(idempotency_key="")
    b = submit(idempotency_key="")
    assert a.tracking_id != b.tracking_id
    assert b.replayed is False
    assert reports.idempotency == {}
    # the token is random, not re-derivable from the tracking id with the server secret
    assert access_tokens.issue(SECRET, a.tracking_id, "") != a.access_token


@pytest.mark.parametrize("second", [command(), command(title="Laporan baru")])
def test_an_expired_key_can_be_used_again(submit, reports, publisher, clock, second):
    first = submit(command(), idempotency_key=KEY)
    clock.advance(hours=24, seconds=1)

    again = submit(second, idempotency_key=KEY)

    assert again.replayed is False
    assert again.tracking_id != first.tracking_id
    assert again.access_token != first.access_token
    assert set(reports.reports) == {first.tracking_id, again.tracking_id}
    assert publisher.published == [first.tracking_id, again.tracking_id]
    record = reports.idempotency[idempotency_record_key(KEY)]
    assert record.tracking_id == again.tracking_id
    assert record.expires_at == clock.now() + timedelta(hours=24)

    # ...and from now on the key replays the new report.
    replay = submit(second, idempotency_key=KEY)
    assert replay.replayed is True
    assert replay.tracking_id == again.tracking_id


def test_key_is_still_held_just_before_expiry(submit, reports, clock):
    first = submit(command(), idempotency_key=KEY)
    clock.advance(hours=23, minutes=59)
    again = submit(command(), idempotency_key=KEY)
    assert again.replayed is True
    assert again.tracking_id == first.tracking_id
    assert len(reports.reports) == 1


def test_record_vanishing_between_write_and_read_is_a_conflict(
    reports, publisher, directory, clock
):
    class KeyGoneRepository(InMemoryReports):
        def add_new(self, report, idempotency):
            raise IdempotencyKeyUsed(idempotency.key)

        def get_idempotency(self, key):
            return None  # DynamoDB TTL deleted it in between

    repo = KeyGoneRepository()
    with pytest.raises(IdempotencyConflict):
        submit_report(
            command(),
            reports=repo,
            publisher=publisher,
            directory=directory,
            clock=clock,
            token_secret=SECRET,
            idempotency_key=KEY,
        )
    assert publisher.published == []


@pytest.mark.parametrize("idempotency_key", [None, KEY])
def test_tracking_id_collision_draws_another_id(submit, reports, publisher, idempotency_key):
    existing = submit()
    existing_before = copy.deepcopy(reports.reports[existing.tracking_id])
    fresh = tracking_ids.generate()
    drawn = iter([existing.tracking_id, fresh])

    result = submit(idempotency_key=idempotency_key, new_tracking_id=lambda: next(drawn))

    assert result.tracking_id == fresh
    assert set(reports.reports) == {existing.tracking_id, fresh}
    assert reports.reports[existing.tracking_id] == existing_before
    assert len(reports.timeline(existing.tracking_id)) == 1
    assert access_tokens.matches(result.access_token, reports.reports[fresh].access_token_hash)
    assert not access_tokens.matches(
        result.access_token, reports.reports[existing.tracking_id].access_token_hash
    )
    assert publisher.published == [existing.tracking_id, fresh]
    if idempotency_key:
        assert reports.idempotency[idempotency_record_key(KEY)].tracking_id == fresh
        assert submit(idempotency_key=KEY).tracking_id == fresh


def test_publisher_failure_does_not_fail_the_submission(submit, reports, publisher, clock):
    publisher.failing = True

    result = submit()

    assert result.tracking_id in reports.reports
    assert publisher.published == []
    assert result.tracking_id in reports.outbox
    later = clock.now() + timedelta(minutes=5)
    assert reports.unacknowledged(older_than=later, limit=10) == [result.tracking_id]


def test_a_report_whose_announcement_failed_is_swept_later(submit, reports, publisher, clock):
    publisher.failing = True
    result = submit()
    publisher.failing = False
    clock.advance(minutes=3)

    swept = outbox.sweep(reports, publisher, clock, grace=timedelta(minutes=2))

    assert (swept.republished, swept.failed) == (1, 0)
    assert publisher.published == [result.tracking_id]
