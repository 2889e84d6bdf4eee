"""The statistics reader against DynamoDB in the emulator: a day range is one Query of one
partition, gauges one GetItem or BatchGetItem, summaries round-trip; a page reads as many
items with 1,000 reports as with 10, and never scans."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import botocore.client
import pytest

from chalicelib.adapters.stats_reader import DynamoStatsReader
from chalicelib.domain.directory import Agency
from chalicelib.services.statistics import Statistics
from chalicelib.stats import cells, periods
from tests.fakes import FakeDirectory, FixedClock
from tests.stats_fakes import Life, at, cells_of

pytestmark = pytest.mark.integration

# Long ago, in pks of their own: no other test's cells are in these ranges.
MONTH = date(2011, 3, 1)


@pytest.fixture
def dynamodb(stack):
    return stack.client("dynamodb")


@pytest.fixture
def reader(stack):
    return DynamoStatsReader()


def write(dynamodb, table: cells.Deltas) -> int:
    """The cells as the projector leaves them (one item per cell, numbers)."""
    from chalicelib.config import settings

    for (pk, sk), counters in table.items():
        item = {"pk": {"S": pk}, "sk": {"S": sk}}
        item |= {name: {"N": str(n)} for name, n in counters.items()}
        dynamodb.put_item(TableName=settings().stats_table, Item=item)
    return len(table)


@pytest.fixture
def calls(monkeypatch):
    """Every DynamoDB operation this test makes."""
    seen: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self, operation, params):
        seen.append(operation)
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return seen


def agency_id() -> str:
    return f"dinas-uji-{uuid.uuid4().hex[:8]}"


def lives(agency: str, n: int) -> list[Life]:
    out = []
    for i in range(n):
        day = MONTH + timedelta(days=i % 31)
        life = Life(day).dispose(day, agency)
        if i % 2:
            life.respond(day + timedelta(days=1))
        out.append(life)
    return out


def test_a_day_range_is_one_query_of_that_scope(dynamodb, reader, calls):
    mine, other = agency_id(), agency_id()
    write(dynamodb, cells_of(lives(mine, 40) + lives(other, 5)))
    calls.clear()
    got = reader.days(cells.agency_pk(mine), date(2011, 3, 5), date(2011, 3, 9))
    assert calls == ["Query"]
    assert [d for d, _ in got] == [date(2011, 3, n) for n in range(5, 10)]
    assert all(isinstance(v, int) for _, c in got for v in c.values())
    assert sum(c.get("all|received", 0) for _, c in got) == 5 + 5  # days 5-9, twice over 40
    assert reader.items_read == 5


def test_gauges_by_get_item_or_one_batch(dynamodb, reader, calls):
    a, b, missing = agency_id(), agency_id(), agency_id()
    write(dynamodb, cells_of(lives(a, 3) + lives(b, 2)))
    calls.clear()
    one = reader.now([cells.agency_pk(a)], attributes=["all|open:in_progress", "all|overdue"])
    assert calls == ["GetItem"]
    assert one == {cells.agency_pk(a): {"all|open:in_progress": 1}}  # overdue: no attribute
    calls.clear()
    many = reader.now([cells.agency_pk(x) for x in (a, b, missing)])
    assert calls == ["BatchGetItem"]
    assert set(many) == {cells.agency_pk(a), cells.agency_pk(b)}
    assert many[cells.agency_pk(b)]["all|open:awaiting_followup"] == 1
    assert reader.items_read == 3


def test_summaries_round_trip_gzipped(dynamodb, reader):
    name = f"test#{uuid.uuid4().hex}"
    body = {"computed_at": "2011-03-31T00:00:00+00:00", "items": [{"p_value": 1e-20}] * 500}
    reader.put_summary(name, body)
    assert reader.summary(name) == body
    from chalicelib.config import settings

    stored = dynamodb.get_item(
        TableName=settings().stats_table, Key={"pk": {"S": "summary"}, "sk": {"S": name}}
    )["Item"]
    assert len(stored["body"]["B"]) < 1000  # 500 rows compress to almost nothing
    assert reader.summary(f"test#{uuid.uuid4().hex}") is None


def test_an_agency_page_reads_as_many_items_with_1000_reports_as_with_10(dynamodb, reader, calls):
    small, large = agency_id(), agency_id()
    write(dynamodb, cells_of(lives(small, 62)))  # two a day: every day has an item
    write(dynamodb, cells_of(lives(large, 1000)))
    directory = FakeDirectory(
        agencies=[Agency(small, "Dinas Kecil", "local_government"), Agency(large, "Besar", "x")]
    )
    clock = FixedClock(at(date(2011, 4, 15)))
    stats = Statistics(reader, directory, clock)
    march = periods.parse("2011-03", clock.now().date())

    def items_read(agency):
        reader.items_read = 0
        page = stats.agency(agency, march)
        assert page["indicators"]["received"] in (62, 1000)
        return reader.items_read

    calls.clear()
    assert items_read(small) == items_read(large) == 31 + 1  # 31 day items, 1 now item
    assert set(calls) == {"Query", "GetItem"}  # never a Scan
