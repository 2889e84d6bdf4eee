"""Import or update the agency directory from CSV (the columns of data/agencies.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

from chalicelib.domain import regions
from chalicelib.domain.directory import Agency, AgencyType

COLUMNS = (
    "agency_id",
    "name",
    "short_name",
    "type",
    "parent_id",
    "region_code",
    "categories",
    "email",
    "website",
    "active",
)


class CsvError(ValueError):
    pass


def _row_to_agency(line: int, row: dict) -> Agency:
    def field(name):
        return (row.get(name) or "").strip()

    agency_id, name, kind = field("agency_id"), field("name"), field("type")
    if not agency_id or not name:
        raise CsvError(f"line {line}: agency_id and name are required")
    if kind not in {t.value for t in AgencyType}:
        raise CsvError(f"line {line}: unknown type {kind!r}")
    region = field("region_code") or None
    if region:
        try:
            region = regions.normalise_region_code(region)
        except ValueError as e:
            raise CsvError(f"line {line}: {e}") from None
    if kind == AgencyType.LOCAL_GOVERNMENT and not region:
        raise CsvError(f"line {line}: a local government needs a region_code")
    active = field("active").lower() or "true"
    if active not in ("true", "false"):
        raise CsvError(f"line {line}: active must be true or false")
    return Agency(
        id=agency_id,
        name=name,
        type=kind,
        short_name=field("short_name") or None,
        parent_id=field("parent_id") or None,
        region_code=region,
        categories=tuple(c.strip() for c in field("categories").split(";") if c.strip()),
        email=field("email") or None,
        website=field("website") or None,
        active=active == "true",
        sqs_queue_url=field("sqs_queue_url") or None,
    )


def read_csv(path: Path, known_categories: set[str] | None = None) -> list[Agency]:
    """Parse and check the whole file first: nothing is written if any row is wrong."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise CsvError(f"missing columns: {', '.join(sorted(missing))}")
        agencies = [_row_to_agency(n, row) for n, row in enumerate(reader, start=2)]
    ids = [a.id for a in agencies]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CsvError(f"duplicate agency_id: {', '.join(dupes)}")
    known = set(ids)
    for a in agencies:
        if a.parent_id and a.parent_id not in known:
            raise CsvError(f"{a.id}: unknown parent_id {a.parent_id}")
        if known_categories is not None:
            unknown = set(a.categories) - known_categories
            if unknown:
                raise CsvError(f"{a.id}: unknown categories {', '.join(sorted(unknown))}")
    return agencies


def import_agencies(agencies: list[Agency], directory, progress=None) -> int:
    """Upsert every agency; ``progress`` wraps the iterable (e.g. tqdm)."""
    count = 0
    for agency in progress(agencies) if progress else agencies:
        directory.save_agency(agency)
        count += 1
    return count
