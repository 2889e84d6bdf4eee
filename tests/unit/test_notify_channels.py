"""The reporter hears back on the channel they wrote from: SMS and WhatsApp to their phone,
Messenger and X to their account, e-mail for web/API reports and when the channel refuses
for good; short texts in their language; once per event; access links by text message;
and a public reply that never carries identity or confidential content."""

import json
import re

import pytest

from chalicelib.domain.events import EventType
from chalicelib.domain.report import ArchiveReason, Channel, Reporter, Visibility
from chalicelib.services import access_tokens, chat_texts, messagebus, notify
from chalicelib.services.notify import ChatChannel, EmailChannel, Notifier
from chalicelib.services.ports import ChannelRefused
from tests.builders import submitted_report
from tests.fakes import FakeChannelSender
from tests.unit.test_notify import ADMIN, BANDUNG, OFFICER, PORTAL, T0, World, dispose, tid

PHONE = "+6281234567890"
ACCOUNT = "7311000042"
NAME = "Siti Rahayu"
EMAIL = "siti.rahayu@example.id"


class DmRefused(FakeChannelSender):
    """X refuses direct messages (the user does not accept them); public posts go out."""

    def send(self, channel, to, text, *, in_reply_to=None, human_agent=False, template=None):
        if channel == "x" and not in_reply_to:
            raise ChannelRefused("x: HTTP 403")
        super().send(channel, to, text, in_reply_to=in_reply_to, human_agent=human_agent)


class ChannelWorld(World):
    def __init__(self, public_post=None):
        super().__init__()
        self.sender = FakeChannelSender()
        self.notifier = Notifier(
            reports=self.reports,
            directory=self.directory,
            channels=[EmailChannel(self.mailer)]
            + [ChatChannel(c, self.sender) for c in notify.CHAT_CHANNELS],
            mailer=self.mailer,
            markers=self.markers,
            alerts=self.alerts,
            uow=self.uow,
            portal_url=PORTAL,
            public_post=public_post,
        )

    def file(self, channel, *, phone=None, account=None, email=None, n=1, **fields):
        reporter = Reporter(NAME, phone, email, account)
        return self.submit(n, channel=channel, reporter=reporter, **fields)

    def texts(self):
        return [s[2] for s in self.sender.sent]

    def refuse_x_dms(self) -> DmRefused:
        refusing = DmRefused()
        for c in self.notifier.channels:
            if isinstance(c, ChatChannel):
                c.sender = refusing
        return refusing


@pytest.fixture
def world():
    return ChannelWorld()


@pytest.mark.parametrize(
    "channel,contact,expected_to",
    [
        (Channel.SMS, {"phone": PHONE}, PHONE),
        (Channel.WHATSAPP, {"phone": PHONE}, PHONE),
        (Channel.MESSENGER, {"account": ACCOUNT}, ACCOUNT),
        (Channel.X, {"account": ACCOUNT}, ACCOUNT),
    ],
)
def test_the_reporter_hears_back_on_the_channel_they_used(world, channel, contact, expected_to):
    t = world.file(channel, email=EMAIL, **contact)
    world.act(t, dispose)

    assert world.deliver() == ["sent"]
    ((sent_on, to, text, in_reply_to, human),) = world.sender.sent
    assert (sent_on, to, in_reply_to, human) == (channel.value, expected_to, None, False)
    assert world.mailer.sent == []  # the e-mail is only a fallback
    assert f"Laporan {t} diverifikasi dan diteruskan kepada Pemerintah Kota Bandung" in text
    assert "Status: Belum Ditindaklanjuti." in text
    assert f"{PORTAL}/v1/reports/{t}" in text


def test_the_message_parts_go_along_for_channels_that_send_templates(world):
    t = world.file(Channel.WHATSAPP, phone=PHONE, language="en")
    world.act(t, dispose)
    world.deliver()
    assert world.sender.templates == [
        {
            "tracking_id": t,
            "status": "Awaiting follow-up",
            "link": f"{PORTAL}/v1/reports/{t}",
            "language": "en",
        }
    ]


def test_a_messenger_or_x_reporter_without_phone_or_e_mail_is_still_told(world):
    t = world.file(Channel.MESSENGER, account=ACCOUNT)
    world.act(t, dispose)
    assert world.deliver() == ["sent"]
    assert world.sender.sent[0][:2] == ("messenger", ACCOUNT)


def test_web_reports_go_by_e_mail_and_by_sms_only_without_an_e_mail(world):
    by_mail = world.file(Channel.WEB, phone=PHONE, email=EMAIL, n=1)
    by_sms = world.file(Channel.API, phone=PHONE, n=2)
    world.act(by_mail, dispose)
    world.act(by_sms, dispose)
    assert world.deliver() == ["sent", "sent"]
    assert [to for to, _, _ in world.mailer.sent] == [EMAIL]
    assert [(c, to) for c, to, *_ in world.sender.sent] == [("sms", PHONE)]
    assert by_sms in world.sender.sent[0][2]


def test_a_refusing_channel_hands_over_to_e_mail(world):
    t = world.file(Channel.WHATSAPP, phone=PHONE, email=EMAIL)
    world.sender.refusing.add("whatsapp")  # e.g. outside the 24-hour window
    world.act(t, dispose)

    assert world.deliver() == ["sent"]
    assert [to for to, _, _ in world.mailer.sent] == [EMAIL]
    # then SMS to the same phone, had there been no e-mail
    u = world.file(Channel.WHATSAPP, phone=PHONE, n=2)
    world.act(u, dispose)
    assert world.deliver() == ["sent"]
    assert [(c, to) for c, to, *_ in world.sender.sent] == [("sms", PHONE)]


def test_a_channel_this_deployment_has_not_connected_is_passed_over(world):
    world.sender.not_connected.update({"whatsapp", "sms"})
    t = world.file(Channel.WHATSAPP, phone=PHONE, email=EMAIL, n=1)
    u = world.file(Channel.WEB, phone=PHONE, n=2)
    world.act(t, dispose)
    world.act(u, dispose)
    assert world.deliver() == ["sent", "no_contact"]
    assert [to for to, _, _ in world.mailer.sent] == [EMAIL]
    assert world.sender.sent == []


def test_no_access_link_by_phone_without_a_connected_text_channel(world):
    """The token is not renewed: the reporter keeps the one they have."""
    world.sender.not_connected.add("sms")
    t = world.file(Channel.WEB, phone=PHONE)
    before = world.reports.get(t).access_token_hash
    assert _ask_for_link(world, t, "phone") == ["no_channel"]
    assert world.reports.get(t).access_token_hash == before


def test_when_every_channel_refuses_the_message_is_dropped_not_retried(world, caplog):
    t = world.file(Channel.MESSENGER, account=ACCOUNT)
    world.sender.refusing.add("messenger")
    world.act(t, dispose)
    assert world.deliver() == ["refused"]
    assert world.sender.sent == [] and world.mailer.sent == []
    assert ACCOUNT not in caplog.text and NAME not in caplog.text
    assert "messenger: HTTP 400" in caplog.text


def test_a_channel_failing_for_now_is_retried_and_then_sends_once(world):
    t = world.file(Channel.SMS, phone=PHONE, email=EMAIL)
    world.act(t, dispose)
    queued = list(world.messages.messages)
    world.sender.failing.add("sms")
    with pytest.raises(Exception, match="HTTP 503"):
        world.deliver()
    assert world.sender.sent == [] and world.mailer.sent == []  # no fallback on a blip

    world.sender.failing.clear()
    world.messages.messages = queued
    assert world.deliver() == ["sent"]
    world.messages.messages = queued  # the queue delivers it once more
    assert world.deliver() == ["duplicate"]
    assert len(world.sender.sent) == 1


def test_an_agency_answer_carries_its_message_cut_short_on_sms(world):
    t = world.file(Channel.SMS, phone=PHONE)
    world.act(t, dispose)
    long = "Jalan akan ditambal hari Jumat. " * 20
    world.act(t, lambda r: r.respond(long, actor=OFFICER, at=T0))
    world.deliver()
    *_, (channel, _, text, _, human) = world.sender.sent
    assert channel == "sms" and human is True  # a person's answer
    assert "Pemerintah Kota Bandung menanggapi laporan" in text
    assert 'Pesan: "Jalan akan ditambal hari Jumat.' in text
    assert "selengkapnya di portal" in text
    assert len(text) < 480  # about three SMS segments
    assert "officer.bandung" not in text


def test_chat_texts_in_english_and_the_reply_keyword(world):
    t = world.file(Channel.WHATSAPP, phone=PHONE, language="en")
    world.act(t, dispose)
    world.act(
        t, lambda r: r.request_info("Which gate exactly?", actor=OFFICER, at=T0, sla=world.sla)
    )
    world.deliver()
    disposed, asked = world.texts()
    assert f"Report {t} was verified and passed on to Pemerintah Kota Bandung." in disposed
    assert "Status: Awaiting follow-up." in disposed
    assert "asked for more information" in asked and 'Message: "Which gate exactly?"' in asked
    assert f"Reply: BALAS {t} <your message>." in asked
    assert world.sender.sent[-1][4] is True  # human_agent


def test_internal_notes_never_reach_a_chat(world):
    t = world.file(Channel.MESSENGER, account=ACCOUNT)
    world.act(t, dispose)
    world.act(t, lambda r: r.add_note("Pelapor ini sering mengeluh", actor=OFFICER, at=T0))
    world.act(t, lambda r: r.respond("Kami tindak lanjuti.", actor=OFFICER, at=T0))
    world.deliver()
    assert len(world.sender.sent) == 2
    assert all("sering mengeluh" not in text for text in world.texts())


def test_an_archived_sms_report_tells_why(world):
    t = world.file(Channel.SMS, phone=PHONE)
    world.act(
        t,
        lambda r: r.archive(ArchiveReason.TOO_GENERAL, "Sebutkan lokasinya.", actor=ADMIN, at=T0),
    )
    world.deliver()
    (text,) = world.texts()
    assert "diarsipkan" in text and "Sebutkan lokasinya." in text and "Status: Diarsipkan." in text


def test_the_message_bus_tells_a_reporter_reachable_only_by_account():
    world = ChannelWorld()
    t = world.file(Channel.X, account=ACCOUNT)
    world.act(t, dispose)
    assert [m["kind"] for m in world.messages.messages] == ["report_event"]
    # ids only: never the account
    assert ACCOUNT not in json.dumps(world.messages.messages)


# ---------------------------------------------------------------- access links


def _ask_for_link(world, t, via):
    world.messages.messages.append(
        {"kind": "access_link", "tracking_id": t, "request_id": f"req-{via}", "via": via}
    )
    return world.deliver()


@pytest.mark.parametrize(
    "channel,expected",
    [(Channel.SMS, "sms"), (Channel.WHATSAPP, "whatsapp"), (Channel.WEB, "sms")],
)
def test_an_access_link_by_phone_goes_by_text_message(world, channel, expected):
    t = world.file(channel, phone=PHONE, email=EMAIL)
    before = world.reports.get(t).access_token_hash
    assert _ask_for_link(world, t, "phone") == ["sent"]

    ((sent_on, to, text, _, _),) = world.sender.sent
    assert (sent_on, to) == (expected, PHONE)
    token = re.search(r"#token=(\S+)", text).group(1)
    stored = world.reports.get(t).access_token_hash
    assert stored != before and stored == access_tokens.digest(token)
    assert world.mailer.sent == []
    assert _ask_for_link(world, t, "phone") == ["duplicate"]  # the same request, redelivered


def test_an_access_link_refused_by_the_provider_is_not_retried(world):
    t = world.file(Channel.SMS, phone=PHONE)
    world.sender.refusing.add("sms")
    assert _ask_for_link(world, t, "phone") == ["refused"]


# ---------------------------------------------------------------- public replies


SECRET_NOTE = f"Pelapor {NAME} ({PHONE}) di Jalan Melati 7: petugas akan datang."


def _identity_and_content(report):
    return [
        NAME,
        PHONE,
        PHONE.lstrip("+"),
        ACCOUNT,
        EMAIL,
        report.title,
        report.description,
        "Jalan Melati",
        "petugas akan datang",
    ]


def test_a_refused_dm_falls_back_to_a_public_reply_with_the_tracking_id_and_status_only():
    world = ChannelWorld(public_post=lambda report: "1850000000000000001")
    t = world.file(Channel.X, account=ACCOUNT, email=EMAIL)
    world.act(t, dispose)
    world.deliver()
    assert world.sender.sent[-1][3] is None  # while DMs work: a DM, not a public post

    refusing = world.refuse_x_dms()
    world.act(t, lambda r: r.respond(SECRET_NOTE, actor=OFFICER, at=T0))
    assert world.deliver() == ["sent"]

    ((channel, to, text, in_reply_to, _),) = refusing.sent
    assert (channel, in_reply_to) == ("x", "1850000000000000001")
    assert text == f"Laporan {t}: Proses. Info: {PORTAL}/v1/reports/{t}"
    report = world.reports.get(t)
    for secret in _identity_and_content(report):
        assert secret not in text and secret not in to
    assert world.mailer.sent == []  # the public reply was the fallback


def test_a_confidential_report_never_gets_a_public_reply():
    world = ChannelWorld(public_post=lambda report: "1850000000000000001")
    t = world.file(Channel.X, account=ACCOUNT, email=EMAIL, confidential=True)
    refusing = world.refuse_x_dms()
    world.act(t, dispose)
    assert world.deliver() == ["sent"]
    assert refusing.sent == []  # the DM was refused, and no public post went out
    assert [to for to, _, _ in world.mailer.sent] == [EMAIL]


@pytest.mark.parametrize("confidential", [False, True])
@pytest.mark.parametrize("anonymous", [False, True])
def test_no_public_text_of_any_event_carries_identity_or_content(anonymous, confidential):
    """Every reporter event, with a staff message full of identity and content."""
    report = submitted_report(
        T0,
        tid(9),
        channel=Channel.X,
        reporter=Reporter(NAME, PHONE, EMAIL, ACCOUNT),
        anonymous=anonymous,
        confidential=confidential,
    )
    report.dispose(BANDUNG, actor=ADMIN, at=T0, rule="admin", reason="verified")
    for event_type in notify.REPORTER_EVENTS:
        for action in ("responded", "transferred", "final_response"):
            entry = report.record(
                action, actor=OFFICER, at=T0, note=SECRET_NOTE, visibility=Visibility.PUBLIC
            )
            public = chat_texts.public_update(report, entry, event_type, PORTAL)
            if confidential:
                assert public is None
                continue
            if public is None:
                continue
            for secret in _identity_and_content(report):
                assert secret not in public.text and secret not in public.subject
            assert report.tracking_id in public.text
    assert EventType.RESPONDED in notify.REPORTER_EVENTS


def test_messages_that_tell_nothing_stay_unsent(world):
    """A re-route is told by the new assignment, as by e-mail."""
    t = world.file(Channel.SMS, phone=PHONE)
    report = world.reports.get(t)
    entry = report.record("rerouted", actor=ADMIN, at=T0, note="x")
    assert (
        chat_texts.reporter_update(report, entry, EventType.TRANSFERRED, PORTAL, channel="sms")
        is None
    )
    assert chat_texts.public_update(report, entry, EventType.TRANSFERRED, PORTAL) is None


def test_the_bus_and_the_consumer_agree_on_the_message(world):
    """What the bus enqueues for a chat reporter is what parse() accepts."""
    t = world.file(Channel.WHATSAPP, phone=PHONE)
    world.act(t, dispose)
    (m,) = world.messages.messages
    assert notify.parse(json.dumps(m)).kind == "report_event"
    assert messagebus.tell_reporter  # the handler that queued it
