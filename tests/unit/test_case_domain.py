"""The case workflow in the domain: the policy table, deadlines on the working-day
calendar, and what each action does to a report (no I/O)."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.report_repository import index_keys
from chalicelib.domain import policy
from chalicelib.domain.calendar import default_calendar
from chalicelib.domain.deadlines import DeadlineKind, DeadlineState, SlaClock
from chalicelib.domain.events import EventType
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.policy import Action, Party
from chalicelib.domain.report import (
    Actor,
    AgencyRef,
    ArchiveReason,
    InvalidDuplicate,
    RatingNotAllowed,
    ReopenWindowClosed,
    Visibility,
)
from chalicelib.domain.status import Status
from tests.builders import submitted_report

TUESDAY = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)  # 10:00 WIB, before Nyepi and Idul Fitri
SLA = SlaClock(default_calendar())
OFFICER = Actor("officer", "officer.bandung")
ADMIN = Actor("platform_admin", "admin")
BANDUNG = AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung")


def disposed(at=TUESDAY, **fields):
    report = submitted_report(at, "23456789AB", **fields)
    report.dispose(BANDUNG, actor=ADMIN, at=at, rule="admin", reason="ok", sla=SLA)
    report.events.clear()
    return report


def wib(d: datetime) -> str:
    return d.astimezone(default_calendar().tz).strftime("%a %d %b %H:%M")


# -- the policy table ------------------------------------------------------------------------


def test_every_action_has_a_row_and_only_known_statuses():
    assert set(policy.RULES) == set(Action)
    for row in policy.RULES.values():
        assert set(row) <= set(Status)


@pytest.mark.parametrize(
    ("action", "party", "status", "outcome"),
    [
        (Action.RESPOND, Party.ASSIGNED_AGENCY, Status.AWAITING_FOLLOWUP, None),
        (Action.RESPOND, Party.OVERSIGHT, Status.AWAITING_FOLLOWUP, policy.NotPermitted),
        (Action.RESPOND, Party.ASSIGNED_AGENCY, Status.COMPLETED, policy.ActionNotAllowedNow),
        (Action.RESPOND, Party.REPORTER, Status.IN_PROGRESS, policy.NotPermitted),
        (Action.CONFIRM, Party.REPORTER, Status.IN_PROGRESS, None),
        (Action.CONFIRM, Party.PLATFORM_ADMIN, Status.IN_PROGRESS, policy.NotPermitted),
        (Action.REOPEN, Party.REPORTER, Status.IN_PROGRESS, policy.ActionNotAllowedNow),
        (Action.DISPOSE, Party.PLATFORM_ADMIN, Status.ARCHIVED, policy.ActionNotAllowedNow),
        (Action.NOTE, Party.ASSIGNED_AGENCY, Status.UNVERIFIED, policy.ActionNotAllowedNow),
        (Action.NOTE, Party.REPORTER, Status.IN_PROGRESS, policy.NotPermitted),
        (Action.VIEW_STAFF, Party.OVERSIGHT, Status.COMPLETED, None),
        (Action.VIEW_STAFF, Party.PUBLIC, Status.COMPLETED, policy.NotPermitted),
    ],
)
def test_check(action, party, status, outcome):
    if outcome is None:
        policy.check(action, party, status)
    else:
        with pytest.raises(outcome):
            policy.check(action, party, status)


def test_not_allowed_now_names_the_statuses_and_what_is_allowed():
    with pytest.raises(policy.ActionNotAllowedNow) as e:
        policy.check(Action.CONFIRM, Party.REPORTER, Status.AWAITING_FOLLOWUP)
    assert e.value.allowed_statuses == ["in_progress"]
    assert e.value.allowed_actions == ["attach", "reply"]


def _p(role, agency=None):
    return Principal("sub", "user", frozenset({role}), agency)


PARENTS = {"disdukcapil": "pemkot-bandung", "pemkot-bandung": "pemprov-jabar"}


@pytest.mark.parametrize(
    ("principal", "assigned", "party"),
    [
        (_p(Role.OFFICER, "pemkot-bandung"), "pemkot-bandung", Party.ASSIGNED_AGENCY),
        (_p(Role.AGENCY_ADMIN, "pemkot-bandung"), "pemkot-bandung", Party.ASSIGNED_AGENCY),
        (_p(Role.EXECUTIVE, "pemkot-bandung"), "pemkot-bandung", Party.OVERSIGHT),
        (_p(Role.OFFICER, "pemprov-jabar"), "disdukcapil", Party.OVERSIGHT),
        (_p(Role.OFFICER, "disdukcapil"), "pemkot-bandung", Party.PUBLIC),  # a child
        (_p(Role.OFFICER, "kemenkes"), "pemkot-bandung", Party.PUBLIC),
        (_p(Role.OFFICER, "pemkot-bandung"), None, Party.PUBLIC),  # not assigned yet
        (_p(Role.PLATFORM_ADMIN), None, Party.PLATFORM_ADMIN),
        (None, "pemkot-bandung", Party.PUBLIC),
    ],
)
def test_staff_party(principal, assigned, party):
    assert policy.staff_party(principal, assigned, PARENTS.get) is party


def test_a_cycle_in_the_directory_ends():
    assert policy.ancestors("a", {"a": "b", "b": "a"}.get) == ["b"]


# -- deadlines -------------------------------------------------------------------------------


def test_first_response_due_skips_nyepi_idul_fitri_and_joint_leave():
    report = disposed()
    assert report.deadline.kind is DeadlineKind.FIRST_RESPONSE
    assert wib(report.deadline.due) == "Wed 01 Apr 00:00"  # the end of Tuesday 31 March
    assert wib(report.deadline.warn_at) == "Mon 30 Mar 00:00"


def test_a_request_for_information_pauses_and_the_reply_resumes():
    report = disposed()
    report.request_info("Di mana?", actor=OFFICER, at=TUESDAY + timedelta(days=8), sla=SLA)
    assert report.deadline is None and report.awaiting_reporter
    # paused on Wednesday 25 March: Thu 26, Fri 27, Mon 30 and Tue 31 were left
    assert report.paused.working_days_left == 4
    friday = datetime(2026, 4, 10, 3, 0, tzinfo=UTC)
    report.reply("Di sini.", at=friday, sla=SLA)
    assert not report.awaiting_reporter
    assert wib(report.deadline.due) == "Fri 17 Apr 00:00"  # Mon 13 to Thu 16
    assert [e.type for e in report.events][-1] is EventType.REPORTER_REPLIED


def test_due_check_warns_then_marks_overdue_once():
    report = disposed()
    assert report.due_check(TUESDAY) is None
    monday = datetime(2026, 3, 30, 1, 0, tzinfo=UTC)
    assert report.due_check(monday) == "warn"
    report.warn(at=monday)
    assert report.due_check(monday) is None
    later = datetime(2026, 4, 1, 1, 0, tzinfo=UTC)
    assert report.due_check(later) == "overdue"
    report.mark_overdue(at=later)
    assert report.deadline.state is DeadlineState.OVERDUE
    assert report.due_check(later + timedelta(days=30)) is None
    assert index_keys(report)["due_at"] is None  # out of the scheduler's index
    kinds = [e.type for e in report.events]
    assert kinds == [EventType.SLA_WARNING, EventType.OVERDUE]
    staff_only = [e for e in report.pending_events if e.action in ("sla_warning", "overdue")]
    assert all(e.visibility is Visibility.STAFF for e in staff_only)


def test_a_late_scheduler_goes_straight_to_overdue():
    report = disposed()
    assert report.due_check(datetime(2026, 5, 1, tzinfo=UTC)) == "overdue"


# -- actions ---------------------------------------------------------------------------------


def test_final_response_opens_the_completion_window_and_a_reply_closes_it():
    report = disposed()
    report.respond("Kami cek.", actor=OFFICER, at=TUESDAY)
    assert report.status is Status.IN_PROGRESS and report.deadline is None
    report.final_response("Sudah.", actor=OFFICER, at=TUESDAY, sla=SLA)
    assert report.deadline.kind is DeadlineKind.COMPLETION
    assert report.allows("rate")
    report.reply("Belum beres.", at=TUESDAY + timedelta(hours=1), sla=SLA)
    assert report.deadline is None and report.final_response_at is None
    assert not report.allows("rate")


def test_auto_completion_then_reopen_within_the_window_gives_the_agency_a_deadline():
    report = disposed()
    report.final_response("Sudah.", actor=OFFICER, at=TUESDAY, sla=SLA)
    due = report.deadline.due
    assert report.due_check(due) == "complete"
    report.complete_automatically(at=due, sla=SLA)
    assert report.status is Status.COMPLETED and report.reopen_until > due
    report.reopen("Muncul lagi.", at=due + timedelta(days=1), sla=SLA)
    assert report.status is Status.IN_PROGRESS
    assert report.deadline.kind is DeadlineKind.FIRST_RESPONSE
    report.respond("Kami cek lagi.", actor=OFFICER, at=due + timedelta(days=2))
    assert report.deadline is None


def test_reopen_after_the_window_is_refused():
    report = disposed()
    report.final_response("Sudah.", actor=OFFICER, at=TUESDAY, sla=SLA)
    report.confirm(at=TUESDAY, sla=SLA)
    with pytest.raises(ReopenWindowClosed):
        report.reopen("x", at=report.reopen_until, sla=SLA)


def test_rating_rules():
    report = disposed()
    with pytest.raises(RatingNotAllowed):
        report.rate(5, None, at=TUESDAY)  # no final response yet
    report.final_response("Sudah.", actor=OFFICER, at=TUESDAY, sla=SLA)
    report.rate(2, "lambat", at=TUESDAY)
    report.rate(4, None, at=TUESDAY)  # changeable until completion
    report.confirm(at=TUESDAY, sla=SLA)
    assert report.rating.score == 4 and not report.allows("rate")
    with pytest.raises(RatingNotAllowed):
        report.rate(5, None, at=TUESDAY)
    with pytest.raises(RatingNotAllowed):
        disposed().rate(0, None, at=TUESDAY)


def test_transfer_clears_the_agency_and_puts_it_first_in_the_queue():
    report = disposed()
    report.transfer(
        "Bukan wewenang", actor=OFFICER, at=TUESDAY, suggested_agency="pemprov-jabar", sla=SLA
    )
    assert report.status is Status.UNVERIFIED and report.agency is None
    assert report.deadline.kind is DeadlineKind.VERIFICATION
    keys = index_keys(report)
    assert keys["queue_key"].startswith("0#") and keys["inbox_pk"] is None
    [event] = report.events
    assert (event.type, event.agency_id) == (EventType.TRANSFERRED, "pemkot-bandung")


def test_reroute_tells_the_old_agency_and_assigns_the_new_one():
    report = disposed()
    report.respond("Kami cek.", actor=OFFICER, at=TUESDAY)
    report.events.clear()
    jabar = AgencyRef("pemprov-jabar", "Pemprov Jabar")
    report.reroute(jabar, actor=ADMIN, at=TUESDAY, reason="jalan provinsi", sla=SLA)
    assert report.status is Status.AWAITING_FOLLOWUP and report.agency == jabar
    assert [(e.type, e.agency_id) for e in report.events] == [
        (EventType.TRANSFERRED, "pemkot-bandung"),
        (EventType.ASSIGNED, "pemprov-jabar"),
    ]


def test_archive_as_duplicate_links_both_ways():
    original = submitted_report(TUESDAY, "3456789ABC")
    copy = submitted_report(TUESDAY, "456789ABCD")
    with pytest.raises(InvalidDuplicate):
        copy.archive(ArchiveReason.DUPLICATE, "dup", actor=ADMIN, at=TUESDAY)
    with pytest.raises(InvalidDuplicate):
        copy.archive(ArchiveReason.DUPLICATE, "dup", actor=ADMIN, at=TUESDAY, duplicate_of=copy)
    copy.archive(ArchiveReason.DUPLICATE, "dup", actor=ADMIN, at=TUESDAY, duplicate_of=original)
    assert copy.duplicate_of == original.tracking_id
    assert original.duplicates == (copy.tracking_id,)
    assert original.pending_events[-1].visibility is Visibility.STAFF
