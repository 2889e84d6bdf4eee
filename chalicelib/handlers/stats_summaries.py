"""Hourly statistics summaries: what no request can read with a fixed number of items (the
ranking of every agency, the regions' totals, emerging issues), written as a few items
that the statistics API and the dashboard read with one GetItem each."""

from __future__ import annotations

from chalice import Blueprint, Rate

from .. import bootstrap, logs
from ..config import settings

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.HOURS))
def publish_stats(event):
    logs.configure(settings().log_level)
    from ..services.statistics import publish_summaries

    return publish_summaries(
        bootstrap.get("stats"), bootstrap.directory(), bootstrap.clock(), settings().time_zone
    )
