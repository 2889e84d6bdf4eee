"""Attachments API: ask for an upload form, list a report's files, fetch one (302)."""

from __future__ import annotations

import logging

from chalice import Blueprint, Response

from .. import bootstrap, logs
from ..domain.errors import ConcurrentUpdate
from ..lazy import lazy_module
from ..services.ports import ReportNotFound
from .endpoint import HeaderParam, endpoint, json_response
from .endpoint import schemas as s
from .problems import Problem, invalid_field

bp = Blueprint(__name__)
log = logging.getLogger(__name__)
# The service (and the file-type sniffer it uses) loads on the first attachment request.
service = lazy_module("chalicelib.services.attachments")

_ERR = ("ProblemOut", "Problem details (RFC 9457).")
_TOKEN = HeaderParam("X-Report-Token", "The reporter's access token (or send a bearer token).")
_STAFF = ("officer", "agency_admin", "platform_admin")
_PRIVATE = {"Cache-Control": "private, no-store", "Vary": "Authorization, X-Report-Token"}


def _caller(call):
    return service.Caller(call.header("X-Report-Token"), call.principal)


def _not_found() -> Problem:
    return Problem(404, "report-not-found", "No report with this tracking id.")


def _not_allowed(e) -> Problem:
    if e.authenticated:
        return Problem(403, "forbidden", str(e))
    return Problem(
        401,
        "authentication-required",
        str(e),
        headers={"WWW-Authenticate": 'Bearer realm="satupintu"'},
    )


def attachment_out(listing, a) -> s.AttachmentOut:
    size, digest = listing.served(a)
    accepted = a.status == "accepted"
    href = f"/v1/reports/{a.tracking_id}/attachments/{a.id}"
    return s.AttachmentOut(
        id=a.id,
        filename=listing.filename(a),
        content_type=a.content_type,
        status=a.status.value,
        size=size if accepted else None,
        sha256=digest if accepted else None,
        uploaded_at=a.uploaded_at if accepted else None,
        created_at=a.created_at,
        reason=a.reason.value if a.reason else None,
        reason_detail=a.reason_detail,
        metadata_removed=list(a.stripped) if accepted and a.shared_key else None,
        links={"download": s.Link(href=href)} if accepted else {},
    )


@endpoint(
    bp,
    "/v1/reports/{tracking_id}/attachments",
    "POST",
    summary="Ask for an upload form for one file",
    description="For the reporter (X-Report-Token), officers of the assigned agency and "
    "platform admins (bearer token). Returns a presigned POST valid for at most 5 minutes: "
    "send every returned field as multipart/form-data, then the file as `file`. The file "
    "is checked after upload (size, content by its magic bytes) and appears as accepted, "
    "or rejected with a reason, within seconds.",
    tags=("attachments",),
    body="AttachmentSlotIn",
    headers=(_TOKEN,),
    roles=_STAFF,
    auth_optional=True,
    responses={
        201: ("UploadSlotOut", "A pending slot and its upload form."),
        400: _ERR,
        401: _ERR,
        403: _ERR,
        404: _ERR,
        409: _ERR,
        415: _ERR,
        422: _ERR,
    },
)
def request_upload(call):
    raw_id = call.params["tracking_id"]
    body = call.body
    attachments = bootstrap.attachment_service()
    try:
        slot = attachments.request_upload(
            raw_id,
            _caller(call),
            filename=body.filename,
            content_type=body.content_type,
            size=body.size,
        )
    except ReportNotFound:
        raise _not_found() from None
    except service.NotAllowed as e:
        raise _not_allowed(e) from None
    except service.InvalidUpload as e:
        raise invalid_field(e.field, str(e), "invalid_attachment") from None
    except service.TooManyAttachments as e:
        raise Problem(
            409,
            "attachment-limit-reached",
            f"A report can have at most {e.args[0]} attachments (accepted or waiting for "
            "their upload); rejected and expired ones do not count.",
        ) from None
    except service.ReportClosed:
        raise Problem(
            409, "report-closed", "Attachments cannot be added to an archived or completed report."
        ) from None
    except ConcurrentUpdate:
        raise Problem(
            409,
            "concurrent-update",
            "The report changed meanwhile; try again.",
            headers={"Retry-After": "1"},
        ) from None
    a = slot.attachment
    logs.bind(tracking_id=a.tracking_id)
    log.info("upload form issued", extra={"attachment_id": a.id, "content_type": a.content_type})
    # The uploader sees the name they gave.
    listing = service.Listing(slot.report, service.Audience.REPORTER, [a])
    out = s.UploadSlotOut(
        attachment=attachment_out(listing, a),
        upload=s.UploadFormOut(
            url=slot.url,
            method="POST",
            fields=slot.fields,
            expires_at=a.upload_expires_at,
            max_bytes=slot.max_bytes,
        ),
    )
    location = f"/v1/reports/{a.tracking_id}/attachments/{a.id}"
    return json_response(out, 201, {"Location": location, "Cache-Control": "no-store"})


@endpoint(
    bp,
    "/v1/reports/{tracking_id}/attachments",
    "GET",
    summary="List a report's attachments",
    description="Accepted files, for the reporter, the assigned agency and platform admins; "
    "for anyone when the report is neither confidential nor anonymous. The reporter and "
    "platform admins also see pending, rejected (with the reason) and expired uploads.",
    tags=("attachments",),
    headers=(_TOKEN,),
    roles=(),
    auth_optional=True,
    responses={200: ("AttachmentList", "The attachments."), 401: _ERR, 403: _ERR, 404: _ERR},
)
def list_attachments(call):
    try:
        listing = bootstrap.attachment_service().listing(call.params["tracking_id"], _caller(call))
    except ReportNotFound:
        raise _not_found() from None
    except service.NotAllowed as e:
        raise _not_allowed(e) from None
    out = s.AttachmentList(items=[attachment_out(listing, a) for a in listing.items])
    return json_response(out, 200, _PRIVATE)


@endpoint(
    bp,
    "/v1/reports/{tracking_id}/attachments/{attachment_id}",
    "GET",
    summary="Download an attachment (redirect to a link valid for 5 minutes)",
    description="Same audiences as the list. Everyone but the reporter gets a copy without "
    "embedded metadata (Exif GPS position, XMP, IPTC, comments).",
    tags=("attachments",),
    headers=(_TOKEN,),
    roles=(),
    auth_optional=True,
    responses={
        302: (None, "Location: a presigned link to the file, valid for at most 5 minutes."),
        401: _ERR,
        403: _ERR,
        404: _ERR,
    },
)
def download_attachment(call):
    try:
        url = bootstrap.attachment_service().download_url(
            call.params["tracking_id"], call.params["attachment_id"], _caller(call)
        )
    except ReportNotFound:
        raise _not_found() from None
    except service.AttachmentNotFound:
        raise Problem(
            404, "attachment-not-found", "No accepted attachment with this id on the report."
        ) from None
    except service.NotAllowed as e:
        raise _not_allowed(e) from None
    return Response(body="", status_code=302, headers={"Location": url, **_PRIVATE})
