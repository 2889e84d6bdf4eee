"""Request and response models: they validate requests and generate /openapi.json.

They live in one module per group and a group loads when one of its models is first
used: a cold start builds the few models its request needs, not all of them (pydantic
creates each model class at import, some 3 million instructions apiece).
``schemas.SubmitReportIn`` loads .citizen (and .base) only.
"""

from __future__ import annotations

import importlib

from pydantic import ValidationError as ValidationError

# Where each model (or shared type) is defined; tests/unit/test_schemas_modules.py checks
# this against the modules.
GROUPS: dict[str, tuple[str, ...]] = {
    "base": (
        "MAX_INT",
        "COORDINATE_DECIMALS",
        "whole_number",
        "Latitude",
        "Longitude",
        "ByteCount",
        "_In",
        "_Out",
        "Link",
        "ProblemOut",
    ),
    "citizen": (
        "ReporterIn",
        "LocationIn",
        "SubmitReportIn",
        "SubmittedOut",
        "AccessLinkIn",
        "AccessLinkOut",
    ),
    "system": (
        "IndexOut",
        "HealthOut",
    ),
    "views": (
        "CategoryRef",
        "AgencyRefOut",
        "PublicReportOut",
        "ReporterOut",
        "LocationOut",
        "TimelineEventOut",
        "DeadlineOut",
        "RatingOut",
        "ArchivalOut",
        "AttachmentSlotIn",
        "AttachmentOut",
        "AttachmentList",
        "UploadFormOut",
        "UploadSlotOut",
        "ReporterReportOut",
        "StaffReportOut",
        "RoutingOut",
        "ActionOut",
    ),
    "directory": (
        "CategoryOut",
        "CategoryList",
        "AgencyOut",
        "AgencyPage",
        "AgencyListQuery",
    ),
    "staff": (
        "MeOut",
        "InboxQuery",
        "InboxItem",
        "InboxOut",
    ),
    "actions": (
        "Message",
        "MessageIn",
        "ReasonIn",
        "NoteIn",
        "InternalNoteIn",
        "ArchiveIn",
        "RerouteIn",
        "TransferIn",
        "RatingIn",
    ),
    "admin": (
        "AgencyIn",
        "AgencyCreateIn",
        "AgencyAdminOut",
        "WebhookIn",
        "WebhookOut",
        "WebhookSecretOut",
        "WebhookList",
        "DeliveriesQuery",
        "DeliveryOut",
        "DeliveryList",
        "QueueQuery",
        "VerificationItem",
        "VerificationQueueOut",
        "DisposeIn",
        "IdentityReadIn",
        "IdentityOut",
        "IdentityAccessOut",
        "IdentityLogOut",
        "IdentityLogQuery",
    ),
    "webhooks": (
        "WebhookReportData",
        "WebhookLostReport",
        "WebhookEventOut",
    ),
    "public": (
        "FeedQuery",
        "FeedResponseOut",
        "FeedEntryOut",
        "FeedPageOut",
        "OpenDataFileOut",
        "OpenDataExportOut",
        "OpenDataOut",
    ),
    "stats": (
        "StatsQuery",
        "DashboardQuery",
        "StatsPeriodOut",
        "StatsRatesOut",
        "StatsDaysOut",
        "StatsSatisfactionOut",
        "StatsIndicatorsOut",
        "StatsOpenOut",
        "StatsGaugesOut",
        "StatsPlaceOut",
        "StatsScopeOut",
        "StatsRowOut",
        "StatsCrossOut",
        "StatsOut",
        "StatsAgencyOut",
        "RankingItemOut",
        "RankingOut",
        "ServiceLevelWeekOut",
        "SubUnitOut",
        "TopOut",
        "OverdueListOut",
        "DayRangeOut",
        "EmergingLinksOut",
        "EmergingItemOut",
        "EmergingOut",
        "DashboardOut",
    ),
}
_WHERE = {name: group for group, names in GROUPS.items() for name in names}


def __getattr__(name: str):
    group = _WHERE.get(name)
    if group is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{group}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
