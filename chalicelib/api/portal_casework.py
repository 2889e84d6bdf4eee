"""The staff console's casework routes (``/staf``, English ``/en/staf``): the inbox, one
report with a form per allowed action, the actions' posts and attachment downloads. Thin:
the pages live in ``chalicelib.portal.inbox_pages`` and ``chalicelib.portal.case_pages``,
loaded on first use like the other portal pages.
"""

from __future__ import annotations

from ..lazy import lazy_module
from .portal import ATTACHMENT_ID_RE, PREFIXES, TRACKING_ID_RE, pages, route, serve

inbox_pages = lazy_module("chalicelib.portal.inbox_pages")
case_pages = lazy_module("chalicelib.portal.case_pages")

# The action forms' path segments (chalicelib.portal.case_actions.ACTIONS holds what each
# does; a test keeps the two lists the same). Named one by one so that other pages under
# /staf/laporan/<id>/ (the identity page) keep their own routes.
ACTION_SEGMENTS = (
    "tanggapi",
    "minta-informasi",
    "alihkan",
    "catatan",
    "tanggapan-akhir",
    "disposisi",
    "arsipkan",
    "pulihkan",
    "pindahkan",
    "tutup",
)


def _register(lang: str, prefix: str) -> None:
    @route(f"{prefix}/staf/kotak-masuk", ["GET"], f"staff_inbox_{lang}")
    def inbox():
        return serve(lang, inbox_pages.inbox)

    @route(f"{prefix}/staf/laporan/{{tracking_id}}", ["GET"], f"staff_report_{lang}")
    def report(tracking_id):
        if not TRACKING_ID_RE.match(tracking_id):
            return serve(lang, pages.error_page, 404)
        return serve(lang, case_pages.report, tracking_id)

    @route(
        f"{prefix}/staf/laporan/{{tracking_id}}/lampiran/{{attachment_id}}",
        ["GET"],
        f"staff_attachment_{lang}",
    )
    def download(tracking_id, attachment_id):
        if not TRACKING_ID_RE.match(tracking_id) or not ATTACHMENT_ID_RE.match(attachment_id):
            return serve(lang, pages.error_page, 404)
        return serve(lang, case_pages.download, tracking_id, attachment_id)

    for segment in ACTION_SEGMENTS:

        def action(tracking_id, segment=segment):
            if not TRACKING_ID_RE.match(tracking_id):
                return serve(lang, pages.error_page, 404)
            return serve(lang, case_pages.act, tracking_id, segment)

        route(
            f"{prefix}/staf/laporan/{{tracking_id}}/{segment}",
            ["POST"],
            f"staff_{segment.replace('-', '_')}_{lang}",
        )(action)


for _lang, _prefix in PREFIXES.items():
    _register(_lang, _prefix)
