"""Static assets under content-hashed names: ``portal.css`` is served as
``/static/portal.<10 hex of its SHA-256>.css`` with a one-year immutable cache, so a
browser fetches each version once and a new version is a new URL. Standard library only."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
}
NAME = re.compile(r"^([a-z0-9-]{1,40})\.([0-9a-f]{10})(\.[a-z]+)$")
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    name: str  # portal.css
    hashed: str  # portal.0123456789.css
    body: str
    content_type: str


@functools.cache
def _all() -> dict[str, Asset]:
    found = {}
    for path in sorted(STATIC_DIR.iterdir()):
        if path.suffix not in TYPES:
            continue
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:10]
        hashed = f"{path.stem}.{digest}{path.suffix}"
        found[path.name] = Asset(path.name, hashed, body.decode(), TYPES[path.suffix])
    return found


def hashed_name(name: str) -> str:
    return _all()[name].hashed


def by_hashed_name(hashed: str) -> Asset | None:
    """The asset this exact hashed name names; an old or made-up hash names nothing."""
    match = NAME.match(hashed)
    if not match:
        return None
    asset = _all().get(match.group(1) + match.group(3))
    return asset if asset and asset.hashed == hashed else None
