"""The channel inbox in the idempotency table: one item per inbound message, written once
(a conditional put on its key), then updated as the intake answers it."""

from __future__ import annotations

import json
from datetime import datetime

from pynamodb.exceptions import PutError, UpdateError

from ..domain.inbound import InboundMedia, InboundMessage
from ..domain.report import Channel
from ..services.ports import StoredInbound
from .dynamodb_models import InboundItem

_PREFIX = "inbound#"


def encode(message: InboundMessage) -> str:
    return json.dumps(
        {
            "channel": message.channel.value,
            "message_id": message.message_id,
            "sender": message.sender,
            "text": message.text,
            "received_at": message.received_at.isoformat(),
            "sender_name": message.sender_name,
            "public": message.public,
            "reply_to": message.reply_to,
            "media": [vars(m) for m in message.media],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode(raw: str) -> InboundMessage:
    m = json.loads(raw)
    return InboundMessage(
        channel=Channel(m["channel"]),
        message_id=m["message_id"],
        sender=m["sender"],
        text=m["text"],
        received_at=datetime.fromisoformat(m["received_at"]),
        sender_name=m.get("sender_name"),
        public=bool(m.get("public")),
        reply_to=m.get("reply_to"),
        media=tuple(InboundMedia(**media) for media in m.get("media") or ()),
    )


class DynamoInboundMessages:
    def add(self, message: InboundMessage, *, expires_at: datetime) -> bool:
        item = InboundItem(
            _PREFIX + message.key, message=encode(message), expires_at=expires_at, media_done=0
        )
        try:
            item.save(condition=InboundItem.key.does_not_exist())
        except PutError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get(self, key: str) -> StoredInbound | None:
        try:
            item = InboundItem.get(_PREFIX + key, consistent_read=True)
        except InboundItem.DoesNotExist:
            return None
        if item.message is None:
            return None
        return StoredInbound(
            decode(item.message),
            item.answer,
            item.tracking_id,
            bool(item.answer_sent),
            int(item.media_done or 0),
        )

    def _update(self, key: str, actions, condition=None) -> bool:
        try:
            exists = InboundItem.key.exists()
            InboundItem(_PREFIX + key).update(
                actions=actions,
                condition=exists if condition is None else exists & condition,
            )
        except UpdateError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_answer(self, key: str, answer: str, tracking_id: str | None) -> None:
        actions = [InboundItem.answer.set(answer)]
        if tracking_id:
            actions.append(InboundItem.tracking_id.set(tracking_id))
        self._update(key, actions)

    def claim_send(self, key: str) -> bool:
        return self._update(
            key,
            [InboundItem.answer_sent.set(True)],
            InboundItem.answer_sent.does_not_exist() | (InboundItem.answer_sent == False),  # noqa: E712
        )

    def release_send(self, key: str) -> None:
        self._update(key, [InboundItem.answer_sent.set(False)])

    def record_media(self, key: str, done: int) -> None:
        self._update(key, [InboundItem.media_done.set(done)])
