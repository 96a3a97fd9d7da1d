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
from dashboard.chart_table import chart_with_table, register_chart_tables
from dashboard.export_workbook import build_scope_workbook
from dashboard.figures._themed import themed_figure
from dashboard.figures.theme import PALETTE, empty_figure, series_pattern
from dashboard.filters import Filters, query_language
from dashboard.i18n import translator
from dashboard.layout import chart, chart_card, create_page_header, empty_state
from dashboard.markup import plot_texts
from dashboard.output_cache import cached_output
from dashboard.page_guard import page_refused, refusal
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
from dashboard.report.scope_words import with_scope_texts
from dashboard.report.text import TEXT as REPORT_TEXT
from dashboard.viewer_context import current_viewer
from etl.formatting import format_date, format_datetime, format_number

log = logging.getLogger(__name__)

PATH = "/rapport"
dash.register_page(__name__, path=PATH, name="Rapport", name_en="Report", order=8)

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

PAGE_TEXT = {
    "sv": {
        "title": "Rapport",
        "lead": (
            "Lägesrapport för nämnden i klarspråk: bara sammanställda siffror, med diagram och "
            "datakällor. Samma innehåll som PDF-filen och kommandot infosak report."
        ),
        "period": "Period",
        "pdf": "Ladda ner PDF",
        "workbook": "Ladda ner arbetsbok",
        "freeze": "Frys rapporten",
        "frozen": "Frysta rapporter",
        "compare": "Jämför två perioder",
        "period_a": "Period A",
        "period_b": "Period B",
        "selected_date": "Valt datum ({date})",
        "period_until": "{period} (t.o.m. {date})",
        "overdue_series": "Försenade åtgärder",
        "no_frozen": "Inga frysta rapporter ännu.",
        "frozen_by": "{when} av {who}",
        "scope": "Omfång",
        "as_of": "Per datum",
        "frozen_at": "Fryst",
        "actions": "Hämta",
        "may_not_freeze": "Din roll får inte frysa rapporter.",
        "choose_scope": "Välj en kommun eller förvaltning att frysa.",
        "frozen_done": "Rapporten för {period} är fryst (nr {id}).",
        "choose_two": "Välj två frysta rapporter.",
        "missing": "Rapporten finns inte.",
        "measure": "Mått",
        "change": "Förändring",
        "rows_shown": (
            "De {shown} första av {total} raderna visas. Alla finns i PDF:en och i Excel-filen; "
            "välj en kommun för att avgränsa."
        ),
        "too_many_groups": "{total} förvaltningar är för många för ett diagram. Välj en kommun.",
        "too_many_municipalities": (
            "{total} kommuner är för många för ett diagram. PDF:en visar dem i en tabell; "
            "välj en kommun för dess förvaltningar."
        ),
    },
    "en": {
        "title": "Report",
        "lead": (
            "Status report for the committee in plain language: aggregated figures only, with "
            "charts and data sources. The same content as the PDF and the infosak report command."
        ),
        "period": "Period",
        "pdf": "Download PDF",
        "workbook": "Download workbook",
        "freeze": "Freeze the report",
        "frozen": "Frozen reports",
        "compare": "Compare two periods",
        "period_a": "Period A",
        "period_b": "Period B",
        "selected_date": "Chosen date ({date})",
        "period_until": "{period} (until {date})",
        "overdue_series": "Overdue actions",
        "no_frozen": "No frozen reports yet.",
        "frozen_by": "{when} by {who}",
        "scope": "Scope",
        "as_of": "As of",
        "frozen_at": "Frozen",
        "actions": "Download",
        "may_not_freeze": "Your role may not freeze reports.",
        "choose_scope": "Choose a municipality or administration to freeze.",
        "frozen_done": "The report for {period} is frozen (no. {id}).",
        "choose_two": "Choose two frozen reports.",
        "missing": "The report does not exist.",
        "measure": "Measure",
        "change": "Change",
        "rows_shown": (
            "The first {shown} of {total} rows are shown. All are in the PDF and the Excel file; "
            "choose a municipality to narrow the report."
        ),
        "too_many_groups": "{total} administrations are too many for one chart. Choose a "
        "municipality.",
        "too_many_municipalities": (
            "{total} municipalities are too many for one chart. The PDF shows them in a table; "
            "choose a municipality for its administrations."
        ),
    },
}
# The report's own words (section headings, series) come from the report's text table, so the
# page and the PDF name each part alike.
_FROM_REPORT = {
    "no_data": "no_data",
    "no_maturity": "no_maturity",
    "self": "self_assessed",
    "evidence": "evidence_based",
    "summary": "summary",
    "kpis": "kpi_table",
    "funnel": "funnel",
    "trend": "trend",
    "maturity": "maturity",
    "organisation": "organisation",
    "objects": "objects",
    "lineage": "lineage",
}
TEXT = {
    lang: {**{key: REPORT_TEXT[lang][own] for key, own in _FROM_REPORT.items()}, **words}
    for lang, words in PAGE_TEXT.items()
}
_tr = translator(TEXT)


# Each chart's "Visa som tabell" (dashboard/chart_table.py).
register_chart_tables(FUNNEL, TREND, MATURITY)


def layout(**query):
    lang = query_language(query)
    header = create_page_header(_tr("title", lang), _tr("lead", lang))
    try:
        with store.read_session() as session:
            if store.store_is_empty(session):
                return html.Div([header, empty_state(lang)])
    except Exception:  # an unreachable store must not show a traceback
        log.exception("store check failed")
        return html.Div([header, empty_state(lang)])
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(_tr("period", lang), html_for=PERIOD),
                    dcc.Dropdown(id=PERIOD, value=SELECTED_DATE, clearable=False),
                ],
                md=3,
            ),
            dbc.Col(
                html.Div(
                    [
                        dbc.Button(_tr("pdf", lang), id=PDF_BUTTON, color="primary"),
                        dbc.Button(
                            _tr("workbook", lang), id=XLSX_BUTTON, color="secondary", outline=True
                        ),
                        *freeze_button(lang),
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
            chart_card(_tr("frozen", lang), html.Div(id=FROZEN_LIST)),
            chart_card(
                _tr("compare", lang),
                [
                    dbc.Row(
                        [
                            dbc.Col(
                                [
                                    dbc.Label(_tr("period_a", lang), html_for=COMPARE_A),
                                    dcc.Dropdown(id=COMPARE_A),
                                ],
                                md=6,
                            ),
                            dbc.Col(
                                [
                                    dbc.Label(_tr("period_b", lang), html_for=COMPARE_B),
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


def freeze_button(lang: str) -> list:
    """The freeze button for the roles that may freeze (CISO, administrator): the committee and
    the others were shown a button that could only answer that their role may not."""
    if not may_freeze(current_viewer()):
        return []
    return [dbc.Button(_tr("freeze", lang), id=FREEZE_BUTTON, color="dark", outline=True)]


# --------------------------------------------------------------------------- pure helpers


def report_request(filters: Filters, period: str | None) -> tuple[dt.date, str | None, str | None]:
    """(as_of, period label or None, scope code or None) from the filter bar and the dropdown."""
    scope = filters.administration or filters.municipality
    if period:
        return period_end(period, filters.lang), period, scope
    return filters.as_of, None, scope


def freeze_scope(viewer: Viewer, scope: str | None) -> str | None:
    """The scope a frozen report is filed under: a viewer who does not see everything freezes a
    municipality or administration (so that it can find the snapshot again)."""
    if scope or viewer.sees_all:
        return scope
    if len(viewer.municipality_codes) == 1:
        return next(iter(viewer.municipality_codes))
    return None


def period_options(as_of: dt.date, lang: str = "sv") -> list[dict]:
    selected = _tr("selected_date", lang).format(date=format_date(as_of, lang))
    options = [{"label": selected, "value": SELECTED_DATE}]
    return options + [
        {
            "label": _tr("period_until", lang).format(
                period=p, date=format_date(period_end(p), lang)
            ),
            "value": p,
        }
        for p in recent_periods(as_of)
    ]


# A table on the page shows at most this many rows (a national report has 1 646 rows of key
# figures and 1 580 data sources: tens of thousands of cells the browser took minutes to lay
# out); the PDF and the workbook carry them all.
ROWS_SHOWN = 50
# A cell this short (a value with its change, "56 % (−16)"; "1 av 2") stays on one line: in a
# narrow column the change went onto a line of its own, apart from its value.
WHOLE_CELL_LENGTH = 16
# A chart with more groups than this is not drawn on the page (the country's 1 356
# administrations were 2 712 bars); the report asks for a municipality instead.
CHART_GROUPS_SHOWN = 60


def table_component(table: Table, table_id: str | None = None, lang: str = "sv") -> html.Div:
    if not table.row_count:
        return html.P(table.note or _tr("no_data", lang), className="text-muted fst-italic")
    kwargs = {"id": table_id} if table_id else {}
    shown = table.rows[:ROWS_SHOWN]
    body = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in table.headers])),
            # Built by dashboard.cells (same components, faster).
            html.Tbody([_row(row) for row in shown]),
        ],
        bordered=False,
        striped=True,
        size="sm",
        responsive=True,
        **kwargs,
    )
    notes = [table.note] if table.note else []
    if table.row_count > len(shown):
        notes.append(
            _tr("rows_shown", lang).format(
                shown=format_number(len(shown), lang=lang),
                total=format_number(table.row_count, lang=lang),
            )
        )
    return html.Div([body, *(html.P(n, className="small text-muted") for n in notes)])


def _cell(text: str):
    return td(text, "text-nowrap" if len(text) <= WHOLE_CELL_LENGTH else None)


def _row(row: list[str]):
    """A table row; a name the report indents (an administration under its municipality in the
    organisation check, marked by leading spaces as in the PDF) is indented here too."""
    name, *cells = row
    first = td(name.strip(), "ps-4") if name.startswith("  ") else _cell(name)
    return tr([first, *(_cell(cell) for cell in cells)])


def graph_style(height: int) -> dict:
    """The graph's own height. Without it Dash gives the graph ``height: 100%`` of a card body
    whose height comes from the graph, and a figure drawn in the layout collapses to a sliver."""
    return {"height": f"{height}px"}


# The three figures are built as dicts on the cached themed layout (figures/_themed.py): the
# same JSON as validated traces with apply_theme, a few ms less each.
def funnel_figure(content: ReportContent, lang: str = "sv") -> go.Figure:
    if not content.funnel:
        return empty_figure(_tr("no_data", lang))
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
    return themed_figure([trace], {}, lang, height=260)


def trend_figure(content: ReportContent, lang: str = "sv") -> go.Figure:
    if not content.overdue_trend:
        return empty_figure(_tr("no_data", lang))
    trace = {
        "type": "scatter",
        "x": [d for d, _ in content.overdue_trend],
        "y": [v for _, v in content.overdue_trend],
        "mode": "lines+markers",
        "name": _tr("overdue_series", lang),
        "line": {"color": PALETTE[4]},
    }
    # A count starts at zero: an axis from about 290 made a change of a few actions look steep.
    layout = {"yaxis": {"rangemode": "tozero", "tickformat": "d"}}
    return themed_figure([trace], layout, lang, height=260)


def maturity_figure(content: ReportContent, lang: str = "sv") -> go.Figure:
    rows = [r for r in content.maturity if r[1] is not None or r[2] is not None]
    if not rows:
        return empty_figure(_tr("no_maturity", lang))
    if len(rows) > CHART_GROUPS_SHOWN:
        total = format_number(len(rows), lang=lang)
        key = "too_many_municipalities" if content.maturity_heading else "too_many_groups"
        return empty_figure(_tr(key, lang).format(total=total))
    names = plot_texts(r[0] for r in rows)  # administration names: drawn, not read
    traces = [
        {"type": "bar", "name": _tr("self", lang), "x": names, "y": [r[1] for r in rows],
         "marker": {"color": PALETTE[0]}},
        {"type": "bar", "name": _tr("evidence", lang), "x": names, "y": [r[2] for r in rows],
         "marker": {"color": PALETTE[2], "pattern": series_pattern(1)}},
    ]  # fmt: skip
    layout = {"barmode": "group", "yaxis": {"range": [0, 5]}}
    return themed_figure(traces, layout, lang, height=300)


# The report's own text (title, summary, tables, notes) comes from dashboard.report, which writes
# it for the PDF too; it is marked so, apart from the page's own headings and labels.
REPORT_TEXT = {"data-report-text": "true"}


def report_text(children, **kwargs) -> html.Div:
    return html.Div(children, **REPORT_TEXT, **kwargs)


def content_component(content: ReportContent, lang: str = "sv") -> html.Div:
    """The report as HTML, section by section in the order of the PDF."""

    def graph(graph_id, figure, height, caption):
        shown = chart(graph_id, lang, figure, style=graph_style(height))
        return report_text(chart_with_table(shown, _tr(caption, lang), lang))

    return html.Div(
        [
            report_text(
                [
                    html.H2(content.title, className="h4 mt-2", id="rapport-title"),
                    html.P(content.subtitle, className="text-muted"),
                ]
            ),
            chart_card(
                _tr("summary", lang),
                report_text(
                    [html.P(s, className="mb-1") for s in content.summary], id="rapport-summary"
                ),
            ),
            chart_card(
                _tr("kpis", lang),
                report_text(table_component(content.kpi_table, "rapport-kpi-table", lang)),
            ),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            _tr("funnel", lang),
                            graph(FUNNEL, funnel_figure(content, lang), 260, "funnel"),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        chart_card(
                            _tr("trend", lang),
                            graph(TREND, trend_figure(content, lang), 260, "trend"),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            chart_card(
                content.maturity_heading or _tr("maturity", lang),
                graph(MATURITY, maturity_figure(content, lang), 300, "maturity"),
            ),
            chart_card(
                _tr("organisation", lang),
                report_text(table_component(content.organisation, lang=lang)),
            ),
            chart_card(
                _tr("objects", lang), report_text(table_component(content.objects, lang=lang))
            ),
            chart_card(
                _tr("lineage", lang), report_text(table_component(content.lineage, lang=lang))
            ),
            report_text([html.P(n, className="small text-muted mb-1") for n in content.footnotes]),
        ]
    )


def frozen_list_component(frame, lang: str = "sv") -> html.Div:
    if frame.empty:
        return html.P(_tr("no_frozen", lang), className="text-muted fst-italic")
    rows = [
        html.Tr(
            [
                html.Td(row["period"]),
                html.Td(row["scope_name"]),
                html.Td(format_date(row["as_of"], lang)),
                html.Td(
                    _tr("frozen_by", lang).format(
                        when=format_datetime(row["created_at"], lang), who=row["created_by"]
                    )
                ),
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
    head = html.Thead(
        html.Tr(
            [html.Th(_tr(k, lang)) for k in ("period", "scope", "as_of", "frozen_at", "actions")]
        )
    )
    return dbc.Table([head, html.Tbody(rows)], size="sm", striped=True, id="rapport-frozen-table")


# --------------------------------------------------------------------------- callbacks


def _gather(session: Session, filters: Filters, period: str | None, viewer: Viewer) -> dict:
    as_of, label, scope = report_request(filters, period)
    data = gather_report(session, as_of, viewer, scope=scope, period=label, lang=filters.lang)
    return with_scope_texts(session, viewer, data)


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
    if page_refused(PATH):  # a forged request of a role the page is not for
        return refusal(viewer.role, filters.lang), []
    try:
        with store.read_session() as session:
            data = _gather(session, filters, period, viewer)
    except ReportError as exc:
        return dbc.Alert(str(exc), color="warning"), period_options(filters.as_of, filters.lang)
    return (
        # Only the rows the page shows are written (the PDF writes them all).
        content_component(build_content(data, filters.lang, rows=ROWS_SHOWN), filters.lang),
        period_options(filters.as_of, filters.lang),
    )


@callback(
    Output(FROZEN_LIST, "children"),
    Output(COMPARE_A, "options"),
    Output(COMPARE_B, "options"),
    Input(FROZEN_VERSION, "data"),
    Input(c.FILTERS_STORE, "data"),
)
def update_frozen(_version, filters_data):
    lang = Filters.from_store(filters_data).lang
    viewer = current_viewer()
    if page_refused(PATH):
        return None, [], []
    with store.read_session() as session:
        frame = list_snapshots(session, viewer)
    options = [
        {"label": snapshot_label(r, lang), "value": int(r["id"])} for r in frame.to_dict("records")
    ]
    return frozen_list_component(frame, lang), options, options


@callback(
    Output(PDF_DOWNLOAD, "data"),
    Input(PDF_BUTTON, "n_clicks"),
    State(c.FILTERS_STORE, "data"),
    State(PERIOD, "value"),
    prevent_initial_call=True,
)
def download_pdf(n_clicks, filters_data, period):
    if not n_clicks or page_refused(PATH):
        return no_update
    filters = Filters.from_store(filters_data)
    try:
        with store.read_session() as session:
            data = _gather(session, filters, period, current_viewer())
    except ReportError:
        return no_update
    name = f"infosak-rapport-{data['period']}-{data['as_of']}.pdf"
    return dcc.send_bytes(report_pdf(data, filters.lang), name)


@callback(
    Output(XLSX_DOWNLOAD, "data"),
    Input(XLSX_BUTTON, "n_clicks"),
    State(c.FILTERS_STORE, "data"),
    prevent_initial_call=True,
)
def download_workbook(n_clicks, filters_data):
    if not n_clicks or page_refused(PATH):
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
    if not n_clicks or page_refused(PATH):
        return no_update, no_update
    viewer = current_viewer()
    filters = Filters.from_store(filters_data)
    lang = filters.lang
    if not may_freeze(viewer):
        return dbc.Alert(_tr("may_not_freeze", lang), color="warning"), no_update
    as_of, label, scope = report_request(filters, period)
    scope = freeze_scope(viewer, scope)
    if scope is None and not viewer.sees_all:
        return dbc.Alert(_tr("choose_scope", lang), color="warning"), no_update
    try:
        with store.read_session() as session:
            data = gather_report(session, as_of, viewer, scope=scope, period=label, lang=lang)
            data = with_scope_texts(session, viewer, data)
    except ReportError as exc:
        return dbc.Alert(str(exc), color="warning"), no_update
    snapshot_id = freeze_report(
        store.get_engine(), data, viewer.name, pdf=report_pdf(data), viewer=viewer
    )
    message = _tr("frozen_done", lang).format(period=data["period"], id=snapshot_id)
    return dbc.Alert(message, color="success", id="rapport-freeze-done"), (version or 0) + 1


@callback(
    Output(FROZEN_DOWNLOAD, "data"),
    Input({"type": FROZEN_ITEM, "index": ALL}, "n_clicks"),
    State(c.FILTERS_STORE, "data"),
    prevent_initial_call=True,
)
def download_frozen(clicks, filters_data=None):
    trigger = ctx.triggered_id
    # A forged request may send anything for the clicks: only a list of them is one.
    if not isinstance(trigger, dict) or not isinstance(clicks, list) or not any(clicks):
        return no_update
    if page_refused(PATH):
        return no_update
    with store.read_session() as session:
        frozen = get_snapshot(session, current_viewer(), trigger.get("index"))
    if frozen is None:
        return no_update
    # Rendered from the stored numbers, so later loads never change a frozen report; the PDF
    # kept at freezing is the Swedish one.
    lang = Filters.from_store(filters_data).lang
    stored = frozen["pdf"] if lang == "sv" else None
    pdf = stored or report_pdf(frozen["data"], lang)
    return dcc.send_bytes(pdf, f"infosak-rapport-{frozen['period']}-fryst-{frozen['id']}.pdf")


@callback(
    Output(COMPARE_TABLE, "children"),
    Input(COMPARE_A, "value"),
    Input(COMPARE_B, "value"),
    State(c.FILTERS_STORE, "data"),
)
def compare(a_id, b_id, filters_data=None):
    lang = Filters.from_store(filters_data).lang
    if a_id is None or b_id is None or page_refused(PATH):
        return html.P(_tr("choose_two", lang), className="text-muted fst-italic")
    viewer = current_viewer()
    with store.read_session() as session:
        a = get_snapshot(session, viewer, a_id)
        b = get_snapshot(session, viewer, b_id)
    if a is None or b is None:
        return html.P(_tr("missing", lang), className="text-muted fst-italic")
    table = Table(
        [_tr("measure", lang), f"A: {a['period']}", f"B: {b['period']}", _tr("change", lang)],
        compare_rows(a["data"], b["data"], lang),
    )
    return report_text(table_component(table, "rapport-compare", lang))


__all__ = ["layout"]
