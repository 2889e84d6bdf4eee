"""The statistics' counters in DynamoDB (the stats table): the projector's writes.

A counter item is ``(pk, sk)`` with number attributes ``<subscope>|<metric>`` (see
stats/cells.py), changed only by ``ADD``, so concurrent projectors never lose each other's
increments. A stream shard's checkpoint is the item ``(shard#<shard id>, cp)``; a report's
rebuild checkpoint ``(cp#<tracking_id>, cp)``. Both expire a week after their last
change, long after the stream (24 hours) could deliver a change again (shards are closed
and replaced every few hours).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from botocore.exceptions import ClientError

from ..config import settings
from ..stats.cells import Deltas
from ..stats.projector import CheckpointMoved
from . import aws_clients

CHECKPOINT_SK = "cp"
CHECKPOINT_SECONDS = 7 * 24 * 3600
_BATCH_GET = 100


def checkpoint_key(tracking_id: str) -> dict:
    """Where ``ops rebuild-stats`` leaves the last change it counted of a report."""
    return {"pk": {"S": f"cp#{tracking_id}"}, "sk": {"S": CHECKPOINT_SK}}


def shard_key(shard: str) -> dict:
    return {"pk": {"S": f"shard#{shard}"}, "sk": {"S": CHECKPOINT_SK}}


class DynamoStatsCells:
    def __init__(self, table: str | None = None, clock: Callable[[], float] = time.time):
        self.table = table or settings().stats_table
        self.clock = clock

    @property
    def client(self):
        return aws_clients.client("dynamodb")

    def shard_checkpoint(self, shard: str) -> str | None:
        item = self.client.get_item(
            TableName=self.table, Key=shard_key(shard), ConsistentRead=True
        ).get("Item")
        return item["position"]["S"] if item else None

    def rebuilt(self, tracking_ids: Iterable[str]) -> dict[str, int]:
        ids = sorted(set(tracking_ids))
        found: dict[str, int] = {}
        for start in range(0, len(ids), _BATCH_GET):
            keys = [checkpoint_key(t) for t in ids[start : start + _BATCH_GET]]
            request = {self.table: {"Keys": keys, "ProjectionExpression": "pk, seq"}}
            while request:
                answer = self.client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table, []):
                    found[item["pk"]["S"].removeprefix("cp#")] = int(item["seq"]["N"])
                request = answer.get("UnprocessedKeys") or None
        return found

    def apply(self, deltas: Deltas, shard: str, old: str | None, new: str) -> None:
        checkpoint = {
            "TableName": self.table,
            "Key": shard_key(shard),
            "UpdateExpression": "SET #p = :new, expires_at = :exp",
            "ExpressionAttributeNames": {"#p": "position"},
            "ExpressionAttributeValues": {
                ":new": {"S": new},
                ":exp": {"N": str(int(self.clock()) + CHECKPOINT_SECONDS)},
            },
        }
        if old is None:
            checkpoint["ConditionExpression"] = "attribute_not_exists(#p)"
        else:
            checkpoint["ConditionExpression"] = "#p = :old"
            checkpoint["ExpressionAttributeValues"][":old"] = {"S": old}
        actions = [{"Update": checkpoint}]
        for (pk, sk), counters in sorted(deltas.items()):
            names, values, adds = {}, {}, []
            for i, (name, n) in enumerate(sorted(counters.items())):
                names[f"#a{i}"] = name
                values[f":v{i}"] = {"N": str(n)}
                adds.append(f"#a{i} :v{i}")
            actions.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
                        "UpdateExpression": "ADD " + ", ".join(adds),
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values,
                    }
                }
            )
        try:
            self.client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            if _checkpoint_refused(error):
                raise CheckpointMoved() from error
            raise


def _checkpoint_refused(error: ClientError) -> bool:
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    reasons = error.response.get("CancellationReasons") or []
    return bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed"
