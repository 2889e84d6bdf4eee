"""Who is asking: the credentials that came with a request, turned into the policy's
party for one report. The one place that answers "may this caller see / act on it"."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import policy
from ..domain.identity import Principal
from ..domain.policy import Party
from ..domain.report import Actor, Report
from . import access_tokens
from .ports import Directory, ReportNotFound


@dataclass(frozen=True)
class Caller:
    """Whatever credentials came with a request: the reporter's token, a staff principal."""

    report_token: str | None = None
    principal: Principal | None = None
    # A message from a verified channel webhook: (channel, sender address).
    channel_sender: tuple[str, str] | None = None

    @property
    def authenticated(self) -> bool:
        return (
            self.report_token is not None
            or self.principal is not None
            or self.channel_sender is not None
        )


def party(report: Report, caller: Caller, directory: Directory) -> Party:
    """The caller's party for this report. A token that does not match raises
    ReportNotFound, exactly like an unknown id (a wrong token confirms nothing)."""
    if caller.channel_sender is not None:
        if report.sent_by(*caller.channel_sender):
            return Party.REPORTER
        raise ReportNotFound(report.tracking_id)
    if caller.report_token is not None:
        if access_tokens.matches(caller.report_token, report.access_token_hash):
            return Party.REPORTER
        if caller.principal is None:
            raise ReportNotFound(report.tracking_id)
    return policy.staff_party(
        caller.principal,
        report.agency.id if report.agency else None,
        lambda agency_id: getattr(directory.agency(agency_id), "parent_id", None),
    )


def actor(who: Party, caller: Caller) -> Actor:
    """How the caller appears on the timeline."""
    if who is Party.REPORTER:
        return Actor.reporter()
    p = caller.principal
    if who is Party.PLATFORM_ADMIN:
        return Actor("platform_admin", p.username if p else None)
    roles = sorted(r.value for r in p.roles) if p else []
    kind = "agency_admin" if "agency_admin" in roles else "officer"
    return Actor(kind, p.username if p else None)
