"""The public feed and open data."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field

from ...domain.report import ReportKind
from ...domain.status import Status
from ..path_params import AGENCY_ID
from .base import Link, _In, _Out
from .views import AgencyRefOut, CategoryRef

# ---------------------------------------------------------------- the public feed


class FeedQuery(_In):
    model_config = ConfigDict(extra="forbid", strict=False)
    status: Annotated[str, Field(pattern=r"^[a-z_]+(,[a-z_]+)*$", max_length=100)] | None = Field(
        None,
        description="Comma-separated: awaiting_followup, in_progress, completed (default: "
        "all three).",
    )
    agency_id: Annotated[str, Field(pattern=AGENCY_ID)] | None = Field(
        None, description="Reports this agency handles (GET /v1/agencies)."
    )
    category: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,64}$")] | None = Field(
        None, description="A category code (GET /v1/categories)."
    )
    region: Annotated[str, Field(pattern=r"^[0-9][0-9.]{1,12}$")] | None = Field(
        None,
        description="A province (32) or regency/city (32.73) code; the dot may be left out. "
        "Anonymous reports are never found by region.",
    )
    limit: Annotated[int, Field(ge=1, le=50)] = 20
    cursor: Annotated[str, Field(max_length=200)] | None = Field(
        None, description="next_cursor of the previous page, with the same filters."
    )


class FeedResponseOut(_Out):
    agency: AgencyRefOut = Field(description="The agency that responded; officers are not named.")
    at: datetime
    message: str
    final: bool = Field(description="The agency's final response.")


class FeedEntryOut(_Out):
    tracking_id: str
    kind: ReportKind
    status: Status
    status_label: str
    category: CategoryRef | None = None
    region: str | None = Field(
        None,
        description="The province or regency/city, never finer; null for anonymous reports.",
    )
    agency: AgencyRefOut = Field(description="The agency handling the report now.")
    anonymous: bool
    title: str
    description: str
    created_at: datetime
    updated_at: datetime
    responses: list[FeedResponseOut] = Field(
        description="The agency's newest public responses (at most 5), oldest first; the "
        "report's public view (links.self) has them all."
    )
    response_count: int = Field(description="How many public responses there are in all.")
    links: dict[str, Link] = Field(description="self: the report's public view.")


class FeedPageOut(_Out):
    items: list[FeedEntryOut]
    next_cursor: str | None = Field(
        None, description="Pass as ?cursor= with the same filters for the next page; null: last."
    )


# ---------------------------------------------------------------- open data


class OpenDataFileOut(_Out):
    name: str = Field(description="e.g. reports.csv")
    url: str = Field(description="A stable URL: it redirects (302) to the file.")
    bytes: int
    sha256: str
    rows: int | None = Field(None, description="Data rows (CSV and JSON); none for the dictionary.")


class OpenDataExportOut(_Out):
    date: str = Field(description="The day exported (YYYY-MM-DD, Asia/Jakarta).")
    generated_at: str
    files: list[OpenDataFileOut]


class OpenDataOut(_Out):
    licence: str
    latest: str | None = Field(
        None, description="The newest export's date; /v1/open-data/latest/{file} follows it."
    )
    dictionary_url: str | None = Field(
        None, description="The data dictionary of the newest export."
    )
    exports: list[OpenDataExportOut] = Field(description="Newest first (the last 31 days).")
