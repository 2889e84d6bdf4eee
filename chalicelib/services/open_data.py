"""The daily open-data export: the public feed (and the published statistics) as CSV and
JSON files with a data dictionary, and an index of the exports that the API lists.

Files are written to temporary files a row at a time (the feed is read a page at a time),
then stored under ``open-data/<date>/``; the index (``open-data/index.json``) is written
last, so it never names a file that is not there. An export of a day replaces that day's.
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from ..domain import open_data
from ..domain.open_data import Dataset
from . import feed as feed_service
from .ports import PublicFeed

KEEP_EXPORTS = 31  # days listed (older files expire by the bucket's lifecycle rule)
PREFIX = "open-data"
INDEX_KEY = f"{PREFIX}/index.json"
DICTIONARY = "data-dictionary.json"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


class OpenDataStore(Protocol):
    def put_file(self, key: str, path: Path, content_type: str) -> None: ...

    def read(self, key: str) -> bytes | None: ...

    def write(self, key: str, body: bytes, content_type: str) -> None: ...

    def link(self, key: str, expires_in: int) -> str: ...


@dataclass(frozen=True)
class Table:
    """A dataset and its rows (each a dict with the dataset's columns; ``extra`` fields
    go to the JSON file only)."""

    dataset: Dataset
    rows: Callable[[], Iterable[tuple[dict, dict]]]


def reports_table(feed: PublicFeed) -> Table:
    def rows() -> Iterator[tuple[dict, dict]]:
        for entry in feed_service.entries(feed):
            row = open_data.report_row(entry)
            yield row, {"responses": open_data.report_responses(entry)}

    return Table(open_data.REPORTS, rows)


def indicators_table(statistics, directory, province_codes) -> Table:
    """The published statistics: the nation, every category and province, and every agency
    of the ranking, for the last 30 days and the previous month (the same pages, with the
    same suppression, as GET /v1/stats/...)."""
    from ..stats import periods

    def rows() -> Iterator[tuple[dict, dict]]:
        today = statistics.today()
        for period in (periods.last30(today), periods.previous_month(today)):
            label = {
                "label": period.label,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
            }
            pages = [statistics.national(period)]
            pages += [statistics.category(c.code, period) for c in directory.categories()]
            pages += [statistics.region(code, period) for code in province_codes]
            for page in pages:
                yield open_data.indicator_row(page, label), {}
            try:
                ranked = statistics.ranking(period)["items"]
            except LookupError:  # the hourly summaries have not run yet
                ranked = []
            for item in ranked:
                page = {
                    "scope": {"kind": "agency", **item["agency"]},
                    "suppressed": item["suppressed"],
                    "indicators": item["indicators"],
                }
                yield open_data.indicator_row(page, label), {}

    return Table(open_data.INDICATORS, rows)


def export(day: date, tables: list[Table], store: OpenDataStore, now: datetime) -> dict:
    files = []
    with tempfile.TemporaryDirectory() as tmp:
        for table in tables:
            files += _write_table(Path(tmp), table, day, store)
        dictionary = json.dumps(
            open_data.dictionary([t.dataset for t in tables]), ensure_ascii=False, indent=2
        ).encode()
        path = Path(tmp) / DICTIONARY
        path.write_bytes(dictionary)
        files.append(_store(store, day, path, "application/json", None))
    entry = {"date": day.isoformat(), "generated_at": now.isoformat(), "files": files}
    index = read_index(store)
    exports = [e for e in index["exports"] if e["date"] != entry["date"]] + [entry]
    exports.sort(key=lambda e: e["date"], reverse=True)
    index = {"licence": open_data.LICENCE, "exports": exports[:KEEP_EXPORTS]}
    store.write(INDEX_KEY, json.dumps(index, indent=2).encode(), "application/json")
    return entry


def read_index(store: OpenDataStore) -> dict:
    raw = store.read(INDEX_KEY)
    return json.loads(raw) if raw else {"licence": open_data.LICENCE, "exports": []}


def key_of(day: str, name: str) -> str:
    return f"{PREFIX}/{day}/{name}"


def _write_table(tmp: Path, table: Table, day: date, store: OpenDataStore) -> list[dict]:
    names = [c.name for c in table.dataset.columns]
    csv_path = tmp / f"{table.dataset.name}.csv"
    json_path = tmp / f"{table.dataset.name}.json"
    rows = 0
    with (
        csv_path.open("w", encoding="utf-8", newline="") as c,
        json_path.open("w", encoding="utf-8") as j,
    ):
        writer = csv.DictWriter(c, fieldnames=names, lineterminator="\r\n")
        writer.writeheader()
        j.write("[")
        for row, extra in table.rows():
            writer.writerow({k: _csv_value(row[k]) for k in names})
            j.write(("," if rows else "") + "\n" + json.dumps({**row, **extra}, ensure_ascii=False))
            rows += 1
        j.write("\n]\n")
    return [
        _store(store, day, csv_path, CONTENT_TYPES["csv"], rows),
        _store(store, day, json_path, CONTENT_TYPES["json"], rows),
    ]


def _csv_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _store(store: OpenDataStore, day: date, path: Path, content_type: str, rows) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    store.put_file(key_of(day.isoformat(), path.name), path, content_type)
    out = {"name": path.name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()}
    if rows is not None:
        out["rows"] = rows
    return out
