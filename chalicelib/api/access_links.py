"""Citizen API: ask for a new access link when the access token is lost."""

from __future__ import annotations

import logging
import uuid

from chalice import Blueprint

from .. import bootstrap
from ..lazy import lazy_module
from .endpoint import endpoint, json_response
from .endpoint import schemas as s

# The services of a route load when it is first called (cold starts pay for what they use).
access_links = lazy_module("chalicelib.services.access_links")

bp = Blueprint(__name__)
log = logging.getLogger(__name__)

ACCEPTED = (
    "Jika kontak ini adalah kontak pelapor, tautan akses baru dikirim ke kontak tersebut "
    "dan token lama tidak berlaku lagi. / If this contact is the reporter's, a new access "
    "link is on its way to it and the old token stops working."
)


@endpoint(
    bp,
    "/v1/reports/{tracking_id}/access-link",
    "POST",
    summary="Ask for a new access link (lost access token)",
    description="Send the e-mail address or phone number given when reporting. If it is "
    "the reporter's, a new access token is sent to that contact only (never in this "
    "response) and the previous token stops working. The answer is the same 202 whether "
    "or not the report or the contact exists. At most 3 links per report and hour. Today "
    "links go by e-mail; a phone number receives nothing until SMS replies arrive.",
    tags=("citizen",),
    body="AccessLinkIn",
    responses={
        202: ("AccessLinkOut", "Accepted (whether or not a link is sent)."),
        400: ("ProblemOut", "Problem details (RFC 9457)."),
        413: ("ProblemOut", "Problem details (RFC 9457)."),
        415: ("ProblemOut", "Problem details (RFC 9457)."),
        422: ("ProblemOut", "The contact is neither an e-mail address nor a phone number."),
    },
)
def request_access_link(call):
    try:
        access_links.request_access_link(
            call.params["tracking_id"],
            call.body.kind,
            call.body.contact,
            request_id=uuid.uuid4().hex,
            reports=bootstrap.reports(),
            limits=bootstrap.get("access_link_limits"),
            messages=bootstrap.get("messages"),
            clock=bootstrap.clock(),
        )
    except Exception:
        # An error must not answer differently from "no such contact" (it would tell
        # that the contact matched): logged, and the same 202.
        log.exception("access link request failed")
    return json_response(
        s.AccessLinkOut(message=ACCEPTED), 202, headers={"Cache-Control": "no-store"}
    )
