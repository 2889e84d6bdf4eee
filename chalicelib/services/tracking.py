"""Follow a report: the public view for anyone with the tracking id, the full view for
the reporter holding the access token."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import tracking_id as tracking_ids
from ..domain.report import Report, TimelineEvent
from . import access_tokens
from .ports import ReportNotFound, ReportRepository


@dataclass(frozen=True)
class ReporterView:
    report: Report
    timeline: list[TimelineEvent]


def _load(reports: ReportRepository, raw_id: str) -> Report:
    tracking_id = tracking_ids.normalise(raw_id)
    if not tracking_ids.is_valid(tracking_id):
        raise ReportNotFound(raw_id)  # a typo never costs a database read
    return reports.get(tracking_id)


def public_view(reports: ReportRepository, raw_id: str) -> Report:
    return _load(reports, raw_id)


def reporter_view(reports: ReportRepository, raw_id: str, token: str | None) -> ReporterView:
    report = _load(reports, raw_id)
    if not access_tokens.matches(token, report.access_token_hash):
        # Same answer as an unknown id: a wrong token must not confirm the id exists.
        raise ReportNotFound(raw_id)
    return ReporterView(report, reports.timeline(report.tracking_id))
