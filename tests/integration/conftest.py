"""Adapters against the AWS emulator (moto server over HTTP), with resources created from
infra/resources.json exactly as the local stack creates them."""

import socket

import pytest

from chalicelib import bootstrap, config
from chalicelib.adapters import aws_clients, dynamodb_models, s3_store
from devstack import emulator, resources

MAX_BYTES = 200_000  # small, so the oversized upload stays small too


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Aws:
    def __init__(self, endpoint: str, env: dict):
        self.endpoint = endpoint
        self.env = env
        self.bucket = env["ATTACHMENTS_BUCKET"]
        self.uploads_queue_url = env["ATTACHMENT_UPLOADS_QUEUE_URL"]

    def client(self, service: str):
        return resources._client(service, self.endpoint)


@pytest.fixture(scope="session")
def aws_stack():
    emu = emulator.Emulator(_free_port()).start()
    try:
        _, env = resources.create_all(
            emu.endpoint, parameters={"WebOrigin": "http://127.0.0.1:8000"}
        )
        yield Aws(emu.endpoint, env)
    finally:
        emu.stop()


def _reset_clients():
    config.settings.cache_clear()
    aws_clients.client.cache_clear()
    s3_store._s3.cache_clear()
    for name in dir(dynamodb_models):
        model = getattr(dynamodb_models, name)
        if isinstance(model, type) and issubclass(model, dynamodb_models.Model):
            model._connection = None
    bootstrap.reset()


@pytest.fixture
def aws(aws_stack, monkeypatch):
    """The app's environment pointed at the emulator for one test."""
    for key, value in {
        **emulator.aws_env(aws_stack.endpoint),
        **aws_stack.env,
        "ATTACHMENT_MAX_BYTES": str(MAX_BYTES),
    }.items():
        monkeypatch.setenv(key, value)
    _reset_clients()
    yield aws_stack
    monkeypatch.undo()
    _reset_clients()
