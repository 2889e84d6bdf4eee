"""Reading a provider's JSON defensively: a payload comes signed by the provider, but a
field of an unexpected type is skipped, never a 500."""

from __future__ import annotations

MAX_ID_LENGTH = 256


def objects(value) -> list[dict]:
    """The dicts in a list (anything else: none)."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def obj(value) -> dict:
    return value if isinstance(value, dict) else {}


def text(value) -> str | None:
    return value if isinstance(value, str) else None


def ident(value) -> str | None:
    """A provider id: a non-empty string of reasonable length (numbers become strings)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH and value.isprintable():
        return value
    return None
