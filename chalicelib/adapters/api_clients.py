"""Open311 client applications' api_keys, stored by SHA-256 in the directory table
(partition ``open311-key``): a GetItem per authenticated call, never the key itself."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PutError

from ..services.ports import ApiClient
from .dynamodb_models import ApiClientItem

PARTITION = "open311-key"


def _client(item: ApiClientItem) -> ApiClient:
    return ApiClient(
        name=item.name,
        key_hash=item.id,
        created_at=item.created_at,
        active=bool(item.active),
        revoked_at=item.revoked_at,
    )


def _item(client: ApiClient) -> ApiClientItem:
    return ApiClientItem(
        PARTITION,
        client.key_hash,
        name=client.name,
        active=client.active,
        created_at=client.created_at,
        revoked_at=client.revoked_at,
    )


class DynamoApiClients:
    def by_key_hash(self, key_hash: str) -> ApiClient | None:
        """Strongly consistent: a key revoked a moment ago no longer works."""
        try:
            return _client(ApiClientItem.get(PARTITION, key_hash, consistent_read=True))
        except DoesNotExist:
            return None

    def add(self, client: ApiClient) -> None:
        try:
            _item(client).save(condition=ApiClientItem.id.does_not_exist())
        except PutError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                raise ValueError("this key exists already") from None
            raise

    def named(self, name: str) -> list[ApiClient]:
        """The client's keys (the partition holds one item per key ever issued: a few)."""
        return [
            _client(i)
            for i in ApiClientItem.query(PARTITION, filter_condition=ApiClientItem.name == name)
        ]

    def all(self) -> list[ApiClient]:
        return [_client(i) for i in ApiClientItem.query(PARTITION)]

    def save(self, client: ApiClient) -> None:
        _item(client).save()
