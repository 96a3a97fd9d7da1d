"""Täckning: how much is classified, risk-analysed and in the registerförteckning, and which
assets lack it."""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard import constants as c
from dashboard import store
from dashboard.chart_table import chart_with_table, register_chart_tables
from dashboard.figures.coverage import coverage_bars
from dashboard.filters import Filters, query_language
from dashboard.grid import column_def, create_grid, register_grid_refresh
from dashboard.i18n import translator
from dashboard.layout import (
    chart,
    chart_card,
    create_kpi_row,
    create_page_header,
    empty_state,
)
from dashboard.output_cache import cached_output
from dashboard.queries.coverage import (
    ASSET_GAP_FIELDS,
    COVERAGE_CARD_METRICS,
    COVERAGE_METRICS,
    GAPS,
    SHARED_OWNER_FIELDS,
    asset_gap_block,
    coverage_by_scope,
    metric_label,
    shared_owner_block,
    summary_counts,
)
from dashboard.queries.overview import headline_kpis
from dashboard.viewer_context import current_viewer
from etl.formatting import format_number
from etl.kpi.rules import sees_detail

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/tackning", name="Täckning", name_en="Coverage", order=2)

CARDS = "tackning-cards"
LEVEL = "tackning-level"
CHART = "tackning-chart"
CHART_NOTE = "tackning-chart-note"
GAP = "tackning-gap"
GAP_GRID = "tackning-gap-grid"
OWNERS_COUNT = "tackning-owners-count"
OWNERS_GRID = "tackning-owners-grid"
AGGREGATE_NOTE = "tackning-aggregate-only"

# A bar chart stays readable up to this many scopes; the rest are named in a note.
MAX_SCOPES_IN_CHART = 40

TEXT = {
    "sv": {
        "title": "Täckning",
        "lead": (
            "Andelen informationstillgångar med aktuell klassning, riskanalys och hänvisning till "
            "registerförteckningen, och vilka tillgångar som saknar något."
        ),
        "per_level": "Täckning per nivå",
        "level": "Visa per",
        "administration": "Förvaltning",
        "unit": "Enhet",
        "governance_object": "Förvaltningsobjekt",
        "chart_cut": "Visar de {shown} av {total} med lägst klassningsgrad.",
        "gaps": "Tillgångar som saknar något",
        "gap": "Visa tillgångar som",
        "gap_any": "saknar något ({n})",
        "gap_classification": "saknar aktuell klassning ({n})",
        "gap_expired": "har förfallen klassning ({n})",
        "gap_risk_analysis": "saknar riskanalys inom 36 månader ({n})",
        "gap_register": "saknar hänvisning till registerförteckningen ({n})",
        "owners": "Delade tillgångar där en ägare inte deltog i klassningen",
        "owners_count": "{n} ägare till delade tillgångar deltog inte i den senaste klassningen.",
        "no_change": "Inget värde för förra kvartalet",
        "protected_note": "Tillgångar med säkerhetsskydd visas inte i listorna.",
        "aggregate_only": "Nämnden ser täckningen som siffror och diagram ovan; enskilda "
        "tillgångar listas inte för nämnden.",
    },
    "en": {
        "title": "Coverage",
        "lead": (
            "The share of information assets with a current classification, a risk analysis and "
            "a register reference, and which assets lack one."
        ),
        "per_level": "Coverage per level",
        "level": "Show per",
        "administration": "Administration",
        "unit": "Unit",
        "governance_object": "Governance object",
        "chart_cut": "Showing the {shown} of {total} with the lowest classification coverage.",
        "gaps": "Assets that lack something",
        "gap": "Show assets that",
        "gap_any": "lack anything ({n})",
        "gap_classification": "lack a current classification ({n})",
        "gap_expired": "have an expired classification ({n})",
        "gap_risk_analysis": "lack a risk analysis within 36 months ({n})",
        "gap_register": "lack a register reference ({n})",
        "owners": "Shared assets where an owner did not take part in the classification",
        "owners_count": "{n} owners of shared assets did not take part in the latest "
        "classification.",
        "no_change": "No value for last quarter",
        "protected_note": "Assets under security protection are not listed.",
        "aggregate_only": "The committee sees the coverage as the numbers and charts above; "
        "single assets are not listed for the committee.",
    },
}


_tr = translator(TEXT)


# Each chart's "Visa som tabell" (dashboard/chart_table.py).
register_chart_tables(CHART)


def _fields_to_columns(fields: dict[str, tuple[str, str, str]], lang: str) -> list[dict]:
    return [
        column_def(field, english if lang == "en" else swedish, kind)
        for field, (kind, swedish, english) in fields.items()
    ]


def gap_options(counts: dict[str, int] | None, lang: str) -> list[dict]:
    counts = counts or {}
    return [
        {
            "label": _tr(f"gap_{gap}", lang).format(n=format_number(counts.get(gap), 0, lang)),
            "value": gap,
        }
        for gap in GAPS
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
    levels = [
        {"label": _tr(level, lang), "value": level}
        for level in ("administration", "unit", "governance_object")
    ]
    return html.Div(
        [
            header,
            dbc.Row(id=CARDS, className="g-3 mb-3"),
            chart_card(
                _tr("per_level", lang),
                [
                    dbc.Label(_tr("level", lang), html_for=LEVEL, className="me-2"),
                    dbc.RadioItems(id=LEVEL, options=levels, value="administration", inline=True),
                    chart_with_table(
                        dcc.Loading(chart(CHART, lang)),
                        _tr("per_level", lang),
                        lang,
                    ),
                    html.P(id=CHART_NOTE, className="text-muted small mb-0"),
                ],
            ),
            html.Div(className="mb-3"),
            *(_asset_lists(lang) if sees_detail(current_viewer().role) else _aggregate_only(lang)),
        ]
    )


def _asset_lists(lang: str) -> list:
    return [
        chart_card(
            _tr("gaps", lang),
            [
                dbc.Label(_tr("gap", lang), html_for=GAP),
                dbc.RadioItems(
                    id=GAP, options=gap_options(None, lang), value="any", className="mb-2"
                ),
                create_grid(
                    GAP_GRID, _fields_to_columns(ASSET_GAP_FIELDS, lang), lang, height="460px"
                ),
                html.P(_tr("protected_note", lang), className="text-muted small mt-2 mb-0"),
            ],
        ),
        html.Div(className="mb-3"),
        chart_card(
            _tr("owners", lang),
            [
                html.P(id=OWNERS_COUNT),
                create_grid(
                    OWNERS_GRID,
                    _fields_to_columns(SHARED_OWNER_FIELDS, lang),
                    lang,
                    height="360px",
                ),
            ],
        ),
    ]


def _aggregate_only(lang: str) -> list:
    """For a role that sees aggregates only (the committee): a line saying why there are no
    asset lists; the lists' own controls stay, hidden, for the callbacks that fill them."""
    return [
        html.P(_tr("aggregate_only", lang), id=AGGREGATE_NOTE),
        html.Div(
            [
                dbc.RadioItems(id=GAP, options=gap_options(None, lang), value="any"),
                html.P(id=OWNERS_COUNT),
            ],
            hidden=True,
        ),
    ]


# --------------------------------------------------------------------------- pieces (pure)


def create_cards(df: pd.DataFrame, lang: str) -> list:
    return create_kpi_row(df, "tackning", lang, no_change=_tr("no_change", lang), xl=3)


def limit_scopes(df: pd.DataFrame, limit: int = MAX_SCOPES_IN_CHART) -> tuple[pd.DataFrame, int]:
    """The rows of the ``limit`` scopes with the lowest classification coverage (missing values
    first), and how many scopes there were in all."""
    if df is None or df.empty:
        return df, 0
    scopes = df["scope_id"].unique()
    if len(scopes) <= limit:
        return df, len(scopes)
    coverage = (
        df[df["metric"] == "classification_coverage"]
        .set_index("scope_id")["value"]
        .astype(float)
        .reindex(scopes)
    )
    worst = coverage.fillna(-1).sort_values(kind="stable").index[:limit]
    return df[df["scope_id"].isin(worst)], len(scopes)


# --------------------------------------------------------------------------- callbacks


@callback(
    Output(CARDS, "children"),
    Output(GAP, "options"),
    Output(OWNERS_COUNT, "children"),
    Input(c.FILTERS_STORE, "data"),
)
@cached_output
def update_summary(filters_data):
    filters = Filters.from_store(filters_data)
    lang, as_of = filters.lang, filters.as_of
    where = {"municipality": filters.municipality, "administration": filters.administration}
    viewer = current_viewer()
    with store.read_session() as session:
        headline = headline_kpis(session, as_of, viewer, metrics=COVERAGE_CARD_METRICS, **where)
        counts, owners = summary_counts(session, as_of, viewer, **where)
    return (
        create_cards(headline, lang),
        gap_options(counts, lang),
        _tr("owners_count", lang).format(n=format_number(owners, 0, lang)),
    )


@callback(
    Output(CHART, "figure"),
    Output(CHART_NOTE, "children"),
    Input(c.FILTERS_STORE, "data"),
    Input(LEVEL, "value"),
)
@cached_output
def update_chart(filters_data, level):
    filters = Filters.from_store(filters_data)
    lang = filters.lang
    level = (
        level if level in ("administration", "unit", "governance_object") else ("administration")
    )
    with store.read_session() as session:
        df = coverage_by_scope(
            session,
            filters.as_of,
            current_viewer(),
            level=level,
            municipality=filters.municipality,
            administration=filters.administration,
        )
    shown, total = limit_scopes(df)
    note = ""
    if total > MAX_SCOPES_IN_CHART:
        note = _tr("chart_cut", lang).format(shown=MAX_SCOPES_IN_CHART, total=total)
    labels = {m: metric_label(m, lang) for m in COVERAGE_METRICS}
    return coverage_bars(shown, labels, level, lang), note


@callback(
    Output(GAP_GRID, "getRowsResponse"),
    Input(GAP_GRID, "getRowsRequest"),
    State(c.FILTERS_STORE, "data"),
    State(GAP, "value"),
    # The grid asks when it is ready; Dash's call at mount has no request to answer.
    prevent_initial_call=True,
)
@cached_output
def gap_rows(request, filters_data, gap):
    filters = Filters.from_store(filters_data)
    with store.read_session() as session:
        return asset_gap_block(
            session,
            filters.as_of,
            current_viewer(),
            request,
            gap=gap if gap in GAPS else "any",
            lang=filters.lang,
            municipality=filters.municipality,
            administration=filters.administration,
        )


@callback(
    Output(OWNERS_GRID, "getRowsResponse"),
    Input(OWNERS_GRID, "getRowsRequest"),
    State(c.FILTERS_STORE, "data"),
    # The grid asks when it is ready; Dash's call at mount has no request to answer.
    prevent_initial_call=True,
)
@cached_output
def owner_rows(request, filters_data):
    filters = Filters.from_store(filters_data)
    with store.read_session() as session:
        return shared_owner_block(
            session,
            filters.as_of,
            current_viewer(),
            request,
            municipality=filters.municipality,
            administration=filters.administration,
        )


register_grid_refresh(GAP_GRID, [Input(c.FILTERS_STORE, "data"), Input(GAP, "value")])
register_grid_refresh(OWNERS_GRID, [Input(c.FILTERS_STORE, "data")])
