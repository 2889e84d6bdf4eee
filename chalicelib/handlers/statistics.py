"""The statistics projector: the timeline table's stream in, counters out."""

from __future__ import annotations

from chalice import Blueprint

from .. import bootstrap, logs
from ..config import TIMELINE_STREAM_ARN, settings

bp = Blueprint(__name__)


# Larger batches write less (a counter several changes touch is written once); the
# window bounds how stale the figures get on a quiet day. The event source also sets a
# tumbling window (infra/resources.json): only then does Lambda say which shard a batch
# comes from, and the shard's checkpoint is what makes each change count once.
@bp.on_dynamodb_record(
    stream_arn=TIMELINE_STREAM_ARN,
    batch_size=1000,
    starting_position="TRIM_HORIZON",
    maximum_batching_window_in_seconds=10,
)
def project_statistics(event):
    from ..adapters.timeline_stream import delivered, shard_of

    logs.configure(settings().log_level)
    raw = event.to_dict()
    batch = delivered(raw.get("Records", []))
    result = bootstrap.statistics_projector().project(shard_of(raw), batch)
    # A tumbling-window invocation must answer with a state (this one keeps none).
    return {"state": {}, **result.as_dict()}
