"""Consumes report.submitted. Routing to agencies has its own issue; for now the router
acknowledges the report (takes it out of the outbox) and logs it."""

from __future__ import annotations

import json
import logging

from chalice import Blueprint

from .. import bootstrap, logs
from ..config import REPORT_SUBMITTED_QUEUE, settings
from ..services import outbox

bp = Blueprint(__name__)
log = logging.getLogger(__name__)


def _tracking_id(body: str) -> str | None:
    try:
        message = json.loads(body)
        return message["data"]["tracking_id"]
    except (ValueError, KeyError, TypeError):
        return None


@bp.on_sqs_message(queue=REPORT_SUBMITTED_QUEUE, batch_size=10)
def on_report_submitted(event):
    logs.configure(settings().log_level)
    failures = []
    for record in event:
        token = logs.bind(message_id=record.to_dict().get("messageId"))
        try:
            tracking_id = _tracking_id(record.body)
            if tracking_id is None:
                # A malformed message will never succeed: drop it loudly, do not retry.
                log.error("malformed report.submitted message dropped")
                continue
            logs.bind(tracking_id=tracking_id)
            if outbox.acknowledge(bootstrap.reports(), tracking_id):
                log.info("report.submitted received")
            else:
                log.error("report.submitted for an unknown report dropped")
        except Exception:
            log.exception("report.submitted failed; will be retried")
            failures.append({"itemIdentifier": record.to_dict()["messageId"]})
        finally:
            logs.reset(token)
    return {"batchItemFailures": failures}
