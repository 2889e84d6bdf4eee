"""Categories' plain-language descriptions in both languages: the seed data, the
submission form's picker and the public directory API."""

import json
from html import unescape
from pathlib import Path

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.directory import Category
from chalicelib.portal import choices
from tests.fakes import FakeDirectory

DATA = Path(__file__).resolve().parents[2] / "data" / "categories.json"
ROADS = Category(
    "infrastruktur",
    "Infrastruktur",
    "regional",
    name_en="Infrastructure",
    description="Jalan, jembatan, dan drainase.",
    description_en="Roads, bridges and drainage.",
)
HEALTH = Category(
    "kesehatan", "Kesehatan", "regional", name_en="Health", description="Puskesmas dan RSUD."
)
TAX = Category("pajak", "Pajak", "national")


def test_every_seed_category_says_in_english_what_belongs_in_it():
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    for row in rows:
        english = row.get("description_en") or ""
        assert 40 <= len(english) <= 300, row["code"]
        assert english.endswith("."), row["code"]
        assert english != row["description"], row["code"]
    assert len({row["description_en"] for row in rows}) == len(rows)


def test_the_picker_speaks_the_readers_language():
    directory = FakeDirectory([ROADS, HEALTH, TAX], [])
    english = {c.code: c for c in choices.categories(directory, "en")}
    assert (english["infrastruktur"].name, english["infrastruktur"].hint) == (
        "Infrastructure",
        "Roads, bridges and drainage.",
    )
    assert english["infrastruktur"].hint_lang is None
    # no English text yet: the Indonesian one, marked as Indonesian
    assert (english["kesehatan"].hint, english["kesehatan"].hint_lang) == (
        "Puskesmas dan RSUD.",
        "id",
    )
    assert (english["pajak"].name, english["pajak"].hint, english["pajak"].hint_lang) == (
        "Pajak",
        None,
        None,
    )
    indonesian = {c.code: c for c in choices.categories(directory, "id")}
    assert indonesian["infrastruktur"].hint == "Jalan, jembatan, dan drainase."
    assert indonesian["infrastruktur"].hint_lang is None


@pytest.fixture
def directory():
    return FakeDirectory([ROADS, HEALTH, TAX], [])


@pytest.fixture
def client(wired):
    with Client(app) as c:
        yield c


def test_the_submission_form_shows_english_descriptions_on_english_pages(client):
    headers = {"Host": "127.0.0.1:8000", "Accept": "text/html"}
    page = unescape(client.http.get("/en/lapor", headers=headers).body.decode())
    assert "<dd>Roads, bridges and drainage.</dd>" in page
    assert '<dd lang="id">Puskesmas dan RSUD.</dd>' in page
    assert "Jalan, jembatan, dan drainase." not in page
    page = unescape(client.http.get("/lapor", headers=headers).body.decode())
    assert "<dd>Jalan, jembatan, dan drainase.</dd>" in page
    assert "Roads, bridges" not in page


def test_the_directory_api_gives_both_descriptions(client):
    body = json.loads(client.http.get("/v1/categories").body)
    roads = next(c for c in body["items"] if c["code"] == "infrastruktur")
    assert roads["description"] == "Jalan, jembatan, dan drainase."
    assert roads["description_en"] == "Roads, bridges and drainage."
    doc = json.loads(client.http.get("/openapi.json").body)
    fields = doc["components"]["schemas"]["CategoryOut"]["properties"]
    assert "description_en" in fields
