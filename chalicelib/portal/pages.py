"""The portal's pages: each turns a browser request into a call of the same services the
JSON API calls (submission, tracking, the workflow, statistics) and renders the answer.

Every page works without JavaScript: plain links and forms, POST-redirect-GET after each
action. Loaded on the first portal request only (Jinja2 and the services with it).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote

from chalice import Response

from .. import bootstrap
from ..config import settings
from ..domain import intake, views
from ..domain.policy import ActionNotAllowedNow, NotPermitted
from ..domain.report import Channel, RatingNotAllowed, ReopenWindowClosed
from ..services import access, submission, tracking
from ..services.ports import ReportNotFound
from ..services.workflow import LostRace
from . import assets, choices, i18n, labels, security, staff_session
from .render import render

log = logging.getLogger(__name__)

MAX_FIELDS = 40
# Every page's path (after the language's prefix); {names} are filled by Page.url.
PATHS = {
    "home": "/",
    "submit": "/lapor",
    "track": "/lacak",
    "offline": "/offline",
    "feed": "/publik",
    "stats": "/statistik",
    "report": "/lacak/{tracking_id}",
    "action": "/lacak/{tracking_id}/{segment}",
    "attachment": "/lacak/{tracking_id}/lampiran/{attachment_id}",
    "uploaded": "/lacak/{tracking_id}/terkirim",
    "public_report": "/publik/{tracking_id}",
    "agency_stats": "/statistik/{agency_id}",
    "region_stats": "/statistik/wilayah/{region_code}",
    "category_stats": "/statistik/kategori/{category_code}",
    # Staff console (signed in)
    "staff": "/staf",
    "sign_in": "/staf/masuk",
    "sign_in_done": "/staf/masuk/selesai",
    "sign_out": "/staf/keluar",
    "staff_inbox": "/staf/kotak-masuk",
    "staff_report": "/staf/laporan/{tracking_id}",
    "staff_action": "/staf/laporan/{tracking_id}/{action}",
    "staff_attachment": "/staf/laporan/{tracking_id}/lampiran/{attachment_id}",
    "staff_identity": "/staf/laporan/{tracking_id}/identitas",
    "staff_verification": "/staf/verifikasi",
    "staff_webhooks": "/staf/webhook",
    "staff_webhook_action": "/staf/webhook/{webhook_id}/{segment}",
    "staff_deliveries": "/staf/pengiriman",
    "staff_dashboard": "/staf/dasbor",
}
# The reporter's actions: path segment -> policy action.
ACTION_PATHS = {
    "balas": "reply",
    "konfirmasi": "confirm",
    "buka-kembali": "reopen",
    "nilai": "rate",
}


# ---------------------------------------------------------------- the request


class BadForm(Exception):
    """The body is not a form we can read (not urlencoded, not UTF-8, too many fields)."""


@dataclass
class Page:
    """One request to the portal in one language."""

    request: object
    lang: str
    _nonce: str | None = None
    _set_cookies: list[str] = field(default_factory=list)
    _form: dict | None = None
    _csp_extra: dict = field(default_factory=dict)
    _staff: object = None
    _staff_checked: bool = False

    # -------------------------------------------------------------- who (staff)

    def staff(self, *roles):
        """The signed-in staff member (a Principal) with one of ``roles`` (any role when
        none is named); raises SignInRequired / NotAllowed, which ``serve`` turns into a
        redirect to sign in / a 403 page."""
        if self.signed_in() is None:
            raise staff_session.SignInRequired()
        if roles and not self._staff.has_any(*roles):
            raise staff_session.NotAllowed()
        return self._staff

    def signed_in(self):
        """The signed-in staff member, or None (for pages that show either)."""
        if not self._staff_checked:  # once a request: a refresh is a call to the IdP
            self._staff, cookies = staff_session.resume(self.request)
            self._set_cookies.extend(cookies)
            self._staff_checked = True
        return self._staff

    # -------------------------------------------------------------- where things are

    @property
    def base(self) -> str:
        """The API's base path before the route (API Gateway's stage or a custom domain's
        base path); empty locally."""
        path = (self.request.context or {}).get("path") or ""
        own = self.request.path
        if own == "/":
            return path.rstrip("/")
        return path.removesuffix(own) if path.endswith(own) else ""

    def url(self, name: str, lang: str | None = None, **params) -> str:
        """A page's path in a language; a path's ``{placeholders}`` take their params and
        the rest become the query string."""
        lang = lang or self.lang
        prefix = self.base + i18n.PREFIX[lang]
        path = PATHS[name]
        for key in re.findall(r"{(\w+)}", path):
            path = path.replace(f"{{{key}}}", quote(str(params.pop(key)), safe=""))
        if path == "/":
            path = "/" if not prefix else ""
        query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items() if v is not None)
        return prefix + path + (f"?{query}" if query else "")

    def switch_url(self, here: dict, lang: str) -> str:
        """This page in the other language (a GET: what a form held is not carried, a
        query the page names in ``here["query"]`` is)."""
        name = here.get("name", "home")
        path = PATHS.get(name, "/")
        params = {k: here[k] for k in re.findall(r"{(\w+)}", path)}
        params.update(here.get("query") or {})
        return self.url(name if name in PATHS else "home", lang, **params)

    def absolute(self, path: str) -> str:
        proto = (self.request.headers.get("x-forwarded-proto") or "").split(",")[0].strip()
        scheme = proto or ("https" if security.is_secure(self.request) else "http")
        return f"{scheme}://{self.request.headers.get('host', '')}{path}"

    def allow(self, directive: str, url: str) -> None:
        """Let this page's CSP reach one more origin (the attachments bucket's)."""
        origin = security.origin_of(url)
        if origin:
            self._csp_extra.setdefault(directive, set()).add(origin)

    def static(self, name: str) -> str:
        return f"{self.base}/static/{assets.hashed_name(name)}"

    # -------------------------------------------------------------- input

    def form(self) -> dict[str, str]:
        if self._form is None:
            self._form = self._parse_form()
        return self._form

    def _parse_form(self) -> dict[str, str]:
        media = (self.request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media != "application/x-www-form-urlencoded":
            raise BadForm("not a form")
        raw = self.request.raw_body or b""
        if isinstance(raw, str):
            raw = raw.encode()
        try:
            text = raw.decode("utf-8")
            pairs = parse_qs(
                text,
                keep_blank_values=True,
                max_num_fields=MAX_FIELDS,
                encoding="utf-8",
                errors="strict",  # %FF is not text: refused, not replaced
            )
        except (UnicodeDecodeError, ValueError) as e:
            raise BadForm(str(e)) from None
        return {k: v[-1] for k, v in pairs.items()}

    def query(self, name: str) -> str | None:
        return (self.request.query_params or {}).get(name)

    # -------------------------------------------------------------- CSRF

    def csrf_token(self) -> str:
        key = security.csrf_key(settings().require_token_secret())
        if self._nonce is None:
            nonce = security.read_cookie(self.request, security.CSRF_COOKIE)
            if not security.valid_nonce(nonce):
                nonce = security.new_nonce()
                # Kept 30 days: a report written offline is sent later with its form's token.
                self._set_cookies.append(
                    security.set_cookie(
                        self.request, security.CSRF_COOKIE, nonce, max_age=30 * 24 * 3600
                    )
                )
            self._nonce = nonce
        return security.csrf_token(key, self._nonce)

    def check_csrf(self, form: dict) -> bool:
        key = security.csrf_key(settings().require_token_secret())
        nonce = security.read_cookie(self.request, security.CSRF_COOKIE)
        return security.same_origin(self.request) and security.csrf_valid(
            key, nonce, form.get("csrf")
        )

    # -------------------------------------------------------------- output

    def gettext(self, text: str) -> str:
        return i18n.gettext_for(self.lang)(text)

    def set_cookie(self, header: str) -> None:
        self._set_cookies.append(header)

    def render(self, template: str, status: int = 200, **context) -> Response:
        here = context.pop("here", None)
        body = render(
            self.lang,
            template,
            page=self,
            base=self.base,
            url=self.url,
            static=self.static,
            csrf=self.csrf_token(),
            labels=labels,
            other_lang="en" if self.lang == "id" else "id",
            here=here or {"name": "home"},
            **context,
        )
        return Response(body=body, status_code=status, headers=self._headers())

    def redirect(self, location: str, status: int = 303) -> Response:
        headers = self._headers()
        headers["Location"] = location
        return Response(body="", status_code=status, headers=headers)

    def _headers(self) -> dict:
        headers = dict(security.PAGE_HEADERS)
        headers["Content-Security-Policy"] = security.csp(self._csp_extra)
        headers["Content-Language"] = self.lang
        if self._set_cookies:
            headers["Set-Cookie"] = list(self._set_cookies)
        return headers


# ---------------------------------------------------------------- home


def home(page: Page) -> Response:
    figures = None
    try:
        stats = bootstrap.statistics()
        figures = stats.national(stats.period(None))
    except Exception:  # the home page never fails for want of figures
        log.exception("national figures not available for the portal's home page")
    return page.render("home.html", figures=figures)


# ---------------------------------------------------------------- submit

FORM_FIELDS = (
    "kind",
    "category",
    "province",
    "regency",
    "title",
    "description",
    "incident_date",
    "lat",
    "lon",
    "name",
    "phone",
    "email",
)
# Where each rule's complaint is shown: the form field it belongs to.
ERROR_FIELD = {
    "reporter": "name",
    "reporter.name": "name",
    "reporter.phone": "phone",
    "reporter.email": "email",
    "location": "lat",
    "location.lat": "lat",
    "location.lon": "lon",
    "region": "regency",
}


def _form_context(page: Page, values: dict, errors: dict, key: str) -> dict:
    directory = bootstrap.directory()
    return dict(
        values=values,
        errors=errors,
        idempotency_key=key,
        kinds=list(labels.KINDS),
        categories=choices.categories(directory, page.lang),
        provinces=choices.provinces(),
        regencies=choices.regencies(directory),
        here={"name": "submit"},
    )


def submit_form(page: Page) -> Response:
    values = {"kind": "complaint"}
    key = secrets.token_urlsafe(18)
    return page.render("submit.html", **_form_context(page, values, {}, key))


def _message(page: Page, problem: dict) -> str:
    """A rule's complaint in the reader's language (the services speak English)."""
    _ = page.gettext
    kind, message = problem.get("type", ""), problem.get("message", "")
    field = problem.get("field", "")
    if kind == "string_too_short" or kind == "missing":
        minimum = {
            "title": intake.TITLE_LENGTH[0],
            "description": intake.DESCRIPTION_LENGTH[0],
            "reporter.name": intake.NAME_LENGTH[0],
        }.get(field)
        if minimum:
            return _("Write at least %(n)s characters.") % {"n": minimum}
        return _("Fill this in.")
    if kind == "string_too_long":
        return _("This is too long.")
    if kind == "missing_reporter":
        return _("Give your name and a phone number or an e-mail address, or report anonymously.")
    if kind == "date_in_future":
        return _("The date cannot be in the future.")
    if kind in ("invalid_region", "region_mismatch"):
        return _("Choose a regency or city in the province you chose.")
    if kind == "unknown_category":
        return _("Choose a category from the list.")
    if field == "reporter.phone":
        return _("This is not a phone number we can reach (for example 0812-3456-7890).")
    if field == "reporter.email":
        return _("This is not an e-mail address (for example nama@contoh.id).")
    if field.startswith("location"):
        return _("Give the latitude and longitude as numbers (for example -6.9175 and 107.6191).")
    if field == "incident_date":
        return _("Give the date as day, month and year.")
    if field == "kind":
        return _("Choose what kind of report this is.")
    return message


def _errors_by_field(page: Page, problems: list[dict]) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in problems:
        name = ERROR_FIELD.get(p["field"], p["field"])
        out.setdefault(name, _message(page, p))
    return out


def _submission_body(values: dict, lang: str) -> tuple[dict, list[dict]]:
    """The API's request body from the form (the same schema validates both doors)."""
    problems = []

    def text(name):
        value = (values.get(name) or "").strip()
        return value or None

    region = None
    province, regency = text("province"), text("regency")
    if regency:
        if province and not regency.startswith(province + "."):
            problems.append(
                {"field": "region", "message": "not in the province", "type": "region_mismatch"}
            )
        region = regency
    elif province:
        region = province
    body = {
        "kind": values.get("kind") or "complaint",
        "title": values.get("title") or "",
        "description": values.get("description") or "",
        "category": text("category"),
        "region": region,
        "incident_date": text("incident_date"),
        "anonymous": values.get("anonymous") == "on",
        "confidential": values.get("confidential") == "on",
        "language": lang,
    }
    lat, lon = text("lat"), text("lon")
    if lat or lon:
        body["location"] = {"lat": _number(lat), "lon": _number(lon)}
    reporter = {k: text(k) for k in ("name", "phone", "email")}
    if any(reporter.values()):
        body["reporter"] = reporter
    return body, problems


def _number(text: str | None):
    """A coordinate as typed (a decimal comma too); left as text when it is not a number,
    so the schema names the field."""
    if text is None:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return text
    return value if value == value and abs(value) != float("inf") else text


def submit(page: Page) -> Response:
    form = page.form()
    values = {k: form.get(k, "") for k in FORM_FIELDS}
    values["anonymous"] = form.get("anonymous") == "on"
    values["confidential"] = form.get("confidential") == "on"
    key = form.get("idempotency_key") or ""
    if not (16 <= len(key) <= 64) or not key.replace("-", "").replace("_", "").isalnum():
        key = secrets.token_urlsafe(18)

    def again(problems: list[dict], status: int = 422, fresh_key: bool = False) -> Response:
        errors = _errors_by_field(page, problems)
        context = _form_context(
            page, values, errors, secrets.token_urlsafe(18) if fresh_key else key
        )
        return page.render("submit.html", status, **context)

    from ..api import reports as api_reports
    from ..api.endpoint import schemas

    body, problems = _submission_body(form, page.lang)
    try:
        # As the API parses its JSON bodies (strict types; dates from ISO strings).
        parsed = schemas.SubmitReportIn.model_validate_json(json.dumps(body))
    except schemas.ValidationError as e:
        problems += [
            {
                "field": ".".join(str(p) for p in err["loc"]) or "form",
                "message": err["msg"].removeprefix("Value error, "),
                "type": err["type"],
            }
            for err in e.errors(include_url=False, include_input=False)
        ]
        parsed = None
    if problems:
        return again(problems)
    command = api_reports.command_from(parsed, Channel.WEB)
    cfg = settings()
    try:
        result = submission.submit_report(
            command,
            reports=bootstrap.reports(),
            publisher=bootstrap.publisher(),
            directory=bootstrap.directory(),
            clock=bootstrap.clock(),
            token_secret=cfg.require_token_secret(),
            idempotency_key="web:" + key,
            calendar=bootstrap.get("calendar"),
            time_zone=cfg.time_zone,
        )
    except submission.InvalidReport as e:
        return again([p.as_dict() for p in e.errors])
    except submission.UnknownCategory:
        return again([{"field": "category", "message": "", "type": "unknown_category"}])
    except submission.IdempotencyConflict:
        # This form was sent before and then changed: a new key files it as a new report.
        return again(
            [
                {
                    "field": "report-form",
                    "message": page.gettext(
                        "This form was already sent once. "
                        "Check it and send it again to file a new report."
                    ),
                    "type": "resent",
                }
            ],
            409,
            fresh_key=True,
        )
    log.info(
        "report submitted through the portal",
        extra={"tracking_id": result.tracking_id, "replayed": result.replayed},
    )
    page.set_cookie(
        security.set_cookie(
            page.request, security.token_cookie(result.tracking_id), result.access_token
        )
    )
    return page.render(
        "saved.html",
        201 if not result.replayed else 200,
        tracking_id=result.tracking_id,
        access_token=result.access_token,
        here={"name": "submit"},
    )


# ---------------------------------------------------------------- track


def track_form(page: Page, tracking_id: str = "", error: str | None = None, status=200):
    raw = tracking_id or page.query("id") or ""
    return page.render(
        "track.html",
        status,
        tracking_id=raw[:40],
        error=error,
        here={"name": "track"},
    )


def track(page: Page) -> Response:
    form = page.form()
    raw_id = (form.get("tracking_id") or "").strip()[:40]
    token = (form.get("access_token") or "").strip()
    if not raw_id or not token:
        return track_form(
            page, raw_id, page.gettext("Enter the tracking id and the access token."), 422
        )
    try:
        if not security.plausible_token(token):
            raise ReportNotFound(raw_id)
        view = tracking.reporter_view(bootstrap.reports(), raw_id, token)
    except ReportNotFound:
        return track_form(page, raw_id, _no_match(page), 404)
    tid = view.report.tracking_id
    page.set_cookie(security.set_cookie(page.request, security.token_cookie(tid), token))
    return page.redirect(page.url("report", tracking_id=tid))


def _no_match(page: Page) -> str:
    return page.gettext(
        "No report matches this tracking id and access token. Check both and try again."
    )


def _token(page: Page, tracking_id: str) -> str | None:
    from ..domain import tracking_id as ids

    return security.read_cookie(page.request, security.token_cookie(ids.normalise(tracking_id)))


def report(page: Page, raw_id: str, error: str | None = None, status: int = 200, form=None):
    token = _token(page, raw_id)
    if not token:
        return track_form(page, raw_id)
    try:
        view = tracking.reporter_view(bootstrap.reports(), raw_id, token)
    except ReportNotFound:
        page.set_cookie(security.clear_cookie(page.request, security.token_cookie(raw_id)))
        return track_form(page, raw_id, _no_match(page), 404)
    shown = views.reporter(view.report, view.timeline)
    done = page.query("done")
    files = bootstrap.attachment_service()
    listing = files.for_reporter(view.report)
    attachments = [
        {"id": a.id, "filename": listing.filename(a), "status": a.status.value, "reason": a.reason}
        for a in listing.items
    ]
    if "attach" in shown["allowed_actions"]:
        page.allow("connect-src", _upload_origin())
    return page.render(
        "report.html",
        status,
        report=shown,
        category=bootstrap.directory().category(shown["category"]) if shown["category"] else None,
        region_name=_region_name(shown["region"]),
        done=labels.DONE.get(done) if done else None,
        error=error,
        form=form or {},
        now=bootstrap.clock().now(),
        attachments=attachments,
        upload_types=UPLOAD_TYPES,
        max_mb=settings().attachment_max_bytes // (1024 * 1024),
        here={"name": "report", "tracking_id": view.report.tracking_id},
    )


def _region_name(code: str | None) -> str | None:
    if not code:
        return None
    from ..domain.regions import PROVINCES

    if len(code) == 2:
        return PROVINCES.get(code)
    for regency in choices.regencies(bootstrap.directory()).get(code[:2], []):
        if regency.code == code[:5]:
            return f"{regency.name}, {PROVINCES.get(code[:2], '')}"
    return PROVINCES.get(code[:2])


def act(page: Page, raw_id: str, segment: str) -> Response:
    action = ACTION_PATHS[segment]
    form = page.form()
    token = _token(page, raw_id)
    if not token:
        return track_form(page, raw_id, page.gettext("Enter your access token again."), 401)
    caller = access.Caller(report_token=token)
    workflow = bootstrap.workflow()
    _ = page.gettext
    try:
        if action == "reply":
            message = (form.get("message") or "").strip()
            if not 1 <= len(message) <= 5000:
                return report(
                    page, raw_id, _("Write a message (at most 5000 characters)."), 422, form
                )
            workflow.reply(raw_id, caller, message=message)
        elif action == "confirm":
            workflow.confirm(raw_id, caller)
        elif action == "reopen":
            reason = (form.get("reason") or "").strip()
            if not 3 <= len(reason) <= 2000:
                return report(
                    page, raw_id, _("Say why you reopen it (3 to 2000 characters)."), 422, form
                )
            workflow.reopen(raw_id, caller, reason=reason)
        elif action == "rate":
            score = form.get("score") or ""
            comment = (form.get("comment") or "").strip() or None
            if score not in ("1", "2", "3", "4", "5") or (comment and len(comment) > 1000):
                return report(page, raw_id, _("Choose a score from 1 to 5."), 422, form)
            workflow.rate(raw_id, caller, score=int(score), comment=comment)
    except ReportNotFound:
        page.set_cookie(security.clear_cookie(page.request, security.token_cookie(raw_id)))
        return track_form(page, raw_id, _no_match(page), 404)
    except (ActionNotAllowedNow, NotPermitted, RatingNotAllowed, ReopenWindowClosed):
        return report(
            page, raw_id, _("This is not possible any more: the report has changed."), 409
        )
    except LostRace:
        return report(
            page, raw_id, _("Somebody changed the report at the same moment. Try again."), 409, form
        )
    from ..domain import tracking_id as ids

    tid = ids.normalise(raw_id)
    return page.redirect(page.url("report", tracking_id=tid, done=action) + "#status")


def forget(page: Page, raw_id: str) -> Response:
    page.form()
    page.set_cookie(security.clear_cookie(page.request, security.token_cookie(raw_id)))
    return page.redirect(page.url("track"))


# ---------------------------------------------------------------- attachments

UPLOAD_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}


def _upload_origin() -> str:
    """Where browsers post files: the attachments bucket's origin (a presigned form is
    signed locally, nothing is stored)."""
    form = bootstrap.get("store").presign_upload("incoming/origin", "image/jpeg", 1, 60)
    return form.url


def attach(page: Page, raw_id: str) -> Response:
    """Open an upload slot for the reporter. With JavaScript (Accept: application/json)
    the page's script posts the file straight to the bucket with a progress bar; without,
    the next page is a plain form that posts the file to the bucket, which sends the
    browser back to ``/lacak/<id>/terkirim``."""
    from ..domain import tracking_id as ids
    from ..services import attachments as files

    form = page.form()
    wants_json = "application/json" in (page.request.headers.get("accept") or "")
    token = _token(page, raw_id)
    _ = page.gettext
    tid = ids.normalise(raw_id)

    def refused(message: str, status: int):
        if wants_json:
            return _json({"error": message}, status, page)
        return report(page, raw_id, message, status)

    if not token:
        if wants_json:
            return _json({"error": _("Enter your access token again.")}, 401, page)
        return track_form(page, raw_id, _("Enter your access token again."), 401)
    content_type = (form.get("content_type") or "").strip().lower()
    if content_type not in UPLOAD_TYPES:
        return refused(_("Choose a JPEG, PNG or WebP photo or a PDF document."), 422)
    max_bytes = settings().attachment_max_bytes
    try:
        size = int(form.get("size") or max_bytes)
    except ValueError:
        size = 0
    filename = (form.get("filename") or "").strip() or "lampiran" + UPLOAD_TYPES[content_type]
    redirect = None if wants_json else page.absolute(page.url("uploaded", tracking_id=tid))
    try:
        slot = bootstrap.attachment_service().request_upload(
            raw_id,
            access.Caller(report_token=token),
            filename=filename[:200],
            content_type=content_type,
            size=size,
            redirect=redirect,
        )
    except ReportNotFound:
        return refused(_no_match(page), 404)
    except files.InvalidUpload as e:
        if e.field == "size":
            return refused(_("The file is larger than %(n)s MB.") % {"n": max_bytes >> 20}, 422)
        return refused(_("Choose a JPEG, PNG or WebP photo or a PDF document."), 422)
    except files.TooManyAttachments:
        return refused(_("This report has as many files as it can hold."), 409)
    except (files.ReportClosed, files.NotAllowed):
        return refused(_("This is not possible any more: the report has changed."), 409)
    if wants_json:
        return _json(
            {"url": slot.url, "fields": slot.fields, "max_bytes": slot.max_bytes}, 201, page
        )
    page.allow("form-action", slot.url)
    return page.render(
        "upload.html",
        tracking_id=tid,
        upload={"url": slot.url, "fields": slot.fields},
        content_type=content_type,
        max_mb=max_bytes >> 20,
        here={"name": "report", "tracking_id": tid},
    )


def _json(body: dict, status: int, page: Page) -> Response:
    headers = page._headers()
    headers["Content-Type"] = "application/json"
    return Response(body=json.dumps(body), status_code=status, headers=headers)


def uploaded(page: Page, raw_id: str) -> Response:
    """Where the bucket sends a browser after a plain-form upload. Needs no cookie: coming
    from another site, a SameSite=Strict cookie is not sent on this first page."""
    from ..domain import tracking_id as ids

    tid = ids.normalise(raw_id)
    return page.render(
        "uploaded.html", tracking_id=tid, here={"name": "report", "tracking_id": tid}
    )


def download(page: Page, raw_id: str, attachment_id: str) -> Response:
    from ..services import attachments as files

    token = _token(page, raw_id)
    if not token:
        return track_form(page, raw_id)
    try:
        url = bootstrap.attachment_service().download_url(
            raw_id, attachment_id, access.Caller(report_token=token)
        )
    except (ReportNotFound, files.AttachmentNotFound, files.NotAllowed):
        return error_page(page, 404)
    return page.redirect(url, status=302)


# ---------------------------------------------------------------- the public feed

FEED_PAGE = 20


def public_feed(page: Page) -> Response:
    """Reports agencies are handling, newest first (the same feed and privacy rules as
    GET /v1/public/reports): filter by status and by topic; "older reports" pages on."""
    from ..api import public as api_public
    from ..services import feed

    directory = bootstrap.directory()
    status = page.query("status") or None
    category = page.query("category") or None
    if status not in (None, *(s.value for s in views.FEED_STATUSES)):
        status = None
    if category is not None and directory.category(category) is None:
        category = None
    filters = feed.checked_filters(statuses=[status] if status else None, category=category)
    try:
        cursor = api_public.read_cursor(page.query("after"), filters)
    except Exception:  # not a cursor we issued for these filters: from the start
        cursor = None
    result = feed.page(bootstrap.reports(), filters, cursor, FEED_PAGE)
    after = api_public.issue_cursor(result.next_cursor, filters) if result.next_cursor else None
    names = {c.code: c for c in directory.categories()}
    return page.render(
        "feed.html",
        entries=result.items,
        chosen_status=status,
        category=category,
        statuses=[s.value for s in views.FEED_STATUSES],
        categories=choices.categories(directory, page.lang),
        category_names={
            code: (c.name_en or c.name) if page.lang == "en" else c.name
            for code, c in names.items()
        },
        next_url=page.url("feed", status=status, category=category, after=after) if after else None,
        here={"name": "feed"},
    )


def public_report(page: Page, raw_id: str) -> Response:
    """What anyone with the tracking id may see (``views.public``): the status, the agency,
    and unless the report is confidential its text and the public dialogue."""
    reports = bootstrap.reports()
    try:
        report = tracking.public_view(reports, raw_id)
    except ReportNotFound:
        return error_page(page, 404)
    timeline = None if report.confidential else reports.timeline(report.tracking_id)
    shown = views.public(report, timeline)
    category = bootstrap.directory().category(shown["category"]) if shown["category"] else None
    return page.render(
        "public_report.html",
        report=shown,
        category=category,
        region_name=_region_name(shown["region"]),
        here={"name": "public_report", "tracking_id": report.tracking_id},
    )


# ---------------------------------------------------------------- statistics, open data


def _period(page: Page, stats):
    """The period asked for with ``?period=`` (the picker's plain GET form)."""
    from . import period_picker

    return period_picker.choose(stats, page.query("period"), page.gettext)


def _stats_page(page: Page, template: str, chosen, here: dict, **context) -> Response:
    """A statistics page for the chosen period: 400 (with the default period's figures and
    the picker saying why) when the period asked for is not one that is published."""
    here = {**here, "query": {"period": chosen.query}} if chosen.query else here
    action = page.url(here["name"], **{k: v for k, v in here.items() if k not in ("name", "query")})
    return page.render(
        template,
        400 if chosen.error else 200,
        chosen=chosen,
        period_action=action,
        period_query=chosen.query,
        here=here,
        **context,
    )


def statistics(page: Page) -> Response:
    """The nation's figures for a period (the last 30 days unless another is chosen), the
    ranking of agencies (computed hourly) and the open data, from the same read models as
    GET /v1/stats/..."""
    from ..services.statistics import NotComputed

    stats = bootstrap.statistics()
    chosen = _period(page, stats)
    figures = stats.national(chosen.period)
    try:
        ranking = stats.ranking(chosen.period)
    except NotComputed:
        ranking = None
    return _stats_page(
        page,
        "stats.html",
        chosen,
        {"name": "stats"},
        figures=figures,
        ranking=ranking,
        provinces=choices.provinces(),
        category_names=_category_names(page),
    )


def _category_names(page: Page) -> dict[str, str]:
    return {
        c.code: (c.name_en or c.name) if page.lang == "en" else c.name
        for c in bootstrap.directory().categories()
    }


def scope_statistics(page: Page, kind: str, code: str) -> Response:
    """A province or regency/city (``region``), or a topic (``category``)."""
    from ..services.statistics import UnknownScope

    stats = bootstrap.statistics()
    chosen = _period(page, stats)
    try:
        if kind == "region":
            figures = stats.region(code, chosen.period)
        else:
            figures = stats.category(code, chosen.period)
    except UnknownScope:
        return error_page(page, 404)
    names = _category_names(page)
    regencies = {
        r.code: r.name for group in choices.regencies(bootstrap.directory()).values() for r in group
    }
    scope_id = figures["scope"]["id"]
    if kind == "category":
        title = names.get(scope_id, figures["scope"]["name"])
    else:
        title = figures["scope"]["name"] or regencies.get(scope_id, scope_id)
    key = "region_code" if kind == "region" else "category_code"
    return _stats_page(
        page,
        "scope_stats.html",
        chosen,
        {"name": f"{kind}_stats", key: scope_id},
        figures=figures,
        title=title,
        category_names=names,
        regency_names=regencies,
    )


def agency_statistics(page: Page, agency_id: str) -> Response:
    from ..services.statistics import UnknownScope

    stats = bootstrap.statistics()
    chosen = _period(page, stats)
    try:
        figures = stats.agency(agency_id, chosen.period)
    except UnknownScope:
        return error_page(page, 404)
    return _stats_page(
        page,
        "agency_stats.html",
        chosen,
        {"name": "agency_stats", "agency_id": agency_id},
        figures=figures,
        category_names=_category_names(page),
    )


# ---------------------------------------------------------------- installable, offline

WORKER = Path(__file__).parent / "worker" / "sw.js"


def offline(page: Page) -> Response:
    """What the service worker shows offline (it keeps a copy of each at install)."""
    return page.render("offline.html", kept=page.query("kept") == "1")


def service_worker(page: Page) -> Response:
    """The service worker at the portal's root (its scope: every page), filled in with the
    base path and the hashed assets."""
    base = page.base
    offline_pages = {lang: page.url("offline", lang) for lang in i18n.LANGUAGES}
    static = [page.static("portal.css"), page.static("portal.js")]
    version = (
        assets.hashed_name("portal.js").split(".")[1]
        + assets.hashed_name("portal.css").split(".")[1]
    )
    body = (
        WORKER.read_text()
        .replace('"__BASE__"', json.dumps(base))
        .replace('"__VERSION__"', json.dumps(version))
        .replace("__OFFLINE__", json.dumps(offline_pages))
        .replace("__ASSETS__", json.dumps(static))
    )
    headers = {
        "Content-Type": "text/javascript; charset=utf-8",
        "Cache-Control": "no-cache",
        "Content-Security-Policy": security.CSP,
        "X-Content-Type-Options": "nosniff",
    }
    return Response(body=body, status_code=200, headers=headers)


def manifest(page: Page) -> Response:
    base = page.base
    body = {
        "name": "Satu Pintu",
        "short_name": "Satu Pintu",
        "description": page.gettext("One door for every report"),
        "lang": "id",
        "start_url": base + "/",
        "scope": base + "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#8b0000",
        "icons": [
            {"src": page.static("icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    headers = {
        "Content-Type": "application/manifest+json",
        "Cache-Control": "public, max-age=3600",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(body=json.dumps(body), status_code=200, headers=headers)


# ---------------------------------------------------------------- errors


def sign_in_redirect(page: Page) -> Response:
    """To the sign-in page, coming back here afterwards (a GET; after a POST, the console)."""
    request = page.request
    here = i18n.PREFIX[page.lang] + "/staf"
    if request.method == "GET":
        path = ((request.context or {}).get("path") or request.path).removeprefix(page.base)
        query = "&".join(f"{k}={quote(str(v))}" for k, v in (request.query_params or {}).items())
        here = path + (f"?{query}" if query else "")
    return page.redirect(page.url("sign_in", next=here))


def error_page(page: Page, status: int, message: str | None = None) -> Response:
    text = page.gettext(message or labels.ERRORS[status])
    return page.render("error.html", status, message=text)
