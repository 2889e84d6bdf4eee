"""boto3 clients, created lazily and reused across warm invocations.

Every client of the process — boto3's and PynamoDB's — comes from ONE botocore session, so
the endpoint rules, service models and credentials it loads are loaded once per cold
start, not once per client (PynamoDB alone made a session per model class and per
transaction connection; each loaded the DynamoDB model again). A botocore session is not
thread-safe while it creates clients (the local event pump runs handlers in threads), so
client creation holds a lock; the clients themselves are thread-safe.

The session parses botocore's data files (the 1.3 MB endpoints.json the first client
loads, each service's model and endpoint rules) into plain dicts: botocore asks json for
OrderedDicts (``object_pairs_hook``), a call back into Python for every JSON object, which
doubles the parse (some 25 ms of a cold start). Dicts keep their order; nothing in
botocore needs more of an OrderedDict. Should botocore rename the method, its own parse
simply applies again.

Its loader also finds a service's model without listing every service botocore ships:
before loading a model botocore checks that the service is one it knows, and to know them
it lists some 420 service directories, and the API versions in each, once per model type
(``service-2``, then ``endpoint-rule-set-1``): thousands of file system calls and 3% of a
cold start's instructions (50 million), to find the one directory it then reads anyway.
The loader looks in that service's directory only; a service it does not find there goes
the ordinary way (the listing, and botocore's UnknownServiceError naming the services it
knows). It repeats the rest of botocore's method, so it is used only while botocore's
method does what it copies (the same names used, in the same order); under a botocore
that changed it, botocore's own loader stays.
"""

from __future__ import annotations

import functools
import threading

from ..config import settings
from . import tracing

_creating = threading.Lock()


@functools.cache
def botocore_session():
    import botocore.session

    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    loader.file_loader = dict_file_loader()()
    if copies_botocore(type(loader)):
        loader.__class__ = service_loader(type(loader))  # same state, one method differs
    create_client = session.create_client

    def locked_create_client(*args, **kwargs):
        with _creating:
            return create_client(*args, **kwargs)

    session.create_client = locked_create_client
    return session


@functools.cache
def dict_file_loader() -> type:
    """botocore's JSON file loader, parsing into dicts (a class made on first use: botocore
    loads with the first client)."""
    import json
    import os

    from botocore.loaders import JSONFileLoader

    class DictFileLoader(JSONFileLoader):
        def _load_file(self, full_path, open_method):
            if not os.path.isfile(full_path):
                return None
            with open_method(full_path, "rb") as fp:
                return json.loads(fp.read().decode("utf-8"))

    return DictFileLoader


# What botocore's Loader.load_service_model uses, in order (botocore 1.2x-1.4x): the
# listing, then the latest version, the data and the extras, which ServiceLoader repeats.
_BOTOCORE_LOAD_SERVICE_MODEL = (
    "list_available_services",
    "UnknownServiceError",
    "join",
    "determine_latest_version",
    "os",
    "path",
    "load_data",
    "_find_extras",
    "_extras_processor",
    "process",
)


def copies_botocore(base: type) -> bool:
    """botocore's load_service_model is the one ServiceLoader copies (under its
    instance_cache decorator, whose closure holds the method)."""
    try:
        method = base.load_service_model.__closure__[0].cell_contents
        return method.__code__.co_names == _BOTOCORE_LOAD_SERVICE_MODEL
    except (AttributeError, IndexError, TypeError):
        return False


@functools.cache
def service_loader(base: type) -> type:
    """botocore's Loader, finding a service's model without listing every service."""
    import os

    from botocore.exceptions import DataNotFoundError
    from botocore.loaders import instance_cache

    class ServiceLoader(base):
        @instance_cache
        def load_service_model(self, service_name, type_name, api_version=None):
            # botocore's own method, but for how it decides that the service exists: a
            # directory of that name in a search path with a version holding type_name
            # (list_api_versions; the listing asks exactly that of every directory).
            if not self._has_service(service_name, type_name):
                return super().load_service_model(service_name, type_name, api_version)
            if api_version is None:
                api_version = self.determine_latest_version(service_name, type_name)
            full_path = os.path.join(service_name, api_version, type_name)
            model = self.load_data(full_path)
            extras_data = self._find_extras(service_name, type_name, api_version)
            self._extras_processor.process(model, extras_data)
            return model

        def _has_service(self, service_name, type_name) -> bool:
            separators = {os.sep, os.altsep} - {None}
            if (
                not isinstance(service_name, str)
                or service_name in ("", ".", "..")
                or any(sep in service_name for sep in separators)
            ):
                return False  # not a directory name: botocore's own check decides
            try:
                return bool(self.list_api_versions(service_name, type_name))
            except (DataNotFoundError, OSError):  # OSError: a file of that name
                return False

    ServiceLoader.__name__ = ServiceLoader.__qualname__ = f"Service{base.__name__}"
    return ServiceLoader


@functools.cache
def boto3_session():
    """One boto3 session on top (each boto3 session registers its handlers on the
    botocore session again: two would inject S3's upload methods twice)."""
    import boto3

    return boto3.session.Session(botocore_session=botocore_session())


def share_session_with_pynamodb() -> None:
    """PynamoDB connections take their botocore session from this module's session."""
    from pynamodb.connection import base

    base.get_session = botocore_session


@functools.cache
def client(service: str):
    from botocore.config import Config

    tracing.init()
    # Fail fast: a report is already stored when SQS is called, and the outbox sweeper
    # covers a failed send; hanging until the Lambda timeout would lose the response.
    config = Config(
        connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}
    )
    return boto3_session().client(service, region_name=settings().region, config=config)
