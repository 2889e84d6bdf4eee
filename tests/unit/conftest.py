import pytest

from chalicelib import bootstrap
from tests.fakes import (
    FakeChannelSender,
    FakeDirectory,
    FakeDispatchQueue,
    FakeIdentityLog,
    FakeMediaFetcher,
    FakeMessages,
    FakeOpenDataStore,
    FakePublisher,
    FakeRateLimits,
    FakeStore,
    FakeTargets,
    FixedClock,
    InMemoryAttachments,
    InMemoryReports,
    InMemoryUnitOfWork,
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
def targets():
    return FakeTargets()


@pytest.fixture
def dispatch_queue():
    return FakeDispatchQueue()


@pytest.fixture
def attachments(reports):
    return InMemoryAttachments(reports)


@pytest.fixture
def store(clock):
    return FakeStore(clock)


@pytest.fixture
def messages():
    return FakeMessages()


@pytest.fixture
def identity_log():
    return FakeIdentityLog()


@pytest.fixture
def uow(reports, attachments, identity_log):
    """A unit-of-work factory over the in-memory repositories."""
    return lambda: InMemoryUnitOfWork(reports, attachments, identity_log.entries)


@pytest.fixture
def stats_reader():
    from tests.stats_fakes import FakeStatsReader

    return FakeStatsReader()


@pytest.fixture
def calendar():
    from chalicelib.domain.calendar import default_calendar

    return default_calendar()


@pytest.fixture
def outlets(directory, targets, dispatch_queue, messages):
    from chalicelib.services.messagebus import Outlets

    return Outlets(directory, targets, dispatch_queue, messages)


@pytest.fixture
def wired(
    reports,
    publisher,
    directory,
    clock,
    targets,
    dispatch_queue,
    attachments,
    store,
    uow,
    messages,
    identity_log,
    calendar,
    stats_reader,
):
    """The app wired to in-memory fakes."""
    bootstrap.reset()
    bootstrap.override(
        reports=reports,
        publisher=publisher,
        directory=directory,
        clock=clock,
        targets=targets,
        dispatch_queue=dispatch_queue,
        attachments=attachments,
        store=store,
        uow=uow,
        messages=messages,
        identity_log=identity_log,
        calendar=calendar,
        stats=stats_reader,
        open_data_store=FakeOpenDataStore(),
        rate_limits=FakeRateLimits(),
        channel_sender=FakeChannelSender(),
        media_fetcher=FakeMediaFetcher(),
    )
    yield
    bootstrap.reset()


@pytest.fixture
def trusted_staff_tokens(monkeypatch):
    """Staff tokens signed as api_helpers.token signs them are accepted (a JWKS that knows
    its key)."""
    from chalicelib.adapters import jwt_verifier
    from tests.unit.api_helpers import AUDIENCE, ISSUER, StaticJwks

    verifier = jwt_verifier.JwtVerifier(ISSUER, AUDIENCE, "unused", jwks_client=StaticJwks())
    monkeypatch.setattr(jwt_verifier, "default_verifier", lambda: verifier)


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    """Unit tests never resolve names: literal IPs are judged as they are, names ending
    in .internal are private, every other name is public."""
    from chalicelib.domain import addresses
    from chalicelib.services import webhooks

    def fake_public(host: str) -> bool:
        try:
            address = addresses.parse(host)
        except ValueError:
            return not host.endswith((".internal", ".local"))
        return addresses.is_public(address)

    monkeypatch.setattr(webhooks, "_public_address", fake_public)
