"""The router: consumes report.submitted, disposes the report to the responsible agency
(or leaves it for the admins' verification queue) and enqueues the dispatch jobs."""

from __future__ import annotations

import json
import logging

from chalice import Blueprint

from .. import bootstrap, logs
from ..config import REPORT_SUBMITTED_QUEUE, settings
from ..lazy import lazy_module
from ..services.ports import ReportNotFound

# Loaded on the first message (every function of the app imports this module).
routing = lazy_module("chalicelib.services.routing")

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
            try:
                result = routing.route_submitted(
                    tracking_id,
                    uow=bootstrap.get("uow"),
                    directory=bootstrap.directory(),
                    outlets=bootstrap.outlets(),
                    clock=bootstrap.clock(),
                    calendar=bootstrap.get("calendar"),
                )
            except ReportNotFound:
                log.error("report.submitted for an unknown report dropped")
                continue
            log.info(
                "routed" if result.agency_id else "waiting for verification",
                extra={
                    "agency_id": result.agency_id,
                    "rule": result.rule,
                    "redelivered": result.redelivered,
                },
            )
        except Exception:
            log.exception("report.submitted failed; will be retried")
            failures.append({"itemIdentifier": record.to_dict()["messageId"]})
        finally:
            logs.reset(token)
    return {"batchItemFailures": failures}
