"""Delivers dispatch jobs (report.assigned, ...) to agencies' webhooks and queues.

A failed delivery becomes visible again after an exponential backoff with full jitter
(ChangeMessageVisibility); after DISPATCH_MAX_ATTEMPTS receives SQS moves it to the
dead-letter queue (the queue's maxReceiveCount), from where `python -m ops redrive`
brings it back.
"""

from __future__ import annotations

import logging

from chalice import Blueprint

from .. import bootstrap, logs
from ..config import DISPATCH_QUEUE, settings
from ..lazy import lazy_module

# Loaded on the first message (every function of the app imports this module).
fanout = lazy_module("chalicelib.adapters.fanout")
dispatch = lazy_module("chalicelib.services.dispatch")

bp = Blueprint(__name__)
log = logging.getLogger(__name__)


@bp.on_sqs_message(queue=DISPATCH_QUEUE, batch_size=10)
def on_dispatch_job(event):
    cfg = settings()
    logs.configure(cfg.log_level)
    failures = []
    for record in event:
        raw = record.to_dict()
        attempt = int(raw.get("attributes", {}).get("ApproximateReceiveCount", "1"))
        token = logs.bind(message_id=raw["messageId"], attempt=attempt)
        try:
            job = fanout.job_from_message(record.body)
            logs.bind(
                tracking_id=job.tracking_id,
                delivery_id=job.delivery_id,
                agency_id=job.agency_id,
                target_id=job.target_id,
            )
            outcome = bootstrap.dispatcher().deliver(job, attempt)
            log.info("dispatch %s", outcome.outcome, extra={"event_type": job.event_type})
        except dispatch.Retry as e:
            delay = (
                0
                if attempt >= cfg.dispatch_max_attempts
                else dispatch.backoff_seconds(
                    attempt, cfg.dispatch_backoff_base_seconds, cfg.dispatch_backoff_cap_seconds
                )
            )
            log.warning("delivery failed, retry in %ss: %s", delay, e.reason)
            _retry_later(raw["receiptHandle"], delay)
            failures.append({"itemIdentifier": raw["messageId"]})
        except Exception:
            # A poison message (malformed job) or a bug: retried, then the DLQ.
            log.exception("dispatch job failed")
            failures.append({"itemIdentifier": raw["messageId"]})
        finally:
            logs.reset(token)
    return {"batchItemFailures": failures}


def _retry_later(receipt_handle: str, delay: int) -> None:
    try:
        bootstrap.dispatch_queue().retry_later(receipt_handle, delay)
    except Exception:  # the visibility timeout of the queue applies instead
        log.exception("could not set the retry delay")
