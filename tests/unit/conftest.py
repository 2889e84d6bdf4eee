import pytest

from chalicelib import bootstrap
from tests.fakes import FakeDirectory, FakePublisher, FixedClock, InMemoryReports


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
def wired(reports, publisher, directory, clock):
    """The app wired to in-memory fakes."""
    bootstrap.reset()
    bootstrap.override(reports=reports, publisher=publisher, directory=directory, clock=clock)
    yield
    bootstrap.reset()
