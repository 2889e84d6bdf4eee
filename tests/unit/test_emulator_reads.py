"""The local emulator writes DynamoDB item reads as JSON directly (devstack/emulator_server.py,
fix 3): the same body as moto's model serializer, for every attribute type."""

import json

import boto3
import pytest
from moto import mock_aws
from moto.core import responses

from devstack.emulator_server import fast_read_body

ITEM = {
    "pk": {"S": "nat"},
    "sk": {"S": "d#2026-11-27"},
    "all|received": {"N": "12"},
    "ratio": {"N": "0.25"},
    "body": {"B": b"\x1f\x8b\x08binary"},
    "list": {"L": [{"S": "x"}, {"NULL": True}, {"BOOL": False}, {"N": "-3"}]},
    "map": {"M": {"nested": {"M": {"ok": {"BOOL": True}}}}},
    "strings": {"SS": ["a", "b"]},
    "numbers": {"NS": ["1", "2.5"]},
    "blobs": {"BS": [b"1", b"\x00\xff"]},
    "text": {"S": "Jalan berlubang — 3 bulan"},
}


@pytest.fixture
def served(monkeypatch):
    """(operation, result, body moto's serializer wrote) for every DynamoDB response."""
    seen = []
    original = responses.ActionResult.execute_result

    def spy(self, context):
        out = original(self, context)
        seen.append((context.operation_model.name, self.result, out[2]))
        return out

    monkeypatch.setattr(responses.ActionResult, "execute_result", spy)
    monkeypatch.delenv("AWS_ENDPOINT_URL")  # moto in this process: never on the network
    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-southeast-3")
        client.create_table(
            TableName="t",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="t", Item=ITEM)
        key = {"pk": ITEM["pk"], "sk": ITEM["sk"]}
        got = [
            client.get_item(TableName="t", Key=key)["Item"],
            client.get_item(
                TableName="t",
                Key=key,
                ProjectionExpression="#a, ratio",
                ExpressionAttributeNames={"#a": "all|received"},
            )["Item"],
            client.query(
                TableName="t",
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "nat"}},
                Limit=1,
            )["Items"][0],
            client.scan(TableName="t")["Items"][0],
            client.batch_get_item(RequestItems={"t": {"Keys": [key]}})["Responses"]["t"][0],
        ]
        client.get_item(TableName="t", Key={"pk": {"S": "none"}, "sk": {"S": "x"}})
    return seen, got


def test_every_item_read_gets_the_body_moto_would_write(served):
    seen, _ = served
    reads = [
        (op, result, body)
        for op, result, body in seen
        if op in ("GetItem", "Query", "Scan", "BatchGetItem")
    ]
    assert {op for op, _, _ in reads} == {"GetItem", "Query", "Scan", "BatchGetItem"}
    for op, result, body in reads:
        assert json.loads(fast_read_body("dynamodb", op, result)) == json.loads(body), op


def test_what_comes_back_is_what_was_written(served):
    _, got = served
    for item in (got[0], got[2], got[3], got[4]):
        assert item == ITEM
    assert got[1] == {"all|received": {"N": "12"}, "ratio": {"N": "0.25"}}


def test_other_operations_and_services_take_motos_path():
    assert fast_read_body("dynamodb", "CreateTable", {"TableDescription": {}}) is None
    assert fast_read_body("dynamodb", "PutItem", {}) is None
    assert fast_read_body("sqs", "ReceiveMessage", {"Messages": []}) is None
    assert fast_read_body("dynamodb", "Query", ValueError("x")) is None
    assert fast_read_body("dynamodb", "Query", {"Items": [], "When": object()}) is None
