"""The agency directory and category taxonomy as the domain sees them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AgencyType(StrEnum):
    MINISTRY = "ministry"
    INSTITUTION = "institution"
    LOCAL_GOVERNMENT = "local_government"
    SOE = "soe"


class Scope(StrEnum):
    NATIONAL = "national"
    REGIONAL = "regional"


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    scope: str
    name_en: str | None = None
    description: str | None = None  # in Bahasa Indonesia
    description_en: str | None = None
    auto_route: bool = True
    lead_agency: str | None = None
    # overrides of the working-day service levels, e.g. {"first_response_days": 7}
    service_levels: dict | None = None


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    type: str
    short_name: str | None = None
    parent_id: str | None = None
    region_code: str | None = None
    categories: tuple[str, ...] = ()
    email: str | None = None
    website: str | None = None
    active: bool = True
    sqs_queue_url: str | None = None
    service_levels: dict | None = None  # beats the category's

    def handles(self, category: str) -> bool:
        return self.active and category in self.categories
