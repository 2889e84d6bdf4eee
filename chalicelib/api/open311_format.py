"""Open311's two formats: XML (schemaless, no namespace, UTF-8 with the declaration) and
JSON (the Spark convention: the XML's lists become arrays). Standard library only.

Every answer, errors included, is in the format the path names (``.json`` or ``.xml``).
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

from chalice import Response

JSON, XML = "json", "xml"
CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    XML: "text/xml; charset=utf-8",
}

# The element each list's items are named in XML.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all (C0 controls but tab, newline, carriage return;
# lone surrogates; U+FFFE/U+FFFF): dropped from text, or the document is not well-formed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def split_format(name: str) -> tuple[str, str | None]:
    """``services.json`` -> (``services``, ``json``); without a suffix, XML (the format
    the specification requires); an unknown suffix -> (name, None)."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        return name, XML
    suffix = suffix.lower()
    return stem, suffix if suffix in CONTENT_TYPES else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _element(parent, name: str, value) -> None:
    node = ET.SubElement(parent, name)
    _fill(node, name, value)


def _fill(node, name: str, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _element(node, key, child)
    elif isinstance(value, list):
        item = ITEM_NAMES[name]
        for child in value:
            _element(node, item, child)
    else:
        node.text = _text(value)


def to_xml(root: str, value) -> str:
    node = ET.Element(root)
    _fill(node, root, value)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(node, encoding="unicode")


def render(fmt: str, root: str, value, status: int = 200, headers: dict | None = None) -> Response:
    """``value`` as the document ``root`` (a list of items, or one object) in ``fmt``."""
    body = json.dumps(value, ensure_ascii=False) if fmt == JSON else to_xml(root, value)
    return Response(
        body=body,
        status_code=status,
        headers={"Content-Type": CONTENT_TYPES[fmt], **(headers or {})},
    )


def errors(fmt: str, status: int, *descriptions: str, headers: dict | None = None) -> Response:
    """The specification's error document: ``[{"code": .., "description": ..}]`` or
    ``<errors><error><code/><description/></error></errors>``; the code is the HTTP status."""
    items = [{"code": status, "description": d} for d in descriptions]
    return render(fmt, "errors", items, status, {"Cache-Control": "no-store", **(headers or {})})
