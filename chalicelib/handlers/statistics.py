"""The statistics projector: the timeline table's stream in, counters out."""

from __future__ import annotations

from chalice import Blueprint

from .. import bootstrap, logs
from ..config import TIMELINE_STREAM_ARN, settings

bp = Blueprint(__name__)


# Larger batches write less (a counter several changes touch is written once); the
# window bounds how stale the figures get on a quiet day.
@bp.on_dynamodb_record(
    stream_arn=TIMELINE_STREAM_ARN,
    batch_size=1000,
    starting_position="TRIM_HORIZON",
    maximum_batching_window_in_seconds=10,
)
def project_statistics(event):
    from ..adapters.timeline_stream import change_of_record

    logs.configure(settings().log_level)
    changes = [change_of_record(record) for record in event.to_dict().get("Records", [])]
    return bootstrap.statistics_projector().project([c for c in changes if c]).as_dict()
