"""Where the channels' credentials come from: one Secrets Manager secret per channel in
infra/resources.json, only their ARNs in the functions' environment, read only by the
functions that send on (or take in from) the channels; the local stack's stand-in URL
honoured in dev only."""

import json

import pytest

from chalicelib import config
from devstack import providers
from devstack.resources import TEMPLATE

CHANNELS = {"sms": "Sms", "whatsapp": "WhatsApp", "messenger": "Messenger", "x": "X"}
# The roles that may read the channels' credentials: the notifications function sends
# replies; the channel intake worker (issue 10) will verify and answer inbound messages.
# The notifications function and the intake worker send on the channels; the API verifies
# the providers' webhooks with the same credentials.
READERS = {"OnNotificationRole", "OnChannelMessageRole", "ApiHandlerRole"}


@pytest.fixture(scope="module")
def template():
    return json.loads(TEMPLATE.read_text())


def test_the_local_stack_and_the_app_name_the_same_variables():
    assert providers.CHANNEL_SECRET_VARIABLES == config.CHANNEL_SECRET_VARIABLES
    assert set(providers.LOCAL_CREDENTIALS) == set(config.CHANNEL_SECRET_VARIABLES)


def test_one_empty_secret_per_channel_and_only_its_arn_in_the_environment(template):
    resources = template["Resources"]
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    for channel, name in CHANNELS.items():
        secret = resources[f"{name}ChannelSecret"]
        assert secret["Type"] == "AWS::SecretsManager::Secret"
        assert secret["Properties"]["Name"] == {
            "Fn::Sub": f"satupintu/${{Stage}}/channel-{channel}"
        }
        assert secret["Properties"]["SecretString"] == "{}"  # connected by an operator
        assert variables[config.CHANNEL_SECRET_VARIABLES[channel]] == {
            "Ref": f"{name}ChannelSecret"
        }


def _grants(statement, secret_ref):
    actions = statement["Action"]
    actions = [actions] if isinstance(actions, str) else actions
    resources = statement["Resource"]
    resources = [resources] if not isinstance(resources, list) else resources
    return any(
        a in ("secretsmanager:GetSecretValue", "secretsmanager:*", "*") for a in actions
    ) and (secret_ref in resources or "*" in resources)


def test_only_the_channel_functions_may_read_the_channels_credentials(template):
    resources = template["Resources"]
    readers = {}
    for role, res in resources.items():
        if res.get("Type") != "AWS::IAM::Role":
            continue
        for policy in res["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                for name in CHANNELS.values():
                    if _grants(statement, {"Ref": f"{name}ChannelSecret"}):
                        readers.setdefault(role, set()).add(name)
    assert set(readers) <= READERS, readers
    for role in READERS:
        assert readers[role] == set(CHANNELS.values()), role


def test_the_providers_stand_in_is_honoured_in_dev_only(monkeypatch):
    monkeypatch.setenv("CHANNEL_API_URL", "http://127.0.0.1:9999/")
    monkeypatch.setenv("SMS_SECRET_ARN", "arn:aws:secretsmanager:ap-southeast-3:1:secret:s")
    monkeypatch.delenv("X_SECRET_ARN", raising=False)
    try:
        monkeypatch.setenv("SATUPINTU_STAGE", "dev")
        config.settings.cache_clear()
        dev = config.settings()
        assert dev.channel_api_url == "http://127.0.0.1:9999"
        assert dev.channel_secret_arn("sms").endswith(":secret:s")
        assert dev.channel_secret_arn("x") is None

        monkeypatch.setenv("SATUPINTU_STAGE", "prod")
        config.settings.cache_clear()
        assert config.settings().channel_api_url is None
    finally:
        config.settings.cache_clear()
