"""Consumes the attachments bucket's ObjectCreated notifications (S3 -> SQS -> here).

Not ``on_s3_event``: CloudFormation packaging refuses it, so infra/ routes the bucket's
notifications to a queue. Thin: each S3 record goes to the attachment service, which
validates the upload and removes anything it refuses.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import unquote_plus

from chalice import Blueprint

from .. import bootstrap, logs
from ..config import ATTACHMENT_UPLOADS_QUEUE, settings

bp = Blueprint(__name__)
log = logging.getLogger(__name__)


def s3_objects(body: str) -> list[tuple[str, str, str | None]] | None:
    """(bucket, key, version id) of each ObjectCreated record in an S3 notification.

    [] for S3's ``s3:TestEvent`` (sent when notifications are configured) and for other
    event types; None for a body that is not an S3 notification at all."""
    try:
        message = json.loads(body)
    except ValueError:
        return None
    if not isinstance(message, dict):
        return None
    if message.get("Event") == "s3:TestEvent":
        return []
    records = message.get("Records")
    if not isinstance(records, list):
        return None
    found = []
    for record in records:
        try:
            if not record["eventName"].startswith("ObjectCreated:"):
                continue
            s3 = record["s3"]
            # Keys arrive URL-encoded, with spaces as '+'.
            key = unquote_plus(s3["object"]["key"])
            found.append((s3["bucket"]["name"], key, s3["object"].get("versionId")))
        except (KeyError, TypeError, AttributeError):
            return None
    return found


@bp.on_sqs_message(queue=ATTACHMENT_UPLOADS_QUEUE, batch_size=5)
def on_attachment_uploaded(event):
    cfg = settings()
    logs.configure(cfg.log_level)
    failures = []
    for record in event:
        message_id = record.to_dict().get("messageId")
        token = logs.bind(message_id=message_id)
        try:
            objects = s3_objects(record.body)
            if objects is None:
                log.error("malformed upload notification dropped")
                continue
            service = bootstrap.attachment_service()
            for bucket, key, version_id in objects:
                if bucket != cfg.attachments_bucket:
                    log.error("notification for another bucket ignored", extra={"bucket": bucket})
                    continue
                outcome = service.process_upload(key, version_id)
                log.info(
                    "upload processed",
                    extra={"result": outcome.result, "reason": outcome.reason},
                )
        except Exception:
            log.exception("upload processing failed; will be retried")
            failures.append({"itemIdentifier": message_id})
        finally:
            logs.reset(token)
    return {"batchItemFailures": failures}
