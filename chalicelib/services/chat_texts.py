"""The short texts reporters get on SMS, WhatsApp, Messenger and X (``mail_texts`` has the
e-mails), in Bahasa Indonesia or English (``report.language``). Pure functions.

A direct text carries what the e-mail carries, shorter: the tracking id, the status, the
agency's or admin's message when the reporter may read it (cut to fit; the whole message
is on the portal), and the link. SMS texts stay within a few segments.

A PUBLIC text (a reply to a public X post) carries the tracking id, the status and the
link only: never a name, a number, an account, the report's content or anybody's
message — whoever reads the reply learns nothing the public view does not show. And a
confidential report gets no public text at all.
"""

from __future__ import annotations

from ..domain.events import EventType
from ..domain.report import Report, TimelineEvent
from .mail_texts import (
    PRODUCT,
    Mail,
    language,
    report_link,
    reporter_message_note,
    status_label,
)

# The agency's message is cut to this many characters (SMS: about two segments).
NOTE_LIMIT = {"sms": 240, "default": 1000}

# (Indonesian, English); {tid} the tracking id, {agency} the agency's name.
_HEADLINES: dict[str, tuple[str, str]] = {
    EventType.ASSIGNED: (
        "Laporan {tid} diverifikasi dan diteruskan kepada {agency}.",
        "Report {tid} was verified and passed on to {agency}.",
    ),
    EventType.TRANSFERRED: (
        "Laporan {tid} kembali ke tim verifikasi untuk diteruskan ke instansi yang tepat.",
        "Report {tid} is back with the verification team, to go to the right agency.",
    ),
    EventType.COMPLETED: (
        "Laporan {tid} selesai. Terima kasih telah melapor.",
        "Report {tid} is completed. Thank you for reporting.",
    ),
    EventType.ARCHIVED: (
        "Laporan {tid} diarsipkan dan tidak ditindaklanjuti.",
        "Report {tid} was archived and will not be followed up.",
    ),
    EventType.RESPONDED: (
        "{agency} menanggapi laporan {tid}.",
        "{agency} responded to report {tid}.",
    ),
    "final": (
        "{agency} memberi tanggapan akhir atas laporan {tid}. Tanpa balasan, laporan selesai "
        "setelah 10 hari kerja.",
        "{agency} gave its final response to report {tid}. Without a reply, the report is "
        "completed after 10 working days.",
    ),
    EventType.INFO_REQUESTED: (
        "{agency} meminta informasi tambahan untuk laporan {tid}.",
        "{agency} asked for more information on report {tid}.",
    ),
    EventType.RESTORED: (
        "Laporan {tid} diaktifkan kembali dan menunggu verifikasi.",
        "Report {tid} was taken back and is waiting for verification.",
    ),
}

_WORDS = {
    "id": {
        "status": "Status",
        "message": "Pesan",
        "more": "selengkapnya di portal",
        "follow": "Ikuti",
        "reply": "Balas: BALAS {tid} <pesan Anda>",
        "agency": "Instansi terkait",
        "public": "Laporan {tid}: {status}. Info: {link}",
    },
    "en": {
        "status": "Status",
        "message": "Message",
        "more": "more on the portal",
        "follow": "Follow",
        "reply": "Reply: BALAS {tid} <your message>",
        "agency": "The agency",
        "public": "Report {tid}: {status}. Info: {link}",
    },
}

# Channels whose reporter can answer with the BALAS keyword (issue 10: SMS, and WhatsApp
# and Messenger with the same keywords).
REPLY_CHANNELS = frozenset({"sms", "whatsapp", "messenger"})


def _cut(text: str, limit: int, more: str) -> str:
    text = " ".join(text.split())  # one line: SMS and chat previews
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + f"… ({more})"


def _headline(report: Report, entry: TimelineEvent, event_type: str, final: bool):
    if event_type == EventType.TRANSFERRED and entry.action != "transferred":
        return None, None  # a re-route is told by its report.assigned
    key = "final" if event_type == EventType.RESPONDED and final else event_type
    if key not in _HEADLINES:
        return None, None
    lang = language(report)
    if event_type == EventType.ASSIGNED:
        agency = entry.note or (report.agency.name if report.agency else None)
    else:
        agency = report.agency.name if report.agency else None
    text = _HEADLINES[key][1 if lang == "en" else 0].format(
        tid=report.tracking_id, agency=agency or _WORDS[lang]["agency"]
    )
    return text[0].upper() + text[1:], lang


def reporter_update(
    report: Report,
    entry: TimelineEvent,
    event_type: str,
    portal_url: str,
    *,
    channel: str,
    final: bool = False,
) -> Mail | None:
    """The direct text for one event on ``channel`` (sms, whatsapp, messenger, x); None
    when the event tells the reporter nothing."""
    headline, lang = _headline(report, entry, event_type, final)
    if headline is None:
        return None
    words = _WORDS[lang]
    status = status_label(entry.to_status, lang)
    note = None if event_type == EventType.ASSIGNED else reporter_message_note(entry)
    parts = [f"{PRODUCT}: {headline}", f"{words['status']}: {status}."]
    if note:
        limit = NOTE_LIMIT.get(channel, NOTE_LIMIT["default"])
        parts.append(f'{words["message"]}: "{_cut(note, limit, words["more"])}"')
    if event_type == EventType.INFO_REQUESTED and channel in REPLY_CHANNELS:
        parts.append(words["reply"].format(tid=report.tracking_id) + ".")
    parts.append(f"{words['follow']}: {report_link(portal_url, report.tracking_id)}")
    separator = " " if channel == "sms" else "\n"
    return Mail(f"{report.tracking_id}: {status}", separator.join(parts))


def public_update(
    report: Report, entry: TimelineEvent, event_type: str, portal_url: str
) -> Mail | None:
    """The text of a PUBLIC reply (X): tracking id, status and link, nothing else; None
    for a confidential report or an event that tells nothing."""
    if report.confidential:
        return None
    headline, lang = _headline(report, entry, event_type, final=False)
    if headline is None:
        return None
    status = status_label(entry.to_status, lang)
    link = report_link(portal_url, report.tracking_id)
    text = _WORDS[lang]["public"].format(tid=report.tracking_id, status=status, link=link)
    return Mail(f"{report.tracking_id}: {status}", text)


def access_link(report: Report, token: str, portal_url: str) -> Mail:
    """A new access token by text message (to the reporter's own number or chat)."""
    link = f"{report_link(portal_url, report.tracking_id)}#token={token}"
    if language(report) == "en":
        text = (
            f"{PRODUCT}: new access link for report {report.tracking_id} (the old token no "
            f"longer works): {link} Do not share it. Did not ask for it? Ignore this message."
        )
    else:
        text = (
            f"{PRODUCT}: tautan akses baru laporan {report.tracking_id} (token lama tidak "
            f"berlaku): {link} Jangan bagikan. Tidak meminta? Abaikan pesan ini."
        )
    return Mail(f"{report.tracking_id}: access link", text)
