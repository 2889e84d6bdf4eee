"""What staff can do to a report from the console: one entry per policy action, each with
its path segment, the API's request model that checks the form, and the same service call
as the matching API route (chalicelib/api/staff.py, chalicelib/api/admin.py).

Errors come back as ``Refused``: the HTTP status the API would answer, a message id for
the reader, and the form field it belongs to (None: the form as a whole).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from .. import bootstrap
from ..api.endpoint import schemas
from ..domain import tracking_id as tracking_ids
from ..domain.errors import ConcurrentUpdate, InvalidTransition
from ..domain.policy import ActionNotAllowedNow, NotPermitted
from ..domain.report import ArchiveReason, InvalidDuplicate
from ..services import verification
from ..services.access import Caller
from ..services.ports import ReportNotFound
from ..services.workflow import Done, UnknownAgency
from .i18n import N_

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffAction:
    segment: str  # the path segment: /staf/laporan/<id>/<segment>
    action: str  # the policy's action (policy.Action values)
    model: str  # the API's request model that checks the form
    run: Callable[[str, Caller, object], Done]
    done: str  # the notice after the redirect


def _respond(tid, caller, body):
    return bootstrap.workflow().respond(tid, caller, message=body.message)


def _request_info(tid, caller, body):
    return bootstrap.workflow().request_info(tid, caller, message=body.message)


def _transfer(tid, caller, body):
    return bootstrap.workflow().transfer(
        tid, caller, reason=body.reason, suggested_agency=body.suggested_agency
    )


def _note(tid, caller, body):
    return bootstrap.workflow().note(tid, caller, text=body.text)


def _final_response(tid, caller, body):
    return bootstrap.workflow().final_response(tid, caller, message=body.message)


def _dispose(tid, caller, body):
    return verification.dispose(
        bootstrap.workflow(), tid, caller, agency_id=body.agency_id, note=body.note
    )


def _archive(tid, caller, body):
    return bootstrap.workflow().archive(
        tid,
        caller,
        reason=ArchiveReason(body.reason),
        message=body.message,
        duplicate_of=body.duplicate_of,
    )


def _restore(tid, caller, body):
    return bootstrap.workflow().restore(tid, caller, note=body.note)


def _reroute(tid, caller, body):
    return bootstrap.workflow().reroute(tid, caller, agency_id=body.agency_id, reason=body.reason)


def _close(tid, caller, body):
    return bootstrap.workflow().close(tid, caller, note=body.note)


ACTIONS = (
    StaffAction(
        "tanggapi", "respond", "MessageIn", _respond, N_("Your response was sent to the reporter.")
    ),
    StaffAction(
        "minta-informasi",
        "request_info",
        "MessageIn",
        _request_info,
        N_("Your question was sent to the reporter. The deadline waits for the answer."),
    ),
    StaffAction(
        "alihkan",
        "transfer",
        "TransferIn",
        _transfer,
        N_("The report went back to the administrators. Your agency no longer has it."),
    ),
    StaffAction("catatan", "note", "InternalNoteIn", _note, N_("Your internal note was added.")),
    StaffAction(
        "tanggapan-akhir",
        "final_response",
        "MessageIn",
        _final_response,
        N_("Your final response was sent. The report completes in 10 working days."),
    ),
    StaffAction(
        "disposisi", "dispose", "DisposeIn", _dispose, N_("The report was sent to the agency.")
    ),
    StaffAction(
        "arsipkan",
        "archive",
        "ArchiveIn",
        _archive,
        N_("The report was archived. The reporter is told."),
    ),
    StaffAction(
        "pulihkan",
        "restore",
        "NoteIn",
        _restore,
        N_("The report is waiting for verification again."),
    ),
    StaffAction(
        "pindahkan",
        "reroute",
        "RerouteIn",
        _reroute,
        N_("The report was moved to the other agency."),
    ),
    StaffAction("tutup", "close", "NoteIn", _close, N_("The report is completed.")),
)
BY_SEGMENT = {a.segment: a for a in ACTIONS}
# Told after the redirect when the action was done but telling others must be retried.
NOT_TOLD_YET = N_(
    "Done, but the others concerned could not be told yet. They are told automatically "
    "in a few minutes."
)


def notice_for(done: str | None) -> str | None:
    """The notice for ``?done=``: an action's segment, or ``pending`` (done, not told)."""
    if done == "pending":
        return NOT_TOLD_YET
    action = BY_SEGMENT.get(done or "")
    return action.done if action else None


class Refused(Exception):
    def __init__(self, status: int, message: str, field: str | None = None, **params):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.params = params


def parse(action: StaffAction, form: dict[str, str]):
    """The form as the API's request model; an empty optional field is left out."""
    model = getattr(schemas, action.model)
    body = {}
    for name, info in model.model_fields.items():
        value = (form.get(name) or "").strip()
        if value or info.is_required():
            body[name] = value
    try:
        return model.model_validate(body)
    except schemas.ValidationError as e:
        first = e.errors(include_url=False, include_input=False)[0]
        field = str(first["loc"][0]) if first["loc"] else None
        raise _invalid(field, first) from None


def _invalid(field: str | None, error: dict) -> Refused:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in ("missing", "string_too_short"):
        n = ctx.get("min_length", 1)
        if n > 1:
            return Refused(422, N_("Write at least %(n)s characters."), field, n=n)
        return Refused(422, N_("Fill this in."), field)
    if kind == "string_too_long":
        return Refused(422, N_("Write at most %(n)s characters."), field, n=ctx.get("max_length"))
    if field in ("agency_id", "suggested_agency"):
        return Refused(422, N_("Choose an agency from the list."), field)
    if field == "duplicate_of":
        return Refused(422, N_("Give the tracking id of the report it duplicates."), field)
    if kind == "literal_error":
        return Refused(422, N_("Choose one from the list."), field)
    return Refused(422, N_("Check what you wrote here."), field)


def perform(action: StaffAction, raw_id: str, principal, form: dict[str, str]) -> str:
    """Check the form, run the action as the API does, explain any refusal; the notice
    to show after the redirect (a message id)."""
    body = parse(action, form)
    caller = Caller(principal=principal)
    try:
        done = action.run(raw_id, caller, body)
    except verification.AnnouncePending:  # disposed; the scheduler tells the agency
        return NOT_TOLD_YET
    except ReportNotFound:
        duplicate_of = getattr(body, "duplicate_of", None)
        if duplicate_of and tracking_ids.normalise(duplicate_of) != tracking_ids.normalise(raw_id):
            raise Refused(422, N_("No report has this tracking id."), "duplicate_of") from None
        raise Refused(404, N_("There is no such report.")) from None
    except NotPermitted:
        raise Refused(403, N_("Your role does not allow this on this report.")) from None
    except (ActionNotAllowedNow, InvalidTransition):
        raise Refused(409, N_("This is not possible any more: the report has changed.")) from None
    except ConcurrentUpdate:  # LostRace too
        raise Refused(
            409, N_("Somebody changed the report at the same moment. Try again.")
        ) from None
    except UnknownAgency:
        field = "suggested_agency" if action.action == "transfer" else "agency_id"
        raise Refused(422, N_("Choose an active agency from the list."), field) from None
    except InvalidDuplicate:
        raise Refused(
            422,
            N_("Name the report it duplicates with the reason duplicate, and only then."),
            "duplicate_of",
        ) from None
    return action.done if done.published else NOT_TOLD_YET
