"""`python -m devstack outbox`: the channels' messages next to the e-mails, filtered by
channel, recipient and number."""

import json

from devstack import outbox


def _record(path, *messages):
    path.write_text("".join(json.dumps(m) + "\n" for m in messages))


def test_channel_messages_are_shown_with_channel_and_recipient(tmp_path, monkeypatch):
    monkeypatch.setattr(outbox, "sent_mail", lambda endpoint: [])
    record = tmp_path / "channel-outbox.jsonl"
    _record(
        record,
        {"channel": "sms", "to": "+6281234567890", "text": "satu", "at": "t1"},
        {"channel": "messenger", "to": "71", "text": "dua", "at": "t2", "tag": "HUMAN_AGENT"},
        {"channel": "x", "to": "(public)", "text": "tiga", "public": True, "in_reply_to": "9"},
    )

    shown = outbox.main("http://emulator", channel_outbox=str(record))
    assert "No e-mails sent yet." in shown
    assert "Channel: sms\nTo:      +6281234567890\nAt:      t1\n\nsatu" in shown
    assert "Channel: messenger [HUMAN_AGENT]" in shown
    assert "To:      (public reply to post 9)" in shown

    only_sms = outbox.main("http://emulator", channel="sms", channel_outbox=str(record))
    assert "satu" in only_sms and "dua" not in only_sms and "e-mails" not in only_sms
    by_number = outbox.main("http://emulator", to="6281234567890", channel_outbox=str(record))
    assert "satu" in by_number and "dua" not in by_number
    last = outbox.main("http://emulator", last=1, channel_outbox=str(record))
    assert "tiga" in last and "satu" not in last


def test_before_anything_was_sent(tmp_path, monkeypatch):
    monkeypatch.setattr(outbox, "sent_mail", lambda endpoint: [])
    shown = outbox.main("http://emulator", channel_outbox=str(tmp_path / "missing.jsonl"))
    assert "No SMS, WhatsApp, Messenger or X messages sent yet." in shown
    assert "dua" not in outbox.main(
        "http://emulator", channel="email", channel_outbox=str(tmp_path / "missing.jsonl")
    )
