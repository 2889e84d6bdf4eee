"""Indonesian administrative region codes (kode wilayah Kemendagri).

Format: dot-separated digit groups, one group per level of government::

    NN              province (provinsi)                    e.g. 32            Jawa Barat
    NN.NN           regency/city (kabupaten/kota)          e.g. 32.73         Kota Bandung
    NN.NN.NN        district (kecamatan)                   e.g. 32.73.01
    NN.NN.NN.NNNN   village (desa/kelurahan)               e.g. 32.73.01.1001

Regency codes run from .01 and city codes from .71; kelurahan codes start with 1 and
desa codes with 2. These are the Ministry of Home Affairs (Kemendagri) codes, which are
also the first digits of a NIK; they are NOT the BPS statistical codes, which differ in
places (e.g. Kota Medan is 12.71 here but 1275 at BPS).

Source: Permendagri No. 72 Tahun 2019 tentang Perubahan atas Permendagri No. 137 Tahun
2017 tentang Kode dan Data Wilayah Administrasi Pemerintahan, as updated by Kepmendagri
No. 100.1.1-6117 Tahun 2022 (which gave the provinces formed in 2022 the codes 93 Papua
Selatan, 94 Papua Tengah, 95 Papua Pegunungan and 96 Papua Barat Daya) and later
Kepmendagri updates (2025). Only province codes are listed here; deeper codes are checked
for shape, not for existence. Pure Python, no I/O.
"""

import re

# The 38 provinces, keyed by their two-digit Kemendagri code.
PROVINCES: dict[str, str] = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "Daerah Istimewa Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}

# A well-formed dotted code at any level. ASCII digits only ([0-9], not \d, which would
# also accept other scripts' digits); no group may be all zeros.
REGION_CODE_RE = re.compile(
    r"\A(?!00)[0-9]{2}"
    r"(?:\.(?!00)[0-9]{2}"
    r"(?:\.(?!00)[0-9]{2}"
    r"(?:\.(?!0000)[0-9]{4})?)?)?\Z"
)

# Lengths of the dotted groups, and where dots go in an undotted code of each length.
_UNDOTTED_SPLITS: dict[int, tuple[int, ...]] = {
    2: (2,),
    4: (2, 2),
    6: (2, 2, 2),
    10: (2, 2, 2, 4),
}
_ASCII_DIGITS_RE = re.compile(r"\A[0-9]+\Z")

_FORMAT_HELP = (
    "expected a Kemendagri region code: NN (province), NN.NN (regency/city), "
    "NN.NN.NN (district) or NN.NN.NN.NNNN (village), e.g. '32.73'; "
    "the dots may be left out (2, 4, 6 or 10 digits)"
)


def normalise_region_code(code: str) -> str:
    """The dotted form of a Kemendagri region code.

    Strips surrounding whitespace and accepts the code with or without dots
    ("3273" -> "32.73", "3273011001" -> "32.73.01.1001").

    Raises ValueError, with a message fit to show a user, when the code is not a string,
    is not of the right shape, or starts with a province code not in PROVINCES.
    """
    if not isinstance(code, str):
        # ValueError, not TypeError: request validation catches ValueError for bad input.
        msg = f"region code must be a string, not {type(code).__name__}"
        raise ValueError(msg)
    text = code.strip()
    if not text:
        raise ValueError(f"region code is empty; {_FORMAT_HELP}")

    if _ASCII_DIGITS_RE.match(text):
        splits = _UNDOTTED_SPLITS.get(len(text))
        if splits is None:
            raise ValueError(f"invalid region code {code!r}: {len(text)} digits; {_FORMAT_HELP}")
        groups, start = [], 0
        for width in splits:
            groups.append(text[start : start + width])
            start += width
        text = ".".join(groups)

    if not REGION_CODE_RE.match(text):
        raise ValueError(f"invalid region code {code!r}: {_FORMAT_HELP}")

    province = text[:2]
    if province not in PROVINCES:
        raise ValueError(
            f"invalid region code {code!r}: {province!r} is not a province code "
            f"(valid province codes: {', '.join(PROVINCES)})"
        )
    return text


def province_of(code: str) -> str:
    """The two-digit province code of a region code ("32.73.01" -> "32").

    The province's name is ``PROVINCES[province_of(code)]``. Raises ValueError like
    normalise_region_code.
    """
    return normalise_region_code(code)[:2]


def parent_codes(code: str) -> list[str]:
    """The code and each enclosing region's code, most specific first.

    "32.73.01" -> ["32.73.01", "32.73", "32"]. Raises ValueError like
    normalise_region_code.
    """
    groups = normalise_region_code(code).split(".")
    return [".".join(groups[:n]) for n in range(len(groups), 0, -1)]
