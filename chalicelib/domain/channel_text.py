"""What a citizen's message on a channel asks for, and what we answer: the keywords every
text channel shares (SMS, WhatsApp, Messenger, X).

    ASPIRASI <text>          an aspiration          (ASPIRATION)
    INFO <text>              an information request (INFORMATION)
    <text>                   a complaint
    ANONIM / RAHASIA         before any of those: anonymous / confidential
                             (ANONYMOUS / CONFIDENTIAL)
    STATUS <tracking id>     where the report stands (CEK)
    BALAS <tracking id> <text>   the reporter's reply to the agency (REPLY)
    BANTUAN                  this list (HELP, ?)

Keywords are case-insensitive and may end with ':' or '#'; the English ones make the
answers English. Pure text in, pure text out: the intake service does the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import tracking_id as tracking_ids
from .report import ReportKind

_KINDS = {
    "aspirasi": ReportKind.ASPIRATION,
    "aspiration": ReportKind.ASPIRATION,
    "info": ReportKind.INFORMATION_REQUEST,
    "informasi": ReportKind.INFORMATION_REQUEST,
    "information": ReportKind.INFORMATION_REQUEST,
    "pengaduan": ReportKind.COMPLAINT,
    "aduan": ReportKind.COMPLAINT,
    "complaint": ReportKind.COMPLAINT,
}
_FLAGS = {
    "anonim": "anonymous",
    "anonymous": "anonymous",
    "rahasia": "confidential",
    "confidential": "confidential",
}
_STATUS = {"status", "cek"}
_REPLY = {"balas", "reply"}
_HELP = {"bantuan", "help", "?", "menu"}
_ENGLISH = {"aspiration", "information", "complaint", "anonymous", "confidential", "reply"}
_ENGLISH |= {"help"}

_WORD = re.compile(r"\s*(\S+)")


@dataclass(frozen=True)
class NewReport:
    kind: ReportKind
    text: str
    anonymous: bool = False
    confidential: bool = False
    language: str = "id"


@dataclass(frozen=True)
class StatusQuery:
    tracking_id: str  # normalised; may still be unknown
    language: str = "id"


@dataclass(frozen=True)
class Reply:
    tracking_id: str
    text: str
    language: str = "id"


@dataclass(frozen=True)
class Help:
    language: str = "id"


@dataclass(frozen=True)
class Malformed:
    """A keyword without what it needs (STATUS without an id...): answered with usage."""

    keyword: str
    language: str = "id"


Command = NewReport | StatusQuery | Reply | Help | Malformed


def _keyword(word: str) -> str:
    return word.lower().rstrip(":#.,")


def _words(text: str):
    """(keyword, rest of the text after it) for each leading word."""
    pos = 0
    while match := _WORD.match(text, pos):
        yield _keyword(match.group(1)), text[match.end() :].strip()
        pos = match.end()


def parse(text: str) -> Command:
    text = text.strip()
    first = next(_words(text), None)
    if first is None:
        return Help()
    keyword, rest = first
    language = "en" if keyword in _ENGLISH else "id"
    if keyword in _HELP and not rest:
        return Help(language)
    if keyword in _STATUS:
        raw = rest.split(maxsplit=1)[0] if rest else ""
        tid = tracking_ids.normalise(raw)
        if not rest or not tracking_ids.is_valid(tid):
            return Malformed("status", language)
        return StatusQuery(tid, language)
    if keyword in _REPLY:
        parts = rest.split(maxsplit=1)
        tid = tracking_ids.normalise(parts[0]) if parts else ""
        if len(parts) < 2 or not tracking_ids.is_valid(tid):
            return Malformed("reply", language)
        return Reply(tid, parts[1].strip(), language)
    flags: set[str] = set()
    kind = ReportKind.COMPLAINT
    body = text
    for word, after in _words(text):
        if word in _FLAGS:
            flags.add(_FLAGS[word])
        elif word in _KINDS:
            kind = _KINDS[word]
        else:
            break
        language = "en" if word in _ENGLISH else language
        body = after
    return NewReport(kind, body, "anonymous" in flags, "confidential" in flags, language)


# ---------------------------------------------------------------- answers

_TEXTS = {
    "id": {
        "received": "Laporan Anda diterima. Nomor pelacakan: {tid}. Cek status: kirim "
        "STATUS {tid}. Tambah keterangan: BALAS {tid} <pesan>.",
        "received_anonymous": " Identitas Anda disembunyikan dari instansi.",
        "received_confidential": " Isi laporan tidak ditampilkan ke publik.",
        "public": "Laporan Anda diterima: {tid}. Jangan unggah data pribadi di sini; kirim "
        "pesan langsung (DM) kepada kami untuk melanjutkan secara pribadi.",
        "public_confidential": "Laporan rahasia tidak bisa dikirim lewat kiriman publik. "
        "Kirim pesan langsung (DM) kepada kami; jangan unggah data pribadi di sini.",
        "too_short": "Laporan belum kami simpan: {what}. Kirim ulang dengan keterangan apa, "
        "di mana, dan kapan kejadiannya.",
        "title": "judulnya terlalu pendek",
        "description": "ceritakan lebih lengkap (paling sedikit {low} karakter)",
        "too_long": "pesan terlalu panjang (paling banyak {high} karakter)",
        "invalid": "ada isian yang tidak valid",
        "status": "Laporan {tid}: {status}.{agency}{response}",
        "agency": " Ditangani: {name}.",
        "response": " Tanggapan: {text}",
        "not_found": "Laporan {tid} tidak ditemukan untuk nomor/akun ini.",
        "replied": "Balasan Anda untuk laporan {tid} sudah diteruskan.",
        "cannot_reply": "Laporan {tid} sedang berstatus {status}; balasan belum bisa dikirim.",
        "usage_status": "Format: STATUS <nomor pelacakan>, mis. STATUS 7KQ2M9XP4D.",
        "usage_reply": "Format: BALAS <nomor pelacakan> <pesan>.",
        "help": "Kirim laporan Anda langsung (pengaduan), atau awali dengan ASPIRASI atau "
        "INFO. Tambahkan ANONIM untuk menyembunyikan identitas, RAHASIA agar isi tidak "
        "publik. STATUS <nomor> untuk cek, BALAS <nomor> <pesan> untuk membalas.",
        "slow_down": "Terlalu banyak pesan dari Anda. Coba lagi sebentar lagi.",
        "media_note": " {count} lampiran sedang diperiksa.",
    },
    "en": {
        "received": "Your report was received. Tracking number: {tid}. For its status send "
        "STATUS {tid}. To add to it: REPLY {tid} <message>.",
        "received_anonymous": " Your identity is hidden from the agency.",
        "received_confidential": " Its content is not shown to the public.",
        "public": "Your report was received: {tid}. Do not post personal data here; send us "
        "a direct message (DM) to continue privately.",
        "public_confidential": "A confidential report cannot be sent in a public post. "
        "Send us a direct message (DM) instead; do not post personal data here.",
        "too_short": "Your report was not stored yet: {what}. Please send it again with "
        "what happened, where and when.",
        "title": "its title is too short",
        "description": "tell us more (at least {low} characters)",
        "too_long": "the message is too long (at most {high} characters)",
        "invalid": "a field is not valid",
        "status": "Report {tid}: {status}.{agency}{response}",
        "agency": " Handled by: {name}.",
        "response": " Response: {text}",
        "not_found": "Report {tid} was not found for this number or account.",
        "replied": "Your reply to report {tid} was passed on.",
        "cannot_reply": "Report {tid} is {status}; a reply cannot be sent now.",
        "usage_status": "Format: STATUS <tracking number>, e.g. STATUS 7KQ2M9XP4D.",
        "usage_reply": "Format: REPLY <tracking number> <message>.",
        "help": "Send your report as it is (a complaint), or start with ASPIRATION or INFO. "
        "Add ANONYMOUS to hide your identity, CONFIDENTIAL to keep the content private. "
        "STATUS <number> to check, REPLY <number> <message> to reply.",
        "slow_down": "Too many messages from you. Please try again in a little while.",
        "media_note": " {count} attachment(s) are being checked.",
    },
}


def text(language: str, key: str, **values) -> str:
    return _TEXTS.get(language, _TEXTS["id"])[key].format(**values)


def shorten(text_: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word, with an ellipsis."""
    flat = " ".join(text_.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"
