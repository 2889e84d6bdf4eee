"""The staff console's routes (``/staf``, English ``/en/staf``): signing in and out and the
console's home. Thin: pages live in ``chalicelib.portal.staff_pages`` and its siblings,
loaded on first use like the citizens' pages.
"""

from __future__ import annotations

from ..lazy import lazy_module
from .portal import PREFIXES, route, serve

staff_pages = lazy_module("chalicelib.portal.staff_pages")


def _register(lang: str, prefix: str) -> None:
    @route(f"{prefix}/staf", ["GET"], f"staff_home_{lang}")
    def console():
        return serve(lang, staff_pages.home)

    @route(f"{prefix}/staf/masuk", ["GET"], f"staff_sign_in_{lang}")
    def sign_in():
        return serve(lang, staff_pages.sign_in)

    @route(f"{prefix}/staf/masuk/selesai", ["GET"], f"staff_sign_in_done_{lang}")
    def sign_in_done():
        return serve(lang, staff_pages.sign_in_done)

    @route(f"{prefix}/staf/keluar", ["POST"], f"staff_sign_out_{lang}")
    def sign_out():
        return serve(lang, staff_pages.sign_out)


for _lang, _prefix in PREFIXES.items():
    _register(_lang, _prefix)
