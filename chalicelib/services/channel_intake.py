"""One door for every text channel (SMS, WhatsApp, Messenger, X): a verified inbound
message becomes a report, a status answer or a reporter's reply, through the same
submission service and workflow as the HTTP API, and the sender hears back where they
wrote.

Two ways in:

- ``accept`` (WhatsApp, Messenger, X): the webhook stores each new message in the inbox
  (a conditional write on its key: a provider's redelivery is ignored) and queues its key;
  the webhook answers at once. The intake worker then calls ``process``: it answers the
  message, sends the answer on the channel, and puts the message's media into upload
  slots (the attachment service validates them like any upload).
- ``handle_now`` (SMS): Twilio wants the answer in the webhook's response (TwiML), so the
  message is answered there; only its media go through the queue.

Each step is safe to repeat: a report is submitted with the message's key as its
idempotency key (a retry gets the same tracking id), the answer is recorded before it is
sent and its sending claimed once, and media already put into slots are counted.

Per-sender limits: past ``per_minute`` / ``per_day`` messages a sender's messages are not
processed (their reports would cost the agencies' time and the queue's); the sender is
told so once an hour. Everyone else's messages are not delayed by it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from ..domain import channel_text as texts
from ..domain.channel_text import Help, Malformed, NewReport, Reply, StatusQuery
from ..domain.inbound import InboundMessage
from ..domain.intake import (
    DESCRIPTION_LENGTH,
    NAME_LENGTH,
    TITLE_LENGTH,
    InvalidReport,
    title_from_text,
)
from ..domain.policy import ActionNotAllowedNow, NotPermitted
from ..domain.report import Actor, Channel, Report, Reporter
from .access import Caller
from .attachments import InvalidUpload, ReportClosed, TooManyAttachments
from .ports import (
    ChannelRefused,
    ChannelSender,
    Clock,
    InboundMessages,
    IntakeQueue,
    MediaFetcher,
    MediaTooLarge,
    MediaUnavailable,
    RateLimits,
    ReportNotFound,
    ReportRepository,
)
from .submission import SubmitReport, Submitted

log = logging.getLogger(__name__)

PHONE_CHANNELS = frozenset({Channel.SMS, Channel.WHATSAPP})
STATUS_RESPONSE_CHARS = 300  # of the agency's latest response, in a private answer


@dataclass(frozen=True)
class Answer:
    text: str
    outcome: str  # reported, status, replied, help, invalid, not_found, limited, duplicate
    tracking_id: str | None = None


@dataclass
class ChannelIntake:
    inbox: InboundMessages
    queue: IntakeQueue
    limits: RateLimits
    reports: ReportRepository
    clock: Clock
    submit: Callable[[SubmitReport, str], Submitted]  # (command, idempotency key)
    workflow: Callable[[], object]  # the case workflow (its reply use case)
    sender: Callable[[], ChannelSender]
    media: Callable[[], MediaFetcher]
    attachments: Callable[[], object]  # the attachment service
    per_minute: int = 10
    per_day: int = 100
    retention: timedelta = timedelta(days=30)

    # ------------------------------------------------------------ ways in

    def accept(self, messages: list[InboundMessage]) -> int:
        """Store and queue the messages not seen before; how many were new."""
        new = 0
        for message in messages:
            if not self.inbox.add(message, expires_at=self.clock.now() + self.retention):
                log.info("inbound message already stored", extra={"channel": message.channel})
                stored = self.inbox.get(message.key)
                if stored is not None and not stored.answer_sent:
                    # An earlier delivery stored it and failed before it was queued (the
                    # provider redelivers after an error): queued again; the worker's
                    # step is idempotent.
                    self.queue.enqueue(message.key)
                continue
            new += 1
            limited = self._limited(message)
            if limited is False:
                # Over the limit, and already told so: dropped (an empty answer, so that
                # the worker does nothing with it if a redelivery queues it).
                self.inbox.record_answer(message.key, "", None)
                continue
            if limited is not None:
                self.inbox.record_answer(message.key, limited.text, None)
            self.queue.enqueue(message.key)
        return new

    def handle_now(self, message: InboundMessage) -> Answer:
        """Answer a message in the webhook's response (SMS). A redelivery gets the answer
        the first delivery got."""
        if not self.inbox.add(message, expires_at=self.clock.now() + self.retention):
            stored = self.inbox.get(message.key)
            if stored is not None and stored.answer is not None:
                if stored.tracking_id and stored.media_done < len(message.media):
                    self.queue.enqueue(message.key)  # its media, if queueing them failed
                return Answer(stored.answer, "duplicate", stored.tracking_id)
        else:
            limited = self._limited(message)
            if limited is False:
                self.inbox.record_answer(message.key, "", None)  # a redelivery: still nothing
                return Answer("", "limited")
            if limited is not None:
                self.inbox.record_answer(message.key, limited.text, None)
                self.inbox.claim_send(message.key)
                return limited
        answer = self._answer(message)
        self.inbox.record_answer(message.key, answer.text, answer.tracking_id)
        self.inbox.claim_send(message.key)  # the webhook's response carries it
        if message.media and answer.tracking_id:
            self.queue.enqueue(message.key)  # the worker fetches them
        return answer

    # ------------------------------------------------------------ the worker

    def process(self, key: str) -> str:
        """The intake worker's step for one queued key (idempotent): what happened."""
        stored = self.inbox.get(key)
        if stored is None:
            log.warning("queued inbound message no longer stored: dropped")
            return "gone"
        message: InboundMessage = stored.message
        answer, tracking_id = stored.answer, stored.tracking_id
        if answer is None:
            result = self._answer(message)
            answer, tracking_id = result.text, result.tracking_id
            self.inbox.record_answer(key, answer, tracking_id)
        if tracking_id and message.media:
            self._put_media(stored, tracking_id)
        if answer and self.inbox.claim_send(key):
            try:
                self.sender().send(
                    message.channel.value,
                    message.sender,
                    answer,
                    in_reply_to=message.reply_to if message.public else None,
                )
            except ChannelRefused as e:  # for good (not connected, blocked...): not retried
                log.warning("answer refused by the channel: %s", type(e).__name__)
                return "refused"
            except Exception:
                self.inbox.release_send(key)
                raise
            return "answered"
        return "done"

    # ------------------------------------------------------------ limits

    def _limited(self, message: InboundMessage) -> Answer | bool | None:
        """None: within the limits. An Answer: over them, tell the sender (once an
        hour). False: over them and already told."""
        # The counters' keys name no phone number or account, only a digest of it.
        now, who = self.clock.now(), hashlib.sha256(message.sender_key.encode()).hexdigest()[:32]
        if self.limits.allow(f"sender:{who}", now, self.per_minute, timedelta(minutes=1)) and (
            self.limits.allow(f"sender-day:{who}", now, self.per_day, timedelta(days=1))
        ):
            return None
        log.warning("sender over its limits", extra={"channel": message.channel})
        if self.limits.allow(f"notice:{who}", now, 1, timedelta(hours=1)):
            language = texts.parse(message.text).language
            return Answer(texts.text(language, "slow_down"), "limited")
        return False

    # ------------------------------------------------------------ answers

    def _answer(self, message: InboundMessage) -> Answer:
        command = texts.parse(message.text)
        if isinstance(command, NewReport):
            return self._new_report(message, command)
        if isinstance(command, StatusQuery):
            return self._status(message, command)
        if isinstance(command, Reply):
            return self._reply(message, command)
        if isinstance(command, Malformed):
            key = "usage_status" if command.keyword == "status" else "usage_reply"
            return Answer(texts.text(command.language, key), "invalid")
        assert isinstance(command, Help)
        return Answer(texts.text(command.language, "help"), "help")

    def _reporter(self, message: InboundMessage) -> Reporter:
        # A profile name is a courtesy, not something the sender can fix from a channel: one
        # the intake rules would refuse (an emoji, a very long one) is left out.
        name = message.sender_name
        if name is not None and not (NAME_LENGTH[0] <= len(name.strip()) <= NAME_LENGTH[1]):
            name = None
        if message.channel in PHONE_CHANNELS:
            return Reporter(name=name, phone=message.sender)
        return Reporter(name=name, account=message.sender)

    def _new_report(self, message: InboundMessage, c: NewReport) -> Answer:
        lang = c.language
        if message.public and c.confidential:
            # A public post cannot be made confidential after the fact.
            return Answer(texts.text(lang, "public_confidential"), "invalid")
        command = SubmitReport(
            kind=c.kind,
            title=title_from_text(c.text),
            description=c.text,
            anonymous=c.anonymous,
            confidential=c.confidential,
            reporter=self._reporter(message),
            channel=message.channel,
            language=lang,
        )
        try:
            submitted = self.submit(command, message.key)
        except InvalidReport as e:
            return Answer(_what_is_missing(e, lang), "invalid")
        tid = submitted.tracking_id
        if message.public:
            text = texts.text(lang, "public", tid=tid)
        else:
            text = texts.text(lang, "received", tid=tid)
            if c.anonymous:
                text += texts.text(lang, "received_anonymous")
            if c.confidential:
                text += texts.text(lang, "received_confidential")
        if message.media:
            text += texts.text(lang, "media_note", count=len(message.media))
        return Answer(text, "reported", tid)

    def _find(self, tracking_id: str) -> Report | None:
        try:
            return self.reports.get(tracking_id)
        except ReportNotFound:
            return None

    def _status(self, message: InboundMessage, q: StatusQuery) -> Answer:
        report = self._find(q.tracking_id)
        mine = report is not None and report.sent_by(message.channel.value, message.sender)
        # A confidential report answers only its own reporter, and never in public (a
        # mention's answer is a public post); to anybody else it does not exist (the same
        # answer as an unknown id).
        if report is None or (report.confidential and (not mine or message.public)):
            return Answer(texts.text(q.language, "not_found", tid=q.tracking_id), "not_found")
        agency = texts.text(q.language, "agency", name=report.agency.name) if report.agency else ""
        response = ""
        latest = report.public_responses[-1].message if report.public_responses else None
        if latest and not message.public:  # a public reply carries no agency text
            response = texts.text(
                q.language, "response", text=texts.shorten(latest, STATUS_RESPONSE_CHARS)
            )
        text = texts.text(
            q.language,
            "status",
            tid=report.tracking_id,
            status=_label(report, q.language),
            agency=agency,
            response=response,
        )
        return Answer(text, "status", report.tracking_id)

    def _reply(self, message: InboundMessage, r: Reply) -> Answer:
        caller = Caller(channel_sender=(message.channel.value, message.sender))
        try:
            done = self.workflow().reply(r.tracking_id, caller, message=r.text)
        except ReportNotFound:
            return Answer(texts.text(r.language, "not_found", tid=r.tracking_id), "not_found")
        except (ActionNotAllowedNow, NotPermitted):
            status = _label(self.reports.get(r.tracking_id), r.language)
            text = texts.text(r.language, "cannot_reply", tid=r.tracking_id, status=status)
            return Answer(text, "invalid")
        return Answer(
            texts.text(r.language, "replied", tid=r.tracking_id),
            "replied",
            done.report.tracking_id,
        )

    # ------------------------------------------------------------ media

    def _put_media(self, stored, tracking_id: str) -> None:
        message: InboundMessage = stored.message
        service = self.attachments()
        report = self.reports.get(tracking_id)
        if not report.sent_by(message.channel.value, message.sender):
            return  # a reply to somebody else's report: its media are not attached
        fetcher = self.media()
        for index in range(stored.media_done, len(message.media)):
            item = message.media[index]
            try:
                data, content_type = fetcher.fetch(
                    message.channel.value, item, limit=service.limits.max_bytes
                )
            except (MediaTooLarge, MediaUnavailable) as e:  # for good; anything else retries
                log.warning("inbound media not fetched: %s", type(e).__name__)
                self.inbox.record_media(message.key, index + 1)
                continue
            filename = item.filename or f"{message.channel.value}-{index + 1}"
            try:
                slot = service.open_slot(
                    report,
                    by=Actor.reporter(),
                    filename=filename,
                    content_type=content_type or item.content_type or "",
                    size=len(data),
                )
            except (InvalidUpload, TooManyAttachments, ReportClosed) as e:  # for good
                log.warning("inbound media refused: %s", type(e).__name__)
            else:
                service.store.put(slot.incoming_key, data, slot.content_type)
            self.inbox.record_media(message.key, index + 1)


def _label(report: Report, language: str) -> str:
    return report.status.label if language == "id" else report.status.value.replace("_", " ")


def _what_is_missing(e: InvalidReport, language: str) -> str:
    parts = []
    for problem in e.errors:
        if problem.type == "string_too_long":
            parts.append(texts.text(language, "too_long", high=DESCRIPTION_LENGTH[1]))
        elif problem.field == "description":
            parts.append(texts.text(language, "description", low=DESCRIPTION_LENGTH[0]))
        elif problem.field == "title":
            if not any(p.field == "description" for p in e.errors):
                parts.append(texts.text(language, "title", low=TITLE_LENGTH[0]))
        else:
            parts.append(texts.text(language, "invalid"))
    return texts.text(language, "too_short", what=", ".join(dict.fromkeys(parts)))
