"""Categories and agencies (the public directory)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from .base import _In, _Out


class CategoryOut(_Out):
    code: str
    name: str
    name_en: str | None = None
    scope: Literal["national", "regional"] | str
    description: str | None = Field(None, description="What belongs in it, in Bahasa Indonesia.")
    description_en: str | None = Field(None, description="The same in English.")


class CategoryList(_Out):
    items: list[CategoryOut]


class AgencyOut(_Out):
    id: str
    name: str
    short_name: str | None = None
    type: str
    parent_id: str | None = None
    region_code: str | None = None
    categories: list[str]
    website: str | None = None
    email: str | None = None


class AgencyPage(_Out):
    items: list[AgencyOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page.")


class AgencyListQuery(_In):
    model_config = ConfigDict(extra="forbid", strict=False)
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Annotated[str, Field(max_length=512)] | None = None
