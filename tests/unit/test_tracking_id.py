"""Tracking ids: readable alphabet, a check symbol that catches typos and swaps."""

import random
import secrets

import pytest

from chalicelib.domain import tracking_id as tid
from chalicelib.domain.tracking_id import ALPHABET, BASE, LENGTH, generate, is_valid, normalise

# Reproducible ids (seeded) plus a few drawn with the production generator.
SEEDED_IDS = [generate(random.Random(seed).choice) for seed in range(30)]
RANDOM_IDS = [generate() for _ in range(6)]
IDS = SEEDED_IDS + RANDOM_IDS


def _is_prime(n: int) -> bool:
    return n > 1 and all(n % d for d in range(2, int(n**0.5) + 1))


def test_alphabet_is_29_distinct_symbols_without_look_alikes():
    assert len(ALPHABET) == BASE == 29
    assert _is_prime(BASE)
    assert len(set(ALPHABET)) == len(ALPHABET)
    assert set(ALPHABET) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for look_alike in "0O1ILUZ":
        assert look_alike not in ALPHABET


def test_generated_ids_are_ten_alphabet_symbols_and_valid():
    assert len(set(IDS)) == len(IDS)
    for generated in IDS:
        assert len(generated) == LENGTH == 10
        assert set(generated) <= set(ALPHABET)
        assert is_valid(generated), generated


def test_generate_uses_secure_randomness_by_default():
    assert generate.__defaults__ == (secrets.choice,)


@pytest.mark.parametrize("original", IDS)
def test_every_single_symbol_substitution_is_rejected(original):
    checked = 0
    for position in range(LENGTH):
        for symbol in ALPHABET:
            if symbol == original[position]:
                continue
            typo = original[:position] + symbol + original[position + 1 :]
            assert not is_valid(typo), (original, typo)
            checked += 1
    assert checked == LENGTH * (BASE - 1)


@pytest.mark.parametrize("original", IDS)
def test_every_swap_of_adjacent_different_symbols_is_rejected(original):
    for i in range(LENGTH - 1):
        a, b = original[i], original[i + 1]
        if a == b:
            continue
        swapped = original[:i] + b + a + original[i + 2 :]
        assert not is_valid(swapped), (original, swapped)


def test_swaps_are_detected_even_when_every_pair_differs():
    # An id with no repeated neighbour, so all nine adjacent swaps are really exercised.
    original = "23456789AM"
    assert is_valid(original)
    swaps = [original[:i] + original[i + 1] + original[i] + original[i + 2 :] for i in range(9)]
    assert not any(is_valid(s) for s in swaps)


def _fixed_choice(symbols: str):
    it = iter(symbols)
    return lambda alphabet: next(it)


def test_generate_with_deterministic_choice_gives_the_hand_computed_check_symbol():
    # Payload "23456789A" has alphabet indices 0..8 and weights 10..2:
    #   0*10 + 1*9 + 2*8 + 3*7 + 4*6 + 5*5 + 6*4 + 7*3 + 8*2 = 156
    #   156 mod 29 = 11, so the check symbol's index is (29 - 11) = 18 -> ALPHABET[18] = "M"
    #   (156 + 18 * 1 = 174 = 6 * 29).
    assert generate(_fixed_choice("23456789A")) == "23456789AM"


def test_generate_all_y_payload():
    # "Y" is index 28; weights 10..2 sum to 54; 28 * 54 = 1512 = 52 * 29 + 4,
    # so the check index is 29 - 4 = 25 -> "V" (1512 + 25 = 1537 = 53 * 29).
    assert generate(_fixed_choice("Y" * 9)) == "YYYYYYYYYV"


def test_check_symbol_of_the_hand_computed_payload():
    assert tid.check_symbol("23456789A") == "M"


@pytest.mark.parametrize(
    "typed",
    [
        "23456789am",
        "23456789AM",
        "23456-789AM",
        "2345 6789 AM",
        " 23-45-67-89-am ",
        "234.567.89a.m",
        "23456_789AM",
    ],
)
def test_normalise_accepts_lower_case_spaces_and_dashes(typed):
    assert normalise(typed) == "23456789AM"
    assert is_valid(normalise(typed))


def test_is_valid_expects_normalised_input():
    assert not is_valid("23456789am")
    assert not is_valid("23456-789AM")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "23456789A",  # 9 symbols: check symbol missing
        "23456789AM2",  # 11 symbols
        "23456789AM" * 2,
        "O3456789AM",  # letter O for zero
        "2345678IAM",  # I
        "2345678LAM",  # L
        "2345678UAM",  # U
        "2345678ZAM",  # Z
        "0345678AM2",
        "1345678AM2",
        "23456789A?",
        "23456789A ",
        "２3456789AM",  # full-width digit
    ],
)
def test_wrong_length_or_foreign_character_is_invalid(text):
    assert not is_valid(text)


def test_foreign_character_is_invalid_even_where_the_sum_would_work():
    # Every non-alphabet ASCII character in the check position is rejected, whatever
    # index a naive implementation might give it.
    payload = "23456789A"
    foreign = [chr(c) for c in range(32, 127) if chr(c) not in ALPHABET]
    assert foreign
    for ch in foreign:
        assert not is_valid(payload + ch), ch
