"""Public API: the feed of reports being handled. No sign-in; nothing in it identifies a
reporter (what an entry shows is decided by ``domain.views.feed_entry``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from chalice import Blueprint

from .. import bootstrap
from ..config import settings
from ..lazy import lazy_module
from ..services.ports import FeedFilters, InvalidCursor
from .endpoint import endpoint, json_response
from .endpoint import schemas as s
from .problems import Problem, invalid_field

# Loaded when a route first uses them: a cold start pays only for what its request needs.
feed = lazy_module("chalicelib.services.feed")
report_out = lazy_module("chalicelib.api.report_out")

bp = Blueprint(__name__)
_ERR = ("ProblemOut", "Problem details (RFC 9457).")
CACHE = "public, max-age=30"


@endpoint(
    bp,
    "/v1/public/reports",
    "GET",
    summary="The public feed: reports being handled, newest first",
    description="Reports an agency is handling or has completed, unless confidential: "
    "title, description, category, agency and the agency's public responses. Never the "
    "reporter's identity or location; the region no finer than the regency/city, and none "
    "for anonymous reports. Filter by status and by one of agency_id, category and region; "
    "cursor-paginated. Served by indexes: a page costs the same however many reports exist.",
    tags=("public",),
    query="FeedQuery",
    responses={200: ("FeedPageOut", "One page."), 400: _ERR, 422: _ERR},
)
def public_feed(call):
    q = call.query
    try:
        filters = feed.checked_filters(
            statuses=q.status.split(",") if q.status else None,
            agency_id=q.agency_id,
            category=q.category,
            region=q.region,
        )
    except feed.InvalidFeedFilter as e:
        raise invalid_field(e.field, str(e), e.kind, "query string") from None
    directory = bootstrap.directory()
    if filters.agency_id and directory.agency(filters.agency_id) is None:
        raise invalid_field(
            "agency_id", "unknown agency; see GET /v1/agencies", "unknown_agency", "query string"
        )
    if filters.category and directory.category(filters.category) is None:
        raise invalid_field(
            "category",
            "unknown category; see GET /v1/categories",
            "unknown_category",
            "query string",
        )
    try:
        result = feed.page(bootstrap.reports(), filters, _read_cursor(q.cursor, filters), q.limit)
    except InvalidCursor:
        raise _invalid_cursor() from None
    out = s.FeedPageOut(
        items=[report_out.feed_entry_out(e) for e in result.items],
        next_cursor=_issue_cursor(result.next_cursor, filters) if result.next_cursor else None,
    )
    return json_response(out, headers={"Cache-Control": CACHE})


# A cursor is the position the next page starts after, with a MAC over it and the filters
# (the token secret, under its own label): one this API did not issue for exactly these
# filters is refused, never interpreted.


def _mac(key: str, filters: FeedFilters) -> bytes:
    message = "\x1f".join(
        (
            "feed-cursor",
            key,
            ",".join(filters.statuses),
            filters.agency_id or "",
            filters.category or "",
            filters.region or "",
        )
    )
    secret = settings().require_token_secret()
    return hmac.new(secret, message.encode(), hashlib.sha256).digest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def _issue_cursor(key: str, filters: FeedFilters) -> str:
    return f"{_b64(key.encode())}.{_b64(_mac(key, filters))}"


def _read_cursor(raw: str | None, filters: FeedFilters) -> str | None:
    if not raw:  # absent, or empty (a script passing on the last page's null): the start
        return None
    head, _, tag = raw.partition(".")
    try:
        key, given = _unb64(head).decode(), _unb64(tag)
    except (binascii.Error, ValueError):
        key, given = "", b""
    if not given or not hmac.compare_digest(given, _mac(key, filters)):
        raise _invalid_cursor()
    return key


def _invalid_cursor() -> Problem:
    return Problem(
        400,
        "invalid-cursor",
        "This cursor was not issued by this API for these filters: start again without it.",
    )


# The web portal's feed pages page on with the same cursors.
issue_cursor = _issue_cursor


def read_cursor(raw: str | None, filters: FeedFilters) -> str | None:
    """The position a cursor names; Problem (400) for one not issued for these filters."""
    return _read_cursor(raw, filters)
