"""X Account Activity payloads -> InboundMessage.

A delivery names the subscribed account in ``for_user_id`` (ours, else it is ignored) and
carries one kind of event:

- ``tweet_create_events``: posts by, to and about the account. Taken: posts by others
  that mention the account (``entities.user_mentions``), as public messages whose reply
  goes to the post. Not taken: the account's own posts, reposts, and mentions by a user
  the account blocked (``user_has_blocked: "true"``).
- ``direct_message_events``: ``message_create`` events. Taken: those the account
  received; the ones it sent (our own replies) are not.

Everything else (likes, follows, typing and read indicators, deletes...) is ignored.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

from ...domain.inbound import InboundMedia, InboundMessage
from ...domain.report import Channel
from .payloads import ident, obj, objects, text

_LEADING_MENTIONS = re.compile(r"^\s*(?:@[A-Za-z0-9_]{1,15}\b\s*)+")  # X handles


def x_messages(payload: dict, account_id: str, received_at: datetime) -> list[InboundMessage]:
    if ident(payload.get("for_user_id")) != account_id:
        return []
    out = []
    if str(payload.get("user_has_blocked", "false")).lower() != "true":
        for tweet in objects(payload.get("tweet_create_events")):
            inbound = _mention(tweet, account_id, received_at)
            if inbound is not None:
                out.append(inbound)
    users = obj(payload.get("users"))
    for event in objects(payload.get("direct_message_events")):
        inbound = _direct_message(event, account_id, users, received_at)
        if inbound is not None:
            out.append(inbound)
    return out


def _mention(tweet: dict, account_id: str, received_at: datetime):
    tweet_id = ident(tweet.get("id_str"))
    user = obj(tweet.get("user"))
    author = ident(user.get("id_str"))
    if tweet_id is None or author is None or author == account_id:
        return None
    if "retweeted_status" in tweet:
        return None
    # A long post (over 140 characters) carries its full text and entities in
    # extended_tweet; the outer ones are truncated.
    extended = obj(tweet.get("extended_tweet"))
    entities = obj(extended.get("entities") or tweet.get("entities"))
    mentioned = {ident(m.get("id_str")) for m in objects(entities.get("user_mentions"))}
    if account_id not in mentioned:
        return None
    body = text(extended.get("full_text")) or text(tweet.get("full_text"))
    body = body or text(tweet.get("text")) or ""
    media_entities = obj(extended.get("extended_entities") or tweet.get("extended_entities"))
    media, links = _photos(objects(media_entities.get("media")))
    body = _without(html.unescape(body), links)  # v1.1 text escapes &, < and >
    body = _LEADING_MENTIONS.sub("", body).strip()
    if not body and not media:
        return None
    handle = text(user.get("screen_name"))
    return InboundMessage(
        channel=Channel.X,
        message_id=tweet_id,
        sender=author,
        text=body,
        received_at=received_at,
        sender_name=f"@{handle}" if handle else None,
        public=True,
        reply_to=tweet_id,
        media=media,
    )


def _direct_message(event: dict, account_id: str, users: dict, received_at: datetime):
    if event.get("type") != "message_create":
        return None
    event_id = ident(event.get("id"))
    create = obj(event.get("message_create"))
    sender = ident(create.get("sender_id"))
    recipient = ident(obj(create.get("target")).get("recipient_id"))
    if event_id is None or sender is None or sender == account_id:
        return None  # our own DMs come back as events too
    if recipient is not None and recipient != account_id:
        return None
    data = obj(create.get("message_data"))
    attachment = obj(data.get("attachment"))
    media, links = _photos([obj(attachment.get("media"))] if attachment else [])
    body = _without(text(data.get("text")) or "", links).strip()
    if not body and not media:
        return None
    handle = text(obj(users.get(sender)).get("screen_name"))
    return InboundMessage(
        channel=Channel.X,
        message_id=event_id,
        sender=sender,
        text=body,
        received_at=received_at,
        sender_name=f"@{handle}" if handle else None,
        public=False,
        media=media,
    )


def _photos(items: list[dict]) -> tuple[tuple[InboundMedia, ...], list[str]]:
    """Photos as media, and the t.co links X appended to the text for them."""
    media, links = [], []
    for item in items:
        url = text(item.get("media_url_https"))
        if item.get("type") != "photo" or not url:
            continue
        media.append(InboundMedia(url=url, media_id=ident(item.get("id_str"))))
        if text(item.get("url")):
            links.append(item["url"])
    return tuple(media), links


def _without(body: str, links: list[str]) -> str:
    for link in links:
        body = body.replace(link, "")
    return body.strip()
