"""Åtgärder: open and overdue actions, aging, open actions over time, and the filterable list."""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import constants as c
from dashboard import store
from dashboard.chart_table import chart_with_table, register_chart_tables
from dashboard.export import (
    ExportColumn,
    download,
    export_filename,
    export_query,
    export_title,
)
from dashboard.figures.actions import aging_figure, open_trend_figure
from dashboard.filters import Filters, query_language
from dashboard.grid import column_defs, create_grid, register_grid_refresh
from dashboard.i18n import translator
from dashboard.layout import (
    chart,
    chart_card,
    create_kpi_row,
    create_page_header,
    empty_state,
)
from dashboard.output_cache import cached_output
from dashboard.queries.actions import (
    ACTION_FIELDS,
    STATUS_LABELS,
    ActionFilters,
    actions_block,
    actions_export_select,
    control_options,
    open_actions_by_month,
)
from dashboard.queries.overview import focus_scope, headline_kpis
from dashboard.scope_text import scope_text
from dashboard.viewer_context import current_viewer
from etl.formatting import format_number
from etl.kpi.compute import AGING_BUCKETS
from etl.kpi.rules import sees_detail
from etl.kpi.snapshot import metric_trend

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/atgarder", name="Åtgärder", name_en="Actions", order=3)

CARDS = "atgarder-cards"
SCOPE_NOTE = "atgarder-scope-note"
AGING = "atgarder-aging"
TREND = "atgarder-trend"
TREND_NOTE = "atgarder-trend-note"
GRID = "atgarder-grid"
AGGREGATE_NOTE = "atgarder-aggregate-only"
ADMINISTRATION = "atgarder-administration"
UNIT = "atgarder-unit"
OBJECT = "atgarder-object"
RESPONSIBLE = "atgarder-responsible"
STATUS = "atgarder-status"
OVERDUE_ONLY = "atgarder-overdue-only"
EXPORT = "atgarder-export"
EXPORT_NOTE = "atgarder-export-note"
DOWNLOAD = "atgarder-download"

CARD_METRICS = ("actions_open", "actions_overdue", "actions_on_time_rate")
SUMMARY_METRICS = CARD_METRICS + tuple(metric for metric, _ in AGING_BUCKETS)
MIN_SNAPSHOT_MONTHS = 3

TEXT = {
    "sv": {
        "title": "Åtgärder",
        "lead": "Öppna och försenade åtgärder, hur länge de har varit försenade och listan att "
        "följa upp.",
        "scope_all": "Alla kommuner tillsammans. Kort och diagram följer de globala filtren; "
        "kontrollerna ovanför listan avgränsar bara listan.",
        "scope_municipality": "Kommun {code}. Kontrollerna ovanför listan avgränsar bara listan.",
        "scope_administration": "Förvaltning {code}. Kontrollerna ovanför listan avgränsar "
        "bara listan.",
        "aging": "Försenade åtgärder efter ålder",
        "trend": "Öppna åtgärder över tid",
        "trend_snapshots": "Månadsvärden från de sparade ögonblicksbilderna.",
        "trend_estimate": "Få ögonblicksbilder finns ännu, så kurvan är beräknad ur dagens rader: "
        "åtgärder som var öppna, eller slutfördes efter månadens slut. Avbrutna åtgärder och "
        "åtgärder som ännu inte fanns kan inte skiljas ut.",
        "list": "Åtgärdslistan",
        "administration": "Förvaltning",
        "unit": "Enhet",
        "object": "Förvaltningsobjekt",
        "responsible": "Ansvarig",
        "responsible_placeholder": "Sök på namn",
        "status": "Status",
        "all": "Alla",
        "unit_after_administration": "Välj förvaltning först",
        "overdue_only": "Bara försenade",
        "export": "Exportera till Excel",
        "exported": "{count} rader exporterade.",
        "exported_cut": "Exporten är avkortad: {count} av {total} rader.",
        "no_change": "Inget värde för förra kvartalet",
        "sheet": "Åtgärder",
        "file": "atgarder",
        "aggregate_only": "Nämnden ser åtgärderna som siffror och diagram ovan; enskilda "
        "åtgärder listas inte för nämnden.",
    },
    "en": {
        "title": "Actions",
        "lead": "Open and overdue actions, how long they have been overdue and the list to "
        "follow up.",
        "scope_all": "All municipalities together. Cards and charts follow the global filters; "
        "the controls above the list narrow the list only.",
        "scope_municipality": "Municipality {code}. The controls above the list narrow the list "
        "only.",
        "scope_administration": "Administration {code}. The controls above the list narrow the "
        "list only.",
        "aging": "Overdue actions by age",
        "trend": "Open actions over time",
        "trend_snapshots": "Monthly values from the stored snapshots.",
        "trend_estimate": "There are few snapshots yet, so the line is computed from today's "
        "rows: actions that were open, or were completed after the month end. Cancelled actions "
        "and actions that did not exist yet cannot be told apart.",
        "list": "The action list",
        "administration": "Administration",
        "unit": "Unit",
        "object": "Governance object",
        "responsible": "Responsible",
        "responsible_placeholder": "Search by name",
        "status": "Status",
        "all": "All",
        "unit_after_administration": "Choose an administration first",
        "overdue_only": "Overdue only",
        "export": "Export to Excel",
        "exported": "{count} rows exported.",
        "exported_cut": "The export is cut: {count} of {total} rows.",
        "no_change": "No value for last quarter",
        "sheet": "Actions",
        "file": "actions",
        "aggregate_only": "The committee sees the actions as the numbers and charts above; "
        "single actions are not listed for the committee.",
    },
}


_tr = translator(TEXT)


# Each chart's "Visa som tabell" (dashboard/chart_table.py).
register_chart_tables(AGING, TREND)


def grid_column_defs(lang: str) -> list[dict]:
    return column_defs(
        ACTION_FIELDS, lang, {"title": {"minWidth": 220, "flex": 2, "tooltipField": "title"}}
    )


def _labelled(label: str, control, control_id: str, **col) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=control_id, className="small mb-1"), control], **col)


def create_controls(lang: str) -> dbc.Row:
    statuses = STATUS_LABELS.get(lang, STATUS_LABELS["sv"])
    return dbc.Row(
        [
            _labelled(
                _tr("administration", lang),
                dcc.Dropdown(id=ADMINISTRATION, placeholder=_tr("all", lang)),
                ADMINISTRATION,
                xs=12,
                md=4,
                lg=2,
            ),
            _labelled(
                _tr("unit", lang),
                dcc.Dropdown(id=UNIT, placeholder=_tr("all", lang)),
                UNIT,
                xs=12,
                md=4,
                lg=2,
            ),
            _labelled(
                _tr("object", lang),
                dcc.Dropdown(id=OBJECT, placeholder=_tr("all", lang)),
                OBJECT,
                xs=12,
                md=4,
                lg=2,
            ),
            _labelled(
                _tr("responsible", lang),
                dbc.Input(
                    id=RESPONSIBLE,
                    type="search",
                    debounce=True,
                    placeholder=_tr("responsible_placeholder", lang),
                    maxLength=100,
                ),
                RESPONSIBLE,
                xs=12,
                md=4,
                lg=2,
            ),
            _labelled(
                _tr("status", lang),
                dcc.Dropdown(
                    id=STATUS,
                    multi=True,
                    placeholder=_tr("all", lang),
                    options=[{"label": v, "value": k} for k, v in statuses.items()],
                ),
                STATUS,
                xs=12,
                md=4,
                lg=2,
            ),
            dbc.Col(
                [
                    dbc.Checklist(
                        id=OVERDUE_ONLY,
                        options=[{"label": _tr("overdue_only", lang), "value": "overdue"}],
                        value=[],
                        switch=True,
                        className="mt-md-4",
                    ),
                ],
                xs=12,
                md=4,
                lg=2,
            ),
        ],
        className="g-2 mb-2 align-items-end",
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
    grid = html.Div(
        create_grid(GRID, grid_column_defs(lang), lang),
        role="region",
        **{"aria-label": _tr("list", lang)},
    )
    export_bar = html.Div(
        [
            dbc.Button(
                _tr("export", lang),
                id=EXPORT,
                color="secondary",
                outline=True,
                size="sm",
                n_clicks=0,
            ),
            html.Span(id=EXPORT_NOTE, className="ms-2 small text-muted", role="status"),
            dcc.Download(id=DOWNLOAD),
        ],
        className="mb-2 d-print-none",
    )
    if sees_detail(current_viewer().role):
        list_card = chart_card(_tr("list", lang), [create_controls(lang), export_bar, grid])
    else:
        # Aggregates only (the committee): the numbers and charts, and a line saying why there
        # is no list. The list's controls stay, hidden, for the callbacks that read them; the
        # grid goes, so nothing waits for rows that the query layer would not give.
        list_card = html.Div(
            [
                html.P(_tr("aggregate_only", lang), id=AGGREGATE_NOTE),
                html.Div([create_controls(lang), export_bar], hidden=True),
            ]
        )
    return html.Div(
        [
            header,
            html.P(id=SCOPE_NOTE, className="text-muted small"),
            dbc.Row(id=CARDS, className="g-3 mb-3"),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            _tr("aging", lang),
                            chart_with_table(
                                dcc.Loading(chart(AGING, lang)),
                                _tr("aging", lang),
                                lang,
                            ),
                        ),
                        xs=12,
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        chart_card(
                            _tr("trend", lang),
                            [
                                chart_with_table(
                                    dcc.Loading(chart(TREND, lang)),
                                    _tr("trend", lang),
                                    lang,
                                ),
                                html.P(id=TREND_NOTE, className="small text-muted mb-0"),
                            ],
                        ),
                        xs=12,
                        lg=6,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            list_card,
        ]
    )


# --------------------------------------------------------------------------- pieces (pure)


def create_cards(headline: pd.DataFrame, lang: str) -> list:
    rows = headline[headline["metric"].isin(CARD_METRICS)]
    return create_kpi_row(rows, "atgarder", lang, no_change=_tr("no_change", lang))


def aging_frame(headline: pd.DataFrame) -> pd.DataFrame:
    """The four aging buckets from the headline rows (the same compute_kpis numbers)."""
    values = headline.set_index("metric")["value"]
    counts = []
    for metric, bucket in AGING_BUCKETS:
        value = values.get(metric)
        counts.append(
            {"bucket": bucket, "count": 0 if value is None or value != value else int(value)}
        )
    return pd.DataFrame(counts, columns=["bucket", "count"])


def scope_note(filters: Filters) -> str:
    if filters.administration:
        return _tr("scope_administration", filters.lang).format(code=filters.administration)
    if filters.municipality:
        return _tr("scope_municipality", filters.lang).format(code=filters.municipality)
    return _tr("scope_all", filters.lang)


def open_trend(session, filters: Filters, viewer) -> tuple[pd.DataFrame, bool]:
    """Snapshots of actions_open for the focus scope when there are enough months of them,
    else the estimate from due and completion dates. Returns (frame, is_estimate)."""
    scope_type, scope_id = focus_scope(filters.municipality, filters.administration, viewer)
    if scope_id is not None:
        trend = metric_trend(session, "actions_open", scope_type, scope_id, viewer)
        if len(trend.dropna()) >= MIN_SNAPSHOT_MONTHS:
            return trend, False
    estimate = open_actions_by_month(
        session,
        filters.as_of,
        viewer,
        municipality=filters.municipality,
        administration=filters.administration,
    )
    return estimate, True


def page_filters(
    administration, unit, governance_object, responsible, statuses, overdue_only
) -> ActionFilters:
    return ActionFilters.from_controls(
        administration, unit, governance_object, responsible, statuses, overdue_only
    )


# --------------------------------------------------------------------------- callbacks


@callback(
    Output(SCOPE_NOTE, "children"),
    Output(CARDS, "children"),
    Output(AGING, "figure"),
    Output(TREND, "figure"),
    Output(TREND_NOTE, "children"),
    Input(c.FILTERS_STORE, "data"),
)
@cached_output
def update_summary(filters_data):
    filters = Filters.from_store(filters_data)
    lang = filters.lang
    viewer = current_viewer()
    with store.read_session() as session:
        headline = headline_kpis(
            session,
            filters.as_of,
            viewer,
            metrics=SUMMARY_METRICS,
            municipality=filters.municipality,
            administration=filters.administration,
        )
        trend, estimate = open_trend(session, filters, viewer)
    return (
        scope_note(filters),
        create_cards(headline, lang),
        aging_figure(aging_frame(headline), lang),
        open_trend_figure(trend, lang, estimate=estimate),
        _tr("trend_estimate" if estimate else "trend_snapshots", lang),
    )


# Beyond this many units and no administration chosen, the unit list waits for one: the whole
# country's 10 000 units were 740 kB of options on every first visit of the page.
UNIT_OPTIONS_SHOWN = 300


@callback(
    Output(ADMINISTRATION, "options"),
    Output(UNIT, "options"),
    Output(UNIT, "placeholder"),
    Output(OBJECT, "options"),
    Input(c.FILTERS_STORE, "data"),
    Input(ADMINISTRATION, "value"),
)
@cached_output
def update_options(filters_data, page_administration):
    filters = Filters.from_store(filters_data)
    with store.read_session() as session:
        options = control_options(
            session,
            current_viewer(),
            municipality=filters.municipality,
            administration=filters.administration,
            page_administration=page_administration,
        )
    units, placeholder = options["units"], _tr("all", filters.lang)
    if len(units) > UNIT_OPTIONS_SHOWN and not (filters.administration or page_administration):
        units, placeholder = [], _tr("unit_after_administration", filters.lang)
    return options["administrations"], units, placeholder, options["objects"]


_CONTROL_STATES = [
    State(ADMINISTRATION, "value"),
    State(UNIT, "value"),
    State(OBJECT, "value"),
    State(RESPONSIBLE, "value"),
    State(STATUS, "value"),
    State(OVERDUE_ONLY, "value"),
]


@callback(
    Output(GRID, "getRowsResponse"),
    Input(GRID, "getRowsRequest"),
    State(c.FILTERS_STORE, "data"),
    *_CONTROL_STATES,
    # The grid asks when it is ready; Dash's call at mount has no request to answer.
    prevent_initial_call=True,
)
@cached_output
def load_rows(
    request,
    filters_data,
    administration,
    unit,
    governance_object,
    responsible,
    statuses,
    overdue_only,
):
    if not request:
        return no_update
    filters = Filters.from_store(filters_data)
    page = page_filters(
        administration, unit, governance_object, responsible, statuses, overdue_only
    )
    with store.read_session() as session:
        return actions_block(
            session,
            current_viewer(),
            request,
            filters.as_of,
            lang=filters.lang,
            municipality=filters.municipality,
            administration=filters.administration,
            filters=page,
        )


register_grid_refresh(
    GRID,
    [
        Input(c.FILTERS_STORE, "data"),
        Input(ADMINISTRATION, "value"),
        Input(UNIT, "value"),
        Input(OBJECT, "value"),
        Input(RESPONSIBLE, "value"),
        Input(STATUS, "value"),
        Input(OVERDUE_ONLY, "value"),
    ],
)


def export_columns(lang: str) -> list[ExportColumn]:
    english = lang == "en"
    return [
        ExportColumn(field, header_en if english else header_sv, kind)
        for field, (kind, header_sv, header_en) in ACTION_FIELDS.items()
    ]


@callback(
    Output(DOWNLOAD, "data"),
    Output(EXPORT_NOTE, "children"),
    Input(EXPORT, "n_clicks"),
    State(GRID, "getRowsRequest"),
    State(c.FILTERS_STORE, "data"),
    *_CONTROL_STATES,
    prevent_initial_call=True,
)
def export_actions(
    n_clicks,
    request,
    filters_data,
    administration,
    unit,
    governance_object,
    responsible,
    statuses,
    overdue_only,
):
    if not n_clicks:
        return no_update, no_update
    filters = Filters.from_store(filters_data)
    lang = filters.lang
    page = page_filters(
        administration, unit, governance_object, responsible, statuses, overdue_only
    )
    with store.read_session() as session:
        query = actions_export_select(
            filters.as_of,
            current_viewer(),
            request or {},
            lang=lang,
            municipality=filters.municipality,
            administration=filters.administration,
            filters=page,
        )
        # Whose rows these are, in the words every page uses (never a forged filter's name).
        scope = scope_text(
            session, current_viewer(), filters.municipality, filters.administration, lang
        )
        content, written, total = export_query(
            session,
            query,
            export_columns(lang),
            sheet_title=_tr("sheet", lang),
            title=export_title(_tr("sheet", lang), scope, filters.as_of, lang),
            lang=lang,
        )
    if written < total:
        note = _tr("exported_cut", lang).format(
            count=format_number(written, 0, lang), total=format_number(total, 0, lang)
        )
    else:
        note = _tr("exported", lang).format(count=format_number(written, 0, lang))
    return download(content, export_filename(_tr("file", lang), filters.as_of)), note
