"""The staff console's admin pages (``/staf``, English ``/en/staf``): the verification
queue, reading a reporter's identity with a stated reason, an agency's webhooks and the
delivery log. Thin: the pages live in ``chalicelib.portal`` (verification_pages,
identity_pages, webhook_pages, delivery_pages), loaded on first use.
"""

from __future__ import annotations

import re

from ..lazy import lazy_module
from .path_params import PATH_PARAMS
from .portal import PREFIXES, TRACKING_ID_RE, bp, pages, route, serve

verification_pages = lazy_module("chalicelib.portal.verification_pages")
identity_pages = lazy_module("chalicelib.portal.identity_pages")
webhook_pages = lazy_module("chalicelib.portal.webhook_pages")
delivery_pages = lazy_module("chalicelib.portal.delivery_pages")

_WEBHOOK_ID = re.compile(PATH_PARAMS["webhook_id"].pattern)
# What a webhook's buttons do: path segment -> the page's verb.
WEBHOOK_ACTIONS = {"nonaktifkan": "disable", "aktifkan": "enable", "ganti-rahasia": "rotate"}


def _register(lang: str, prefix: str) -> None:
    @route(f"{prefix}/staf/verifikasi", ["GET"], f"staff_verification_{lang}")
    def verification_queue():
        return serve(lang, verification_pages.queue)

    @route(
        f"{prefix}/staf/laporan/{{tracking_id}}/identitas",
        ["GET", "POST"],
        f"staff_identity_{lang}",
    )
    def identity(tracking_id):
        if not TRACKING_ID_RE.match(tracking_id):
            return serve(lang, pages.error_page, 404)
        if bp.current_request.method == "POST":
            return serve(lang, identity_pages.read, tracking_id)
        return serve(lang, identity_pages.form, tracking_id)

    @route(f"{prefix}/staf/webhook", ["GET", "POST"], f"staff_webhooks_{lang}")
    def webhooks():
        if bp.current_request.method == "POST":
            return serve(lang, webhook_pages.register)
        return serve(lang, webhook_pages.listing)

    for segment, verb in WEBHOOK_ACTIONS.items():

        def change(webhook_id, verb=verb):
            if not _WEBHOOK_ID.match(webhook_id):
                return serve(lang, pages.error_page, 404)
            return serve(lang, webhook_pages.change, webhook_id, verb)

        route(
            f"{prefix}/staf/webhook/{{webhook_id}}/{segment}",
            ["POST"],
            f"staff_webhook_{verb}_{lang}",
        )(change)

    @route(f"{prefix}/staf/pengiriman", ["GET"], f"staff_deliveries_{lang}")
    def deliveries():
        return serve(lang, delivery_pages.listing)


for _lang, _prefix in PREFIXES.items():
    _register(_lang, _prefix)
