"""The notifications consumer's use case: one message from the notifications queue in,
at most one e-mail per recipient out.

Messages carry ids only (``services/messagebus.py`` and ``services/access_links.py``
enqueue them); this loads what each audience may see and renders it
(``services/mail_texts.py``):

- ``report_event``: the reporter hears of a status change or an agency's message on the
  channel they wrote from (SMS, WhatsApp, Messenger: a short text, ``chat_texts``; X: a
  direct message), else by e-mail, else by SMS to the phone they gave — among the
  channels this deployment has connected. A channel that refuses for good
  (``ChannelRefused``: an invalid number, a closed messaging window) hands over to the
  next one. No contact, no message.
- ``escalation``: an overdue report: the agency's and its parent's contact addresses,
  and an alert to the platform admins. Never the reporter's identity.
- ``access_link``: a fresh access token for the reporter (only its hash is stored, so
  the old one stops working), sent to the contact the reporter proved they own: their
  e-mail, or their phone (by WhatsApp if they reported by WhatsApp, else by SMS).

Sends are idempotent per event and recipient: a marker is claimed (a conditional write)
before sending and released if the send fails, so a redelivered message does not mail
twice and a failed one is retried.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.events import EventType
from ..domain.report import Report, Reporter, TimelineEvent
from . import chat_texts, mail_texts
from .access_links import renew_token
from .mail_texts import Mail
from .ports import (
    Alerts,
    ChannelRefused,
    ChannelSender,
    Directory,
    ReportNotFound,
    ReportRepository,
)

log = logging.getLogger(__name__)

REPORTER_EVENTS = frozenset(
    {
        EventType.ASSIGNED,
        EventType.TRANSFERRED,
        EventType.COMPLETED,
        EventType.ARCHIVED,
        EventType.RESPONDED,
        EventType.INFO_REQUESTED,
        EventType.RESTORED,
    }
)


# ---------------------------------------------------------------- ports


class Mailer(Protocol):
    def send(self, to: str, subject: str, text: str) -> None: ...


class ReporterChannel(Protocol):
    """One way to reach a reporter. ``kind`` names the channel ("email", "sms",
    "whatsapp", "messenger", "x"), ``contact`` the reporter's field it sends to ("email",
    "phone", "account"); ``short``: it takes ``chat_texts``' short texts, not e-mails."""

    kind: str
    contact: str
    short: bool

    def reaches(self, reporter: Reporter | None) -> bool: ...

    def send(self, reporter: Reporter, mail: Mail, **options) -> None: ...


class SentMarkers(Protocol):
    def claim(self, tracking_id: str, key: str) -> bool:
        """Mark ``key`` as sent; False if it already was (or is being) sent."""

    def release(self, tracking_id: str, key: str) -> None:
        """Forget a claim whose send failed, so the retry sends."""


class EmailChannel:
    kind = "email"
    contact = "email"
    short = False

    def __init__(self, mailer: Mailer):
        self.mailer = mailer

    def reaches(self, reporter: Reporter | None) -> bool:
        return bool(reporter and reporter.email)

    def send(self, reporter: Reporter, mail: Mail, **options) -> None:
        self.mailer.send(reporter.email, mail.subject, mail.text)


class ChatChannel:
    """SMS, WhatsApp (to the reporter's phone), Messenger, X (to their account id) through
    the ``ChannelSender`` port. ``options``: ``in_reply_to`` (a public X reply),
    ``human_agent`` (the text carries a person's answer), ``template`` (the message's
    parts, for a channel that sends approved templates)."""

    short = True

    def __init__(self, kind: str, sender: ChannelSender):
        self.kind = kind
        self.contact = "phone" if kind in ("sms", "whatsapp") else "account"
        self.sender = sender

    def reaches(self, reporter: Reporter | None) -> bool:
        """The reporter has the contact and this deployment has connected the channel."""
        return bool(reporter and getattr(reporter, self.contact)) and self.sender.ready(self.kind)

    def send(self, reporter: Reporter, mail: Mail, **options) -> None:
        self.sender.send(self.kind, getattr(reporter, self.contact), mail.text, **options)


CHAT_CHANNELS = ("sms", "whatsapp", "messenger", "x")


# ---------------------------------------------------------------- messages


class Malformed(ValueError):
    """Not a notification this consumer knows: dropped (retrying cannot fix it)."""


class NotReady(Exception):
    """The timeline entry is not readable yet: retried."""


@dataclass(frozen=True)
class Notification:
    kind: str
    tracking_id: str
    event_id: str | None = None
    type: str | None = None
    seq: int | None = None
    agency_id: str | None = None
    request_id: str | None = None
    via: str = "email"


_REQUIRED = {
    "report_event": ("event_id", "tracking_id", "type", "seq"),
    "escalation": ("event_id", "tracking_id", "type", "seq", "agency_id"),
    "access_link": ("tracking_id", "request_id"),
}


def parse(body: str) -> Notification:
    try:
        m = json.loads(body)
    except ValueError:
        raise Malformed("not JSON") from None
    if not isinstance(m, dict) or m.get("kind") not in _REQUIRED:
        raise Malformed("unknown kind")
    kind = m["kind"]
    missing = [f for f in _REQUIRED[kind] if not m.get(f) and m.get(f) != 0]
    if missing:
        raise Malformed(f"{kind} without {', '.join(missing)}")
    strings = ("tracking_id", "event_id", "type", "agency_id", "request_id", "via")
    if any(m.get(f) is not None and not isinstance(m[f], str) for f in strings):
        raise Malformed("a field is not a string")
    if m.get("seq") is not None and (type(m["seq"]) is not int or m["seq"] < 1):
        raise Malformed("seq is not a positive integer")
    if kind == "report_event" and m["type"] not in REPORTER_EVENTS:
        raise Malformed(f"no reporter message for {m['type']}")
    return Notification(
        kind,
        m["tracking_id"],
        m.get("event_id"),
        m.get("type"),
        m.get("seq"),
        m.get("agency_id"),
        m.get("request_id"),
        m.get("via") or "email",
    )


# ---------------------------------------------------------------- the use case


@dataclass
class Notifier:
    reports: ReportRepository
    directory: Directory
    channels: list[ReporterChannel]
    mailer: Mailer
    markers: SentMarkers
    alerts: Alerts
    uow: Callable  # a unit-of-work factory (for a new access token)
    portal_url: str
    time_zone: str = "Asia/Jakarta"
    # The public X post a report came from, when intake kept it: if a direct message is
    # refused, the reporter gets a public reply there (tracking id and status only).
    public_post: Callable[[Report], str | None] | None = None

    def handle(self, n: Notification) -> str:
        """What happened, for the log: sent, duplicate, no_contact, skipped, gone..."""
        try:
            if n.kind == "report_event":
                return self._report_event(n)
            if n.kind == "escalation":
                return self._escalation(n)
            return self._access_link(n)
        except ReportNotFound:
            log.error("notification for a report that does not exist: dropped")
            return "gone"

    def _once(self, tracking_id: str, key: str, send: Callable[[], None]) -> bool:
        if not self.markers.claim(tracking_id, key):
            return False
        try:
            send()
        except Exception:
            self.markers.release(tracking_id, key)
            raise
        return True

    # -- reporters

    def _channel(self, reporter: Reporter | None, kind: str | None = None):
        for channel in self.channels:
            if (kind is None or channel.kind == kind) and channel.reaches(reporter):
                return channel
        return None

    def _reporter_channels(self, report: Report) -> list:
        """Where the reporter can hear from us, best first: the channel they wrote from,
        then e-mail, then SMS to the phone they gave."""
        own = str(report.channel)
        order = ([own] if own in CHAT_CHANNELS else []) + ["email", "sms"]
        found = []
        for kind in dict.fromkeys(order):
            channel = self._channel(report.reporter, kind)
            if channel is not None:
                found.append(channel)
        return found

    def _entry(self, tracking_id: str, seq: int) -> TimelineEvent:
        entry = next((e for e in self.reports.timeline(tracking_id) if e.seq == seq), None)
        if entry is None:
            raise NotReady(f"timeline entry {seq} not found")
        return entry

    def _report_event(self, n: Notification) -> str:
        report = self.reports.get(n.tracking_id)
        channels = self._reporter_channels(report)
        if not channels:
            return "no_contact"
        entry = self._entry(n.tracking_id, n.seq)
        final = n.type == EventType.RESPONDED and entry.action == "final_response"
        human = n.type in (EventType.RESPONDED, EventType.INFO_REQUESTED) and bool(
            mail_texts.reporter_message_note(entry)
        )
        key = f"notified#{n.event_id}#reporter"
        parts = {
            "tracking_id": report.tracking_id,
            "status": mail_texts.status_label(entry.to_status, mail_texts.language(report)),
            "link": mail_texts.report_link(self.portal_url, report.tracking_id),
            "language": mail_texts.language(report),
        }
        for i, channel in enumerate(channels):
            if channel.short:
                message = chat_texts.reporter_update(
                    report, entry, n.type, self.portal_url, channel=channel.kind, final=final
                )
            else:
                message = mail_texts.reporter_update(
                    report, entry, n.type, self.portal_url, final=final
                )
            if message is None:
                return "skipped"
            outcome = self._send_or_refused(
                n.tracking_id,
                key if i == 0 else f"{key}#{channel.kind}",
                lambda c=channel, m=message: c.send(
                    report.reporter, m, human_agent=human, template=parts
                ),
            )
            if outcome != "refused":
                return outcome
            if channel.kind == "x" and (reply := self._public_reply(n, report, entry)):
                return reply
        return "refused"

    def _public_reply(self, n: Notification, report: Report, entry: TimelineEvent) -> str | None:
        """A public reply to the X post the report came from: tracking id and status."""
        post = self.public_post(report) if self.public_post else None
        x = self._channel(report.reporter, "x")
        text = chat_texts.public_update(report, entry, n.type, self.portal_url)
        if not post or x is None or text is None:
            return None
        outcome = self._send_or_refused(
            n.tracking_id,
            f"notified#{n.event_id}#reporter#x-public",
            lambda: x.sender.send("x", "", text.text, in_reply_to=post),
        )
        return None if outcome == "refused" else outcome

    def _send_or_refused(self, tracking_id: str, key: str, send: Callable[[], None]) -> str:
        """sent, duplicate, or refused (the provider refused for good: the marker is
        released, so that a retry of the whole message tries this channel again)."""
        try:
            sent = self._once(tracking_id, key, send)
        except ChannelRefused as e:  # its text: channel, status, provider code; no contact
            log.warning("the reporter's channel refused the message: %s", e)
            return "refused"
        return "sent" if sent else "duplicate"

    def _access_link_channel(self, report: Report, via: str):
        if via != "phone":
            return self._channel(report.reporter, via)
        own = str(report.channel)
        for kind in ([own] if own in ("sms", "whatsapp") else []) + ["sms"]:
            channel = self._channel(report.reporter, kind)
            if channel is not None:
                return channel
        return None

    def _access_link(self, n: Notification) -> str:
        report = self.reports.get(n.tracking_id)
        channel = self._access_link_channel(report, n.via)
        if channel is None:
            # The token is not renewed, so the reporter keeps what they have.
            return "no_channel"

        def renew_and_send() -> None:
            token, renewed = renew_token(self.uow, n.tracking_id)
            texts = chat_texts if channel.short else mail_texts
            channel.send(renewed.reporter, texts.access_link(renewed, token, self.portal_url))

        try:
            sent = self._once(n.tracking_id, f"notified#access-link#{n.request_id}", renew_and_send)
        except ChannelRefused as e:
            # The new token reached nobody: the reporter asks again (their old token is
            # gone, as it would be had the message been lost).
            log.warning("the access link was refused: %s", e)
            return "refused"
        return "sent" if sent else "duplicate"

    # -- escalations

    def _overdue_deadline(self, report, entry: TimelineEvent) -> tuple[str | None, datetime]:
        """The deadline that was missed: as the scheduler noted it, else the report's."""
        kind, _, due = (entry.note or "").partition(" was due ")
        try:
            return kind or None, datetime.fromisoformat(due.strip())
        except ValueError:
            d = report.deadline
            return (d.kind.value, d.due) if d else (None, None)

    def _escalation(self, n: Notification) -> str:
        report = self.reports.get(n.tracking_id)
        entry = self._entry(n.tracking_id, n.seq)
        kind, due = self._overdue_deadline(report, entry)
        agency = self.directory.agency(n.agency_id)
        name = agency.name if agency else n.agency_id
        outcomes = []
        if agency is not None and agency.email:
            mail = mail_texts.escalation(
                n.tracking_id, name, kind, due, self.portal_url, self.time_zone
            )
            outcomes.append(self._mail_once(n, "agency", agency.email, mail))
        parent = self.directory.agency(agency.parent_id) if agency and agency.parent_id else None
        if parent is not None and parent.email:
            mail = mail_texts.escalation(
                n.tracking_id, name, kind, due, self.portal_url, self.time_zone, as_parent=True
            )
            outcomes.append(self._mail_once(n, "parent", parent.email, mail))
        subject, message = mail_texts.escalation_alert(n.tracking_id, n.agency_id, kind, due)
        outcomes.append(
            self._once(
                n.tracking_id,
                f"notified#{n.event_id}#admins",
                lambda: self.alerts.alert(subject, message),
            )
        )
        return "sent" if any(outcomes) else "duplicate"

    def _mail_once(self, n: Notification, who: str, to: str, mail: Mail) -> bool:
        return self._once(
            n.tracking_id,
            f"notified#{n.event_id}#{who}",
            lambda: self.mailer.send(to, mail.subject, mail.text),
        )
