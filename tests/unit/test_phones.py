"""Indonesian mobile numbers are read without phonenumbers (cold start); every answer
must be the one phonenumbers gives."""

from __future__ import annotations

import random
import re

import phonenumbers
import pytest
from phonenumbers import PhoneMetadata

from chalicelib.domain import phones


def _reference(value: str, region: str = "ID") -> str | None:
    """What phonenumbers answers: E.164, or None for not a (valid) number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _ours(value: str) -> str | None:
    try:
        return phones.to_e164(value)
    except ValueError:
        return None


def test_the_rule_is_the_one_in_the_installed_metadata():
    """An upgrade of phonenumbers that changes Indonesia's mobile range fails here (and
    the samples below) until ID_MOBILE follows it."""
    meta = PhoneMetadata.metadata_for_region("ID")
    assert meta.country_code == 62
    assert meta.national_prefix == "0" and meta.national_prefix_for_parsing == "0"
    assert meta.mobile.national_number_pattern == phones.ID_MOBILE
    assert set(meta.mobile.possible_length) == {9, 10, 11, 12}  # 8[1-35-9] + 7..10 digits
    # no other kind of Indonesian number starts with 8[1-35-9] (the rule would call it
    # a mobile number, phonenumbers something else)
    for desc in (meta.fixed_line, meta.toll_free, meta.premium_rate, meta.shared_cost, meta.uan):
        for start in ("81", "82", "83", "85", "86", "87", "88", "89"):
            for length in range(9, 13):
                national = start + "1" * (length - 2)
                if desc.national_number_pattern:
                    assert not re.fullmatch(desc.national_number_pattern, national), (
                        desc,
                        national,
                    )


def _split(rng: random.Random, digits: str, separators: list[str]) -> str:
    """The digits in groups, split by a separator."""
    cut = sorted(rng.sample(range(1, len(digits)), k=min(rng.randint(1, 3), len(digits) - 1)))
    parts = [digits[i:j] for i, j in zip([0, *cut], [*cut, len(digits)], strict=True)]
    return rng.choice(separators).join(parts)


def _near_mobile(rng: random.Random, n: int):
    """Numbers shaped like what the shortcut reads: around the mobile range's edges
    (8 and any digit, 6 to 13 digits), some split by spaces or hyphens."""
    for _ in range(n):
        length = rng.randint(8, 13)
        digits = "8" + "".join(rng.choice("0123456789") for _ in range(length - 1))
        if rng.random() < 0.4:
            digits = _split(rng, digits, [" ", "-"])
        yield rng.choice(["0", "+62", "+62 ", "+62-"]) + digits


def _anything(rng: random.Random, n: int):
    prefixes = ["0", "+62", "+62 ", "+62-", "62", "00", "", "+62 0", "0 ", "+", "+65", "0-"]
    for _ in range(n):
        length = rng.randint(4, 15)
        digits = "".join(rng.choice("0123456789") for _ in range(length))
        if rng.random() < 0.4:
            digits = _split(rng, digits, [" ", "-", "  ", "--", " - ", ".", "/"])
        yield rng.choice(prefixes) + digits


def test_every_number_the_shortcut_reads_is_read_the_same_by_phonenumbers():
    rng = random.Random(20261129)
    read = 0
    for value in [*_near_mobile(rng, 12_000), *_anything(rng, 8_000)]:
        mine = phones.indonesian_mobile(value)
        reference = _reference(value)
        if mine is not None:
            read += 1
            assert mine == reference, value
        assert _ours(value) == reference, value
    assert read > 4_000  # the samples do exercise the shortcut


@pytest.mark.parametrize(
    "value",
    [
        "081322334455",
        "0812-3456-7890",
        "+62 812 3456 7890",
        "+6281234567890",
        "0812345678",  # 9 digits after the 0: the shortest mobile number
        "0812345678901",  # 12: the longest
        "+62-812-3456-789",
    ],
)
def test_common_ways_of_writing_a_mobile_number(value):
    assert phones.indonesian_mobile(value) == _reference(value) is not None


@pytest.mark.parametrize(
    "value",
    [
        "021-5551234",  # Jakarta landline
        "+6581234567",  # Singapore
        "+1 202 555 0143",
        "08123456",  # too short
        "08123456789012",  # too long
        "0800-1234-567",  # toll free
        "0809-1234-5678",  # premium rate
        "0804-1234-567",
        "08071-123456",  # UAN
        "081322334455 ext. 12",
        "(0812) 3456-7890",
        "０８１２３４５６７８９０",  # full-width digits
        "+62 0812 3456 7890",
        "6281234567890",
        "tel:+6281234567890",
        "0812 3456 7890\n",
        "not a number",
    ],
)
def test_other_numbers_are_left_to_phonenumbers(value):
    assert phones.indonesian_mobile(value) is None
    assert _ours(value) == _reference(value)


def test_refusals_say_what_phonenumbers_found():
    with pytest.raises(ValueError, match=r"^not a phone number$"):
        phones.to_e164("not a number")
    with pytest.raises(ValueError, match=r"^not a valid phone number$"):
        phones.to_e164("08123456")


def test_other_regions_go_to_phonenumbers():
    assert phones.to_e164("020 7946 0958", region="GB") == _reference("020 7946 0958", "GB")
    # the shortcut is Indonesia's: 0812… is no mobile number in Great Britain
    assert _ours_gb("0812345678") == _reference("0812345678", "GB")


def _ours_gb(value: str) -> str | None:
    try:
        return phones.to_e164(value, region="GB")
    except ValueError:
        return None
