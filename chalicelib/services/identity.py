"""Reading an anonymous reporter's identity: platform admins only, each read logged
(who, when, which report, why) in the same step, before the identity is handed out."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.report import Reporter
from .ports import IdentityAccess


@dataclass(frozen=True)
class IdentityRead:
    tracking_id: str
    reporter: Reporter | None


def read(workflow, raw_id: str, *, admin: str, reason: str) -> IdentityRead:
    """The caller is a platform admin (the route requires the role). The log entry is
    committed first: if it cannot be written, nothing is revealed."""
    with workflow.uow() as uow:
        report = workflow.load(uow, raw_id)
        uow.audit.record(IdentityAccess(report.tracking_id, admin, reason, workflow.clock.now()))
        uow.commit()
    return IdentityRead(report.tracking_id, report.reporter)
