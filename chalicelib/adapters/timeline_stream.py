"""Records of the timeline table's stream, as the statistics projector reads them."""

from __future__ import annotations

import logging
from datetime import datetime

from ..stats.projector import Delivered, position
from ..stats.standing import StatEvent

log = logging.getLogger(__name__)


def change_of_record(record: dict) -> StatEvent | None:
    """The change of standing a new timeline item records (None: it records none).

    ``record`` is one Lambda DynamoDB-stream record. A record that cannot be read is logged
    and left out: retrying would not make it readable, and it would stop its shard."""
    if record.get("eventName") != "INSERT":
        return None
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    if "stats" not in image:
        return None
    try:
        return StatEvent.decode(
            image["tracking_id"]["S"],
            int(image["seq"]["N"]),
            datetime.fromisoformat(image["at"]["S"]),
            image["stats"]["S"],
        )
    except (KeyError, TypeError, ValueError) as error:
        log.error(
            "unreadable statistics record left out",
            extra={
                "sequence_number": (record.get("dynamodb") or {}).get("SequenceNumber"),
                "error": repr(error),
            },
        )
        return None


def delivered(records: list[dict]) -> list[Delivered]:
    """The changes the records carry, with their stream positions."""
    out = []
    for record in records:
        change = change_of_record(record)
        if change is not None:
            out.append(Delivered(position(record["dynamodb"]["SequenceNumber"]), change))
    return out


def shard_of(event: dict) -> str:
    """The shard the batch comes from. Lambda names it only in tumbling-window events (the
    function's event source sets a window for this); without one, the stream's ARN stands
    for a stream of one shard, which is what the local emulator has."""
    shard = event.get("shardId")
    if shard:
        return shard
    log.warning("no shardId in the stream event: is the tumbling window configured?")
    records = event.get("Records") or [{}]
    return records[0].get("eventSourceARN", "unknown")
