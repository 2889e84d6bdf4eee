"""The one table from service and domain exceptions to problem details. Routes let these
exceptions through; ``endpoint`` answers them from here."""

from __future__ import annotations

from ..domain.errors import ConcurrentUpdate, InvalidTransition
from ..domain.policy import ActionNotAllowedNow, NotPermitted
from ..domain.report import InvalidDuplicate, RatingNotAllowed, ReopenWindowClosed
from ..services.ports import ReportNotFound
from ..services.statistics import NotComputed, NotYourAgency, TreeTooLarge, UnknownScope
from ..services.workflow import LostRace, UnknownAgency
from .problems import Problem, invalid_field


def _not_found(e) -> Problem:
    return Problem(404, "report-not-found", "No report with this tracking id.")


def _not_permitted(e: NotPermitted) -> Problem:
    return Problem(403, "forbidden", str(e).capitalize() + ".", action=e.action.value)


def _not_now(e: ActionNotAllowedNow) -> Problem:
    return Problem(
        409,
        "action-not-allowed",
        str(e).capitalize() + ".",
        title="Not allowed in this status",
        action=e.action.value,
        current_status=e.status.value,
        allowed_statuses=e.allowed_statuses,
        allowed_actions=e.allowed_actions,
    )


def _lost_race(e: ConcurrentUpdate) -> Problem:
    extra = {}
    if isinstance(e, LostRace) and e.current_version is not None:
        extra["current_version"] = e.current_version
    return Problem(
        409,
        "concurrent-update",
        "Somebody changed the report at the same moment. Reload it and try again.",
        **extra,
    )


def _invalid_transition(e: InvalidTransition) -> Problem:
    return Problem(
        409,
        "invalid-transition",
        str(e).capitalize() + ".",
        current_status=str(e.current),
    )


TABLE = (
    (ReportNotFound, _not_found),
    (NotPermitted, _not_permitted),
    (ActionNotAllowedNow, _not_now),
    (ConcurrentUpdate, _lost_race),  # LostRace too: a lost race is always 409
    (InvalidTransition, _invalid_transition),
    (RatingNotAllowed, lambda e: Problem(409, "rating-not-allowed", str(e).capitalize() + ".")),
    (ReopenWindowClosed, lambda e: Problem(409, "reopen-window-closed", str(e).capitalize() + ".")),
    (InvalidDuplicate, lambda e: invalid_field("duplicate_of", str(e), "invalid_duplicate")),
    (
        UnknownAgency,
        lambda e: invalid_field("agency_id", "unknown or inactive agency", "unknown_agency"),
    ),
    (UnknownScope, lambda e: Problem(404, f"{e.kind}-not-found", f"No such {e.kind}.")),
    (
        NotComputed,
        lambda e: Problem(
            404,
            "ranking-not-available",
            "No ranking was computed for this period: it is computed hourly for the last 30 "
            "days, the running month and the previous month, and kept from then on.",
        ),
    ),
    (NotYourAgency, lambda e: Problem(403, "forbidden", str(e).capitalize() + ".")),
    (TreeTooLarge, lambda e: invalid_field("agency", str(e), "too_broad", "query string")),
)


def problem_for(error: Exception) -> Problem | None:
    for kind, build in TABLE:
        if isinstance(error, kind):
            return build(error)
    return None
