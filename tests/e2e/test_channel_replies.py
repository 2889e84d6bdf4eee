"""On the local stack: a report that came by SMS, WhatsApp, Messenger or X is routed to
its agency, and the reporter is told on that channel — through the notifications queue,
the event pump, the real senders with the credentials from the emulator's Secrets Manager
and the local fake providers — and `python -m devstack outbox` shows it.

The reports are stored as the channel intake stores them (a report with its channel and
the sender's number or account, then report.submitted), from a process that acts as the
app with the running stack's environment."""

import subprocess
import sys
import time

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e

FILE_REPORT = """
import os, sys
from datetime import UTC, datetime
from devstack import emulator
from devstack.stack import read_state

os.environ.update(read_state()["app_env"])
emulator.forget_cached_clients()
from chalicelib import bootstrap
from chalicelib.domain import tracking_id
from chalicelib.domain.report import Channel, Report, Reporter, ReportKind
from chalicelib.services import access_tokens

channel, contact = Channel(sys.argv[1]), sys.argv[2]
reporter = Reporter(phone=contact) if contact.startswith("+") else Reporter(account=contact)
now = datetime.now(UTC)
report = Report.submit(
    at=now,
    tracking_id=tracking_id.generate(),
    kind=ReportKind.COMPLAINT,
    title="Jalan berlubang di depan pasar",
    description="Jalan di depan Pasar Kosambi berlubang besar sejak tiga bulan.",
    channel=channel,
    anonymous=False,
    confidential=False,
    access_token_hash=access_tokens.digest("unused"),
    reporter=reporter,
    category="infrastruktur",
    region="32.73",
)
bootstrap.reports().add_new(report, None)
bootstrap.publisher().report_submitted(report.tracking_id, now)
print(report.tracking_id)
"""


def _run(stack, *args) -> str:
    out = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def _outbox(stack, *args) -> str:
    return _run(stack, "-m", "devstack", "outbox", *args)


@pytest.mark.parametrize(
    "channel,contact,shown_to",
    [
        ("sms", "+6281299900001", "+6281299900001"),
        ("whatsapp", "+6281299900002", "6281299900002"),
        ("messenger", "7100000000003", "7100000000003"),
        ("x", "1500000000004", "1500000000004"),
    ],
)
def test_the_reporter_is_told_on_their_channel_and_the_outbox_shows_it(
    stack, channel, contact, shown_to
):
    tid = _run(stack, "-c", FILE_REPORT, channel, contact).strip()
    assert len(tid) >= 10, tid

    deadline = time.monotonic() + 45
    shown = ""
    while time.monotonic() < deadline:
        shown = _outbox(stack, "--channel", channel)
        if tid in shown:
            break
        time.sleep(0.5)
    assert tid in shown, shown
    block = next(b for b in shown.split("=== ") if tid in b)
    assert f"Channel: {channel}" in block and f"To:      {shown_to}" in block
    assert "Pemerintah Kota Bandung" in block and "Belum Ditindaklanjuti" in block
    # the e-mail outbox is not where it went
    assert tid not in _outbox(stack, "--channel", "email")
