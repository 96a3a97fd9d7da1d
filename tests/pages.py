"""Helpers for page tests: the app on a test store, and page modules as Dash imported them."""

from __future__ import annotations

import sys

import dash

from dashboard.app import create_app


def build_app(engine):
    """The app on ``engine`` without login (create_app starts from an empty callback registry)."""
    return create_app(engine, auth=False)


def page_module(path: str):
    """The page module as Dash imported it (importing dashboard.pages.x would run it twice)."""
    for registered in dash.page_registry.values():
        if registered["path"] == path:
            return sys.modules[registered["module"]]
    raise LookupError(path)
