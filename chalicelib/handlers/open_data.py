"""The daily open-data export."""

from __future__ import annotations

from chalice import Blueprint, Cron

from .. import bootstrap, logs
from ..config import settings

bp = Blueprint(__name__)


# 00:30 in Jakarta (17:30 UTC): the day before is complete.
@bp.schedule(Cron(30, 17, "*", "*", "?", "*"))
def export_open_data(event):
    logs.configure(settings().log_level)
    return bootstrap.export_open_data()
