"""Inläsningar: every file offered to the ETL, and why a rejected one was rejected."""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from dashboard import constants as c
from dashboard import store
from dashboard.filters import Filters, query_language
from dashboard.grid import column_def, create_grid, register_grid_refresh
from dashboard.i18n import translator
from dashboard.layout import chart_card, create_page_header, empty_state
from dashboard.queries.loads import (
    latest_rejected_load_id,
    load_errors,
    loads_block,
    outcome_label,
    visible_load,
)
from dashboard.viewer_context import current_viewer
from etl.formatting import format_date, format_number

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/inlasningar", name="Inläsningar", name_en="Loads", order=7)

GRID = "inlasningar-grid"
ERRORS = "inlasningar-errors"

TEXT = {
    "sv": {
        "title": "Inläsningar",
        "lead": (
            "Varje fil som lämnats till inläsningen: när, från vilken källa, med vilket utfall och "
            "hur många rader. Välj en rad för att se felen i en avvisad fil."
        ),
        "loads": "Inläsningshistorik",
        "errors": "Fel i filen",
        "started_at": "Tid",
        "file_name": "Fil",
        "source_name": "Källa",
        "outcome_label": "Utfall",
        "rows_total": "Rader",
        "error_count": "Fel",
        "counts": "Rader per blad",
        "sheet": "Blad",
        "row": "Rad",
        "column": "Kolumn",
        "value": "Värde",
        "message": "Felet",
        "pick": "Välj en inläsning i tabellen för att se dess fel.",
        "no_errors": "Inläsningen har inga fel.",
        "no_rejected": "Ingen fil har avvisats.",
        "summary": "{file} ({source}), {time}: {outcome}.",
        "shown": "Visar {shown} av {total} fel.",
        "errors_caption": "Felen i den valda filen, i arbetsbokens ordning.",
    },
    "en": {
        "title": "Loads",
        "lead": (
            "Every file offered to the ETL: when, from which source, with what outcome and how "
            "many rows. Pick a row to see the errors of a rejected file."
        ),
        "loads": "Load history",
        "errors": "Errors in the file",
        "started_at": "Time",
        "file_name": "File",
        "source_name": "Source",
        "outcome_label": "Outcome",
        "rows_total": "Rows",
        "error_count": "Errors",
        "counts": "Rows per sheet",
        "sheet": "Sheet",
        "row": "Row",
        "column": "Column",
        "value": "Value",
        "message": "Error",
        "pick": "Pick a load in the table to see its errors.",
        "no_errors": "The load has no errors.",
        "no_rejected": "No file has been rejected.",
        "summary": "{file} ({source}), {time}: {outcome}.",
        "shown": "Showing {shown} of {total} errors.",
        "errors_caption": "The errors of the chosen file, in workbook order.",
    },
}
ERROR_FIELDS = ("sheet", "row", "column", "value", "message")


_tr = translator(TEXT)


def grid_columns(lang: str) -> list[dict]:
    return [
        column_def("started_at", _tr("started_at", lang), "date", sort="desc", minWidth=150),
        column_def("file_name", _tr("file_name", lang), "text", minWidth=200),
        column_def("source_name", _tr("source_name", lang), "text"),
        column_def("outcome_label", _tr("outcome_label", lang), "set"),
        column_def("rows_total", _tr("rows_total", lang), "number", maxWidth=120),
        column_def("error_count", _tr("error_count", lang), "number", maxWidth=120),
        column_def(
            "counts", _tr("counts", lang), "text", sortable=False, filter=False, minWidth=220
        ),
    ]


def layout(**query):
    lang = query_language(query)
    lang = lang if lang in c.LANGUAGES else c.DEFAULT_LANGUAGE
    header = create_page_header(_tr("title", lang), _tr("lead", lang))
    try:
        with store.read_session() as session:
            if store.store_is_empty(session):
                return html.Div([header, empty_state(lang)])
    except Exception:  # an unreachable store must not show a traceback
        log.exception("store check failed")
        return html.Div([header, empty_state(lang)])
    grid = create_grid(
        GRID,
        grid_columns(lang),
        lang,
        height="460px",
        grid_options={
            "rowSelection": {
                "mode": "singleRow",
                "checkboxes": False,
                "enableClickSelection": True,
            },
        },
    )
    return html.Div(
        [
            header,
            chart_card(_tr("loads", lang), grid),
            html.Div(className="mb-3"),
            chart_card(_tr("errors", lang), html.Div(id=ERRORS, **{"aria-live": "polite"})),
        ]
    )


# --------------------------------------------------------------------------- pieces (pure)


def create_errors_panel(load: dict | None, errors, total: int, lang: str, picked: bool):
    """The chosen load's summary and its errors as a plain-text table (never HTML)."""
    if load is None:
        return html.P(_tr("pick" if picked else "no_rejected", lang), className="text-muted")
    summary = _tr("summary", lang).format(
        file=load["file_name"],
        source=load.get("source_name") or "–",
        time=format_date(load["started_at"], lang),
        outcome=outcome_label(load["outcome"], lang),
    )
    if errors is None or errors.empty:
        return [html.P(summary), html.P(_tr("no_errors", lang), className="text-muted")]
    header = html.Thead(html.Tr([html.Th(_tr(f, lang), scope="col") for f in ERROR_FIELDS]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(r.sheet or "–"),
                    html.Td(
                        format_number(r.row, 0, lang)
                        if r.row == r.row and r.row is not None
                        else "–"
                    ),
                    html.Td(r.column or "–"),
                    html.Td(r.value if r.value is not None else ""),
                    html.Td(r.message),
                ]
            )
            for r in errors.itertuples(index=False)
        ]
    )
    shown = _tr("shown", lang).format(
        shown=format_number(len(errors), 0, lang), total=format_number(total, 0, lang)
    )
    return [
        html.P(summary),
        html.P(shown, className="text-muted small", id="inlasningar-errors-shown"),
        html.Div(
            dbc.Table(
                [html.Caption(_tr("errors_caption", lang)), header, body],
                size="sm",
                striped=True,
                className="mb-0",
            ),
            className="table-responsive",
        ),
    ]


def selected_load_id(selected_rows) -> int | None:
    """The load id of the grid's selected row (None when nothing usable is selected)."""
    if not isinstance(selected_rows, list) or not selected_rows:
        return None
    row = selected_rows[0]
    if not isinstance(row, dict):
        return None
    try:
        return int(row.get("load_id"))
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- callbacks


@callback(
    Output(GRID, "getRowsResponse"),
    Input(GRID, "getRowsRequest"),
    State(c.FILTERS_STORE, "data"),
    # The grid asks when it is ready; Dash's call at mount has no request to answer.
    prevent_initial_call=True,
)
def load_rows(request, filters_data):
    filters = Filters.from_store(filters_data)
    with store.read_session() as session:
        return loads_block(
            session,
            current_viewer(),
            request,
            lang=filters.lang,
            municipality=filters.municipality,
            administration=filters.administration,
        )


register_grid_refresh(GRID, [Input(c.FILTERS_STORE, "data")])


@callback(
    Output(ERRORS, "children"),
    Input(GRID, "selectedRows"),
    Input(c.FILTERS_STORE, "data"),
)
def show_errors(selected_rows, filters_data):
    filters = Filters.from_store(filters_data)
    viewer = current_viewer()
    load_id = selected_load_id(selected_rows)
    with store.read_session() as session:
        if load_id is None:
            load_id = latest_rejected_load_id(
                session,
                viewer,
                municipality=filters.municipality,
                administration=filters.administration,
            )
        load = visible_load(session, viewer, load_id)
        errors, total = load_errors(session, viewer, load_id, lang=filters.lang)
    return create_errors_panel(
        load, errors, total, filters.lang, picked=selected_load_id(selected_rows) is not None
    )
