"""Staff identities as the platform understands them (whatever the identity provider)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    AGENCY_ADMIN = "agency_admin"
    EXECUTIVE = "executive"
    PLATFORM_ADMIN = "platform_admin"


@dataclass(frozen=True)
class Principal:
    subject: str
    username: str
    roles: frozenset[Role]
    agency_id: str | None = None

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def administers(self, agency_id: str) -> bool:
        """Platform admins administer every agency; an agency admin their own."""
        return Role.PLATFORM_ADMIN in self.roles or (
            Role.AGENCY_ADMIN in self.roles
            and self.agency_id is not None
            and self.agency_id == agency_id
        )
