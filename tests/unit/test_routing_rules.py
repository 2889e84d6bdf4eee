"""Routing rules (chalicelib.domain.routing.route): category + region -> agency or admins.

First a small hand-built directory with one case per rule, then the real seed data in
data/ (the directory the local stack and a fresh deployment start with).
"""

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest

from chalicelib.domain.directory import Agency, Category
from chalicelib.domain.routing import route

# -- a small directory ---------------------------------------------------------------------

CATEGORIES = {
    c.code: c
    for c in [
        # national, with a lead agency (a directorate general, not the whole ministry)
        Category("imigrasi", "Imigrasi", "national", lead_agency="kemenimipas-imigrasi"),
        # national, no lead, exactly one national body handles it
        Category("energi-listrik", "Energi dan Listrik", "national"),
        # national, no lead, a ministry and its own work unit handle it
        Category("hak-asasi-manusia", "Hak Asasi Manusia", "national"),
        # national, no lead, two independent bodies: ambiguous
        Category("jaminan-sosial", "Jaminan Sosial", "national"),
        # national, the lead agency is switched off and nobody else handles it
        Category("pertanahan", "Pertanahan", "national", lead_agency="atr-bpn"),
        # national, the lead is unknown to the directory; one other body handles it
        Category("bbm", "BBM", "national", lead_agency="no-such-agency"),
        # national, only local governments handle it: no national body
        Category("pajak", "Pajak", "national"),
        # never auto-routed: whistleblowing goes to the admins first
        Category("korupsi-pungli", "Korupsi dan Pungli", "national", auto_route=False),
        Category("infrastruktur", "Infrastruktur", "regional"),
        Category("kependudukan", "Administrasi Kependudukan", "regional"),
        Category("kesehatan", "Kesehatan", "regional"),
        Category("sampah-kebersihan", "Sampah dan Kebersihan", "regional"),
        Category("pendidikan", "Pendidikan", "regional", auto_route=False),
    ]
}

REGIONAL = ("infrastruktur", "kependudukan", "kesehatan", "sampah-kebersihan", "pajak")

# fmt: off
AGENCIES = [
    Agency("kemenimipas", "Kementerian Imigrasi dan Pemasyarakatan", "ministry",
           categories=("imigrasi", "hak-asasi-manusia")),
    Agency("kemenimipas-imigrasi", "Direktorat Jenderal Imigrasi", "ministry",
           parent_id="kemenimipas", categories=("imigrasi",)),
    Agency("kemenimipas-pemasyarakatan", "Direktorat Jenderal Pemasyarakatan", "ministry",
           parent_id="kemenimipas", categories=("hak-asasi-manusia",)),
    Agency("pln", "PT PLN (Persero)", "soe", categories=("energi-listrik",)),
    Agency("pertamina", "PT Pertamina (Persero)", "soe", categories=("bbm",)),
    Agency("bpjs-kesehatan", "BPJS Kesehatan", "institution", categories=("jaminan-sosial",)),
    Agency("bpjs-ketenagakerjaan", "BPJS Ketenagakerjaan", "institution",
           categories=("jaminan-sosial",)),
    Agency("atr-bpn", "Kementerian ATR/BPN", "ministry", categories=("pertanahan",),
           active=False),
    # Jawa Barat: the province, two regencies/cities, a work unit of Kota Bandung
    Agency("pemprov-jabar", "Pemerintah Provinsi Jawa Barat", "local_government",
           region_code="32", categories=REGIONAL),
    Agency("pemkot-bandung", "Pemerintah Kota Bandung", "local_government",
           parent_id="pemprov-jabar", region_code="32.73",
           categories=("infrastruktur", "kependudukan", "sampah-kebersihan")),
    Agency("pemkot-bandung-disdukcapil", "Disdukcapil Kota Bandung", "local_government",
           parent_id="pemkot-bandung", region_code="32.73",
           categories=("kependudukan",)),
    Agency("pemkab-bandung", "Pemerintah Kabupaten Bandung", "local_government",
           parent_id="pemprov-jabar", region_code="32.04", categories=REGIONAL),
    # a district office: districts are served by their regency/city, never routed to
    Agency("kecamatan-coblong", "Kecamatan Coblong", "local_government",
           parent_id="pemkot-bandung", region_code="32.73.02",
           categories=("infrastruktur",)),
    # switched off: its reports go to the province instead
    Agency("pemkot-cimahi", "Pemerintah Kota Cimahi", "local_government",
           parent_id="pemprov-jabar", region_code="32.77", categories=REGIONAL,
           active=False),
    # two bodies claim waste collection in Kota Bekasi: a human decides
    Agency("pemkot-bekasi", "Pemerintah Kota Bekasi", "local_government",
           region_code="32.75", categories=("sampah-kebersihan",)),
    Agency("bumd-kebersihan-bekasi", "Perumda Kebersihan Bekasi", "local_government",
           region_code="32.75", categories=("sampah-kebersihan",)),
]

ADMINS = None  # no agency: the report waits in the admins' verification queue

# id, category, region, expected agency, expected rule, words the reason must contain
CASES = [
    # national categories
    ("lead agency (a work unit named as lead)", "imigrasi", None,
     "kemenimipas-imigrasi", "national-lead:imigrasi", ["imigrasi"]),
    ("lead ignores the report's region", "imigrasi", "32.73",
     "kemenimipas-imigrasi", "national-lead:imigrasi", ["imigrasi"]),
    ("single national handler", "energi-listrik", "32.73",
     "pln", "national-single:energi-listrik", ["energi-listrik"]),
    ("work unit only through its parent", "hak-asasi-manusia", None,
     "kemenimipas", "national-single:hak-asasi-manusia", ["hak-asasi-manusia"]),
    ("lead unknown, single handler", "bbm", None,
     "pertamina", "national-single:bbm", ["bbm"]),
    ("several handlers, no lead", "jaminan-sosial", None,
     ADMINS, "ambiguous", ["jaminan-sosial", "bpjs-kesehatan", "bpjs-ketenagakerjaan"]),
    ("inactive lead, nobody else", "pertanahan", None,
     ADMINS, "no-handler", ["pertanahan"]),
    ("local governments never take a national category", "pajak", "32.73",
     ADMINS, "no-handler", ["pajak"]),
    ("auto_route off", "korupsi-pungli", "32.73",
     ADMINS, "manual-category", ["korupsi-pungli"]),
    ("auto_route off, regional", "pendidikan", "32.73",
     ADMINS, "manual-category", ["pendidikan"]),
    # regional categories
    ("city", "infrastruktur", "32.73",
     "pemkot-bandung", "regional-regency:32.73:infrastruktur", ["infrastruktur", "32.73"]),
    ("undotted region code", "infrastruktur", "3273",
     "pemkot-bandung", "regional-regency:32.73:infrastruktur", ["infrastruktur", "32.73"]),
    ("another regency", "infrastruktur", "32.04",
     "pemkab-bandung", "regional-regency:32.04:infrastruktur", ["infrastruktur", "32.04"]),
    ("district routes to its city", "infrastruktur", "32.73.01",
     "pemkot-bandung", "regional-regency:32.73:infrastruktur", ["infrastruktur", "32.73"]),
    ("village routes to its city", "infrastruktur", "32.73.01.1001",
     "pemkot-bandung", "regional-regency:32.73:infrastruktur", ["infrastruktur", "32.73"]),
    ("district with its own office still routes to its city", "infrastruktur", "32.73.02",
     "pemkot-bandung", "regional-regency:32.73:infrastruktur", ["infrastruktur", "32.73"]),
    ("village of that district too", "infrastruktur", "32.73.02.1003",
     "pemkot-bandung", "regional-regency:32.73:infrastruktur", ["infrastruktur", "32.73"]),
    ("work unit preferred over its government", "kependudukan", "32.73",
     "pemkot-bandung-disdukcapil", "regional-regency:32.73:kependudukan",
     ["kependudukan", "32.73"]),
    ("work unit, from a village code", "kependudukan", "32.73.01.1001",
     "pemkot-bandung-disdukcapil", "regional-regency:32.73:kependudukan",
     ["kependudukan", "32.73"]),
    ("work unit is only its city's", "kependudukan", "32.04.10",
     "pemkab-bandung", "regional-regency:32.04:kependudukan", ["kependudukan", "32.04"]),
    ("city does not handle it: province", "kesehatan", "32.73",
     "pemprov-jabar", "regional-province:32:kesehatan", ["kesehatan", "32"]),
    ("no regency agency: province", "infrastruktur", "32.01.05",
     "pemprov-jabar", "regional-province:32:infrastruktur", ["infrastruktur", "32"]),
    ("inactive city: province", "infrastruktur", "32.77",
     "pemprov-jabar", "regional-province:32:infrastruktur", ["infrastruktur", "32"]),
    ("province itself", "infrastruktur", "32",
     "pemprov-jabar", "regional-province:32:infrastruktur", ["infrastruktur", "32"]),
    ("two agencies in one city", "sampah-kebersihan", "32.75",
     ADMINS, "ambiguous", ["sampah-kebersihan", "32.75", "pemkot-bekasi"]),
    ("region nobody serves", "infrastruktur", "96.71",
     ADMINS, "no-handler", ["infrastruktur", "96.71"]),
    ("regional category without region", "infrastruktur", None,
     ADMINS, "no-region", ["infrastruktur"]),
    ("regional category, empty region", "infrastruktur", "",
     ADMINS, "no-region", ["infrastruktur"]),
    ("unknown province code", "infrastruktur", "99.01",
     ADMINS, "invalid-region", ["infrastruktur", "99.01"]),
    ("malformed region code", "infrastruktur", "Bandung",
     ADMINS, "invalid-region", ["infrastruktur", "Bandung"]),
]
# fmt: on


@pytest.mark.parametrize(
    ("category", "region", "agency", "rule", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_route(category, region, agency, rule, words):
    decision = route(CATEGORIES[category], region, AGENCIES)

    assert (decision.agency.id if decision.agency else None) == agency
    assert decision.routed is (agency is not None)
    assert decision.rule == rule
    for word in words:
        assert word in decision.reason


def test_no_category_goes_to_admins():
    decision = route(None, "32.73", AGENCIES)
    assert (decision.agency, decision.rule, decision.routed) == (None, "no-category", False)
    assert "no category" in decision.reason


def test_inactive_agencies_are_never_chosen_even_as_the_only_candidate():
    only_inactive = [a for a in AGENCIES if a.id == "atr-bpn"]
    assert route(CATEGORIES["pertanahan"], None, only_inactive).agency is None
    cimahi = [a for a in AGENCIES if a.id == "pemkot-cimahi"]
    assert route(CATEGORIES["infrastruktur"], "32.77", cimahi).rule == "no-handler"


def test_an_inactive_work_unit_leaves_the_report_with_its_government():
    agencies = [
        replace(a, active=False) if a.id == "pemkot-bandung-disdukcapil" else a for a in AGENCIES
    ]
    decision = route(CATEGORIES["kependudukan"], "32.73", agencies)
    assert decision.agency.id == "pemkot-bandung"


def test_the_same_input_gives_the_same_decision_whatever_the_directory_order():
    for category, region, *_ in [case[1:] for case in CASES]:
        forward = route(CATEGORIES[category], region, AGENCIES)
        backward = route(CATEGORIES[category], region, list(reversed(AGENCIES)))
        assert forward == backward, (category, region)


# -- the real seed data ---------------------------------------------------------------------

DATA = Path(__file__).resolve().parents[2] / "data"


def _seed_categories() -> dict[str, Category]:
    rows = json.loads((DATA / "categories.json").read_text(encoding="utf-8"))
    return {
        c["code"]: Category(
            code=c["code"],
            name=c["name"],
            scope=c["scope"],
            name_en=c.get("name_en"),
            description=c.get("description"),
            description_en=c.get("description_en"),
            auto_route=c.get("auto_route", True),
            lead_agency=c.get("lead_agency"),
        )
        for c in rows
    }


def _seed_agencies() -> list[Agency]:
    with (DATA / "agencies.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        Agency(
            id=a["agency_id"],
            name=a["name"],
            type=a["type"],
            short_name=a["short_name"] or None,
            parent_id=a["parent_id"] or None,
            region_code=a["region_code"] or None,
            categories=tuple(c for c in a["categories"].split(";") if c),
            email=a["email"] or None,
            website=a["website"] or None,
            active=a["active"].strip().lower() == "true",
        )
        for a in rows
    ]


SEED_CATEGORIES = _seed_categories()
SEED_AGENCIES = _seed_agencies()


@pytest.mark.parametrize(
    ("category", "region", "agency", "rule"),
    [
        ("infrastruktur", "32.73", "pemkot-bandung", "regional-regency:32.73:infrastruktur"),
        (
            "kependudukan",
            "32.73.01.1001",
            "pemkot-bandung-disdukcapil",
            "regional-regency:32.73:kependudukan",
        ),
        ("energi-listrik", "32.73", "pln", "national-lead:energi-listrik"),
        ("imigrasi", None, "kemenimipas-imigrasi", "national-lead:imigrasi"),
        ("korupsi-pungli", "32.73", None, "manual-category"),
        (
            "infrastruktur",
            "31.74",
            "pemkot-jakarta-selatan",
            "regional-regency:31.74:infrastruktur",
        ),
        ("infrastruktur", "31.74.01.1001", "pemkot-jakarta-selatan", None),
    ],
)
def test_seed_directory_routes_known_cases(category, region, agency, rule):
    decision = route(SEED_CATEGORIES[category], region, SEED_AGENCIES)
    assert (decision.agency.id if decision.agency else None) == agency
    if rule is not None:
        assert decision.rule == rule
    assert category in decision.reason


def test_seed_directory_has_unique_ids_and_known_parents_and_categories():
    ids = [a.id for a in SEED_AGENCIES]
    assert len(ids) == len(set(ids))
    for a in SEED_AGENCIES:
        assert a.parent_id is None or a.parent_id in ids, a.id
        assert set(a.categories) <= set(SEED_CATEGORIES), a.id


@pytest.mark.parametrize(
    "code", [c.code for c in SEED_CATEGORIES.values() if c.scope == "national"]
)
def test_every_national_category_has_an_existing_lead_or_goes_to_admins(code):
    category = SEED_CATEGORIES[code]
    by_id = {a.id: a for a in SEED_AGENCIES}
    decision = route(category, "32.73", SEED_AGENCIES)
    if category.lead_agency:
        assert category.lead_agency in by_id, f"{code}: lead {category.lead_agency} unknown"
        assert by_id[category.lead_agency].active
        assert decision.agency.id == category.lead_agency
        assert decision.rule == f"national-lead:{code}"
    else:
        assert decision.agency is None, f"{code} routed to {decision.agency.id} without a lead"
        assert decision.rule in ("manual-category", "ambiguous", "no-handler")


def test_every_province_in_the_seed_serves_every_regional_category_it_lists():
    # A report from any regency of a seeded province reaches some agency for the
    # categories that province handles (the regency, or the province as fallback).
    provinces = [a for a in SEED_AGENCIES if a.region_code and "." not in a.region_code]
    assert provinces
    for province in provinces:
        for code in province.categories:
            if SEED_CATEGORIES[code].scope != "regional":
                continue
            decision = route(SEED_CATEGORIES[code], f"{province.region_code}.99.01", SEED_AGENCIES)
            assert decision.routed, (province.id, code, decision.reason)
