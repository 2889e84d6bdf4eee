"""Open311 GeoReport v2 use cases: the service list, filing a service request through the
one submission service, finding and searching requests (from the public feed's indexes,
never a Scan), client applications' api_keys and their rate limits.

The HTTP shape (paths, formats, the error format) lives in chalicelib/api/open311.py.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..domain import open311, views
from ..domain import tracking_id as tracking_ids
from ..domain.calendar import ServiceLevels
from ..domain.deadlines import sort_key
from ..domain.intake import title_from_text
from ..domain.report import Channel, Location, Reporter, ReportKind
from . import submission
from .ports import ApiClient, ApiClients, Directory, FeedFilters, RateLimits

KEY_PREFIX = "o311_"
# Identical POSTs from one application within this fixed window are one request (a retry).
RETRY_WINDOW = timedelta(minutes=10)
MAX_IDS = 100  # service_request_id=a,b,c: one BatchGetItem
MAX_SERVICE_CODES = 10
_FEED_PAGE = 100


class UnknownService(Exception):
    def __init__(self, code: str):
        super().__init__(f"service_code {code[:64]!r} was not found; see services.json")
        self.code = code


class InvalidApiKey(Exception):
    """Missing, unknown or revoked api_key."""


class RateLimited(Exception):
    def __init__(self, what: str, retry_after: int):
        super().__init__(f"too many requests from this {what}; retry in {retry_after} s")
        self.what = what
        self.retry_after = retry_after


class InvalidRequest(ValueError):
    """An argument the service cannot accept; ``field`` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Limit:
    calls: int
    window: timedelta

    def retry_after(self, now: datetime) -> int:
        seconds = int(self.window.total_seconds())
        return seconds - int(now.timestamp()) % seconds


@dataclass(frozen=True)
class Limits:
    """Per client application (api_key) and per client IP; fixed windows."""

    post_per_key: Limit = Limit(300, timedelta(minutes=1))
    post_per_ip: Limit = Limit(20, timedelta(minutes=1))
    search_per_ip: Limit = Limit(60, timedelta(minutes=1))


LIMITS = Limits()


def check_limit(rate_limits: RateLimits, what: str, key: str, limit: Limit, now: datetime):
    if not rate_limits.allow(f"open311#{what}#{key}", now, limit.calls, limit.window):
        raise RateLimited(what, limit.retry_after(now))


# ---------------------------------------------------------------- services


def services(directory: Directory) -> list[open311.Service]:
    return [open311.service_of(c) for c in directory.categories()]


def service(directory: Directory, code: str) -> open311.Service:
    category = directory.category(code)
    if category is None:
        raise UnknownService(code)
    return open311.service_of(category)


def service_notice(directory: Directory, code: str | None) -> str:
    category = directory.category(code) if code else None
    levels = ServiceLevels.for_report(getattr(category, "service_levels", None))
    return open311.notice(levels)


# ---------------------------------------------------------------- api keys


def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def issue_key(clients: ApiClients, name: str, now: datetime) -> str:
    """A new api_key for the client application ``name``: returned once, stored hashed."""
    if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError("a client name is 1-64 letters, digits, - and _")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    clients.add(ApiClient(name=name, key_hash=key_hash(key), created_at=now))
    return key


def revoke_keys(clients: ApiClients, name: str, now: datetime) -> int:
    """Revoke every active key of ``name``; how many."""
    count = 0
    for client in clients.named(name):
        if client.active:
            clients.save(
                ApiClient(client.name, client.key_hash, client.created_at, False, revoked_at=now)
            )
            count += 1
    return count


def authenticate(clients: ApiClients, api_key: str | None) -> ApiClient:
    if not api_key or len(api_key) > 200:
        raise InvalidApiKey()
    client = clients.by_key_hash(key_hash(api_key))
    if client is None or not client.active:
        raise InvalidApiKey()
    return client


# ---------------------------------------------------------------- filing a request


@dataclass(frozen=True)
class NewRequest:
    """A POST requests.{format} as checked by the API layer (lengths, numbers, URL)."""

    service_code: str
    description: str
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    name: str | None = None  # first_name and last_name
    phone: str | None = None  # E.164
    email: str | None = None
    account_id: str | None = None
    media_url: str | None = None
    attributes: dict = field(default_factory=dict)


def command_for(request: NewRequest, client: str) -> submission.SubmitReport:
    """The submission a service request stands for. The reporter is the contact given
    (name, phone, e-mail); without a phone or e-mail to reach them the report is filed
    anonymously (a name or account_id given stays with it, hidden like any anonymous
    reporter's identity; ``account_id`` is kept as ``<client>:<account_id>``, an account
    of that application, not of another). The intake rules (``domain/intake.py``) apply in the
    submission service, as for every door."""
    if request.lat is None and not request.address_string and not request.address_id:
        raise InvalidRequest(
            "lat", "a location is required: lat and long, address_string or address_id"
        )
    text = request.description.strip()
    extra = []
    if request.address_string:
        extra.append(f"Lokasi: {request.address_string.strip()}")
    if request.address_id:
        extra.append(f"address_id: {request.address_id.strip()}")
    if request.media_url:
        extra.append(f"Media: {request.media_url}")
    description = text + ("\n\n" + "\n".join(extra) if extra else "")
    if len(description) > 4000:
        raise InvalidRequest(
            "description", "description with the address and media_url exceeds 4000 characters"
        )
    anonymous = not (request.phone or request.email)
    reporter = None
    account = f"{client}:{request.account_id}" if request.account_id else None
    if request.name or request.phone or request.email or account:
        reporter = Reporter(request.name, request.phone, request.email, account)
    location = None
    if request.lat is not None and request.long is not None:
        location = Location(request.lat, request.long)
    return submission.SubmitReport(
        kind=ReportKind.COMPLAINT,
        title=title_from_text(text),
        description=description,
        anonymous=anonymous,
        confidential=False,
        reporter=reporter,
        category=request.service_code,
        location=location,
        channel=Channel.OPEN311,
    )


def submit(
    request: NewRequest,
    client: ApiClient,
    *,
    idempotency_key: str | None,
    directory: Directory,
    **ports,
) -> submission.Submitted:
    """File the request through the one submission service. A retried POST with the same
    Idempotency-Key (per client application) and the same arguments gets the same report.
    Open311 apps know no such header: without one, the same arguments from the same
    application within the same ``RETRY_WINDOW`` are taken for a retry too."""
    if directory.category(request.service_code) is None:
        raise UnknownService(request.service_code)
    command = command_for(request, client.name)
    if idempotency_key:
        key = f"open311:{client.name}:{idempotency_key}"
    else:
        window = int(RETRY_WINDOW.total_seconds())
        slot = int(ports["clock"].now().timestamp()) // window
        key = f"open311:{client.name}:same-request:{slot}:{command.fingerprint()}"
    return submission.submit_report(command, directory=directory, idempotency_key=key, **ports)


# ---------------------------------------------------------------- reading requests


def _names(directory: Directory) -> dict[str, str]:
    return {c.code: c.name for c in directory.categories()}


def _notices(directory: Directory) -> dict[str | None, str]:
    notices = {None: open311.notice(ServiceLevels())}
    for c in directory.categories():
        notices[c.code] = open311.notice(ServiceLevels.for_report(c.service_levels))
    return notices


def _render(reports_found, directory: Directory) -> list[dict]:
    names, notices = _names(directory), _notices(directory)
    out = []
    for report in reports_found:
        item = open311.service_request(report, names.get(report.category))
        item["service_notice"] = notices.get(report.category, notices[None])
        out.append(item)
    return out


def normalised_ids(raw: list[str]) -> list[str]:
    ids = []
    for value in raw:
        tid = tracking_ids.normalise(value[:40])
        if not tracking_ids.is_valid(tid):
            raise InvalidRequest(
                "service_request_id", f"{value[:40]!r} is not a service_request_id"
            )
        if tid not in ids:
            ids.append(tid)
    if len(ids) > MAX_IDS:
        raise InvalidRequest("service_request_id", f"at most {MAX_IDS} service_request_id")
    return ids


def find(reports, directory: Directory, ids: list[str]) -> list[dict]:
    """The public view of each existing report among ``ids`` (one batch read)."""
    return _render(reports.get_many(normalised_ids(ids)), directory) if ids else []


@dataclass(frozen=True)
class Search:
    service_codes: tuple[str, ...] = ()
    statuses: frozenset[str] = frozenset()  # open / closed; empty: both
    start: datetime | None = None
    end: datetime | None = None


def search(reports, directory: Directory, query: Search, now: datetime) -> list[dict]:
    """Requests filed in the range, newest first, at most 1000: the public feed's entries
    (past verification, never confidential), read from its indexes, then the reports
    themselves in batches (for their deadlines)."""
    try:
        start, end = open311.date_range(query.start, query.end, now)
        wanted = open311.statuses_for(set(query.statuses))
    except open311.InvalidSearch as e:
        raise InvalidRequest(e.field, str(e)) from None
    if len(query.service_codes) > MAX_SERVICE_CODES:
        raise InvalidRequest("service_code", f"at most {MAX_SERVICE_CODES} service codes")
    for code in query.service_codes:
        if directory.category(code) is None:
            raise UnknownService(code)
    statuses = tuple(s.value for s in views.FEED_STATUSES if s in wanted)
    found: list = []
    for code in query.service_codes or (None,):
        found += _entries(reports, FeedFilters(statuses, category=code), start, end)
    found.sort(key=lambda e: (e.created_at, e.tracking_id), reverse=True)
    ids = [e.tracking_id for e in found[: open311.MAX_RESULTS]]
    listed = []
    for at in range(0, len(ids), MAX_IDS):
        listed += [r for r in reports.get_many(ids[at : at + MAX_IDS]) if views.listed_in_feed(r)]
    return _render(listed, directory)


def _entries(feed, filters: FeedFilters, start: datetime, end: datetime) -> list:
    """Feed entries filed from ``start`` to ``end``, newest first, at most 1000."""
    if not filters.statuses:
        return []
    # The index sorts by "<created_at>#<tracking id>": "~" sorts after every id, so the
    # first page starts with what was filed at ``end`` itself.
    cursor = sort_key(end) + "#~"
    out = []
    while len(out) < open311.MAX_RESULTS:
        items, cursor = feed.feed(filters, limit=_FEED_PAGE, after=cursor)
        for entry in items:
            if entry.created_at < start:
                return out
            out.append(entry)
        if cursor is None:
            break
    return out[: open311.MAX_RESULTS]
