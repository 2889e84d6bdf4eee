"""One botocore session for every AWS client of a process (cold start)."""

from __future__ import annotations

import threading
from pathlib import Path

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


# The services the functions call (infra/resources.json grants no others).
OUR_SERVICES = ("dynamodb", "sqs", "s3", "secretsmanager", "ses", "sns")


def _fresh_service_loader():
    from botocore.loaders import Loader

    return aws_clients.service_loader(Loader)(file_loader=aws_clients.dict_file_loader()())


def test_the_session_creates_clients_without_listing_every_service(monkeypatch):
    """botocore listed some 420 service directories (and the versions in each) per model
    type before loading a model: 3% of a cold start's instructions."""
    from botocore.session import get_session

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    session = aws_clients.botocore_session()
    loader = session.get_component("data_loader")
    listed = []
    real = type(loader).list_available_services

    def listing(self, type_name):
        listed.append(type_name)
        return real(self, type_name)

    monkeypatch.setattr(type(loader), "list_available_services", listing)
    monkeypatch.setattr(loader, "_cache", {})  # as a new process's loader
    for service in OUR_SERVICES:
        client = session.create_client(service, region_name="ap-southeast-3")
        assert client.meta.service_model.service_name == service

    assert listed == []
    # and what is asked for the list still gets all of it
    assert session.get_available_services() == get_session().get_available_services()
    assert len(session.get_available_services()) > 300


def test_the_service_loader_knows_exactly_the_services_botocore_lists():
    from botocore.loaders import Loader

    ours, botocores = _fresh_service_loader(), Loader()
    builtin = Path(Loader.BUILTIN_DATA_PATH)
    names = sorted(p.name for p in builtin.iterdir())
    names += ["no-such-service", "", ".", "..", "dynamodb/2012-08-10", "../data/dynamodb"]
    for type_name in ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2"):
        known = set(botocores.list_available_services(type_name))
        for name in names:
            assert ours._has_service(name, type_name) == (name in known), (name, type_name)


def test_the_service_loader_loads_the_models_botocore_loads():
    import json

    from botocore.loaders import Loader

    ours = _fresh_service_loader()
    botocores = Loader(file_loader=aws_clients.dict_file_loader()())
    for service in OUR_SERVICES:
        for type_name in ("service-2", "endpoint-rule-set-1", "paginators-1"):
            mine = ours.load_service_model(service, type_name)
            assert json.dumps(mine) == json.dumps(botocores.load_service_model(service, type_name))
            # and cached, as botocore's
            assert ours.load_service_model(service, type_name) is mine
    # an explicit API version, and the SDK extras merged in (sqs has some)
    assert json.dumps(ours.load_service_model("dynamodb", "service-2", "2012-08-10")) == (
        json.dumps(botocores.load_service_model("dynamodb", "service-2", "2012-08-10"))
    )


def test_an_unknown_service_is_refused_as_botocore_refuses_it():
    import pytest
    from botocore.exceptions import DataNotFoundError, UnknownServiceError
    from botocore.loaders import Loader

    for name in ("no-such-service", "dynamodb/2012-08-10", ".."):
        with pytest.raises(UnknownServiceError) as mine:
            _fresh_service_loader().load_service_model(name, "service-2")
        with pytest.raises(UnknownServiceError) as botocores:
            Loader().load_service_model(name, "service-2")
        assert str(mine.value) == str(botocores.value)
    # a known service without data of that type: botocore's DataNotFoundError
    with pytest.raises(DataNotFoundError):
        _fresh_service_loader().load_service_model("dynamodb", "service-2", "1999-01-01")


def test_the_service_loader_is_used_only_while_botocore_does_what_it_copies():
    from botocore.loaders import Loader, instance_cache

    assert aws_clients.copies_botocore(Loader)  # this botocore: the loader is used

    class Changed(Loader):
        @instance_cache
        def load_service_model(self, service_name, type_name, api_version=None):
            self.list_available_services(type_name)
            return self.load_data_with_path(service_name)  # something else

    class Undecorated(Loader):
        def load_service_model(self, service_name, type_name, api_version=None):
            return super().load_service_model(service_name, type_name, api_version)

    assert not aws_clients.copies_botocore(Changed)
    assert not aws_clients.copies_botocore(Undecorated)
