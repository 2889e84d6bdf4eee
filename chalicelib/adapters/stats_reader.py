"""The statistics table as the readers see it (``stats/cells.py`` defines its items).

Reads only what a page needs: one Query for a range of day items of one scope, a GetItem
or BatchGetItem for ``now`` items, a GetItem for a summary. Never a Scan. Every item read
is counted (``items_read``: the benchmark's figure, and the log's).

Summaries (pk ``summary``) are the only items written here, by the hourly
``publish_stats`` function: what cannot be read per request with a fixed number of items
(the ranking of every agency, the regions' totals, emerging issues), as gzipped JSON.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from datetime import date

from ..config import settings
from ..stats.cells import NOW, day_key
from . import aws_clients

SUMMARY_PK = "summary"
_BATCH = 100  # BatchGetItem's limit


def _number(value: dict):
    if "N" in value:
        text = value["N"]
        return int(text) if text.lstrip("-").isdigit() else float(text)
    if "S" in value:
        return value["S"]
    return None


def _counters(item: dict) -> dict:
    return {name: _number(value) for name, value in item.items()}


class DynamoStatsReader:
    def __init__(self, client=None, table: str | None = None):
        self._client = client
        self._table = table
        self._lock = threading.Lock()
        self.items_read = 0

    @property
    def client(self):
        if self._client is None:
            self._client = aws_clients.client("dynamodb")
        return self._client

    @property
    def table(self) -> str:
        return self._table or settings().stats_table

    def _count(self, n: int) -> None:
        with self._lock:
            self.items_read += n

    def days(self, pk: str, first: date, last: date) -> list[tuple[date, dict]]:
        """The day items of one scope from ``first`` to ``last`` (inclusive), oldest first:
        (day, attributes). Days without an item are simply absent."""
        out = []
        request = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {
                ":pk": {"S": pk},
                ":first": {"S": day_key(first)},
                ":last": {"S": day_key(last)},
            },
        }
        while True:
            response = self.client.query(**request)
            self._count(response.get("ScannedCount", len(response.get("Items", []))))
            for item in response.get("Items", []):
                sk = item.pop("sk")["S"]
                item.pop("pk", None)
                out.append((date.fromisoformat(sk[2:]), _counters(item)))
            if "LastEvaluatedKey" not in response:
                return out
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def now(self, pks: list[str], attributes: list[str] | None = None) -> dict[str, dict]:
        """The ``now`` items (gauges) of these scopes, by pk (absent: no open report);
        ``attributes``: only these (the national item holds every region's gauges)."""
        projection = {}
        if attributes:
            names = {f"#a{n}": name for n, name in enumerate(attributes)}
            projection = {
                "ProjectionExpression": ", ".join(names),
                "ExpressionAttributeNames": names,
            }
        if len(pks) == 1:
            response = self.client.get_item(
                TableName=self.table, Key=_key(pks[0], NOW), **projection
            )
            item = response.get("Item")
            self._count(1 if item else 0)
            return {pks[0]: _counters(item)} if item else {}
        out: dict[str, dict] = {}
        for start in range(0, len(pks), _BATCH):
            keys = [_key(pk, NOW) for pk in dict.fromkeys(pks[start : start + _BATCH])]
            wanted = {self.table: {"Keys": keys, **projection}}
            if projection:
                names = projection["ExpressionAttributeNames"]
                wanted[self.table]["ProjectionExpression"] += ", #pk"
                wanted[self.table]["ExpressionAttributeNames"] = {**names, "#pk": "pk"}
            for attempt in range(10):
                if not wanted:
                    break
                if attempt:
                    time.sleep(0.05 * 2**attempt)  # DynamoDB asks to back off
                response = self.client.batch_get_item(RequestItems=wanted)
                items = response.get("Responses", {}).get(self.table, [])
                self._count(len(items))
                for item in items:
                    pk = item.pop("pk")["S"]
                    item.pop("sk", None)
                    out[pk] = _counters(item)
                wanted = response.get("UnprocessedKeys") or {}
            if wanted:
                raise RuntimeError("BatchGetItem left keys unprocessed after 10 attempts")
        return out

    def summary(self, name: str) -> dict | None:
        response = self.client.get_item(TableName=self.table, Key=_key(SUMMARY_PK, name))
        item = response.get("Item")
        if not item:
            return None
        self._count(1)
        return json.loads(gzip.decompress(item["body"]["B"]))

    def put_summary(self, name: str, body: dict) -> None:
        data = gzip.compress(json.dumps(body, separators=(",", ":"), default=str).encode())
        self.client.put_item(
            TableName=self.table,
            Item={**_key(SUMMARY_PK, name), "body": {"B": data}},
        )


def _key(pk: str, sk: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}}
