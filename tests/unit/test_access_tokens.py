"""The reporter's access token: unguessable, derivable for retries, stored as a digest."""

import base64
import hashlib
import re

import pytest

from chalicelib.services.access_tokens import digest, issue, matches

SECRET = b"unit-test-secret"
TRACKING_ID = "23456789AM"
OTHER_TRACKING_ID = "YYYYYYYYYV"
KEY = "idem-key-0001"
URLSAFE = re.compile(r"\A[A-Za-z0-9_-]+\Z")


def _raw_bytes(token: str) -> bytes:
    assert URLSAFE.match(token), token
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def test_random_tokens_differ_and_carry_at_least_256_bits():
    tokens = [issue(SECRET, TRACKING_ID, None) for _ in range(50)]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert len(_raw_bytes(token)) * 8 >= 256


def test_derived_token_is_deterministic_and_carries_256_bits():
    token = issue(SECRET, TRACKING_ID, KEY)
    assert token == issue(SECRET, TRACKING_ID, KEY)
    assert len(_raw_bytes(token)) * 8 >= 256


@pytest.mark.parametrize(
    ("secret", "tracking_id", "key"),
    [
        (b"another-secret", TRACKING_ID, KEY),
        (SECRET, OTHER_TRACKING_ID, KEY),
        (SECRET, TRACKING_ID, "idem-key-0002"),
        (SECRET, KEY, TRACKING_ID),  # key and tracking id swapped
    ],
)
def test_derived_token_changes_when_any_input_changes(secret, tracking_id, key):
    assert issue(secret, tracking_id, key) != issue(SECRET, TRACKING_ID, KEY)


def test_an_empty_idempotency_key_gets_a_random_token_not_a_derived_one():
    # submit_report treats "" as "no key" (no idempotency record); the token must then be
    # random too, not computable from the tracking id by whoever holds the server secret.
    first, second = issue(SECRET, TRACKING_ID, ""), issue(SECRET, TRACKING_ID, "")
    assert first != second
    assert len(_raw_bytes(first)) * 8 >= 256


def test_derived_token_differs_from_a_random_one():
    assert issue(SECRET, TRACKING_ID, KEY) != issue(SECRET, TRACKING_ID, None)


def test_derived_token_is_not_a_plain_hash_of_its_inputs():
    # Without the server secret nobody can compute a reporter's token.
    token = issue(SECRET, TRACKING_ID, KEY)
    for guess in (KEY + TRACKING_ID, TRACKING_ID + KEY, f"{KEY}\x1f{TRACKING_ID}"):
        plain = base64.urlsafe_b64encode(hashlib.sha256(guess.encode()).digest())
        assert token != plain.rstrip(b"=").decode()


def test_digest_is_sha256_of_the_token_and_not_the_token():
    token = issue(SECRET, TRACKING_ID, None)
    stored = digest(token)
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert stored != token
    assert token not in stored
    assert digest(token) == stored


def test_matches_only_the_right_token():
    token = issue(SECRET, TRACKING_ID, None)
    assert matches(token, digest(token))


@pytest.mark.parametrize(
    "presented",
    [None, "", "wrong-token", "WRONG", "right-token "],
)
def test_matches_is_false_for_missing_or_wrong_tokens(presented):
    assert not matches(presented, digest("right-token"))


def test_an_empty_token_never_matches_even_the_digest_of_nothing():
    assert not matches("", digest(""))


def test_matches_is_false_for_the_digest_itself_or_another_reports_token():
    token = issue(SECRET, TRACKING_ID, KEY)
    stored = digest(token)
    assert not matches(stored, stored)
    assert not matches(issue(SECRET, OTHER_TRACKING_ID, KEY), stored)
    assert not matches(token.swapcase(), stored)
