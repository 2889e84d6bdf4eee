"""Integration tests: the adapters against the embedded AWS emulator (moto server, real HTTP).

One emulator per test session, its resources created from infra/resources.json by the
same code `make run` uses. Tests stay isolated by using fresh tracking ids (and their own
queues where a queue's whole content matters), never by resetting the emulator.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import boto3
import pytest

from devstack import emulator, resources
from devstack.emulator import LOCAL_AWS_ENV, REGION, Emulator, forget_cached_clients

WEB_ORIGIN = "http://127.0.0.1:8000"
MAX_BYTES = 200_000  # attachments: small, so the oversized upload stays small too


@dataclass
class Stack:
    endpoint: str
    created: resources.Created
    env: dict[str, str]

    def client(self, service: str):
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=LOCAL_AWS_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        )

    @property
    def bucket(self) -> str:
        return self.env["ATTACHMENTS_BUCKET"]

    @property
    def uploads_queue_url(self) -> str:
        return self.env["ATTACHMENT_UPLOADS_QUEUE_URL"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def stack():
    emu = Emulator(_free_port())
    saved = dict(os.environ)
    emu.start()
    try:
        os.environ["AWS_ENDPOINT_URL"] = emu.endpoint
        forget_cached_clients()
        created, env = resources.create_all(
            emu.endpoint, parameters=resources.local_parameters(WEB_ORIGIN)
        )
        os.environ.update(env)
        forget_cached_clients()
        yield Stack(emu.endpoint, created, env)
    finally:
        emu.stop()
        os.environ.clear()
        os.environ.update(saved)
        forget_cached_clients()


@pytest.fixture
def aws(stack):
    """A boto3 client factory for the emulator: ``aws("sqs")``."""
    return stack.client


@pytest.fixture
def s3_env(stack, monkeypatch):
    """The app's environment for attachment tests (a small size limit), one test long."""
    for key, value in {
        **emulator.aws_env(stack.endpoint),
        **stack.env,
        "ATTACHMENT_MAX_BYTES": str(MAX_BYTES),
    }.items():
        monkeypatch.setenv(key, value)
    forget_cached_clients()
    yield stack
    monkeypatch.undo()
    forget_cached_clients()


@pytest.fixture(scope="session")
def seeded_directory(stack):
    """The category taxonomy and agency directory from data/, written once per session."""
    from devstack import seed

    return seed.seed_directory()
