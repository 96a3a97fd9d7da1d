"""The navbar is one row at 1366×768 for every role in both languages.

Each account of tests/browser_site.py (one per role; the CISO's "Informationssäkerhetssamordnare
(CISO)" is the longest role name, the administrator has the most pages) logs in at 1366×768 in
Swedish and in English. One row: every page link, the brand, the user's name and role and the
logout button share one line box: they all lie within the vertical span of the first page link,
no link's text wraps (one line high), nothing is pushed past the navbar's right edge, and the
navbar is no taller than one row of pills. The current page's link is marked in both languages
(with "?sprak=en" in the address it was not).
"""

from __future__ import annotations

import pytest

from tests.browser_site import ACCOUNTS, log_in_as, site_fixture, wait_settled

ROW_JS = """
const rect = el => el.getBoundingClientRect();
const links = Array.from(document.querySelectorAll('#app-nav-links .nav-link'));
const parts = [document.querySelector('#app-navbar .navbar-brand'),
               document.querySelector('#app-user-name'),
               document.querySelector('#app-logout'), ...links];
const first = rect(links[0]);
const bar = rect(document.getElementById('app-navbar'));
const lineHeight = parseFloat(getComputedStyle(links[0]).lineHeight);
return {
    links: links.length,
    navbar: rect(document.getElementById('app-navbar')).height,
    outside: parts.filter(el => rect(el).top < first.top - 12 || rect(el).bottom > first.bottom + 12)
        .map(el => el.textContent.trim()),
    wrapped: links.filter(el => rect(el).height > first.height + 1
                            || el.clientHeight > 2 * lineHeight)
        .map(el => el.textContent.trim()),
    // Pushed out sideways: past the navbar's edge (the logout button was, at 1400 px).
    sideways: parts.filter(el => rect(el).right > bar.right || rect(el).left < bar.left)
        .map(el => el.textContent.trim()),
    current: links.filter(el => el.classList.contains('active')).map(el => el.textContent.trim()),
    rows: new Set(links.map(el => Math.round(rect(el).top))).size,
    width: document.documentElement.clientWidth,
};
"""


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    yield from site_fixture(request, tmp_path_factory)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_navbar_is_one_row_at_1366_for_every_role(site, lang):
    site.driver.set_window_size(1366, 768)
    rows = {}
    for name, (role, _scope) in ACCOUNTS.items():
        log_in_as(site, name, lang)
        site.driver.get(f"{site.server_url}/?sprak={lang}")  # the query a language leaves
        wait_settled(site)
        rows[role] = site.driver.execute_script(ROW_JS)
    for role, row in rows.items():
        assert row["width"] <= 1366
        assert row["links"] > 0, role
        assert row["rows"] == 1, (role, row)
        assert row["outside"] == [] and row["wrapped"] == [], (role, row)
        assert row["sideways"] == [], (role, row)
        # The start page's link is the current one, the language in the query or not.
        assert len(row["current"]) == 1, (role, row)
        assert row["navbar"] <= 72, (role, row)  # one row of pills (56 px) and its padding
