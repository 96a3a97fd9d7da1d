"""The app factory: ``create_app()`` builds the Dash app; ``server`` is the WSGI entry point.

Production: ``gunicorn -c gunicorn.conf.py`` (threaded workers, see that file) with
INFOSAK_DATABASE_URL and INFOSAK_SECRET_KEY set; ``server`` always has login on
(docs/security.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from pathlib import Path

import dash
import dash._callback as dash_callback
import dash_bootstrap_components as dbc
import plotly.io.json
from dash import Input, Output, State, ctx, dcc, html, no_update, set_props
from sqlalchemy import Engine

from dashboard import constants as c
from dashboard import output_cache, store
from dashboard.accessibility_statement import install_statement_route
from dashboard.auth.roles import role_label
from dashboard.chart_table import register_table_builder
from dashboard.filters import Filters, parse_query, to_query, unread_date
from dashboard.i18n import t, translate
from dashboard.layout import (
    INDEX_STRING,
    LANGUAGE_LABEL,
    LOGOUT_BUTTON,
    MAIN,
    SET_DOCUMENT_LANGUAGE_JS,
    SHELL_TEXT,
    SKIP_LINK,
    STATEMENT_LINK,
    USER_MENU_TEXT,
    USER_ROLE,
    UserMenu,
    create_filter_bar,
    create_footer,
    create_nav_links,
    create_navbar,
    create_skip_link,
)
from dashboard.page_guard import guard_pages
from dashboard.queries.org import administration_options, municipality_options
from dashboard.request_guard import install_request_guard
from dashboard.role_notes import role_note
from dashboard.scope_text import filter_placeholder, scope_line
from dashboard.viewer_context import current_viewer

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
# The top-level assets/ reached through the package (dashboard/assets links to it), so that
# the wheel carries the stylesheets inside the package and an installed app finds them.
ASSETS_DIR = PACKAGE_DIR / "assets"
# plotly.js for the charts, in assets/ (see serve_plotly_bundle).
PLOTLY_BUNDLE = "plotly-infosak.min.js"
ERROR_ALERT = "app-error-alert"
# Says that the address's date could not be read (the filters then show today).
DATE_NOTICE = "app-date-notice"
# Whose numbers the page shows (dashboard.scope_text) and what the role sees there and why.
SCOPE_LINE = "app-scope-line"
ROLE_NOTE = "app-role-note"


def serve_plotly_bundle(app: dash.Dash) -> None:
    """Every page loads assets/PLOTLY_BUNDLE, plotly.js with only the charts' trace types
    (plotly_bundle/README.md), before Dash's renderer starts. It sets ``window.Plotly``, so
    dcc.Graph draws with it and never loads Dash's full plotly.js (dcc.Graph adds that script
    only when ``window.Plotly`` is missing).

    A package script rather than an asset: Dash names it with a fingerprint (version and file
    time) and lets browsers keep it for a year, as its own bundles; an asset is asked for again
    on every page (``no-cache``), and this one is 1.2 MB.
    """
    app.scripts.append_script(
        {"relative_package_path": f"assets/{PLOTLY_BUNDLE}", "namespace": "dashboard"}
    )


def _on_callback_error(err: Exception) -> None:
    """Any callback failure is logged with its traceback and shown to the user as one line."""
    log.exception("callback failed", exc_info=err)
    set_props(ERROR_ALERT, {"is_open": True})


def create_layout(demo: bool = False, user: UserMenu | None = None):
    return html.Div(
        [
            dcc.Location(id=c.URL, refresh=False),
            dcc.Store(id=c.FILTERS_STORE),
            create_skip_link(),
            create_navbar(user),
            dbc.Container(
                [
                    dbc.Alert(
                        t("demo_banner"),
                        color="warning",
                        id=c.DEMO_BANNER,
                        className="py-2 d-print-none",
                        is_open=demo,
                    ),
                    dbc.Alert(
                        t("error_body"),
                        id=ERROR_ALERT,
                        color="danger",
                        is_open=False,
                        dismissable=True,
                    ),
                    create_filter_bar(),
                    html.Div(
                        [
                            html.P(id=SCOPE_LINE, className="fw-semibold mb-0"),
                            html.P(id=ROLE_NOTE, className="small text-muted mb-0"),
                        ],
                        className="mb-3 d-print-none app-view-note",
                    ),
                    dbc.Alert(
                        id=DATE_NOTICE,
                        color="info",
                        is_open=False,
                        className="py-2 mt-2 d-print-none",
                    ),
                    html.Main(dash.page_container, id=MAIN, tabIndex="-1"),
                ],
                fluid=True,
            ),
            create_footer(),
        ]
    )


def _request_user_menu() -> UserMenu | None:
    """The logged-in user for the navbar, when this request has one."""
    from flask import has_request_context, session
    from flask_login import current_user

    from dashboard.auth.login import session_csrf_token

    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return None
    if not session.get("csrf"):
        return None
    return UserMenu(current_user.name, current_user.role, session_csrf_token())


def _forget_page_callbacks() -> None:
    """Empty Dash's global callback registry before the pages are imported again.

    Dash executes every page module on each ``Dash(use_pages=True)``, and each execution adds the
    page's ``@callback``s to a process-wide list; a second app in the same process (tests, a
    restarted factory) would otherwise send every callback twice and the browser refuses them.
    """
    dash_callback.GLOBAL_CALLBACK_LIST.clear()
    dash_callback.GLOBAL_CALLBACK_MAP.clear()
    dash_callback.GLOBAL_INLINE_SCRIPTS.clear()


def create_app(engine: Engine | None = None, *, demo: bool = False, auth: bool = True) -> dash.Dash:
    """Build the app on ``engine`` (default: the configured store).

    ``auth``: login required (True, the default) or every visitor is the system viewer (False:
    tests only, and they must say so explicitly). Without INFOSAK_SECRET_KEY (outside demo mode)
    an app with login refuses to start with ConfigurationError.
    """
    from dashboard.auth.guard import install_auth, install_security
    from dashboard.auth.security import max_content_length, upload_max_bytes

    store.configure(engine)
    _forget_page_callbacks()
    app = dash.Dash(
        # The package name makes Dash import pages as "dashboard.pages.<x>", the same module a
        # test or the CLI imports, so a page is never registered twice under two names.
        "dashboard",
        use_pages=True,
        pages_folder=str(PACKAGE_DIR / "pages"),
        assets_folder=str(ASSETS_DIR),
        # Served as a package script instead (PLOTLY_BUNDLE below), not as an asset.
        assets_ignore=re.escape(PLOTLY_BUNDLE),
        # Bootstrap is served from assets/ (no CDN: offline sites and a strict CSP).
        external_scripts=["/auth/session.js"] if auth else [],
        title="Infosäk",
        update_title=None,
        suppress_callback_exceptions=True,
        on_error=_on_callback_error,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        compress=True,
    )
    # Dash writes every callback response with plotly's JSON engine. With orjson installed plotly
    # picks it, but then first walks the whole output in Python to make it orjson-safe; the
    # standard library's C encoder calls back only for components and figures. Measured on the
    # national store, all outputs of every page for the country and one municipality: 1.35 s
    # with orjson, 0.66 s with json; the national Rapport 734 -> 264 ms, Översikt 195 -> 126 ms.
    plotly.io.json.config.default_engine = "json"
    serve_plotly_bundle(app)
    server = app.server
    server.config["INFOSAK_DEMO"] = demo
    server.config["INFOSAK_AUTH"] = auth
    server.config["MAX_CONTENT_LENGTH"] = max_content_length(upload_max_bytes())
    # <html lang="sv"> from the first paint; a clientside callback follows the language switch.
    app.index_string = INDEX_STRING
    # Every page behind the page × role table (dashboard.auth.page_access).
    guard_pages()
    install_statement_route(server)
    install_security(app)
    output_cache.init_app(server)
    register_shell_callbacks(app)
    if auth:
        install_auth(app, demo=demo)
        # Per request, so the navbar names the logged-in user.
        app.layout = lambda: create_layout(demo, _request_user_menu())
    else:
        log.warning("Infosäk app built WITHOUT login (auth=False): for tests only")
        server.secret_key = os.urandom(32)
        app.layout = create_layout(demo)
    # After the login gate: an anonymous request is refused before its body is read.
    install_request_guard(app)
    return app


SYNC_FILTERS_SPEC = dict(
    args=(
        Output(c.URL, "search"),
        Output(c.FILTER_MUNICIPALITY, "value"),
        Output(c.FILTER_ADMINISTRATION, "value"),
        Output(c.FILTER_AS_OF, "value"),
        Output(c.LANGUAGE_SWITCH, "value"),
        Output(c.FILTERS_STORE, "data"),
        Output(DATE_NOTICE, "children"),
        Output(DATE_NOTICE, "is_open"),
        Input(c.URL, "search"),
        Input(c.FILTER_MUNICIPALITY, "value"),
        Input(c.FILTER_ADMINISTRATION, "value"),
        Input(c.FILTER_AS_OF, "value"),
        Input(c.LANGUAGE_SWITCH, "value"),
    ),
)


def sync_filters(search, municipality, administration, as_of, lang):
    """Keep URL, filter controls and the filter store in step (the URL is the source of truth)."""
    today = dt.date.today()
    notice = None
    if ctx.triggered_id in (None, c.URL):
        filters = parse_query(search, today)
        unread = unread_date(search)
        if unread is not None:
            notice = t("date_ignored", filters.lang).format(text=unread)
    else:
        # A filter chosen on the page replaces the address's date: the notice goes.
        # A different municipality makes the chosen administration meaningless.
        if ctx.triggered_id == c.FILTER_MUNICIPALITY:
            administration = None
        # Read by the store's own rules: a forged control value (a list, year 9999) falls
        # back to the default instead of reaching the store and every page's callbacks.
        filters = Filters.from_store(
            {"as_of": as_of, "municipality": municipality,
             "administration": administration, "lang": lang},
            today=today,
        )  # fmt: skip
    new_search = to_query(filters, today)
    return (
        new_search if new_search != (search or "") else no_update,
        filters.municipality,
        filters.administration,
        filters.as_of.isoformat(),
        filters.lang,
        filters.to_store(),
        notice,
        notice is not None,
    )


# Beyond this many administrations and none chosen, the filter lists them once a municipality
# is chosen (a municipality has a handful; the country 1 356).
ADMINISTRATION_OPTIONS_SHOWN = 300

UPDATE_FRAME_SPEC = dict(
    args=(
        Output(c.FILTER_MUNICIPALITY, "options"),
        Output(c.FILTER_ADMINISTRATION, "options"),
        Output(c.NAV_LINKS, "children"),
        Output(c.FILTER_MUNICIPALITY, "placeholder"),
        Output(c.FILTER_ADMINISTRATION, "placeholder"),
        Output("app-label-mun", "children"),
        Output("app-label-adm", "children"),
        Output("app-label-as-of", "children"),
        Output(LOGOUT_BUTTON, "children"),
        # The rest of the frame in the chosen language (built in Swedish once per request).
        Output(c.DEMO_BANNER, "children"),
        Output(ERROR_ALERT, "children"),
        Output(LANGUAGE_LABEL, "children"),
        Output(SKIP_LINK, "children"),
        Output(STATEMENT_LINK, "children"),
        Output(USER_ROLE, "children"),
        Output(SCOPE_LINE, "children"),
        Output(ROLE_NOTE, "children"),
        Input(c.FILTERS_STORE, "data"),
        Input(c.URL, "pathname"),
        State(c.URL, "search"),
    ),
)


def update_frame(filters_data, pathname, search):
    filters = Filters.from_store(filters_data)
    viewer = current_viewer()
    lang = filters.lang
    with store.read_session() as session:
        municipalities = municipality_options(session, viewer)
        administrations = administration_options(session, viewer, filters.municipality)
        line = scope_line(session, viewer, filters.municipality, filters.administration, lang)
    administration_placeholder = t("all_administrations", lang)
    if len(administrations) > ADMINISTRATION_OPTIONS_SHOWN and not filters.administration:
        # Sent with every page: the country's 1 356 administrations were 114 kB on each one.
        administrations = []
        administration_placeholder = t("administrations_after_municipality", lang)
    return (
        municipalities,
        administrations,
        create_nav_links(lang, to_query(filters), viewer, pathname),
        filter_placeholder(municipalities, t("all_municipalities", lang)),
        filter_placeholder(administrations, administration_placeholder),
        t("municipality", lang),
        t("administration", lang),
        t("as_of", lang),
        translate(USER_MENU_TEXT, "logout", lang),
        t("demo_banner", lang),
        t("error_body", lang),
        t("language", lang),
        translate(SHELL_TEXT, "skip", lang),
        translate(SHELL_TEXT, "statement", lang),
        role_label(viewer.role, lang),
        line,
        role_note(pathname or "/", viewer.role, lang),
    )


TOGGLE_NAVBAR_SPEC = dict(
    args=(
        Output("app-navbar-collapse", "is_open"),
        Input("app-navbar-toggler", "n_clicks"),
        State("app-navbar-collapse", "is_open"),
    ),
    prevent_initial_call=True,
)


def toggle_navbar(n_clicks, is_open):
    return not is_open


def register_shell_callbacks(app: dash.Dash) -> None:
    """The frame's callbacks, on ``app`` itself: ``dash.callback`` would attach them only to the
    first app built in a process (Dash moves its global callbacks to the first app set up)."""
    for spec, function in (
        (SYNC_FILTERS_SPEC, sync_filters),
        (UPDATE_FRAME_SPEC, update_frame),
        (TOGGLE_NAVBAR_SPEC, toggle_navbar),
    ):
        options = {k: v for k, v in spec.items() if k != "args"}
        app.callback(*spec["args"], **options)(function)
    app.clientside_callback(
        SET_DOCUMENT_LANGUAGE_JS, Output(MAIN, "lang"), Input(c.FILTERS_STORE, "data")
    )
    register_table_builder(app)


def __getattr__(name: str):
    # gunicorn "dashboard.app:server" builds the app on first access, not at import time,
    # so that tests can import create_app without touching the default store.
    if name in ("app", "server"):
        global app, server
        # The production entry point: login is always on here, whatever the environment says.
        app = create_app(auth=True)
        server = app.server
        return app if name == "app" else server
    raise AttributeError(name)
