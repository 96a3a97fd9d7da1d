"""The page guard: a page the viewer's role may not open (dashboard.auth.page_access) shows a
clear "not for your role" instead of its layout, whether it was reached by the menu, a link or
a typed address. Its callbacks check the same table (``page_refused``)."""

from __future__ import annotations

import functools

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.auth.page_access import may_open
from dashboard.auth.roles import role_label
from dashboard.filters import query_language
from dashboard.i18n import translator
from dashboard.viewer_context import current_viewer

REFUSAL = "page-refused"

TEXT = {
    "sv": {
        "title": "Sidan är inte till för din roll",
        "body": "Som {role} har du inget att se på den här sidan. Menyn visar de sidor som "
        "har innehåll för dig.",
        "home": "Till översikten",
    },
    "en": {
        "title": "This page is not for your role",
        "body": "As {role} you have nothing to see on this page. The menu shows the pages "
        "that have content for you.",
        "home": "To the overview",
    },
}
_tr = translator(TEXT)


def page_refused(path: str) -> bool:
    """Whether the current viewer may not open ``path`` (for the page's own callbacks)."""
    return not may_open(path, current_viewer().role)


def refusal(role: str, lang: str) -> html.Div:
    """What a refused page shows: its reason, and the way back."""
    label = role_label(role, lang)
    return html.Div(
        dbc.Alert(
            [
                html.H1(_tr("title", lang), className="h4"),
                html.P(_tr("body", lang).format(role=label.lower() if lang == "sv" else label)),
                dcc.Link(_tr("home", lang), href="/"),
            ],
            color="warning",
        ),
        id=REFUSAL,
    )


def guarded(path: str, layout):
    """``layout`` (a page's callable or component) behind the page × role table."""

    @functools.wraps(layout if callable(layout) else (lambda **_: layout))
    def guarded_layout(**query):
        role = current_viewer().role
        if not may_open(path, role):
            return refusal(role, query_language(query))
        return layout(**query) if callable(layout) else layout

    guarded_layout.infosak_guarded = True
    return guarded_layout


def guard_pages() -> None:
    """Put every registered page behind the guard (once per registration: Dash registers the
    pages anew for each app it builds)."""
    for page in dash.page_registry.values():
        layout = page.get("layout")
        if getattr(layout, "infosak_guarded", False):
            continue
        page["layout"] = guarded(page["path"], layout)
