"""Move messages from a dead-letter queue back to its source queue.

The emulator has no StartMessageMoveTask, so this receives, re-sends and deletes — which
also works on AWS. A message is deleted from the DLQ only after it was sent again.
"""

from __future__ import annotations


def redrive(sqs, source_url: str, dlq_url: str, limit: int | None = None) -> int:
    moved = 0
    while limit is None or moved < limit:
        want = 10 if limit is None else min(10, limit - moved)
        messages = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=want,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            params = {"QueueUrl": source_url, "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                params["MessageAttributes"] = message["MessageAttributes"]
            sqs.send_message(**params)
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    return moved
