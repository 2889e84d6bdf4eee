"""Attachment slots in DynamoDB. Acceptance is staged in a unit of work together with the
report's timeline event (``adapters/unit_of_work.py``)."""

from __future__ import annotations

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..domain.attachment import Attachment, AttachmentStatus, RejectReason
from ..domain.report import Actor
from ..services.ports import AttachmentAlreadyDecided, SlotsChanged
from .dynamodb_models import SLOTS_COUNTER, AttachmentItem, shared_connection
from .report_repository import _conditional_failures

_DECISION_FIELDS = (
    "status",
    "size",
    "sha256",
    "uploaded_at",
    "version_id",
    "original_key",
    "shared_key",
    "shared_size",
    "shared_sha256",
    "reason",
    "reason_detail",
    "decided_at",
)


def _to_item(a: Attachment) -> AttachmentItem:
    return AttachmentItem(
        a.tracking_id,
        a.id,
        filename=a.filename,
        content_type=a.content_type,
        declared_size=a.declared_size,
        status=a.status.value,
        created_at=a.created_at,
        upload_expires_at=a.upload_expires_at,
        actor_kind=a.uploaded_by.kind,
        actor_id=a.uploaded_by.id,
        size=a.size,
        sha256=a.sha256,
        uploaded_at=a.uploaded_at,
        version_id=a.version_id,
        original_key=a.original_key,
        shared_key=a.shared_key,
        shared_size=a.shared_size,
        shared_sha256=a.shared_sha256,
        stripped=list(a.stripped) or None,
        reason=a.reason.value if a.reason else None,
        reason_detail=a.reason_detail,
        decided_at=a.decided_at,
    )


def _int(value) -> int | None:
    return int(value) if value is not None else None


def _from_item(item: AttachmentItem) -> Attachment:
    return Attachment(
        tracking_id=item.tracking_id,
        id=item.attachment_id,
        filename=item.filename,
        content_type=item.content_type,
        declared_size=int(item.declared_size),
        status=AttachmentStatus(item.status),
        created_at=item.created_at,
        upload_expires_at=item.upload_expires_at,
        uploaded_by=Actor(item.actor_kind, item.actor_id),
        size=_int(item.size),
        sha256=item.sha256,
        uploaded_at=item.uploaded_at,
        version_id=item.version_id,
        original_key=item.original_key,
        shared_key=item.shared_key,
        shared_size=_int(item.shared_size),
        shared_sha256=item.shared_sha256,
        stripped=tuple(item.stripped or ()),
        reason=RejectReason(item.reason) if item.reason else None,
        reason_detail=item.reason_detail,
        decided_at=item.decided_at,
    )


def decision_actions(a: Attachment) -> list:
    item = _to_item(a)
    actions = []
    for name in _DECISION_FIELDS:
        attribute = getattr(AttachmentItem, name)
        value = getattr(item, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    if a.stripped:
        actions.append(AttachmentItem.stripped.set(list(a.stripped)))
    return actions


class DynamoAttachmentRepository:
    def __init__(self, connection: Connection | None = None):
        self._connection = connection

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            self._connection = shared_connection()
        return self._connection

    def slots(self, tracking_id: str) -> tuple[list[Attachment], int]:
        attachments, opened = [], 0
        for item in AttachmentItem.query(tracking_id, consistent_read=True):
            if item.attachment_id == SLOTS_COUNTER:
                opened = int(item.opened or 0)
            else:
                attachments.append(_from_item(item))
        return attachments, opened

    def add(self, attachment: Attachment, opened_before: int) -> None:
        counter = AttachmentItem(attachment.tracking_id, SLOTS_COUNTER)
        if opened_before:
            unchanged = AttachmentItem.opened == opened_before
        else:
            unchanged = AttachmentItem.opened.does_not_exist()
        try:
            with TransactWrite(connection=self.connection) as tx:
                tx.save(
                    _to_item(attachment), condition=AttachmentItem.attachment_id.does_not_exist()
                )
                tx.update(
                    counter,
                    actions=[AttachmentItem.opened.set(opened_before + 1)],
                    condition=unchanged,
                )
        except TransactWriteError as error:
            if any(_conditional_failures(error)):
                raise SlotsChanged(attachment.tracking_id) from error
            raise

    def get(self, tracking_id: str, attachment_id: str) -> Attachment | None:
        if attachment_id == SLOTS_COUNTER:
            return None
        try:
            item = AttachmentItem.get(tracking_id, attachment_id, consistent_read=True)
        except DoesNotExist:
            return None
        return _from_item(item)

    def reject(self, attachment: Attachment) -> None:
        item = AttachmentItem(attachment.tracking_id, attachment.id)
        try:
            with TransactWrite(connection=self.connection) as tx:
                tx.update(
                    item,
                    actions=decision_actions(attachment),
                    condition=AttachmentItem.status == AttachmentStatus.PENDING.value,
                )
        except TransactWriteError as error:
            if any(_conditional_failures(error)):
                raise AttachmentAlreadyDecided(attachment.id) from error
            raise
