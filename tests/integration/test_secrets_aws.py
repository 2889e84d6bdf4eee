"""The local stack keeps the token secret in (the emulator's) Secrets Manager, as AWS does:
the app reads it at runtime through the ARN the template passes."""

from __future__ import annotations

import pytest

from chalicelib import config
from chalicelib.adapters import secrets

pytestmark = pytest.mark.integration


def test_the_app_reads_the_token_secret_from_secrets_manager(stack, monkeypatch):
    arn = stack.env["TOKEN_SECRET_ARN"]
    assert "TOKEN_SECRET" not in stack.env
    value = stack.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    assert len(value) == 64 and value.isalnum()

    secrets.forget()
    config.settings.cache_clear()
    try:
        assert config.settings().require_token_secret() == value.encode()
    finally:
        config.settings.cache_clear()
