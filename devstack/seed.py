"""Seed data for the local stack: the category taxonomy, the agency directory (data/)
and demo staff accounts in the emulator's Cognito."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
DEMO_PASSWORD = "Demo-Pintu-2026"  # local emulator only
DEMO_AGENCIES = ("kemenkes", "pemkot-bandung", "pemprov-dki-jakarta", "pln")
# An Open311 client application's api_key, known in advance so that the README's curl
# runs as written: local emulator only (stored hashed like every key; a deployment issues
# its own with `python -m ops open311-key create NAME`).
DEMO_OPEN311_CLIENT = "demo-app"
DEMO_OPEN311_KEY = "o311_demo-local-stack-only"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    agency_id: str | None


def demo_accounts() -> list[DemoAccount]:
    accounts = [DemoAccount("admin", "platform_admin", None)]
    for agency in DEMO_AGENCIES:
        accounts += [
            DemoAccount(f"officer.{agency}", "officer", agency),
            DemoAccount(f"agencyadmin.{agency}", "agency_admin", agency),
            DemoAccount(f"exec.{agency}", "executive", agency),
        ]
    return accounts


def read_categories() -> list[dict]:
    return json.loads((DATA / "categories.json").read_text(encoding="utf-8"))


def read_agencies() -> list[dict]:
    with (DATA / "agencies.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def seed_directory() -> tuple[int, int]:
    """Write categories and agencies with the app's own models (env must point at the
    emulator before this is called)."""
    from chalicelib.adapters.dynamodb_models import CategoryItem

    categories = read_categories()
    with CategoryItem.batch_write() as batch:
        for c in categories:
            batch.save(
                CategoryItem(
                    "category",
                    c["code"],
                    name=c["name"],
                    name_en=c.get("name_en"),
                    scope=c["scope"],
                    description=c.get("description"),
                    description_en=c.get("description_en"),
                    examples=c.get("examples") or None,
                    auto_route=c.get("auto_route", True),
                    lead_agency=c.get("lead_agency"),
                    service_levels=c.get("service_levels"),
                )
            )
    from chalicelib.adapters.directory import DynamoDirectory
    from ops.agencies import import_agencies, read_csv

    agencies = read_csv(DATA / "agencies.csv", {c["code"] for c in categories})
    import_agencies(agencies, DynamoDirectory())
    return len(categories), len(agencies)


def seed_open311_key() -> str:
    """The demo Open311 api_key (env must point at the emulator)."""
    from datetime import UTC, datetime

    from chalicelib.adapters.api_clients import DynamoApiClients
    from chalicelib.services import open311
    from chalicelib.services.ports import ApiClient

    DynamoApiClients().save(
        ApiClient(DEMO_OPEN311_CLIENT, open311.key_hash(DEMO_OPEN311_KEY), datetime.now(UTC))
    )
    return DEMO_OPEN311_KEY


def seed_accounts(idp, pool_id: str) -> list[DemoAccount]:
    accounts = demo_accounts()
    for account in accounts:
        attributes = [{"Name": "email", "Value": f"{account.username}@demo.satupintu.local"}]
        if account.agency_id:
            attributes.append({"Name": "custom:agency_id", "Value": account.agency_id})
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=account.username,
            UserAttributes=attributes,
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=account.username, Password=DEMO_PASSWORD, Permanent=True
        )
        idp.admin_add_user_to_group(
            UserPoolId=pool_id, Username=account.username, GroupName=account.role
        )
    return accounts


def id_token(
    idp, pool_id: str, client_id: str, username: str, password: str = DEMO_PASSWORD
) -> str:
    result = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    return result["AuthenticationResult"]["IdToken"]
