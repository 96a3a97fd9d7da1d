"""The page × role table (dashboard.auth.page_access): the menu and the page guard follow it,
and the report's callbacks refuse a role the page is not for even when called directly, as a
forged request would."""

from __future__ import annotations

import dash
import pytest
from flask import Flask, g

from dashboard import store
from dashboard.auth.page_access import PAGE_ROLES, may_open, page_visible_to
from dashboard.auth.roles import USER_ROLES
from dashboard.page_guard import REFUSAL
from dashboard.queries.viewer import Viewer
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app, page_module

MANAGER = Viewer("manager", name="bo", unit_codes=frozenset({"1882-SOC-IFO"}))
COMMITTEE = Viewer("committee", name="namnd", municipality_codes=frozenset({"1882"}))
CISO = Viewer("ciso", name="eva", municipality_codes=frozenset({"1882"}))


def as_viewer(viewer: Viewer):
    context = Flask(__name__).test_request_context()
    context.push()
    context.app.config["INFOSAK_AUTH"] = True
    g.infosak_viewer = viewer
    return context


@pytest.fixture
def app(sqlite_engine):
    build_store(sqlite_engine)
    yield build_app(sqlite_engine)
    store.configure(None)


def test_the_table_covers_every_menu_page(app):
    menu_pages = {p["path"] for p in dash.page_registry.values() if p.get("order") is not None}
    assert menu_pages <= set(PAGE_ROLES)
    assert set().union(*PAGE_ROLES.values()) == set(USER_ROLES)


@pytest.mark.parametrize(
    ("role", "path", "allowed"),
    [
        ("manager", "/rapport", False),
        ("manager", "/min-enhet", True),
        ("committee", "/min-enhet", False),
        ("committee", "/inlasningar", False),
        ("committee", "/rapport", True),
        ("ciso", "/logg", True),
        ("security_officer", "/logg", False),
        ("security_officer", "/inlasningar/ladda-upp", True),
        ("admin_head", "/inlasningar/ladda-upp", False),
        ("system", "/rapport", True),
        ("manager", "/tillganglighet", True),
        ("ciso", "/a-page-nobody-listed", False),
    ],
)
def test_may_open(role, path, allowed):
    assert may_open(path, role) is allowed


def test_menu_and_guard_follow_the_table(app):
    for page in dash.page_registry.values():
        for role in USER_ROLES:
            viewer = Viewer(role=role, name=role)
            assert page_visible_to(page, viewer) is may_open(page["path"], role)


def test_guard_refuses_the_layout(app):
    report = next(p for p in dash.page_registry.values() if p["path"] == "/rapport")
    context = as_viewer(MANAGER)
    try:
        refused = report["layout"]()
        assert refused.id == REFUSAL
        assert "inte till för din roll" in str(refused)
    finally:
        context.pop()
    context = as_viewer(COMMITTEE)
    try:
        assert getattr(report["layout"](), "id", None) != REFUSAL
    finally:
        context.pop()


def test_report_callbacks_refuse_a_manager(app):
    report = page_module("/rapport")
    filters = {"as_of": AS_OF.isoformat(), "lang": "sv"}
    context = as_viewer(MANAGER)
    try:
        content, options = report.update_report(filters, None)
        assert content.id == REFUSAL and options == []
        assert report.download_pdf(1, filters, None) is dash.no_update
        assert report.download_workbook(1, filters) is dash.no_update
    finally:
        context.pop()
    context = as_viewer(CISO)
    try:
        content, _ = report.update_report(filters, None)
        assert getattr(content, "id", None) != REFUSAL
    finally:
        context.pop()
