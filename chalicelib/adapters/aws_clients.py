"""boto3 clients, created lazily and reused across warm invocations."""

from __future__ import annotations

import functools

from ..config import settings
from . import tracing


@functools.cache
def client(service: str):
    import boto3  # imported on first use: keeps cold starts of routes without AWS calls fast
    from botocore.config import Config

    tracing.init()
    # Fail fast: a report is already stored when SQS is called, and the outbox sweeper
    # covers a failed send; hanging until the Lambda timeout would lose the response.
    config = Config(
        connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}
    )
    return boto3.session.Session().client(service, region_name=settings().region, config=config)
