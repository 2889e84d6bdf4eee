"""Many reports moved through the domain at random (seeded): the changes of standing
their commits record, for the statistics' tests and benchmarks."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from chalicelib.domain.calendar import default_calendar
from chalicelib.domain.deadlines import SlaClock
from chalicelib.domain.errors import DomainError
from chalicelib.domain.report import Actor, AgencyRef, ArchiveReason, Channel, Report, ReportKind
from chalicelib.stats.standing import change_of

ADMIN = Actor("platform_admin", "admin-1")
OFFICER = Actor("officer", "officer-1")
CATEGORIES = ("infrastruktur", "kesehatan", "pendidikan", "kependudukan", "lingkungan")
REGIONS = ("32.73", "32.04", "31.71", "35.78", "51.71.01", "11", None)


def agencies(n: int) -> list[AgencyRef]:
    return [AgencyRef(f"agency-{i:03d}", f"Instansi {i}") for i in range(n)]


class Stories:
    def __init__(
        self,
        seed: int = 7,
        agencies_n: int = 12,
        start=None,
        span_hours: int = 24 * 45,
        categories=CATEGORIES,
        regions=REGIONS,
    ):
        self.seed = seed
        self.span_hours = span_hours
        self.categories = tuple(categories)
        self.regions = tuple(regions)
        self.sla = SlaClock(default_calendar())
        self.agencies = agencies(agencies_n)
        self.start = start or datetime(2026, 10, 1, 2, tzinfo=UTC)
        self.changes = []

    def _commit(self, report: Report) -> None:
        if not report.pending_events:
            return
        last = report.pending_events[-1]
        change = change_of(report, report.stored_standing, last.seq, last.at)
        report.event_count += len(report.pending_events)
        report.pending_events.clear()
        report.events.clear()
        if change is not None:
            self.changes.append(change)
            report.stored_standing = change.after

    def report(self, i: int) -> Report:
        """Report i's story (its own random stream: stories may run in threads)."""
        rng = random.Random(self.seed * 1_000_003 + i)
        at = self.start + timedelta(seconds=rng.randrange(0, self.span_hours * 3600))
        report = Report.submit(
            at=at,
            sla=self.sla,
            tracking_id=f"SP-T{i:07d}",
            kind=rng.choice(list(ReportKind)),
            title="judul",
            description="uraian laporan",
            channel=Channel.API,
            anonymous=rng.random() < 0.3,
            confidential=rng.random() < 0.1,
            access_token_hash="h" * 64,
            category=rng.choice((*self.categories, None)),
            region=rng.choice(self.regions),
        )
        self._commit(report)
        steps = rng.randrange(0, 9)
        for _ in range(steps):
            at += timedelta(hours=rng.randrange(1, 24 * 6))
            self._step(report, at, rng)
        return report

    def _step(self, report: Report, at, rng) -> None:
        sla = self.sla
        status = report.status.value
        options = {
            "unverified": ["dispose", "dispose", "archive", "overdue"],
            "archived": ["restore"],
            "awaiting_followup": ["respond", "final", "transfer", "reroute", "overdue", "info"],
            "in_progress": ["respond", "final", "rate", "confirm", "reroute", "reply", "close"],
            "completed": ["rate", "reopen"],
        }[status]
        action = rng.choice(options)
        try:
            if action == "dispose":
                report.dispose(
                    rng.choice(self.agencies), actor=ADMIN, at=at, rule="r", reason="x", sla=sla
                )
            elif action == "archive":
                report.archive(ArchiveReason.TOO_GENERAL, "umum", actor=ADMIN, at=at)
            elif action == "restore":
                report.restore(actor=ADMIN, at=at, note=None, sla=sla)
            elif action == "overdue":
                if report.deadline is None or report.due_check(at + timedelta(days=30)) != (
                    "overdue"
                ):
                    return
                report.mark_overdue(at=at)
            elif action == "respond":
                report.respond("tindak lanjut", actor=OFFICER, at=at)
            elif action == "final":
                report.final_response("jawaban akhir", actor=OFFICER, at=at, sla=sla)
            elif action == "transfer":
                report.transfer("bukan wewenang", actor=OFFICER, at=at, sla=sla)
            elif action == "reroute":
                others = [a for a in self.agencies if a != report.agency]
                report.reroute(rng.choice(others), actor=ADMIN, at=at, reason="x", sla=sla)
            elif action == "info":
                report.request_info("mohon foto", actor=OFFICER, at=at, sla=sla)
            elif action == "reply":
                report.reply("foto terlampir", at=at, sla=sla)
            elif action == "rate":
                report.rate(rng.randrange(1, 6), None, at=at)
            elif action == "confirm":
                report.confirm(at=at, sla=sla)
            elif action == "close":
                report.close(actor=ADMIN, at=at, note=None, sla=sla)
            elif action == "reopen":
                report.reopen("belum beres", at=at, sla=sla)
        except DomainError:
            report.pending_events.clear()
            report.events.clear()
            return
        self._commit(report)

    def many(self, n: int) -> list:
        for i in range(n):
            self.report(i)
        return self.changes
