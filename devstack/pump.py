"""The event pump: plays the Lambda service for the app's SQS, stream and schedule handlers.

It reads the subscriptions from the Chalice app itself (``app.event_sources``), long-polls
each queue, invokes the handler with a Lambda-shaped SQS event (real message ids and
receipt handles), deletes only the records that succeeded (``batchItemFailures``), and
leaves failures to the queue's visibility timeout and redrive policy — as Lambda does
with ReportBatchItemFailures enabled. DynamoDB streams are read shard by shard, in order,
as Lambda's event source mapping does: a batch that fails is retried (with backoff) before
the shard moves on, and the reads count as the function's own calls (Lambda reads a
stream with the function's role). Schedules run at their rate.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass

from . import aws_calls

log = logging.getLogger("devstack.pump")

_RATE = re.compile(r"rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)")
_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = ""
    _deadline: float = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _context(name: str, timeout: float = 30.0) -> LambdaContext:
    return LambdaContext(
        name,
        str(uuid.uuid4()),
        invoked_function_arn=f"local:{name}",
        _deadline=time.monotonic() + timeout,
    )


def sqs_event(messages: list[dict], queue_arn: str, region: str) -> dict:
    records = []
    for m in messages:
        attributes = {
            k: v
            for k, v in m.get("Attributes", {}).items()
            if k
            in (
                "ApproximateReceiveCount",
                "SentTimestamp",
                "SenderId",
                "ApproximateFirstReceiveTimestamp",
                "MessageGroupId",
                "MessageDeduplicationId",
                "SequenceNumber",
            )
        }
        message_attributes = {
            name: {
                "stringValue": a.get("StringValue"),
                "binaryValue": a.get("BinaryValue"),
                "stringListValues": a.get("StringListValues", []),
                "binaryListValues": a.get("BinaryListValues", []),
                "dataType": a["DataType"],
            }
            for name, a in m.get("MessageAttributes", {}).items()
        }
        records.append(
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": attributes,
                "messageAttributes": message_attributes,
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        )
    return {"Records": records}


def failed_ids(result, records: list[dict]) -> set[str]:
    """Message ids to leave on the queue, per Lambda's partial batch response rules."""
    all_ids = {r["messageId"] for r in records}
    if not isinstance(result, dict) or "batchItemFailures" not in result:
        return set()
    failures = result["batchItemFailures"] or []
    if not isinstance(failures, list):
        return all_ids
    ids = set()
    for failure in failures:
        item = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not item or item not in all_ids:
            return all_ids  # Lambda treats a malformed response as a failed batch
        ids.add(item)
    return ids


def schedule_seconds(expression) -> float:
    if hasattr(expression, "to_string"):  # chalice.Rate / chalice.Cron
        expression = expression.to_string()
    if expression.strip().startswith("cron("):
        # Only daily crons are used; locally they run a day apart from the start (run one
        # now with its command, e.g. `python -m ops --local export-open-data`).
        fields = expression.strip()[5:-1].split()
        if len(fields) != 6 or fields[2:5] != ["*", "*", "?"]:
            raise ValueError(f"unsupported schedule {expression!r} (daily cron only)")
        return _SECONDS["day"]
    match = _RATE.fullmatch(expression.strip())
    if not match:
        raise ValueError(f"unsupported schedule {expression!r} (rate(...) only)")
    count, unit = int(match.group(1)), match.group(2).rstrip("s")
    return count * _SECONDS[unit]


class EventPump:
    def __init__(
        self,
        app,
        sqs_client,
        region: str,
        *,
        workers: int = 1,
        wait_seconds: int = 1,
        schedule_scale: float = 1.0,
    ):
        self.app = app
        self.sqs = sqs_client
        self.region = region
        self.workers = workers
        self.wait_seconds = wait_seconds
        self.schedule_scale = schedule_scale
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def subscriptions(self) -> list:
        return [s for s in self.app.event_sources if type(s).__name__ == "SQSEventConfig"]

    def stream_subscriptions(self) -> list:
        return [s for s in self.app.event_sources if type(s).__name__ == "DynamoDBEventConfig"]

    def schedules(self) -> list:
        return [s for s in self.app.event_sources if hasattr(s, "schedule_expression")]

    def start(self) -> EventPump:
        for sub in self.subscriptions():
            queue = sub.queue or sub.queue_arn.rsplit(":", 1)[-1]
            url = self.sqs.get_queue_url(QueueName=queue)["QueueUrl"]
            arn = f"arn:aws:sqs:{self.region}:123456789012:{queue}"
            for n in range(self.workers):
                self._spawn(f"sqs:{queue}#{n}", self._poll_loop, sub, url, arn)
        for sub in self.stream_subscriptions():
            reader = StreamReader(self, sub)
            self._spawn(f"stream:{reader.table}", reader.loop)
        for sched in self.schedules():
            self._spawn(f"schedule:{sched.name}", self._schedule_loop, sched)
        return self

    def _spawn(self, name, target, *args):
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def poll_once(self, sub, url: str, arn: str) -> int:
        response = self.sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(sub.batch_size, 10),
            WaitTimeSeconds=self.wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return 0
        event = sqs_event(messages, arn, self.region)
        handler = self.app.handler_map[sub.name]
        started = time.perf_counter()
        try:
            with aws_calls.invoking(sub.name):
                result = handler(event, _context(sub.name))
            failed = failed_ids(result, event["Records"])
            outcome = f"{len(failed)} failed" if failed else "ok"
        except Exception:
            log.exception("%s raised; the whole batch stays on the queue", sub.name)
            failed = {r["messageId"] for r in event["Records"]}
            outcome = "error"
        done = [r for r in event["Records"] if r["messageId"] not in failed]
        if done:
            deleted = self.sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(done)
                ],
            )
            for failure in deleted.get("Failed", []):
                log.warning(
                    "could not delete a handled message (%s); it will be delivered again",
                    failure.get("Code"),
                )
        log.info(
            "sqs %s -> %s: %d record(s), %s (%.0f ms)",
            sub.queue,
            sub.name,
            len(messages),
            outcome,
            (time.perf_counter() - started) * 1000,
        )
        return len(messages)

    def _poll_loop(self, sub, url, arn):
        while not self._stop.is_set():
            try:
                self.poll_once(sub, url, arn)
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("polling %s failed; retrying", sub.queue)
                self._stop.wait(1)

    def run_schedule(self, sched) -> object:
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": self.region,
            "resources": [f"arn:aws:events:{self.region}:123456789012:rule/{sched.name}"],
            "detail": {},
        }
        started = time.perf_counter()
        with aws_calls.invoking(sched.name):
            result = self.app.handler_map[sched.name](event, _context(sched.name))
        log.info(
            "schedule %s -> %s (%.0f ms)",
            sched.name,
            result,
            (time.perf_counter() - started) * 1000,
        )
        return result

    def _schedule_loop(self, sched):
        interval = schedule_seconds(sched.schedule_expression) * self.schedule_scale
        while not self._stop.wait(interval):
            try:
                self.run_schedule(sched)
            except Exception:
                log.exception("schedule %s failed", sched.name)


def table_of_stream(stream_arn: str) -> str:
    """``arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`` -> name."""
    return stream_arn.split(":", 5)[5].split("/")[1]


def stream_event(records: list[dict], stream_arn: str, region: str, shard_id: str) -> dict:
    """A Lambda DynamoDB-stream event from GetRecords' records, as a tumbling-window
    invocation sends it (which names the shard): here every batch is its own window."""
    out = []
    for r in records:
        change = dict(r["dynamodb"])
        created = change.get("ApproximateCreationDateTime")
        if hasattr(created, "timestamp"):
            change["ApproximateCreationDateTime"] = created.timestamp()
        elif created is None:
            change["ApproximateCreationDateTime"] = time.time()
        out.append(
            {
                "eventID": r["eventID"],
                "eventName": r["eventName"],
                "eventVersion": r.get("eventVersion", "1.1"),
                "eventSource": "aws:dynamodb",
                "awsRegion": region,
                "dynamodb": change,
                "eventSourceARN": stream_arn,
            }
        )
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {
        "Records": out,
        "window": {"start": now, "end": now},
        "state": {},
        "shardId": shard_id,
        "eventSourceARN": stream_arn,
        "isFinalInvokeForWindow": True,
        "isWindowTerminatedEarly": False,
    }


class StreamReader:
    """One DynamoDB stream subscription: its shards read in order, batch by batch."""

    def __init__(self, pump: EventPump, sub):
        self.pump = pump
        self.sub = sub
        self.table = table_of_stream(sub.stream_arn)
        endpoint = pump.sqs.meta.endpoint_url
        credentials = dict(
            region_name=pump.region,
            endpoint_url=endpoint,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        import boto3

        self.dynamodb = boto3.client("dynamodb", **credentials)
        self.streams = boto3.client("dynamodbstreams", **credentials)
        self.iterators: dict[str, str] = {}  # shard id -> where to read next
        self.failures = 0

    def stream_arn(self) -> str | None:
        return self.dynamodb.describe_table(TableName=self.table)["Table"].get("LatestStreamArn")

    def poll_once(self) -> int:
        """Read each shard once; returns how many records were handled."""
        arn = self.stream_arn()
        if arn is None:
            return 0
        with aws_calls.invoking(self.sub.name):
            shards = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        handled = 0
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self.iterators:
                with aws_calls.invoking(self.sub.name):
                    self.iterators[shard_id] = self.streams.get_shard_iterator(
                        StreamArn=arn,
                        ShardId=shard_id,
                        ShardIteratorType=self.sub.starting_position,
                    )["ShardIterator"]
            handled += self._read(arn, shard_id)
        return handled

    def _read(self, arn: str, shard_id: str) -> int:
        with aws_calls.invoking(self.sub.name):
            answer = self.streams.get_records(
                ShardIterator=self.iterators[shard_id], Limit=self.sub.batch_size
            )
        records = answer.get("Records", [])
        if not records:
            if answer.get("NextShardIterator"):
                self.iterators[shard_id] = answer["NextShardIterator"]
            return 0
        event = stream_event(records, arn, self.pump.region, shard_id)
        started = time.perf_counter()
        try:
            with aws_calls.invoking(self.sub.name):
                result = self.pump.app.handler_map[self.sub.name](event, _context(self.sub.name))
            if not isinstance(result, dict) or "state" not in result:
                raise RuntimeError("a tumbling-window invocation must answer with a state")
        except Exception:
            # The shard waits: the same records again, after a pause (as Lambda retries).
            self.failures += 1
            log.exception("%s raised; the batch is retried", self.sub.name)
            self.pump._stop.wait(min(5.0, 0.2 * 2**self.failures))
            return 0
        self.failures = 0
        self.iterators[shard_id] = answer["NextShardIterator"]
        log.info(
            "stream %s -> %s: %d record(s), %s (%.0f ms)",
            self.table,
            self.sub.name,
            len(records),
            result,
            (time.perf_counter() - started) * 1000,
        )
        return len(records)

    def loop(self) -> None:
        while not self.pump._stop.is_set():
            try:
                if not self.poll_once():
                    self.pump._stop.wait(0.3)
            except Exception:
                if self.pump._stop.is_set():
                    return
                log.exception("reading the stream of %s failed; retrying", self.table)
                self.pump._stop.wait(1)
