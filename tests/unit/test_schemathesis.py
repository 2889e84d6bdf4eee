"""Schemathesis over /openapi.json, as a client generator would use it: the coverage,
fuzzing and stateful phases, anonymous (and as the reporter), as a platform admin and as an
officer, with real ids and tokens. Zero 5xx, every status documented, every response valid
against its schema. Bounded: a few examples per operation, a fixed seed."""

from __future__ import annotations

import json
import random

import pytest
import schemathesis
from chalice.test import Client
from schemathesis.engine import events

from app import app
from chalicelib import bootstrap
from chalicelib.domain.directory import Agency
from tests.fakes import FakeDeliveryLog, FakeDirectory
from tests.unit.api_helpers import VALID, bearer
from tests.unit.chalice_wsgi import wsgi

pytestmark = pytest.mark.filterwarnings("ignore")

AGENCY = "pemkot-bandung"
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
MAX_EXAMPLES = 8


@pytest.fixture
def directory():
    return FakeDirectory(
        agencies=[
            Agency(AGENCY, "Pemerintah Kota Bandung", "local_government", region_code="32.73")
        ]
    )


@pytest.fixture
def world(wired, trusted_staff_tokens):
    """Real ids and tokens: a report disposed to the agency, its reporter's token, an
    upload slot, a webhook."""
    bootstrap.override(deliveries=FakeDeliveryLog())
    # The channels configured, so requests reach their handshake and signature checks.
    from tests.unit.channel_helpers import META, FakeIntake, StaticChannelSecrets, X

    bootstrap.override(
        channel_intake=FakeIntake(), channel_secrets=StaticChannelSecrets(meta=META, x=X)
    )
    admin = bearer("platform_admin", username="admin")
    officer = bearer("officer", agency_id=AGENCY)
    agency_admin = bearer("agency_admin", agency_id=AGENCY)
    with Client(app) as c:
        created = json.loads(
            c.http.post(
                "/v1/reports",
                headers={"Content-Type": "application/json"},
                body=json.dumps(VALID),
            ).body
        )
        tid, token = created["tracking_id"], created["access_token"]
        c.http.post(
            f"/v1/admin/reports/{tid}/dispose",
            headers={**admin, "Content-Type": "application/json"},
            body=json.dumps({"agency_id": AGENCY}),
        )
        slot = json.loads(
            c.http.post(
                f"/v1/reports/{tid}/attachments",
                headers={"X-Report-Token": token, "Content-Type": "application/json"},
                body=json.dumps({"filename": "a.png", "content_type": "image/png", "size": 10}),
            ).body
        )
        hook = json.loads(
            c.http.post(
                f"/v1/admin/agencies/{AGENCY}/webhooks",
                headers={**agency_admin, "Content-Type": "application/json"},
                body=json.dumps({"url": "https://hooks.example.id/satupintu"}),
            ).body
        )
    return {
        "ids": {
            "tracking_id": tid,
            "agency_id": AGENCY,
            "attachment_id": slot["attachment"]["id"],
            "webhook_id": hook["id"],
        },
        "token": token,
        "users": {"anonymous": {}, "admin": admin, "officer": officer},
    }


def run(world, user: str) -> list[str]:
    ids, token, headers = world["ids"], world["token"], world["users"][user]
    rng = random.Random(8)

    @schemathesis.hook
    def map_path_parameters(context, path_parameters):
        # mostly real ids (so the operations do something), sometimes what was generated
        for name in list(path_parameters or {}):
            if name in ids and rng.random() < 0.8:
                path_parameters[name] = ids[name]
        return path_parameters

    @schemathesis.hook
    def map_headers(context, headers_):
        headers_ = dict(headers_ or {})
        if user == "anonymous" and rng.random() < 0.7:
            headers_["X-Report-Token"] = token  # the reporter
        return headers_

    config = schemathesis.Config.from_dict(
        {
            "seed": 8,
            "headers": headers,
            "checks": {name: {"enabled": True} for name in CHECKS} | {"enabled": False},
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "phases": {
                "examples": {"enabled": False},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True, "max-steps": 20},
            },
        }
    )
    try:
        schema = schemathesis.openapi.from_wsgi("/openapi.json", wsgi(app), config=config)
        schema.config.update(base_url="http://127.0.0.1:8000")
        problems = []
        phases = set()
        for event in schemathesis.engine.from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                phases.add(event.phase.value)
                for case_id, checks in event.recorder.checks.items():
                    for check in checks:
                        if check.failure_info is not None:
                            case = event.recorder.cases[case_id].value
                            problems.append(
                                f"{user} {event.phase.value} {case.method} {case.formatted_path}: "
                                f"{check.name}: {check.failure_info.failure.title} "
                                f"{check.failure_info.failure.message[:300]}"
                            )
            elif isinstance(event, events.NonFatalError):
                problems.append(f"{user} error {event.label}: {event.info.message[:300]}")
            elif isinstance(event, events.FatalError):
                problems.append(f"{user} fatal: {event.exception!r}")
    finally:
        schemathesis.hooks.unregister(map_path_parameters)
        schemathesis.hooks.unregister(map_headers)
    return problems, phases


@pytest.mark.parametrize("user", ["anonymous", "admin", "officer"])
def test_schemathesis_finds_nothing(world, user):
    problems, phases = run(world, user)

    assert sorted(set(problems)) == []
    assert {"coverage", "fuzzing", "stateful"} <= phases
