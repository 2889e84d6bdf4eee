"""The signed-in staff member and the agency inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field

from ...domain.report import ReportKind
from ...domain.status import Status
from ..path_params import AGENCY_ID
from .base import _In, _Out
from .views import AgencyRefOut, DeadlineOut


class MeOut(_Out):
    subject: str
    username: str
    roles: list[str]
    agency_id: str | None = None


class InboxQuery(_In):
    model_config = ConfigDict(extra="forbid", strict=False)
    status: Annotated[str, Field(pattern=r"^[a-z_]+(,[a-z_]+)*$")] = Field(
        "awaiting_followup,in_progress",
        description="Comma-separated: awaiting_followup, in_progress, completed.",
    )
    overdue: bool = False
    category: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,64}$")] | None = None
    agency_id: Annotated[str, Field(pattern=AGENCY_ID)] | None = Field(
        None, description="Platform admins: whose inbox. Staff: one of their sub-units."
    )
    limit: Annotated[int, Field(ge=1, le=100)] = 25
    cursor: Annotated[str, Field(max_length=200)] | None = None


class InboxItem(_Out):
    tracking_id: str
    kind: ReportKind
    title: str
    category: str | None = None
    region: str | None = None
    agency: AgencyRefOut | None = None
    status: Status
    status_label: str
    deadline: DeadlineOut | None = None
    awaiting_reporter: bool
    anonymous: bool
    confidential: bool
    created_at: datetime
    updated_at: datetime


class InboxOut(_Out):
    items: list[InboxItem]
    next_cursor: str | None = None
