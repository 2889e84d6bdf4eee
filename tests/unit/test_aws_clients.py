"""One botocore session for every AWS client of a process (cold start)."""

from __future__ import annotations

import threading

from chalicelib.adapters import aws_clients, dynamodb_models


def test_pynamodb_and_boto3_clients_share_one_botocore_session():
    from pynamodb.connection import Connection

    shared = aws_clients.botocore_session()

    assert Connection(region="ap-southeast-3").session is shared
    assert dynamodb_models.ReportItem._get_connection().connection.session is shared
    assert aws_clients.boto3_session()._session is shared
    assert aws_clients.boto3_session() is aws_clients.boto3_session()


def test_the_service_model_is_loaded_once_for_all_dynamodb_clients(monkeypatch):
    """PynamoDB made a botocore session per model class and per transaction connection,
    and each loaded the DynamoDB model and the endpoint rules again."""
    from pynamodb.connection import Connection

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    loader = type(aws_clients.botocore_session().get_component("data_loader"))
    loads = []
    real = loader.load_data_with_path

    def counting(self, name):
        loads.append(name)
        return real(self, name)

    monkeypatch.setattr(loader, "load_data_with_path", counting)
    Connection(region="ap-southeast-3").client  # noqa: B018
    loads.clear()
    for _ in range(3):
        Connection(region="ap-southeast-3").client  # noqa: B018

    assert [name for name in loads if "dynamodb" in name or "endpoints" in name] == []


def test_clients_can_be_created_from_threads_at_once(monkeypatch):
    """The local event pump runs handlers in threads; a botocore session is not
    thread-safe while it creates clients."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    session = aws_clients.botocore_session()
    errors, clients = [], []

    def create(service):
        try:
            clients.append(session.create_client(service, region_name="ap-southeast-3"))
        except Exception as e:  # pragma: no cover - what the lock prevents
            errors.append(e)

    threads = [threading.Thread(target=create, args=(s,)) for s in ["sqs", "s3", "sns"] * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == [] and len(clients) == 12


def test_botocore_data_is_parsed_into_dicts_equal_to_botocores_own_parse():
    """Plain dicts instead of OrderedDicts (cold start): the same data in the same order.
    (Fresh loaders: resolving endpoints adds keys to the loaded data in place.)"""
    import json
    from collections import OrderedDict

    from botocore.loaders import Loader

    session_loader = aws_clients.botocore_session().get_component("data_loader")
    assert type(session_loader.file_loader) is aws_clients.dict_file_loader()

    ours, theirs = Loader(file_loader=aws_clients.dict_file_loader()()), Loader()
    for load in (
        lambda loader: loader.load_data("endpoints"),
        lambda loader: loader.load_service_model("dynamodb", "service-2"),
        lambda loader: loader.load_service_model("sqs", "endpoint-rule-set-1"),
    ):
        mine, botocores = load(ours), load(theirs)
        assert type(mine) is dict and type(botocores) is OrderedDict
        assert json.dumps(mine) == json.dumps(botocores)
