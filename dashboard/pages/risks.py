"""Risker: the likelihood × consequence matrix (click a cell to list its risks), risks by
treatment, and the high risks that have no action."""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import constants as c
from dashboard import store
from dashboard.chart_table import chart_with_table, register_chart_tables
from dashboard.figures.risks import risk_heatmap, treatment_figure
from dashboard.filters import Filters, query_language
from dashboard.grid import column_defs, create_grid, register_grid_refresh
from dashboard.i18n import translator
from dashboard.layout import (
    chart,
    chart_card,
    create_kpi_row,
    create_page_header,
    empty_state,
    no_data,
)
from dashboard.output_cache import cached_output
from dashboard.queries.overview import headline_kpis
from dashboard.queries.risks import (
    RISK_FIELDS,
    hidden_protected_count,
    high_risks_without_action,
    matrix_from_counts,
    parse_cell,
    risk_counts,
    risks_block,
    treatments_from_counts,
)
from dashboard.viewer_context import current_viewer
from etl.formatting import format_date, format_number
from etl.kpi.rules import sees_detail

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/risker", name="Risker", name_en="Risks", order=4)

CARDS = "risker-cards"
MATRIX = "risker-matrix"
TREATMENT = "risker-treatment"
CELL = "risker-cell"
CELL_LABEL = "risker-cell-label"
CELL_CLEAR = "risker-cell-clear"
GRID = "risker-grid"
HIGH = "risker-high-risks"
PROTECTED_NOTE = "risker-protected-note"
AGGREGATE_NOTE = "risker-aggregate-only"

CARD_METRICS = ("risks", "risks_high", "risks_high_without_action")

TEXT = {
    "sv": {
        "title": "Risker",
        "lead": "Riskanalysernas risker efter sannolikhet och konsekvens, hur de hanteras och "
        "vilka höga risker som saknar åtgärd.",
        "matrix": "Riskmatris",
        "matrix_help": "Klicka på en ruta för att lista dess risker nedan.",
        "treatment": "Risker efter hantering",
        "list": "Risklista",
        "all_risks": "Alla risker visas. Klicka på en ruta i matrisen för att avgränsa.",
        "cell": "Risker med sannolikhet {likelihood} och konsekvens {consequence}.",
        "clear": "Visa alla",
        "high": "Höga risker utan åtgärd",
        "high_more": "Visar {shown} av {total}. Hela listan finns i risklistan (filtrera "
        "kolumnen Har åtgärd).",
        "protected": "{count} risker för tillgångar med säkerhetsskydd räknas i siffrorna men "
        "listas inte.",
        "no_change": "",
        "aggregate_only": "Nämnden ser riskerna som siffror, matris och fördelning ovan; "
        "enskilda risker listas inte för nämnden.",
    },
    "en": {
        "title": "Risks",
        "lead": "The risks of the risk analyses by likelihood and consequence, how they are "
        "treated and which high risks have no action.",
        "matrix": "Risk matrix",
        "matrix_help": "Click a cell to list its risks below.",
        "treatment": "Risks by treatment",
        "list": "Risk list",
        "all_risks": "All risks are shown. Click a cell of the matrix to narrow the list.",
        "cell": "Risks with likelihood {likelihood} and consequence {consequence}.",
        "clear": "Show all",
        "high": "High risks without action",
        "high_more": "Showing {shown} of {total}. The full list is in the risk list (filter "
        "the column Has action).",
        "protected": "{count} risks of assets under security protection are counted but not "
        "listed.",
        "no_change": "",
        "aggregate_only": "The committee sees the risks as the numbers, matrix and breakdown "
        "above; single risks are not listed for the committee.",
    },
}


_tr = translator(TEXT)


# Each chart's "Visa som tabell" (dashboard/chart_table.py).
register_chart_tables(MATRIX, TREATMENT)


def grid_column_defs(lang: str) -> list[dict]:
    return column_defs(
        RISK_FIELDS,
        lang,
        {"description": {"minWidth": 240, "flex": 3, "tooltipField": "description"}},
    )


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
    if not sees_detail(current_viewer().role):
        return _aggregate_layout(header, lang)
    grid = html.Div(
        create_grid(GRID, grid_column_defs(lang), lang, height="420px"),
        role="region",
        **{"aria-label": _tr("list", lang)},
    )
    return html.Div(
        [
            header,
            dcc.Store(id=CELL),
            dbc.Row(id=CARDS, className="g-3 mb-3"),
            _chart_row(lang),
            chart_card(
                _tr("list", lang),
                [
                    html.Div(
                        [
                            html.Span(_tr("all_risks", lang), id=CELL_LABEL, role="status"),
                            dbc.Button(
                                _tr("clear", lang),
                                id=CELL_CLEAR,
                                size="sm",
                                color="link",
                                n_clicks=0,
                                className="ms-2",
                            ),
                        ],
                        className="mb-2",
                    ),
                    grid,
                ],
            ),
            html.Div(className="mb-3"),
            chart_card(_tr("high", lang), html.Div(id=HIGH)),
            html.P(id=PROTECTED_NOTE, className="small text-muted mt-2"),
        ]
    )


def _chart_row(lang: str, detail: bool = True) -> dbc.Row:
    """The matrix and the treatment chart; ``detail`` False: no "click a cell to list its
    risks" (nothing is listed for an aggregate-only role)."""
    return dbc.Row(
        [
            dbc.Col(
                chart_card(
                    _tr("matrix", lang),
                    [
                        html.P(_tr("matrix_help", lang), className="small") if detail else None,
                        chart_with_table(
                            dcc.Loading(chart(MATRIX, lang)),
                            _tr("matrix", lang),
                            lang,
                        ),
                    ],
                ),
                xs=12,
                lg=6,
                className="mb-3",
            ),
            dbc.Col(
                chart_card(
                    _tr("treatment", lang),
                    chart_with_table(
                        dcc.Loading(chart(TREATMENT, lang)),
                        _tr("treatment", lang),
                        lang,
                    ),
                ),
                xs=12,
                lg=6,
                className="mb-3",
            ),
        ],
        className="g-3",
    )


def _aggregate_layout(header, lang: str) -> html.Div:
    """The page of a role that sees aggregates only (the committee, etl.kpi.rules.sees_detail):
    the numbers and charts, and in place of the lists a line that says why there are none.
    The grid is absent, so its callbacks do not run."""
    return html.Div(
        [
            header,
            dcc.Store(id=CELL),
            dbc.Row(id=CARDS, className="g-3 mb-3"),
            _chart_row(lang, detail=False),
            html.P(_tr("aggregate_only", lang), id=AGGREGATE_NOTE, className="mb-3"),
            # The cell picker's own components, hidden: its callback needs its inputs.
            html.Span(id=CELL_LABEL, hidden=True),
            html.Button(id=CELL_CLEAR, n_clicks=0, hidden=True, tabIndex="-1"),
            html.Div(id=HIGH, hidden=True),
            html.P(id=PROTECTED_NOTE, className="small text-muted mt-2"),
        ]
    )


# --------------------------------------------------------------------------- pieces (pure)


def create_cards(headline: pd.DataFrame, lang: str) -> list:
    return create_kpi_row(headline[headline["metric"].isin(CARD_METRICS)], "risker", lang)


def create_high_table(frame: pd.DataFrame, total: int, lang: str):
    if frame is None or frame.empty:
        return no_data(lang)
    fields = ("code", "description", "subject", "unit_name", "score", "treatment", "analysed_on")
    english = lang == "en"
    header = html.Thead(
        html.Tr(
            [
                html.Th(RISK_FIELDS[f][2] if english else RISK_FIELDS[f][1], scope="col")
                for f in fields
            ]
        )
    )
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for field in fields:
            value = getattr(row, field)
            if field == "analysed_on":
                text = format_date(value, lang)
            elif field == "score":
                text = format_number(value, 0, lang)
            else:
                text = "–" if value is None else str(value)  # plain text, never markup
            cells.append(html.Td(text))
        body.append(html.Tr(cells))
    parts = [
        html.Div(
            dbc.Table([header, html.Tbody(body)], size="sm", hover=True, className="mb-1"),
            className="table-responsive",
        )
    ]
    if total > len(frame):
        parts.append(
            html.P(
                _tr("high_more", lang).format(
                    shown=format_number(len(frame), 0, lang), total=format_number(total, 0, lang)
                ),
                className="small text-muted",
            )
        )
    return parts


def cell_label(cell: tuple[int, int] | None, lang: str) -> str:
    if cell is None:
        return _tr("all_risks", lang)
    return _tr("cell", lang).format(likelihood=cell[0], consequence=cell[1])


# --------------------------------------------------------------------------- callbacks


@callback(
    Output(CARDS, "children"),
    Output(MATRIX, "figure"),
    Output(TREATMENT, "figure"),
    Output(HIGH, "children"),
    Output(PROTECTED_NOTE, "children"),
    Input(c.FILTERS_STORE, "data"),
)
@cached_output
def update_risks(filters_data):
    filters = Filters.from_store(filters_data)
    lang = filters.lang
    where = {"municipality": filters.municipality, "administration": filters.administration}
    viewer = current_viewer()
    with store.read_session() as session:
        headline = headline_kpis(session, filters.as_of, viewer, metrics=CARD_METRICS, **where)
        counts = risk_counts(session, filters.as_of, viewer, **where)  # one pass for both charts
        matrix = matrix_from_counts(counts)
        treatments = treatments_from_counts(counts, lang)
        high, total = high_risks_without_action(session, filters.as_of, viewer, lang=lang, **where)
        hidden = hidden_protected_count(session, filters.as_of, viewer, **where)
    note = _tr("protected", lang).format(count=format_number(hidden, 0, lang)) if hidden else ""
    return (
        create_cards(headline, lang),
        risk_heatmap(matrix, lang),
        treatment_figure(treatments, lang),
        create_high_table(high, total, lang),
        note,
    )


@callback(
    Output(CELL, "data"),
    Output(CELL_LABEL, "children"),
    Input(MATRIX, "clickData"),
    Input(CELL_CLEAR, "n_clicks"),
    Input(c.FILTERS_STORE, "data"),
    State(CELL, "data"),
)
def select_cell(click_data, _clear, filters_data, current):
    """A click on the matrix picks a cell; "Visa alla" and a new global filter clear it.

    The store is written only when the cell changes: a write makes the grid ask for its rows
    again (register_grid_refresh), and the call at mount, which picks no cell, would otherwise
    make the grid ask twice on a first visit."""
    data, label = cell_state(ctx.triggered_id, click_data, Filters.from_store(filters_data).lang)
    return (no_update if data == current else data), label


def cell_state(trigger, click_data, lang: str) -> tuple[dict | None, str]:
    """(the cell store's data, the label above the list) after ``trigger`` fired."""
    cell = parse_cell(click_data) if trigger == MATRIX else None
    data = None if cell is None else {"likelihood": cell[0], "consequence": cell[1]}
    return data, cell_label(cell, lang)


@callback(
    Output(GRID, "getRowsResponse"),
    Input(GRID, "getRowsRequest"),
    State(c.FILTERS_STORE, "data"),
    State(CELL, "data"),
    # The grid asks when it is ready; Dash's call at mount has no request to answer.
    prevent_initial_call=True,
)
@cached_output
def load_rows(request, filters_data, cell_data):
    if not request:
        return no_update
    filters = Filters.from_store(filters_data)
    with store.read_session() as session:
        return risks_block(
            session,
            current_viewer(),
            request,
            filters.as_of,
            lang=filters.lang,
            municipality=filters.municipality,
            administration=filters.administration,
            cell=parse_cell(cell_data),
        )


register_grid_refresh(GRID, [Input(c.FILTERS_STORE, "data"), Input(CELL, "data")])
