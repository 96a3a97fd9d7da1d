"""The app frame (navbar, global filter bar) and reusable layout pieces (``create_*`` / ``*_card``)."""

from __future__ import annotations

from dataclasses import dataclass

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import constants as c
from dashboard.accessibility_statement import STATEMENT_PATH
from dashboard.auth.page_access import page_visible_to
from dashboard.auth.roles import role_label
from dashboard.i18n import Texts, t, translate
from dashboard.queries.viewer import Viewer
from etl.formatting import format_change, format_value, plotly_locale, shown_change
from etl.kpi.definitions import METRICS

# The page's main landmark: the skip link's target, and where the language is announced.
MAIN = "main"
SKIP_LINK = "app-skip-link"
FOOTER = "app-footer"
STATEMENT_LINK = "app-footer-statement"

# Dash's page template with the document language set from the first paint (WCAG 3.1.1; a screen
# reader otherwise reads Swedish with an English voice) and the scripts outside any landmark.
INDEX_STRING = """<!DOCTYPE html>
<html lang="sv">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        {%config%}
        {%scripts%}
        {%renderer%}
    </body>
</html>"""

# The language switch changes the filter store; <html lang> follows it (the returned value goes
# to <main lang>, which says the same).
# A page is built once per address by Dash's router, which listens to its own dcc.Location: the
# app's URL location writes the new ?sprak= with pushState and tells nobody, so the page kept its
# headings and card titles in the old language. When the language changes (not on the first
# paint, whose page the router already built from the address) the router is told to read the
# address again and builds the page in the new language.
SET_DOCUMENT_LANGUAGE_JS = """
function(filters) {
    const lang = (filters && filters.lang === "en") ? "en" : "sv";
    const shown = window._infosakPageLanguage;
    window._infosakPageLanguage = lang;
    document.documentElement.lang = lang;
    if (shown !== undefined && shown !== lang) {
        // After this render, when the URL location has pushed the new address.
        setTimeout(function() {
            window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
        }, 0);
    }
    return lang;
}
"""

SHELL_TEXT: Texts = {
    "sv": {"skip": "Hoppa till innehållet", "statement": "Tillgänglighetsredogörelse"},
    "en": {"skip": "Skip to content", "statement": "Accessibility statement"},
}
# The filter bar's language label (the frame callback sets it in the chosen language).
LANGUAGE_LABEL = "app-label-language"

# Ids and strings of the user menu (the shell's own; pages never address them).
USER_MENU = "app-user-menu"
USER_NAME = "app-user-name"
USER_ROLE = "app-user-role"
LOGOUT_BUTTON = "app-logout"
USER_MENU_TEXT: Texts = {
    "sv": {"logout": "Logga ut"},
    "en": {"logout": "Log out"},
}


def page_name(page: dict, lang: str) -> str:
    """A registered page's name in ``lang`` (pages register ``name_en`` beside ``name``)."""
    return page.get("name_en", page["name"]) if lang == "en" else page["name"]


def create_nav_links(
    lang: str, search: str = "", viewer: Viewer | None = None, pathname: str | None = None
) -> list:
    """One NavLink per registered page in ``order``; the query string carries the filters along.

    Pages registered with ``roles=(...)`` are listed only for those roles (tidiness, not
    security: each page and callback checks access itself). With ``pathname`` the current
    page's link is marked active here: the NavLink's own "exact" test compares the address's
    path with the whole link, query included, so with a language or filter in the query no
    link was ever the current one.
    """
    pages = sorted(
        (
            p
            for p in dash.page_registry.values()
            if p.get("order") is not None
            and p["path"] != "/404"
            and (viewer is None or page_visible_to(p, viewer))
        ),
        key=lambda p: p["order"],
    )
    return [
        dbc.NavItem(
            dbc.NavLink(
                page_name(p, lang),
                href=f"{p['relative_path']}{search}",
                active="exact" if pathname is None else p["relative_path"] == pathname,
            )
        )
        for p in pages
    ]


@dataclass(frozen=True)
class UserMenu:
    """Who is logged in, for the navbar; ``csrf_token`` goes into the logout form."""

    name: str
    role: str
    csrf_token: str


def create_user_menu(user: UserMenu | None) -> html.Div:
    """User name, role and a logout button (a POST form with the CSRF token).

    Always in the layout so that callbacks can address its ids; hidden when nobody is logged in.
    """
    if user is None:
        return html.Div(
            [html.Span(html.Span(id=USER_ROLE), id=USER_NAME), html.Button(id=LOGOUT_BUTTON)],
            id=USER_MENU,
            className="d-none",
        )
    return html.Div(
        [
            # Name over role, two short lines (assets/style.css): beside the page links the
            # longest role name on one line ("Informationssäkerhetssamordnare (CISO)") pushed
            # the navbar onto a second row at 1366 px.
            html.Span(
                [
                    html.Strong(user.name, className="app-user-line"),
                    html.Span(role_label(user.role), id=USER_ROLE, className="app-user-line"),
                ],
                id=USER_NAME,
                className="navbar-text text-white me-2 small app-user",
            ),
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=user.csrf_token),
                    html.Button(
                        translate(USER_MENU_TEXT, "logout"),
                        id=LOGOUT_BUTTON,
                        type="submit",
                        className="btn btn-outline-light btn-sm",
                    ),
                ],
                action="/logout",
                method="POST",
                className="d-inline",
            ),
        ],
        id=USER_MENU,
        className="d-flex align-items-center ms-auto",
    )


def create_navbar(user: UserMenu | None = None) -> dbc.Navbar:
    viewer = None
    if user is not None:
        viewer = Viewer(role=user.role, name=user.name)
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(
                    [
                        html.Img(
                            src=dash.get_asset_url("logo.svg"),
                            height="28",
                            alt="",
                            className="me-2",
                        ),
                        "Infosäk",
                    ],
                    href="/",
                ),
                dbc.NavbarToggler(id="app-navbar-toggler", n_clicks=0),
                dbc.Collapse(
                    [
                        dbc.Nav(
                            create_nav_links("sv", viewer=viewer),
                            id=c.NAV_LINKS,
                            navbar=True,
                            pills=True,
                        ),
                        create_user_menu(user),
                    ],
                    id="app-navbar-collapse",
                    navbar=True,
                ),
            ],
            fluid=True,
        ),
        id=c.NAVBAR,
        color="primary",
        dark=True,
        className="mb-3 d-print-none",
    )


def create_skip_link() -> html.A:
    """The first focusable element: moves focus past the navbar and filters to <main>
    (which has tabIndex -1 so that it can take the focus)."""
    return html.A(
        translate(SHELL_TEXT, "skip"),
        id=SKIP_LINK,
        href=f"#{MAIN}",
        className="visually-hidden-focusable app-skip-link",
    )


def create_footer() -> html.Footer:
    """Every page's footer: the accessibility statement (the law requires a link to it)."""
    return html.Footer(
        dbc.Container(
            # dcc.Link: inside the app the Dash page opens; a fresh visit to the same path gets
            # the plain page that needs no login (dashboard/accessibility_statement.py).
            dcc.Link(translate(SHELL_TEXT, "statement"), id=STATEMENT_LINK, href=STATEMENT_PATH),
            fluid=True,
        ),
        id=FOOTER,
        className="app-footer py-3 mt-4 d-print-none",
    )


def scroll_region(child, label: str, **kwargs) -> html.Div:
    """A horizontally scrolling wrapper (wide tables) that a keyboard user can focus and scroll,
    named for screen readers (WCAG 2.1.1; axe's scrollable-region-focusable)."""
    return html.Div(
        child,
        className="table-responsive",
        tabIndex="0",
        role="region",
        **{"aria-label": label},
        **kwargs,
    )


def create_filter_bar() -> dbc.Row:
    """Municipality, administration, as-of date and language; values come from the URL."""
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(
                        t("municipality"), html_for=c.FILTER_MUNICIPALITY, id="app-label-mun"
                    ),
                    dcc.Dropdown(
                        id=c.FILTER_MUNICIPALITY,
                        placeholder=t("all_municipalities"),
                        clearable=True,
                    ),
                ],
                md=4,
                sm=6,
            ),
            dbc.Col(
                [
                    dbc.Label(
                        t("administration"), html_for=c.FILTER_ADMINISTRATION, id="app-label-adm"
                    ),
                    dcc.Dropdown(
                        id=c.FILTER_ADMINISTRATION,
                        placeholder=t("all_administrations"),
                        clearable=True,
                    ),
                ],
                md=4,
                sm=6,
            ),
            dbc.Col(
                [
                    dbc.Label(t("as_of"), html_for=c.FILTER_AS_OF, id="app-label-as-of"),
                    # The browser's own date field: labelled, keyboard-operable and announced by
                    # screen readers (Dash's date picker puts ARIA attributes on a plain div).
                    # The value goes out one second (1000 ms) after the last keystroke, not per digit.
                    dbc.Input(id=c.FILTER_AS_OF, type="date", debounce=1000),
                ],
                md=2,
                sm=6,
            ),
            dbc.Col(
                [
                    dbc.Label(t("language"), html_for=c.LANGUAGE_SWITCH, id=LANGUAGE_LABEL),
                    dbc.RadioItems(
                        id=c.LANGUAGE_SWITCH,
                        inline=True,
                        value=c.DEFAULT_LANGUAGE,
                        options=[
                            # Each name in its own language (WCAG 3.1.2).
                            {"label": html.Span("Svenska", lang="sv"), "value": "sv"},
                            {"label": html.Span("English", lang="en"), "value": "en"},
                        ],
                    ),
                ],
                md=2,
                sm=6,
            ),
        ],
        className="g-3 mb-3 d-print-none app-filter-bar",
    )


def create_page_header(title: str, lead: str | None = None) -> html.Div:
    return html.Div(
        [
            html.H1(title, className="h3 mb-1"),
            html.P(lead, className="text-muted mb-3") if lead else None,
        ],
    )


# Whether a KPI's change is for the better: the note's colour says it, and so do these words.
KPI_TEXT: Texts = {
    "sv": {"better": "förbättring", "worse": "försämring"},
    "en": {"better": "improvement", "worse": "deterioration"},
}


def kpi_card(card_id: str, title: str, value: str, note: str = "", tone: str = "") -> dbc.Card:
    """A KPI card: title, big value, one line of context (e.g. the change since last quarter)."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(title, className="kpi-title"),
                html.Div(value, className="kpi-value", id=f"{card_id}-value"),
                html.Div(note, className=f"kpi-note {tone}".strip()),
            ]
        ),
        id=card_id,
        className="kpi-card h-100",
    )


def metric_card_id(page: str, metric: str) -> str:
    """The id of page ``page``'s KPI card for ``metric``, e.g. ``oversikt-card-actions-overdue``."""
    return f"{page}-card-{metric.replace('_', '-')}"


def metric_label(metric: str, lang: str) -> str:
    m = METRICS[metric]
    return m.label_en if lang == "en" else m.label_sv


def create_kpi_row(
    headline, page: str, lang: str, *, no_change: str | None = None, xl: int | None = None
) -> list:
    """One KPI card (in a responsive column) per row of ``headline`` (columns metric, kind,
    value, change; as overview.headline_kpis gives them), in row order.

    With ``no_change`` (the text for "no value last quarter") each card also says how the value
    changed since the previous quarter, marked good or bad by the metric's direction."""
    since = t("change_since_quarter", lang)
    cards = []
    for row in headline.itertuples(index=False):
        note, tone = "", ""
        if no_change is not None:
            change = format_change(row.change, row.kind, lang)
            note = f"{change} {since}" if change else no_change
            shown = 0 if not change else shown_change(row.change, row.kind)
            if shown != 0:
                improved = (shown > 0) == METRICS[row.metric].higher_is_better
                tone = "good" if improved else "bad"
                # Said in words too, not by the colour alone (WCAG 1.4.1).
                note += f" ({translate(KPI_TEXT, 'better' if improved else 'worse', lang)})"
        card = kpi_card(
            metric_card_id(page, row.metric),
            metric_label(row.metric, lang),
            format_value(row.value, row.kind, lang),
            note,
            tone,
        )
        cards.append(dbc.Col(card, xs=12, sm=6, md=4, **({"xl": xl} if xl else {})))
    return cards


# Every dcc.Graph's plotly config. Not plotly's "responsive": with it a graph drawn first empty
# and then given its figure kept a 100 % height of a card body sized by the graph, i.e. 0 px, and
# the figure spilled over the next card (Översikt, about half of the page loads). dcc.Graph's own
# responsive="auto" still follows the card's width, and every figure sets its height.
# No mode bar: it covered the charts' titles, offered zoom and pan on the committee's report, and
# its buttons are not reachable by keyboard; the numbers are in each chart's "Visa som tabell"
# and the figures do not zoom (the theme's dragmode).
GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False}


def pager(pager_id: str, pages: int, label: str, class_name: str = "mb-0") -> html.Nav:
    """A labelled pager for a list shown a page at a time (the callback reads its active_page)."""
    return html.Nav(
        dbc.Pagination(
            id=pager_id,
            max_value=pages,
            active_page=1,
            fully_expanded=False,
            previous_next=True,
            size="sm",
            className=class_name,
        ),
        **{"aria-label": label},
    )


def graph_config(lang: str = "sv") -> dict:
    """GRAPH_CONFIG with plotly's locale for ``lang`` built from Babel's data (months on date
    axes "okt. 2025", decimal comma and space grouping in Swedish; English formats in English).
    Given with every graph, so no locale script has to be loaded before plotly draws."""
    locale = plotly_locale(lang)
    return {**GRAPH_CONFIG, "locale": lang, "locales": {lang: {"format": locale["format"]}}}


# A graph's figure until its callback answers. Without one, dcc.Graph draws plotly's default
# empty axes (ticks from -1 to 6) as soon as plotly.js has run, which flashes on screen and
# costs the browser a layout pass before the real figure replaces it.
BLANK_FIGURE = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}}}


def chart(graph_id: str, lang: str = "sv", figure=None, **kwargs) -> dcc.Graph:
    """A page's graph: plotly's config for ``lang`` and, until there is one, a blank figure."""
    shown = BLANK_FIGURE if figure is None else figure
    return dcc.Graph(id=graph_id, figure=shown, config=graph_config(lang), **kwargs)


def chart_card(title: str, body, card_id: str | None = None) -> dbc.Card:
    kwargs = {"id": card_id} if card_id else {}
    return dbc.Card(
        [dbc.CardHeader(html.H2(title, className="h6 mb-0")), dbc.CardBody(body)],
        className="mb-3 h-100",
        **kwargs,
    )


def empty_state(lang: str = "sv") -> dbc.Alert:
    """What an empty store says instead of failing."""
    return dbc.Alert(
        [
            html.H2(t("empty_store_title", lang), className="h5"),
            html.P(t("empty_store_body", lang)),
        ],
        color="info",
        className="empty-state",
    )


def no_data(lang: str = "sv") -> html.P:
    return html.P(t("no_data", lang), className="text-muted fst-italic no-data")


def error_state(lang: str = "sv") -> dbc.Alert:
    return dbc.Alert(
        [html.H2(t("error_title", lang), className="h5"), html.P(t("error_body", lang))],
        color="danger",
    )
