"""The attachment service with in-memory fakes: slots, validation, listing, downloads."""

import hashlib
from datetime import timedelta

import pytest

from chalicelib.domain.attachment import Attachment, AttachmentStatus, Audience, incoming_key
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.policy import Party
from chalicelib.domain.report import AgencyRef, Reporter, ReportKind
from chalicelib.domain.status import Status
from chalicelib.services import attachments as svc
from chalicelib.services.ports import Agency, ReportNotFound
from chalicelib.services.submission import SubmitReport, submit_report
from tests import samples
from tests.fakes import AGENCIES, FakeDirectory, FakePublisher

SECRET = b"unit-test-secret"
MB = 1024 * 1024


@pytest.fixture
def directory():
    sub_unit = Agency(
        "dinas-pu-bandung", "Dinas PU Kota Bandung", "local_government", parent_id="pemkot-bandung"
    )
    return FakeDirectory(agencies=[*AGENCIES, sub_unit])


@pytest.fixture
def service(reports, attachments, store, uow, outlets, directory, clock):
    return svc.AttachmentService(
        reports=reports,
        attachments=attachments,
        store=store,
        uow=uow,
        outlets=outlets,
        directory=directory,
        clock=clock,
        limits=svc.Limits(max_bytes=1 * MB, max_count=3),
    )


@pytest.fixture
def new_report(reports, directory, clock):
    def _new(*, anonymous=False, confidential=False, agency=None):
        result = submit_report(
            SubmitReport(
                ReportKind.COMPLAINT,
                "Jalan berlubang",
                "Lubang besar di depan pasar sudah tiga bulan.",
                anonymous=anonymous,
                confidential=confidential,
                reporter=None if anonymous else Reporter("Siti", "+6281234567890"),
            ),
            reports=reports,
            publisher=FakePublisher(),
            directory=directory,
            clock=clock,
            token_secret=SECRET,
        )
        if agency:
            stored = reports.reports[result.tracking_id]
            stored.agency = AgencyRef(agency, agency)
            stored.status = Status.AWAITING_FOLLOWUP
        return result.tracking_id, result.access_token

    return _new


def staff(*roles, agency=None, name="someone"):
    return svc.Caller(principal=Principal("sub-" + name, name, frozenset(roles), agency))


OFFICER = staff(Role.OFFICER, agency="pemkot-bandung", name="officer.bandung")
OTHER_OFFICER = staff(Role.OFFICER, agency="kemenkes", name="officer.kemenkes")
ADMIN = staff(Role.PLATFORM_ADMIN, name="admin")
PUBLIC = svc.Caller()


def slot_for(service, tid, token, content_type="image/png", size=1000, filename="bukti.png"):
    return service.request_upload(
        tid, svc.Caller(token), filename=filename, content_type=content_type, size=size
    )


def upload(service, store, slot, data, **kw):
    version = store.upload(slot.attachment.incoming_key, data, slot.attachment.content_type, **kw)
    return service.process_upload(slot.attachment.incoming_key, version)


# -- slots -------------------------------------------------------------------------------


def test_reporter_gets_a_pending_slot_and_a_form_pinned_to_the_server_key(
    service, store, attachments, new_report, clock
):
    tid, token = new_report()
    slot = slot_for(service, tid, token, filename="../../etc/Foto Jalan.PNG")

    a = slot.attachment
    assert a.status is AttachmentStatus.PENDING
    assert a.filename == "Foto Jalan.PNG"
    assert a.incoming_key == f"incoming/{tid}/{a.id}"
    assert a.upload_expires_at == clock.now() + timedelta(seconds=300)
    assert store.presigned == [(a.incoming_key, "image/png", 1 * MB, 300)]
    assert attachments.get(tid, a.id) == a


@pytest.mark.parametrize(
    ("caller", "agency", "allowed"),
    [
        (OFFICER, "pemkot-bandung", True),
        (staff(Role.AGENCY_ADMIN, agency="pemkot-bandung"), "pemkot-bandung", True),
        # a sub-unit's report: the parent agency oversees (reads), only the assigned acts
        (OFFICER, "dinas-pu-bandung", False),
        (staff(Role.OFFICER, agency="dinas-pu-bandung"), "pemkot-bandung", False),  # parent
        (OTHER_OFFICER, "pemkot-bandung", False),
        (OFFICER, None, False),  # not disposed yet
        (ADMIN, None, True),
        (staff(Role.EXECUTIVE, agency="pemkot-bandung"), "pemkot-bandung", False),
    ],
)
def test_who_may_ask_for_an_upload_slot(service, new_report, caller, agency, allowed):
    tid, _ = new_report(agency=agency)
    if allowed:
        service.request_upload(
            tid, caller, filename="a.pdf", content_type="application/pdf", size=9
        )
    else:
        with pytest.raises(svc.NotAllowed) as e:
            service.request_upload(
                tid, caller, filename="a.pdf", content_type="application/pdf", size=9
            )
        assert e.value.authenticated


def test_anonymous_caller_and_wrong_token(service, new_report):
    tid, _ = new_report()
    with pytest.raises(svc.NotAllowed) as e:
        service.request_upload(tid, PUBLIC, filename="a.png", content_type="image/png", size=9)
    assert not e.value.authenticated
    with pytest.raises(ReportNotFound):
        slot_for(service, tid, "x" * 43)


@pytest.mark.parametrize(
    ("content_type", "size", "filename", "field"),
    [
        ("text/html", 10, "a.html", "content_type"),
        ("video/mp4", 10, "a.mp4", "content_type"),
        ("image/png", 1 * MB + 1, "a.png", "size"),
        ("image/png", 0, "a.png", "size"),
        ("image/png", 10, "///", "filename"),
    ],
)
def test_invalid_slot_requests(service, new_report, content_type, size, filename, field):
    tid, token = new_report()
    with pytest.raises(svc.InvalidUpload) as e:
        slot_for(service, tid, token, content_type, size, filename)
    assert e.value.field == field


def test_content_type_is_case_insensitive(service, new_report):
    tid, token = new_report()
    assert slot_for(service, tid, token, "IMAGE/JPEG").attachment.content_type == "image/jpeg"


def test_at_most_n_live_slots_rejected_and_expired_ones_do_not_count(
    service, store, new_report, clock
):
    tid, token = new_report()
    first = slot_for(service, tid, token)
    slot_for(service, tid, token)
    slot_for(service, tid, token)
    with pytest.raises(svc.TooManyAttachments):
        slot_for(service, tid, token)
    upload(service, store, first, samples.HTML)  # rejected: frees its place
    slot_for(service, tid, token)
    clock.advance(minutes=10)  # the pending ones expire
    slot_for(service, tid, token)
    slot_for(service, tid, token)


def test_slots_ever_opened_are_capped(service, new_report, clock):
    tid, token = new_report()
    for _ in range(12):  # 4 x max_count, all left to expire
        slot_for(service, tid, token)
        clock.advance(minutes=10)
    with pytest.raises(svc.TooManyAttachments):
        slot_for(service, tid, token)


def test_the_agency_cannot_use_up_the_reporters_places(service, store, new_report, clock):
    """19 garbage uploads by an officer once left the reporter a permanent 409."""
    tid, token = new_report(agency="pemkot-bandung")
    for _ in range(12):  # the officer's whole quota, left to expire or rejected
        slot = service.request_upload(
            tid, OFFICER, filename="x.png", content_type="image/png", size=9
        )
        upload(service, store, slot, samples.HTML)
    with pytest.raises(svc.TooManyAttachments):
        service.request_upload(tid, OFFICER, filename="x.png", content_type="image/png", size=9)
    for _ in range(3):  # the reporter's own places are all still there
        slot_for(service, tid, token)


def test_closed_reports_take_no_attachments(service, reports, new_report):
    tid, token = new_report()
    reports.reports[tid].status = Status.ARCHIVED
    with pytest.raises(svc.ReportClosed):
        slot_for(service, tid, token)


def test_concurrent_slot_requests_retry_then_give_up(service, attachments, new_report):
    tid, token = new_report()
    real_add = attachments.add
    calls = []

    def racing_add(attachment, opened_before):
        calls.append(1)
        if len(calls) == 1:  # someone else opened a slot in between
            attachments.opened[tid] = attachments.opened.get(tid, 0) + 1
        return real_add(attachment, opened_before)

    attachments.add = racing_add
    slot_for(service, tid, token)
    assert len(calls) == 2

    def always_racing(attachment, opened_before):
        attachments.opened[tid] += 1
        return real_add(attachment, opened_before)

    attachments.add = always_racing
    with pytest.raises(ConcurrentUpdate):
        slot_for(service, tid, token)


# -- validation --------------------------------------------------------------------------


def test_a_valid_png_is_accepted_with_hash_timeline_event_and_no_upload_left(
    service, store, attachments, reports, new_report, clock
):
    tid, token = new_report()
    slot = slot_for(service, tid, token)
    data = samples.png()
    uploaded_at = clock.now() + timedelta(seconds=20)

    outcome = upload(service, store, slot, data, at=uploaded_at)

    assert outcome == svc.Outcome("accepted")
    a = attachments.get(tid, slot.attachment.id)
    assert a.status is AttachmentStatus.ACCEPTED
    assert a.size == len(data)
    assert a.sha256 == hashlib.sha256(data).hexdigest()
    assert a.uploaded_at == uploaded_at
    assert store.body(a.original_key) == data
    assert a.shared_key is None  # nothing to strip: the original is shared
    assert store.versions(a.incoming_key) == []
    timeline = reports.timeline(tid)
    assert [e.action for e in timeline] == ["submitted", "attachment_added"]
    assert timeline[-1].from_status == timeline[-1].to_status == Status.UNVERIFIED
    assert timeline[-1].actor.kind == "reporter"
    assert slot.attachment.id in timeline[-1].note
    assert reports.reports[tid].event_count == 2


def test_redelivery_is_idempotent(service, store, reports, new_report):
    tid, token = new_report()
    slot = slot_for(service, tid, token, "application/pdf")
    version = store.upload(slot.attachment.incoming_key, samples.pdf(), "application/pdf")

    assert service.process_upload(slot.attachment.incoming_key, version).result == "accepted"
    again = service.process_upload(slot.attachment.incoming_key, version)

    assert again.result == "duplicate"
    assert [e.action for e in reports.timeline(tid)].count("attachment_added") == 1


def test_a_second_upload_with_the_same_form_is_removed(service, store, attachments, new_report):
    tid, token = new_report()
    slot = slot_for(service, tid, token)
    upload(service, store, slot, samples.png())
    accepted = attachments.get(tid, slot.attachment.id)

    outcome = upload(service, store, slot, samples.HTML)

    assert outcome.result == "duplicate"
    assert store.versions(slot.attachment.incoming_key) == []
    assert attachments.get(tid, slot.attachment.id) == accepted


@pytest.mark.parametrize(
    ("declared", "data", "reason"),
    [
        ("image/png", samples.HTML, "type_mismatch"),  # HTML declared as PNG
        ("image/png", samples.jpeg_with_gps(), "type_mismatch"),  # another image type
        ("application/pdf", samples.png(), "type_mismatch"),
        ("image/jpeg", samples.jpeg_with_gps()[:-60], "malformed"),  # truncated
        ("image/png", b"", "empty"),
        ("image/png", samples.png() + b"\x00" * (1 * MB), "too_large"),
    ],
)
def test_forged_or_oversized_uploads_are_rejected_and_removed(
    service, store, attachments, new_report, declared, data, reason
):
    tid, token = new_report()
    slot = slot_for(service, tid, token, declared)
    store.upload(slot.attachment.incoming_key, samples.png(), declared)  # a first version too

    outcome = upload(service, store, slot, data)

    assert outcome == svc.Outcome("rejected", reason)
    a = attachments.get(tid, slot.attachment.id)
    assert a.status is AttachmentStatus.REJECTED
    assert a.reason.value == reason and a.reason_detail
    assert store.versions(slot.attachment.incoming_key) == []  # every version gone
    assert not [k for k in store.objects if k.startswith("attachments/")]


def test_an_upload_after_the_form_expired_is_rejected(
    service, store, attachments, new_report, clock
):
    tid, token = new_report()
    slot = slot_for(service, tid, token)

    outcome = upload(service, store, slot, samples.png(), at=clock.now() + timedelta(minutes=8))

    assert outcome == svc.Outcome("rejected", "expired")
    assert store.versions(slot.attachment.incoming_key) == []
    assert attachments.get(tid, slot.attachment.id).status is AttachmentStatus.REJECTED


def test_a_key_no_slot_expects_is_removed(service, store, new_report):
    tid, _ = new_report()
    for key in (
        incoming_key(tid, "zzzzzzzzzzzz"),  # well-formed, no such slot
        "incoming/not-a-tracking-id/evil.html",
        "incoming/loose-file",
    ):
        store.upload(key, samples.HTML)
        assert service.process_upload(key) == svc.Outcome("removed", "not_expected")
        assert store.versions(key) == []


def test_keys_outside_the_upload_prefix_are_never_touched(service, store):
    store.upload("attachments/X/original", b"kept")
    assert service.process_upload("attachments/X/original").result == "ignored"
    assert store.versions("attachments/X/original")


def test_a_vanished_object_leaves_the_slot_pending(service, store, attachments, new_report):
    tid, token = new_report()
    slot = slot_for(service, tid, token)
    assert service.process_upload(slot.attachment.incoming_key, "v404").result == "gone"
    assert attachments.get(tid, slot.attachment.id).status is AttachmentStatus.PENDING


def _before_commit(monkeypatch, action):
    """Run ``action`` just before the next unit of work commits (a concurrent writer)."""
    from tests.fakes import InMemoryUnitOfWork

    real = InMemoryUnitOfWork.commit
    done = []

    def commit(self):
        if not done:
            done.append(1)
            action()
        return real(self)

    monkeypatch.setattr(InMemoryUnitOfWork, "commit", commit)


def test_acceptance_retries_when_the_report_changed_meanwhile(
    service, store, reports, attachments, new_report, monkeypatch
):
    tid, token = new_report()
    slot = slot_for(service, tid, token)
    # someone saved the report in between
    _before_commit(monkeypatch, lambda: setattr(reports.reports[tid], "version", 99))
    assert upload(service, store, slot, samples.png()).result == "accepted"
    assert [e.seq for e in reports.timeline(tid)] == [1, 2]


def test_losing_a_race_for_the_slot_removes_only_the_losers_copies(
    service, store, attachments, new_report, monkeypatch
):
    tid, token = new_report()
    slot = slot_for(service, tid, token)
    winner_data, loser_data = samples.png(), samples.png(with_exif=True)
    # The winner is accepted; the loser read the slot while it was still pending.
    upload(service, store, slot, winner_data)
    winner = attachments.get(tid, slot.attachment.id)
    attachments.items[(tid, slot.attachment.id)] = slot.attachment  # the loser read pending
    _before_commit(
        monkeypatch, lambda: attachments.items.__setitem__((tid, slot.attachment.id), winner)
    )

    outcome = upload(service, store, slot, loser_data)

    assert outcome.result == "duplicate"
    assert attachments.get(tid, slot.attachment.id) == winner
    assert store.body(winner.original_key) == winner_data
    stored = [k for k in store.objects if k.startswith("attachments/")]
    assert stored == [winner.original_key]
    assert store.versions(slot.attachment.incoming_key) == []


def _hook(targets, agency_id="pemkot-bandung"):
    from chalicelib.services.ports import WebhookTarget

    targets.save(
        WebhookTarget(
            "wh_1", agency_id, "https://hooks.example.go.id/x", ("*",), "whsec_" + "A" * 44
        )
    )


def test_the_assigned_agency_hears_about_it(service, store, targets, dispatch_queue, new_report):
    _hook(targets)
    tid, token = new_report(agency="pemkot-bandung")
    slot = slot_for(service, tid, token)
    upload(service, store, slot, samples.png())
    [job] = dispatch_queue.jobs
    assert job.event_type == "report.updated"
    change = job.change
    assert change["change"] == "attachment_added"
    assert change["attachment_id"] == slot.attachment.id


def test_no_update_before_disposition_and_a_failed_publish_is_not_fatal(
    service, store, targets, dispatch_queue, new_report
):
    _hook(targets)
    tid, token = new_report()
    upload(service, store, slot_for(service, tid, token), samples.png())
    assert dispatch_queue.jobs == []
    tid, token = new_report(agency="pemkot-bandung")
    dispatch_queue.failing = True
    assert upload(service, store, slot_for(service, tid, token), samples.png()).result == "accepted"


# -- reading -----------------------------------------------------------------------------


def accepted_jpeg(service, store, new_report, **report):
    tid, token = new_report(agency="pemkot-bandung", **report)
    slot = slot_for(service, tid, token, "image/jpeg", filename="KTP Siti Rahayu.jpg")
    assert upload(service, store, slot, samples.jpeg_with_gps()).result == "accepted"
    return tid, token, slot.attachment.id


@pytest.mark.parametrize(
    ("report", "caller", "allowed"),
    [
        ({}, "reporter", True),
        ({}, PUBLIC, True),
        ({}, OTHER_OFFICER, True),  # public anyway
        ({"confidential": True}, "reporter", True),
        ({"confidential": True}, PUBLIC, False),
        ({"confidential": True}, OTHER_OFFICER, False),
        ({"confidential": True}, OFFICER, True),
        ({"confidential": True}, ADMIN, True),
        ({"anonymous": True}, PUBLIC, False),
        ({"anonymous": True}, OTHER_OFFICER, False),
        ({"anonymous": True}, OFFICER, True),
        ({"anonymous": True}, ADMIN, True),
    ],
)
def test_who_may_read(service, store, new_report, report, caller, allowed):
    tid, token, aid = accepted_jpeg(service, store, new_report, **report)
    caller = svc.Caller(token) if caller == "reporter" else caller
    if allowed:
        assert service.download_url(tid, aid, caller)
        assert [a.id for a in service.listing(tid, caller).items] == [aid]
    else:
        with pytest.raises(svc.NotAllowed):
            service.download_url(tid, aid, caller)
        with pytest.raises(svc.NotAllowed):
            service.listing(tid, caller)


def test_wrong_token_reads_like_an_unknown_report(service, store, new_report):
    tid, _, aid = accepted_jpeg(service, store, new_report)
    with pytest.raises(ReportNotFound):
        service.download_url(tid, aid, svc.Caller("x" * 43))
    with pytest.raises(ReportNotFound):
        service.listing(tid, svc.Caller("x" * 43))


def test_only_the_reporter_gets_the_original_everyone_else_the_stripped_copy(
    service, store, attachments, new_report
):
    tid, token, aid = accepted_jpeg(service, store, new_report, anonymous=True)
    a = attachments.get(tid, aid)
    assert set(a.stripped) == {"exif", "comment"}

    def served(caller):
        url = service.download_url(tid, aid, caller)
        return store.body(url.split("?")[0].removeprefix("https://bucket.example/"))

    assert samples.gps_of(served(svc.Caller(token)))  # the reporter's own file, untouched
    for caller in (OFFICER, ADMIN):
        copy = served(caller)
        assert samples.gps_of(copy) == {}
        assert b"Siti Rahayu" not in copy
        assert samples.pixels(copy) == samples.pixels(samples.jpeg_with_gps())


def test_names_and_hashes_do_not_identify_an_anonymous_reporter(service, store, new_report):
    tid, token, aid = accepted_jpeg(service, store, new_report, anonymous=True)
    mine = service.listing(tid, svc.Caller(token))
    theirs = service.listing(tid, OFFICER)
    admin = service.listing(tid, ADMIN)
    assert mine.filename(mine.items[0]) == "KTP Siti Rahayu.jpg"
    assert admin.filename(admin.items[0]) == "KTP Siti Rahayu.jpg"
    assert theirs.filename(theirs.items[0]) == f"lampiran-{aid}.jpg"
    assert "Siti" not in service.download_url(tid, aid, OFFICER)
    assert mine.served(mine.items[0]) != theirs.served(theirs.items[0])


@pytest.mark.parametrize("report", [{}, {"confidential": True}, {"anonymous": True}])
def test_only_the_reporter_and_admins_see_the_original_file_name_on_any_report(
    service, store, new_report, report
):
    """A file named after a citizen's KTP number was listed publicly on a report that was
    neither anonymous nor confidential."""
    tid, token, aid = accepted_jpeg(service, store, new_report, **report)

    for caller in (svc.Caller(token), ADMIN):
        listing = service.listing(tid, caller)
        assert listing.filename(listing.items[0]) == "KTP Siti Rahayu.jpg"
    others = [OFFICER] if report else [OFFICER, PUBLIC, OTHER_OFFICER]
    for caller in others:
        listing = service.listing(tid, caller)
        assert listing.filename(listing.items[0]) == f"lampiran-{aid}.jpg", caller


def test_reporter_sees_pending_rejected_and_expired_others_only_accepted(
    service, store, new_report, clock
):
    tid, token = new_report(agency="pemkot-bandung")
    ok = slot_for(service, tid, token)
    upload(service, store, ok, samples.png())
    bad = slot_for(service, tid, token)
    upload(service, store, bad, samples.HTML)
    waiting = slot_for(service, tid, token)

    mine = service.listing(tid, svc.Caller(token))
    statuses = {a.id: a.status for a in mine.items}
    assert statuses == {
        ok.attachment.id: AttachmentStatus.ACCEPTED,
        bad.attachment.id: AttachmentStatus.REJECTED,
        waiting.attachment.id: AttachmentStatus.PENDING,
    }
    assert [a.id for a in service.listing(tid, OFFICER).items] == [ok.attachment.id]
    clock.advance(minutes=10)
    later = {a.id: a.status for a in service.for_reporter(service.reports.get(tid)).items}
    assert later[waiting.attachment.id] is AttachmentStatus.EXPIRED


def test_pending_and_unknown_attachments_cannot_be_downloaded(service, new_report):
    tid, token = new_report()
    slot = slot_for(service, tid, token)
    for aid in (slot.attachment.id, "zzzzzzzzzzzz", "../../etc"):
        with pytest.raises(svc.AttachmentNotFound):
            service.download_url(tid, aid, svc.Caller(token))


def test_audience_resolution(service, reports, new_report):
    tid, token = new_report(agency="dinas-pu-bandung")
    report = reports.get(tid)
    assert service.audience(report, svc.Caller(token)) is Audience.REPORTER
    assert service.audience(report, svc.Caller(token, OTHER_OFFICER.principal)) is (
        Audience.REPORTER
    )
    # the parent agency's officer reads it (oversight) as the agency does
    assert service.audience(report, OFFICER) is Audience.ASSIGNED_AGENCY
    assert service.party(report, OFFICER) is Party.OVERSIGHT
    assert service.audience(report, svc.Caller("wrong", ADMIN.principal)) is (
        Audience.PLATFORM_ADMIN
    )
    assert service.audience(report, OTHER_OFFICER) is Audience.PUBLIC


def test_open_slot_is_the_one_entry_for_other_channels(service, reports, new_report):
    from chalicelib.domain.report import Actor

    tid, _ = new_report()
    slot = service.open_slot(
        reports.get(tid),
        by=Actor.system("sms"),
        filename="mms-1.jpg",
        content_type="image/jpeg",
        size=2048,
    )
    assert isinstance(slot, Attachment) and slot.uploaded_by.id == "sms"
