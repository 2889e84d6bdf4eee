"""Following a report: public view by tracking id, full view with the access token."""

import pytest

from chalicelib.domain import tracking_id as tracking_ids
from chalicelib.domain.report import Actor, ReportKind
from chalicelib.domain.status import Status
from chalicelib.services.ports import ReportNotFound
from chalicelib.services.submission import SubmitReport, submit_report
from chalicelib.services.tracking import public_view, reporter_view

SECRET = b"unit-test-secret"


def _submit(reports, publisher, directory, clock, title="Lampu jalan mati"):
    return submit_report(
        SubmitReport(
            ReportKind.COMPLAINT,
            title,
            "Lampu jalan di Jl. Merdeka mati seminggu.",
            anonymous=True,
        ),
        reports=reports,
        publisher=publisher,
        directory=directory,
        clock=clock,
        token_secret=SECRET,
    )


@pytest.fixture
def submitted(reports, publisher, directory, clock):
    result = _submit(reports, publisher, directory, clock)
    assert reports.reads == 0
    return result


def _wrong_check_symbol(tid: str) -> str:
    other = next(s for s in tracking_ids.ALPHABET if s != tid[-1])
    return tid[:-1] + other


def _unknown_but_well_formed(known: str) -> str:
    candidate = tracking_ids.generate()
    while candidate == known:  # pragma: no cover - 1 in 1.4e13
        candidate = tracking_ids.generate()
    return candidate


@pytest.mark.parametrize(
    "spelling",
    [
        lambda t: t,
        lambda t: t.lower(),
        lambda t: f"{t[:5]}-{t[5:]}",
        lambda t: f" {t[:3]} {t[3:6]} {t[6:]} ".lower(),
        lambda t: "-".join(t[i : i + 2] for i in range(0, 10, 2)),
    ],
    ids=["as-issued", "lower", "dash", "spaces-lower", "pairs"],
)
def test_public_view_by_tracking_id(reports, submitted, spelling):
    report = public_view(reports, spelling(submitted.tracking_id))
    assert report.tracking_id == submitted.tracking_id
    assert report.status == Status.UNVERIFIED
    assert report.title == "Lampu jalan mati"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: "",
        lambda t: "ABC",
        lambda t: t[:-1],
        lambda t: t + "2",
        lambda t: "0" + t[1:],
        lambda t: t[:4] + "!" + t[5:],
        _wrong_check_symbol,
        lambda t: t[1] + t[0] + t[2:] if t[0] != t[1] else _wrong_check_symbol(t),
    ],
    ids=["empty", "short", "truncated", "too-long", "zero", "punctuation", "check", "swap"],
)
@pytest.mark.parametrize("view", ["public", "reporter"])
def test_malformed_id_is_not_found_without_reading_the_repository(reports, submitted, mangle, view):
    raw = mangle(submitted.tracking_id)
    with pytest.raises(ReportNotFound):
        if view == "public":
            public_view(reports, raw)
        else:
            reporter_view(reports, raw, submitted.access_token)
    assert reports.reads == 0


def test_unknown_well_formed_id_is_not_found(reports, submitted):
    with pytest.raises(ReportNotFound):
        public_view(reports, _unknown_but_well_formed(submitted.tracking_id))
    assert reports.reads == 1  # it passed the check symbol, so it cost one read


def test_reporter_view_with_the_right_token_returns_the_timeline(reports, submitted):
    view = reporter_view(reports, submitted.tracking_id.lower(), submitted.access_token)
    assert view.report.tracking_id == submitted.tracking_id
    assert [(e.seq, e.action, e.to_status) for e in view.timeline] == [
        (1, "submitted", Status.UNVERIFIED)
    ]


def test_reporter_view_shows_later_events_in_order(reports, submitted, clock):
    report = reports.get(submitted.tracking_id)
    clock.advance(days=1)
    report.change_status(
        Status.AWAITING_FOLLOWUP,
        actor=Actor("platform_admin", "a-1"),
        at=clock.now(),
        action="verified",
    )
    reports.save_changes(report)

    view = reporter_view(reports, submitted.tracking_id, submitted.access_token)

    assert view.report.status == Status.AWAITING_FOLLOWUP
    assert [(e.seq, e.action, e.from_status, e.to_status) for e in view.timeline] == [
        (1, "submitted", None, Status.UNVERIFIED),
        (2, "verified", Status.UNVERIFIED, Status.AWAITING_FOLLOWUP),
    ]


@pytest.mark.parametrize("token", [None, "", "not-the-token", "x" * 43])
def test_wrong_or_missing_token_is_not_found(reports, submitted, token):
    with pytest.raises(ReportNotFound):
        reporter_view(reports, submitted.tracking_id, token)


def test_another_reports_token_does_not_open_this_report(
    reports, publisher, directory, clock, submitted
):
    other = _submit(reports, publisher, directory, clock, title="Sampah menumpuk")
    with pytest.raises(ReportNotFound):
        reporter_view(reports, submitted.tracking_id, other.access_token)
    assert reporter_view(reports, other.tracking_id, other.access_token).report.title == (
        "Sampah menumpuk"
    )


def test_wrong_token_looks_exactly_like_an_unknown_id(reports, submitted):
    with pytest.raises(ReportNotFound) as wrong_token:
        reporter_view(reports, submitted.tracking_id, "not-the-token")
    unknown = _unknown_but_well_formed(submitted.tracking_id)
    with pytest.raises(ReportNotFound) as unknown_id:
        reporter_view(reports, unknown, submitted.access_token)
    assert type(wrong_token.value) is type(unknown_id.value) is ReportNotFound
