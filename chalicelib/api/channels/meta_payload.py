"""Meta's webhook payloads (WhatsApp Cloud API, Messenger) -> InboundMessage.

WhatsApp (``object: whatsapp_business_account``): ``entry[].changes[]`` with
``field: messages``; ``value.messages[]`` are what users sent (text, image, document are
taken; reactions, stickers, audio, video, locations, contacts, buttons and group messages
are not), ``value.statuses[]`` are delivery callbacks for our own sends (ignored).
``from`` is the user's WhatsApp id, their phone number without the ``+``.

Messenger (``object: page``): ``entry[].messaging[]``; an event with ``message`` (text
and image/file attachments) from a user is taken; echoes of the page's own sends
(``message.is_echo``), ``delivery``, ``read``, ``postback``, reactions and stickers are
not. ``sender.id`` is the user's page-scoped id (PSID).
"""

from __future__ import annotations

import re
from datetime import datetime

from ...domain.inbound import InboundMedia, InboundMessage
from ...domain.report import Channel
from .payloads import ident, obj, objects, text

WHATSAPP_OBJECT = "whatsapp_business_account"
MESSENGER_OBJECT = "page"
_WA_ID = re.compile(r"^[1-9][0-9]{5,14}$")  # E.164 without the '+': at most 15 digits


def whatsapp_messages(
    payload: dict, received_at: datetime, phone_number_id: str | None = None
) -> list[InboundMessage]:
    """The users' messages in a WhatsApp delivery. With ``phone_number_id``, only the
    messages sent to that business number (an app may serve several)."""
    if payload.get("object") != WHATSAPP_OBJECT:
        return []
    out = []
    for entry in objects(payload.get("entry")):
        for change in objects(entry.get("changes")):
            if change.get("field") != "messages":
                continue
            value = obj(change.get("value"))
            to_number = ident(obj(value.get("metadata")).get("phone_number_id"))
            if phone_number_id and to_number != phone_number_id:
                continue
            names = _profile_names(value)
            for message in objects(value.get("messages")):
                inbound = _whatsapp_message(message, names, received_at)
                if inbound is not None:
                    out.append(inbound)
    return out


def _profile_names(value: dict) -> dict[str, str]:
    names = {}
    for contact in objects(value.get("contacts")):
        wa_id, name = ident(contact.get("wa_id")), text(obj(contact.get("profile")).get("name"))
        if wa_id and name:
            names[wa_id] = name
    return names


def _whatsapp_message(message: dict, names: dict, received_at: datetime):
    message_id, sender = ident(message.get("id")), ident(message.get("from"))
    if message_id is None or sender is None or not _WA_ID.match(sender):
        return None
    if message.get("group_id") is not None:
        return None  # said in a group, not to us
    kind = message.get("type")
    body, media = "", ()
    if kind == "text":
        body = text(obj(message.get("text")).get("body")) or ""
    elif kind in ("image", "document"):
        part = obj(message.get(kind))
        media_id = ident(part.get("id"))
        if media_id is None:
            return None
        body = text(part.get("caption")) or ""
        media = (
            InboundMedia(
                media_id=media_id,
                content_type=text(part.get("mime_type")),
                filename=text(part.get("filename")) if kind == "document" else None,
            ),
        )
    else:
        return None
    if not body.strip() and not media:
        return None
    return InboundMessage(
        channel=Channel.WHATSAPP,
        message_id=message_id,
        sender="+" + sender,
        text=body,
        received_at=received_at,
        sender_name=names.get(sender),
        media=media,
    )


def messenger_messages(payload: dict, received_at: datetime) -> list[InboundMessage]:
    if payload.get("object") != MESSENGER_OBJECT:
        return []
    out = []
    for entry in objects(payload.get("entry")):
        for event in objects(entry.get("messaging")):
            inbound = _messenger_message(event, received_at)
            if inbound is not None:
                out.append(inbound)
    return out


def _messenger_message(event: dict, received_at: datetime):
    message = event.get("message")
    if not isinstance(message, dict) or message.get("is_echo"):
        return None
    message_id, sender = ident(message.get("mid")), ident(obj(event.get("sender")).get("id"))
    if message_id is None or sender is None:
        return None
    media = []
    for attachment in objects(message.get("attachments")):
        payload = obj(attachment.get("payload"))
        url = text(payload.get("url"))
        if attachment.get("type") not in ("image", "file") or not url:
            continue
        if payload.get("sticker_id") is not None:
            continue  # a sticker (the thumbs-up too) is an image, not evidence
        media.append(InboundMedia(url=url))
    body = text(message.get("text")) or ""
    if not body.strip() and not media:
        return None
    return InboundMessage(
        channel=Channel.MESSENGER,
        message_id=message_id,
        sender=sender,
        text=body,
        received_at=received_at,
        media=tuple(media),
    )
