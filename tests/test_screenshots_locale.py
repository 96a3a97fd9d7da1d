"""tools/screenshots.py starts Chromium in the page language's locale, so that what the browser
formats itself (dates, numbers) in a screenshot follows the page: sv-SE for Swedish pages, en-GB
for English ones."""

from __future__ import annotations

import pytest

from tests.browser_site import require_browser
from tools.screenshots import BROWSER_LOCALES, browser_flags, open_browser

# A date the browser formats by its own locale (as a date picker or toLocaleDateString does).
LOCALE_JS = """
return [navigator.language,
        new Date(Date.UTC(2026, 10, 28, 12)).toLocaleDateString(undefined,
            {day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC'})];
"""


def test_each_page_language_has_its_browser_locale():
    assert BROWSER_LOCALES == {"sv": "sv-SE", "en": "en-GB"}
    assert "--lang=sv-SE" in browser_flags("sv")
    assert "--lang=en-GB" in browser_flags("en")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "locale", "date"),
    [("sv", "sv-SE", "28 november 2026"), ("en", "en-GB", "28 November 2026")],
)
def test_the_screenshot_browser_formats_dates_in_the_page_language(lang, locale, date):
    require_browser()
    driver = open_browser(lang)
    try:
        driver.get("data:text/html,<html><body></body></html>")
        assert driver.execute_script(LOCALE_JS) == [locale, date]
    finally:
        driver.quit()
