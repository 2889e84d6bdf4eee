"""JSON logs: one object per line, bound context, contact data never written."""

import io
import json
import logging
import re
from datetime import UTC, datetime

import pytest

from chalicelib import logs

PHONE = "+6281234567890"
EMAIL = "siti@example.id"


@pytest.fixture(autouse=True)
def clean_context():
    logs.reset()
    yield
    logs.reset()


@pytest.fixture
def capture():
    """A logger writing through JsonFormatter into a buffer; returns (logger, lines)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("satupintu.test.logs")
    logger.handlers = [handler]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False

    def lines():
        return stream.getvalue().splitlines()

    yield logger, lines
    logger.handlers = []


def _one(lines) -> dict:
    [line] = lines()
    return json.loads(line)


def test_one_json_object_with_the_bound_context_and_extra_fields(capture):
    log, lines = capture
    logs.bind(request_id="req-123")
    logs.bind(tracking_id="23456789AM")

    log.info("report %s stored", "23456789AM", extra={"channel": "sms", "attempt": 2})

    entry = _one(lines)
    assert entry["message"] == "report 23456789AM stored"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "satupintu.test.logs"
    assert entry["request_id"] == "req-123"
    assert entry["tracking_id"] == "23456789AM"
    assert entry["channel"] == "sms"
    assert entry["attempt"] == 2
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
    # none of logging's own record attributes leak into the line
    assert not {"args", "msg", "levelno", "pathname", "thread", "created"} & set(entry)


@pytest.mark.parametrize(
    "field", ["phone", "email", "reporter", "nik", "handle", "sender", "account", "wa_id", "psid"]
)
def test_contact_fields_passed_as_extra_are_dropped(capture, field):
    log, lines = capture
    value = {"name": "Siti", "phone": PHONE, "email": EMAIL} if field == "reporter" else PHONE

    log.warning("delivery failed", extra={field: value, "tracking_id": "23456789AM"})

    entry = _one(lines)
    assert field not in entry
    assert entry["tracking_id"] == "23456789AM"
    assert PHONE not in lines()[0]
    assert EMAIL not in lines()[0]


def test_exceptions_stay_on_one_line(capture):
    log, lines = capture
    try:
        raise RuntimeError("queue unavailable")
    except RuntimeError:
        log.exception("publish failed")

    entry = _one(lines)
    assert entry["level"] == "ERROR"
    assert "Traceback" in entry["exception"]
    assert "RuntimeError: queue unavailable" in entry["exception"]


def test_values_json_cannot_encode_are_written_as_text_and_unicode_is_kept(capture):
    log, lines = capture
    at = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    log.info("Jalan berlubang — Kota Bandung", extra={"occurred_at": at})
    entry = _one(lines)
    assert entry["occurred_at"] == str(at)
    assert "Jalan berlubang — Kota Bandung" in lines()[0]


def test_reset_clears_the_context(capture):
    log, lines = capture
    logs.bind(request_id="req-1", tracking_id="23456789AM")
    logs.reset()
    log.info("after reset")
    entry = _one(lines)
    assert "request_id" not in entry
    assert "tracking_id" not in entry


def test_reset_with_a_token_restores_the_previous_context(capture):
    log, lines = capture
    logs.bind(request_id="req-1")
    token = logs.bind(message_id="msg-1", tracking_id="23456789AM")
    logs.reset(token)
    log.info("back to the request")
    entry = _one(lines)
    assert entry["request_id"] == "req-1"
    assert "message_id" not in entry
    assert "tracking_id" not in entry


def test_configure_installs_one_json_handler_on_the_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        # Start as a fresh Lambda container would: no JSON handler yet.
        root.handlers = [h for h in handlers if not isinstance(h.formatter, logs.JsonFormatter)]
        logs.configure("DEBUG")
        logs.configure("DEBUG")
        json_handlers = [h for h in root.handlers if isinstance(h.formatter, logs.JsonFormatter)]
        assert len(json_handlers) == 1
        assert root.level == logging.DEBUG
        assert logging.getLogger("botocore").level == logging.WARNING
    finally:
        root.handlers = handlers
        root.setLevel(level)


def test_bound_and_lookalike_contact_fields_are_dropped_and_core_fields_kept(capsys):
    import json as _json
    import logging as _logging

    from chalicelib import logs as _logs

    formatter = _logs.JsonFormatter()
    token = _logs.bind(phone="+628123", tracking_id="ABC")
    try:
        record = _logging.LogRecord("t", _logging.INFO, __file__, 1, "hello", (), None)
        record.reporter_email = "a@b.id"
        record.phone_number = "0812"
        record.level = "FAKE"
        entry = _json.loads(formatter.format(record))
    finally:
        _logs.reset(token)
    assert entry["tracking_id"] == "ABC"
    assert entry["level"] == "INFO" and entry["message"] == "hello"
    assert not {"phone", "reporter_email", "phone_number"} & set(entry)
