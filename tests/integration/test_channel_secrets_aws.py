"""The channels' credentials live in (the emulator's) Secrets Manager as the template
defines them: one JSON secret per channel, the app reading them through the ARNs the
template passes; a webhook verifies with what it read there."""

from __future__ import annotations

import json

import pytest
from chalice.test import Client

from chalicelib import bootstrap, config
from chalicelib.adapters import secrets
from chalicelib.adapters.channel_secrets import META_KEYS, X_KEYS
from devstack.providers import LOCAL_CREDENTIALS
from tests.unit.channel_helpers import FakeIntake, hub_signature, whatsapp_text, x_signature

pytestmark = pytest.mark.integration


@pytest.fixture
def fresh():
    secrets.forget()
    config.settings.cache_clear()
    bootstrap.reset()
    yield
    secrets.forget()
    config.settings.cache_clear()
    bootstrap.reset()


def _value(stack, name):
    arn = stack.env[name]
    return json.loads(stack.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])


def test_the_local_stack_holds_the_webhooks_keys_in_each_channels_secret(stack):
    for channel, variable, keys in (
        ("whatsapp", "WHATSAPP_SECRET_ARN", META_KEYS),
        ("messenger", "MESSENGER_SECRET_ARN", META_KEYS),
        ("x", "X_SECRET_ARN", X_KEYS),
        ("sms", "SMS_SECRET_ARN", ("auth_token",)),
    ):
        assert f":secret:satupintu/dev/channel-{channel}" in stack.env[variable]
        value = _value(stack, variable)
        assert value == LOCAL_CREDENTIALS[channel]
        assert set(keys) <= set(value)


def test_the_webhooks_verify_with_what_they_read_from_secrets_manager(stack, fresh):
    local_meta = LOCAL_CREDENTIALS["whatsapp"]
    local_x = LOCAL_CREDENTIALS["x"]
    intake = FakeIntake()
    bootstrap.override(channel_intake=intake)

    from app import app

    with Client(app) as client:
        body = json.dumps(whatsapp_text(phone_number_id=local_meta["phone_number_id"])).encode()
        r = client.http.post(
            "/channels/whatsapp",
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": hub_signature(local_meta["app_secret"], body),
            },
            body=body,
        )
        assert r.status_code == 200, r.body
        assert [m.sender for m in intake.messages] == ["+6281234567890"]

        r = client.http.get("/channels/x?crc_token=abc")
        assert json.loads(r.body) == {
            "response_token": x_signature(local_x["consumer_secret"], b"abc")
        }
