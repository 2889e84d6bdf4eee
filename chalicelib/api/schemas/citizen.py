"""Submitting a report and asking for a new access link."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator

from ...domain import intake, phones
from ...domain.report import ReportKind
from ...domain.status import Status
from .base import Latitude, Link, Longitude, _In, _Out

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def _limits(bounds: tuple[int, int]) -> dict:
    """Documented here, checked by the intake rules (``domain/intake.py``) for every door."""
    return {"minLength": bounds[0], "maxLength": bounds[1]}


class ReporterIn(_In):
    """Who is reporting. Required unless the report is anonymous: a name and at least one
    way to reach the reporter (phone or e-mail). Never shown to agencies or the public
    for anonymous reports."""

    name: str | None = Field(None, json_schema_extra=_limits(intake.NAME_LENGTH))
    phone: (
        Annotated[
            str,
            Field(
                max_length=32,
                description="Indonesian numbers may be written locally (0812-3456-7890); "
                "stored in E.164 (+6281234567890).",
            ),
        ]
        | None
    ) = None
    email: Annotated[str, Field(max_length=254)] | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return phones.to_e164(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value.lower() if value else value


class LocationIn(_In):
    lat: Latitude
    lon: Longitude


# The reporter-unless-anonymous rule, as JSON Schema (domain/intake.py enforces it).
_REPORTER_UNLESS_ANONYMOUS = {
    "if": {"properties": {"anonymous": {"const": False}}},
    "then": {
        "required": ["reporter"],
        "properties": {
            "reporter": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
                "anyOf": [
                    {"required": ["phone"], "properties": {"phone": {"type": "string"}}},
                    {"required": ["email"], "properties": {"email": {"type": "string"}}},
                ],
            }
        },
    },
}


class SubmitReportIn(_In):
    """A report. Unless it is anonymous, reporter.name and reporter.phone or reporter.email
    are required."""

    model_config = ConfigDict(json_schema_extra=_REPORTER_UNLESS_ANONYMOUS)
    kind: ReportKind = Field(description="complaint, aspiration or information_request")
    title: str = Field(json_schema_extra=_limits(intake.TITLE_LENGTH))
    description: str = Field(json_schema_extra=_limits(intake.DESCRIPTION_LENGTH))
    category: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,64}$")] | None = Field(
        None, description="A code from GET /v1/categories. Leave out if unsure."
    )
    region: str | None = Field(
        None,
        description="Kemendagri region code, e.g. 32.73 (Kota Bandung); 3273 is read as 32.73.",
        json_schema_extra={"maxLength": 13},
    )
    location: LocationIn | None = None
    incident_date: date | None = Field(None, description="ISO date, not in the future.")
    anonymous: bool = Field(
        False, description="Hide the reporter's identity from agencies and the public."
    )
    confidential: bool = Field(
        False, description="Keep the content out of public listings and open data."
    )
    reporter: ReporterIn | None = None
    language: Literal["id", "en"] = Field(
        "id", description="Language of the messages the reporter receives."
    )

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value):
        # strict mode would want an enum instance; JSON gives a string
        if isinstance(value, str):
            try:
                return ReportKind(value)
            except ValueError:
                pass
        raise ValueError("must be one of: " + ", ".join(k.value for k in ReportKind))


class SubmittedOut(_Out):
    tracking_id: str = Field(description="10 symbols; quote it in SMS and calls.")
    access_token: str = Field(
        description="Shown once. Send it as X-Report-Token to see the full report."
    )
    status: Status
    status_label: str
    created_at: datetime
    links: dict[str, Link]


class AccessLinkIn(_In):
    """The contact the reporter gave when reporting: an e-mail address (any case) or a
    phone number (Indonesian numbers may be written locally)."""

    contact: Annotated[str, Field(min_length=3, max_length=254)]

    @field_validator("contact")
    @classmethod
    def _contact(cls, value: str) -> str:
        field = "email" if "@" in value else "phone"
        try:
            return getattr(ReporterIn(**{field: value}), field)
        except ValidationError:
            raise ValueError("neither an e-mail address nor a phone number") from None

    @property
    def kind(self) -> Literal["email", "phone"]:
        return "email" if "@" in self.contact else "phone"


class AccessLinkOut(_Out):
    status: Literal["accepted"] = "accepted"
    message: str
