"""Jinja2 templates with the gettext catalogue, one environment per language (built on
first use: a page's first render pays for it, the JSON API never does)."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import jinja2

from . import assets, i18n

TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)
    env.filters["date"] = lambda v: i18n.format_date(v, lang)
    env.filters["datetime"] = lambda v: i18n.format_datetime(v, lang)
    env.filters["isodate"] = lambda v: i18n.format_date(date.fromisoformat(v), lang)
    env.filters["number"] = lambda v, d=0: i18n.format_number(v, lang, d)
    env.filters["percent"] = lambda v: i18n.format_percent(v, lang)
    env.globals["lang"] = lang
    env.globals["asset"] = assets.hashed_name
    return env


def render(lang: str, template: str, **context) -> str:
    return environment(lang).get_template(template).render(**context)
