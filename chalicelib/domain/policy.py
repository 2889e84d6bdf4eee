"""Who may do what: one table of (action, status) -> parties, and one answer to "which
party is this caller for this report". Every route and service asks here.

Parties, from a report's point of view:
- ``reporter``: holds the report's access token (or, on a channel, its identity);
- ``assigned_agency``: an officer or agency admin of the agency the report is assigned to
  now; only they act for the agency;
- ``oversight``: executives of that agency, and staff of a parent agency (sub-units'
  reports): they read the staff view, never act;
- ``platform_admin``;
- ``public``: anyone else, including staff of unrelated agencies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum

from .errors import DomainError
from .identity import Principal, Role
from .status import Status


class Party(StrEnum):
    REPORTER = "reporter"
    ASSIGNED_AGENCY = "assigned_agency"
    OVERSIGHT = "oversight"
    PLATFORM_ADMIN = "platform_admin"
    PUBLIC = "public"


class Action(StrEnum):
    DISPOSE = "dispose"
    ARCHIVE = "archive"
    RESTORE = "restore"  # take an archived report back into verification
    REROUTE = "reroute"
    CLOSE = "close"  # an admin completes the report
    RESPOND = "respond"
    REQUEST_INFO = "request_info"
    TRANSFER = "transfer"
    NOTE = "note"
    FINAL_RESPONSE = "final_response"
    REPLY = "reply"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    RATE = "rate"
    ATTACH = "attach"
    VIEW_STAFF = "view_staff"


U, A, P, C, R = (
    Status.UNVERIFIED,
    Status.AWAITING_FOLLOWUP,
    Status.IN_PROGRESS,
    Status.COMPLETED,
    Status.ARCHIVED,
)
ADMIN = frozenset({Party.PLATFORM_ADMIN})
AGENCY = frozenset({Party.ASSIGNED_AGENCY})
REPORTER = frozenset({Party.REPORTER})
STAFF = frozenset({Party.ASSIGNED_AGENCY, Party.PLATFORM_ADMIN})
READERS = frozenset({Party.ASSIGNED_AGENCY, Party.OVERSIGHT, Party.PLATFORM_ADMIN})


def _each(statuses, parties) -> dict[Status, frozenset[Party]]:
    return dict.fromkeys(statuses, parties)


# The one table. A status missing from an action's row: the action is not possible then.
RULES: dict[Action, dict[Status, frozenset[Party]]] = {
    Action.DISPOSE: {U: ADMIN},
    Action.ARCHIVE: {U: ADMIN},
    Action.RESTORE: {R: ADMIN},
    Action.REROUTE: _each((A, P), ADMIN),
    Action.CLOSE: {P: ADMIN},
    Action.RESPOND: _each((A, P), AGENCY),
    Action.REQUEST_INFO: _each((A, P), AGENCY),
    Action.TRANSFER: _each((A, P), AGENCY),
    Action.FINAL_RESPONSE: _each((A, P), AGENCY),
    Action.NOTE: {**_each((U, R), ADMIN), **_each((A, P, C), STAFF)},
    Action.REPLY: _each((U, A, P), REPORTER),
    Action.CONFIRM: {P: REPORTER},
    Action.REOPEN: {C: REPORTER},
    Action.RATE: _each((P, C), REPORTER),
    Action.ATTACH: _each((U, A, P), REPORTER | STAFF),
    Action.VIEW_STAFF: _each(Status, READERS),
}


class NotPermitted(DomainError):
    """This party may never do this action (whatever the status)."""

    def __init__(self, action: Action, party: Party):
        super().__init__(f"{party.value} may not {action.value.replace('_', ' ')} this report")
        self.action = action
        self.party = party


class ActionNotAllowedNow(DomainError):
    """The party could do this, but not while the report has this status."""

    def __init__(self, action: Action, status: Status, allowed_statuses, allowed_actions):
        super().__init__(f"cannot {action.value.replace('_', ' ')} a report that is {status.value}")
        self.action = action
        self.status = status
        self.allowed_statuses = sorted(s.value for s in allowed_statuses)
        self.allowed_actions = sorted(a.value for a in allowed_actions)


def allowed_actions(party: Party, status: Status) -> list[Action]:
    """What this party may do now (shown to staff and the reporter in their views)."""
    return [a for a, row in RULES.items() if party in row.get(status, ())]


def check(action: Action, party: Party, status: Status) -> None:
    row = RULES[action]
    if party in row.get(status, ()):
        return
    statuses = [s for s, parties in row.items() if party in parties]
    if not statuses:
        raise NotPermitted(action, party)
    actions = [a for a in allowed_actions(party, status) if a is not Action.VIEW_STAFF]
    raise ActionNotAllowedNow(action, status, statuses, actions)


def ancestors(agency_id: str, parent_of: Callable[[str], str | None]) -> list[str]:
    """The agency's parents, nearest first (cycles and absurd depths cut off)."""
    found: list[str] = []
    current = parent_of(agency_id)
    while current and current != agency_id and current not in found and len(found) < 8:
        found.append(current)
        current = parent_of(current)
    return found


def descendants(agency_id: str, agencies: Iterable) -> list[str]:
    """The agency and every sub-unit below it (``agencies`` have ``id`` and ``parent_id``)."""
    children: dict[str, list[str]] = {}
    for a in agencies:
        if a.parent_id:
            children.setdefault(a.parent_id, []).append(a.id)
    found, todo = [agency_id], [agency_id]
    while todo and len(found) < 10_000:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.append(child)
                todo.append(child)
    return found


def staff_party(
    principal: Principal | None,
    assigned_agency_id: str | None,
    parent_of: Callable[[str], str | None],
) -> Party:
    """Which party a signed-in staff member is for a report assigned to
    ``assigned_agency_id`` (None: not assigned)."""
    if principal is None:
        return Party.PUBLIC
    if principal.has_any(Role.PLATFORM_ADMIN):
        return Party.PLATFORM_ADMIN
    mine = principal.agency_id
    if not (mine and assigned_agency_id):
        return Party.PUBLIC
    if mine == assigned_agency_id:
        if principal.has_any(Role.OFFICER, Role.AGENCY_ADMIN):
            return Party.ASSIGNED_AGENCY
        if principal.has_any(Role.EXECUTIVE):
            return Party.OVERSIGHT
        return Party.PUBLIC
    if mine in ancestors(assigned_agency_id, parent_of) and principal.has_any(
        Role.OFFICER, Role.AGENCY_ADMIN, Role.EXECUTIVE
    ):
        return Party.OVERSIGHT
    return Party.PUBLIC


def sees_identity(party: Party, anonymous: bool) -> bool:
    """Whether the reporter's contact is part of this party's view. An anonymous
    reporter's identity is only ever read by platform admins through the audited route."""
    if party is Party.REPORTER:
        return True
    if anonymous:
        return False
    return party in (Party.ASSIGNED_AGENCY, Party.OVERSIGHT, Party.PLATFORM_ADMIN)
