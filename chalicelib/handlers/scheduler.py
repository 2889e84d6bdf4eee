"""Hourly deadline scheduler: SLA warnings, overdue escalations, auto-completion."""

from __future__ import annotations

from chalice import Blueprint, Rate

from .. import bootstrap, logs
from ..config import settings

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.HOURS))
def check_deadlines(event):
    logs.configure(settings().log_level)
    context = getattr(event, "context", None)

    def time_left() -> float:  # seconds this invocation has left
        return context.get_remaining_time_in_millis() / 1000

    has_budget = hasattr(context, "get_remaining_time_in_millis")
    return bootstrap.scheduler(time_left=time_left if has_budget else None).as_dict()
