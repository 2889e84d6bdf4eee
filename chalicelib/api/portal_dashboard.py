"""The executive dashboard's page (``/staf/dasbor``, English ``/en/staf/dasbor``). Thin: the
page lives in ``chalicelib.portal.dashboard``, loaded on first use."""

from __future__ import annotations

from ..lazy import lazy_module
from .portal import PREFIXES, route, serve

dashboard = lazy_module("chalicelib.portal.dashboard")


def _register(lang: str, prefix: str) -> None:
    @route(f"{prefix}/staf/dasbor", ["GET"], f"staff_dashboard_{lang}")
    def staff_dashboard():
        return serve(lang, dashboard.dashboard)


for _lang, _prefix in PREFIXES.items():
    _register(_lang, _prefix)
