"""Sends what the notifications queue holds: messages to reporters, escalations of
overdue reports, new access links (``services/notify.py``).

A message that fails is left to the queue (partial batch failure): it comes back after
the visibility timeout and, after maxReceiveCount tries, waits in the dead-letter queue.
A malformed message is dropped with an error in the log: retrying cannot fix it.
Contact details never reach the log.
"""

from __future__ import annotations

import logging

from chalice import Blueprint

from .. import bootstrap, logs
from ..config import NOTIFICATIONS_QUEUE, settings
from ..lazy import lazy_module
from .batch import partial_batch

# Loaded on the first message (every function of the app imports this module).
notify = lazy_module("chalicelib.services.notify")

bp = Blueprint(__name__)
log = logging.getLogger(__name__)


@bp.on_sqs_message(queue=NOTIFICATIONS_QUEUE, batch_size=10)
def on_notification(event):
    logs.configure(settings().log_level)
    return partial_batch(event, _handle, log=log, failed="notification failed; it will be retried")


def _handle(record, attempt: int) -> None:
    try:
        message = notify.parse(record.body)
    except notify.Malformed as e:
        log.error("malformed notification dropped: %s", e)
        return
    logs.bind(tracking_id=message.tracking_id, notification=message.kind)
    outcome = bootstrap.notifier().handle(message)
    log.info("notification %s", outcome, extra={"event_type": message.type})
