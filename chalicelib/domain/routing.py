"""Routing rules: which agency is responsible for a report ("no wrong door").

- national categories go to the category's lead agency, or to the one national body that
  handles it;
- regional categories go to the local government of the report's region: the
  regency/city first, then the province (a specialised work unit of that government,
  e.g. the Disdukcapil for population records, is preferred over the government itself);
- anything else (no category, no region, several candidates, auto-routing switched off
  for the category) waits in the admins' verification queue with the reason.

Every decision names the rule that matched, so admins can see why a report went where.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import regions
from .directory import Agency, AgencyType, Category, Scope


@dataclass(frozen=True)
class RoutingDecision:
    agency: Agency | None
    rule: str
    reason: str

    @property
    def routed(self) -> bool:
        return self.agency is not None


def _needs_admin(rule: str, reason: str) -> RoutingDecision:
    return RoutingDecision(None, rule, reason)


def route(
    category: Category | None, region: str | None, agencies: Iterable[Agency]
) -> RoutingDecision:
    agencies = [a for a in agencies if a.active]
    if category is None:
        return _needs_admin("no-category", "the report has no category")
    if not category.auto_route:
        return _needs_admin(
            "manual-category", f"category {category.code} is verified by admins first"
        )
    if category.scope == Scope.NATIONAL:
        return _route_national(category, agencies)
    return _route_regional(category, region, agencies)


def _route_national(category: Category, agencies: list[Agency]) -> RoutingDecision:
    by_id = {a.id: a for a in agencies}
    if category.lead_agency:
        lead = by_id.get(category.lead_agency)
        if lead is not None:
            return RoutingDecision(
                lead,
                f"national-lead:{category.code}",
                f"{lead.name} leads category {category.code}",
            )
    handlers = [
        a for a in agencies if a.handles(category.code) and a.type != AgencyType.LOCAL_GOVERNMENT
    ]
    # A work unit is only chosen through its parent's lead designation.
    top = [a for a in handlers if a.parent_id is None or a.parent_id not in by_id]
    if len(top) == 1:
        return RoutingDecision(
            top[0],
            f"national-single:{category.code}",
            f"{top[0].name} is the only national body handling {category.code}",
        )
    if not top:
        return _needs_admin(
            "no-handler", f"no active national body handles category {category.code}"
        )
    names = ", ".join(sorted(a.id for a in top))
    return _needs_admin("ambiguous", f"several national bodies handle {category.code}: {names}")


def _route_regional(
    category: Category, region: str | None, agencies: list[Agency]
) -> RoutingDecision:
    if not region:
        return _needs_admin(
            "no-region", f"category {category.code} is regional but the report has no region"
        )
    try:
        codes = regions.parent_codes(region)
    except ValueError:
        # Not a code we know (e.g. stored before a change to the province list): a human
        # decides, rather than the message failing until it reaches the dead-letter queue.
        return _needs_admin(
            "invalid-region", f"category {category.code}: {region!r} is not a known region code"
        )
    local = [a for a in agencies if a.type == AgencyType.LOCAL_GOVERNMENT and a.region_code]
    for code in codes:
        if code.count(".") > 1:
            continue  # districts and villages are served by their regency/city
        here = [a for a in local if a.region_code == code and a.handles(category.code)]
        if not here:
            continue
        ids = {a.id for a in here}
        # Prefer a specialised work unit over the government it belongs to.
        units = [a for a in here if a.parent_id in ids]
        chosen = units if units else [a for a in here if a.parent_id not in ids]
        level = "regency" if "." in code else "province"
        if len(chosen) == 1:
            return RoutingDecision(
                chosen[0],
                f"regional-{level}:{code}:{category.code}",
                f"{chosen[0].name} handles {category.code} in region {code}",
            )
        names = ", ".join(sorted(a.id for a in chosen))
        return _needs_admin(
            "ambiguous", f"several agencies handle {category.code} in region {code}: {names}"
        )
    return _needs_admin(
        "no-handler", f"no local government handles {category.code} for region {region}"
    )
