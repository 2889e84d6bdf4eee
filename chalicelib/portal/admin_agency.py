"""Which agency an admin page is about: an agency admin's own agency; a platform admin
picks one (``?instansi=``). The same rule as the API (``Principal.administers``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import bootstrap
from ..api.path_params import AGENCY_ID
from ..domain.directory import Agency
from ..domain.identity import Principal, Role
from . import staff_session

PARAM = "instansi"
_AGENCY_ID = re.compile(AGENCY_ID)


class UnknownAgency(LookupError):
    """The page names an agency the directory does not hold."""


@dataclass(frozen=True)
class Choice:
    agency: Agency | None  # None: a platform admin has not picked one yet
    choices: list[Agency]  # what a platform admin may pick from (empty for others)


def chosen(who: Principal, raw: str | None) -> Choice:
    """The agency named by ``raw`` (or the admin's own); raises NotAllowed for another
    agency's admin, UnknownAgency for a name the directory does not hold."""
    directory = bootstrap.directory()
    platform = who.has_any(Role.PLATFORM_ADMIN)
    agency_id = (raw or "").strip() or (None if platform else who.agency_id)
    choices = sorted(directory.all_agencies(), key=lambda a: a.name) if platform else []
    if agency_id is None:
        if platform:
            return Choice(None, choices)
        raise staff_session.NotAllowed()  # an agency admin without an agency
    if not who.administers(agency_id):
        raise staff_session.NotAllowed()
    agency = directory.agency(agency_id) if _AGENCY_ID.match(agency_id) else None
    if agency is None:
        raise UnknownAgency(agency_id)
    return Choice(agency, choices)


def query_for(who: Principal, agency: Agency | None) -> str | None:
    """What goes in ``?instansi=`` on links and forms: only a platform admin names it."""
    return agency.id if agency is not None and who.has_any(Role.PLATFORM_ADMIN) else None
