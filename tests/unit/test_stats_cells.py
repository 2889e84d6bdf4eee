"""What each change of a report's standing adds to the statistics' counters."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.calendar import default_calendar
from chalicelib.domain.deadlines import SlaClock
from chalicelib.domain.report import Actor, AgencyRef, ArchiveReason
from chalicelib.stats import cells
from chalicelib.stats.standing import Standing, StatEvent, change_of, standing_of
from tests.builders import submitted_report

CAL = default_calendar()
SLA = SlaClock(CAL)
ADMIN = Actor("platform_admin", "admin-1")
OFFICER = Actor("officer", "officer-1")
DINAS = AgencyRef("dinas-pu-bandung", "Dinas PU Kota Bandung")
OTHER = AgencyRef("pln", "PT PLN (Persero)")


def at(day: int, month: int = 3, hour: int = 3) -> datetime:
    """A time in 2026 (03:00 UTC is 10:00 in Jakarta)."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


class Story:
    """A report moved through the domain, with the change each commit records."""

    def __init__(self, when=None, **fields):
        self.report = submitted_report(when or at(16), "SP-STATS-0001", **fields)
        self.changes = []
        self._commit()

    def _commit(self):
        last = self.report.pending_events[-1]
        change = change_of(self.report, self.report.stored_standing, last.seq, last.at)
        self.report.event_count += len(self.report.pending_events)
        self.report.pending_events.clear()
        if change is not None:
            self.changes.append(change)
            self.report.stored_standing = change.after
        return change

    def __call__(self, action, *args, **kwargs):
        getattr(self.report, action)(*args, **kwargs)
        return self._commit()


def deltas_of(change):
    return {cell: dict(c) for cell, c in cells.deltas(change, CAL).items()}


def test_a_submission_counts_as_received_nationally_by_category_and_region():
    story = Story(category="infrastruktur", region="32.73.01")
    d = deltas_of(story.changes[0])
    day = ("nat", "d#2026-03-16")
    assert d[day] == {"all|received": 1, "cat:infrastruktur|received": 1}
    assert d[("prov:32", "d#2026-03-16")] == {
        "all|received": 1,
        "reg:32.73|received": 1,
        "cat:infrastruktur|received": 1,
        "reg:32.73:cat:infrastruktur|received": 1,
    }
    assert d[("nat", "now")] == {
        "all|open:unverified": 1,
        "cat:infrastruktur|open:unverified": 1,
        "prov:32|open:unverified": 1,
        "reg:32.73|open:unverified": 1,
    }
    assert set(d) == {day, ("prov:32", "d#2026-03-16"), ("nat", "now")}


def test_the_day_is_jakartas():
    story = Story(when=datetime(2026, 3, 16, 18, 30, tzinfo=UTC))  # 01:30 on the 17th WIB
    assert ("nat", "d#2026-03-17") in deltas_of(story.changes[0])


def test_disposal_verifies_and_the_agency_receives_it():
    story = Story()
    change = story("dispose", DINAS, actor=ADMIN, at=at(17), rule="r", reason="x", sla=SLA)
    d = deltas_of(change)
    assert d[("nat", "d#2026-03-17")] == {"all|verified": 1, "cat:infrastruktur|verified": 1}
    assert d[("agency:dinas-pu-bandung", "d#2026-03-17")] == {
        "all|received": 1,
        "cat:infrastruktur|received": 1,
        "reg:32.73|received": 1,
    }
    assert d[("nat", "now")]["all|open:unverified"] == -1
    assert d[("nat", "now")]["all|open:awaiting_followup"] == 1
    assert d[("agency:dinas-pu-bandung", "now")] == {"all|open:awaiting_followup": 1}


def test_a_first_response_counts_working_days_over_the_holidays():
    story = Story()
    story("dispose", DINAS, actor=ADMIN, at=at(17), rule="r", reason="x", sla=SLA)
    # 18-24 March 2026: Nyepi, Idul Fitri and joint leave, and a weekend
    change = story("respond", "Kami tindak lanjuti", actor=OFFICER, at=at(27))
    agency = deltas_of(change)[("agency:dinas-pu-bandung", "d#2026-03-27")]
    assert agency == {
        "all|followed_up": 1,
        "all|in_time": 1,
        "all|frd:3": 1,
    }
    assert CAL.working_days_between(at(17), at(27)) == 3


def test_a_late_first_response_is_not_in_time():
    story = Story()
    story("dispose", DINAS, actor=ADMIN, at=at(17), rule="r", reason="x", sla=SLA)
    story("mark_overdue", at=at(1, month=4))
    change = story("respond", "Maaf terlambat", actor=OFFICER, at=at(2, month=4))
    d = deltas_of(change)
    assert "all|in_time" not in d[("agency:dinas-pu-bandung", "d#2026-04-02")]
    assert d[("agency:dinas-pu-bandung", "d#2026-04-02")]["all|frd:7"] == 1
    # the overdue gauge goes back down when the agency answers
    assert d[("agency:dinas-pu-bandung", "now")]["all|overdue"] == -1
    assert d[("nat", "now")]["all|overdue"] == -1


def test_overdue_is_a_gauge_of_the_agency_and_the_nation():
    story = Story()
    story("dispose", DINAS, actor=ADMIN, at=at(17), rule="r", reason="x", sla=SLA)
    d = deltas_of(story("mark_overdue", at=at(1, month=4)))
    assert d == {
        ("agency:dinas-pu-bandung", "now"): {"all|overdue": 1},
        ("nat", "now"): {
            "all|overdue": 1,
            "cat:infrastruktur|overdue": 1,
            "prov:32|overdue": 1,
            "reg:32.73|overdue": 1,
        },
    }


def test_a_transfer_counts_against_the_agency_that_lets_it_go():
    story = Story()
    story("dispose", DINAS, actor=ADMIN, at=at(17), rule="r", reason="x", sla=SLA)
    d = deltas_of(story("transfer", "bukan wewenang", actor=OFFICER, at=at(25), sla=SLA))
    assert d[("agency:dinas-pu-bandung", "d#2026-03-25")] == {"all|transferred_away": 1}
    assert d[("agency:dinas-pu-bandung", "now")] == {"all|open:awaiting_followup": -1}
    # disposed again elsewhere: verified once only, received by the new agency
    d = deltas_of(story("dispose", OTHER, actor=ADMIN, at=at(26), rule="r", reason="x", sla=SLA))
    assert "all|verified" not in d.get(("nat", "d#2026-03-26"), {})
    assert d[("agency:pln", "d#2026-03-26")]["all|received"] == 1


def test_a_reroute_moves_the_report_between_agencies():
    story = Story()
    story("dispose", DINAS, actor=ADMIN, at=at(17), rule="r", reason="x", sla=SLA)
    story("respond", "ok", actor=OFFICER, at=at(25))
    d = deltas_of(story("reroute", OTHER, actor=ADMIN, at=at(26), reason="salah", sla=SLA))
    assert d[("agency:dinas-pu-bandung", "d#2026-03-26")] == {"all|transferred_away": 1}
    assert d[("agency:dinas-pu-bandung", "now")] == {"all|open:in_progress": -1}
    assert d[("agency:pln", "now")] == {"all|open:awaiting_followup": 1}
    # PLN's first response is its own, counted again
    d = deltas_of(story("respond", "kami cek", actor=OFFICER, at=at(27)))
    assert d[("agency:pln", "d#2026-03-27")]["all|followed_up"] == 1


def test_completion_counts_days_and_a_rating_given_before_it():
    story = Story()
    story("dispose", DINAS, actor=ADMIN, at=at(17), rule="r", reason="x", sla=SLA)
    story("final_response", "selesai diperbaiki", actor=OFFICER, at=at(25), sla=SLA)
    d = deltas_of(story("rate", 4, "cepat", at=at(26)))
    assert d == {}  # not final yet: it may still change
    story("rate", 5, None, at=at(27))
    d = deltas_of(story("confirm", at=at(30), sla=SLA))
    agency = d[("agency:dinas-pu-bandung", "d#2026-03-30")]
    assert agency == {"all|completed": 1, "all|cd:4": 1, "all|rated": 1, "all|score:5": 1}
    assert d[("nat", "now")]["all|open:in_progress"] == -1


def test_a_rating_after_completion_counts_when_given_and_a_reopening_is_counted():
    story = Story()
    story("dispose", DINAS, actor=ADMIN, at=at(17), rule="r", reason="x", sla=SLA)
    story("final_response", "selesai", actor=OFFICER, at=at(25), sla=SLA)
    story("confirm", at=at(26), sla=SLA)
    d = deltas_of(story("rate", 2, "belum beres", at=at(27)))
    assert d[("agency:dinas-pu-bandung", "d#2026-03-27")] == {"all|rated": 1, "all|score:2": 1}
    d = deltas_of(story("reopen", "masih rusak", at=at(30), sla=SLA))
    assert d[("agency:dinas-pu-bandung", "d#2026-03-30")] == {"all|reopened": 1}
    assert d[("agency:dinas-pu-bandung", "now")] == {"all|open:in_progress": 1}


def test_archiving_counts_and_closes_the_gauge():
    story = Story()
    d = deltas_of(
        story("archive", ArchiveReason.TOO_GENERAL, "terlalu umum", actor=ADMIN, at=at(17))
    )
    assert d[("nat", "d#2026-03-17")] == {"all|archived": 1, "cat:infrastruktur|archived": 1}
    assert d[("nat", "now")]["all|open:unverified"] == -1


def test_changes_that_move_no_counter_record_nothing():
    story = Story()
    story("dispose", DINAS, actor=ADMIN, at=at(17), rule="r", reason="x", sla=SLA)
    assert story("add_note", "cek lokasi", actor=OFFICER, at=at(18)) is None
    assert story("reply", "foto menyusul", at=at(18), sla=SLA) is None


def test_a_report_without_region_or_category_counts_nationally_only():
    story = Story(region=None, category=None)
    d = deltas_of(story.changes[0])
    assert d[("nat", "d#2026-03-16")] == {"all|received": 1}
    assert d[("nat", "now")] == {"all|open:unverified": 1}


def test_histograms_are_capped():
    assert cells.bucket(75) == cells.HISTOGRAM_CAP
    assert cells.bucket(-1) == 0


@pytest.mark.parametrize("anonymous", [True, False])
def test_the_record_holds_no_identity(anonymous):
    story = Story(anonymous=anonymous)
    story("dispose", DINAS, actor=ADMIN, at=at(17), rule="r", reason="x", sla=SLA)
    for change in story.changes:
        text = change.encode()
        for secret in ("Siti", "+62812", "siti.rahayu", "Jalan berlubang", "Pasar"):
            assert secret not in text


def test_the_record_reads_back_as_written():
    story = Story()
    story("dispose", DINAS, actor=ADMIN, at=at(17), rule="r", reason="x", sla=SLA)
    story("respond", "ok", actor=OFFICER, at=at(25) + timedelta(minutes=7))
    for change in story.changes:
        again = StatEvent.decode(change.tracking_id, change.seq, change.at, change.encode())
        assert again == change
    assert Standing.from_map(standing_of(story.report).to_map()) == standing_of(story.report)
