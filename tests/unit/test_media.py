"""Magic-byte sniffing and lossless metadata stripping on real files."""

import io
import struct
import zlib

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


# -- allow-lists: what is not needed to render is not copied -------------------------------


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def _png_with(*chunks: bytes, image=None) -> bytes:
    """A PNG with extra chunks inserted right after IHDR."""
    buf = io.BytesIO()
    (image or Image.new("RGB", (16, 16), (9, 8, 7))).save(buf, "PNG")
    data = buf.getvalue()
    ihdr_end = 8 + 12 + 13
    return data[:ihdr_end] + b"".join(chunks) + data[ihdr_end:]


def test_a_private_png_chunk_with_a_name_and_coordinates_does_not_survive():
    secret = b"Siti Rahayu;-6.902,107.618"
    original = _png_with(_png_chunk(b"prVt", secret), _png_chunk(b"bKGD", b"\x00\x01" * 3))

    stripped, removed = media.strip_png(original)

    assert secret not in stripped and b"prVt" not in stripped and b"bKGD" not in stripped
    assert set(removed) == {"private", "bkgd"}
    assert samples.pixels(stripped) == samples.pixels(original)


def test_png_keeps_what_rendering_needs_and_neutralises_the_icc_name():
    image = Image.new("RGBA", (16, 16), (9, 8, 7, 128))
    buf = io.BytesIO()
    image.save(buf, "PNG", icc_profile=b"\x00" * 128, dpi=(300, 300))
    data = buf.getvalue()  # Pillow names the profile "ICC Profile": kept as it is
    gama = _png_chunk(b"gAMA", struct.pack(">I", 45455))
    original = _png_with(gama, image=image)
    renamed = media.strip_png(
        _png_with(_png_chunk(b"iCCP", b"Siti's phone\x00\x00" + zlib.compress(b"\0" * 128)))
    )

    stripped, removed = media.strip_png(original)
    kept, _ = media.strip_png(data)

    assert removed == () and stripped == original
    assert b"iCCP" in kept and b"pHYs" in kept
    assert Image.open(io.BytesIO(kept)).info["dpi"] == pytest.approx((300, 300), abs=1)
    assert b"Siti" not in renamed[0] and b"iCCP" in renamed[0] and "icc-name" in renamed[1]
    Image.open(io.BytesIO(renamed[0])).load()  # the CRC was recomputed


def test_png_animation_frames_survive():
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "PNG", save_all=True, append_images=frames[1:], duration=100)
    original = buf.getvalue()

    stripped, _ = media.strip_png(original)

    assert Image.open(io.BytesIO(stripped)).n_frames == 3


def test_an_unknown_critical_png_chunk_is_malformed():
    with pytest.raises(media.MalformedFile):
        media.strip_png(_png_with(_png_chunk(b"ZZZZ", b"x")))


def _riff(chunks: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks


def _webp_chunk(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) & 1 else b"")


def test_webp_keeps_only_the_chunks_needed_to_render():
    original = samples.webp_with_exif()
    body = original[12:]
    secret = b"Siti Rahayu -6.902,107.618"
    with_extra = _riff(body + _webp_chunk(b"XMP ", secret) + _webp_chunk(b"NOTE", secret))

    stripped, removed = media.strip_webp(with_extra)

    assert secret not in stripped and b"NOTE" not in stripped
    assert set(removed) == {"exif", "xmp", "note"}
    assert samples.pixels(stripped) == samples.pixels(original)


def test_webp_animation_frames_lose_unknown_chunks_inside_them():
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    data = buf.getvalue()
    start = data.index(b"ANMF")
    (size,) = struct.unpack("<I", data[start + 4 : start + 8])
    hidden = _webp_chunk(b"SECR", b"Siti Rahayu")
    frame = b"ANMF" + struct.pack("<I", size + len(hidden))
    frame += data[start + 8 : start + 8 + size] + hidden
    tampered = _riff(data[12:start] + frame + data[start + 8 + size :])
    assert Image.open(io.BytesIO(tampered)).n_frames == 2  # viewers ignore the extra chunk

    stripped, removed = media.strip_webp(tampered)

    assert b"Siti" not in stripped and "secr" in removed
    image = Image.open(io.BytesIO(stripped))
    assert image.n_frames == 2
    image.seek(1)
    assert image.convert("RGB").getpixel((0, 0)) == (0, 0, 255)


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def test_jpeg_drops_thumbnails_extensions_and_trims_adobe():
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buf, "JPEG")
    base = buf.getvalue()
    assert base[2:4] == b"\xff\xe0"  # Pillow's JFIF APP0 comes first
    app0_end = 4 + struct.unpack(">H", base[4:6])[0]
    thumb = b"\x10" * (2 * 2 * 3)
    jfif = _jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x02\x02" + thumb)
    jfxx = _jpeg_segment(0xE0, b"JFXX\x00\x10" + b"THUMB-of-the-uncropped-photo")
    adobe = _jpeg_segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01" + b"EXTRA-Siti")
    jpg_ext = _jpeg_segment(0xF0, b"Siti Rahayu in an extension marker")
    data = base[:2] + jfif + jfxx + adobe + jpg_ext + base[app0_end:]

    stripped, removed = media.strip_jpeg(data)

    assert set(removed) == {"thumbnail", "extension"}
    for secret in (b"THUMB", b"EXTRA", b"Siti", b"\x10" * 12):
        assert secret not in stripped
    assert b"JFIF\x00" in stripped and b"Adobe" in stripped
    assert samples.pixels(stripped) == samples.pixels(base)


# -- PDF ---------------------------------------------------------------------------------


def _pdf_with_metadata(password: str | None = None) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata(
        {"/Author": "Siti Rahayu", "/Creator": "Kantor Siti", "/Title": "KTP 3273012345678901"}
    )
    xmp = DecodedStreamObject()
    xmp.set_data(b"<x:xmpmeta><dc:creator>Siti Rahayu</dc:creator>GPS -6.90</x:xmpmeta>")
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    writer.root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    page = writer.pages[0]
    page[NameObject("/PieceInfo")] = DictionaryObject(
        {NameObject("/Editor"): DictionaryObject({NameObject("/Private"): NameObject("/Siti")})}
    )
    if password:
        writer.encrypt(password, algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_pdf_loses_document_information_xmp_and_private_data():
    original = _pdf_with_metadata()
    assert b"Siti Rahayu" in original and b"3273012345678901" in original

    stripped, removed = media.strip_metadata("application/pdf", original)

    assert set(removed) == {"info", "xmp", "private"}
    for secret in (b"Siti", b"3273012345678901", b"xmpmeta", b"Kantor"):
        assert secret not in stripped
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(stripped))
    assert len(reader.pages) == 1 and reader.metadata in (None, {})
    assert reader.pages[0].mediabox.width == 200
    assert media.sniff(stripped) == "application/pdf"


def test_a_clean_pdf_is_rewritten_and_keeps_its_version():
    stripped, removed = media.strip_metadata("application/pdf", samples.pdf())

    assert removed == ()
    assert stripped.startswith(b"%PDF-1.4")


@pytest.mark.parametrize(
    "broken",
    [
        b"%PDF-1.4\n" + b"garbage " * 50,
        samples.pdf()[:60],
    ],
)
def test_a_pdf_that_cannot_be_rewritten_is_malformed(broken):
    with pytest.raises(media.MalformedFile):
        media.strip_metadata("application/pdf", broken)


def test_a_password_protected_pdf_is_refused_but_an_owner_locked_one_is_cleaned():
    with pytest.raises(media.MalformedFile, match="password"):
        media.strip_pdf(_pdf_with_metadata(password="rahasia"))
    stripped, removed = media.strip_pdf(_pdf_with_metadata(password=""))
    assert "info" in removed and b"Siti" not in stripped


def test_clean_files_come_back_identical():
    clean = samples.png()
    assert media.strip_metadata("image/png", clean) == (clean, ())
