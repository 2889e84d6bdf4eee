"""The e-mails the local stack sent: `python -m devstack outbox`.

moto's SES keeps every sent message; moto server lists them (with every other model it
tracks) at ``GET /moto-api/data.json``, in the order they were sent.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass


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


def main(endpoint: str, to: str | None = None, last: int | None = None) -> str:
    mails = sent_mail(endpoint)
    if to:
        mails = [m for m in mails if to.lower() in (a.lower() for a in m.to)]
    if last:
        mails = mails[-last:]
    return render(mails)
