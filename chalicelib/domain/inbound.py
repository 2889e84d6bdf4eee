"""A message a citizen sent on a channel (SMS, WhatsApp, Messenger, X), as every channel
adapter hands it to the intake service: the provider's format stays in the adapter.

Identity: ``sender`` (and ``sender_name``) are the reporter's identity, kept like the
report's reporter (DESIGN.md's privacy rules); they never go into a queue message, a log
or a public reply. Queue messages carry ``key`` only, which is a digest: a provider's
message id can hold the sender (a WhatsApp wamid is base64 around the phone number).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from .report import Channel


@dataclass(frozen=True)
class InboundMedia:
    """A picture or document that came with the message, not downloaded yet: either a
    URL the provider serves it from (Twilio's MediaUrl) or a provider media id (Meta's
    Graph API), plus what the provider says it is."""

    url: str | None = None
    media_id: str | None = None
    content_type: str | None = None
    filename: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    channel: Channel  # SMS, WHATSAPP, MESSENGER or X
    message_id: str  # the provider's id: MessageSid, wamid, mid, tweet or DM event id
    sender: str  # E.164 phone (SMS, WhatsApp), page-scoped id (Messenger), user id (X)
    text: str
    received_at: datetime
    sender_name: str | None = None  # WhatsApp profile name, X @handle
    # An X mention: everybody can read it, so its report cannot be confidential and
    # the answer is a public reply (never identity or confidential content).
    public: bool = False
    # Where a reply goes when it is not a direct message to the sender: the tweet to
    # answer for an X mention.
    reply_to: str | None = None
    media: tuple[InboundMedia, ...] = ()

    @property
    def key(self) -> str:
        """Unique per channel: what idempotency and queue messages use."""
        return inbox_key(self.channel, self.message_id)

    @property
    def sender_key(self) -> str:
        """Who sent it, for per-sender rate limits."""
        return f"{self.channel.value}:{self.sender}"


def inbox_key(channel: Channel, message_id: str) -> str:
    """``<channel>:<digest of the provider's message id>``: unique, and nothing of the id
    (which may encode the sender) in queue messages, their DLQs or idempotency records."""
    digest = hashlib.sha256(message_id.encode()).hexdigest()[:40]
    return f"{channel.value}:{digest}"
