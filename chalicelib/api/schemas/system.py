"""The index and the health check."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Link, _Out


class IndexOut(_Out):
    name: str
    version: str
    links: dict[str, Link] = Field(description="docs, openapi, health, reports.")


class HealthOut(_Out):
    status: Literal["ok"]
    stage: str
