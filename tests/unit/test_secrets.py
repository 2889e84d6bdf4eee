"""TOKEN_SECRET comes from Secrets Manager at runtime, cached; the template passes its ARN."""

from __future__ import annotations

import pytest

from chalicelib import config
from chalicelib.adapters import secrets
from devstack.resources import load_template


@pytest.fixture(autouse=True)
def fresh_cache():
    secrets.forget()
    config.settings.cache_clear()
    yield
    secrets.forget()
    config.settings.cache_clear()


class Reader:
    def __init__(self, *values):
        self.values, self.calls = list(values), 0

    def __call__(self, secret_id):
        self.calls += 1
        value = self.values.pop(0)
        if isinstance(value, Exception):
            raise value
        return value


def test_read_once_per_container_and_hour():
    read, now = Reader(b"one", b"two"), [0.0]
    get = lambda: secrets.secret_bytes("arn:s", clock=lambda: now[0], read=read)  # noqa: E731

    assert get() == b"one" and get() == b"one"
    now[0] = secrets.REFRESH_SECONDS - 1
    assert get() == b"one" and read.calls == 1
    now[0] = secrets.REFRESH_SECONDS + 1
    assert get() == b"two" and read.calls == 2


def test_an_outage_after_the_first_read_keeps_the_value_read_before():
    read, now = Reader(b"one", RuntimeError("endpoint down")), [0.0]
    assert secrets.secret_bytes("arn:s", clock=lambda: now[0], read=read) == b"one"
    now[0] = secrets.REFRESH_SECONDS + 1
    assert secrets.secret_bytes("arn:s", clock=lambda: now[0], read=read) == b"one"


def test_no_value_ever_read_fails_closed():
    with pytest.raises(secrets.SecretUnavailable):
        secrets.secret_bytes("arn:s", read=Reader(RuntimeError("AccessDenied")))


def test_settings_read_the_secret_from_its_arn_not_the_environment(monkeypatch):
    monkeypatch.setenv("SATUPINTU_STAGE", "prod")
    monkeypatch.setenv("TOKEN_SECRET_ARN", "arn:aws:secretsmanager:ap-southeast-3:1:secret:x")
    monkeypatch.delenv("TOKEN_SECRET", raising=False)
    seen = []
    cfg = config.settings()
    assert cfg.token_secret is None
    monkeypatch.setattr(
        secrets,
        "secret_bytes",
        lambda secret_id: seen.append(secret_id) or b"from-secrets-manager",
    )
    assert cfg.require_token_secret() == b"from-secrets-manager"
    assert seen == ["arn:aws:secretsmanager:ap-southeast-3:1:secret:x"]


def test_outside_dev_nothing_falls_back_to_the_public_dev_secret(monkeypatch):
    monkeypatch.setenv("SATUPINTU_STAGE", "prod")
    monkeypatch.delenv("TOKEN_SECRET_ARN", raising=False)
    monkeypatch.delenv("TOKEN_SECRET", raising=False)
    with pytest.raises(RuntimeError, match="TOKEN_SECRET_ARN"):
        config.settings().require_token_secret()


def test_the_template_passes_the_secrets_arn_never_its_value():
    template = load_template()
    variables = template["Globals"]["Function"]["Environment"]["Variables"]

    assert variables["TOKEN_SECRET_ARN"] == {"Ref": "TokenSecret"}
    assert "TOKEN_SECRET" not in variables
    assert "{{resolve:" not in str(template)  # no dynamic reference resolved into config
    assert template["Resources"]["TokenSecret"]["Type"] == "AWS::SecretsManager::Secret"


def test_the_staff_pool_requires_a_software_token_at_every_sign_in():
    pool = load_template()["Resources"]["StaffUserPool"]["Properties"]
    assert pool["MfaConfiguration"] == "ON"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]  # no SMS: SIM swaps
