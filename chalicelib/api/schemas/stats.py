"""Public statistics, the ranking and the executive dashboard."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from ..path_params import AGENCY_ID
from .base import _In, _Out
from .staff import InboxItem

# ---------------------------------------------------------------- statistics (issue 9)

_PERIOD = r"^(last30|[0-9]{4}-(0[1-9]|1[0-2]))$"


class StatsQuery(_In):
    model_config = ConfigDict(extra="forbid", strict=False)
    period: Annotated[str, Field(pattern=_PERIOD)] = Field(
        "last30",
        description="last30 (today and the 29 days before, Asia/Jakarta) or a month YYYY-MM "
        "(from 2000-01, not in the future).",
    )


class DashboardQuery(StatsQuery):
    agency: Annotated[str, Field(pattern=AGENCY_ID)] | None = Field(
        None,
        description="Executives: one of their agency's sub-units (default: their agency). "
        "Platform admins: any agency (default: national).",
    )


class StatsPeriodOut(_Out):
    label: str
    start: date
    end: date = Field(description="Inclusive; today for last30 and the running month.")
    closed: bool = Field(description="A month that has ended: its figures no longer change.")


class StatsRatesOut(_Out):
    verified: float | None = Field(description="Verified ÷ received (not for agencies).")
    followed_up: float | None = Field(
        description='"% TL": followed up ÷ received (agency) or ÷ verified (elsewhere).'
    )
    completed: float | None = Field(description="Completed ÷ received.")
    in_time: float | None = Field(description="Followed up within the service level ÷ followed up.")


class StatsDaysOut(_Out):
    median: float | None = Field(description="Working days (60: 60 or more).")
    count: int


class StatsSatisfactionOut(_Out):
    rated: int
    average: float | None
    distribution: dict[str, int] = Field(description="Ratings per score, 1 to 5.")


class StatsIndicatorsOut(_Out):
    """Flows within the period: what happened in it (a rate can exceed 1 when a period
    clears an earlier backlog)."""

    received: int = Field(description="Submitted (agency: assigned to it).")
    verified: int | None
    archived: int | None
    followed_up: int
    in_time: int
    completed: int
    reopened: int
    transferred_away: int | None = Field(description="Agency: handed back or rerouted.")
    rates: StatsRatesOut
    first_response_days: StatsDaysOut
    completion_days: StatsDaysOut
    satisfaction: StatsSatisfactionOut


class StatsOpenOut(_Out):
    unverified: int
    awaiting_followup: int
    in_progress: int
    total: int


class StatsGaugesOut(_Out):
    """Right now, whatever the period."""

    open: StatsOpenOut
    overdue: int


class StatsPlaceOut(_Out):
    code: str
    name: str


class StatsScopeOut(_Out):
    kind: Literal["national", "agency", "category", "region"]
    id: str | None
    name: str | None
    province: StatsPlaceOut | None = None
    parent_id: str | None = None


class StatsRowOut(_Out):
    code: str
    name: str | None
    received: int | None = Field(description="Absent (null) when suppressed.")
    suppressed: bool


class StatsCrossOut(_Out):
    region: str
    category: str
    received: int | None
    suppressed: bool


class StatsOut(_Out):
    """A cell with 1 to 4 reports received in the period, and any cell whose value could
    be worked out from the others, is suppressed: no numbers."""

    scope: StatsScopeOut
    period: StatsPeriodOut
    threshold: int = Field(description="Cells with fewer reports (but some) are suppressed.")
    suppressed: bool
    indicators: StatsIndicatorsOut | None
    now: StatsGaugesOut | None
    categories: list[StatsRowOut] | None
    regions: list[StatsRowOut] | None
    regions_by_category: list[StatsCrossOut] | None


class StatsAgencyOut(_Out):
    id: str
    name: str
    parent_id: str | None


class RankingItemOut(_Out):
    rank: int | None
    ranked: bool
    suppressed: bool
    score: float | None
    agency: StatsAgencyOut
    indicators: StatsIndicatorsOut | None


class RankingOut(_Out):
    period: StatsPeriodOut
    computed_at: datetime
    minimum_received: int
    threshold: int
    criteria: list[str]
    items: list[RankingItemOut]


class ServiceLevelWeekOut(_Out):
    week_start: date
    followed_up: int
    in_time: int
    share: float | None


class SubUnitOut(_Out):
    agency: StatsAgencyOut
    indicators: StatsIndicatorsOut
    now: StatsGaugesOut | None


class TopOut(_Out):
    code: str
    name: str | None
    received: int


class OverdueListOut(_Out):
    items: list[InboxItem] = Field(description="Oldest deadline first.")
    more: bool


class DayRangeOut(_Out):
    start: date
    end: date


class EmergingLinksOut(_Out):
    reports: str = Field(description="The public feed filtered to this cell.")


class EmergingItemOut(_Out):
    category: str
    region: str
    province: str
    recent: int = Field(description="Reports in the last 7 days.")
    baseline: int = Field(description="Reports in the 8 weeks before.")
    expected: float = Field(description="λ: the baseline's weekly mean (at least 0.5).")
    p_value: float = Field(description="P(X ≥ recent), X ~ Poisson(λ).")
    links: EmergingLinksOut


class EmergingOut(_Out):
    computed_at: datetime
    rule: str
    recent: DayRangeOut
    baseline: DayRangeOut
    items: list[EmergingItemOut]


class DashboardOut(_Out):
    scope: StatsScopeOut
    agencies: list[str] | None = Field(description="The agency and its sub-units covered.")
    period: StatsPeriodOut
    indicators: StatsIndicatorsOut
    now: StatsGaugesOut
    overdue: OverdueListOut
    service_level_weekly: list[ServiceLevelWeekOut]
    sub_units: list[SubUnitOut] | None
    top_categories: list[TopOut]
    top_regions: list[TopOut] | None
    emerging: EmergingOut | None
