"""What the inbound webhooks read of the channels' credentials: one JSON secret per
channel in Secrets Manager (``SMS_SECRET_ARN``, ``WHATSAPP_SECRET_ARN``,
``MESSENGER_SECRET_ARN``, ``X_SECRET_ARN``; the senders read the same secrets,
``adapters/channel_senders.py``), read at runtime through :mod:`chalicelib.adapters.secrets`
(cached per warm container, refreshed hourly), never in a function's environment. The keys
the webhooks need:

- ``whatsapp`` and ``messenger`` (Meta): ``app_secret`` (signs the webhooks) and
  ``verify_token`` (the subscription handshake);
- ``x``: ``consumer_secret`` (CRC and webhook signatures) and ``user_id`` (the platform
  account's numeric user id);
- ``sms`` (Twilio): ``auth_token`` (webhook signatures).

A missing secret, or an empty key the caller needs, is :class:`ChannelNotConfigured`
(the channel is not enabled: its webhook answers 404 to everybody rather than check a
signature against an empty key); a secret that cannot be read right now is
:class:`ChannelSecretUnavailable` (503: the provider retries).
"""

from __future__ import annotations

import json

from ..config import settings

META_KEYS = ("app_secret", "verify_token")
X_KEYS = ("consumer_secret", "user_id")


class ChannelNotConfigured(RuntimeError):
    """The provider's secret is not configured or lacks a value the caller needs."""

    def __init__(self, provider: str, reason: str):
        super().__init__(f"{provider}: {reason}")
        self.provider = provider


class ChannelSecretUnavailable(ChannelNotConfigured):
    """The secret is configured but Secrets Manager cannot be read (transient)."""


def _read(arn: str | None, provider: str) -> dict[str, str]:
    from .secrets import SecretUnavailable, secret_bytes

    if not arn:
        raise ChannelNotConfigured(provider, "no secret ARN configured")
    try:
        value = json.loads(secret_bytes(arn))
    except SecretUnavailable:
        raise ChannelSecretUnavailable(provider, "the secret cannot be read") from None
    except ValueError:
        raise ChannelNotConfigured(provider, "the secret is not JSON") from None
    if not isinstance(value, dict):
        raise ChannelNotConfigured(provider, "the secret is not a JSON object")
    return {k: v for k, v in value.items() if isinstance(v, str)}


def require(values: dict[str, str], provider: str, *keys: str) -> tuple[str, ...]:
    """The named values, each non-empty; else ChannelNotConfigured naming the key."""
    missing = [k for k in keys if not values.get(k)]
    if missing:
        raise ChannelNotConfigured(provider, f"the secret has no {', '.join(missing)}")
    return tuple(values[k] for k in keys)


class SecretsManagerChannelSecrets:
    def meta(self, channel: str) -> dict[str, str]:
        """The secret of ``whatsapp`` or ``messenger``."""
        return _read(settings().channel_secret_arn(channel), channel)

    def x(self) -> dict[str, str]:
        return _read(settings().channel_secret_arn("x"), "x")

    def sms(self) -> dict[str, str]:
        return _read(settings().channel_secret_arn("sms"), "sms")
