"""Kemendagri region codes: the 38 provinces, dotted/undotted codes, parents."""

import pytest

from chalicelib.domain.regions import PROVINCES, normalise_region_code, parent_codes, province_of


def test_there_are_38_provinces_with_two_digit_codes_and_unique_names():
    assert len(PROVINCES) == 38
    assert all(len(code) == 2 and code.isascii() and code.isdigit() for code in PROVINCES)
    assert len(set(PROVINCES.values())) == 38


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("11", "Aceh"),
        ("31", "DKI Jakarta"),
        ("32", "Jawa Barat"),
        ("65", "Kalimantan Utara"),
        ("91", "Papua"),
        ("92", "Papua Barat"),
        ("93", "Papua Selatan"),
        ("94", "Papua Tengah"),
        ("95", "Papua Pegunungan"),
        ("96", "Papua Barat Daya"),
    ],
)
def test_known_provinces(code, name):
    assert PROVINCES[code] == name


@pytest.mark.parametrize(
    ("raw", "dotted"),
    [
        ("32", "32"),
        ("32.73", "32.73"),
        ("3273", "32.73"),
        ("32.73.01", "32.73.01"),
        ("327301", "32.73.01"),
        ("32.73.01.1001", "32.73.01.1001"),
        ("3273011001", "32.73.01.1001"),
        ("31.71", "31.71"),
        ("96", "96"),
        ("9401", "94.01"),
        ("  32.73  ", "32.73"),
        ("\t3273\n", "32.73"),
        (" 3273011001 ", "32.73.01.1001"),
    ],
)
def test_normalise_region_code(raw, dotted):
    assert normalise_region_code(raw) == dotted


@pytest.mark.parametrize(
    "raw",
    [
        "20",  # no such province
        "99",
        "10.01",
        "2073",
        "00",
        "3",  # wrong number of digits
        "327",
        "32731",
        "3273010",
        "327301100",
        "32730110011",
        "32.7",  # wrong group widths
        "32.73.1",
        "32.73.01.100",
        "32.73.01.10011",
        "32.73.01.01.1001",
        "32.00",  # all-zero groups
        "32.73.00",
        "32.73.01.0000",
        "32-73",  # other separators / stray characters
        "32 73",
        "32..73",
        ".32",
        "32.",
        "3273.01",
        "32.73a",
        "abc",
        "",
        "   ",
        "３２",  # full-width digits
        "٣٢",  # Arabic-Indic digits
        "32.７3",
    ],
)
def test_bad_codes_raise_value_error(raw):
    with pytest.raises(ValueError):
        normalise_region_code(raw)


def test_unknown_province_message_names_the_problem():
    with pytest.raises(ValueError, match="not a province code"):
        normalise_region_code("20.01")


@pytest.mark.parametrize("value", [None, 32, 32.73, b"32", ["32"]])
def test_non_string_raises_value_error(value):
    with pytest.raises(ValueError, match="must be a string"):
        normalise_region_code(value)


@pytest.mark.parametrize(
    ("code", "parents"),
    [
        ("32.73.01.1001", ["32.73.01.1001", "32.73.01", "32.73", "32"]),
        ("3273011001", ["32.73.01.1001", "32.73.01", "32.73", "32"]),
        ("32.73.01", ["32.73.01", "32.73", "32"]),
        ("3273", ["32.73", "32"]),
        ("31", ["31"]),
    ],
)
def test_parent_codes_most_specific_first(code, parents):
    assert parent_codes(code) == parents


@pytest.mark.parametrize(
    ("code", "province"),
    [("32.73.01", "32"), ("3273011001", "32"), ("31", "31"), (" 94.01 ", "94")],
)
def test_province_of(code, province):
    assert province_of(code) == province


def test_province_name_through_province_of():
    assert PROVINCES[province_of("9601")] == "Papua Barat Daya"


@pytest.mark.parametrize("func", [parent_codes, province_of])
@pytest.mark.parametrize("raw", ["20.01", "32.7", None])
def test_parent_codes_and_province_of_reject_bad_codes(func, raw):
    with pytest.raises(ValueError):
        func(raw)
