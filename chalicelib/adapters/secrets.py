"""Secrets read at runtime from AWS Secrets Manager, cached per warm container.

The template passes only the secret's ARN (``TOKEN_SECRET_ARN``); the value never appears
in the function's configuration, where anyone allowed ``lambda:GetFunctionConfiguration``
could read it. One GetSecretValue per container and hour: a rotated value is picked up
within the hour, and if Secrets Manager cannot be reached after that the value read last
keeps working rather than failing every request.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

REFRESH_SECONDS = 3600.0

_lock = threading.Lock()
_cache: dict[str, tuple[bytes, float]] = {}  # secret id -> (value, read at)


class SecretUnavailable(RuntimeError):
    pass


def _read(secret_id: str) -> bytes:
    from . import aws_clients

    response = aws_clients.client("secretsmanager").get_secret_value(SecretId=secret_id)
    value = response.get("SecretString")
    if value is None:
        value = response["SecretBinary"]
    value = value.encode() if isinstance(value, str) else bytes(value)
    if not value:
        raise SecretUnavailable(f"secret {secret_id} is empty")
    return value


def secret_bytes(secret_id: str, *, clock=time.monotonic, read=_read) -> bytes:
    now = clock()
    with _lock:
        cached = _cache.get(secret_id)
        if cached is not None and now - cached[1] < REFRESH_SECONDS:
            return cached[0]
        try:
            value = read(secret_id)
        except Exception as e:
            if cached is not None:
                log.warning("secret refresh failed; using the value read before: %s", type(e))
                return cached[0]
            raise SecretUnavailable(f"secret {secret_id} cannot be read") from e
        _cache[secret_id] = (value, now)
        return value


def forget() -> None:
    with _lock:
        _cache.clear()
