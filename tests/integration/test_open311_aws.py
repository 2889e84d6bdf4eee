"""Open311's storage on the emulator: client applications' keys in the directory table
(hashed, revocable, strongly consistent) and the batch read of reports by id."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.adapters.api_clients import DynamoApiClients
from chalicelib.adapters.dynamodb_models import ApiClientItem
from chalicelib.adapters.report_repository import DynamoReportRepository
from chalicelib.domain import tracking_id
from chalicelib.services import open311
from tests.builders import submitted_report

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def test_keys_are_found_by_hash_only_and_revoked_by_name(stack):
    clients = DynamoApiClients()
    name = "app-" + tracking_id.generate().lower()
    key = open311.issue_key(clients, name, T0)
    stored = list(ApiClientItem.query("open311-key", ApiClientItem.id == open311.key_hash(key)))
    assert [i.name for i in stored] == [name]
    assert key not in repr(stored[0].attribute_values)  # only its SHA-256 is kept
    assert open311.authenticate(clients, key).name == name
    second = open311.issue_key(clients, name, T0)
    assert open311.revoke_keys(clients, name, T0) == 2
    for revoked in (key, second):
        with pytest.raises(open311.InvalidApiKey):
            open311.authenticate(clients, revoked)
    assert all(c.revoked_at == T0 for c in clients.named(name))
    with pytest.raises(ValueError):  # a hash is never overwritten
        clients.add(clients.named(name)[0])


def test_get_many_reads_the_existing_reports_in_the_order_asked(stack):
    repo = DynamoReportRepository()
    ids = [tracking_id.generate() for _ in range(3)]
    for tid in ids:
        repo.add_new(submitted_report(T0, tid), None)
    missing = tracking_id.generate()
    asked = [ids[2], missing, ids[0], ids[1]]
    assert [r.tracking_id for r in repo.get_many(asked)] == [ids[2], ids[0], ids[1]]
    assert repo.get_many([]) == []
    with pytest.raises(ValueError):
        repo.get_many([tracking_id.generate() for _ in range(101)])


def test_the_ops_command_creates_lists_and_revokes(stack, capsys):
    import json

    from ops.__main__ import main

    name = "ops-" + tracking_id.generate().lower()
    assert main(["open311-key", "create", name]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["client"] == name and created["api_key"].startswith("o311_")
    clients = DynamoApiClients()
    assert open311.authenticate(clients, created["api_key"]).name == name
    assert main(["open311-key", "list"]) == 0
    listing = capsys.readouterr().out
    assert name in listing and created["api_key"] not in listing
    assert main(["open311-key", "revoke", name]) == 0
    assert json.loads(capsys.readouterr().out) == {"client": name, "revoked": 1}
    with pytest.raises(open311.InvalidApiKey):
        open311.authenticate(clients, created["api_key"])
    assert main(["open311-key", "revoke", name]) == 1  # nothing left to revoke
    assert main(["open311-key", "create", "bad name"]) == 2
    assert main(["open311-key", "create"]) == 2
