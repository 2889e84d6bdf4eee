"""The plain-text e-mails the notifications consumer sends, in Bahasa Indonesia (English
when the reporter chose it). Pure functions: a report and its timeline entry in, a Mail
out. Nothing here reads or sends anything.

What goes in: the tracking id, the status at the time of the event, the agency's or the
admin's message when the reporter may see it (never internal notes, never officers'
names), and a link to follow the report. Escalations carry ids and the deadline only,
never the reporter's identity or the report's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..domain.events import EventType
from ..domain.report import Report, TimelineEvent, Visibility
from ..domain.status import Status

PRODUCT = "Satu Pintu"


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str


STATUS_LABELS_EN: dict[Status, str] = {
    Status.UNVERIFIED: "Not yet verified",
    Status.ARCHIVED: "Archived",
    Status.AWAITING_FOLLOWUP: "Awaiting follow-up",
    Status.IN_PROGRESS: "In progress",
    Status.COMPLETED: "Completed",
}

_MONTHS = {
    "id": [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
_WEEKDAYS = {
    "id": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}

DEADLINE_LABELS = {
    "verification": {"id": "verifikasi", "en": "verification"},
    "first_response": {"id": "tindak lanjut pertama", "en": "first follow-up"},
}


def language(report: Report) -> str:
    return "en" if (report.language or "").lower().startswith("en") else "id"


def status_label(status: Status, lang: str) -> str:
    return STATUS_LABELS_EN[status] if lang == "en" else status.label


def report_link(portal_url: str, tracking_id: str) -> str:
    return f"{portal_url}/v1/reports/{tracking_id}"


def end_of_day(due: datetime, tz: str, lang: str) -> str:
    """A working-day deadline (local midnight after the last day) as the day it ends."""
    zone = ZoneInfo(tz)
    local = (due - timedelta(microseconds=1)).astimezone(zone)
    day = f"{_WEEKDAYS[lang][local.weekday()]}, {local.day} {_MONTHS[lang][local.month - 1]}"
    abbreviation = local.strftime("%Z")
    if lang == "en":
        return f"the end of {day} {local.year} ({abbreviation})"
    return f"akhir hari {day} {local.year} ({abbreviation})"


# ---------------------------------------------------------------- reporters

# (Indonesian, English); {agency} is the agency's name.
_HEADLINES: dict[str, tuple[str, str]] = {
    EventType.ASSIGNED: (
        "Laporan Anda telah diverifikasi dan diteruskan kepada {agency}.",
        "Your report has been verified and passed on to {agency}.",
    ),
    EventType.TRANSFERRED: (
        "Instansi yang menerima laporan Anda menyatakan laporan ini bukan kewenangannya. "
        "Laporan Anda kembali ke tim verifikasi, yang akan meneruskannya ke instansi yang tepat.",
        "The agency that received your report says it is not theirs to handle. Your report "
        "is back with the verification team, who will pass it on to the right agency.",
    ),
    EventType.COMPLETED: (
        "Laporan Anda telah selesai. Terima kasih telah melapor.",
        "Your report has been completed. Thank you for reporting.",
    ),
    EventType.ARCHIVED: (
        "Laporan Anda diarsipkan dan tidak ditindaklanjuti.",
        "Your report has been archived and will not be followed up.",
    ),
    EventType.RESPONDED: (
        "{agency} menanggapi laporan Anda.",
        "{agency} has responded to your report.",
    ),
    "final": (
        "{agency} memberikan tanggapan akhir atas laporan Anda. Jika Anda tidak membalas atau "
        "membuka kembali laporan, laporan akan selesai dengan sendirinya setelah 10 hari kerja.",
        "{agency} has given its final response to your report. Unless you reply or reopen "
        "the report, it will be completed automatically after 10 working days.",
    ),
    EventType.INFO_REQUESTED: (
        "{agency} meminta informasi tambahan dari Anda. Balaslah agar laporan Anda dapat "
        "ditindaklanjuti.",
        "{agency} has asked you for more information. Please reply so that your report "
        "can be followed up.",
    ),
    EventType.RESTORED: (
        "Laporan Anda diaktifkan kembali dan menunggu verifikasi.",
        "Your report has been taken back and is waiting for verification.",
    ),
}

_WORDS = {
    "id": {
        "subject": "[{product}] Laporan {tid}: {status}",
        "greeting": "Yth. Pelapor,",
        "tracking": "Nomor pelacakan",
        "status": "Status",
        "message": "Pesan",
        "follow": "Ikuti perkembangan laporan Anda:",
        "token": "Untuk melihat seluruh laporan dan membalas, gunakan token akses yang Anda "
        "terima saat melapor. Token hilang? Minta tautan akses baru: POST {link}/access-link",
        "footer": "Pesan ini dikirim otomatis oleh {product}; mohon tidak membalas e-mail ini.",
        "agency": "instansi terkait",
    },
    "en": {
        "subject": "[{product}] Report {tid}: {status}",
        "greeting": "Dear reporter,",
        "tracking": "Tracking id",
        "status": "Status",
        "message": "Message",
        "follow": "Follow your report:",
        "token": "To see the whole report and reply, use the access token you received when "
        "you reported. Lost it? Ask for a new access link: POST {link}/access-link",
        "footer": "This message was sent automatically by {product}; please do not reply.",
        "agency": "the agency",
    },
}


def reporter_message_note(entry: TimelineEvent) -> str | None:
    """The note of a timeline entry that the reporter may read as a message: written by
    staff (an agency or an admin), not internal. System notes are not messages."""
    if entry.visibility is Visibility.STAFF or not entry.actor.is_staff:
        return None
    return (entry.note or "").strip() or None


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else "" for line in text.splitlines())


def reporter_update(
    report: Report, entry: TimelineEvent, event_type: str, portal_url: str, *, final=False
) -> Mail | None:
    """The e-mail that tells the reporter about one event; None when it tells nothing
    (a re-route is told by its report.assigned, not by the old agency's transfer)."""
    if event_type == EventType.TRANSFERRED and entry.action != "transferred":
        return None
    key = "final" if event_type == EventType.RESPONDED and final else event_type
    if key not in _HEADLINES:
        return None
    lang = language(report)
    words = _WORDS[lang]
    if event_type == EventType.ASSIGNED:
        agency = entry.note or (report.agency.name if report.agency else None)
        note = None  # the disposition's note is the agency's name, said in the headline
    else:
        agency = report.agency.name if report.agency else None
        note = reporter_message_note(entry)
    headline = _HEADLINES[key][1 if lang == "en" else 0].format(agency=agency or words["agency"])
    headline = headline[0].upper() + headline[1:]
    status = status_label(entry.to_status, lang)
    link = report_link(portal_url, report.tracking_id)
    lines = [
        words["greeting"],
        "",
        headline,
        "",
        f"{words['tracking']}: {report.tracking_id}",
        f"{words['status']}: {status}",
    ]
    if note:
        lines += ["", f"{words['message']}:", _indent(note)]
    lines += [
        "",
        words["follow"],
        link,
        "",
        words["token"].format(link=link),
        "",
        "-- ",
        words["footer"].format(product=PRODUCT),
    ]
    subject = words["subject"].format(product=PRODUCT, tid=report.tracking_id, status=status)
    return Mail(subject, "\n".join(lines) + "\n")


def access_link(report: Report, token: str, portal_url: str) -> Mail:
    lang = language(report)
    link = report_link(portal_url, report.tracking_id)
    if lang == "en":
        subject = f"[{PRODUCT}] New access link for report {report.tracking_id}"
        body = [
            "Dear reporter,",
            "",
            f"You asked for a new access link to report {report.tracking_id}.",
            "Your previous access token no longer works.",
            "",
            "Open your report:",
            f"{link}#token={token}",
            "",
            f"Access token (send it as the X-Report-Token header): {token}",
            "",
            "If you did not ask for this, you can ignore this message: only you receive it.",
            "Do not share this token; it gives access to your whole report.",
        ]
        footer = _WORDS["en"]["footer"]
    else:
        subject = f"[{PRODUCT}] Tautan akses baru untuk laporan {report.tracking_id}"
        body = [
            "Yth. Pelapor,",
            "",
            f"Anda meminta tautan akses baru untuk laporan {report.tracking_id}.",
            "Token akses Anda sebelumnya tidak berlaku lagi.",
            "",
            "Buka laporan Anda:",
            f"{link}#token={token}",
            "",
            f"Token akses (kirim sebagai header X-Report-Token): {token}",
            "",
            "Jika Anda tidak memintanya, abaikan pesan ini: hanya Anda yang menerimanya.",
            "Jangan bagikan token ini; token ini membuka seluruh laporan Anda.",
        ]
        footer = _WORDS["id"]["footer"]
    body += ["", "-- ", footer.format(product=PRODUCT)]
    return Mail(subject, "\n".join(body) + "\n")


# ---------------------------------------------------------------- escalations


def escalation(
    tracking_id: str,
    agency_name: str,
    deadline_kind: str | None,
    due: datetime | None,
    portal_url: str,
    tz: str,
    *,
    as_parent: bool = False,
) -> Mail:
    """To an agency's contact address (or its parent's): the report is overdue. Ids and
    the deadline only: no reporter identity, no report text."""
    kind = DEADLINE_LABELS.get(deadline_kind or "", {}).get("id", "tindak lanjut")
    when = f" pada {end_of_day(due, tz, 'id')}" if due else ""
    lines = [
        "Yth. Pengelola Pengaduan,",
        "",
        f"Laporan {tracking_id} yang ditugaskan kepada {agency_name} telah melewati batas "
        f"waktu {kind}{when}.",
    ]
    if as_parent:
        lines += [
            "",
            f"Anda menerima pesan ini sebagai instansi induk dari {agency_name}.",
        ]
    lines += [
        "",
        "Segera tindak lanjuti laporan ini melalui aplikasi staf atau API Satu Pintu:",
        report_link(portal_url, tracking_id),
        "",
        "-- ",
        _WORDS["id"]["footer"].format(product=PRODUCT),
    ]
    subject = f"[{PRODUCT}] Laporan {tracking_id} melewati batas waktu {kind}"
    return Mail(subject, "\n".join(lines) + "\n")


def escalation_alert(
    tracking_id: str, agency_id: str, deadline_kind: str | None, due: datetime | None
) -> tuple[str, str]:
    """The platform admins' alert (SNS): subject and message, ids only."""
    due_text = due.isoformat() if due else "unknown"
    return (
        f"Overdue report {tracking_id}",
        f"Report {tracking_id} assigned to {agency_id} is overdue "
        f"(deadline {deadline_kind or 'unknown'}, due {due_text}).",
    )
