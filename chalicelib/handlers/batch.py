"""The loop every SQS consumer shares: each record handled on its own, with its message id
and attempt bound to the log; a record whose handling raises is reported as failed
(partial batch failure: it comes back after the visibility timeout, then goes to the
dead-letter queue), the others are acknowledged."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .. import logs


def partial_batch(
    event, handle: Callable[[object, int], None], *, log: logging.Logger, failed: str
) -> dict:
    """``handle(record, attempt)`` for each record; ``failed`` is logged with the
    exception of a record that raised."""
    failures = []
    for record in event:
        raw = record.to_dict()
        attempt = int(raw.get("attributes", {}).get("ApproximateReceiveCount", "1"))
        token = logs.bind(message_id=raw["messageId"], attempt=attempt)
        try:
            handle(record, attempt)
        except Exception:
            log.exception(failed)
            failures.append({"itemIdentifier": raw["messageId"]})
        finally:
            logs.reset(token)
    return {"batchItemFailures": failures}
