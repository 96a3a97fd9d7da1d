"""Rapport: the committee report as HTML, its PDF, frozen reports, comparison and workbook export.

The page renders ``dashboard.report.content`` — the same content the PDF and ``infosak report``
use — so screen and paper always say the same. Thin callbacks: gather → content → components.
"""

from __future__ import annotations

import datetime as dt
import logging

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from sqlalchemy.orm import Session

from dashboard import constants as c
from dashboard import store
from dashboard.cells import td, tr
from dashboard.export_workbook import build_scope_workbook
from dashboard.figures._themed import themed_figure
from dashboard.figures.theme import PALETTE, empty_figure
from dashboard.filters import Filters
from dashboard.layout import GRAPH_CONFIG, chart_card, create_page_header, empty_state
from dashboard.markup import plot_texts
from dashboard.output_cache import cached_output
from dashboard.queries.report_snapshots import (
    freeze_report,
    get_snapshot,
    list_snapshots,
    may_freeze,
    snapshot_label,
)
from dashboard.queries.viewer import Viewer
from dashboard.report.content import ReportContent, Table, build_content, compare_rows
from dashboard.report.gather import ReportError, gather_report, period_end, recent_periods
from dashboard.report.pdf import report_pdf
from dashboard.viewer_context import current_viewer
from etl.formatting import format_number

log = logging.getLogger(__name__)

# Managers see only their units, never a whole administration: the report has nothing for them.
REPORT_ROLES = (
    "ciso",
    "security_officer",
    "admin_head",
    "committee",
    "dpo",
    "protection_officer",
    "admin",
)
dash.register_page(
    __name__, path="/rapport", name="Rapport", name_en="Report", order=8, roles=REPORT_ROLES
)

PERIOD = "rapport-period"
CONTENT = "rapport-content"
PDF_BUTTON = "rapport-pdf-button"
PDF_DOWNLOAD = "rapport-pdf-download"
XLSX_BUTTON = "rapport-xlsx-button"
XLSX_DOWNLOAD = "rapport-xlsx-download"
FREEZE_BUTTON = "rapport-freeze-button"
FREEZE_STATUS = "rapport-freeze-status"
FROZEN_LIST = "rapport-frozen-list"
FROZEN_DOWNLOAD = "rapport-frozen-download"
FROZEN_ITEM = "rapport-frozen-item"
FROZEN_VERSION = "rapport-frozen-version"
COMPARE_A = "rapport-compare-a"
COMPARE_B = "rapport-compare-b"
COMPARE_TABLE = "rapport-compare-table"
FUNNEL = "rapport-funnel"
TREND = "rapport-trend"
MATURITY = "rapport-maturity"
SELECTED_DATE = ""  # period dropdown value meaning "the as-of date of the filter bar"


def layout(**query):
    header = create_page_header(
        "Rapport",
        "Lägesrapport för nämnden i klarspråk: bara sammanställda siffror, med diagram och "
        "datakällor. Samma innehåll som PDF-filen och kommandot infosak report.",
    )
    try:
        with store.read_session() as session:
            if store.store_is_empty(session):
                return html.Div([header, empty_state()])
    except Exception:  # an unreachable store must not show a traceback
        log.exception("store check failed")
        return html.Div([header, empty_state()])
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Period", html_for=PERIOD),
                    dcc.Dropdown(id=PERIOD, value=SELECTED_DATE, clearable=False),
                ],
                md=3,
            ),
            dbc.Col(
                html.Div(
                    [
                        dbc.Button("Ladda ner PDF", id=PDF_BUTTON, color="primary"),
                        dbc.Button(
                            "Ladda ner arbetsbok", id=XLSX_BUTTON, color="secondary", outline=True
                        ),
                        dbc.Button("Frys rapporten", id=FREEZE_BUTTON, color="dark", outline=True),
                    ],
                    className="d-flex gap-2 flex-wrap align-items-end h-100",
                ),
                md=9,
            ),
        ],
        className="g-3 mb-2 d-print-none",
    )
    return html.Div(
        [
            header,
            controls,
            html.Div(id=FREEZE_STATUS, className="mb-2"),
            dcc.Download(id=PDF_DOWNLOAD),
            dcc.Download(id=XLSX_DOWNLOAD),
            dcc.Download(id=FROZEN_DOWNLOAD),
            dcc.Store(id=FROZEN_VERSION, data=0),
            dcc.Loading(html.Div(id=CONTENT)),
            chart_card("Frysta rapporter", html.Div(id=FROZEN_LIST)),
            chart_card(
                "Jämför två perioder",
                [
                    dbc.Row(
                        [
                            dbc.Col(
                                [
                                    dbc.Label("Period A", html_for=COMPARE_A),
                                    dcc.Dropdown(id=COMPARE_A),
                                ],
                                md=6,
                            ),
                            dbc.Col(
                                [
                                    dbc.Label("Period B", html_for=COMPARE_B),
                                    dcc.Dropdown(id=COMPARE_B),
                                ],
                                md=6,
                            ),
                        ],
                        className="g-3 mb-3",
                    ),
                    html.Div(id=COMPARE_TABLE),
                ],
            ),
        ]
    )


# --------------------------------------------------------------------------- pure helpers


def report_request(filters: Filters, period: str | None) -> tuple[dt.date, str | None, str | None]:
    """(as_of, period label or None, scope code or None) from the filter bar and the dropdown."""
    scope = filters.administration or filters.municipality
    if period:
        return period_end(period), period, scope
    return filters.as_of, None, scope


def freeze_scope(viewer: Viewer, scope: str | None) -> str | None:
    """The scope a frozen report is filed under: a viewer who does not see everything freezes a
    municipality or administration (so that it can find the snapshot again)."""
    if scope or viewer.sees_all:
        return scope
    if len(viewer.municipality_codes) == 1:
        return next(iter(viewer.municipality_codes))
    return None


def period_options(as_of: dt.date) -> list[dict]:
    options = [{"label": f"Valt datum ({as_of.isoformat()})", "value": SELECTED_DATE}]
    return options + [
        {"label": f"{p} (t.o.m. {period_end(p).isoformat()})", "value": p}
        for p in recent_periods(as_of)
    ]


# A table on the page shows at most this many rows (a national report has 1 646 rows of key
# figures and 1 580 data sources: tens of thousands of cells the browser took minutes to lay
# out); the PDF and the workbook carry them all.
ROWS_SHOWN = 50
# A chart with more groups than this is not drawn on the page (the country's 1 356
# administrations were 2 712 bars); the report asks for a municipality instead.
CHART_GROUPS_SHOWN = 60
TEXT = {
    "rows_shown": "De {shown} första av {total} raderna visas. Alla finns i PDF:en och i "
    "Excel-filen; välj en kommun för att avgränsa.",
    "too_many_groups": "{total} förvaltningar är för många för ett diagram. Välj en kommun.",
}


def table_component(table: Table, table_id: str | None = None) -> html.Div:
    if not table.rows:
        return html.P(table.note or "Inga uppgifter.", className="text-muted fst-italic")
    kwargs = {"id": table_id} if table_id else {}
    shown = table.rows[:ROWS_SHOWN]
    body = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in table.headers])),
            # Built by dashboard.cells (same components, faster).
            html.Tbody([tr([td(cell) for cell in row]) for row in shown]),
        ],
        bordered=False,
        striped=True,
        size="sm",
        responsive=True,
        **kwargs,
    )
    notes = [table.note] if table.note else []
    if len(table.rows) > len(shown):
        notes.append(TEXT["rows_shown"].format(shown=format_number(len(shown)),
                                               total=format_number(len(table.rows))))  # fmt: skip
    return html.Div([body, *(html.P(n, className="small text-muted") for n in notes)])


def graph_style(height: int) -> dict:
    """The graph's own height. Without it Dash gives the graph ``height: 100%`` of a card body
    whose height comes from the graph, and a figure drawn in the layout collapses to a sliver."""
    return {"height": f"{height}px"}


# The three figures are built as dicts on the cached themed layout (figures/_themed.py): the
# same JSON as validated traces with apply_theme, a few ms less each.
def funnel_figure(content: ReportContent) -> go.Figure:
    if not content.funnel:
        return empty_figure("Inga uppgifter.")
    labels = [label for label, _ in content.funnel][::-1]
    counts = [count for _, count in content.funnel][::-1]
    trace = {
        "type": "bar",
        "x": counts,
        "y": labels,
        "orientation": "h",
        "text": [str(c) for c in counts],  # as plotly's check gives text: strings
        "marker": {"color": PALETTE[0]},
    }
    return themed_figure([trace], {}, height=260)


def trend_figure(content: ReportContent) -> go.Figure:
    if not content.overdue_trend:
        return empty_figure("Inga uppgifter.")
    trace = {
        "type": "scatter",
        "x": [d for d, _ in content.overdue_trend],
        "y": [v for _, v in content.overdue_trend],
        "mode": "lines+markers",
        "name": "Försenade åtgärder",
        "line": {"color": PALETTE[4]},
    }
    return themed_figure([trace], {}, height=260)


def maturity_figure(content: ReportContent) -> go.Figure:
    rows = [r for r in content.maturity if r[1] is not None or r[2] is not None]
    if not rows:
        return empty_figure("Ingen mognad är bedömd ännu.")
    if len(rows) > CHART_GROUPS_SHOWN:
        return empty_figure(TEXT["too_many_groups"].format(total=format_number(len(rows))))
    names = plot_texts(r[0] for r in rows)  # administration names: drawn, not read
    traces = [
        {"type": "bar", "name": "Självskattad", "x": names, "y": [r[1] for r in rows],
         "marker": {"color": PALETTE[0]}},
        {"type": "bar", "name": "Belagd", "x": names, "y": [r[2] for r in rows],
         "marker": {"color": PALETTE[2]}},
    ]  # fmt: skip
    return themed_figure(traces, {"barmode": "group", "yaxis": {"range": [0, 5]}}, height=300)


def content_component(content: ReportContent) -> html.Div:
    """The report as HTML, section by section in the order of the PDF."""
    return html.Div(
        [
            html.H2(content.title, className="h4 mt-2", id="rapport-title"),
            html.P(content.subtitle, className="text-muted"),
            chart_card(
                "Sammanfattning",
                html.Div(
                    [html.P(s, className="mb-1") for s in content.summary], id="rapport-summary"
                ),
            ),
            chart_card(
                "Nyckeltal per förvaltning", table_component(content.kpi_table, "rapport-kpi-table")
            ),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            "Täckningstratten",
                            dcc.Graph(
                                id=FUNNEL,
                                figure=funnel_figure(content),
                                config=GRAPH_CONFIG,
                                style=graph_style(260),
                            ),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        chart_card(
                            "Försenade åtgärder över tid",
                            dcc.Graph(
                                id=TREND,
                                figure=trend_figure(content),
                                config=GRAPH_CONFIG,
                                style=graph_style(260),
                            ),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            chart_card(
                "Mognad per förvaltning (0–5)",
                dcc.Graph(
                    id=MATURITY,
                    figure=maturity_figure(content),
                    config=GRAPH_CONFIG,
                    style=graph_style(300),
                ),
            ),
            chart_card("Organisationskontroll", table_component(content.organisation)),
            chart_card("Gemensamma förvaltningsobjekt", table_component(content.objects)),
            chart_card("Datakällor", table_component(content.lineage)),
            html.Div([html.P(n, className="small text-muted mb-1") for n in content.footnotes]),
        ]
    )


def frozen_list_component(frame) -> html.Div:
    if frame.empty:
        return html.P("Inga frysta rapporter ännu.", className="text-muted fst-italic")
    rows = [
        html.Tr(
            [
                html.Td(row["period"]),
                html.Td(row["scope_name"]),
                html.Td(row["as_of"].isoformat()),
                html.Td(f"{row['created_at']:%Y-%m-%d %H:%M} av {row['created_by']}"),
                html.Td(
                    dbc.Button(
                        "PDF",
                        id={"type": FROZEN_ITEM, "index": int(row["id"])},
                        size="sm",
                        color="link",
                    )
                ),
            ]
        )
        for row in frame.to_dict("records")
    ]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Period", "Omfång", "Per datum", "Fryst", "")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", striped=True, id="rapport-frozen-table")


# --------------------------------------------------------------------------- callbacks


def _gather(session: Session, filters: Filters, period: str | None, viewer: Viewer) -> dict:
    as_of, label, scope = report_request(filters, period)
    return gather_report(session, as_of, viewer, scope=scope, period=label)


@callback(
    Output(CONTENT, "children"),
    Output(PERIOD, "options"),
    Input(c.FILTERS_STORE, "data"),
    Input(PERIOD, "value"),
)
@cached_output
def update_report(filters_data, period):
    filters = Filters.from_store(filters_data)
    viewer = current_viewer()
    try:
        with store.read_session() as session:
            data = _gather(session, filters, period, viewer)
    except ReportError as exc:
        return dbc.Alert(str(exc), color="warning"), period_options(filters.as_of)
    return content_component(build_content(data)), period_options(filters.as_of)


@callback(
    Output(FROZEN_LIST, "children"),
    Output(COMPARE_A, "options"),
    Output(COMPARE_B, "options"),
    Input(FROZEN_VERSION, "data"),
    Input(c.FILTERS_STORE, "data"),
)
def update_frozen(_version, _filters):
    viewer = current_viewer()
    with store.read_session() as session:
        frame = list_snapshots(session, viewer)
    options = [
        {"label": snapshot_label(r), "value": int(r["id"])} for r in frame.to_dict("records")
    ]
    return frozen_list_component(frame), options, options


@callback(
    Output(PDF_DOWNLOAD, "data"),
    Input(PDF_BUTTON, "n_clicks"),
    State(c.FILTERS_STORE, "data"),
    State(PERIOD, "value"),
    prevent_initial_call=True,
)
def download_pdf(n_clicks, filters_data, period):
    if not n_clicks:
        return no_update
    filters = Filters.from_store(filters_data)
    try:
        with store.read_session() as session:
            data = _gather(session, filters, period, current_viewer())
    except ReportError:
        return no_update
    name = f"infosak-rapport-{data['period']}-{data['as_of']}.pdf"
    return dcc.send_bytes(report_pdf(data), name)


@callback(
    Output(XLSX_DOWNLOAD, "data"),
    Input(XLSX_BUTTON, "n_clicks"),
    State(c.FILTERS_STORE, "data"),
    prevent_initial_call=True,
)
def download_workbook(n_clicks, filters_data):
    if not n_clicks:
        return no_update
    filters = Filters.from_store(filters_data)
    with store.read_session() as session:
        data = build_scope_workbook(session, current_viewer(), filters.as_of)
    return dcc.send_bytes(data, f"infosak-uttag-{filters.as_of.isoformat()}.xlsx")


@callback(
    Output(FREEZE_STATUS, "children"),
    Output(FROZEN_VERSION, "data"),
    Input(FREEZE_BUTTON, "n_clicks"),
    State(c.FILTERS_STORE, "data"),
    State(PERIOD, "value"),
    State(FROZEN_VERSION, "data"),
    prevent_initial_call=True,
)
def freeze(n_clicks, filters_data, period, version):
    if not n_clicks:
        return no_update, no_update
    viewer = current_viewer()
    if not may_freeze(viewer):
        return dbc.Alert("Din roll får inte frysa rapporter.", color="warning"), no_update
    filters = Filters.from_store(filters_data)
    as_of, label, scope = report_request(filters, period)
    scope = freeze_scope(viewer, scope)
    if scope is None and not viewer.sees_all:
        return dbc.Alert("Välj en kommun eller förvaltning att frysa.", color="warning"), no_update
    try:
        with store.read_session() as session:
            data = gather_report(session, as_of, viewer, scope=scope, period=label)
    except ReportError as exc:
        return dbc.Alert(str(exc), color="warning"), no_update
    snapshot_id = freeze_report(
        store.get_engine(), data, viewer.name, pdf=report_pdf(data), viewer=viewer
    )
    message = f"Rapporten för {data['period']} är fryst (nr {snapshot_id})."
    return dbc.Alert(message, color="success", id="rapport-freeze-done"), (version or 0) + 1


@callback(
    Output(FROZEN_DOWNLOAD, "data"),
    Input({"type": FROZEN_ITEM, "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def download_frozen(clicks):
    trigger = ctx.triggered_id
    # A forged request may send anything for the clicks: only a list of them is one.
    if not isinstance(trigger, dict) or not isinstance(clicks, list) or not any(clicks):
        return no_update
    with store.read_session() as session:
        frozen = get_snapshot(session, current_viewer(), trigger.get("index"))
    if frozen is None:
        return no_update
    # Rendered from the stored numbers, so later loads never change a frozen report.
    pdf = frozen["pdf"] or report_pdf(frozen["data"])
    return dcc.send_bytes(pdf, f"infosak-rapport-{frozen['period']}-fryst-{frozen['id']}.pdf")


@callback(
    Output(COMPARE_TABLE, "children"),
    Input(COMPARE_A, "value"),
    Input(COMPARE_B, "value"),
)
def compare(a_id, b_id):
    if a_id is None or b_id is None:
        return html.P("Välj två frysta rapporter.", className="text-muted fst-italic")
    viewer = current_viewer()
    with store.read_session() as session:
        a = get_snapshot(session, viewer, a_id)
        b = get_snapshot(session, viewer, b_id)
    if a is None or b is None:
        return html.P("Rapporten finns inte.", className="text-muted fst-italic")
    table = Table(
        ["Mått", f"A: {a['period']}", f"B: {b['period']}", "Förändring"],
        compare_rows(a["data"], b["data"]),
    )
    return table_component(table, "rapport-compare")


__all__ = ["layout"]
