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

from devstack import resources
from devstack.emulator import LOCAL_AWS_ENV, REGION, Emulator


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _forget_cached_clients() -> None:
    """Settings, boto3 clients and PynamoDB connections are cached per process: drop them
    so the next use reads the environment (the emulator's endpoint) again."""
    from chalicelib import bootstrap, config
    from chalicelib.adapters import aws_clients, dynamodb_models, jwt_verifier

    config.settings.cache_clear()
    aws_clients.client.cache_clear()
    jwt_verifier.default_verifier.cache_clear()
    bootstrap.reset()
    from pynamodb.models import Model

    for value in vars(dynamodb_models).values():
        if isinstance(value, type) and issubclass(value, Model) and value is not Model:
            value._connection = None


@pytest.fixture(scope="session")
def stack():
    emulator = Emulator(_free_port())
    saved = dict(os.environ)
    emulator.start()
    try:
        os.environ["AWS_ENDPOINT_URL"] = emulator.endpoint
        _forget_cached_clients()
        created, env = resources.create_all(emulator.endpoint)
        os.environ.update(env)
        _forget_cached_clients()
        yield Stack(emulator.endpoint, created, env)
    finally:
        emulator.stop()
        os.environ.clear()
        os.environ.update(saved)
        _forget_cached_clients()


@pytest.fixture
def aws(stack):
    """A boto3 client factory for the emulator: ``aws("sqs")``."""
    return stack.client


@pytest.fixture(scope="session")
def seeded_directory(stack):
    """The category taxonomy and agency directory from data/, written once per session."""
    from devstack import seed

    return seed.seed_directory()
