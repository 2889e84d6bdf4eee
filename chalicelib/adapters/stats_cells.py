"""The statistics' counters in DynamoDB (the stats table): the projector's writes.

A counter item is ``(pk, sk)`` with number attributes ``<subscope>|<metric>`` (see
stats/cells.py), changed only by ``ADD``, so concurrent projectors never lose each other's
increments. A report's checkpoint is the item ``(cp#<tracking_id>, cp)``; it expires a
week after its last change, long after the stream (24 hours) could deliver the change
again.
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
    return {"pk": {"S": f"cp#{tracking_id}"}, "sk": {"S": CHECKPOINT_SK}}


class DynamoStatsCells:
    def __init__(self, table: str | None = None, clock: Callable[[], float] = time.time):
        self.table = table or settings().stats_table
        self.clock = clock
        self.items_written = 0

    @property
    def client(self):
        return aws_clients.client("dynamodb")

    def checkpoints(self, tracking_ids: Iterable[str]) -> dict[str, int]:
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

    def apply(self, deltas: Deltas, moves: dict[str, tuple[int | None, int]]) -> None:
        expires = str(int(self.clock()) + CHECKPOINT_SECONDS)
        actions = []
        for tracking_id, (old, new) in moves.items():
            update = {
                "TableName": self.table,
                "Key": checkpoint_key(tracking_id),
                "UpdateExpression": "SET seq = :new, expires_at = :exp",
                "ExpressionAttributeValues": {":new": {"N": str(new)}, ":exp": {"N": expires}},
            }
            if old is None:
                update["ConditionExpression"] = "attribute_not_exists(seq)"
            else:
                update["ConditionExpression"] = "seq = :old"
                update["ExpressionAttributeValues"][":old"] = {"N": str(old)}
            actions.append({"Update": update})
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
        if not actions:
            return
        try:
            self.client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            if _checkpoint_refused(error, len(moves)):
                raise CheckpointMoved() from error
            raise
        self.items_written += len(actions)


def _checkpoint_refused(error: ClientError, checkpoints: int) -> bool:
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    reasons = error.response.get("CancellationReasons") or []
    return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons[:checkpoints])
