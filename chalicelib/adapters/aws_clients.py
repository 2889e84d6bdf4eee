"""boto3 clients, created lazily and reused across warm invocations."""

from __future__ import annotations

import functools

from ..config import settings
from . import tracing


@functools.cache
def client(service: str):
    import boto3  # imported on first use: keeps cold starts of routes without AWS calls fast

    tracing.init()
    return boto3.session.Session().client(service, region_name=settings().region)
