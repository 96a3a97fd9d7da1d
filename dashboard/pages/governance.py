"""Förvaltningsobjekt: each shared object with its participants, provider, coverage, owner
participation, and the actions of the provider and of each participant, overdue first."""

from __future__ import annotations

import logging
from collections import defaultdict

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard import constants as c
from dashboard import store
from dashboard.cells import td, th, tr
from dashboard.chart_table import chart_with_table, register_chart_tables
from dashboard.figures.governance import coverage_figure
from dashboard.filters import Filters, query_language
from dashboard.i18n import translator
from dashboard.layout import (
    chart,
    chart_card,
    create_page_header,
    empty_state,
    no_data,
    pager,
    scroll_region,
)
from dashboard.output_cache import cached_output
from dashboard.queries.governance import (
    ACTIONS_PER_OBJECT,
    OBJECT_METRICS,
    object_actions,
    object_participants,
    party_summary,
    shown_object_kpis,
    visible_object_list,
)
from dashboard.viewer_context import current_viewer
from etl.formatting import format_date, format_number, format_value
from etl.kpi.definitions import METRICS

log = logging.getLogger(__name__)

dash.register_page(
    __name__,
    path="/forvaltningsobjekt",
    name="Förvaltningsobjekt",
    name_en="Governance objects",
    order=5,
)

OBJECTS = "forvaltningsobjekt-objects"
COMPARISON = "forvaltningsobjekt-comparison"
COVERAGE = "forvaltningsobjekt-coverage"
COUNT_NOTE = "forvaltningsobjekt-count"
CARDS = "forvaltningsobjekt-cards"
CARD_PAGER = "forvaltningsobjekt-card-pager"
# Object cards per page: the country's 30 cards with their action tables were some 4 000
# components that did not settle in a minute; five at a time, with a pager, is what one reads.
CARDS_PER_PAGE = 5

TEXT = {
    "sv": {
        "title": "Förvaltningsobjekt",
        "lead": "Gemensamma förvaltningsobjekt: deltagare, leverantör, täckning och åtgärder. "
        "Ett objekt räknas för varje deltagande kommun.",
        "coverage": "Täckning per objekt",
        "provider": "Leverantör",
        "no_provider": "Ingen leverantör angiven",
        "participants": "Deltagare",
        "whole_municipality": "hela kommunen",
        "actions": "Åtgärder, försenade först",
        "party": "Part",
        "open": "Öppna",
        "overdue": "Försenade",
        "action": "Åtgärd",
        "responsible": "Ansvarig",
        "due": "Slutdatum",
        "status": "Status",
        "days_overdue": "Dagar försenad",
        "no_actions": "Inga åtgärder i objektets arbetsbok.",
        "count": "{shown} av {total} objekt visas. Välj kommun eller förvaltning för att avgränsa.",
        "count_all": "{total} objekt.",
        "first_actions": "De {shown} första av objektets åtgärder visas; alla finns på sidan "
        "Åtgärder (filtrera på förvaltningsobjekt).",
        "comparison": "Jämförelse av objekten",
        "comparison_caption": "Objekten sida vid sida: tillgångar, täckning och åtgärder.",
        "object": "Objekt",
        "participant_count": "Deltagare",
        "numbers_only": "Din förvaltning deltar i objektet: du ser dess samlade siffror. "
        "Åtgärdslistan visas för kommunens informationssäkerhetssamordnare.",
        "cards_page": "Objektkort {first}–{last} av {total}, i jämförelsens ordning.",
        "card_pages": "Sidor med objektkort",
    },
    "en": {
        "title": "Governance objects",
        "lead": "Shared governance objects: participants, provider, coverage and actions. An "
        "object counts for each participating municipality.",
        "coverage": "Coverage per object",
        "provider": "Provider",
        "no_provider": "No provider given",
        "participants": "Participants",
        "whole_municipality": "the whole municipality",
        "actions": "Actions, overdue first",
        "party": "Party",
        "open": "Open",
        "overdue": "Overdue",
        "action": "Action",
        "responsible": "Responsible",
        "due": "Due",
        "status": "Status",
        "days_overdue": "Days overdue",
        "no_actions": "No actions in the object's workbook.",
        "count": "{shown} of {total} objects are shown. Choose a municipality or an "
        "administration to narrow the list.",
        "count_all": "{total} objects.",
        "first_actions": "The first {shown} of the object's actions are shown; all of them are "
        "on the Actions page (filter by governance object).",
        "comparison": "The objects compared",
        "comparison_caption": "The objects side by side: assets, coverage and actions.",
        "object": "Object",
        "participant_count": "Participants",
        "numbers_only": "Your administration takes part in the object: you see its aggregate "
        "numbers. The list of actions is shown to the municipality's security coordinator.",
        "cards_page": "Object cards {first}–{last} of {total}, in the comparison's order.",
        "card_pages": "Pages of object cards",
    },
}


_tr = translator(TEXT)


# Each chart's "Visa som tabell" (dashboard/chart_table.py).
register_chart_tables(COVERAGE)


def object_card_id(code: str) -> str:
    return f"forvaltningsobjekt-card-{code}".lower()


def layout(**query):
    lang = query_language(query)
    header = create_page_header(_tr("title", lang), _tr("lead", lang))
    try:
        with store.read_session() as session:
            if store.store_is_empty(session):
                return html.Div([header, empty_state(lang)])
    except Exception:  # an unreachable or unmigrated store must not show a traceback
        log.exception("store check failed")
        return html.Div([header, empty_state(lang)])
    return html.Div(
        [
            header,
            html.P(id=COUNT_NOTE, className="small text-muted"),
            # The objects side by side first; the chart and one card per object below.
            chart_card(_tr("comparison", lang), html.Div(id=COMPARISON)),
            html.Div(className="mb-3"),
            chart_card(
                _tr("coverage", lang),
                chart_with_table(
                    dcc.Loading(chart(COVERAGE, lang)),
                    _tr("coverage", lang),
                    lang,
                ),
            ),
            html.Div(className="mb-3"),
            html.Div(id=OBJECTS),
        ]
    )


# --------------------------------------------------------------------------- pieces (pure)


def _metric_items(values: dict, lang: str) -> list:
    """``values``: the object's value per metric."""
    items = []
    for metric in OBJECT_METRICS:
        m = METRICS[metric]
        value = values.get(metric)
        value = None if value is None or value != value else value
        items.append(
            html.Div(
                [
                    html.Dt(m.label_en if lang == "en" else m.label_sv, className="small"),
                    html.Dd(
                        format_value(value, m.kind, lang),
                        className="h5 mb-0",
                        **{"data-metric": metric},
                    ),
                ],
                className="me-4 mb-2",
            )
        )
    return [html.Dl(items, className="d-flex flex-wrap mb-2")]


def _participant_list(participants: list, lang: str) -> html.Ul:
    items = []
    for row in participants:
        admin = row.administration_name
        whole = admin is None or admin != admin
        text = f"{row.municipality_name} – {_tr('whole_municipality', lang) if whole else admin}"
        items.append(html.Li(text))
    return html.Ul(items, className="mb-2")


def _party_table(parties: list, lang: str):
    if not parties:
        return html.P(_tr("no_actions", lang), className="text-muted small")
    header = html.Thead(
        html.Tr([html.Th(_tr(k, lang), scope="col") for k in ("party", "open", "overdue")])
    )
    # Rows and cells from dashboard.cells: the same components without Dash's per-keyword checks.
    rows = [
        tr(
            [
                td(p.party),
                td(format_number(p.open, 0, lang)),
                td(format_number(p.overdue, 0, lang), className="status-bad" if p.overdue else ""),
            ]
        )
        for p in parties
    ]
    return html.Div(
        dbc.Table([header, html.Tbody(rows)], size="sm", className="mb-2"),
        className="table-responsive",
    )


def _action_table(actions: list, lang: str):
    if not actions:
        return None
    keys = ("action", "party", "responsible", "due", "status", "days_overdue")
    header = html.Thead(html.Tr([html.Th(_tr(k, lang), scope="col") for k in keys]))
    rows = []
    for a in actions:
        overdue = a.days_overdue is not None and a.days_overdue == a.days_overdue
        rows.append(
            tr(
                [
                    td(f"{a.code} {a.title}" if a.title != a.code else a.code),
                    td(a.party),
                    td(a.responsible or "–"),
                    td(format_date(a.due_on, lang)),
                    td(a.status),
                    td(
                        format_number(a.days_overdue, 0, lang) if overdue else "–",
                        className="status-bad" if overdue else "",
                    ),
                ]
            )
        )
    return html.Div(
        dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, className="mb-1"),
        className="table-responsive",
    )


def _rows_by_object(frame: pd.DataFrame) -> dict[int, list]:
    """``frame``'s rows (named tuples) by object_id, in order: one pass over the frame rather
    than a boolean mask per object (thirty objects nationally)."""
    grouped: dict[int, list] = defaultdict(list)
    for row in frame.itertuples(index=False):
        grouped[row.object_id].append(row)
    return grouped


def create_comparison_table(objects: pd.DataFrame, participants_of, values, lang: str):
    """One row per object, one column per OBJECT_METRICS value: the objects compared at a
    glance (the cards below carry the detail)."""
    caption = _tr("comparison_caption", lang)
    header = html.Thead(
        html.Tr(
            [html.Th(_tr("object", lang), scope="col")]
            + [html.Th(_tr("provider", lang), scope="col")]
            + [html.Th(_tr("participant_count", lang), scope="col")]
            + [
                html.Th(METRICS[m].label_en if lang == "en" else METRICS[m].label_sv, scope="col")
                for m in OBJECT_METRICS
            ]
        )
    )
    rows = []
    for obj in objects.itertuples(index=False):
        own = values.get(obj.code, {})
        cells = [
            th(f"{obj.name} ({obj.code})", scope="row", className="fw-normal"),
            td(obj.provider_name or "–"),
            td(format_number(len(participants_of.get(obj.id, [])), 0, lang)),
        ]
        for metric in OBJECT_METRICS:
            value = own.get(metric)
            value = None if value is None or value != value else value
            bad = metric == "actions_overdue" and bool(value)
            cells.append(
                html.Td(  # at most MAX_OBJECTS rows: Dash's own cell, with its data attribute
                    format_value(value, METRICS[metric].kind, lang),
                    className="status-bad" if bad else "",
                    **{"data-metric": metric},
                )
            )
        rows.append(tr(cells))
    return scroll_region(
        dbc.Table(
            [html.Caption(caption), header, html.Tbody(rows)],
            size="sm",
            hover=True,
            className="mb-0",
            id=f"{COMPARISON}-table",
        ),
        caption,
    )


def create_object_card(
    obj, participants, values, parties, actions, lang: str, detail: bool = True
) -> dbc.Card:
    """The card of ``obj``: its participants, parties and actions as lists of rows (named
    tuples) and its metric values by metric. ``detail`` False: the viewer only takes part in
    the object and sees its numbers, not its actions (the card says so)."""
    provider = obj.provider_name if obj.provider_name else _tr("no_provider", lang)
    body = [
        html.P([html.Strong(f"{_tr('provider', lang)}: "), provider], className="mb-1"),
        html.P(html.Strong(f"{_tr('participants', lang)}:"), className="mb-0"),
        _participant_list(participants, lang),
        *_metric_items(values, lang),
        html.H3(_tr("actions", lang), className="h6 mt-2"),
        _party_table(parties, lang),
    ]
    table = _action_table(actions, lang)
    if not detail:
        body.append(html.P(_tr("numbers_only", lang), className="small text-muted mb-0"))
    if table is not None:
        body.append(table)
    if table is not None and len(actions) >= ACTIONS_PER_OBJECT:
        body.append(
            html.P(
                _tr("first_actions", lang).format(shown=len(actions)),
                className="small text-muted mb-0",
            )
        )
    return dbc.Card(
        [
            dbc.CardHeader(html.H2(f"{obj.name} ({obj.code})", className="h5 mb-0")),
            dbc.CardBody(body),
        ],
        id=object_card_id(obj.code),
        className="mb-3 governance-object-card",
    )


# --------------------------------------------------------------------------- callbacks


def card_page_bounds(count: int, page) -> tuple[int, int, int]:
    """(first index, end index, number of pages) of page ``page`` (1-based, kept within the
    pages) of ``count`` object cards."""
    pages = max(1, -(-count // CARDS_PER_PAGE))
    try:
        page = min(max(int(page or 1), 1), pages)
    except (TypeError, ValueError):
        page = 1
    first = (page - 1) * CARDS_PER_PAGE
    return first, min(first + CARDS_PER_PAGE, count), pages


def _object_values(kpis: pd.DataFrame, objects: pd.DataFrame) -> dict[str, dict]:
    kpis = kpis[kpis["scope_id"].isin(objects["code"].tolist())]
    values: dict[str, dict] = defaultdict(dict)
    for code, metric, value in zip(kpis["scope_id"], kpis["metric"], kpis["value"], strict=True):
        values[code][metric] = value
    return values


def _card_page(session, as_of, viewer, objects, participants_of, values, page, lang) -> list:
    """The note and cards of page ``page`` of ``objects``: their parties and actions are read
    for these objects only."""
    first, end, _ = card_page_bounds(len(objects), page)
    shown = objects.iloc[first:end]
    ids = [int(i) for i in shown["id"]]
    detail_ids = [int(i) for i, d in zip(shown["id"], shown["detail"], strict=True) if d]
    parties_of, actions_of = (
        _rows_by_object(frame)
        for frame in (
            party_summary(session, as_of, ids, viewer, lang=lang),
            object_actions(session, as_of, detail_ids, viewer, lang=lang),
        )
    )
    note = _tr("cards_page", lang).format(
        first=format_number(first + 1, 0, lang),
        last=format_number(end, 0, lang),
        total=format_number(len(objects), 0, lang),
    )
    cards = [
        create_object_card(
            obj,
            participants_of[obj.id],
            values[obj.code],
            parties_of[obj.id],
            actions_of[obj.id],
            lang,
            detail=bool(obj.detail),
        )  # fmt: skip
        for obj in shown.itertuples(index=False)
    ]
    if len(objects) <= CARDS_PER_PAGE:
        return cards
    return [html.P(note, className="small text-muted"), *cards]


def create_card_section(first_page: list, count: int, lang: str):
    """The first page of cards, and a pager when there are more (page_object_cards)."""
    parts = [html.Div(first_page, id=CARDS)]
    pages = card_page_bounds(count, 1)[2]
    if pages > 1:
        parts.append(pager(CARD_PAGER, pages, _tr("card_pages", lang)))
    return html.Div(parts)


def _page_objects(session, filters: Filters, viewer):
    """(objects, total, participants by object, metric values by object code)."""
    objects, total = visible_object_list(
        session,
        viewer,
        municipality=filters.municipality,
        administration=filters.administration,
    )
    ids = [int(i) for i in objects["id"]]
    participants_of = _rows_by_object(object_participants(session, ids))
    kpis = shown_object_kpis(
        session,
        filters.as_of,
        viewer,
        objects,
        municipality=filters.municipality,
        administration=filters.administration,
    )
    return objects, total, participants_of, kpis


@callback(
    Output(COVERAGE, "figure"),
    Output(COUNT_NOTE, "children"),
    Output(COMPARISON, "children"),
    Output(OBJECTS, "children"),
    Input(c.FILTERS_STORE, "data"),
)
@cached_output
def update_objects(filters_data):
    filters = Filters.from_store(filters_data)
    lang, as_of = filters.lang, filters.as_of
    viewer = current_viewer()
    with store.read_session() as session:
        objects, total, participants_of, kpis = _page_objects(session, filters, viewer)
        if objects.empty:
            return coverage_figure(None, lang), "", no_data(lang), no_data(lang)
        values = _object_values(kpis, objects)
        cards = _card_page(session, as_of, viewer, objects, participants_of, values, 1, lang)
    kpis = kpis[kpis["scope_id"].isin(objects["code"].tolist())]
    comparison = create_comparison_table(objects, participants_of, values, lang)
    note_key = "count" if total > len(objects) else "count_all"
    note = _tr(note_key, lang).format(
        shown=format_number(len(objects), 0, lang), total=format_number(total, 0, lang)
    )
    section = create_card_section(cards, len(objects), lang)
    return coverage_figure(kpis, lang), note, comparison, section


@callback(
    Output(CARDS, "children"),
    Input(CARD_PAGER, "active_page"),
    State(c.FILTERS_STORE, "data"),
    prevent_initial_call=True,
)
@cached_output
def page_object_cards(active_page, filters_data):
    """Another page of object cards (the pager comes with the first page, update_objects)."""
    filters = Filters.from_store(filters_data)
    viewer = current_viewer()
    with store.read_session() as session:
        objects, _, participants_of, kpis = _page_objects(session, filters, viewer)
        if objects.empty:
            return no_data(filters.lang)
        values = _object_values(kpis, objects)
        return _card_page(
            session, filters.as_of, viewer, objects, participants_of, values, active_page,
            filters.lang,
        )  # fmt: skip
