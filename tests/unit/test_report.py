"""Statuses, their LAPOR! names, the allowed transitions and the timeline they leave."""

import copy
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import InvalidTransition
from chalicelib.domain.report import Actor, Channel, Report, Reporter, ReportKind, TimelineEvent
from chalicelib.domain.status import LABELS, TRANSITIONS, Status, can_transition

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=2)
ADMIN = Actor("platform_admin", "admin-7")

ALLOWED = [(a, b) for a in Status for b in Status if b in TRANSITIONS[a]]
DISALLOWED = [(a, b) for a, b in itertools.product(Status, Status) if b not in TRANSITIONS[a]]


def make_report(status: Status = Status.UNVERIFIED, event_count: int = 0) -> Report:
    return Report(
        tracking_id="23456789AM",
        kind=ReportKind.COMPLAINT,
        title="Jalan berlubang",
        description="Jalan di depan pasar berlubang besar.",
        channel=Channel.WEB,
        anonymous=False,
        confidential=False,
        created_at=T0,
        updated_at=T0,
        access_token_hash="0" * 64,
        status=status,
        event_count=event_count,
    )


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.UNVERIFIED, "Belum Terverifikasi"),
        (Status.ARCHIVED, "Diarsipkan"),
        (Status.AWAITING_FOLLOWUP, "Belum Ditindaklanjuti"),
        (Status.IN_PROGRESS, "Proses"),
        (Status.COMPLETED, "Selesai"),
    ],
)
def test_labels_are_the_lapor_names(status, label):
    assert status.label == label
    assert LABELS[status] == label


def test_the_five_statuses_have_their_wire_values():
    assert {s.value for s in Status} == {
        "unverified",
        "archived",
        "awaiting_followup",
        "in_progress",
        "completed",
    }
    assert set(LABELS) == set(TRANSITIONS) == set(Status)


def test_the_transition_table_is_exactly_the_designed_one():
    # verify/dispose, archive, restore, follow up, hand back ("not our authority"),
    # complete, reopen inside the window
    assert set(ALLOWED) == {
        (Status.UNVERIFIED, Status.AWAITING_FOLLOWUP),
        (Status.UNVERIFIED, Status.ARCHIVED),
        (Status.ARCHIVED, Status.UNVERIFIED),
        (Status.AWAITING_FOLLOWUP, Status.IN_PROGRESS),
        (Status.AWAITING_FOLLOWUP, Status.UNVERIFIED),
        (Status.IN_PROGRESS, Status.COMPLETED),
        (Status.IN_PROGRESS, Status.UNVERIFIED),
        (Status.IN_PROGRESS, Status.AWAITING_FOLLOWUP),  # an admin re-routes it
        (Status.COMPLETED, Status.IN_PROGRESS),
    }


def test_no_status_may_follow_itself():
    for s in Status:
        assert not can_transition(s, s)


def test_pair_lists_cover_every_pair():
    assert len(ALLOWED) + len(DISALLOWED) == len(Status) ** 2
    assert ALLOWED and DISALLOWED


@pytest.mark.parametrize(("current", "requested"), ALLOWED)
def test_every_allowed_transition_changes_status_and_records_an_event(current, requested):
    report = make_report(current, event_count=3)

    event = report.change_status(requested, actor=ADMIN, at=T1, action="act", note="why")

    assert report.status == requested
    assert report.updated_at == T1
    assert event == TimelineEvent(
        seq=4,
        at=T1,
        action="act",
        actor=ADMIN,
        from_status=current,
        to_status=requested,
        note="why",
    )
    assert report.pending_events == [event]
    assert report.event_count == 3  # stored events only change when the repository saves


@pytest.mark.parametrize(("current", "requested"), DISALLOWED)
def test_every_disallowed_transition_raises_and_leaves_the_report_unchanged(current, requested):
    report = make_report(current, event_count=2)
    before = copy.deepcopy(report)

    with pytest.raises(InvalidTransition) as raised:
        report.change_status(requested, actor=ADMIN, at=T1, action="act")

    assert raised.value.current == current
    assert raised.value.requested == requested
    assert report == before
    assert report.pending_events == []
    assert report.updated_at == T0


def test_seq_continues_from_stored_and_pending_events():
    report = make_report(Status.UNVERIFIED, event_count=7)
    first = report.change_status(Status.AWAITING_FOLLOWUP, actor=ADMIN, at=T1, action="verify")
    second = report.change_status(
        Status.IN_PROGRESS, actor=Actor("officer", "o-1"), at=T1, action="respond"
    )
    third = report.change_status(Status.COMPLETED, actor=Actor.reporter(), at=T1, action="close")
    assert [first.seq, second.seq, third.seq] == [8, 9, 10]
    assert [e.from_status for e in report.pending_events] == [
        Status.UNVERIFIED,
        Status.AWAITING_FOLLOWUP,
        Status.IN_PROGRESS,
    ]


def test_a_refused_transition_does_not_consume_a_seq():
    report = make_report(Status.UNVERIFIED, event_count=1)
    with pytest.raises(InvalidTransition):
        report.change_status(Status.COMPLETED, actor=ADMIN, at=T1, action="close")
    event = report.change_status(Status.ARCHIVED, actor=ADMIN, at=T1, action="archive")
    assert event.seq == 2


def test_submit_records_the_first_submitted_event():
    reporter = Reporter(name="Siti", phone="+6281234567890")
    report = Report.submit(
        at=T0,
        tracking_id="23456789AM",
        kind=ReportKind.ASPIRATION,
        title="Taman kota",
        description="Mohon taman kota diperbanyak.",
        channel=Channel.SMS,
        anonymous=True,
        confidential=False,
        access_token_hash="f" * 64,
        reporter=reporter,
    )

    assert report.status == Status.UNVERIFIED
    assert report.created_at == report.updated_at == T0
    assert report.event_count == 0
    assert report.pending_events == [
        TimelineEvent(
            seq=1,
            at=T0,
            action="submitted",
            actor=Actor("reporter"),
            from_status=None,
            to_status=Status.UNVERIFIED,
        )
    ]
    assert report.reporter == reporter
    assert report.anonymous is True


def test_without_pending_drops_pending_events_from_a_copy_only():
    report = make_report()
    report.change_status(Status.ARCHIVED, actor=ADMIN, at=T1, action="archive")

    copy_ = report.without_pending()

    assert copy_.pending_events == []
    assert copy_.status == Status.ARCHIVED
    assert len(report.pending_events) == 1
