"""The global filters (municipality, administration, as-of date, language) and the URL.

Filters live in the URL's query string so that a view can be bookmarked and shared; every page
callback reads them from the ``FILTERS_STORE`` that mirrors the URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from urllib.parse import parse_qs, urlencode

from dashboard import constants as c
from dashboard.bounds import bounded_code, bounded_date


@dataclass(frozen=True)
class Filters:
    as_of: dt.date
    municipality: str | None = None
    administration: str | None = None
    lang: str = c.DEFAULT_LANGUAGE

    def to_store(self) -> dict:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return data

    @classmethod
    def from_store(cls, data: object, today: dt.date | None = None) -> Filters:
        """Filters from the store's JSON; anything malformed or out of bounds (a list for a
        code, a date in year 9999) falls back to the default. :func:`store_problems` names
        what this drops, for the server to answer a forged store as a bad request."""
        data = data if isinstance(data, dict) else {}
        lang = data.get("lang")
        return cls(
            as_of=parse_date(data.get("as_of")) or today or dt.date.today(),
            municipality=bounded_code(data.get("municipality")),
            administration=bounded_code(data.get("administration")),
            lang=lang if isinstance(lang, str) and lang in c.LANGUAGES else c.DEFAULT_LANGUAGE,
        )


def store_problems(data: object) -> list[str]:
    """What in a filter store's value no browser of this app writes (the app writes it only
    from :meth:`Filters.to_store`): empty when it is None or well-formed."""
    if data is None:
        return []
    if not isinstance(data, dict):
        return ["the filter store is not an object"]
    problems = []
    as_of = data.get("as_of")
    if as_of not in (None, "") and parse_date(as_of) is None:
        problems.append("as_of is not a date between 1900 and 2200")
    for key in ("municipality", "administration"):
        if data.get(key) not in (None, "") and bounded_code(data.get(key)) is None:
            problems.append(f"{key} is not a code")
    lang = data.get("lang")
    if lang is not None and not (isinstance(lang, str) and lang in c.LANGUAGES):
        problems.append("lang is not a known language")
    return problems


def parse_date(text: object) -> dt.date | None:
    """A date within the app's bounds (dashboard/bounds.py), from a date or ISO text."""
    return bounded_date(text)


def parse_query(search: str | None, today: dt.date | None = None) -> Filters:
    """Filters from a query string such as ``?kommun=1882&datum=2026-11-28``."""
    params = {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items() if v}
    return Filters.from_store(
        {
            "as_of": params.get(c.PARAM_AS_OF),
            "municipality": params.get(c.PARAM_MUNICIPALITY),
            "administration": params.get(c.PARAM_ADMINISTRATION),
            "lang": params.get(c.PARAM_LANGUAGE),
        },
        today=today,
    )


# How much of an unreadable ``datum`` the notice repeats: a date is ten characters, and a link
# must not be able to put a paragraph of its own words on the page.
SHOWN_DATE_CHARS = 20


def unread_date(search: str | None) -> str | None:
    """The address's ``datum`` when it is there but not a date the app accepts, else None.

    :func:`parse_query` falls back to today for it; the page says so with this text, cut to
    SHOWN_DATE_CHARS characters.
    """
    values = parse_qs((search or "").lstrip("?")).get(c.PARAM_AS_OF)
    if not values or parse_date(values[0]) is not None:
        return None
    text = values[0].strip()
    if not text:
        return None  # blank: as if there were no date, nothing to report
    return text if len(text) <= SHOWN_DATE_CHARS else text[:SHOWN_DATE_CHARS] + "…"


def to_query(filters: Filters, today: dt.date | None = None) -> str:
    """The query string for ``filters``; defaults (today, Swedish, no filter) are left out."""
    params = {}
    if filters.municipality:
        params[c.PARAM_MUNICIPALITY] = filters.municipality
    if filters.administration:
        params[c.PARAM_ADMINISTRATION] = filters.administration
    if filters.as_of != (today or dt.date.today()):
        params[c.PARAM_AS_OF] = filters.as_of.isoformat()
    if filters.lang != c.DEFAULT_LANGUAGE:
        params[c.PARAM_LANGUAGE] = filters.lang
    return f"?{urlencode(params)}" if params else ""


def query_language(query: dict) -> str:
    """The page language from a layout's query parameters (``sprak``), Swedish unless valid."""
    lang = query.get(c.PARAM_LANGUAGE, c.DEFAULT_LANGUAGE)
    return lang if lang in c.LANGUAGES else c.DEFAULT_LANGUAGE
