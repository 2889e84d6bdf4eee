"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) under /open311/v2, so that
existing Open311 apps work unchanged: the format in the path (``services.json``,
``requests/K7M3QX9P2A.xml``), form-encoded POSTs with an ``api_key``, the specification's
field names and its error document (``[{"code": 403, "description": ...}]`` or
``<errors><error>...``) for every error, in the format asked for.

Routes are thin: parse and check the arguments, call chalicelib.services.open311, render.
Not in /openapi.json: the endpoint helper takes JSON bodies and answers problem+json, and
GeoReport documents itself (this module and the README's Open311 section).
"""

from __future__ import annotations

import logging
import math
import re
from urllib.parse import parse_qs, urlsplit

from chalice import Blueprint, Response

from .. import bootstrap, logs
from ..config import settings
from ..lazy import lazy_module
from ..services.ports import ReportNotFound
from . import cors, edge
from .path_params import param

# Loaded on the first Open311 request (the XML writer is not a cold start's business).
fmt = lazy_module("chalicelib.api.open311_format")
service = lazy_module("chalicelib.services.open311")
submission = lazy_module("chalicelib.services.submission")
schemas = lazy_module("chalicelib.api.schemas")

bp = Blueprint(__name__)
log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
CHANGESET = "2026-11-29T00:00:00Z"  # when the discovery document or the services changed
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{8,255}$")
_MAX_FIELDS = 100  # form fields, attribute[...] included
_MAX_QUERY_VALUE = 2000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps \t \n \r
_COORDINATE_DECIMALS = 7

# Lengths of the scalar form fields (description: the specification's 4,000 characters).
_FIELDS = {
    "api_key": 200,
    "jurisdiction_id": 100,
    "service_code": 64,
    "lat": 32,
    "long": 32,
    "address_string": 500,
    "address_id": 100,
    "email": 254,
    "device_id": 100,
    "account_id": 100,
    "first_name": 50,
    "last_name": 50,
    "phone": 32,
    "description": 4000,
    "media_url": 2048,
}


class Refused(Exception):
    """Answer with this status and description (the specification's error document)."""

    def __init__(self, status: int, description: str, headers: dict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


# ---------------------------------------------------------------- routing


def _route(path: str, methods: tuple[str, ...], methods_of=None):
    """Register ``path`` for every method: the declared ones (``methods_of(stem)`` when
    they depend on the document) call the view with the document name's stem and format,
    OPTIONS answers Allow, others 405 in Open311's error format (the path names the
    format, so errors come in it too)."""

    def decorate(fn):
        def view(open311_file: str):
            request = bp.current_request
            stem, form = fmt.split_format(open311_file)
            if form is None or not param("open311_file").matches(open311_file):
                return fmt.errors(fmt.XML, 404, "Unknown format: use .json or .xml.")
            declared = methods_of(stem) if methods_of else methods
            allow = edge.allow_header(set(declared))
            if request.method == "OPTIONS":
                headers = {"Allow": allow, **cors.preflight_headers(request.headers, declared)}
                return Response(body="", status_code=204, headers=headers)
            if request.method not in declared:
                return fmt.errors(
                    form,
                    405,
                    f"This resource answers {allow}, not {request.method}.",
                    headers={"Allow": allow},
                )
            try:
                return fn(request, stem, form)
            except Refused as e:
                return fmt.errors(form, e.status, e.description, headers=e.headers)
            except Exception as e:
                refused = _refusal(e)
                if refused is None:
                    raise
                return fmt.errors(
                    form, refused.status, refused.description, headers=refused.headers
                )

        view.__name__ = f"open311_{fn.__name__}"
        # chalicelib.api.openapi leaves it out (the endpoint helper takes JSON bodies and
        # answers problem+json): GeoReport v2 documents these routes.
        view.outside_openapi = "Open311 GeoReport v2: https://wiki.open311.org/GeoReport_v2"
        bp.route(path, methods=list(edge.METHODS), content_types=["*/*"])(view)
        return view

    return decorate


def _refusal(e: Exception) -> Refused | None:
    if isinstance(e, service.UnknownService):
        return Refused(404, str(e))
    if isinstance(e, submission.UnknownCategory):
        return Refused(404, f"service_code {e.code!r} was not found; see services.json")
    if isinstance(e, service.InvalidRequest):
        return Refused(400, f"{e.field}: {e}")
    if isinstance(e, service.InvalidApiKey):
        return Refused(403, "Missing or invalid api_key: can't proceed with create_request.")
    if isinstance(e, service.RateLimited):
        return Refused(429, str(e).capitalize() + ".", {"Retry-After": str(e.retry_after)})
    if isinstance(e, submission.IdempotencyConflict):
        return Refused(400, f"Idempotency-Key: {e}")
    if isinstance(e, submission.InvalidReport):
        return Refused(400, "; ".join(_describe(p) for p in e.errors) or str(e))
    if isinstance(e, ReportNotFound):
        return Refused(404, "service_request_id was not found.")
    return None


# The submission service's field names as an Open311 client knows them.
_OUR_FIELDS = {
    "title": "description",
    "reporter": "first_name",
    "reporter.name": "first_name",
    "reporter.phone": "phone",
    "reporter.email": "email",
    "category": "service_code",
    "location": "lat",
}


def _describe(problem) -> str:
    """An intake rule's problem (``domain.intake.FieldProblem``) in Open311's words."""
    return f"{_OUR_FIELDS.get(problem.field, problem.field)}: {problem.message}"


def _query(request) -> dict[str, list[str]]:
    params = request.query_params or {}
    getlist = getattr(params, "getlist", None)
    out = {}
    for name in params:
        values = getlist(name) if getlist else [params[name]]
        if any(len(v) > _MAX_QUERY_VALUE for v in values):
            raise Refused(400, f"{name}: too long")
        out[name] = values
    return out


def _one(args: dict[str, list[str]], name: str) -> str | None:
    values = [v for v in args.get(name, []) if v.strip()]
    if len(set(values)) > 1:
        raise Refused(400, f"{name}: given more than once")
    return values[0].strip() if values else None


def _listed(args: dict[str, list[str]], name: str) -> list[str]:
    """``a,b`` and ``name=a&name=b`` alike."""
    return [v.strip() for raw in args.get(name, []) for v in raw.split(",") if v.strip()]


def _check_jurisdiction(args: dict[str, list[str]]) -> None:
    given = _one(args, "jurisdiction_id")
    if given is not None and given.lower() != settings().open311_jurisdiction_id.lower():
        raise Refused(404, f"jurisdiction_id {given[:100]!r} was not found.")


def _client_ip(request) -> str:
    identity = (request.context or {}).get("identity") or {}
    return identity.get("sourceIp") or "unknown"


# ---------------------------------------------------------------- discovery and services


@_route("/open311/{open311_file}", ("GET",))
def discovery(request, stem, form):
    if stem != "discovery":
        raise Refused(404, "Not found: see discovery.json or discovery.xml.")
    from .system import base_url

    base = (base_url(request) or settings().portal_url).rstrip("/")
    document = {
        "changeset": CHANGESET,
        "contact": "Satu Pintu platform operators (the platform's public complaint service).",
        "key_service": "Ask the platform operators for an api_key for your application.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": f"{base}/open311/v2",
                "changeset": CHANGESET,
                "type": "production" if settings().stage == "prod" else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return fmt.render(form, "discovery", document, headers={"Cache-Control": "public, max-age=300"})


def _services(request, form):
    _check_jurisdiction(_query(request))
    items = [vars(s) for s in service.services(bootstrap.directory())]
    return fmt.render(form, "services", items, headers={"Cache-Control": "public, max-age=300"})


@_route("/open311/v2/services/{open311_file}", ("GET",))
def service_definition(request, code, form):
    _check_jurisdiction(_query(request))
    found = service.service(bootstrap.directory(), code)
    # No service has attributes (metadata is false): the definition is the code alone.
    document = {"service_code": found.service_code, "attributes": []}
    return fmt.render(
        form, "service_definition", document, headers={"Cache-Control": "public, max-age=300"}
    )


@_route(
    "/open311/v2/{open311_file}",
    ("GET", "POST"),
    lambda stem: ("GET", "POST") if stem == "requests" else ("GET",),
)
def collection(request, stem, form):
    if stem == "services":
        return _services(request, form)
    if stem != "requests":
        raise Refused(404, f"No resource {stem!r}: see services and requests.")
    if request.method == "POST":
        return _post_request(request, form)
    return _get_requests(request, form)


# ---------------------------------------------------------------- service requests


def _get_requests(request, form):
    args = _query(request)
    _check_jurisdiction(args)
    reports, directory = bootstrap.reports(), bootstrap.directory()
    now = bootstrap.clock().now()
    # A list reads up to 1000 reports (or 100 by id): limited per client IP.
    limits, ip = bootstrap.get("rate_limits"), _client_ip(request)
    service.check_limit(limits, "ip", ip, service.LIMITS.search_per_ip, now)
    ids = _listed(args, "service_request_id")
    if ids:  # "overrides all other arguments"
        found = service.find(reports, directory, ids)
    else:
        from ..domain import open311

        try:
            start = _one(args, "start_date")
            end = _one(args, "end_date")
            query = service.Search(
                service_codes=tuple(dict.fromkeys(_listed(args, "service_code"))),
                statuses=frozenset(s.lower() for s in _listed(args, "status")),
                start=open311.parse_w3c("start_date", start) if start else None,
                end=open311.parse_w3c("end_date", end) if end else None,
            )
        except open311.InvalidSearch as e:
            raise Refused(400, f"{e.field}: {e}") from None
        found = service.search(reports, directory, query, now)
    return fmt.render(
        form, "service_requests", found, headers={"Cache-Control": "public, max-age=30"}
    )


@_route("/open311/v2/requests/{open311_file}", ("GET",))
def get_request(request, raw_id, form):
    _check_jurisdiction(_query(request))
    ids = [raw_id]
    try:
        found = service.find(bootstrap.reports(), bootstrap.directory(), ids)
    except service.InvalidRequest:
        found = []
    if not found:
        raise Refused(404, f"service_request_id {raw_id[:40]!r} was not found.")
    return fmt.render(
        form, "service_requests", found, headers={"Cache-Control": "public, max-age=15"}
    )


@_route("/open311/v2/tokens/{open311_file}", ("GET",))
def token(request, raw_token, form):
    """Requests are created at once (type realtime), so POST returns the
    service_request_id and never a token; a client that asks anyway with the id gets it
    back, anything else is 404."""
    _check_jurisdiction(_query(request))
    try:
        found = service.find(bootstrap.reports(), bootstrap.directory(), [raw_token])
    except service.InvalidRequest:
        found = []
    if not found:
        raise Refused(404, f"token {raw_token[:40]!r} was not found.")
    item = {"service_request_id": found[0]["service_request_id"], "token": raw_token}
    return fmt.render(form, "service_requests", [item], headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------- filing one


def _form(request) -> dict[str, list[str]]:
    """The form's fields, and the query string's: some clients send every argument in the
    URL of their POST (a field in both must have one value)."""
    raw = request.raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode()
    if len(raw) > settings().max_body_bytes:
        raise Refused(413, f"The body must not exceed {settings().max_body_bytes} bytes.")
    args = _query(request)
    if not raw:
        return args
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media_type != FORM:
        raise Refused(400, f"Send the request as {FORM}.")
    try:
        form = parse_qs(
            raw.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=_MAX_FIELDS,
        )
    except UnicodeDecodeError:
        raise Refused(400, "The body is not valid UTF-8.") from None
    except ValueError as e:
        raise Refused(400, f"The body is not a valid form: {e}.") from None
    for name, values in form.items():
        args.setdefault(name, []).extend(values)
    return args


def _field(args: dict[str, list[str]], name: str) -> str | None:
    value = _one(args, name)
    if value is None:
        return None
    if len(value) > _FIELDS[name]:
        raise Refused(400, f"{name}: at most {_FIELDS[name]} characters")
    bad = _CONTROL_IN_TEXT if name == "description" else _CONTROL
    if bad.search(value):
        raise Refused(400, f"{name}: control characters are not allowed")
    return value


def _coordinate(args, name: str, bound: float) -> float | None:
    raw = _field(args, name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Refused(400, f"{name}: not a number") from None
    if not math.isfinite(value) or not -bound <= value <= bound:
        raise Refused(400, f"{name}: must be between -{bound:g} and {bound:g} (WGS84)")
    return round(value, _COORDINATE_DECIMALS)


def _media_url(args) -> str | None:
    url = _field(args, "media_url")
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise Refused(400, "media_url: an http or https URL")
    return url


def _reporter(args) -> tuple[str | None, str | None, str | None]:
    """Name, E.164 phone and e-mail, checked like the HTTP API's reporter."""
    name = " ".join(filter(None, (_field(args, "first_name"), _field(args, "last_name")))) or None
    phone, email = _field(args, "phone"), _field(args, "email")
    if not (name or phone or email):
        return None, None, None
    try:
        checked = schemas.ReporterIn.model_validate({"name": name, "phone": phone, "email": email})
    except schemas.ValidationError as e:
        first = e.errors(include_url=False, include_input=False)[0]
        where = {"name": "first_name"}.get(str(first["loc"][0]), str(first["loc"][0]))
        raise Refused(400, f"{where}: {first['msg'].removeprefix('Value error, ')}") from None
    return checked.name, checked.phone, checked.email


def _new_request(args) -> object:
    code = _field(args, "service_code")
    if code is None:
        raise Refused(400, "service_code was not provided.")
    description = _field(args, "description")
    if description is None:
        raise Refused(400, "description was not provided: say what the problem is.")
    lat, long = _coordinate(args, "lat", 90), _coordinate(args, "long", 180)
    if (lat is None) != (long is None):
        raise Refused(400, "lat and long must both be sent.")
    name, phone, email = _reporter(args)
    return service.NewRequest(
        service_code=code,
        description=description,
        lat=lat,
        long=long,
        address_string=_field(args, "address_string"),
        address_id=_field(args, "address_id"),
        name=name,
        phone=phone,
        email=email,
        account_id=_field(args, "account_id"),
        media_url=_media_url(args),
    )


def _post_request(request, form):
    rate_limits, now = bootstrap.get("rate_limits"), bootstrap.clock().now()
    # Every POST counts against its IP before anything else: key guessing too.
    service.check_limit(rate_limits, "ip", _client_ip(request), service.LIMITS.post_per_ip, now)
    args = _form(request)
    _check_jurisdiction(args)
    api_key = _one(args, "api_key")
    client = service.authenticate(bootstrap.get("api_clients"), api_key)
    service.check_limit(rate_limits, "key", client.key_hash, service.LIMITS.post_per_key, now)
    key = request.headers.get("idempotency-key")
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise Refused(400, "Idempotency-Key: 8-255 visible ASCII characters")
    new = _new_request(args)
    _field(args, "device_id")  # checked, not kept: a device is not a way to reach anyone
    cfg = settings()
    result = service.submit(
        new,
        client,
        idempotency_key=key,
        reports=bootstrap.reports(),
        publisher=bootstrap.publisher(),
        directory=bootstrap.directory(),
        clock=bootstrap.clock(),
        token_secret=cfg.require_token_secret(),
        calendar=bootstrap.get("calendar"),
        time_zone=cfg.time_zone,
    )
    logs.bind(tracking_id=result.tracking_id)
    log.info("open311 request filed", extra={"client": client.name, "replayed": result.replayed})
    item = {
        "service_request_id": result.tracking_id,
        "service_notice": service.service_notice(bootstrap.directory(), new.service_code),
        "account_id": new.account_id,
    }
    headers = {"Cache-Control": "no-store"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return fmt.render(form, "service_requests", [item], 200, headers)
