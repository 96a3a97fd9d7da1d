"""Tillgänglighet: the accessibility statement inside the app (linked from every page's footer).

The text lives in dashboard/accessibility_statement.py, which also serves it at the same path
as a plain page for visitors who are not logged in.
"""

from __future__ import annotations

import dash
from dash import Input, Output, callback, html

from dashboard import constants as c
from dashboard.accessibility_statement import STATEMENT_PATH, TEXT, sections
from dashboard.filters import Filters, query_language, to_query
from dashboard.i18n import translate
from dashboard.layout import SHELL_TEXT, SKIP_LINK, STATEMENT_LINK, create_page_header

dash.register_page(
    __name__,
    path=STATEMENT_PATH,
    name="Tillgänglighet",
    name_en="Accessibility",
    title="Tillgänglighetsredogörelse – Infosäk",
)


def section(s: dict) -> html.Section:
    children = [html.H2(s["heading"], className="h5 mt-4")] if s["heading"] else []
    children += [html.P(p) for p in s["paragraphs"]]
    if s.get("items"):
        children.append(html.Ul([html.Li(i) for i in s["items"]]))
    if s.get("contact"):
        contact = s["contact"]
        body = html.A(contact["text"], href=contact["href"]) if contact["href"] else contact["text"]
        children.append(html.P(body, id="statement-contact"))
    if s.get("link"):
        children.append(html.P(html.A(s["link"]["text"], href=s["link"]["href"])))
    return html.Section(children)


def layout(**query):
    lang = query_language(query)
    return html.Div(
        [create_page_header(translate(TEXT, "title", lang))] + [section(s) for s in sections(lang)],
        id="tillganglighet-statement",
        style={"maxWidth": "48rem"},
    )


@callback(
    Output(STATEMENT_LINK, "children"),
    Output(STATEMENT_LINK, "href"),
    Output(SKIP_LINK, "children"),
    Input(c.FILTERS_STORE, "data"),
)
def update_shell_links(filters_data):
    """The footer's statement link and the skip link follow the language switch."""
    filters = Filters.from_store(filters_data)
    return (
        translate(SHELL_TEXT, "statement", filters.lang),
        f"{STATEMENT_PATH}{to_query(filters)}",
        translate(SHELL_TEXT, "skip", filters.lang),
    )
