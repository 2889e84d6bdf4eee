"""Magic-byte sniffing and lossless metadata stripping on real files."""

import io
import struct

import pytest
from PIL import Image

from chalicelib.domain import media
from tests import samples


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (samples.jpeg_with_gps(), "image/jpeg"),
        (samples.png(), "image/png"),
        (samples.webp_with_exif(), "image/webp"),
        (samples.pdf(), "application/pdf"),
        (samples.HTML, None),
        (b"", None),
        (b"GIF89a" + b"\x00" * 20, "image/gif"),
    ],
)
def test_sniff_reads_the_content_not_the_name(data, mime):
    assert media.sniff(data) == mime


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_loses_gps_exif_and_comment_but_not_a_pixel(progressive):
    original = samples.jpeg_with_gps(progressive)
    assert samples.gps_of(original)  # the sample really carries a position
    assert b"Siti Rahayu" in original and b"SatuPintu Phone" in original

    stripped, removed = media.strip_jpeg(original)

    assert set(removed) == {"exif", "comment"}
    assert samples.gps_of(stripped) == {}
    assert b"Siti Rahayu" not in stripped and b"SatuPintu Phone" not in stripped
    assert b"Exif\x00" not in stripped
    assert samples.pixels(stripped) == samples.pixels(original)  # lossless
    assert media.sniff(stripped) == "image/jpeg"


def test_jpeg_keeps_icc_profile_and_drops_xmp_iptc_and_trailers():
    buf = io.BytesIO()
    icc = b"\x00" * 128  # the content does not matter to the stripper
    Image.new("RGB", (8, 8)).save(buf, "JPEG", icc_profile=icc)
    base = buf.getvalue()

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload

    xmp = segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>GPS</x:xmpmeta>")
    iptc = segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04 Bandung")
    ducky = segment(0xEC, b"Ducky\x00\x00")
    data = base[:2] + xmp + iptc + ducky + base[2:] + b"TRAILER-with-secrets"

    stripped, removed = media.strip_jpeg(data)

    assert set(removed) == {"xmp", "iptc", "app12", "trailer"}
    assert b"ICC_PROFILE\x00" in stripped
    for secret in (b"xmpmeta", b"Bandung", b"Ducky", b"TRAILER"):
        assert secret not in stripped
    assert samples.pixels(stripped) == samples.pixels(base)


@pytest.mark.parametrize(
    "broken",
    [
        b"\xff\xd8\xff\xe0\x00",  # truncated length
        b"\xff\xd8\xff\xe1\x00\x40Exif",  # segment runs past the end
        samples.jpeg_with_gps()[:-40],  # no end-of-image
        b"\xff\xd8" + samples.HTML,  # starts like a JPEG, is not one
    ],
)
def test_broken_jpeg_is_malformed(broken):
    with pytest.raises(media.MalformedFile):
        media.strip_jpeg(broken)


def test_png_loses_exif_and_text_chunks():
    image = Image.new("RGB", (16, 16), (1, 2, 3))
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Siti Rahayu")
    info.add_itxt("Location", "Jalan Ahmad Yani", zip=True)
    buf = io.BytesIO()
    image.save(buf, "PNG", pnginfo=info, exif=Image.Exif().tobytes())
    original = buf.getvalue() + b"junk after IEND"

    stripped, removed = media.strip_png(original)

    assert set(removed) >= {"text", "trailer"}
    assert b"Siti Rahayu" not in stripped and b"Author" not in stripped
    assert samples.pixels(stripped) == samples.pixels(original)
    with pytest.raises(media.MalformedFile):
        media.strip_png(original[:40])


def test_webp_loses_exif_chunk_and_flag():
    original = samples.webp_with_exif()
    assert b"EXIF" in original

    stripped, removed = media.strip_webp(original)

    assert removed == ("exif",)
    assert b"EXIF" not in stripped and b"SatuPintu Phone" not in stripped
    assert struct.unpack("<I", stripped[4:8])[0] == len(stripped) - 8
    assert samples.pixels(stripped) == samples.pixels(original)
    assert dict(Image.open(io.BytesIO(stripped)).getexif()) == {}


def test_pdf_is_passed_through_unchanged():
    assert media.strip_metadata("application/pdf", samples.pdf()) == (samples.pdf(), ())


def test_clean_files_come_back_identical():
    clean = samples.png()
    assert media.strip_metadata("image/png", clean) == (clean, ())
