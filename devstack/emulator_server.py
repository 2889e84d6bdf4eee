"""moto server with two fixes to its DynamoDB TransactWriteItems and a fast path for its
DynamoDB read responses. Usage: python -m devstack.emulator_server HOST PORT

1. moto deep-copies every table a transaction touches (to roll back on failure). That
   costs time proportional to the table size (~0.13 ms per stored report here), so the
   local stack got slower with every report. Here only the items the transaction
   touches are copied and restored on failure — the same all-or-nothing result.
2. Those copies raced with writes from other request threads and failed with a 500
   under concurrent load. DynamoDB requests are served one at a time (they are short);
   SQS long polls stay concurrent.
3. moto serializes every response through the service model, attribute by attribute: a
   Query of 70 statistics day items of ~500 counters each took 5 to 20 seconds. The
   results of item reads (GetItem, BatchGetItem, Query, Scan) are already in DynamoDB's
   wire format, so they are written as JSON directly (binary values in base64, as the
   model serializer writes them); anything else takes moto's path.
4. A cancelled transaction left its writes (and the rollback's deletes) in the tables'
   streams; DynamoDB streams only what commits, so those records are taken back too.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import sys
import threading
import uuid

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


class _KeepTables:
    """Stands in for the ``copy`` module inside moto.dynamodb.models during a
    transaction: tables are not copied (their touched items are, by the wrapper)."""

    def __init__(self, real_copy, table_type):
        self._copy = real_copy
        self._table_type = table_type

    def deepcopy(self, value, *args, **kwargs):
        if isinstance(value, self._table_type):
            return value
        return self._copy.deepcopy(value, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._copy, name)


def _item_key(backend, op_type: str, op: dict):
    table = backend.get_table(op["TableName"])
    if op_type == "Put":
        attrs = op["Item"]
        key = {table.hash_key_attr: attrs[table.hash_key_attr]}
        if table.range_key_attr is not None:
            key[table.range_key_attr] = attrs[table.range_key_attr]
        return table, key
    return table, op["Key"]


def patch_transactions() -> None:
    import copy

    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    original = models.DynamoDBBackend.transact_write_items
    keep_tables = _KeepTables(copy, Table)

    def transact_write_items(self, transact_items):
        saved = []
        streamed = {}  # table name -> (its stream shard, how many records it had)
        for entry in transact_items:
            try:
                ((op_type, op),) = entry.items()
                table, key = _item_key(self, op_type, op)
                hash_value, range_value = self.get_keys_value(table, key)
            except Exception:
                continue  # malformed: moto itself rejects it below, before any write
            current = table.get_item(hash_value, range_value)
            saved.append((table, hash_value, range_value, copy.deepcopy(current)))
            shard = getattr(table, "stream_shard", None)
            if shard is not None and table.name not in streamed:
                streamed[table.name] = (shard, len(shard.items))
        models.copy = keep_tables
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_value, range_value, before in reversed(saved):
                table.delete_item(hash_value, range_value)
                if before is not None:
                    if range_value is not None:
                        table.items[hash_value][range_value] = before
                    else:
                        table.items[hash_value] = before
            for shard, count in streamed.values():
                del shard.items[count:]
            raise
        finally:
            models.copy = copy

    models.DynamoDBBackend.transact_write_items = transact_write_items


FAST_READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan"})


def _wire(value):
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(type(value).__name__)


def fast_read_body(service: str, operation: str, result) -> str | None:
    """The JSON body of a DynamoDB item read's result, or None for moto's own path."""
    if service != "dynamodb" or operation not in FAST_READS or not isinstance(result, dict):
        return None
    try:
        return json.dumps({k: v for k, v in result.items() if v is not None}, default=_wire)
    except (TypeError, ValueError):
        return None


def patch_read_responses() -> None:
    from moto.core import responses

    original = responses.ActionResult.execute_result

    def execute_result(self, context):
        body = fast_read_body(
            context.service_model.service_name, context.operation_model.name, self.result
        )
        if body is None:
            return original(self, context)
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "x-amzn-requestid": uuid.uuid4().hex,
        }
        return 200, headers, body

    responses.ActionResult.execute_result = execute_result


def serialised_dynamodb(app):
    lock = threading.Lock()

    def wsgi(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            with lock:
                return list(app(environ, start_response))  # finish inside the lock
        return app(environ, start_response)

    return wsgi


def main(host: str, port: int) -> None:
    os.environ.setdefault("MOTO_PORT", str(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    patch_transactions()
    patch_read_responses()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        host, port, serialised_dynamodb(app), threaded=True, request_handler=MotoRequestHandler
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
