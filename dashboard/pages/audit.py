"""Logg: the audit log of logins, failed logins, uploads and exports (CISO and admin only).

A CISO reads the events of the accounts in their municipalities, an admin every event; the rule
is in ``dashboard.auth.audit``, applied in the query.
"""

from __future__ import annotations

import datetime as dt
import logging

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import constants as c
from dashboard import store
from dashboard.auth.audit import action_label, recent_events
from dashboard.auth.roles import may_read_audit
from dashboard.i18n import translator
from dashboard.layout import create_page_header
from dashboard.viewer_context import current_viewer
from etl.formatting import format_datetime

log = logging.getLogger(__name__)

dash.register_page(
    __name__,
    path="/logg",
    name="Logg",
    name_en="Log",
    order=9,
)

TABLE = "logg-table"
SHOWN = 500

TEXT = {
    "sv": {
        "title": "Logg",
        "lead": (
            "Inloggningar, misslyckade inloggningar, uppladdningar och exporter av kontona "
            "inom din behörighet, senaste först."
        ),
        "forbidden": "Loggen visas bara för informationssäkerhetssamordnaren och administratörer.",
        "when": "Tid",
        "who": "Vem",
        "what": "Händelse",
        "detail": "Detaljer",
        "address": "Adress",
        "empty": "Inga händelser ännu.",
        "shown": "De {n} senaste händelserna.",
    },
    "en": {
        "title": "Log",
        "lead": (
            "Logins, failed logins, uploads and exports of the accounts within your scope, "
            "most recent first."
        ),
        "forbidden": "The log is shown only to the security coordinator and administrators.",
        "when": "Time",
        "who": "Who",
        "what": "Event",
        "detail": "Details",
        "address": "Address",
        "empty": "No events yet.",
        "shown": "The {n} most recent events.",
    },
}


_t = translator(TEXT)


def local_time(at: dt.datetime) -> str:
    """Stored naive UTC → Swedish local time, ISO style (2026-11-28 14:05:09)."""
    return format_datetime(at, seconds=True)


def layout(**query) -> html.Div:
    lang = query.get(c.PARAM_LANGUAGE, "sv")
    lang = lang if lang in c.LANGUAGES else "sv"
    header = create_page_header(_t("title", lang), _t("lead", lang))
    # Checked here, where the page is built: a forged request for /logg gets only this alert.
    viewer = current_viewer()
    if not may_read_audit(viewer):
        return html.Div([header, dbc.Alert(_t("forbidden", lang), color="warning", id=TABLE)])
    with store.read_session() as session:
        events = recent_events(session, viewer, SHOWN)
    if not events:
        return html.Div([header, html.P(_t("empty", lang), className="text-muted", id=TABLE)])
    head = html.Thead(
        html.Tr([html.Th(_t(k, lang)) for k in ("when", "who", "what", "detail", "address")])
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(local_time(e.at), className="text-nowrap"),
                    html.Td(e.actor or "–"),
                    html.Td(action_label(e.action, lang)),
                    html.Td(e.detail or ""),
                    html.Td(e.address or ""),
                ],
                className=f"logg-{e.action}",
            )
            for e in events
        ]
    )
    return html.Div(
        [
            header,
            html.P(_t("shown", lang).format(n=SHOWN), className="text-muted small")
            if len(events) >= SHOWN
            else None,
            dbc.Table(
                [head, body], id=TABLE, bordered=True, size="sm", striped=True, responsive=True
            ),
        ]
    )
