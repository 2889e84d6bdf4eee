"""What the local stack sent: `python -m devstack outbox`.

E-mails: moto's SES keeps every sent message; moto server lists them (with every other
model it tracks) at ``GET /moto-api/data.json``, in the order they were sent.
SMS, WhatsApp, Messenger and X messages: the local fake providers (devstack/providers.py)
append each message they accepted to a JSON-lines file in the stack's state directory.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CHANNELS = ("email", "sms", "whatsapp", "messenger", "x")


@dataclass(frozen=True)
class SentMail:
    id: str
    source: str
    to: list[str]
    subject: str
    body: str


def sent_mail(endpoint: str, timeout: float = 10.0) -> list[SentMail]:
    """Every e-mail sent through the emulator's SES, oldest first."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=timeout) as r:
        data = json.loads(r.read())
    mails = []
    for m in data.get("ses", {}).get("Message", []):
        destinations = m.get("destinations") or {}
        to = [a for key in ("ToAddresses", "CcAddresses") for a in destinations.get(key, [])]
        mails.append(
            SentMail(
                m.get("id", ""), m.get("source", ""), to, m.get("subject", ""), m.get("body", "")
            )
        )
    return mails


def render(mails: list[SentMail]) -> str:
    if not mails:
        return "No e-mails sent yet."
    blocks = []
    for i, m in enumerate(mails, 1):
        blocks.append(
            "\n".join(
                [
                    f"=== {i}/{len(mails)} " + "=" * 50,
                    f"From:    {m.source}",
                    f"To:      {', '.join(m.to)}",
                    f"Subject: {m.subject}",
                    "",
                    m.body.rstrip("\n"),
                ]
            )
        )
    return "\n\n".join(blocks)


def render_channel_messages(messages: list[dict]) -> str:
    if not messages:
        return "No SMS, WhatsApp, Messenger or X messages sent yet."
    blocks = []
    for i, m in enumerate(messages, 1):
        to = m.get("to", "")
        if m.get("public"):
            to = f"(public reply to post {m.get('in_reply_to')})"
        extra = f" [{m['tag']}]" if m.get("tag") else ""
        blocks.append(
            "\n".join(
                [
                    f"=== {i}/{len(messages)} " + "=" * 50,
                    f"Channel: {m.get('channel', '')}{extra}",
                    f"To:      {to}",
                    f"At:      {m.get('at', '')}",
                    "",
                    str(m.get("text", "")).rstrip("\n"),
                ]
            )
        )
    return "\n\n".join(blocks)


def main(
    endpoint: str,
    to: str | None = None,
    last: int | None = None,
    *,
    channel: str | None = None,
    channel_outbox: str | None = None,
) -> str:
    """E-mails first, then the other channels' messages; ``channel`` shows one only."""
    sections = []
    if channel in (None, "email"):
        mails = sent_mail(endpoint)
        if to:
            mails = [m for m in mails if to.lower() in (a.lower() for a in m.to)]
        if last:
            mails = mails[-last:]
        sections.append(render(mails))
    if channel != "email" and channel_outbox is not None:
        from .providers import read_record

        messages = read_record(Path(channel_outbox))
        if channel:
            messages = [m for m in messages if m.get("channel") == channel]
        if to:
            messages = [m for m in messages if m.get("to", "").lstrip("+") == to.lstrip("+")]
        if last:
            messages = messages[-last:]
        sections.append(render_channel_messages(messages))
    return "\n\n".join(sections)
