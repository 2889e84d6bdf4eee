"""What an uploaded file really is, and a copy of it without embedded metadata.

Sniffing uses the magic bytes (the ``filetype`` library), never the name or the declared
type. Stripping is lossless: the image data is copied byte for byte, only metadata
containers are left out:

* JPEG: APP1 (Exif — GPS position, camera make/model/serial, dates, thumbnail — and XMP),
  APP13 (Photoshop IRB/IPTC: author, captions, locations), COM comments, every other APPn
  segment except APP0 (JFIF), APP2 ICC_PROFILE (colours) and APP14 (Adobe colour
  transform), and any data after the end-of-image marker (multi-picture trailers).
* PNG: the eXIf, tEXt, zTXt, iTXt and tIME chunks, and data after IEND.
* WebP: the EXIF and XMP chunks (and their VP8X flags).

PDFs are kept as uploaded: their document information (author, creator) is not removed.
Pure Python, no I/O.
"""

from __future__ import annotations

import struct

import filetype


class MalformedFile(ValueError):
    """The bytes do not form a file of the type their magic bytes claim."""


def sniff(data: bytes) -> str | None:
    """The MIME type the content's magic bytes say, or None if unknown."""
    kind = filetype.guess(data[:8192])
    return kind.mime if kind else None


# ---------------------------------------------------------------- JPEG

_SOI, _EOI, _SOS, _COM = 0xD8, 0xD9, 0xDA, 0xFE
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0-7: no length field
_KEEP_APP = {
    0xE0: (b"JFIF\x00", b"JFXX\x00"),
    0xE2: (b"ICC_PROFILE\x00",),
    0xEE: (b"Adobe",),
}


def _app_label(marker: int, payload: bytes) -> str:
    if marker == 0xE1:
        if payload.startswith(b"Exif\x00"):
            return "exif"
        if payload.startswith((b"http://ns.adobe.com/xap/1.0/", b"http://ns.adobe.com/xmp")):
            return "xmp"
        return "app1"
    if marker == 0xED:
        return "iptc"
    if marker == _COM:
        return "comment"
    return f"app{marker - 0xE0}"


def _keep_segment(marker: int, payload: bytes) -> bool:
    if marker == _COM:
        return False
    if 0xE0 <= marker <= 0xEF:
        return payload.startswith(_KEEP_APP.get(marker, (b"\x00never",)))
    return True


def strip_jpeg(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    if not data.startswith(b"\xff\xd8"):
        raise MalformedFile("not a JPEG (no start-of-image marker)")
    out = bytearray(b"\xff\xd8")
    removed: list[str] = []
    pos, n = 2, len(data)
    while True:
        # A marker: 0xFF, optional 0xFF fill bytes, the marker code.
        if pos >= n or data[pos] != 0xFF:
            raise MalformedFile(f"JPEG marker expected at byte {pos}")
        while pos < n and data[pos] == 0xFF:
            pos += 1
        if pos >= n:
            raise MalformedFile("JPEG ends inside a marker")
        marker = data[pos]
        pos += 1
        if marker == _EOI:
            out += b"\xff\xd9"
            if pos < n:
                removed.append("trailer")
            break
        if marker in _STANDALONE:
            out += bytes((0xFF, marker))
            continue
        if marker == _SOI or pos + 2 > n:
            raise MalformedFile("JPEG segment is malformed")
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        end = pos + length
        if length < 2 or end > n:
            raise MalformedFile("JPEG segment runs past the end of the file")
        payload = data[pos + 2 : end]
        if _keep_segment(marker, payload):
            out += bytes((0xFF, marker)) + data[pos:end]
        else:
            removed.append(_app_label(marker, payload))
        pos = end
        if marker == _SOS:
            # Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a
            # restart marker; tables, comments and APPn may follow between scans.
            scan = pos
            while True:
                scan = data.find(b"\xff", scan)
                if scan < 0 or scan + 1 >= n:
                    raise MalformedFile("JPEG image data is truncated (no end-of-image)")
                following = data[scan + 1]
                if following == 0x00 or following == 0xFF or 0xD0 <= following <= 0xD7:
                    scan += 1 if following == 0xFF else 2
                    continue
                break
            out += data[pos:scan]
            pos = scan
    return bytes(out), tuple(dict.fromkeys(removed))


# ---------------------------------------------------------------- PNG

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DROP = {b"eXIf": "exif", b"tEXt": "text", b"zTXt": "text", b"iTXt": "text", b"tIME": "time"}


def strip_png(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    if not data.startswith(_PNG_SIGNATURE):
        raise MalformedFile("not a PNG (bad signature)")
    out = bytearray(_PNG_SIGNATURE)
    removed: list[str] = []
    pos, n = len(_PNG_SIGNATURE), len(data)
    while True:
        if pos + 8 > n:
            raise MalformedFile("PNG is truncated (no IEND chunk)")
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > n:
            raise MalformedFile("PNG chunk runs past the end of the file")
        if kind in _PNG_DROP:
            removed.append(_PNG_DROP[kind])
        else:
            out += data[pos:end]
        pos = end
        if kind == b"IEND":
            if pos < n:
                removed.append("trailer")
            break
    return bytes(out), tuple(dict.fromkeys(removed))


# ---------------------------------------------------------------- WebP

_WEBP_DROP = {b"EXIF": "exif", b"XMP ": "xmp"}
_VP8X_EXIF, _VP8X_XMP = 0x08, 0x04


def strip_webp(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise MalformedFile("not a WebP (bad RIFF header)")
    (riff_size,) = struct.unpack("<I", data[4:8])
    end_of_riff = 8 + riff_size
    if end_of_riff > len(data):
        raise MalformedFile("WebP is truncated")
    chunks = bytearray()
    removed: list[str] = []
    pos = 12
    while pos < end_of_riff:
        if pos + 8 > end_of_riff:
            raise MalformedFile("WebP chunk header is truncated")
        kind, size = struct.unpack("<4sI", data[pos : pos + 8])
        end = pos + 8 + size + (size & 1)
        if end > end_of_riff:
            raise MalformedFile("WebP chunk runs past the end of the file")
        chunk = bytearray(data[pos:end])
        if kind in _WEBP_DROP:
            removed.append(_WEBP_DROP[kind])
        else:
            if kind == b"VP8X" and size >= 1:
                chunk[8] &= ~(_VP8X_EXIF | _VP8X_XMP) & 0xFF
            chunks += chunk
        pos = end
    if end_of_riff < len(data):
        removed.append("trailer")
    out = b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)
    return out, tuple(dict.fromkeys(removed))


_STRIPPERS = {"image/jpeg": strip_jpeg, "image/png": strip_png, "image/webp": strip_webp}


def strip_metadata(content_type: str, data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """A copy without embedded metadata and the names of what was removed.

    Types without a stripper come back unchanged. Raises MalformedFile when the structure
    is broken (which also rejects files that only start like an image)."""
    stripper = _STRIPPERS.get(content_type)
    if stripper is None:
        return data, ()
    return stripper(data)
