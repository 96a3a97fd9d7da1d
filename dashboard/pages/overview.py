"""Översikt: where the municipality stands and what changed since the previous quarter."""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard import constants as c
from dashboard import store
from dashboard.cells import td, th, tr
from dashboard.chart_table import chart_with_table, register_chart_tables
from dashboard.figures.overview import funnel_figure, overdue_aging_figure
from dashboard.filters import Filters, query_language, to_query
from dashboard.i18n import translator
from dashboard.layout import (
    chart,
    chart_card,
    create_kpi_row,
    create_page_header,
    empty_state,
    metric_label,
    no_data,
    pager,
    scroll_region,
)
from dashboard.output_cache import cached_output
from dashboard.queries.loads import format_counts, latest_loads, outcome_label
from dashboard.queries.org import MUNICIPALITIES_WITH_ADMINISTRATIONS
from dashboard.queries.overview import (
    GLANCE_METRICS,
    ORG_METRICS,
    glance_rows,
    org_check,
    overview_frames,
)
from dashboard.scope_text import scope_text, scope_text_all
from dashboard.viewer_context import current_viewer
from etl.formatting import format_date, format_number, format_value
from etl.kpi.definitions import METRICS

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/", name="Översikt", name_en="Overview", order=0)

CARDS = "oversikt-cards"
SCOPE_NOTE = "oversikt-scope-note"
FUNNEL = "oversikt-funnel"
AGING = "oversikt-aging"
AGING_TITLE = "oversikt-aging-title"
ORG = "oversikt-org"
ORG_ROWS = "oversikt-org-rows"
ORG_PAGER = "oversikt-org-pager"
HIGH_RISKS = "oversikt-high-risks"
LOADS = "oversikt-loads"
GLANCE = "oversikt-glance"

TEXT = {
    "sv": {
        "title": "Översikt",
        "lead": "Läget i informationssäkerhetsarbetet och förändringen sedan förra kvartalet.",
        "all_scope": (
            "Alla kommuner tillsammans: summan av kommunernas värden. Ett gemensamt "
            "förvaltningsobjekt räknas för varje deltagande kommun."
        ),
        "scope_municipality": "Kommun {code}.",
        "scope_administration": "Förvaltning {code}.",
        "funnel": "Täckningstratten",
        "aging": "Försenade åtgärder per förvaltning",
        "aging_municipality": "Försenade åtgärder per kommun",
        "org": "Organisationskontroll",
        "high_risks": "Höga risker utan åtgärd",
        "high_risks_body": "höga risker saknar åtgärd.",
        "high_risks_link": "Visa riskerna",
        "loads": "Senaste inläsningarna",
        "loads_link": "Alla inläsningar",
        "no_change": "Inget värde för förra kvartalet",
        "scope": "Organisation",
        "ok_assigned": "✓ Utsedd",
        "missing": "✗ Saknas",
        "of": "av",
        "failed": "brister",
        "time": "Tid",
        "file": "Fil",
        "source": "Källa",
        "outcome": "Utfall",
        "rows": "Rader",
        "errors": "Fel",
        "counts": "Per blad",
        "org_caption": "Organisationskontrollen per kommun och förvaltning (✓ uppfyllt, ✗ brist).",
        "org_caption_municipalities": "Organisationskontrollen per kommun (✓ uppfyllt, ✗ brist). "
        "Välj en kommun för att se dess förvaltningar.",
        "org_caption_page": "Organisationskontrollen per kommun (✓ uppfyllt, ✗ brist), kommunerna "
        "med flest brister först: visar {first}–{last} av {total}. Välj en kommun för att se "
        "dess förvaltningar.",
        "org_pages": "Sidor i organisationskontrollen",
        "shared_counts": "Summan av kommunernas värden; ett gemensamt förvaltningsobjekt räknas "
        "för varje deltagande kommun.",
        "glance": "Läget per förvaltning och förvaltningsobjekt",
        "glance_caption": "Mognad, täckning och försenade åtgärder per förvaltning och per "
        "gemensamt förvaltningsobjekt.",
        "glance_narrow": "Välj en kommun för att se läget per förvaltning och objekt.",
        "glance_scope": "Förvaltning eller objekt",
        "glance_object": "objekt",
    },
    "en": {
        "title": "Overview",
        "lead": "Where the information-security work stands and what changed since last quarter.",
        "all_scope": (
            "All municipalities together: the sum of the municipalities' values. A shared "
            "governance object counts for each participating municipality."
        ),
        "scope_municipality": "Municipality {code}.",
        "scope_administration": "Administration {code}.",
        "funnel": "Coverage funnel",
        "aging": "Overdue actions per administration",
        "aging_municipality": "Overdue actions per municipality",
        "org": "Organisation check",
        "high_risks": "High risks without action",
        "high_risks_body": "high risks have no action.",
        "high_risks_link": "Show the risks",
        "loads": "Latest loads",
        "loads_link": "All loads",
        "no_change": "No value for last quarter",
        "scope": "Organisation",
        "ok_assigned": "✓ Assigned",
        "missing": "✗ Missing",
        "of": "of",
        "failed": "failures",
        "time": "Time",
        "file": "File",
        "source": "Source",
        "outcome": "Outcome",
        "rows": "Rows",
        "errors": "Errors",
        "counts": "Per sheet",
        "org_caption": "The organisation check per municipality and administration "
        "(✓ met, ✗ failed).",
        "org_caption_municipalities": "The organisation check per municipality (✓ met, "
        "✗ failed). Choose a municipality to see its administrations.",
        "org_caption_page": "The organisation check per municipality (✓ met, ✗ failed), the "
        "municipalities with the most failures first: showing {first}–{last} of {total}. Choose "
        "a municipality to see its administrations.",
        "org_pages": "Pages of the organisation check",
        "shared_counts": "The sum of the municipalities' values; a shared governance object "
        "counts for each participating municipality.",
        "glance": "Status per administration and governance object",
        "glance_caption": "Maturity, coverage and overdue actions per administration and per "
        "shared governance object.",
        "glance_narrow": "Choose a municipality to see the status per administration and object.",
        "glance_scope": "Administration or object",
        "glance_object": "object",
    },
}


_tr = translator(TEXT)


# Each chart's "Visa som tabell" (dashboard/chart_table.py).
register_chart_tables(FUNNEL, AGING)


def layout(**query):
    lang = query_language(query)
    lang = lang if lang in c.LANGUAGES else c.DEFAULT_LANGUAGE
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
            html.P(id=SCOPE_NOTE, className="text-muted small"),
            dbc.Row(id=CARDS, className="g-3 mb-3"),
            # The CISO's glance right under the cards: every administration and object at once.
            dbc.Row(
                dbc.Col(chart_card(_tr("glance", lang), html.Div(id=GLANCE)), className="mb-3"),
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            _tr("funnel", lang),
                            chart_with_table(
                                dcc.Loading(chart(FUNNEL, lang)),
                                _tr("funnel", lang),
                                lang,
                            ),
                        ),
                        xs=12,
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        chart_card(
                            html.Span(_tr("aging", lang), id=AGING_TITLE),
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
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(_tr("org", lang), html.Div(id=ORG)),
                        xs=12,
                        lg=8,
                        className="mb-3",
                    ),
                    dbc.Col(
                        chart_card(_tr("high_risks", lang), html.Div(id=HIGH_RISKS)),
                        xs=12,
                        lg=4,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            chart_card(_tr("loads", lang), html.Div(id=LOADS)),
        ]
    )


# --------------------------------------------------------------------------- pieces (pure)


def create_cards(df, lang: str) -> list:
    """One KPI card per headline metric: value and the change since the previous quarter."""
    return create_kpi_row(df, "oversikt", lang, no_change=_tr("no_change", lang), xl=3)


def org_cell(
    metric: str, value, numerator, denominator, lang: str, scope_type: str = "municipality"
) -> tuple[str, bool | None]:
    """The text of one organisation-check cell and whether the check is met (None: no value).
    Met/failed is spelled out (✓/✗ and words), never shown by colour alone."""
    if value is None or value != value:
        return "–", None
    if metric == "org_security_officer" and scope_type == "administration":
        # For one administration the rate is 1/0: an officer exists or not.
        ok = value >= 1
        return (_tr("ok_assigned", lang) if ok else _tr("missing", lang)), ok
    if metric == "org_checks_failed":
        failed = int(value)
        return (
            f"✓ 0 {_tr('failed', lang)}" if failed == 0 else f"✗ {failed} {_tr('failed', lang)}"
        ), failed == 0
    if METRICS[metric].kind == "rate":
        ok = value >= 1
        mark = "✓" if ok else "✗"
        if numerator is not None and denominator is not None and denominator == denominator:
            return (
                f"{mark} {format_number(numerator, 0, lang)} {_tr('of', lang)} "
                f"{format_number(denominator, 0, lang)}"
            ), ok
        return f"{mark} {format_value(value, 'rate', lang)}", ok
    ok = value >= 1
    return (_tr("ok_assigned", lang) if ok else _tr("missing", lang)), ok


# The country's (or a region's) municipalities are shown this many at a time, those with the
# most failed checks first: all 290 were some 2 300 components that no one reads at once.
ORG_PAGE_SIZE = 25


def create_org_table(df, lang: str):
    """The organisation check: a few municipalities with their administrations, or (beyond
    MUNICIPALITIES_WITH_ADMINISTRATIONS) the municipalities only, ORG_PAGE_SIZE at a time with
    a pager (ORG_PAGER; page_org_table shows the other pages)."""
    if df is None or df.empty:
        return no_data(lang)
    if not _municipalities_only(df):
        return _org_table(df, lang, _tr("org_caption", lang))
    table, pages = org_page(df, lang, 1)
    parts = [html.Div(table, id=ORG_ROWS)]
    if pages > 1:
        parts.append(pager(ORG_PAGER, pages, _tr("org_pages", lang), "mt-2 mb-0"))
    return html.Div(parts)


def _municipalities_only(df) -> bool:
    scopes = df.drop_duplicates(["scope_type", "scope_id"])
    return (scopes["scope_type"] == "municipality").sum() > MUNICIPALITIES_WITH_ADMINISTRATIONS


def most_to_do_first(df) -> list[str]:
    """The municipalities' codes, most failed organisation checks first, then by name (a
    municipality without a value last)."""
    municipalities = df[df["scope_type"] == "municipality"]
    failed = {
        code: _num(value)
        for code, metric, value in zip(
            municipalities["scope_id"], municipalities["metric"], municipalities["value"],
            strict=True,
        )
        if metric == "org_checks_failed"
    }  # fmt: skip
    scopes = municipalities.drop_duplicates("scope_id")
    keyed = sorted(
        zip(scopes["scope_id"], scopes["scope_name"], strict=True),
        key=lambda s: (failed.get(s[0]) is None, -(failed.get(s[0]) or 0), s[1], s[0]),
    )
    return [code for code, _ in keyed]


def org_page(df, lang: str, page) -> tuple:
    """(table, number of pages): page ``page`` (1-based, kept within the pages) of the
    municipalities of ``df`` in most_to_do_first's order, the caption saying which."""
    codes = most_to_do_first(df)
    pages = max(1, -(-len(codes) // ORG_PAGE_SIZE))
    try:
        page = min(max(int(page or 1), 1), pages)
    except (TypeError, ValueError):
        page = 1
    first = (page - 1) * ORG_PAGE_SIZE
    shown = codes[first : first + ORG_PAGE_SIZE]
    position = {code: i for i, code in enumerate(shown)}
    part = df[(df["scope_type"] == "municipality") & df["scope_id"].isin(position)]
    part = part.iloc[part["scope_id"].map(position).argsort(kind="stable")]
    caption = _tr("org_caption_page", lang).format(
        first=format_number(first + 1 if shown else 0, 0, lang),
        last=format_number(first + len(shown), 0, lang),
        total=format_number(len(codes), 0, lang),
    )
    return _org_table(part, lang, caption), pages


def _org_table(df, lang: str, caption: str):
    header = html.Thead(
        html.Tr(
            [html.Th(_tr("scope", lang), scope="col")]
            + [html.Th(metric_label(m, lang), scope="col") for m in ORG_METRICS]
        )
    )
    body = []
    # One pass over the rows (filtering the frame per scope was quadratic: seconds nationally).
    by_scope: dict[tuple, dict] = {}
    for r in df.itertuples(index=False):
        by_scope.setdefault((r.scope_type, r.scope_id), {})[r.metric] = r
    scopes = df.drop_duplicates(["scope_type", "scope_id"])
    for scope in scopes.itertuples(index=False):
        by_metric = by_scope[(scope.scope_type, scope.scope_id)]
        cells = []
        for metric in ORG_METRICS:
            row = by_metric.get(metric)
            if row is None:
                text, ok = "–", None
            else:
                text, ok = org_cell(
                    metric,
                    _num(row.value),
                    _num(row.numerator),
                    _num(row.denominator),
                    lang,
                    scope.scope_type,
                )
            css = {True: "status-ok", False: "status-bad"}.get(ok, "text-muted")
            cells.append(td(text, className=css))
        # Bold municipality, indented administrations in normal weight (a th is bold by default),
        # set on the cell itself: a Strong or Span inside was one more checked Dash component per
        # row.
        level = "fw-bold" if scope.scope_type == "municipality" else "fw-normal ps-4"
        name_cell = th(scope.scope_name, className=level, scope="row")
        body.append(tr([name_cell, *cells]))
    return scroll_region(
        dbc.Table(
            [html.Caption(caption), header, html.Tbody(body)],
            bordered=False,
            hover=True,
            size="sm",
            className="mb-0",
        ),
        caption,
    )


def _num(value):
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def create_high_risks(df, lang: str, search: str) -> list:
    row = df[df["metric"] == "risks_high_without_action"]
    value = _num(row.iloc[0]["value"]) if not row.empty else None
    return [
        html.Div(
            format_number(value, 0, lang), className="kpi-value", id="oversikt-high-risks-value"
        ),
        html.P(_tr("high_risks_body", lang), className="mb-2"),
        dcc.Link(_tr("high_risks_link", lang), href=f"/risker{search}"),
    ]


def create_loads_table(df, lang: str, search: str):
    if df is None or df.empty:
        return no_data(lang)
    header = html.Thead(
        html.Tr(
            [
                html.Th(_tr(k, lang), scope="col")
                for k in ("time", "file", "source", "outcome", "rows", "errors", "counts")
            ]
        )
    )
    rows = []
    for r in df.itertuples(index=False):
        rows.append(
            html.Tr(
                [
                    html.Td(format_date(r.started_at, lang)),
                    html.Td(r.file_name),
                    html.Td(r.source_name or "–"),
                    html.Td(
                        outcome_label(r.outcome, lang),
                        className="status-bad" if r.outcome == "rejected" else "",
                    ),
                    html.Td(format_number(r.rows_total, 0, lang)),
                    html.Td(format_number(r.error_count, 0, lang)),
                    html.Td(format_counts(r.counts_json, lang), className="small"),
                ]
            )
        )
    return html.Div(
        [
            html.Div(
                dbc.Table([header, html.Tbody(rows)], size="sm", hover=True),
                className="table-responsive",
            ),
            dcc.Link(_tr("loads_link", lang), href=f"/inlasningar{search}"),
        ]
    )


def scope_note(text: str, filters: Filters) -> str:
    """How the cards add up when they sum several municipalities; "" otherwise (whose numbers
    they are, ``text``, stands under the filters on every page)."""
    if text == scope_text_all(filters.lang):
        return f"{text}: {_tr('shared_counts', filters.lang)}"
    return ""


def create_glance_table(frame, lang: str):
    """One row per administration, then per shared object; one column per GLANCE_METRICS."""
    if frame is None:
        return html.P(_tr("glance_narrow", lang), className="text-muted small mb-0")
    if frame.empty:
        return no_data(lang)
    caption = _tr("glance_caption", lang)
    header = html.Thead(
        html.Tr(
            [html.Th(_tr("glance_scope", lang), scope="col")]
            + [html.Th(metric_label(m, lang), scope="col") for m in GLANCE_METRICS]
        )
    )
    body = []
    for row in frame.itertuples(index=False):
        name = row.name
        if row.scope_type == "governance_object":
            name = f"{row.name} ({_tr('glance_object', lang)})"
        cells = [th(name, className="fw-normal", scope="row")]
        for metric in GLANCE_METRICS:
            value = _num(getattr(row, metric))
            bad = metric == "actions_overdue" and bool(value)
            cells.append(
                td(
                    format_value(value, METRICS[metric].kind, lang),
                    className="status-bad" if bad else None,
                )
            )
        body.append(tr(cells))
    return scroll_region(
        dbc.Table(
            [html.Caption(caption), header, html.Tbody(body)],
            size="sm",
            hover=True,
            className="mb-0",
            id=f"{GLANCE}-table",
        ),
        caption,
    )


# --------------------------------------------------------------------------- callback


@callback(
    Output(SCOPE_NOTE, "children"),
    Output(CARDS, "children"),
    Output(FUNNEL, "figure"),
    Output(AGING, "figure"),
    Output(ORG, "children"),
    Output(HIGH_RISKS, "children"),
    Output(LOADS, "children"),
    # Last, after the outputs the page had before it: "per kommun" for the country.
    Output(AGING_TITLE, "children"),
    Input(c.FILTERS_STORE, "data"),
)
@cached_output
def update_overview(filters_data):
    filters = Filters.from_store(filters_data)
    lang, as_of = filters.lang, filters.as_of
    where = {"municipality": filters.municipality, "administration": filters.administration}
    viewer = current_viewer()
    with store.read_session() as session:
        frames = overview_frames(session, as_of, viewer, **where)
        loads = latest_loads(session, viewer, limit=10, **where)
        text = scope_text(session, viewer, filters.municipality, filters.administration, lang)
    search = to_query(filters)
    by_municipality = frames.aging_level == "municipality"
    return (
        scope_note(text, filters),
        create_cards(frames.headline, lang),
        funnel_figure(frames.funnel, lang),
        overdue_aging_figure(frames.aging, lang, frames.aging_level),
        create_org_table(frames.org, lang),
        create_high_risks(frames.headline, lang, search),
        create_loads_table(loads, lang, search),
        _tr("aging_municipality" if by_municipality else "aging", lang),
    )


@callback(
    Output(ORG_ROWS, "children"),
    Input(ORG_PAGER, "active_page"),
    State(c.FILTERS_STORE, "data"),
    prevent_initial_call=True,
)
@cached_output
def page_org_table(active_page, filters_data):
    """Another page of the country's organisation check (the pager comes with the first page,
    from update_overview)."""
    filters = Filters.from_store(filters_data)
    where = {"municipality": filters.municipality, "administration": filters.administration}
    with store.read_session() as session:
        org = org_check(session, filters.as_of, current_viewer(), **where)
    if org.empty or not _municipalities_only(org):
        return no_data(filters.lang)
    return org_page(org, filters.lang, active_page)[0]


@callback(Output(GLANCE, "children"), Input(c.FILTERS_STORE, "data"))
@cached_output
def update_glance(filters_data):
    filters = Filters.from_store(filters_data)
    with store.read_session() as session:
        frame = glance_rows(
            session,
            filters.as_of,
            current_viewer(),
            municipality=filters.municipality,
            administration=filters.administration,
        )
    return create_glance_table(frame, filters.lang)
