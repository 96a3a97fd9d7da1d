"""axe-core 4.x (WCAG 2.0/2.1 A and AA) finds nothing on any page, for any role, in either language.

One server and one Chromium serve the whole module (tests/browser_site.py); each role logs in
once and visits every page it may open, in Swedish or English (see ALL_LANGUAGES), with the global
administration filter changed through its dropdown and every grid showing its rows. The login
page, the accessibility statement (both public) and the not-found page are checked too.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.axe import AXE_VERSION, describe, rule_count, run_axe
from tests.browser_site import ACCOUNTS, log_in_as, log_out, pages_for, site_fixture, wait_settled

LANGUAGES = ("sv", "en")
# Every page x role x language (186 page views) takes 5 minutes on a loaded two-core machine. By
# default each role checks its pages in one language, alternating between roles, so that every
# page is seen in both languages (95 views); INFOSAK_AXE_ALL_LANGUAGES=1 checks every role in both.
ALL_LANGUAGES = bool(os.environ.get("INFOSAK_AXE_ALL_LANGUAGES"))
FILTER = "#app-filter-administration"
CHECKED: list[str] = []
RULES: list[int] = []


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    yield from site_fixture(request, tmp_path_factory)
    if CHECKED:
        pages = {where.split(" [")[0] for where in CHECKED}
        languages = "2 languages each" if ALL_LANGUAGES else "1 language per role, both per page"
        line = (
            f"axe-core {AXE_VERSION}: {len(CHECKED)} page views checked ({len(pages)} pages x "
            f"{len(ACCOUNTS)} roles and logged out x {languages}), {RULES[0]} rules each"
        )
        # Printed past pytest's output capture, so that every run shows what was checked.
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print("\n" + line)


def change_filter(duo) -> bool:
    """Pick the first administration in the global filter (the dropdown opens, the URL changes);
    an account scoped below the administrations may be offered none, and then the open, empty list
    is what is checked. True if an administration was picked."""
    duo.find_element(FILTER).click()
    options = duo.driver.find_elements("css selector", ".dash-dropdown-option")
    deadline = time.monotonic() + 5
    while not options and time.monotonic() < deadline:
        time.sleep(0.1)
        options = duo.driver.find_elements("css selector", ".dash-dropdown-option")
    if options:
        options[0].click()
    wait_settled(duo)
    return bool(options)


def go(duo, path: str, *, reload: bool = False) -> None:
    """Open ``path`` keeping the current query string (the changed filter, the language).

    Without ``reload`` the app navigates as its own links do (history.pushState), which is what a
    user does and saves reloading the scripts for every page."""
    if reload:
        duo.driver.get(duo.server_url + path)
    else:
        duo.driver.execute_script(
            "window.history.pushState({}, '', arguments[0]);"
            "window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));",
            path,
        )
    wait_settled(duo)


def check(duo, where: str) -> list[str]:
    if not RULES:
        RULES.append(rule_count(duo.driver))
    CHECKED.append(where)
    return describe(where, run_axe(duo.driver))


@pytest.mark.browser
@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_no_axe_violations_for_role(site, account):
    role = ACCOUNTS[account][0]
    problems: list[str] = []
    log_in_as(site, account)
    turn = list(ACCOUNTS).index(account)
    for lang in LANGUAGES if ALL_LANGUAGES else (LANGUAGES[turn % 2],):
        pages = pages_for(role)
        go(site, f"{pages[0]['path']}?sprak={lang}", reload=True)
        picked = change_filter(site)
        query = site.driver.execute_script("return window.location.search;")
        assert "forvaltning=" in query or not picked, query
        for page in pages:
            go(site, page["path"] + query)
            problems += check(site, f"{page['path']} [{role}, {lang}]")
        go(site, "/finns-inte" + query)
        problems += check(site, f"404 [{role}, {lang}]")
    assert problems == [], "axe violations:\n" + "\n".join(problems)


@pytest.mark.browser
def test_no_axe_violations_logged_out(site):
    log_out(site)
    problems: list[str] = []
    for lang in LANGUAGES:
        for path in ("/login", "/tillganglighet"):
            site.driver.get(f"{site.server_url}{path}?sprak={lang}")
            wait_settled(site)
            problems += check(site, f"{path} logged out [{lang}]")
    assert problems == [], "axe violations:\n" + "\n".join(problems)
