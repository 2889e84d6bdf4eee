"""Tracking ids that a citizen can read out over the phone and type into an SMS.

Format: 9 random symbols + 1 check symbol = 10 symbols from a 29-symbol alphabet that
leaves out the look-alikes 0/O, 1/I/L, U/V-ish ``U`` and 2/Z's ``Z``.

Entropy: 9 * log2(29) ~= 43.7 bits (~1.45e13 ids). Even with ten million reports stored,
a guessed well-formed id names an existing report with probability ~7e-7, and 28 of 29
random strings are rejected by the check symbol before any lookup.

Check symbol: a weighted sum modulo the prime 29 (weights 1..10, distinct and non-zero),
so every single wrong symbol and every swap of two adjacent symbols changes the sum and
is detected (the weights of neighbours differ, and 29 is prime).
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXY"
BASE = len(ALPHABET)  # 29, prime
RANDOM_LENGTH = 9
LENGTH = RANDOM_LENGTH + 1
_INDEX = {symbol: i for i, symbol in enumerate(ALPHABET)}


def _weighted_sum(symbols: str) -> int:
    # The check symbol (last) has weight 1; the symbol before it weight 2, and so on.
    n = len(symbols)
    return sum((n - i) * _INDEX[s] for i, s in enumerate(symbols))


def check_symbol(payload: str) -> str:
    """The symbol that makes the weighted sum of ``payload + symbol`` divisible by 29."""
    total = sum((len(payload) + 1 - i) * _INDEX[s] for i, s in enumerate(payload))
    return ALPHABET[(-total) % BASE]


def generate(choice=secrets.choice) -> str:
    payload = "".join(choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return payload + check_symbol(payload)


def normalise(text: str) -> str:
    """Upper-case and drop the separators people type (spaces, dashes, dots)."""
    return "".join(ch for ch in text.upper() if ch not in " -._")


def is_valid(text: str) -> bool:
    """True for a well-formed id with a correct check symbol (already normalised)."""
    if len(text) != LENGTH or any(ch not in _INDEX for ch in text):
        return False
    return _weighted_sum(text) % BASE == 0
