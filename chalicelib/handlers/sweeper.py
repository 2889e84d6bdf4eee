"""Scheduled sweeper: re-publishes report.submitted for reports the router never saw."""

from __future__ import annotations

from datetime import timedelta

from chalice import Blueprint, Rate

from .. import bootstrap, logs
from ..config import settings
from ..lazy import lazy_module

# Loaded on the first run (every function of the app imports this module).
outbox = lazy_module("chalicelib.services.outbox")

bp = Blueprint(__name__)


@bp.schedule(Rate(2, unit=Rate.MINUTES))
def sweep_outbox(event):
    cfg = settings()
    logs.configure(cfg.log_level)
    result = outbox.sweep(
        bootstrap.reports(),
        bootstrap.publisher(),
        bootstrap.clock(),
        grace=timedelta(seconds=cfg.outbox_grace_seconds),
    )
    return {"republished": result.republished, "failed": result.failed}
