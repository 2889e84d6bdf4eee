"""boto3 clients, created lazily and reused across warm invocations.

Every client of the process — boto3's and PynamoDB's — comes from ONE botocore session, so
the endpoint rules, service models and credentials it loads are loaded once per cold
start, not once per client (PynamoDB alone made a session per model class and per
transaction connection; each loaded the DynamoDB model again). A botocore session is not
thread-safe while it creates clients (the local event pump runs handlers in threads), so
client creation holds a lock; the clients themselves are thread-safe.
"""

from __future__ import annotations

import functools
import threading

from ..config import settings
from . import tracing

_creating = threading.Lock()


@functools.cache
def botocore_session():
    import botocore.session

    session = botocore.session.get_session()
    create_client = session.create_client

    def locked_create_client(*args, **kwargs):
        with _creating:
            return create_client(*args, **kwargs)

    session.create_client = locked_create_client
    return session


@functools.cache
def boto3_session():
    """One boto3 session on top (each boto3 session registers its handlers on the
    botocore session again: two would inject S3's upload methods twice)."""
    import boto3

    return boto3.session.Session(botocore_session=botocore_session())


def share_session_with_pynamodb() -> None:
    """PynamoDB connections take their botocore session from this module's session."""
    from pynamodb.connection import base

    base.get_session = botocore_session


@functools.cache
def client(service: str):
    from botocore.config import Config

    tracing.init()
    # Fail fast: a report is already stored when SQS is called, and the outbox sweeper
    # covers a failed send; hanging until the Lambda timeout would lose the response.
    config = Config(
        connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}
    )
    return boto3_session().client(service, region_name=settings().region, config=config)
