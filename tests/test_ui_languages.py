"""In English, no page shows a Swedish UI string; in Swedish, charts write Swedish months.

An administrator (who may open every page) switches the language on the first page with the
switch itself, then visits every page in English; the login page, the accessibility statement
and the not-found page are read too. Every visible text node, placeholder and aria-label is
checked for Swedish: a word with å, ä or ö, or a word that the Swedish UI texts use and the
English ones do not (collected from every ``{"sv": ..., "en": ...}`` text table of the
dashboard, so new strings are covered without a list to keep). Data are not UI: every text the
store holds (names of units, assets, files, people...) is removed from a text before it is
checked, except the maturity areas' names, which the UI must translate.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping

import pytest
from sqlalchemy import String, select
from sqlalchemy.orm import Session

from dashboard import store
from etl import models as m
from etl.db import make_engine
from etl.vocab import DEFAULT_MATURITY_AREAS
from tests.browser_site import (
    find_all,
    log_in_as,
    log_out,
    pages_for,
    site_fixture,
    wait_settled,
)
from tests.pages import build_app

WORD = re.compile(r"[^\W\d_]+")
SWEDISH_LETTERS = re.compile(r"[åäöÅÄÖ]")
# Names that are the same in both languages, and Swedish words that are English words too.
PROPER_NAMES = {"infosäk", "sydnärke"}
ENGLISH_TOO = {"personal"}

VISIBLE_TEXT_JS = """
const texts = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const shown = el => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const el = walker.currentNode.parentElement;
    // Text marked as Swedish on purpose (the language switch's "Svenska") is not UI in English.
    // The report's own text (dashboard/report, for the PDF and the page alike) is checked too.
    const skip = '[lang="sv"], script, style, noscript';
    if (!text || !el || el.closest(skip) || !shown(el)) {
        continue;
    }
    texts.push(text);
}
for (const el of document.querySelectorAll('[placeholder], [aria-label]')) {
    if (el.closest('[lang="sv"]')) { continue; }
    for (const name of ['placeholder', 'aria-label']) {
        if (el.getAttribute(name)) { texts.push(el.getAttribute(name)); }
    }
}
return texts;
"""


def ui_text_tables() -> list[Mapping]:
    """Every module-level ``{"sv": {...}, "en": {...}}`` table of the loaded dashboard modules."""
    tables = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("dashboard") or module is None:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, Mapping)
                and isinstance(value.get("sv"), Mapping)
                and isinstance(value.get("en"), Mapping)
                and all(id(value) != id(t) for t in tables)
            ):
                tables.append(value)
    return tables


def words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text)}


def swedish_only_words() -> set[str]:
    # The default maturity areas' names are UI too (the English UI names them in English).
    sv: set[str] = set().union(*(words(name) for _, name in DEFAULT_MATURITY_AREAS))
    en: set[str] = set()
    for table in ui_text_tables():
        for target, lang in ((sv, "sv"), (en, "en")):
            for text in table[lang].values():
                if isinstance(text, str):
                    target |= words(text)
    return {w for w in sv - en if len(w) > 1}


def store_texts() -> list[re.Pattern]:
    """Every text value in the store but the maturity areas' names, longest first, as whole
    words (the name "Bo" is data; the "bo" of "Bookmark" is not)."""
    texts: set[str] = set()
    with Session(store.get_engine()) as session:
        for table in m.Base.metadata.sorted_tables:
            if table.name == m.MaturityArea.__tablename__:
                continue
            for column in table.columns:
                if isinstance(column.type, String):
                    texts |= {v for v in session.scalars(select(column).distinct()) if v}
    values = sorted({t.strip() for t in texts if t.strip()}, key=len, reverse=True)
    return [re.compile(rf"(?<!\w){re.escape(v)}(?!\w)") for v in values]


def swedish_in(texts: list[str], data: list[str], vocabulary: set[str]) -> set[str]:
    found = set()
    for text in texts:
        for value in data:
            text = value.sub(" ", text)
        for word in words(text) - PROPER_NAMES - ENGLISH_TOO:
            if SWEDISH_LETTERS.search(word) or word in vocabulary:
                found.add(word)
    return found


def test_the_swedish_vocabulary_is_found_in_the_text_tables(tmp_path):
    build_app(make_engine(f"sqlite:///{tmp_path / 'store.db'}"))  # imports every page module
    # The detector's own check: words only the Swedish texts use, none only the English use.
    vocabulary = swedish_only_words()
    assert {"alla", "kommuner", "inga", "mognad", "styrdokument"} <= vocabulary
    assert not {"all", "municipalities", "maturity", "overview"} & vocabulary


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    yield from site_fixture(request, tmp_path_factory, demo=True)


def read_page(duo, where: str, data, vocabulary) -> list[str]:
    wait_settled(duo)
    found = swedish_in(duo.driver.execute_script(VISIBLE_TEXT_JS), data, vocabulary)
    return [f"{where}: {', '.join(sorted(found))}"] if found else []


@pytest.mark.browser
def test_every_page_in_english_has_no_swedish_ui_text(site):
    data, vocabulary = store_texts(), swedish_only_words()
    problems: list[str] = []
    log_out(site)
    for path in ("/login", "/tillganglighet"):
        site.driver.get(f"{site.server_url}{path}?sprak=en")
        problems += read_page(site, f"{path} logged out", data, vocabulary)

    log_in_as(site, "root", lang="sv")
    pages = pages_for("admin")
    site.driver.get(f"{site.server_url}/mognad")
    site.wait_for_text_to_equal("h1", "Mognad", 20)
    # The switch itself: the page built in Swedish is built again in English.
    site.driver.find_element("css selector", "#app-language input[value='en']").click()
    site.wait_for_text_to_equal("h1", "Maturity", 20)
    problems += read_page(site, "/mognad after the switch", data, vocabulary)
    for page in [*pages, {"path": "/finns-inte"}]:
        site.driver.execute_script(
            "window.history.pushState({}, '', arguments[0]);"
            "window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));",
            f"{page['path']}?sprak=en",
        )
        problems += read_page(site, page["path"], data, vocabulary)
    assert problems == [], "Swedish UI text in English:\n" + "\n".join(problems)


TICKS_JS = """
return Array.from(document.querySelectorAll(arguments[0] + ' .xtick text')).map(t => t.textContent);
"""


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "month", "foreign"), [("sv", "okt. 2026", "Oct 2026"), ("en", "Oct 2026", "okt.")]
)
def test_date_axes_write_months_in_the_page_language(site, lang, month, foreign):
    # Åtgärder's trend runs month by month up to the store's date (2026-11-28).
    url = f"{site.server_url}/atgarder?sprak={lang}&datum=2026-11-28"
    site.driver.get(url)
    if find_all(site, "#login-form"):  # this test runs alone: log in first
        log_in_as(site, "root", lang=lang)
        site.driver.get(url)
    wait_settled(site)
    ticks = site.driver.execute_script(TICKS_JS, "#atgarder-trend")
    assert month in ticks, ticks
    assert not [t for t in ticks if foreign in t], ticks
