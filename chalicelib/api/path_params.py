"""Path parameters: one pattern each, checked before any view runs and shown in /openapi.json.

A value that cannot name anything answers like an unknown one (404), except where the path
names the resource a PUT creates: then it is an invalid field (422), as in a body.
Standard library only: this loads at cold start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain import tracking_id

AGENCY_ID = r"^[a-z0-9][a-z0-9-]{1,63}$"

# Tracking ids as people type them: either case, with spaces, dashes, dots or underscores
# between the ten symbols (chalicelib.domain.tracking_id.normalise drops those).
_SYMBOLS = "".join(sorted(set(tracking_id.ALPHABET + tracking_id.ALPHABET.lower())))
TRACKING_ID = rf"^[{re.escape(_SYMBOLS)} ._-]{{10,32}}$"


@dataclass(frozen=True)
class PathParam:
    pattern: str
    description: str
    not_found: tuple[str, str]  # problem slug and detail when the value cannot exist

    def matches(self, value: str) -> bool:
        return re.fullmatch(self.pattern, value) is not None


PATH_PARAMS = {
    "tracking_id": PathParam(
        TRACKING_ID,
        "The report's tracking id (10 symbols; lower case, spaces and dashes accepted).",
        ("report-not-found", "No report with this tracking id."),
    ),
    "agency_id": PathParam(
        AGENCY_ID,
        "The agency's id (a slug such as pemkot-bandung).",
        ("agency-not-found", "No such agency."),
    ),
    "webhook_id": PathParam(
        r"^wh_[0-9a-z]{1,32}$",
        "The webhook's id (wh_...).",
        ("webhook-not-found", "No such webhook for this agency."),
    ),
    "category_code": PathParam(
        r"^[a-z0-9][a-z0-9-]{1,63}$",
        "A category's code (from GET /v1/categories), e.g. infrastruktur.",
        ("category-not-found", "No such category."),
    ),
    "region_code": PathParam(
        r"^[0-9]{2}(\.?[0-9]{2})?$",
        "A province (32) or regency/city (32.73; the dot may be left out) Kemendagri code.",
        ("region-not-found", "No such province or regency."),
    ),
    "attachment_id": PathParam(
        r"^[0-9a-z]{12}$",
        "The attachment's id (12 symbols).",
        ("attachment-not-found", "No accepted attachment with this id on the report."),
    ),
    "export_date": PathParam(
        r"^(latest|[0-9]{4}-[0-9]{2}-[0-9]{2})$",
        "The export's date (YYYY-MM-DD, Asia/Jakarta), or latest.",
        ("export-not-found", "No open-data export of that date (GET /v1/open-data lists them)."),
    ),
    "file_name": PathParam(
        r"^[a-z0-9-]{1,40}\.(csv|json)$",
        "A file of the export, e.g. reports.csv (GET /v1/open-data lists them).",
        ("file-not-found", "No such file in that export (GET /v1/open-data lists them)."),
    ),
    "open311_file": PathParam(
        r"^[A-Za-z0-9_-]{1,64}(\.[A-Za-z]{1,8})?$",
        "An Open311 document and its format: services.json, requests/K7M3QX9P2A.xml ...",
        ("not-found", "Not found."),
    ),
    "asset": PathParam(
        r"^[a-z0-9-]{1,40}\.[0-9a-f]{10}\.[a-z]{2,12}$",
        "A web portal asset under its content-hashed name (portal.<hash>.css).",
        ("not-found", "No such file."),
    ),
}


def param(name: str) -> PathParam:
    try:
        return PATH_PARAMS[name]
    except KeyError:
        raise LookupError(f"path parameter {{{name}}} has no pattern in path_params") from None


def openapi_schema(name: str) -> dict:
    return {"type": "string", "pattern": param(name).pattern}
