"""The agency directory and category taxonomy in DynamoDB (one partition per kind)."""

from __future__ import annotations

import base64
import json
import time
import uuid

from pynamodb.exceptions import DoesNotExist

from ..services.ports import Agency, Category, InvalidCursor, Page
from .dynamodb_models import AgencyItem, CategoryItem, DirectoryVersionItem

# How stale another container's copy of the agencies may be: every container compares its
# copy with the directory's version token at most this often (one strongly consistent
# GetItem), and reloads the agencies only when the token changed.
AGENCY_CHECK_SECONDS = 10.0


def _category(item: CategoryItem) -> Category:
    return Category(
        code=item.id,
        name=item.name,
        scope=item.scope,
        name_en=item.name_en,
        description=item.description,
        description_en=item.description_en,
        auto_route=item.auto_route,
        lead_agency=item.lead_agency,
        service_levels=_levels(item.service_levels),
    )


def _agency(item: AgencyItem) -> Agency:
    return Agency(
        id=item.id,
        name=item.name,
        type=item.type,
        short_name=item.short_name,
        parent_id=item.parent_id,
        region_code=item.region_code,
        categories=tuple(item.categories or ()),
        email=item.email,
        website=item.website,
        active=item.active,
        sqs_queue_url=item.sqs_queue_url,
        service_levels=_levels(item.service_levels),
    )


def _levels(raw) -> dict | None:
    if raw is None:
        return None
    values = raw.as_dict() if hasattr(raw, "as_dict") else dict(raw)
    return {k: int(v) for k, v in values.items()} or None


def encode_cursor(last_key: dict | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key).encode()).decode()


def _string_value(value) -> str | None:
    if isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str):
        return value["S"] or None
    return None


def decode_key(cursor: str | None, keys: set[str]) -> dict | None:
    """A cursor of another query: a key with exactly these string attributes."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise InvalidCursor(cursor) from None
    if (
        not isinstance(key, dict)
        or set(key) != keys
        or any(_string_value(v) is None for v in key.values())
    ):
        raise InvalidCursor(cursor)
    return key


def decode_cursor(cursor: str | None, kind: str | None = None) -> dict | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise InvalidCursor(cursor) from None
    # A forged key of the wrong shape or partition would reach DynamoDB and fail there
    # (a server error): only a key this adapter could have issued is accepted.
    if (
        not isinstance(key, dict)
        or set(key) != {"kind", "id"}
        or _string_value(key["id"]) is None
        or _string_value(key["kind"]) is None
        or (kind is not None and key["kind"]["S"] != kind)
    ):
        raise InvalidCursor(cursor)
    return key


class DynamoDirectory:
    """Categories are read on every submission, so they are cached per warm container
    (``cache_seconds``; they change only with a release of the taxonomy). The agencies
    are cached too, but a change made anywhere reaches every container within
    ``agency_check_seconds`` (and the container that made it at once): each change
    replaces the directory's version token, which containers compare cheaply."""

    def __init__(
        self,
        cache_seconds: float = 300,
        clock=time.monotonic,
        agency_check_seconds: float = AGENCY_CHECK_SECONDS,
    ):
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._categories: dict[str, Category] | None = None
        self._loaded_at = 0.0
        self._agencies: list[Agency] | None = None
        self._agency_check_seconds = agency_check_seconds
        self._agencies_checked_at = 0.0
        self._agencies_token: str | None = None
        self._one: dict[str, tuple[Category | None, float]] = {}  # code -> (found, at)

    def _category_map(self) -> dict[str, Category]:
        if self._categories is None or self._clock() - self._loaded_at > self._cache_seconds:
            items = CategoryItem.query("category")
            self._categories = {c.code: c for c in map(_category, items)}
            self._loaded_at = self._clock()
        return self._categories

    def _fresh(self, loaded_at: float) -> bool:
        return self._clock() - loaded_at <= self._cache_seconds

    def category(self, code: str) -> Category | None:
        """From the whole taxonomy when it is loaded; otherwise one item (a submission or
        a scheduler run needs one category, not the 32 of the taxonomy)."""
        if self._categories is not None and self._fresh(self._loaded_at):
            return self._categories.get(code)
        cached = self._one.get(code)
        if cached is not None and self._fresh(cached[1]):
            return cached[0]
        try:
            found = _category(CategoryItem.get("category", code))
        except DoesNotExist:
            found = None
        self._one[code] = (found, self._clock())
        return found

    def categories(self) -> list[Category]:
        return sorted(self._category_map().values(), key=lambda c: c.name)

    def agencies(self, limit: int, cursor: str | None) -> Page:
        result = AgencyItem.query(
            "agency", limit=limit, last_evaluated_key=decode_cursor(cursor, "agency")
        )
        items = [_agency(item) for item in result]
        return Page(items, encode_cursor(result.last_evaluated_key))

    def agency(self, agency_id: str) -> Agency | None:
        try:
            return _agency(AgencyItem.get("agency", agency_id))
        except DoesNotExist:
            return None

    def all_agencies(self) -> list[Agency]:
        now = self._clock()
        if (
            self._agencies is not None
            and now - self._agencies_checked_at < self._agency_check_seconds
        ):
            return self._agencies
        token = self._version_token()
        if self._agencies is None or token != self._agencies_token:
            # The token is read first: a change racing with this load bumps it again,
            # so the next check reloads.
            self._agencies = [_agency(item) for item in AgencyItem.query("agency")]
            self._agencies_token = token
        self._agencies_checked_at = now
        return self._agencies

    @staticmethod
    def _version_token() -> str | None:
        try:
            return DirectoryVersionItem.get("meta", "agencies", consistent_read=True).token
        except DoesNotExist:
            return None

    def save_agency(self, agency: Agency) -> None:
        AgencyItem(
            "agency",
            agency.id,
            name=agency.name,
            short_name=agency.short_name,
            type=agency.type,
            parent_id=agency.parent_id,
            region_code=agency.region_code,
            categories=list(agency.categories) or None,
            email=agency.email,
            website=agency.website,
            active=agency.active,
            sqs_queue_url=agency.sqs_queue_url,
            service_levels=dict(agency.service_levels) if agency.service_levels else None,
        ).save()
        # After the agency: a container that sees the new token finds the new agency.
        # A put of a fresh token (not an increment): the same PutItem permission.
        DirectoryVersionItem("meta", "agencies", token=uuid.uuid4().hex).save()
        self._agencies = None  # this container sees its own change at once
