"""The web portal's routes: HTML pages for citizens, in Bahasa Indonesia (``/``) and English
(``/en``), and the portal's static assets (``/static/<name>.<hash>.<ext>``).

Thin like the API's routes: each hands the request to ``chalicelib.portal.pages``, which is
loaded (with Jinja2) on the first portal request only, so the JSON API's cold start does
not grow. Not part of /openapi.json (pages, not API); every POST is checked for CSRF here,
before any page code runs.
"""

from __future__ import annotations

import logging
import re

from chalice import Blueprint, Response

from ..lazy import lazy_module
from .endpoint import DECLARED
from .path_params import PATH_PARAMS, TRACKING_ID

pages = lazy_module("chalicelib.portal.pages")
assets = lazy_module("chalicelib.portal.assets")

bp = Blueprint(__name__)
log = logging.getLogger(__name__)

PREFIXES = {"id": "", "en": "/en"}
TRACKING_ID_RE = re.compile(TRACKING_ID)
ATTACHMENT_ID_RE = re.compile(PATH_PARAMS["attachment_id"].pattern)
_AGENCY_ID = re.compile(PATH_PARAMS["agency_id"].pattern)
_REGION_CODE = re.compile(PATH_PARAMS["region_code"].pattern)
_CATEGORY_CODE = re.compile(PATH_PARAMS["category_code"].pattern)
ACTIONS = ("balas", "konfirmasi", "buka-kembali", "nilai")


def serve(lang: str, handler, *args):
    """Run one page: POSTs must carry a readable form with a valid CSRF token."""
    request = bp.current_request
    page = pages.Page(request, lang)
    try:
        if request.method == "POST":
            try:
                form = page.form()
            except pages.BadForm:
                return pages.error_page(page, 400)
            if not page.check_csrf(form):
                log.warning("portal form refused: CSRF token missing or wrong")
                return pages.error_page(page, 403)
        return handler(page, *args)
    except pages.staff_session.SignInRequired:
        return pages.sign_in_redirect(page)
    except pages.staff_session.NotAllowed:
        return pages.error_page(page, 403, pages.labels.NOT_YOUR_ROLE)
    except pages.staff_session.ProviderUnavailable as e:
        log.warning("staff identity provider unavailable: %s", e)
        return pages.error_page(page, 503, pages.labels.SIGN_IN_UNAVAILABLE)
    except Exception:
        log.exception("portal page failed")
        return pages.error_page(pages.Page(request, lang), 500)


def route(path: str, methods: list[str], name: str):
    def register(view):
        view.__name__ = view.__qualname__ = name
        view.portal = True  # a page, not an API operation: not in /openapi.json
        bp.route(path, methods=methods, content_types=["*/*"])(view)
        DECLARED.setdefault(path, set()).update(methods)
        return view

    return register


def _known_id(raw: str) -> bool:
    return TRACKING_ID_RE.match(raw) is not None


def _register(lang: str, prefix: str) -> None:
    if prefix:  # the Indonesian home page is "/" (chalicelib.api.system.index)

        @route(prefix, ["GET"], f"home_{lang}")
        def home():
            return serve(lang, pages.home)

    @route(f"{prefix}/publik", ["GET"], f"feed_{lang}")
    def public_feed():
        return serve(lang, pages.public_feed)

    @route(f"{prefix}/publik/{{tracking_id}}", ["GET"], f"public_report_{lang}")
    def public_report(tracking_id):
        if not _known_id(tracking_id):
            return serve(lang, pages.error_page, 404)
        return serve(lang, pages.public_report, tracking_id)

    @route(f"{prefix}/statistik", ["GET"], f"stats_{lang}")
    def statistics():
        return serve(lang, pages.statistics)

    @route(f"{prefix}/statistik/{{agency_id}}", ["GET"], f"agency_stats_{lang}")
    def agency_statistics(agency_id):
        if not _AGENCY_ID.match(agency_id):
            return serve(lang, pages.error_page, 404)
        return serve(lang, pages.agency_statistics, agency_id)

    @route(f"{prefix}/statistik/wilayah/{{region_code}}", ["GET"], f"region_stats_{lang}")
    def region_statistics(region_code):
        if not _REGION_CODE.match(region_code):
            return serve(lang, pages.error_page, 404)
        return serve(lang, pages.scope_statistics, "region", region_code)

    @route(f"{prefix}/statistik/kategori/{{category_code}}", ["GET"], f"category_stats_{lang}")
    def category_statistics(category_code):
        if not _CATEGORY_CODE.match(category_code):
            return serve(lang, pages.error_page, 404)
        return serve(lang, pages.scope_statistics, "category", category_code)

    @route(f"{prefix}/offline", ["GET"], f"offline_{lang}")
    def offline():
        return serve(lang, pages.offline)

    @route(f"{prefix}/lapor", ["GET", "POST"], f"submit_{lang}")
    def submit():
        if bp.current_request.method == "POST":
            return serve(lang, pages.submit)
        return serve(lang, pages.submit_form)

    @route(f"{prefix}/lacak", ["GET", "POST"], f"track_{lang}")
    def track():
        if bp.current_request.method == "POST":
            return serve(lang, pages.track)
        return serve(lang, pages.track_form)

    @route(f"{prefix}/lacak/{{tracking_id}}", ["GET"], f"report_{lang}")
    def report(tracking_id):
        if not _known_id(tracking_id):
            return serve(lang, pages.error_page, 404)
        return serve(lang, pages.report, tracking_id)

    @route(f"{prefix}/lacak/{{tracking_id}}/lupakan", ["POST"], f"forget_{lang}")
    def forget(tracking_id):
        if not _known_id(tracking_id):
            return serve(lang, pages.error_page, 404)
        return serve(lang, pages.forget, tracking_id)

    @route(f"{prefix}/lacak/{{tracking_id}}/lampiran", ["POST"], f"attach_{lang}")
    def attach(tracking_id):
        if not _known_id(tracking_id):
            return serve(lang, pages.error_page, 404)
        return serve(lang, pages.attach, tracking_id)

    @route(f"{prefix}/lacak/{{tracking_id}}/lampiran/{{attachment_id}}", ["GET"], f"file_{lang}")
    def download(tracking_id, attachment_id):
        if not _known_id(tracking_id) or not ATTACHMENT_ID_RE.match(attachment_id):
            return serve(lang, pages.error_page, 404)
        return serve(lang, pages.download, tracking_id, attachment_id)

    @route(f"{prefix}/lacak/{{tracking_id}}/terkirim", ["GET"], f"uploaded_{lang}")
    def uploaded(tracking_id):
        if not _known_id(tracking_id):
            return serve(lang, pages.error_page, 404)
        return serve(lang, pages.uploaded, tracking_id)

    for segment in ACTIONS:

        def action(tracking_id, segment=segment):
            if not _known_id(tracking_id):
                return serve(lang, pages.error_page, 404)
            return serve(lang, pages.act, tracking_id, segment)

        route(
            f"{prefix}/lacak/{{tracking_id}}/{segment}",
            ["POST"],
            f"{segment.replace('-', '_')}_{lang}",
        )(action)


for _lang, _prefix in PREFIXES.items():
    _register(_lang, _prefix)


def home_id(request):
    """The Indonesian home page, for ``GET /`` from a browser (chalicelib.api.system)."""
    return serve("id", pages.home)


@route("/sw.js", ["GET"], "service_worker")
def service_worker():
    return serve("id", pages.service_worker)


@route("/manifest.webmanifest", ["GET"], "web_manifest")
def web_manifest():
    return serve("id", pages.manifest)


@route("/static/{asset}", ["GET"], "static_asset")
def static_asset(asset):
    found = assets.by_hashed_name(asset)
    if found is None:
        return Response(
            body="Not found",
            status_code=404,
            headers={"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"},
        )
    return Response(
        body=found.body,
        status_code=200,
        headers={
            "Content-Type": found.content_type,
            "Cache-Control": assets.IMMUTABLE,
            "X-Content-Type-Options": "nosniff",
        },
    )


def prefers_html(request) -> bool:
    """A browser asking for a page: Accept names text/html, and JSON not above it."""
    accept = (request.headers.get("accept") or "").lower()
    weights = {}
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[media.strip()] = q
    html = weights.get("text/html", 0.0)
    return html > 0 and html >= weights.get("application/json", 0.0)
