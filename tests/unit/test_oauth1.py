"""OAuth 1.0a signing against X's documented example ("Creating a signature", X developer
documentation: the POST to statuses/update.json with the example keys, nonce and
timestamp; its signature base string and signature are quoted there)."""

import re
from urllib.parse import unquote

from chalicelib.adapters import oauth1

URL = "https://api.twitter.com/1.1/statuses/update.json"
CONSUMER_KEY = "xvz1evFS4wEEPTGEFPHBog"
CONSUMER_SECRET = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"
TOKEN = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"
TOKEN_SECRET = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
NONCE = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"
TIMESTAMP = 1318622958
STATUS = "Hello Ladies + Gentlemen, a signed OAuth request!"

DOCUMENTED_BASE_STRING = (
    "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities"
    "%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxS"
    "WbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318"
    "622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_versio"
    "n%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAu"
    "th%2520request%2521"
)
DOCUMENTED_SIGNATURE = "hCtSmYh+iHYCEqBWrE7C7hYmtUk="


def _header_fields(header: str) -> dict:
    assert header.startswith("OAuth ")
    return {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', header)}


def test_percent_encoding_follows_rfc_3986():
    assert oauth1.percent_encode("Ladies + Gentlemen") == "Ladies%20%2B%20Gentlemen"
    assert oauth1.percent_encode("An encoded string!") == "An%20encoded%20string%21"
    assert oauth1.percent_encode("Dogs, Cats & Mice") == "Dogs%2C%20Cats%20%26%20Mice"
    assert oauth1.percent_encode("☃") == "%E2%98%83"
    assert oauth1.percent_encode("-._~") == "-._~"


def test_the_documented_base_string_and_signature():
    params = [
        ("status", STATUS),
        ("include_entities", "true"),
        ("oauth_consumer_key", CONSUMER_KEY),
        ("oauth_nonce", NONCE),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", str(TIMESTAMP)),
        ("oauth_token", TOKEN),
        ("oauth_version", "1.0"),
    ]
    base = oauth1.signature_base_string("POST", URL, params)
    assert base == DOCUMENTED_BASE_STRING
    assert oauth1.sign(base, CONSUMER_SECRET, TOKEN_SECRET) == DOCUMENTED_SIGNATURE


def test_the_header_carries_the_documented_signature():
    """The query string's parameters are read from the URL; form parameters are given."""
    header = oauth1.authorization_header(
        "POST",
        URL + "?include_entities=true",
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        token=TOKEN,
        token_secret=TOKEN_SECRET,
        params=[("status", STATUS)],
        nonce=NONCE,
        timestamp=TIMESTAMP,
    )
    fields = _header_fields(header)
    assert fields["oauth_signature"] == DOCUMENTED_SIGNATURE
    assert fields["oauth_consumer_key"] == CONSUMER_KEY
    assert fields["oauth_token"] == TOKEN
    assert fields["oauth_signature_method"] == "HMAC-SHA1"
    assert fields["oauth_version"] == "1.0"


def test_another_secret_or_url_gives_another_signature():
    kwargs = dict(
        consumer_key=CONSUMER_KEY,
        token=TOKEN,
        token_secret=TOKEN_SECRET,
        params=[("status", STATUS)],
        nonce=NONCE,
        timestamp=TIMESTAMP,
    )
    good = _header_fields(
        oauth1.authorization_header(
            "POST", URL + "?include_entities=true", consumer_secret=CONSUMER_SECRET, **kwargs
        )
    )["oauth_signature"]
    wrong_secret = _header_fields(
        oauth1.authorization_header(
            "POST", URL + "?include_entities=true", consumer_secret="other", **kwargs
        )
    )["oauth_signature"]
    wrong_url = _header_fields(
        oauth1.authorization_header("POST", URL, consumer_secret=CONSUMER_SECRET, **kwargs)
    )["oauth_signature"]
    assert len({good, wrong_secret, wrong_url}) == 3


def test_fresh_nonces_and_the_base_url_normalisation():
    a = _header_fields(
        oauth1.authorization_header(
            "POST",
            "https://api.x.com/2/tweets",
            consumer_key="k",
            consumer_secret="s",
            token="t",
            token_secret="ts",
        )
    )
    b = _header_fields(
        oauth1.authorization_header(
            "POST",
            "https://api.x.com/2/tweets",
            consumer_key="k",
            consumer_secret="s",
            token="t",
            token_secret="ts",
        )
    )
    assert a["oauth_nonce"] != b["oauth_nonce"]
    assert oauth1.base_url("HTTPS://API.X.com:443/2/tweets?x=1#f") == "https://api.x.com/2/tweets"
    assert oauth1.base_url("http://127.0.0.1:8080/2/tweets") == "http://127.0.0.1:8080/2/tweets"
