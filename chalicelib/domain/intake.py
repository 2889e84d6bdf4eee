"""The rules of a valid new report, one definition for every door: the HTTP API, the web
portal and every channel (SMS, WhatsApp, Messenger, X, Open311) go through
``check_draft`` in the submission service.

Request schemas only check shapes and types (and document these limits); a channel
message, which has no schema, gets the same rules. ``today`` comes from the injected
clock, in the platform's time zone (an incident "today" in Jakarta at 06:00 is not in the
future because it is still yesterday in UTC).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date

from . import regions
from .report import Channel, Location, Reporter, ReportKind

TITLE_LENGTH = (5, 150)
DESCRIPTION_LENGTH = (20, 4000)
NAME_LENGTH = (2, 100)
LANGUAGES = ("id", "en")
# Forms ask for a name; on a channel the sender's address identifies them.
NAME_REQUIRED_ON = frozenset({Channel.WEB, Channel.API})


@dataclass(frozen=True)
class ReportDraft:
    """A report as a citizen sends it, before it is stored."""

    kind: ReportKind
    title: str
    description: str
    anonymous: bool = False
    confidential: bool = False
    reporter: Reporter | None = None
    category: str | None = None
    region: str | None = None
    location: Location | None = None
    incident_date: date | None = None
    channel: Channel = Channel.API
    language: str = "id"


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str
    type: str

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message, "type": self.type}


class InvalidReport(ValueError):
    """The draft breaks one or more rules; ``errors`` lists them all."""

    def __init__(self, errors: list[FieldProblem]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


def _length(field: str, value: str, bounds: tuple[int, int]) -> FieldProblem | None:
    low, high = bounds
    if len(value) < low:
        return FieldProblem(
            field, f"String should have at least {low} characters", "string_too_short"
        )
    if len(value) > high:
        return FieldProblem(
            field, f"String should have at most {high} characters", "string_too_long"
        )
    return None


def _reporter_problems(draft: ReportDraft) -> list[FieldProblem]:
    r = draft.reporter
    if draft.anonymous:
        return []
    reachable = r is not None and bool(r.phone or r.email or r.account)
    needs_name = draft.channel in NAME_REQUIRED_ON
    if not reachable or (needs_name and not (r and r.name)):
        return [
            FieldProblem(
                "reporter",
                "reporter.name and reporter.phone or reporter.email are required "
                "unless the report is anonymous"
                if needs_name
                else "a way to reach the reporter is required unless the report is anonymous",
                "missing_reporter",
            )
        ]
    if r.name is not None and (p := _length("reporter.name", r.name, NAME_LENGTH)):
        return [p]
    return []


def check_draft(draft: ReportDraft, *, today: date) -> ReportDraft:
    """The draft with its text trimmed and its region code in dotted form; raises
    InvalidReport listing every rule it breaks."""
    title, description = draft.title.strip(), draft.description.strip()
    reporter = draft.reporter
    if reporter is not None and reporter.name is not None:
        reporter = dataclasses.replace(reporter, name=reporter.name.strip() or None)
    draft = dataclasses.replace(draft, title=title, description=description, reporter=reporter)

    problems = [
        p
        for p in (
            _length("title", title, TITLE_LENGTH),
            _length("description", description, DESCRIPTION_LENGTH),
        )
        if p
    ]
    region = draft.region
    if region is not None:
        try:
            region = regions.normalise_region_code(region)
        except ValueError as e:
            problems.append(FieldProblem("region", str(e), "invalid_region"))
    if draft.incident_date is not None and draft.incident_date > today:
        problems.append(
            FieldProblem("incident_date", "must not be in the future", "date_in_future")
        )
    if draft.language not in LANGUAGES:
        problems.append(
            FieldProblem("language", "must be one of: " + ", ".join(LANGUAGES), "literal_error")
        )
    problems += _reporter_problems(draft)
    if problems:
        raise InvalidReport(problems)
    return dataclasses.replace(draft, region=region)


# ---------------------------------------------------------------- channel texts

_SENTENCE_END = re.compile(r"(\S*)[.!?]\s")
_SPACES = re.compile(r"\s+")
# Abbreviations an address or a name is full of: "Jl. Merdeka No. 5" is one sentence.
_ABBREVIATIONS = frozenset(
    [
        "jl",
        "jln",
        "gg",
        "no",
        "kec",
        "kel",
        "kab",
        "kota",
        "prov",
        "rt",
        "rw",
        "km",
        "bpk",
        "pak",
        "bu",
        "sdr",
        "dr",
        "drs",
        "ir",
        "prof",
        "hj",
        "h",
        "st",
        "tgl",
        "dll",
        "dsb",
        "dst",
        "a.n",
        "u.p",
    ]
)


def _first_sentence(flat: str) -> str:
    for match in _SENTENCE_END.finditer(flat):
        if match.group(1).lower().rstrip(".") not in _ABBREVIATIONS:
            return flat[: match.end()].rstrip()
    return flat


def title_from_text(text: str) -> str:
    """A title for a message that has none (SMS, chat, Open311): its first sentence,
    cut at a word boundary to fit the title's length."""
    flat = _SPACES.sub(" ", text).strip()
    first = _first_sentence(flat).rstrip(".!? ")
    if len(first) < TITLE_LENGTH[0]:  # "Pak. Jalan di depan rumah..."
        first = flat
    high = TITLE_LENGTH[1]
    if len(first) <= high:
        return first
    cut = first[: high - 1]
    if " " in cut[high // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"
