"""What the submission form offers: categories in plain language, provinces and the
regencies/cities the directory knows (their local governments' region codes)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.regions import PROVINCES


@dataclass(frozen=True)
class Choice:
    code: str
    name: str
    hint: str | None = None
    hint_lang: str | None = None  # when the hint is not in the page's language


def categories(directory, lang: str) -> list[Choice]:
    out = []
    for c in directory.categories():
        out.append(Choice(c.code, *_named(c, lang)))
    return sorted(out, key=lambda c: c.name.casefold())


def _named(category, lang: str) -> tuple[str, str | None, str | None]:
    """(name, description, the description's language when it is not the page's): in
    English the English words where the directory has them, else the Indonesian ones
    marked as such (a screen reader then reads them as Indonesian)."""
    if lang != "en":
        return category.name, category.description, None
    name = category.name_en or category.name
    if category.description_en:
        return name, category.description_en, None
    return name, category.description, "id" if category.description else None


def provinces() -> list[Choice]:
    return sorted((Choice(code, name) for code, name in PROVINCES.items()), key=lambda c: c.name)


_regencies_of: tuple[object, dict] | None = None  # (the directory's list, its regencies)


def regencies(directory) -> dict[str, list[Choice]]:
    """Regencies and cities by province code, from the local governments in the directory.
    Worked out again only when the directory's cached list is another one (pages name a
    region per table row)."""
    global _regencies_of
    agencies = directory.all_agencies()
    if _regencies_of is None or _regencies_of[0] is not agencies:
        _regencies_of = (agencies, _regencies(agencies))
    return _regencies_of[1]


def _regencies(agencies) -> dict[str, list[Choice]]:
    by_province: dict[str, dict[str, str]] = {}
    for agency in agencies:
        code = agency.region_code or ""
        if agency.type != "local_government" or len(code) != 5 or not agency.active:
            continue
        name = agency.name.removeprefix("Pemerintah ").strip()
        by_province.setdefault(code[:2], {}).setdefault(code, name)
    return {
        p: sorted((Choice(code, name) for code, name in found.items()), key=lambda c: c.name)
        for p, found in sorted(by_province.items())
    }
