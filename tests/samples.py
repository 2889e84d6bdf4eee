"""Real files for attachment tests, made on the fly (Pillow for images)."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
# Gedung Sate, Bandung: the position a phone camera writes into a photo.
GPS = {1: "S", 2: (6.0, 54.0, 8.4), 3: "E", 4: (107.0, 37.0, 7.2)}


def _image(size=(64, 48), colour=(200, 30, 30)) -> Image.Image:
    image = Image.new("RGB", size, colour)
    for x in range(0, size[0], 4):  # some structure, so the encoder has work to do
        image.putpixel((x, x % size[1]), (20, 200, 40))
    return image


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SatuPintu Phone"  # camera make
    exif[0x0131] = "Kamera 1.0"  # software
    exif[GPS_IFD] = GPS
    return exif.tobytes()


def jpeg_with_gps(progressive: bool = False) -> bytes:
    buf = io.BytesIO()
    _image().save(
        buf, "JPEG", exif=_exif(), comment=b"Siti Rahayu", quality=90, progressive=progressive
    )
    return buf.getvalue()


def png(with_exif: bool = False) -> bytes:
    buf = io.BytesIO()
    _image().save(buf, "PNG", **({"exif": _exif()} if with_exif else {}))
    return buf.getvalue()


def webp_with_exif() -> bytes:
    buf = io.BytesIO()
    _image().save(buf, "WEBP", exif=_exif(), lossless=True)
    return buf.getvalue()


def pdf() -> bytes:
    """A minimal valid one-page PDF (with a correct cross-reference table)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def gps_of(data: bytes) -> dict:
    return dict(Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD))


def pixels(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.tobytes()
