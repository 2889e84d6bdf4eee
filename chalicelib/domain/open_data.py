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


_NUMBERS = (
    (
        "received",
        "integer",
        "Reports received: submitted (nation, category, region) or assigned to the agency.",
    ),
    (
        "verified",
        "integer",
        "Reports verified and disposed to an agency for the first time (not for agencies).",
    ),
    ("archived", "integer", "Reports archived (not accepted; not for agencies)."),
    ("followed_up", "integer", "First responses given (LAPOR!'s 'tindak lanjut')."),
    ("in_time", "integer", "First responses within the service level (5 working days)."),
    ("completed", "integer", "Completions."),
    ("reopened", "integer", "Reopenings by the reporter."),
    (
        "transferred_away",
        "integer",
        "Reports the agency handed back or that were rerouted away from it (agencies only).",
    ),
    ("rate_verified", "number", "verified / received."),
    ("rate_followed_up", "number", "followed_up / received (agencies) or / verified."),
    ("rate_completed", "number", "completed / received."),
    ("rate_in_time", "number", "in_time / followed_up: the share answered within the level."),
    (
        "median_first_response_days",
        "number",
        "Median working days from assignment to first response.",
    ),
    (
        "median_completion_days",
        "number",
        "Median working days from assignment (or submission) to completion.",
    ),
    ("rated", "integer", "Final ratings given."),
    ("satisfaction_average", "number", "Average rating, 1 to 5."),
    *((f"score_{n}", "integer", f"Ratings of {n}.") for n in range(1, 6)),
    ("open_now", "integer", "Open reports at the time of the export (all open statuses)."),
    ("overdue_now", "integer", "Open reports past their deadline at the time of the export."),
)

INDICATORS = Dataset(
    "indicators",
    "Indicators per agency, category, province and the nation",
    "The published statistics (GET /v1/stats/...) for the last 30 days and the previous "
    "month. A cell counting fewer reports than the threshold, or one that would let a "
    "hidden cell be worked out, is suppressed: its numbers are empty.",
    (
        Column("period", "string", "last30 or YYYY-MM."),
        Column("period_start", "date", "First day (Asia/Jakarta)."),
        Column("period_end", "date", "Last day (Asia/Jakarta)."),
        Column("scope_kind", "string", "national | category | region | agency"),
        Column(
            "scope_id", "string", "Category code, province code or agency id; empty for the nation."
        ),
        Column("scope_name", "string", "Its name."),
        Column("suppressed", "boolean", "Too few reports to publish (numbers left empty)."),
        *(Column(name, kind, text) for name, kind, text in _NUMBERS),
    ),
)


def indicator_row(page: dict, period: dict) -> dict:
    """One published statistics page (or ranking item) as a flat row."""
    scope = page["scope"]
    row = {
        "period": period["label"],
        "period_start": period["start"],
        "period_end": period["end"],
        "scope_kind": scope["kind"],
        "scope_id": scope.get("id") or "",
        "scope_name": scope.get("name") or "",
        "suppressed": bool(page.get("suppressed")),
    }
    numbers = dict.fromkeys((name for name, _, _ in _NUMBERS), "")
    ind = page.get("indicators")
    if ind and not row["suppressed"]:
        for name in ("received", "verified", "archived", "followed_up", "in_time"):
            numbers[name] = _blank(ind.get(name))
        for name in ("completed", "reopened", "transferred_away"):
            numbers[name] = _blank(ind.get(name))
        for name, value in (ind.get("rates") or {}).items():
            numbers[f"rate_{name}"] = _blank(value)
        numbers["median_first_response_days"] = _blank(ind["first_response_days"]["median"])
        numbers["median_completion_days"] = _blank(ind["completion_days"]["median"])
        satisfaction = ind["satisfaction"]
        numbers["rated"] = satisfaction["rated"]
        numbers["satisfaction_average"] = _blank(satisfaction["average"])
        for score, n in satisfaction["distribution"].items():
            numbers[f"score_{score}"] = n
        now = page.get("now")
        if now:
            numbers["open_now"] = now["open"]["total"]
            numbers["overdue_now"] = now["overdue"]
    return row | numbers


def _blank(value):
    return "" if value is None else value


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
