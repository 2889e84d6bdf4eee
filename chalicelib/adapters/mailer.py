"""E-mail through Amazon SES (moto's SES in the local stack), plain text, UTF-8."""

from __future__ import annotations

from ..config import settings
from .aws_clients import client


class SesMailer:
    def __init__(self, sender: str | None = None):
        self._sender = sender

    @property
    def sender(self) -> str:
        sender = self._sender or settings().mail_sender
        if not sender:
            raise RuntimeError("MAIL_SENDER is not configured (a verified SES identity)")
        return sender

    def send(self, to: str, subject: str, text: str) -> None:
        client("ses").send_email(
            Source=self.sender,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
            },
        )
