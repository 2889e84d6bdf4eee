"""What the webhooks read of the channel credentials: one JSON secret per channel, read
through the secrets cache."""

from __future__ import annotations

import json

import pytest

from chalicelib import config
from chalicelib.adapters import channel_secrets, secrets


@pytest.fixture
def stored(monkeypatch):
    values = {}

    def secret_bytes(arn):
        if arn not in values:
            raise secrets.SecretUnavailable(arn)
        return values[arn]

    monkeypatch.setattr(secrets, "secret_bytes", secret_bytes)
    monkeypatch.setenv("WHATSAPP_SECRET_ARN", "arn:meta")
    monkeypatch.setenv("MESSENGER_SECRET_ARN", "arn:messenger")
    monkeypatch.setenv("X_SECRET_ARN", "arn:x")
    monkeypatch.setenv("SMS_SECRET_ARN", "arn:sms")
    config.settings.cache_clear()
    yield values
    config.settings.cache_clear()


def test_each_channel_reads_its_own_secret(stored):
    stored["arn:meta"] = json.dumps({"app_secret": "a", "verify_token": "v"}).encode()
    stored["arn:messenger"] = json.dumps({"app_secret": "m", "verify_token": "w"}).encode()
    stored["arn:x"] = json.dumps({"consumer_secret": "c", "user_id": "1", "n": 5}).encode()
    stored["arn:sms"] = json.dumps({"auth_token": "t"}).encode()
    reader = channel_secrets.SecretsManagerChannelSecrets()

    assert reader.meta("whatsapp") == {"app_secret": "a", "verify_token": "v"}
    assert reader.meta("messenger") == {"app_secret": "m", "verify_token": "w"}
    assert reader.x() == {"consumer_secret": "c", "user_id": "1"}  # strings only
    assert reader.sms() == {"auth_token": "t"}


def test_no_arn_is_not_configured(stored, monkeypatch):
    monkeypatch.delenv("X_SECRET_ARN")
    config.settings.cache_clear()
    with pytest.raises(channel_secrets.ChannelNotConfigured) as e:
        channel_secrets.SecretsManagerChannelSecrets().x()
    assert not isinstance(e.value, channel_secrets.ChannelSecretUnavailable)


@pytest.mark.parametrize("raw", [b"not json", b"[1]", b'"s"'])
def test_a_secret_that_is_not_a_json_object_is_not_configured(stored, raw):
    stored["arn:meta"] = raw
    with pytest.raises(channel_secrets.ChannelNotConfigured):
        channel_secrets.SecretsManagerChannelSecrets().meta("whatsapp")


def test_an_unreadable_secret_is_unavailable_not_unconfigured(stored):
    with pytest.raises(channel_secrets.ChannelSecretUnavailable):
        channel_secrets.SecretsManagerChannelSecrets().meta("whatsapp")


def test_require_refuses_empty_values_and_names_the_key():
    values = {"app_secret": "", "verify_token": "v"}
    assert channel_secrets.require(values, "meta", "verify_token") == ("v",)
    with pytest.raises(channel_secrets.ChannelNotConfigured, match="app_secret"):
        channel_secrets.require(values, "meta", "app_secret", "verify_token")
    with pytest.raises(channel_secrets.ChannelNotConfigured, match="page_access_token"):
        channel_secrets.require(values, "meta", "page_access_token")


def test_the_api_may_read_the_channel_secrets_and_gets_their_arns():
    from devstack.resources import load_template

    template = load_template()
    role = template["Resources"]["ApiHandlerRole"]["Properties"]
    allowed = [
        resource
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        if "secretsmanager:GetSecretValue" in statement["Action"]
        for resource in statement["Resource"]
    ]
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    for name, variable in (
        ("SmsChannelSecret", "SMS_SECRET_ARN"),
        ("WhatsAppChannelSecret", "WHATSAPP_SECRET_ARN"),
        ("MessengerChannelSecret", "MESSENGER_SECRET_ARN"),
        ("XChannelSecret", "X_SECRET_ARN"),
    ):
        assert {"Ref": name} in allowed
        assert env[variable] == {"Ref": name}
