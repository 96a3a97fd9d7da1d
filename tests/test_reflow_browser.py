"""Reflow (WCAG 1.4.10) and 200 % zoom (1.4.4): at 320 CSS pixels wide, and at 1366 pixels zoomed
to 200 % (683 CSS pixels), no page scrolls sideways. Wide grids and tables may scroll inside their
own focusable region; the page itself must not.

Each page is visited by an account that sees it filled (the CISO; Min enhet as a manager; the
report as the committee), with every chart's table open; the login page and the accessibility
statement logged out.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser_site import ACCOUNTS, log_in_as, log_out, pages_for, site_fixture, wait_settled

WIDTHS = (320, 683)
ACCOUNT_OF_PAGE = {"/min-enhet": "bo", "/rapport": "namnd"}

# What sticks out past the viewport's right edge (for the failure message).
OVERFLOW_JS = """
const width = document.documentElement.clientWidth;
const out = [];
for (const e of document.body.querySelectorAll('*')) {
  const r = e.getBoundingClientRect();
  if (r.width && r.right > width + 1) {
    let scrolled = false;
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (['auto', 'scroll', 'hidden'].includes(s.overflowX) && p.clientWidth < p.scrollWidth + 1
          && p.getBoundingClientRect().right <= width + 1) { scrolled = true; break; }
    }
    if (!scrolled) {
      out.push((e.tagName + '#' + e.id + '.' + String(e.className).split(' ').slice(0, 2)
               .join('.')).slice(0, 80) + ' right=' + Math.round(r.right));
    }
  }
}
return {scroll: document.documentElement.scrollWidth, client: width, out: out.slice(0, 6)};
"""


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    yield from site_fixture(request, tmp_path_factory)


def page_paths() -> list[str]:
    return [p["path"] for p in pages_for("admin")] + ["/min-enhet", "/rapport"]


def open_tables(duo) -> None:
    for details in duo.driver.find_elements(By.CSS_SELECTOR, "details.chart-table-details"):
        if not details.get_attribute("open"):
            summary = details.find_element(By.TAG_NAME, "summary")
            duo.driver.execute_script("arguments[0].click();", summary)
    wait_settled(duo)


def overflow(duo, where: str) -> list[str]:
    found = duo.driver.execute_script(OVERFLOW_JS)
    if found["scroll"] > found["client"]:
        return [f"{where}: page {found['scroll']} px wide in {found['client']}: {found['out']}"]
    return []


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(site, width):
    problems: list[str] = []
    site.driver.set_window_size(width, 900)
    try:
        log_out(site)
        for path in ("/login", "/tillganglighet"):
            site.driver.get(site.server_url + path)
            wait_settled(site)
            problems += overflow(site, f"{path} at {width}")
        current = None
        paths = sorted(set(page_paths()), key=lambda p: ACCOUNT_OF_PAGE.get(p, "eva"))
        for path in paths:
            account = ACCOUNT_OF_PAGE.get(path, "eva")
            if path not in [p["path"] for p in pages_for(ACCOUNTS[account][0])]:
                continue
            if account != current:
                # At full width: the collapsed navbar hides the name that login waits for.
                site.driver.set_window_size(1400, 1000)
                log_in_as(site, account)
                site.driver.set_window_size(width, 900)
                current = account
            site.driver.get(site.server_url + path)
            wait_settled(site)
            open_tables(site)
            problems += overflow(site, f"{path} [{account}] at {width}")
    finally:
        site.driver.set_window_size(1400, 1000)
    assert problems == [], "\n".join(problems)
