"""What an uploaded file really is, and a copy of it without embedded metadata.

Sniffing uses the magic bytes (the ``filetype`` library), never the name or the declared
type. Stripping works by ALLOW-list: only what a viewer needs to show the picture is
copied (byte for byte: the image data is never re-encoded); everything else — Exif (GPS,
camera, serial numbers, dates, thumbnails), XMP, IPTC, comments, text, private chunks
and whatever a future tool invents — is left out:

* JPEG: the frame, scan, Huffman/arithmetic and quantisation tables, restart interval and
  the image data; APP0 JFIF (its thumbnail cut, JFXX thumbnails dropped), APP2
  ICC_PROFILE (colours) and APP14 Adobe (colour transform). Every other APPn, COM, the
  JPEG extension markers and anything after the end-of-image marker go.
* PNG: IHDR, PLTE, IDAT, IEND (critical); tRNS (transparency); gAMA, cHRM, sRGB, iCCP,
  cICP, mDCV, cLLI, sBIT (colour); pHYs (pixel size); acTL, fcTL, fdAT (animation). The
  iCCP profile's free-text name is replaced by a neutral one. Everything else (eXIf,
  tEXt, zTXt, iTXt, tIME, bKGD, hIST, sPLT, private chunks...) and data after IEND goes;
  an unknown critical chunk makes the file malformed.
* WebP: VP8, VP8L, VP8X (its Exif/XMP flags cleared), ALPH, ANIM, ANMF (and inside each
  frame only ALPH, VP8, VP8L), ICCP.
* PDF (with pypdf): the document information dictionary, every XMP /Metadata stream and
  /PieceInfo (application private data), unreferenced objects and earlier revisions are
  dropped by writing the document anew; a PDF that cannot be rewritten (damaged, or
  encrypted with a password) is malformed.

Pure Python, no I/O.
"""

from __future__ import annotations

import struct
import zlib

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
# Frames (SOF0-3, 5-7, 9-11, 13-15), DHT, DAC, DQT, DNL, DRI, DHP, EXP: what decoding needs.
_KEEP_MARKERS = {
    *range(0xC0, 0xC4),
    0xC4,
    *range(0xC5, 0xC8),
    *range(0xC9, 0xCC),
    0xCC,
    *range(0xCD, 0xD0),
    _SOS,
    0xDB,
    0xDC,
    0xDD,
    0xDE,
    0xDF,
}
_JFIF = b"JFIF\x00"
_ICC = b"ICC_PROFILE\x00"
_ADOBE = b"Adobe"


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
    if marker == 0xE0 and payload.startswith(b"JFXX\x00"):
        return "thumbnail"
    if 0xE0 <= marker <= 0xEF:
        return f"app{marker - 0xE0}"
    return "extension"


def _kept_payload(marker: int, payload: bytes) -> tuple[bytes | None, str | None]:
    """The payload to copy (None: drop the segment), and a label if something went."""
    if marker in _KEEP_MARKERS:
        return payload, None
    if marker == 0xE0 and payload.startswith(_JFIF) and len(payload) >= 14:
        # version, units, densities; thumbnail size 0x0 and no thumbnail pixels
        thumbnail = payload[12] or payload[13]
        return payload[:12] + b"\x00\x00", "thumbnail" if thumbnail else None
    if marker == 0xE2 and payload.startswith(_ICC):
        return payload, None
    if marker == 0xEE and payload.startswith(_ADOBE) and len(payload) >= 12:
        return payload[:12], None  # version, flags, transform: nothing else
    return None, _app_label(marker, payload)


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
        kept, label = _kept_payload(marker, data[pos + 2 : end])
        if kept is not None:
            out += bytes((0xFF, marker)) + struct.pack(">H", len(kept) + 2) + kept
        if label:
            removed.append(label)
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
_PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND",  # critical
    b"tRNS",  # transparency
    b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP", b"mDCV", b"cLLI", b"sBIT",  # colour
    b"pHYs",  # pixel size
    b"acTL", b"fcTL", b"fdAT",  # animation (APNG)
}  # fmt: skip
_PNG_LABELS = {b"eXIf": "exif", b"tEXt": "text", b"zTXt": "text", b"iTXt": "text"}
_ICC_NAME = b"ICC Profile"  # what Pillow and most tools write


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def _png_label(kind: bytes) -> str:
    if kind in _PNG_LABELS:
        return _PNG_LABELS[kind]
    if kind[1:2].islower():  # the private bit: a vendor's or anybody's own chunk
        return "private"
    return kind.decode("latin-1").strip().lower() or "chunk"


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
        if not kind.isalpha():
            raise MalformedFile("PNG chunk type is not four letters")
        if kind == b"iCCP":
            name, sep, profile = data[pos + 8 : end - 4].partition(b"\x00")
            if not sep:
                raise MalformedFile("PNG iCCP chunk has no profile name")
            if name != _ICC_NAME:
                out += _png_chunk(kind, _ICC_NAME + b"\x00" + profile)
                removed.append("icc-name")
            else:
                out += data[pos:end]
        elif kind in _PNG_KEEP:
            out += data[pos:end]
        elif kind[:1].isupper():
            raise MalformedFile(f"PNG has an unknown critical chunk {kind.decode('latin-1')}")
        else:
            removed.append(_png_label(kind))
        pos = end
        if kind == b"IEND":
            if pos < n:
                removed.append("trailer")
            break
    return bytes(out), tuple(dict.fromkeys(removed))


# ---------------------------------------------------------------- WebP

_WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
_WEBP_FRAME_KEEP = {b"ALPH", b"VP8 ", b"VP8L"}
_WEBP_LABELS = {b"EXIF": "exif", b"XMP ": "xmp"}
_VP8X_EXIF, _VP8X_XMP = 0x08, 0x04
_ANMF_HEADER = 16


def _webp_chunks(data: bytes, pos: int, end: int):
    """(kind, whole chunk bytes) for each chunk between pos and end."""
    while pos < end:
        if pos + 8 > end:
            raise MalformedFile("WebP chunk header is truncated")
        kind, size = struct.unpack("<4sI", data[pos : pos + 8])
        stop = pos + 8 + size + (size & 1)
        if stop > end:
            raise MalformedFile("WebP chunk runs past the end of the file")
        yield kind, bytearray(data[pos:stop])
        pos = stop


def _webp_label(kind: bytes) -> str:
    return _WEBP_LABELS.get(kind) or kind.decode("latin-1").strip().lower() or "chunk"


def _webp_frame(chunk: bytearray, removed: list[str]) -> bytes:
    """An ANMF chunk with only the frame data inside (its own chunks filtered too)."""
    if len(chunk) < 8 + _ANMF_HEADER:
        raise MalformedFile("WebP animation frame is truncated")
    body = bytearray(chunk[8 : 8 + _ANMF_HEADER])
    for kind, inner in _webp_chunks(bytes(chunk), 8 + _ANMF_HEADER, len(chunk)):
        if kind in _WEBP_FRAME_KEEP:
            body += inner
        else:
            removed.append(_webp_label(kind))
    return b"ANMF" + struct.pack("<I", len(body)) + bytes(body)


def strip_webp(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise MalformedFile("not a WebP (bad RIFF header)")
    (riff_size,) = struct.unpack("<I", data[4:8])
    end_of_riff = 8 + riff_size
    if end_of_riff > len(data):
        raise MalformedFile("WebP is truncated")
    chunks = bytearray()
    removed: list[str] = []
    for kind, chunk in _webp_chunks(data, 12, end_of_riff):
        if kind not in _WEBP_KEEP:
            removed.append(_webp_label(kind))
            continue
        if kind == b"VP8X" and len(chunk) > 8:
            chunk[8] &= ~(_VP8X_EXIF | _VP8X_XMP) & 0xFF
        if kind == b"ANMF":
            chunk = _webp_frame(chunk, removed)
        chunks += chunk
    if end_of_riff < len(data):
        removed.append("trailer")
    out = b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)
    return out, tuple(dict.fromkeys(removed))


# ---------------------------------------------------------------- PDF


def strip_pdf(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """The document written anew without its information dictionary, XMP metadata and
    application private data (pypdf loads on first use)."""
    import io

    try:
        from pypdf import PdfReader, PdfWriter
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
    except ImportError as e:  # pragma: no cover - pinned in requirements.txt
        raise MalformedFile(f"PDFs cannot be cleaned here ({e})") from None
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise MalformedFile("the PDF is protected by a password; send it without one")
        removed: list[str] = []
        info = reader.trailer.get("/Info")
        if info is not None and len(info.get_object()):
            removed.append("info")
        writer = PdfWriter(clone_from=reader)
        writer.pdf_header = reader.pdf_header  # keep the version the features need
        writer.metadata = None
        seen: set[int] = set()
        stack = [writer.root_object]
        while stack:
            obj = stack.pop()
            if isinstance(obj, IndirectObject):
                if obj.idnum in seen:
                    continue
                seen.add(obj.idnum)
                obj = obj.get_object()
            if isinstance(obj, DictionaryObject):
                for key, label in (("/Metadata", "xmp"), ("/PieceInfo", "private")):
                    if key in obj:
                        del obj[key]
                        removed.append(label)
                stack.extend(obj.values())
            elif isinstance(obj, ArrayObject):
                stack.extend(obj)
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except MalformedFile:
        raise
    except Exception as e:
        raise MalformedFile(f"the PDF could not be read ({type(e).__name__})") from None
    return out.getvalue(), tuple(dict.fromkeys(removed))


_STRIPPERS = {
    "image/jpeg": strip_jpeg,
    "image/png": strip_png,
    "image/webp": strip_webp,
    "application/pdf": strip_pdf,
}


def strip_metadata(content_type: str, data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """A copy without embedded metadata and the names of what was removed.

    Types without a stripper come back unchanged. Raises MalformedFile when the structure
    is broken (which also rejects files that only start like an image)."""
    stripper = _STRIPPERS.get(content_type)
    if stripper is None:
        return data, ()
    return stripper(data)
