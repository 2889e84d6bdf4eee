"""The intake worker: answers the channel messages the webhooks stored and queued
(``services/channel_intake.py``), sends the answers on their channel and puts their media
into upload slots.

A message that fails (a provider down, a lost race) is left to the queue (partial batch
failure): it comes back after the visibility timeout and, after maxReceiveCount tries,
waits in the dead-letter queue. Senders and texts never reach the log.
"""

from __future__ import annotations

import json
import logging

from chalice import Blueprint

from .. import bootstrap, logs
from ..config import CHANNEL_INBOX_QUEUE, settings
from .batch import partial_batch

bp = Blueprint(__name__)
log = logging.getLogger(__name__)


def _key(body: str) -> str | None:
    try:
        message = json.loads(body)
    except ValueError:
        return None
    key = message.get("key") if isinstance(message, dict) else None
    return key if isinstance(key, str) and ":" in key and len(key) <= 512 else None


@bp.on_sqs_message(queue=CHANNEL_INBOX_QUEUE, batch_size=10)
def on_channel_message(event):
    logs.configure(settings().log_level)
    return partial_batch(
        event, _handle, log=log, failed="channel message failed; it will be retried"
    )


def _handle(record, attempt: int) -> None:
    key = _key(record.body)
    if key is None:
        log.error("malformed channel message dropped")
        return
    logs.bind(channel=key.split(":", 1)[0])
    outcome = bootstrap.channel_intake().process(key)
    log.info("channel message %s", outcome)
