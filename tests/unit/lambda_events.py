"""Lambda-shaped SQS events for calling handlers directly.

Unlike chalice's ``generate_sqs_event``, every record has its own messageId and receipt
handle, and carries the receive count SQS reports.
"""


def sqs_record(
    body: str, n: int = 0, receive_count: int = 1, queue: str = "satupintu-dev-dispatch"
) -> dict:
    return {
        "messageId": f"msg-{n}",
        "receiptHandle": f"receipt-{n}",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": "1795748400000",
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:ap-southeast-3:123456789012:{queue}",
        "awsRegion": "ap-southeast-3",
    }


def sqs_event(*records: dict) -> dict:
    return {"Records": list(records)}
