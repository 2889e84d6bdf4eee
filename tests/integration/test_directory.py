"""DynamoDirectory against the seeded directory table in the emulator."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.adapters import directory as directory_module
from chalicelib.adapters.directory import DynamoDirectory, InvalidCursor
from chalicelib.adapters.dynamodb_models import CategoryItem
from devstack import seed

pytestmark = pytest.mark.integration


class FakeMonotonic:
    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def seeded(seeded_directory):
    return seeded_directory


@pytest.fixture
def query_calls(monkeypatch):
    """Counts the DynamoDB queries the directory makes for categories."""
    calls = []
    original = CategoryItem.query

    def counting_query(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(directory_module.CategoryItem, "query", counting_query)
    return calls


def cursor_of(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def test_seed_writes_every_category_and_agency(seeded):
    assert seeded == (len(seed.read_categories()), len(seed.read_agencies()))


def test_categories_returns_all_of_the_taxonomy(seeded):
    expected = {c["code"]: c for c in seed.read_categories()}

    categories = DynamoDirectory().categories()

    assert len(categories) == len(expected)
    assert {c.code for c in categories} == set(expected)
    for c in categories:
        assert (c.name, c.name_en, c.scope, c.description, c.description_en) == (
            expected[c.code]["name"],
            expected[c.code].get("name_en"),
            expected[c.code]["scope"],
            expected[c.code]["description"],
            expected[c.code]["description_en"],
        )
    assert [c.name for c in categories] == sorted(c.name for c in categories)


def test_category_by_code(seeded):
    directory = DynamoDirectory()
    known = seed.read_categories()[0]

    category = directory.category(known["code"])

    assert category is not None
    assert category.code == known["code"] and category.name == known["name"]
    assert directory.category("no-such-category") is None


def test_categories_are_cached_within_cache_seconds(seeded, query_calls):
    clock = FakeMonotonic()
    directory = DynamoDirectory(cache_seconds=300, clock=clock)

    first = directory.categories()
    clock.now += 299
    second = directory.categories()
    assert directory.category(first[0].code) == first[0]

    assert len(query_calls) == 1
    assert second == first

    clock.now += 2  # past cache_seconds since the load
    directory.categories()
    assert len(query_calls) == 2


def test_a_new_category_is_seen_only_after_the_cache_expires(seeded):
    clock = FakeMonotonic()
    directory = DynamoDirectory(cache_seconds=60, clock=clock)
    directory.categories()
    added = CategoryItem("category", "zz-test-cache", name="Uji Cache", scope="national")
    added.save()
    try:
        assert directory.category("zz-test-cache") is None  # served from the cache
        clock.now += 61
        assert directory.category("zz-test-cache").name == "Uji Cache"
    finally:
        added.delete()


def test_agencies_pages_through_every_agency_exactly_once(seeded):
    directory = DynamoDirectory()
    expected = [a["agency_id"] for a in seed.read_agencies()]
    seen, cursor, pages = [], None, 0

    while True:
        page = directory.agencies(limit=7, cursor=cursor)
        pages += 1
        assert len(page.items) <= 7
        seen += [a.id for a in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
        assert pages < 1000, "paging does not terminate"

    assert len(seen) == len(set(seen)), "an agency appeared on two pages"
    assert sorted(seen) == sorted(expected)
    assert pages >= len(expected) // 7


def test_agency_fields_match_the_csv(seeded):
    row = next(a for a in seed.read_agencies() if a["agency_id"] == "kemenkes")

    agency = DynamoDirectory().agency("kemenkes")

    assert agency.name == row["name"]
    assert agency.type == row["type"]
    assert list(agency.categories) == [c for c in row["categories"].split(";") if c]
    assert DynamoDirectory().agency("no-such-agency") is None


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "%%%",
        base64.urlsafe_b64encode(b"\xff\xfe\x00garbage").decode(),
        cursor_of(["kind", "id"]),
        cursor_of({"kind": {"S": "agency"}}),
        cursor_of({"kind": {"S": "agency"}, "id": {"S": "kemenkes"}, "extra": 1}),
        cursor_of({"tracking_id": {"S": "ABCDEFGHJK"}}),
    ],
)
def test_a_garbage_or_forged_cursor_is_invalid(seeded, cursor):
    with pytest.raises(InvalidCursor):
        DynamoDirectory().agencies(limit=5, cursor=cursor)


@pytest.mark.parametrize(
    "key",
    [
        {"kind": "agency", "id": "kemenkes"},  # not DynamoDB's attribute-value shape
        {"kind": {"N": "1"}, "id": {"S": "kemenkes"}},
        {"kind": {"S": "category"}, "id": {"S": "kesehatan"}},  # another partition
        {"kind": {"S": "agency"}, "id": {"S": ""}},
    ],
)
def test_a_forged_cursor_with_the_right_keys_is_invalid_not_a_server_error(seeded, key):
    with pytest.raises(InvalidCursor):
        DynamoDirectory().agencies(limit=5, cursor=cursor_of(key))


def test_a_cold_lookup_of_one_category_reads_one_item(seeded, query_calls):
    clock = FakeMonotonic()
    directory = DynamoDirectory(cache_seconds=60, clock=clock)
    known = seed.read_categories()[0]["code"]
    assert directory.category(known).code == known
    assert directory.category("no-such-category") is None
    assert query_calls == []  # GetItems, not the whole taxonomy
    directory.categories()  # once the taxonomy is loaded, it answers
    assert directory.category(known).code == known
    assert len(query_calls) == 1


# -- agencies: a change reaches every warm container within AGENCY_CHECK_SECONDS ----------


def _agency(agency_id: str):
    from chalicelib.services.ports import Agency

    return Agency(
        id=agency_id,
        name="Pemerintah Kota Uji",
        type="local_government",
        region_code="32.77",
        categories=("infrastruktur",),
    )


@pytest.fixture
def agency_reads(monkeypatch):
    """Counts full reads of the agencies (queries) and version checks (GetItem)."""
    from chalicelib.adapters.dynamodb_models import AgencyItem, DirectoryVersionItem

    calls = {"query": 0, "version": 0}
    query, get = AgencyItem.query, DirectoryVersionItem.get

    def counting_query(*args, **kwargs):
        calls["query"] += 1
        return query(*args, **kwargs)

    def counting_get(*args, **kwargs):
        calls["version"] += 1
        return get(*args, **kwargs)

    monkeypatch.setattr(directory_module.AgencyItem, "query", counting_query)
    monkeypatch.setattr(directory_module.DirectoryVersionItem, "get", counting_get)
    return calls


def test_a_new_agency_reaches_another_containers_router_within_the_check_interval(
    seeded, agency_reads
):
    """Before: a new agency was ignored by every other container for 5 minutes."""
    from chalicelib.adapters.dynamodb_models import AgencyItem

    router_clock = FakeMonotonic()
    router = DynamoDirectory(clock=router_clock)  # a warm router container
    admin_api = DynamoDirectory()  # the container serving PUT /v1/admin/agencies/{id}
    before = {a.id for a in router.all_agencies()}
    assert agency_reads == {"query": 1, "version": 1}

    admin_api.save_agency(_agency("pemkot-uji-cache"))
    try:
        assert "pemkot-uji-cache" in {a.id for a in admin_api.all_agencies()}  # at once
        router_clock.now += directory_module.AGENCY_CHECK_SECONDS - 1
        assert {a.id for a in router.all_agencies()} == before  # cached: no read at all
        router_clock.now += 1
        assert "pemkot-uji-cache" in {a.id for a in router.all_agencies()}
    finally:
        AgencyItem("agency", "pemkot-uji-cache").delete()
    assert directory_module.AGENCY_CHECK_SECONDS <= 10  # the documented bound


def test_an_unchanged_directory_costs_one_small_read_per_check(seeded, agency_reads):
    clock = FakeMonotonic()
    router = DynamoDirectory(clock=clock)
    router.all_agencies()
    for _ in range(5):
        clock.now += directory_module.AGENCY_CHECK_SECONDS
        router.all_agencies()
    assert agency_reads == {"query": 1, "version": 6}
