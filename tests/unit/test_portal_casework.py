"""The console's casework pages through Chalice's test client with the services wired to
fakes: the inbox (filters, sub-units, paging, deadlines in words), the report page (what
each party sees and may do), every action allowed and refused, and what never shows (an
anonymous reporter's identity on an officer's page)."""

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from chalice.test import Client

from app import app
from chalicelib.api import portal_casework
from chalicelib.domain import tracking_id
from chalicelib.domain.directory import Agency, Category
from chalicelib.portal import case_actions, deadline_text
from chalicelib.services.routing import route_submitted
from tests.fakes import FakeDirectory
from tests.unit.api_helpers import VALID
from tests.unit.portal_helpers import Browser

BANDUNG, JABAR, DUKCAPIL = "pemkot-bandung", "pemprov-jabar", "disdukcapil-bandung"
CATEGORIES = [
    Category("infrastruktur", "Infrastruktur", "regional", name_en="Infrastructure"),
    Category("kesehatan", "Kesehatan", "regional", name_en="Health"),
]
AGENCIES = [
    Agency(JABAR, "Pemerintah Provinsi Jawa Barat", "local_government", region_code="32"),
    Agency(
        BANDUNG,
        "Pemerintah Kota Bandung",
        "local_government",
        parent_id=JABAR,
        region_code="32.73",
        categories=("infrastruktur", "kesehatan"),
    ),
    Agency(DUKCAPIL, "Disdukcapil Kota Bandung", "local_government", parent_id=BANDUNG),
    Agency("kemenkes", "Kementerian Kesehatan", "ministry"),
]
SECRET_NAME = "Rahasia Wibowo"
reporter_tokens: dict[str, str] = {}  # tracking id -> the reporter's access token


@pytest.fixture
def directory():
    return FakeDirectory(CATEGORIES, AGENCIES)


@pytest.fixture
def clock(clock):
    clock.at = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)  # Tuesday 10:00 in Jakarta
    return clock


@pytest.fixture
def client(wired, trusted_staff_tokens):
    with Client(app) as c:
        yield c


@pytest.fixture
def officer(client):
    return Browser(client).sign_in_as("officer", BANDUNG, "officer.bandung")


@pytest.fixture
def admin(client):
    return Browser(client).sign_in_as("platform_admin", None, "admin")


@pytest.fixture
def filed(client, uow, directory, outlets, clock, calendar):
    """File a report through the API; route it unless ``routed=False``."""

    def _file(routed=True, **fields):
        body = {**VALID, "incident_date": "2026-03-10", **fields}
        r = client.http.post(
            "/v1/reports", headers={"Content-Type": "application/json"}, body=json.dumps(body)
        )
        assert r.status_code == 201, r.body
        tid = json.loads(r.body)["tracking_id"]
        reporter_tokens[tid] = json.loads(r.body)["access_token"]
        if routed:
            route_submitted(
                tid, uow=uow, directory=directory, outlets=outlets, clock=clock, calendar=calendar
            )
        return tid

    return _file


def text(response) -> str:
    return unescape(response.body.decode())


def csrf_of(browser, path):
    browser.get(path)
    return browser.csrf()


def post_action(browser, tid, segment, fields, lang="/en"):
    """Post one action's form as a browser would: from the report page, with its token."""
    page = browser.get(f"{lang}/staf/laporan/{tid}")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.body.decode())
    fields = {"csrf": token.group(1) if token else browser.csrf(), **fields}
    return browser.post(f"{lang}/staf/laporan/{tid}/{segment}", fields)


# ---------------------------------------------------------------- who may open the pages


def test_signed_out_the_inbox_and_a_report_send_you_to_sign_in(client, filed):
    tid = filed()
    browser = Browser(client)
    r = browser.get("/en/staf/kotak-masuk?status=completed")
    assert r.status_code == 303
    assert r.headers["Location"].startswith("/en/staf/masuk?next=")
    assert "kotak-masuk" in r.headers["Location"]
    r = browser.get(f"/staf/laporan/{tid}")
    assert r.status_code == 303 and r.headers["Location"].startswith("/staf/masuk?next=")


def test_roles_without_casework_get_403(client, filed):
    tid = filed()
    executive = Browser(client).sign_in_as("executive", BANDUNG, "exec.bandung")
    r = executive.get("/en/staf/kotak-masuk")
    assert r.status_code == 403
    assert "role does not give access" in text(r)
    # an executive reads the agency's report (oversight) but is offered no action
    page = text(executive.get(f"/en/staf/laporan/{tid}"))
    assert "There is nothing for you to do on this report now." in page
    assert '<form method="post" action="/en/staf/laporan/' not in page
    r = post_action(executive, tid, "tanggapi", {"message": "Kami tangani."})
    assert r.status_code == 403


def test_an_officer_of_another_agency_gets_403_for_the_report_and_its_actions(client, filed):
    tid = filed()
    other = Browser(client).sign_in_as("officer", "kemenkes", "officer.kemenkes")
    r = other.get(f"/en/staf/laporan/{tid}")
    assert r.status_code == 403
    assert "not assigned to your agency" in text(r)
    r = other.post(f"/en/staf/laporan/{tid}/tanggapi", {"message": "Bukan urusan kami."})
    assert r.status_code == 403


def test_an_unknown_report_is_404(officer):
    assert officer.get("/en/staf/laporan/SP00000000").status_code == 404
    assert officer.get("/en/staf/laporan/not-an-id").status_code == 404


# ---------------------------------------------------------------- the inbox


def test_the_inbox_lists_the_agencys_reports_nearest_deadline_first(officer, filed, clock):
    first = filed(title="Lampu jalan mati di Jalan Braga")
    clock.at += timedelta(days=14)
    second = filed(title="Trotoar rusak di Jalan Dago", category="kesehatan")
    r = officer.get("/en/staf/kotak-masuk")
    assert r.status_code == 200
    page = text(r)
    assert page.index(first) < page.index(second)
    assert f'href="/en/staf/laporan/{first}"' in page
    assert "Lampu jalan mati di Jalan Braga" in page
    assert "Infrastructure" in page and "Health" in page
    assert "Kota Bandung" in page  # the region by name
    assert "Awaiting follow-up" in page
    # Tuesday 17 March 2026, 10:00 WIB: due Tuesday 31 March (Nyepi, Idul Fitri skipped)
    assert "due today" in page and "due in 5 working days" in page
    assert '<th scope="col">Deadline</th>' in page and "<caption>" in page
    # the same in Bahasa Indonesia
    page_id = text(officer.get("/staf/kotak-masuk"))
    assert "Kotak masuk" in page_id and "Belum Ditindaklanjuti" in page_id
    assert "tenggat 5 hari kerja lagi" in page_id and "tenggat hari ini" in page_id


def test_the_inbox_filters_by_status_category_overdue_and_sub_unit(officer, filed, clock):
    road = filed(title="Jalan berlubang di Cibeunying")
    health = filed(title="Antrean puskesmas terlalu panjang", category="kesehatan")
    post_action(officer, road, "tanggapi", {"message": "Tim kami meninjau lokasi."})
    page = text(officer.get("/en/staf/kotak-masuk?status=in_progress"))
    assert road in page and health not in page
    page = text(officer.get("/en/staf/kotak-masuk?category=kesehatan"))
    assert health in page and road not in page
    assert '<option value="kesehatan" selected>' in page  # the filter sticks
    assert text(officer.get("/en/staf/kotak-masuk?overdue=1")).count("/en/staf/laporan/") == 0
    clock.at += timedelta(days=20)
    page = text(officer.get("/en/staf/kotak-masuk?overdue=1"))
    assert health in page and road not in page  # responded: no longer overdue-able
    assert re.search(r"overdue by \d+ working days", page)
    # a sub-unit of one's own agency, not another agency
    page = text(officer.get(f"/en/staf/kotak-masuk?agency_id={DUKCAPIL}"))
    assert "No reports match these filters." in page
    assert officer.get("/en/staf/kotak-masuk?agency_id=kemenkes").status_code == 403
    assert officer.get("/en/staf/kotak-masuk?status=archived").status_code == 400
    assert officer.get("/en/staf/kotak-masuk?category=NOT%20A%20CODE").status_code == 400
    # the language switch keeps the filters
    assert 'href="/staf/kotak-masuk?category=kesehatan"' in text(
        officer.get("/en/staf/kotak-masuk?category=kesehatan")
    )


def test_the_inbox_pages_on_with_a_next_page_link(officer, filed, monkeypatch, reports):
    from chalicelib.portal import inbox_pages

    monkeypatch.setattr(inbox_pages, "PAGE_SIZE", 2)
    made = [filed(title=f"Laporan nomor {i} tentang jalan") for i in range(3)]
    made.sort(key=lambda t: (reports.reports[t].deadline.due, t))  # the inbox's order
    page = text(officer.get("/en/staf/kotak-masuk"))
    assert made[0] in page and made[1] in page and made[2] not in page
    next_url = re.search(r'href="([^"]+)" rel="next"', page).group(1)
    assert "after=" in next_url
    page = text(officer.get(next_url))
    assert made[2] in page and made[0] not in page
    assert 'rel="next"' not in page
    assert officer.get("/en/staf/kotak-masuk?after=rubbish").status_code == 422


def test_a_platform_admin_picks_the_agency_first(admin, filed):
    tid = filed()
    page = text(admin.get("/en/staf/kotak-masuk"))
    assert "Choose the agency whose inbox you want to see." in page
    assert tid not in page
    assert '<option value="kemenkes">Kementerian Kesehatan</option>' in page
    page = text(admin.get(f"/en/staf/kotak-masuk?agency_id={BANDUNG}"))
    assert tid in page
    assert admin.get("/en/staf/kotak-masuk?agency_id=no-such-agency").status_code == 422


# ---------------------------------------------------------------- deadlines in words


def test_deadlines_are_told_in_working_days(calendar):
    from chalicelib.domain.deadlines import Deadline, DeadlineKind

    now = datetime(2026, 4, 14, 3, 0, tzinfo=UTC)  # Tuesday 10:00 WIB

    def end_of(day):  # midnight WIB after that April day
        return datetime(2026, 4, day, 17, 0, tzinfo=UTC)

    def words(due, kind=DeadlineKind.FIRST_RESPONSE, at=now):
        shown = deadline_text.describe(Deadline(kind, due), False, at, calendar)
        return shown.message % {"n": shown.days}

    assert words(end_of(14)) == "due today"
    assert words(end_of(15)) == "due in 1 working day"
    assert words(end_of(16)) == "due in 2 working days"
    assert words(end_of(20)) == "due in 4 working days"  # the weekend skipped
    assert words(end_of(13)) == "overdue by 1 working day"
    assert words(end_of(10)) == "overdue by 2 working days"  # Friday; Monday, Tuesday gone
    saturday = datetime(2026, 4, 18, 3, 0, tzinfo=UTC)
    assert words(end_of(17), at=saturday) == "overdue"  # no working day since
    assert words(end_of(17), DeadlineKind.COMPLETION) == "completes automatically in 3 working days"
    assert words(end_of(14), DeadlineKind.COMPLETION) == "completes automatically today"
    paused = deadline_text.describe(None, True, now, calendar)
    assert paused.message == "paused: waiting for the reporter's answer" and not paused.overdue
    assert deadline_text.describe(
        Deadline(DeadlineKind.FIRST_RESPONSE, end_of(13)), False, now, calendar
    ).overdue


# ---------------------------------------------------------------- the report page


def test_an_officer_sees_the_report_and_only_the_forms_the_policy_allows(officer, filed):
    tid = filed()
    r = officer.get(f"/en/staf/laporan/{tid}")
    assert r.status_code == 200
    page = text(r)
    assert "Jalan berlubang di depan pasar" in page and "Pasar Kosambi" in page
    assert "Siti Rahayu" in page  # not anonymous: the agency sees the contact
    assert "due in 5 working days" in page
    for segment in ("tanggapi", "minta-informasi", "alihkan", "catatan", "tanggapan-akhir"):
        assert f'action="/en/staf/laporan/{tid}/{segment}"' in page
    for segment in ("disposisi", "arsipkan", "pulihkan", "pindahkan", "tutup"):
        assert f'/{segment}"' not in page
    assert "identitas" not in page
    # the transfer picker offers the other agencies, not one's own
    assert '<option value="kemenkes">Kementerian Kesehatan</option>' in page
    assert f'<option value="{BANDUNG}">' not in page
    assert re.search(r"<label for=\"respond-message\">", page)


def test_an_officer_responds_asks_notes_and_gives_the_final_response(officer, filed, reports):
    tid = filed()
    r = post_action(officer, tid, "minta-informasi", {"message": "Di sisi mana lubangnya?"})
    assert r.status_code == 303 and reports.reports[tid].awaiting_reporter
    page = text(officer.get(f"/en/staf/laporan/{tid}"))
    assert "paused: waiting for the reporter's answer" in page
    r = post_action(officer, tid, "tanggapi", {"message": "Tim kami meninjau lokasi besok."})
    assert r.status_code == 303
    assert r.headers["Location"] == f"/en/staf/laporan/{tid}?done=tanggapi#notice"
    page = text(officer.get(r.headers["Location"].split("#")[0]))
    assert "Your response was sent to the reporter." in page
    assert "Tim kami meninjau lokasi besok." in page
    assert reports.reports[tid].status == "in_progress"

    r = post_action(officer, tid, "catatan", {"text": "Cek anggaran pemeliharaan dulu."})
    assert r.status_code == 303
    page = text(officer.get(f"/en/staf/laporan/{tid}"))
    assert "Internal note" in page and "staff only" in page
    assert "Cek anggaran pemeliharaan dulu." in page

    r = post_action(officer, tid, "tanggapan-akhir", {"message": "Lubang sudah ditambal."})
    assert r.status_code == 303
    assert reports.reports[tid].final_response_at is not None
    page = text(officer.get(f"/en/staf/laporan/{tid}"))
    assert "completes automatically in 10 working days" in page


def test_a_refused_form_shows_its_error_beside_the_field_with_a_4xx(officer, filed, reports):
    tid = filed()
    r = post_action(officer, tid, "tanggapi", {"message": "   "})
    assert r.status_code == 422
    page = text(r)
    assert 'id="respond-message-error"' in page and "Fill this in." in page
    assert 'href="#respond-message"' in page  # the summary links to the field
    assert reports.reports[tid].status == "awaiting_followup"
    r = post_action(officer, tid, "alihkan", {"reason": "ok", "suggested_agency": "kemenkes"})
    assert r.status_code == 422
    assert "Write at least 3 characters." in text(r)
    assert 'id="transfer-reason-error"' in text(r)
    r = post_action(
        officer, tid, "alihkan", {"reason": "Bukan wewenang kami.", "suggested_agency": "x"}
    )
    assert r.status_code == 422 and "Choose an agency from the list." in text(r)
    r = post_action(
        officer, tid, "alihkan", {"reason": "Bukan wewenang kami.", "suggested_agency": "nope-nope"}
    )
    assert r.status_code == 422 and "Choose an active agency from the list." in text(r)
    # what was typed is kept
    assert "Bukan wewenang kami." in text(r)


def test_an_action_the_status_no_longer_allows_is_409(officer, admin, filed):
    tid = filed()
    post_action(officer, tid, "tanggapan-akhir", {"message": "Selesai ditangani."})
    r = post_action(admin, tid, "tutup", {"note": "Sudah beres."})
    assert r.status_code == 303
    r = officer.post(f"/en/staf/laporan/{tid}/tanggapi", {"message": "Satu lagi."})
    assert r.status_code == 409
    assert "This is not possible any more" in text(r)


def test_an_officer_cannot_use_admin_actions(officer, filed, reports):
    tid = filed()
    r = post_action(officer, tid, "pindahkan", {"agency_id": "kemenkes", "reason": "Salah alamat."})
    assert r.status_code == 403
    assert reports.reports[tid].agency.id == BANDUNG


def test_an_officer_transfers_with_a_suggested_agency_and_lands_in_the_inbox(
    officer, filed, reports
):
    tid = filed()
    r = post_action(
        officer,
        tid,
        "alihkan",
        {"reason": "Urusan kesehatan, bukan kami.", "suggested_agency": "kemenkes"},
    )
    assert r.status_code == 303
    assert r.headers["Location"] == "/en/staf/kotak-masuk?done=alihkan"
    assert reports.reports[tid].status == "unverified"
    page = text(officer.get(r.headers["Location"]))
    assert "Your agency no longer has it." in page and tid not in page
    assert officer.get(f"/en/staf/laporan/{tid}").status_code == 403


def test_every_action_needs_the_csrf_token(officer, filed, reports):
    tid = filed()
    officer.get(f"/en/staf/laporan/{tid}")
    r = officer.post(f"/en/staf/laporan/{tid}/tanggapi", {"message": "Tanpa token."}, csrf=False)
    assert r.status_code == 403
    r = officer.post(
        f"/en/staf/laporan/{tid}/tanggapi", {"message": "Token palsu.", "csrf": "00" * 32}
    )
    assert r.status_code == 403
    assert reports.reports[tid].status == "awaiting_followup"


def test_the_anonymous_reporters_identity_never_reaches_the_officers_page(officer, admin, filed):
    tid = filed(
        anonymous=True,
        reporter={"name": SECRET_NAME, "phone": "0813-9999-8888", "email": "rahasia@contoh.id"},
    )
    page = officer.get(f"/en/staf/laporan/{tid}").body.decode()
    for secret in (SECRET_NAME, "9999", "rahasia@contoh.id"):
        assert secret not in page
    assert "The reporter asked to stay anonymous" in unescape(page)
    assert "identitas" not in page  # officers are not offered the audited reading
    inbox = officer.get("/en/staf/kotak-masuk").body.decode()
    assert SECRET_NAME not in inbox and "anonymous" in inbox
    # a platform admin does not see it either, but may read it with a stated reason
    page = admin.get(f"/en/staf/laporan/{tid}").body.decode()
    assert SECRET_NAME not in page
    assert f'href="/en/staf/laporan/{tid}/identitas"' in page


def test_attachments_are_listed_and_downloaded_through_the_console(
    officer, filed, client, store, monkeypatch
):
    from chalicelib.config import settings
    from tests import samples
    from tests.unit.test_api_attachments import BUCKET, deliver

    monkeypatch.setenv("ATTACHMENTS_BUCKET", BUCKET)
    settings.cache_clear()
    tid = filed(confidential=True)
    token = reporter_tokens[tid]
    r = client.http.post(
        f"/v1/reports/{tid}/attachments",
        headers={"Content-Type": "application/json", "X-Report-Token": token},
        body=json.dumps({"filename": "Foto jalan.png", "content_type": "image/png", "size": 99}),
    )
    slot = json.loads(r.body)
    aid = slot["attachment"]["id"]
    store.upload(slot["upload"]["fields"]["key"], samples.png(), "image/png")
    assert deliver(client, store, slot["upload"]["fields"]["key"]) == {"batchItemFailures": []}
    page = text(officer.get(f"/en/staf/laporan/{tid}"))
    link = f"/en/staf/laporan/{tid}/lampiran/{aid}"
    # staff see the file under a neutral name (the reporter's file name may identify them)
    assert f'href="{link}">lampiran-{aid}.png</a> <span class="small">(0.2 KB)</span>' in page
    got = officer.get(link)
    assert got.status_code == 302
    assert got.headers["Location"].startswith("https://bucket.example/attachments/")
    other = Browser(client).sign_in_as("officer", "kemenkes", "officer.kemenkes")
    assert other.get(link).status_code == 403  # a confidential report's file
    assert officer.get(f"/en/staf/laporan/{tid}/lampiran/{aid[:-1]}X").status_code == 404
    settings.cache_clear()


# ---------------------------------------------------------------- platform admins


def test_an_admin_disposes_a_report_awaiting_verification(admin, filed, reports, dispatch_queue):
    tid = filed(routed=False)
    page = text(admin.get(f"/en/staf/laporan/{tid}"))
    assert "Not yet verified" in page
    for segment in ("disposisi", "arsipkan", "catatan"):
        assert f'action="/en/staf/laporan/{tid}/{segment}"' in page
    for segment in ("tanggapi", "alihkan", "pulihkan", "pindahkan", "tutup"):
        assert f'/{segment}"' not in page
    r = post_action(admin, tid, "disposisi", {"agency_id": "kemenkes", "note": ""})
    assert r.status_code == 303
    assert reports.reports[tid].agency.id == "kemenkes"
    assert reports.reports[tid].status == "awaiting_followup"
    page = text(admin.get(f"/en/staf/laporan/{tid}?done=disposisi"))
    assert "The report was sent to the agency." in page
    assert f'action="/en/staf/laporan/{tid}/pindahkan"' in page  # reroute now, not dispose
    assert r"/disposisi\"" not in page
    r = post_action(admin, tid, "disposisi", {"agency_id": "kemenkes"})
    assert r.status_code == 303  # again to the same agency: it is only told again (as the API)
    r = post_action(admin, tid, "disposisi", {"agency_id": BANDUNG})
    assert r.status_code == 409  # to another: not while it is awaiting follow-up
    assert "This is not possible any more" in text(r)
    assert reports.reports[tid].agency.id == "kemenkes"


def test_an_admin_archives_a_duplicate_and_restores_it(admin, filed, reports):
    first = filed(routed=False)
    second = filed(routed=False, title="Jalan berlubang lagi di depan pasar")
    r = post_action(
        admin, second, "arsipkan", {"reason": "duplicate", "message": "Sudah dilaporkan."}
    )
    assert r.status_code == 422 and "Name the report it duplicates" in text(r)
    r = post_action(
        admin,
        second,
        "arsipkan",
        {"reason": "duplicate", "message": "Sudah dilaporkan.", "duplicate_of": "SP00000000"},
    )
    assert r.status_code == 422 and 'id="archive-duplicate_of-error"' in text(r)
    unknown = tracking_id.generate()
    r = post_action(
        admin,
        second,
        "arsipkan",
        {"reason": "duplicate", "message": "Sudah dilaporkan.", "duplicate_of": unknown},
    )
    assert r.status_code == 422 and "No report has this tracking id." in text(r)
    r = post_action(
        admin,
        second,
        "arsipkan",
        {"reason": "duplicate", "message": "Sudah dilaporkan.", "duplicate_of": first},
    )
    assert r.status_code == 303, text(r)[:3000]
    assert reports.reports[second].status == "archived"
    assert reports.reports[second].duplicate_of == first
    page = text(admin.get(f"/en/staf/laporan/{second}"))
    assert f'href="/en/staf/laporan/{first}"' in page
    r = post_action(admin, second, "pulihkan", {"note": ""})
    assert r.status_code == 303 and reports.reports[second].status == "unverified"
    r = post_action(admin, second, "arsipkan", {"reason": "spam", "message": "Tidak jelas."})
    assert r.status_code == 422 and "Choose one from the list." in text(r)


def test_an_admin_reroutes_and_closes(admin, officer, filed, reports):
    tid = filed()
    r = post_action(admin, tid, "pindahkan", {"agency_id": BANDUNG, "reason": "Tetap Bandung."})
    assert r.status_code == 409 or r.status_code == 303
    r = post_action(
        admin, tid, "pindahkan", {"agency_id": "kemenkes", "reason": "Urusan kesehatan."}
    )
    assert r.status_code == 303 and reports.reports[tid].agency.id == "kemenkes"
    assert officer.get(f"/en/staf/laporan/{tid}").status_code == 403
    kemenkes = Browser(officer.client).sign_in_as("officer", "kemenkes", "officer.kemenkes")
    post_action(kemenkes, tid, "tanggapi", {"message": "Kami tindak lanjuti."})
    r = post_action(admin, tid, "tutup", {"note": ""})
    assert r.status_code == 303 and reports.reports[tid].status == "completed"


def test_the_report_page_in_bahasa_indonesia(officer, filed):
    tid = filed()
    page = text(officer.get(f"/staf/laporan/{tid}"))
    assert '<html lang="id"' in page
    assert "Tanggapi pelapor" in page and "Kirim tanggapan" in page
    assert f'href="/en/staf/laporan/{tid}"' in page  # the other language, same report


def test_the_routes_and_the_actions_table_agree():
    assert set(portal_casework.ACTION_SEGMENTS) == set(case_actions.BY_SEGMENT)


def test_a_disposal_the_agency_cannot_be_told_of_yet_is_done_logged_and_said(
    admin, filed, reports, dispatch_queue, caplog
):
    tid = filed(routed=False)
    dispatch_queue.failing = True
    with caplog.at_level("INFO"):
        r = post_action(admin, tid, "disposisi", {"agency_id": "kemenkes", "note": ""})
    assert r.status_code == 303 and "?done=pending" in r.headers["Location"]
    assert reports.reports[tid].agency.id == "kemenkes"  # committed all the same
    (line,) = [x for x in caplog.records if x.getMessage() == "report disposed by admin"]
    assert line.tracking_id == tid and line.agency_id == "kemenkes" and line.by == "admin"
    page = text(admin.get(r.headers["Location"]))
    assert "told automatically in a few minutes" in page
