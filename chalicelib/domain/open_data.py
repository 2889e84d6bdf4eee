"""Open data: what the daily export publishes, column by column, and its data dictionary.

Rows are built from the public feed's entries (``views.feed_entry``) and the published
statistics, so the export follows the same privacy rules: no identity, no confidential
report, no region finer than the regency, none for anonymous reports, officers never by
name.
"""

from __future__ import annotations

from dataclasses import dataclass

from .views import FeedEntry

LICENCE = "CC BY 4.0"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string | integer | number | boolean | datetime | date
    description: str


@dataclass(frozen=True)
class Dataset:
    name: str  # the file's base name: <name>.csv and <name>.json
    title: str
    description: str
    columns: tuple[Column, ...]


REPORTS = Dataset(
    "reports",
    "Public reports",
    "Every report in the public feed on the day of the export: verified (disposed to an "
    "agency) and not confidential, newest first. The same entries as GET /v1/public/reports.",
    (
        Column(
            "tracking_id",
            "string",
            "The report's tracking id; its public view is /v1/reports/{tracking_id}.",
        ),
        Column("kind", "string", "complaint | aspiration | information_request"),
        Column(
            "status",
            "string",
            "awaiting_followup (Belum Ditindaklanjuti) | "
            "in_progress (Proses) | completed (Selesai)",
        ),
        Column("status_label", "string", "The status as LAPOR! names it, in Bahasa Indonesia."),
        Column("category", "string", "The category code (GET /v1/categories); empty if none."),
        Column(
            "region",
            "string",
            "The Kemendagri code of the province (NN) or regency/city "
            "(NN.NN) the report is about; never finer; empty for anonymous reports.",
        ),
        Column("agency_id", "string", "The responsible agency (GET /v1/agencies)."),
        Column("agency_name", "string", "The agency's name."),
        Column(
            "anonymous",
            "boolean",
            "Filed anonymously (the reporter is never published either way).",
        ),
        Column("title", "string", "The reporter's title, as written."),
        Column("description", "string", "The reporter's text, as written."),
        Column("created_at", "datetime", "When it was filed (ISO 8601, UTC)."),
        Column("updated_at", "datetime", "When it last changed (ISO 8601, UTC)."),
        Column("response_count", "integer", "The agency's public responses so far."),
        Column("last_response_at", "datetime", "When the agency last responded; empty if never."),
        Column(
            "last_response",
            "string",
            "The agency's latest public response (the JSON file "
            "has the newest five, each with its agency, time and whether it was final).",
        ),
    ),
)


def report_row(entry: FeedEntry) -> dict:
    """One report as a flat row (CSV and JSON alike), plus ``responses`` for JSON."""
    last = entry.responses[-1] if entry.responses else None
    return {
        "tracking_id": entry.tracking_id,
        "kind": entry.kind.value,
        "status": entry.status.value,
        "status_label": entry.status.label,
        "category": entry.category or "",
        "region": entry.region or "",
        "agency_id": entry.agency.id,
        "agency_name": entry.agency.name,
        "anonymous": entry.anonymous,
        "title": entry.title,
        "description": entry.description,
        "created_at": entry.created_at.isoformat(),
        "updated_at": entry.updated_at.isoformat(),
        "response_count": entry.response_count,
        "last_response_at": last.at.isoformat() if last else "",
        "last_response": last.message if last else "",
    }


def report_responses(entry: FeedEntry) -> list[dict]:
    return [
        {
            "agency_id": r.agency.id,
            "agency_name": r.agency.name,
            "at": r.at.isoformat(),
            "final": r.final,
            "message": r.message,
        }
        for r in entry.responses
    ]


def dictionary(datasets: list[Dataset]) -> dict:
    """The data dictionary: every file, every column."""
    return {
        "publisher": "Satu Pintu",
        "licence": LICENCE,
        "formats": {
            "csv": "RFC 4180, UTF-8, a header row; booleans true/false, empty for none",
            "json": "UTF-8, an array of objects with the same fields",
        },
        "privacy": "No reporter identity, no confidential report, no region finer than the "
        "regency and none for anonymous reports; statistics cells counting fewer than the "
        "minimum are suppressed.",
        "datasets": [
            {
                "name": d.name,
                "title": d.title,
                "description": d.description,
                "files": [f"{d.name}.csv", f"{d.name}.json"],
                "columns": [
                    {"name": c.name, "type": c.type, "description": c.description}
                    for c in d.columns
                ],
            }
            for d in datasets
        ],
    }
