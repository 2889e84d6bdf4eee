"""Shared by the channel webhook tests: a recording intake, static credentials, signing
computed here independently of chalicelib (hmac, and the openssl CLI the README uses),
and sample payloads in the providers' documented shapes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import subprocess

META = {
    "app_secret": "test-meta-app-secret",
    "verify_token": "test-verify-token",
    "access_token": "EAAG-test",
    "phone_number_id": "106540352242922",
    "page_access_token": "EAAP-test",
}
X = {
    "consumer_key": "test-consumer-key",
    "consumer_secret": "test-consumer-secret",
    "access_token": "1-test",
    "access_token_secret": "test-ats",
    "user_id": "1708000001",
}


class FakeIntake:
    """The intake service's port: records what the webhooks hand over."""

    def __init__(self):
        self.batches = []

    def accept(self, messages) -> None:
        self.batches.append(list(messages))

    @property
    def messages(self):
        return [m for batch in self.batches for m in batch]


class StaticChannelSecrets:
    """None: not configured; "unavailable": Secrets Manager cannot be read right now."""

    def __init__(self, meta=None, x=None, sms=None):
        self._values = {"meta": meta, "x": x, "sms": sms}

    def _get(self, provider):
        from chalicelib.adapters import channel_secrets as cs

        value = self._values[provider]
        if value is None:
            raise cs.ChannelNotConfigured(provider, "no secret ARN configured")
        if value == "unavailable":
            raise cs.ChannelSecretUnavailable(provider, "the secret cannot be read")
        return dict(value)

    def meta(self, channel):
        return self._get("meta")

    def x(self):
        return self._get("x")

    def sms(self):
        return self._get("sms")


def hub_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def x_signature(secret: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(mac).decode()


def openssl_hmac_hex(secret: str, body: bytes) -> str | None:
    """`openssl dgst -sha256 -hmac SECRET` as the README runs it (None without openssl)."""
    if shutil.which("openssl") is None:
        return None
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", secret],
        input=body,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return out.strip().rsplit(" ", 1)[-1]


def openssl_hmac_base64(secret: str, body: bytes) -> str | None:
    if shutil.which("openssl") is None:
        return None
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", secret, "-binary"],
        input=body,
        capture_output=True,
        check=True,
    ).stdout
    return base64.b64encode(digest).decode()


def dumps(payload) -> bytes:
    return json.dumps(payload).encode()


# -- payloads in the providers' documented shapes --------------------------------------


def whatsapp_text(
    text="Jalan berlubang di depan Pasar Kosambi, mohon segera diperbaiki",
    wamid="wamid.HBgLNjI4MTIzNDU2Nzg5FQIAEhgUM0FBQjQ2QTg2MzVBNTY2NUY5REZCAA==",
    wa_id="6281234567890",
    name="Siti Rahayu",
    phone_number_id=META["phone_number_id"],
):
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": phone_number_id,
                            },
                            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                            "messages": [
                                {
                                    "from": wa_id,
                                    "id": wamid,
                                    "timestamp": "1764400000",
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def whatsapp_status(phone_number_id=META["phone_number_id"]):
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": phone_number_id,
                            },
                            "statuses": [
                                {
                                    "id": "wamid.HBgLNjI4MTIzNDU2Nzg5FQIAERgSQjZGOTUwRDRF",
                                    "status": "delivered",
                                    "timestamp": "1764400001",
                                    "recipient_id": "6281234567890",
                                }
                            ],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def messenger(*events, page_id="109876543210"):
    return {
        "object": "page",
        "entry": [{"id": page_id, "time": 1764400000000, "messaging": list(events)}],
    }


def messenger_text(
    text="Lampu jalan mati di Jl. Dago sejak seminggu", mid="m_AG5Hz2Uq7tuwNEhXfYYKj8"
):
    return {
        "sender": {"id": "6745123987612345"},
        "recipient": {"id": "109876543210"},
        "timestamp": 1764400000000,
        "message": {"mid": mid, "text": text},
    }


def tweet(
    text="@LAPOR1708 Jalan rusak parah di Jl. Soekarno-Hatta &amp; belum diperbaiki",
    tweet_id="1864000000000000001",
    user_id="44196397",
    screen_name="warga_bdg",
    mentions=(X["user_id"],),
    **extra,
):
    return {
        "created_at": "Sat Nov 29 03:00:00 +0000 2026",
        "id": int(tweet_id),
        "id_str": tweet_id,
        "text": text,
        "user": {"id": int(user_id), "id_str": user_id, "screen_name": screen_name},
        "entities": {
            "user_mentions": [
                {"id": int(m), "id_str": m, "screen_name": "LAPOR1708", "indices": [0, 10]}
                for m in mentions
            ]
        },
        **extra,
    }


def dm_event(
    text="Saya ingin melapor pungli di kantor kelurahan",
    event_id="1864000000000000777",
    sender="44196397",
    recipient=X["user_id"],
):
    return {
        "type": "message_create",
        "id": event_id,
        "created_timestamp": "1764400000000",
        "message_create": {
            "target": {"recipient_id": recipient},
            "sender_id": sender,
            "message_data": {"text": text, "entities": {"user_mentions": []}},
        },
    }


def x_payload(tweets=(), dms=(), for_user_id=X["user_id"], **extra):
    payload = {"for_user_id": for_user_id, **extra}
    if tweets:
        payload["tweet_create_events"] = list(tweets)
    if dms:
        payload["direct_message_events"] = list(dms)
        payload["users"] = {
            "44196397": {"id": "44196397", "name": "Warga Bandung", "screen_name": "warga_bdg"}
        }
    return payload
