"""Mognad: self-assessed maturity per area, beside the evidence-based level, over time."""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard import constants as c
from dashboard import store
from dashboard.figures.coverage import scope_labels
from dashboard.figures.maturity import (
    maturity_comparison_figure,
    maturity_heatmap,
    maturity_profile_figure,
    maturity_trend_figure,
)
from dashboard.figures.theme import empty_figure
from dashboard.filters import Filters, query_language
from dashboard.i18n import translator
from dashboard.layout import GRAPH_CONFIG, chart_card, create_page_header, empty_state
from dashboard.output_cache import cached_output
from dashboard.viewer_context import current_viewer
from etl.kpi.compute import compute_kpis
from etl.kpi.maturity import maturity_history, maturity_matrix

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/mognad", name="Mognad", name_en="Maturity", order=1)

HEATMAP = "mognad-heatmap"
COMPARISON = "mognad-comparison"
TREND = "mognad-trend"
PROFILE = "mognad-profile"
PROFILE_SELECT = "mognad-profile-select"

MATURITY_METRICS = ("maturity_self", "maturity_evidence")
# Beyond this many municipalities and none chosen (a region's or the country's view) the page
# compares municipalities and leaves the per-area heatmap and the trend to a chosen
# municipality: nationally they were 1 356 administrations, a heatmap 46 000 pixels high,
# 2 700 bars and 1 356 trend lines, which kept the browser busy for minutes.
MUNICIPALITIES_WITH_ADMINISTRATIONS = 12
TEXT = {
    "sv": {
        "title": "Mognad",
        "lead": (
            "Självskattad mognad (0 Saknas – 5 Optimerad) från den senaste nulägesanalysen per "
            "förvaltning och förvaltningsobjekt, bredvid den belagda mognaden som räknas fram ur "
            "täckning, åtgärder och uppföljning."
        ),
        "heatmap": "Självskattad mognad per förvaltning och område",
        "comparison": "Självskattad och belagd mognad per förvaltning",
        "trend": "Mognad över tid",
        "profile": "En förvaltnings profil",
        "pick": "Välj förvaltning eller förvaltningsobjekt",
        "object_suffix": "(förvaltningsobjekt)",
        "pick_municipality": "Hela landet jämförs per kommun. Välj en kommun för att se dess "
        "förvaltningar.",
    },
    "en": {
        "title": "Maturity",
        "lead": (
            "Self-assessed maturity (0 Missing – 5 Optimised) from the latest gap analysis per "
            "administration and governance object, beside the evidence-based level derived from "
            "coverage, actions and follow-up."
        ),
        "heatmap": "Self-assessed maturity per administration and area",
        "comparison": "Self-assessed and evidence-based maturity per administration",
        "trend": "Maturity over time",
        "profile": "One administration's profile",
        "pick": "Choose an administration or governance object",
        "object_suffix": "(governance object)",
        "pick_municipality": "The whole country is compared per municipality. Choose a "
        "municipality to see its administrations.",
    },
}


_tr = translator(TEXT)


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
    return html.Div(
        [
            header,
            chart_card(
                _tr("heatmap", lang), dcc.Loading(dcc.Graph(id=HEATMAP, config=GRAPH_CONFIG))
            ),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            _tr("comparison", lang),
                            dcc.Loading(dcc.Graph(id=COMPARISON, config=GRAPH_CONFIG)),
                        ),
                        xs=12,
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        chart_card(
                            _tr("trend", lang),
                            dcc.Loading(dcc.Graph(id=TREND, config=GRAPH_CONFIG)),
                        ),
                        xs=12,
                        lg=6,
                        className="mb-3",
                    ),
                ],
                className="g-3 mt-1",
            ),
            chart_card(
                _tr("profile", lang),
                [
                    dbc.Label(_tr("pick", lang), html_for=PROFILE_SELECT),
                    dcc.Dropdown(id=PROFILE_SELECT, clearable=False, placeholder=_tr("pick", lang)),
                    dcc.Loading(dcc.Graph(id=PROFILE, config=GRAPH_CONFIG)),
                ],
            ),
        ]
    )


# --------------------------------------------------------------------------- pure helpers


def restrict_matrix(matrix: pd.DataFrame, administration: str | None) -> pd.DataFrame:
    """The matrix rows of the chosen administration only (all rows when none is chosen)."""
    if administration and not matrix.empty:
        return matrix[matrix["scope_id"] == administration]
    return matrix


def scope_names(*frames: pd.DataFrame) -> dict[str, str]:
    names: dict[str, str] = {}
    for frame in frames:
        if frame is not None and not frame.empty:
            names.update(zip(frame["scope_id"], frame["scope_name"], strict=True))
    return names


def name_history(history: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The trend rows with a readable scope name (the code when the name is unknown)."""
    history = history.copy()
    history["scope_name"] = [names.get(s, s) for s in history["scope_id"]]
    return history


def comparison_frame(kpis: pd.DataFrame) -> pd.DataFrame:
    """compute_kpis rows → one row per administration with maturity_self and maturity_evidence."""
    columns = ["scope_id", "scope_name", *MATURITY_METRICS]
    if kpis is None or kpis.empty:
        return pd.DataFrame(columns=columns)
    wide = kpis.pivot_table(
        index=["scope_id", "scope_name"],
        columns="metric",
        values="value",
        aggfunc="first",
        dropna=False,
    ).reset_index()
    for metric in MATURITY_METRICS:
        if metric not in wide:
            wide[metric] = None
    wide = wide[columns]
    return wide.dropna(subset=list(MATURITY_METRICS), how="all").reset_index(drop=True)


def profile_options(matrix: pd.DataFrame, lang: str) -> list[dict]:
    if matrix is None or matrix.empty:
        return []
    heads = matrix.drop_duplicates(["scope_type", "scope_id"])
    names = scope_labels(heads["scope_id"], heads["scope_name"])
    suffix = _tr("object_suffix", lang)
    options = []
    for row in heads.itertuples(index=False):
        name = names[row.scope_id]
        label = name if row.scope_type == "administration" else f"{name} {suffix}"
        options.append({"label": label, "value": f"{row.scope_type}:{row.scope_id}"})
    return sorted(options, key=lambda o: (o["value"].startswith("governance"), o["label"]))


def pick_profile(options: list[dict], current: str | None, administration: str | None):
    values = [o["value"] for o in options]
    if administration and f"administration:{administration}" in values:
        return f"administration:{administration}"
    if current in values:
        return current
    return values[0] if values else None


# --------------------------------------------------------------------------- callbacks


@callback(
    Output(HEATMAP, "figure"),
    Output(COMPARISON, "figure"),
    Output(TREND, "figure"),
    Output(PROFILE_SELECT, "options"),
    Output(PROFILE_SELECT, "value"),
    Input(c.FILTERS_STORE, "data"),
    State(PROFILE_SELECT, "value"),
)
@cached_output
def update_maturity(filters_data, current_profile):
    filters = Filters.from_store(filters_data)
    lang, as_of = filters.lang, filters.as_of
    viewer = current_viewer()
    with store.read_session() as session:
        matrix = maturity_matrix(session, as_of, viewer, municipality=filters.municipality)
        by_municipality = national_comparison(session, filters, viewer)
        if by_municipality is None:
            kpis = compute_kpis(
                session,
                as_of,
                viewer,
                scope_types=["administration"],
                municipality=filters.municipality,
                administration=filters.administration,
                metrics=list(MATURITY_METRICS),
            )
            history = maturity_history(
                session,
                viewer,
                municipality=filters.municipality,
                administration=filters.administration,
            )
    options = profile_options(matrix, lang)
    profile = pick_profile(options, current_profile, filters.administration)
    if by_municipality is not None:
        pick = empty_figure(_tr("pick_municipality", lang), lang)
        comparison = maturity_comparison_figure(comparison_frame(by_municipality), lang)
        return pick, comparison, pick, options, profile
    matrix = restrict_matrix(matrix, filters.administration)
    history = (
        history[pd.to_datetime(history["assessed_on"]).dt.date <= as_of]
        if (not history.empty)
        else history
    )
    names = scope_names(matrix, kpis.drop_duplicates("scope_id") if not kpis.empty else kpis)
    return (
        maturity_heatmap(matrix, lang),
        maturity_comparison_figure(comparison_frame(kpis), lang),
        maturity_trend_figure(name_history(history, names), lang),
        options,
        profile,
    )


def national_comparison(session, filters: Filters, viewer) -> pd.DataFrame | None:
    """The maturity KPIs per municipality when no municipality is chosen and the viewer sees
    more than MUNICIPALITIES_WITH_ADMINISTRATIONS of them; None otherwise (the page then draws
    administrations)."""
    if filters.municipality or filters.administration:
        return None
    kpis = compute_kpis(
        session,
        filters.as_of,
        viewer,
        scope_types=["municipality"],
        metrics=list(MATURITY_METRICS),
    )
    if kpis.empty or kpis["scope_id"].nunique() <= MUNICIPALITIES_WITH_ADMINISTRATIONS:
        return None
    return kpis


@callback(
    Output(PROFILE, "figure"),
    Input(PROFILE_SELECT, "value"),
    Input(c.FILTERS_STORE, "data"),
)
@cached_output
def update_profile(selected, filters_data):
    filters = Filters.from_store(filters_data)
    lang = filters.lang
    scope_type, _, scope_id = (selected or "").partition(":")
    viewer = current_viewer()
    with store.read_session() as session:
        matrix = maturity_matrix(session, filters.as_of, viewer, municipality=filters.municipality)
    rows = (
        matrix[(matrix["scope_type"] == scope_type) & (matrix["scope_id"] == scope_id)]
        if (not matrix.empty)
        else matrix
    )
    name = rows.iloc[0]["scope_name"] if not rows.empty else ""
    return maturity_profile_figure(rows, name, lang)
