"""The bodies of the case workflow's actions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from ..path_params import AGENCY_ID, TRACKING_ID
from .base import _In

Message = Annotated[str, Field(min_length=1, max_length=5000)]


class MessageIn(_In):
    message: Message


class ReasonIn(_In):
    reason: Annotated[str, Field(min_length=3, max_length=2000)]


class NoteIn(_In):
    note: Annotated[str, Field(max_length=2000)] | None = None


class InternalNoteIn(_In):
    text: Annotated[str, Field(min_length=1, max_length=5000)]


class ArchiveIn(_In):
    reason: Literal["too_general", "not_public_service", "duplicate", "abusive", "no_answer"]
    message: Annotated[str, Field(min_length=3, max_length=2000)] = Field(
        description="Shown to the reporter."
    )
    duplicate_of: Annotated[str, Field(pattern=TRACKING_ID)] | None = Field(
        None, description="Required with reason duplicate: the report it duplicates."
    )


class RerouteIn(_In):
    agency_id: Annotated[str, Field(pattern=AGENCY_ID)]
    reason: Annotated[str, Field(min_length=3, max_length=2000)]


class TransferIn(_In):
    reason: Annotated[str, Field(min_length=3, max_length=2000)] = Field(
        description="Why this is not your agency's authority."
    )
    suggested_agency: Annotated[str, Field(pattern=AGENCY_ID)] | None = None


class RatingIn(_In):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=False)
    score: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=1000)] | None = None
