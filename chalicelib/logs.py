"""Structured JSON logs, one object per line, with the request id and tracking id.

Hand-written (a few lines) rather than aws-lambda-powertools' Logger, whose import alone
costs ~100 ms of cold start. Contact details are never passed to the logger; as a second
line of defence, record fields named like contact data are dropped.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time

_context: contextvars.ContextVar[dict] = contextvars.ContextVar("log_context", default=None)

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# Any field whose name contains one of these is dropped (phone_number, reporter_email...).
# identity, also as the channels name it (a sender, a WhatsApp id, a page-scoped id, an account)
_NEVER_LOGGED = (
    "phone",
    "email",
    "nik",
    "reporter",
    "handle",
    "msisdn",
    "sender",
    "account",
    "wa_id",
    "psid",
)


def bind(**fields) -> contextvars.Token:
    """Add fields (request_id, tracking_id, ...) to every log line of this invocation."""
    return _context.set({**(_context.get() or {}), **fields})


def reset(token: contextvars.Token | None = None) -> None:
    if token is None:
        _context.set(None)
    else:
        _context.reset(token)


def _allowed(key: str) -> bool:
    lowered = key.lower()
    return not key.startswith("_") and not any(word in lowered for word in _NEVER_LOGGED)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = {**(_context.get() or {})}
        fields.update((k, v) for k, v in vars(record).items() if k not in _STANDARD)
        for key, value in fields.items():
            # The core fields always win over bound or extra fields of the same name.
            if key not in entry and _allowed(key):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is at the time (Lambda, local server, tests)."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


def configure(level: str = "INFO") -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = _StdoutHandler()
    handler.setFormatter(JsonFormatter())
    # Lambda installs its own plain-text handler; replace it so every line is JSON.
    root.handlers = [handler]
    root.setLevel(level)
    for noisy in ("botocore", "urllib3", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
