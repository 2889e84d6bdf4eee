"""The staff console's frame: signing in and out, the console's home and its menu.

The console's pages (inbox, report, verification, webhooks, deliveries, dashboard) render
through ``render_staff`` so that every one shows the menu the signed-in role may use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from chalice import Response

from ..api.admin import AGENCY_ADMINS
from ..api.staff import AGENCY_STAFF, STAFF
from ..config import settings
from ..domain.identity import Principal, Role
from . import i18n, labels, staff_session
from .i18n import N_
from .pages import PATHS, Page, error_page

log = logging.getLogger(__name__)

# The roles of each part of the console: those of the API's matching routes.
OFFICERS = AGENCY_STAFF
READERS = STAFF  # a report page: executives read it, never act
EXECUTIVES = (Role.EXECUTIVE, Role.PLATFORM_ADMIN)  # GET /v1/dashboard


@dataclass(frozen=True)
class MenuItem:
    name: str
    label: str
    roles: tuple[Role, ...]
    description: str


MENU = (
    MenuItem(
        "staff_inbox",
        N_("Inbox"),
        OFFICERS,
        N_("The reports your agency must answer, nearest deadline first."),
    ),
    MenuItem(
        "staff_verification",
        N_("Verification"),
        (Role.PLATFORM_ADMIN,),
        N_("New reports to check and send to the body responsible."),
    ),
    MenuItem(
        "staff_dashboard",
        N_("Dashboard"),
        EXECUTIVES,
        N_("Workload, deadlines kept and emerging issues at a glance."),
    ),
    MenuItem(
        "staff_webhooks",
        N_("Webhooks"),
        AGENCY_ADMINS,
        N_("Where your agency's systems receive its reports."),
    ),
    MenuItem(
        "staff_deliveries",
        N_("Delivery log"),
        AGENCY_ADMINS,
        N_("Every attempt to deliver a report to your agency's systems."),
    ),
)


def menu_for(who: Principal) -> list[MenuItem]:
    return [item for item in MENU if who.has_any(*item.roles)]


def render_staff(page: Page, template: str, status: int = 200, **context) -> Response:
    who = page.staff()
    # Signing out redirects the form's POST to the hosted UI's /logout: CSP's form-action
    # covers where a form's redirects lead too.
    if settings().staff_signin_url:
        page.allow("form-action", settings().staff_signin_url)
    return page.render(template, status, who=who, staff_menu=menu_for(who), **context)


# ---------------------------------------------------------------- the console's home


def home(page: Page) -> Response:
    who = page.staff()
    items = menu_for(who)
    if len(items) == 1:  # one thing to do: go there
        return page.redirect(page.url(items[0].name))
    return render_staff(page, "staff_home.html", items=items, here={"name": "staff"})


# ---------------------------------------------------------------- signing in and out


def _callback_uri(page: Page) -> str:
    public = settings().public_api_url
    path = PATHS["sign_in_done"]
    return f"{public}{path}" if public else page.absolute(page.base + path)


def _home_uri(page: Page) -> str:
    public = settings().public_api_url
    prefix = i18n.PREFIX[page.lang] or "/"
    return f"{public}{prefix}" if public else page.absolute(page.base + prefix)


def sign_in(page: Page) -> Response:
    default = i18n.PREFIX[page.lang] + "/staf"
    next_path = staff_session.safe_next(page.query("next"), default)
    if page.signed_in() is not None:
        return page.redirect(page.base + next_path)
    try:
        location, cookie = staff_session.begin(
            page.request,
            redirect_uri=_callback_uri(page),
            next_path=next_path,
            lang=page.lang,
        )
    except staff_session.SignInFailed:
        log.exception("staff sign-in is not configured")
        return error_page(page, 503, labels.SIGN_IN_UNAVAILABLE)
    page.set_cookie(cookie)
    return page.redirect(location, 302)


SECOND_FACTOR_NEEDED = N_(
    "Administrators sign in with a second factor (an authenticator app). Set one up for "
    "your account, then sign in again."
)
SIGN_IN_AGAIN = N_("Signing in did not finish. Start again from the sign-in page.")


def sign_in_done(page: Page) -> Response:
    """The hosted UI's callback: ?code&state, or ?error when the user did not sign in."""
    held = staff_session.held_sign_in(page.request)
    page.set_cookie(staff_session.clear_sign_in_cookie(page.request))
    code, state = page.query("code"), page.query("state")
    if held is None or not staff_session.state_matches(held[0], state) or not code:
        log.warning(
            "staff sign-in callback refused",
            extra={"held": held is not None, "error": (page.query("error") or "")[:64]},
        )
        return _again(page)
    _, verifier, next_path = held
    try:
        id_token, claims, refresh = staff_session.exchange(
            code[:2048], verifier, _callback_uri(page)
        )
    except staff_session.ProviderUnavailable as e:
        log.warning("staff sign-in: identity provider unavailable: %s", e)
        return error_page(page, 503, labels.SIGN_IN_UNAVAILABLE)
    except staff_session.SignInFailed as e:
        log.warning("staff sign-in failed: %s", e)
        return _again(page)
    if staff_session.staff_member(claims) is None:
        # A session every page would refuse: the hosted UI would send the browser straight
        # back with a new code, round and round.
        log.warning("staff sign-in without a second factor refused")
        return error_page(page, 403, SECOND_FACTOR_NEEDED)
    page.set_cookie(staff_session.session_cookie(page.request, id_token, claims))
    kept = staff_session.refresh_cookie(page.request, refresh or "")
    if kept:
        page.set_cookie(kept)
    next_path = staff_session.safe_next(next_path, i18n.PREFIX[page.lang] + "/staf")
    log.info("staff signed in", extra={"username": claims.get("cognito:username")})
    return page.redirect(page.base + next_path)


def _again(page: Page) -> Response:
    return page.render(
        "error.html",
        400,
        message=page.gettext(SIGN_IN_AGAIN),
        link=(page.url("sign_in"), page.gettext("Sign in")),
    )


def sign_out(page: Page) -> Response:
    staff_session.revoke(page.request)
    for cookie in staff_session.end_session_cookies(page.request):
        page.set_cookie(cookie)
    try:
        return page.redirect(staff_session.sign_out_url(_home_uri(page)), 303)
    except staff_session.SignInFailed:
        return page.redirect(page.url("home"))
