import pytest

from chalicelib import bootstrap
from tests.fakes import (
    FakeDirectory,
    FakePublisher,
    FakeStore,
    FixedClock,
    InMemoryAttachments,
    InMemoryReports,
)


@pytest.fixture
def reports():
    return InMemoryReports()


@pytest.fixture
def publisher():
    return FakePublisher()


@pytest.fixture
def directory():
    return FakeDirectory()


@pytest.fixture
def clock():
    return FixedClock()


@pytest.fixture
def attachments(reports):
    return InMemoryAttachments(reports)


@pytest.fixture
def store(clock):
    return FakeStore(clock)


@pytest.fixture
def wired(reports, publisher, directory, clock, attachments, store):
    """The app wired to in-memory fakes."""
    bootstrap.reset()
    bootstrap.override(
        reports=reports,
        publisher=publisher,
        directory=directory,
        clock=clock,
        attachments=attachments,
        store=store,
    )
    yield
    bootstrap.reset()
