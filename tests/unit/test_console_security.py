"""An adversarial review of the staff console: who may read and do what on every console
route (the same as the JSON API refuses for the same caller), what never shows (an
anonymous reporter's identity, another agency's confidential report, tokens, a webhook's
signing secret after its one showing), and that odd input on any route is a 4xx page,
never a 500."""

import json
from datetime import UTC, datetime
from html import unescape

import pytest
from chalice.test import Client

from app import app
from chalicelib import bootstrap
from chalicelib.adapters import jwt_verifier
from chalicelib.domain.directory import Agency, Category
from chalicelib.services.routing import route_submitted
from tests.fakes import FakeDeliveryLog, FakeDirectory
from tests.unit.api_helpers import AUDIENCE, ISSUER, VALID, StaticJwks
from tests.unit.portal_helpers import Browser

JABAR, BANDUNG, DUKCAPIL, KEMENKES = (
    "pemprov-jabar",
    "pemkot-bandung",
    "disdukcapil-bandung",
    "kemenkes",
)
CATEGORIES = [
    Category("infrastruktur", "Infrastruktur", "regional", name_en="Infrastructure"),
    Category("kesehatan", "Kesehatan", "national", name_en="Health"),
]
AGENCIES = [
    Agency(JABAR, "Pemerintah Provinsi Jawa Barat", "local_government", region_code="32"),
    Agency(
        BANDUNG,
        "Pemerintah Kota Bandung",
        "local_government",
        parent_id=JABAR,
        region_code="32.73",
        categories=("infrastruktur",),
    ),
    Agency(DUKCAPIL, "Disdukcapil Kota Bandung", "local_government", parent_id=BANDUNG),
    Agency(KEMENKES, "Kementerian Kesehatan", "ministry", categories=("kesehatan",)),
]
# The anonymous reporter: none of this may reach a page an agency or executive gets.
WHO = {"name": "Rahasia Wibowo", "phone": "0813-9988-7766", "email": "rahasia.w@contoh.id"}
IDENTITY_MARKERS = ("Rahasia Wibowo", "Wibowo", "9988", "8776", "rahasia.w", "contoh.id")


@pytest.fixture
def directory():
    return FakeDirectory(CATEGORIES, AGENCIES)


@pytest.fixture
def clock(clock):
    clock.at = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)  # Tuesday 10:00 in Jakarta
    return clock


@pytest.fixture
def deliveries():
    return FakeDeliveryLog()


@pytest.fixture
def client(wired, deliveries, monkeypatch):
    bootstrap.override(deliveries=deliveries)
    verifier = jwt_verifier.JwtVerifier(ISSUER, AUDIENCE, "unused", jwks_client=StaticJwks())
    monkeypatch.setattr(jwt_verifier, "default_verifier", lambda: verifier)
    with Client(app) as c:
        yield c


@pytest.fixture
def filed(client, uow, directory, outlets, clock, calendar):
    """File a report through the API and route it (to Kota Bandung by default)."""

    def _file(routed=True, **fields):
        body = {**VALID, "incident_date": "2026-03-10", **fields}
        r = client.http.post(
            "/v1/reports", headers={"Content-Type": "application/json"}, body=json.dumps(body)
        )
        assert r.status_code == 201, r.body
        tid = json.loads(r.body)["tracking_id"]
        if routed:
            route_submitted(
                tid, uow=uow, directory=directory, outlets=outlets, clock=clock, calendar=calendar
            )
        return tid

    return _file


def browser_as(client, role, agency=None, username=None):
    return Browser(client).sign_in_as(role, agency, username or f"{role}.{agency or 'platform'}")


def text(response) -> str:
    return unescape(response.body.decode())


# ---------------------------------------------------------------- sign-in's ``next``


@pytest.mark.parametrize(
    "next_path",
    ["/staf%0A", "/staf/kotak-masuk%0A", "/en/staf?x=1%0A", "/staf%0D%0A", "/staf/../../lacak"],
)
def test_sign_in_next_is_a_console_page_and_never_breaks_the_redirect(client, next_path):
    """``$`` also matches before a trailing newline: "/staf\\n" passed the check and went
    into the Location header (a 500, and a header value no server should send)."""
    officer = browser_as(client, "officer", BANDUNG)
    r = officer.get(f"/staf/masuk?next={next_path}")
    assert r.status_code == 303
    assert r.headers["Location"] == "/staf"
