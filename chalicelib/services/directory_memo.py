"""A directory that reads each agency once for one unit of work (a routing decision, a
scheduler run): the same agency is otherwise read again by every step that needs it."""

from __future__ import annotations

from ..domain.directory import Agency
from .ports import Directory


class RememberingDirectory:
    def __init__(self, directory: Directory, *known: Agency):
        self._directory = directory
        self._agencies: dict[str, Agency | None] = {a.id: a for a in known}

    def agency(self, agency_id: str) -> Agency | None:
        if agency_id not in self._agencies:
            self._agencies[agency_id] = self._directory.agency(agency_id)
        return self._agencies[agency_id]

    def __getattr__(self, name):
        return getattr(self._directory, name)
