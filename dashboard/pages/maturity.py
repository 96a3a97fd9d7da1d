"""Mognad: self-assessed maturity per area, beside the evidence-based level, over time."""

from __future__ import annotations

import functools
import logging

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard import constants as c
from dashboard import store
from dashboard.chart_table import chart_with_table, register_chart_tables
from dashboard.figures.coverage import scope_labels
from dashboard.figures.maturity import (
    MATURITY_LEVELS_EN,
    level_label,
    maturity_comparison_figure,
    maturity_heatmap,
    maturity_profile_figure,
    maturity_trend_figure,
)
from dashboard.figures.theme import empty_figure
from dashboard.filters import Filters, query_language
from dashboard.i18n import translator
from dashboard.layout import (
    chart,
    chart_card,
    create_page_header,
    empty_state,
    no_data,
    scroll_region,
)
from dashboard.output_cache import cached_output
from dashboard.queries.maturity import (
    Holdback,
    MunicipalityHoldback,
    Shortfall,
    area_evidence_levels,
    evidence_holdbacks,
    municipality_holdbacks,
)
from dashboard.queries.org import MUNICIPALITIES_WITH_ADMINISTRATIONS, visible_municipality_count
from dashboard.viewer_context import current_viewer
from etl.formatting import format_date, format_number, format_percent
from etl.kpi.compute import compute_kpis
from etl.kpi.maturity import assessed_node_count, maturity_matrix, maturity_matrix_and_history
from etl.kpi.rules import EVIDENCE_CRITERIA, EVIDENCE_LEVELS, EvidenceCriterion
from etl.vocab import MATURITY_LEVELS, area_name

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/mognad", name="Mognad", name_en="Maturity", order=1)

HEATMAP = "mognad-heatmap"
COMPARISON = "mognad-comparison"
TREND = "mognad-trend"
PROFILE = "mognad-profile"
PROFILE_SELECT = "mognad-profile-select"
HOLDBACK = "mognad-holdback"
COUNTRY_HOLDBACK = "mognad-country-holdback"
AREA_TABLE = "mognad-area-table"
# The profile's choice, chart and table, drawn together by the page's first answer (profile_body).
PROFILE_BODY = "mognad-profile-body"

MATURITY_METRICS = ("maturity_self", "maturity_evidence")
# The nodes a profile can be drawn for (the dropdown's values are "scope_type:code").
PROFILE_SCOPE_TYPES = ("administration", "governance_object")
TEXT = {
    "sv": {
        "title": "Mognad",
        "lead": (
            "Självskattad mognad (0 Saknas – 5 Optimerad): varje områdes senaste bedömning per "
            "förvaltning och förvaltningsobjekt, bredvid den belagda mognaden som räknas fram ur "
            "täckning, åtgärder och uppföljning."
        ),
        "heatmap": "Självskattad mognad per förvaltning och område",
        "comparison": "Självskattad och belagd mognad per förvaltning",
        "trend": "Mognad över tid",
        "profile": "En förvaltnings profil",
        "pick": "Välj förvaltning eller förvaltningsobjekt",
        "object_suffix": "(förvaltningsobjekt)",
        "holdback": "Vad håller den belagda nivån nere",
        "holdback_lead": (
            "Den belagda nivån är den högsta nivå vars alla krav är uppfyllda, räknat ur "
            "täckning, åtgärder och uppföljning (kraven per nivå står i tabellen längst ned). "
            "Här står vilka krav som inte nås för nästa nivå."
        ),
        "scope": "Förvaltning, enhet eller förvaltningsobjekt",
        "evidence_level": "Belagd nivå",
        "held_back_by": "Det som saknas för nästa nivå",
        "not_reached": "Nivå {level} nås inte: {reasons}",
        "top_level": "Högsta nivån är nådd.",
        "no_assets": "Inga informationstillgångar att bedöma.",
        "of": "{numerator} av {denominator}",
        "at_least": "minst",
        "at_most": "högst",
        "areas": "Områdenas bedömningar",
        "area": "Område",
        "self_level": "Självskattad nivå",
        "assessed_on": "Bedömd",
        "age": "Ålder",
        "months": "{months} mån",
        "area_evidence": "Belagd nivå (området)",
        "requirements": "Krav per nivå för den belagda mognaden",
        "requirement": "Krav",
        "share": "Andel",
        "not_required": "–",
        "unit_suffix": "(enhet)",
        "pick_municipality": "Hela landet jämförs per kommun. Välj en kommun för att se dess "
        "förvaltningar.",
        "country_comparison_title": "De {shown} kommunerna med lägst belagd nivå av {total}",
        "profile_pick_municipality": "Hela landet har fler förvaltningar och förvaltningsobjekt "
        "än en lista man läser. Välj en kommun för att se en förvaltnings profil.",
        "municipality": "Kommun",
        "municipality_level": "Kommunens belagda nivå",
        "administrations": "Förvaltningar",
        "own_shortfalls": "Håller kommunen nere",
        "country_holdback_lead": (
            "Per kommun: kommunens belagda nivå och vilka krav som håller den nere (kommunens "
            "siffror räknar in de gemensamma förvaltningsobjekt den deltar i), och för varje krav "
            "hur många av kommunens förvaltningar som det håller borta från nästa nivå. Lägst "
            "belagd nivå först, och på samma nivå störst skillnad mot den självskattade mognaden "
            "(där självskattningen smickrar mest). Välj en kommun för att se varje förvaltning."
        ),
        "country_rows_shown": (
            "De {shown} kommunerna med lägst nivå av {total} visas. Välj en kommun för att se "
            "dess förvaltningar."
        ),
        "criterion_classification_coverage": "Klassade",
        "criterion_classifications_expired_share": "Förfallna klassningar",
        "criterion_risk_analysis_coverage": "Riskanalyserade",
        "criterion_action_plan_coverage": "Risker med åtgärd",
        "criterion_actions_overdue_share": "Försenade åtgärder",
        "criterion_actions_on_time_rate": "Klara i tid",
        "criterion_gdpr_coverage": "I registerförteckningen",
        "criterion_follow_up_rate": "Uppföljning",
        "nothing_holds_back": "Inget",
        "units_only": (
            "Självskattad mognad bedöms per förvaltning och förvaltningsobjekt, inte per enhet. "
            "Din enhets belagda nivå står under ”Vad håller den belagda nivån nere”."
        ),
    },
    "en": {
        "title": "Maturity",
        "lead": (
            "Self-assessed maturity (0 Missing – 5 Optimised): each area's latest assessment per "
            "administration and governance object, beside the evidence-based level derived from "
            "coverage, actions and follow-up."
        ),
        "heatmap": "Self-assessed maturity per administration and area",
        "comparison": "Self-assessed and evidence-based maturity per administration",
        "trend": "Maturity over time",
        "profile": "One administration's profile",
        "pick": "Choose an administration or governance object",
        "object_suffix": "(governance object)",
        "holdback": "What holds the evidence-based level back",
        "holdback_lead": (
            "The evidence-based level is the highest level whose requirements are all met, counted "
            "from coverage, actions and follow-up (the requirements per level are in the table at "
            "the bottom). Listed here: the requirements of the next level that are not met."
        ),
        "scope": "Administration, unit or governance object",
        "evidence_level": "Evidence-based level",
        "held_back_by": "Missing for the next level",
        "not_reached": "Level {level} not reached: {reasons}",
        "top_level": "The highest level is reached.",
        "no_assets": "No information assets to assess.",
        "of": "{numerator} of {denominator}",
        "at_least": "at least",
        "at_most": "at most",
        "areas": "The areas' assessments",
        "area": "Area",
        "self_level": "Self-assessed level",
        "assessed_on": "Assessed",
        "age": "Age",
        "months": "{months} months",
        "area_evidence": "Evidence-based level (area)",
        "requirements": "Requirements per level of the evidence-based maturity",
        "requirement": "Requirement",
        "share": "Share",
        "not_required": "–",
        "unit_suffix": "(unit)",
        "pick_municipality": "The whole country is compared per municipality. Choose a "
        "municipality to see its administrations.",
        "country_comparison_title": "The {shown} municipalities with the lowest "
        "evidence-based level of {total}",
        "profile_pick_municipality": "The whole country has more administrations and governance "
        "objects than a list one reads. Choose a municipality to see an administration's profile.",
        "municipality": "Municipality",
        "municipality_level": "Municipality's evidence-based level",
        "administrations": "Administrations",
        "own_shortfalls": "Holds the municipality back",
        "country_holdback_lead": (
            "Per municipality: its evidence-based level and the requirements that hold it back "
            "(a municipality's figures include the shared governance objects it takes part in), "
            "and for each requirement how many of its administrations it keeps from their next "
            "level. Lowest evidence-based level first and, at the same level, the largest gap to "
            "the self-assessed maturity (where self-assessment flatters most). Choose a "
            "municipality to see each administration."
        ),
        "country_rows_shown": (
            "The {shown} municipalities with the lowest level of {total} are shown. Choose a "
            "municipality to see its administrations."
        ),
        "criterion_classification_coverage": "Classified",
        "criterion_classifications_expired_share": "Expired classifications",
        "criterion_risk_analysis_coverage": "Risk-analysed",
        "criterion_action_plan_coverage": "Risks with an action",
        "criterion_actions_overdue_share": "Overdue actions",
        "criterion_actions_on_time_rate": "Completed on time",
        "criterion_gdpr_coverage": "In the record of processing",
        "criterion_follow_up_rate": "Follow-up",
        "nothing_holds_back": "Nothing",
        "units_only": (
            "Self-assessed maturity is assessed per administration and governance object, not "
            "per unit. Your unit's evidence-based level is under “What holds the evidence-based "
            "level back”."
        ),
    },
}


_tr = translator(TEXT)


# Each chart's "Visa som tabell" (dashboard/chart_table.py).
register_chart_tables(HEATMAP, COMPARISON, TREND, PROFILE)


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
                _tr("heatmap", lang),
                chart_with_table(
                    dcc.Loading(chart(HEATMAP, lang)),
                    _tr("heatmap", lang),
                    lang,
                ),
            ),
            # Side by side only from 1400 px: at 1366 px the comparison's level names stood on
            # end and the trend's legend of a dozen scopes left its plot a strip.
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            _tr("comparison", lang),
                            chart_with_table(
                                dcc.Loading(chart(COMPARISON, lang)),
                                _tr("comparison", lang),
                                lang,
                            ),
                        ),
                        xs=12,
                        xxl=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        chart_card(
                            _tr("trend", lang),
                            chart_with_table(
                                dcc.Loading(chart(TREND, lang)),
                                _tr("trend", lang),
                                lang,
                            ),
                        ),
                        xs=12,
                        xxl=6,
                        className="mb-3",
                    ),
                ],
                className="g-3 mt-1",
            ),
            chart_card(
                _tr("holdback", lang),
                [
                    html.P(_tr("holdback_lead", lang), className="small text-muted"),
                    dcc.Loading(html.Div(id=HOLDBACK)),
                ],
            ),
            chart_card(
                _tr("profile", lang),
                dcc.Loading(html.Div(profile_body(lang), id=PROFILE_BODY)),
            ),
            chart_card(_tr("requirements", lang), requirements_table(lang)),
        ]
    )


def profile_body(lang: str, options=None, value=None, figure=None, areas=None) -> list:
    """The profile card's content: the choice, the chart and the areas' table.

    ``update_maturity`` answers with all of it at once, the choice already made and its profile
    drawn. Dash then sees a new dropdown whose callback's outputs came with it, and since
    ``update_profile`` does not run initially, it is not called: the page draws once. Before,
    the first answer set the dropdown's value, which called ``update_profile``, and the page drew
    its profile a second time after the other four charts (1–2 s of the browser's main thread
    nationally). A later choice in the dropdown calls ``update_profile`` alone."""
    return [
        dbc.Label(_tr("pick", lang), html_for=PROFILE_SELECT),
        dcc.Dropdown(
            id=PROFILE_SELECT,
            options=options or [],
            value=value,
            clearable=False,
            placeholder=_tr("pick", lang),
        ),
        chart_with_table(
            dcc.Loading(chart(PROFILE, lang, figure)),
            _tr("profile", lang),
            lang,
        ),
        dcc.Loading(html.Div(areas, id=AREA_TABLE)),
    ]


# --------------------------------------------------------------------------- pure helpers


def restrict_matrix(matrix: pd.DataFrame, administration: str | None) -> pd.DataFrame:
    """The matrix rows of the chosen administration only (all rows when none is chosen)."""
    if administration and not matrix.empty:
        return matrix[matrix["scope_id"] == administration]
    return matrix


def name_areas(matrix: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The matrix with each area named in ``lang`` (etl.vocab holds the English names)."""
    if lang == "sv" or matrix is None or matrix.empty:
        return matrix
    return matrix.assign(
        area_name=[
            area_name(code, name, lang)
            for code, name in zip(matrix["area_code"], matrix["area_name"], strict=True)
        ]
    )


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
    """compute_kpis rows → one row per administration with maturity_self and maturity_evidence.

    Built from a dict, not pivot_table (which took 50–120 ms for the country's 290 rows)."""
    columns = ["scope_id", "scope_name", *MATURITY_METRICS]
    if kpis is None or kpis.empty:
        return pd.DataFrame(columns=columns)
    wide: dict[tuple[str, str], dict[str, float]] = {}
    for scope_id, name, metric, value in zip(
        kpis["scope_id"], kpis["scope_name"], kpis["metric"], kpis["value"], strict=True
    ):
        entry = wide.setdefault((scope_id, name), {})
        if metric in MATURITY_METRICS and metric not in entry:  # the first, as aggfunc="first"
            entry[metric] = float("nan") if value is None or pd.isna(value) else float(value)
    rows = [
        (scope_id, name, *(entry.get(m, float("nan")) for m in MATURITY_METRICS))
        for (scope_id, name), entry in sorted(wide.items())
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.dropna(subset=list(MATURITY_METRICS), how="all").reset_index(drop=True)


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


def _percent(share: float, lang: str, against: float | None = None) -> str:
    """A share in whole percent, or with a decimal where whole percent would read as the
    threshold it misses (50,4 % against "högst 50 %")."""
    text = format_percent(share, 0, lang)
    if against is not None and text == format_percent(against, 0, lang) and share != against:
        text = format_percent(share, 1, lang)
    return text


def criterion_text(criterion: EvidenceCriterion, lang: str, value: str) -> str:
    template = criterion.en if lang == "en" else criterion.sv
    return template.format(value=value)


def shortfall_text(shortfall: Shortfall, lang: str) -> str:
    """ "68 % av de öppna åtgärderna är försenade (13 av 19; högst 20 %)"."""
    criterion = shortfall.criterion
    counts = _tr("of", lang).format(
        numerator=format_number(shortfall.numerator, 0, lang),
        denominator=format_number(shortfall.denominator, 0, lang),
    )
    bound = _tr("at_least" if criterion.at_least else "at_most", lang)
    threshold = format_percent(shortfall.threshold, 0, lang)
    value = _percent(shortfall.share, lang, shortfall.threshold)
    return f"{criterion_text(criterion, lang, value)} ({counts}; {bound} {threshold})"


def holdback_text(holdback: Holdback, lang: str) -> str:
    """What keeps one scope from its next evidence level, in a sentence."""
    if holdback.level is None:
        return _tr("no_assets", lang)
    if not holdback.shortfalls:
        return _tr("top_level", lang)
    reasons = "; ".join(shortfall_text(s, lang) for s in holdback.shortfalls)
    return _tr("not_reached", lang).format(level=holdback.level + 1, reasons=reasons)


def holdback_scope_types(administration: str | None, viewer) -> tuple[str, ...]:
    """Administrations and objects; their units too when one administration is chosen or when
    the viewer sees units only (a manager): a unit's own evidence, not thousands of rows."""
    types = ("administration", "governance_object")
    if administration or "administration" not in viewer.visible_scope_types:
        types += ("unit",)
    return types


def holdback_table(holdbacks: list[Holdback], lang: str):
    if not holdbacks:
        return no_data(lang)
    names = scope_labels([h.scope_id for h in holdbacks], [h.scope_name for h in holdbacks])
    suffixes = {"governance_object": _tr("object_suffix", lang), "unit": _tr("unit_suffix", lang)}
    order = {"administration": 0, "unit": 1, "governance_object": 2}
    ordered = sorted(holdbacks, key=lambda h: (order[h.scope_type], names[h.scope_id]))
    header = html.Thead(
        html.Tr(
            [
                html.Th(_tr("scope", lang), scope="col"),
                html.Th(_tr("evidence_level", lang), scope="col"),
                html.Th(_tr("held_back_by", lang), scope="col"),
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(f"{names[h.scope_id]} {suffixes.get(h.scope_type, '')}".strip()),
                html.Td(level_label(h.level, lang)),
                html.Td(holdback_text(h, lang)),
            ]
        )
        for h in ordered
    ]
    return scroll_region(
        dbc.Table([header, html.Tbody(rows)], size="sm", className="mb-1"),
        _tr("holdback", lang),
    )


# The profile's list offers every assessed administration and object up to this many (a
# municipality has a handful); the country's view beyond it asks for a municipality first.
PROFILE_OPTIONS_SHOWN = 300

# The country view lists at most this many municipalities (290 rows of 12 columns would be a
# table nobody reads on one screen, and counting each one's evidence costs about 60 ms of CPU
# nationally); those with the lowest level come first.
COUNTRY_HOLDBACKS_SHOWN = 15


@functools.lru_cache(maxsize=1024)
def count_text(count: int, lang: str) -> str:
    """A whole count as format_number writes it, remembered: the country's table writes some
    150 small counts, and babel reads its locale data for every one (about 50 ms in all)."""
    return format_number(count, 0, lang)


def criterion_label(code: str, lang: str) -> str:
    """A criterion's short name for a column heading (rules.EVIDENCE_CRITERIA's codes)."""
    return _tr(f"criterion_{code}", lang)


def country_holdback_table(rows: list[MunicipalityHoldback], total: int, lang: str):
    """Per municipality: its level, what holds it back, and per criterion how many of its
    administrations that criterion holds back (``rows`` of ``total`` municipalities)."""
    if not rows:
        return no_data(lang)
    codes = [criterion.code for criterion in EVIDENCE_CRITERIA]
    header = html.Thead(
        html.Tr(
            [
                html.Th(_tr("municipality", lang), scope="col"),
                html.Th(_tr("municipality_level", lang), scope="col"),
                html.Th(_tr("own_shortfalls", lang), scope="col"),
                html.Th(_tr("administrations", lang), scope="col"),
                *[html.Th(criterion_label(code, lang), scope="col") for code in codes],
            ]
        )
    )
    shown = rows
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Th(r.name, scope="row", className="fw-normal"),
                    html.Td(level_label(r.level, lang)),
                    html.Td(
                        ", ".join(criterion_label(code, lang) for code in r.own_shortfalls)
                        or (_tr("nothing_holds_back", lang) if r.level is not None else "–")
                    ),
                    html.Td(count_text(r.administrations, lang), className="text-end"),
                    *[
                        html.Td(count_text(r.held_back[code], lang), className="text-end")
                        for code in codes
                    ],
                ]
            )
            for r in shown
        ]
    )
    parts = [
        html.P(_tr("country_holdback_lead", lang), className="small text-muted"),
        scroll_region(
            dbc.Table([header, body], size="sm", className="mb-1", id=COUNTRY_HOLDBACK),
            _tr("holdback", lang),
        ),
    ]
    if total > len(shown):
        note = _tr("country_rows_shown", lang).format(
            shown=format_number(len(shown), 0, lang), total=format_number(total, 0, lang)
        )
        parts.append(html.P(note, className="small text-muted"))
    return html.Div(parts)


def months_between(earlier, later) -> int:
    """Whole months from ``earlier`` to ``later`` (2026-04-01 → 2026-11-28: 7)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (later.day < earlier.day)


def area_table(rows: pd.DataFrame, evidence: dict[str, int | None], as_of, lang: str):
    """Each area of one scope: its self-assessed level with the date and age of the assessment,
    beside the evidence-based level of that area where the model has criteria for it."""
    if rows is None or rows.empty:
        return None
    header = html.Thead(
        html.Tr(
            [
                html.Th(_tr(key, lang), scope="col")
                for key in ("area", "self_level", "assessed_on", "age", "area_evidence")
            ]
        )
    )
    body = [
        html.Tr(
            [
                html.Td(r.area_name),
                html.Td(level_label(r.level, lang)),
                html.Td(format_date(r.assessed_on, lang)),
                html.Td(_tr("months", lang).format(months=months_between(r.assessed_on, as_of))),
                html.Td(level_label(evidence.get(r.area_code), lang)),
            ]
        )
        for r in rows.sort_values(["area_order", "area_name"]).itertuples(index=False)
    ]
    return scroll_region(
        dbc.Table([header, html.Tbody(body)], size="sm", className="mb-1", id=f"{AREA_TABLE}-rows"),
        _tr("areas", lang),
    )


def requirements_table(lang: str):
    """The evidence model's thresholds per level (etl.kpi.rules.EVIDENCE_CRITERIA)."""
    levels = MATURITY_LEVELS_EN if lang == "en" else MATURITY_LEVELS
    header = html.Thead(
        html.Tr(
            [html.Th(_tr("requirement", lang), scope="col")]
            + [html.Th(f"{n} {levels[n]}", scope="col") for n in EVIDENCE_LEVELS]
        )
    )
    body = []
    for criterion in EVIDENCE_CRITERIA:
        bound = _tr("at_least" if criterion.at_least else "at_most", lang)
        body.append(
            html.Tr(
                [html.Td(criterion_text(criterion, lang, _tr("share", lang)))]
                + [
                    html.Td(
                        _tr("not_required", lang)
                        if t is None
                        else f"{bound} {format_percent(t, 0, lang)}"
                    )
                    for t in criterion.thresholds
                ]
            )
        )
    return scroll_region(
        dbc.Table([header, html.Tbody(body)], size="sm", className="mb-1"),
        _tr("requirements", lang),
    )


# --------------------------------------------------------------------------- callbacks


@callback(
    Output(HEATMAP, "figure"),
    Output(COMPARISON, "figure"),
    Output(TREND, "figure"),
    Output(HOLDBACK, "children"),
    Output(PROFILE_BODY, "children"),
    Input(c.FILTERS_STORE, "data"),
    State(PROFILE_SELECT, "value"),
)
@cached_output
def update_maturity(filters_data, current_profile):
    """The whole page in one answer: the four charts, the hold-back table and the profile of the
    chosen (or first) administration with its choice (profile_body)."""
    heat, comparison, trend, options, value, holdback = maturity_parts(
        filters_data, current_profile
    )
    figure, areas = profile_parts(value, filters_data)
    lang = Filters.from_store(filters_data).lang
    return heat, comparison, trend, holdback, profile_body(lang, options, value, figure, areas)


def maturity_parts(filters_data, current_profile):
    """Heatmap, comparison and trend figures, the profile's options and choice, and the
    hold-back table."""
    filters = Filters.from_store(filters_data)
    lang, as_of = filters.lang, filters.as_of
    viewer = current_viewer()
    with store.read_session() as session:
        by_municipality = national_comparison(session, filters, viewer)
        if by_municipality is not None:
            country = municipality_holdbacks(
                session, as_of, viewer, COUNTRY_HOLDBACKS_SHOWN, kpis=by_municipality
            )
            # The profile list of the country's 1 356 administrations and 223 objects was
            # 150 kB that nobody scrolls through: past PROFILE_OPTIONS_SHOWN it waits for a
            # municipality, like the heatmap and the trend (the matrix is not read at all).
            many = assessed_node_count(session, as_of, viewer) > PROFILE_OPTIONS_SHOWN
            matrix = pd.DataFrame() if many else maturity_matrix(session, as_of, viewer)
        else:
            # The heatmap's matrix and the trend's history from one read of the analyses.
            matrix, history = maturity_matrix_and_history(
                session,
                as_of,
                viewer,
                municipality=filters.municipality,
                administration=filters.administration,
            )
            kpis = compute_kpis(
                session,
                as_of,
                viewer,
                scope_types=["administration"],
                municipality=filters.municipality,
                administration=filters.administration,
                metrics=list(MATURITY_METRICS),
            )
            holdbacks = evidence_holdbacks(
                session,
                as_of,
                viewer,
                scope_types=holdback_scope_types(filters.administration, viewer),
                municipality=filters.municipality,
                administration=filters.administration,
            )
    options = profile_options(matrix, lang)
    profile = pick_profile(options, current_profile, filters.administration)
    if by_municipality is not None:
        pick = empty_figure(_tr("pick_municipality", lang), lang)
        comparison = country_comparison(by_municipality, *country, lang)
        return pick, comparison, pick, options, profile, country_holdback_table(*country, lang)
    matrix = name_areas(restrict_matrix(matrix, filters.administration), lang)
    history = (
        history[pd.to_datetime(history["assessed_on"]).dt.date <= as_of]
        if (not history.empty)
        else history
    )
    names = scope_names(matrix, kpis.drop_duplicates("scope_id") if not kpis.empty else kpis)
    if units_only(viewer) and matrix.empty:
        note = empty_figure(_tr("units_only", lang), lang)
        return note, note, note, options, profile, holdback_table(holdbacks, lang)
    return (
        maturity_heatmap(matrix, lang),
        maturity_comparison_figure(comparison_frame(kpis), lang),
        maturity_trend_figure(name_history(history, names), lang),
        options,
        profile,
        holdback_table(holdbacks, lang),
    )


def country_comparison(kpis: pd.DataFrame, rows: list[MunicipalityHoldback], total: int, lang: str):
    """The comparison of the municipalities the hold-back table shows (the lowest evidence
    level first), saying so in its title when there are more: 290 municipalities were a chart
    12 900 pixels high with 580 bars that kept the browser drawing for seconds."""
    frame = comparison_frame(kpis)
    title = None
    if total > len(rows):
        shown = {r.code for r in rows}
        frame = frame[frame["scope_id"].isin(shown)].reset_index(drop=True)
        title = _tr("country_comparison_title", lang).format(
            shown=format_number(len(rows), 0, lang), total=format_number(total, 0, lang)
        )
    return maturity_comparison_figure(frame, lang, title)


def units_only(viewer) -> bool:
    """Whether the viewer sees units and no administration (a manager): self-assessed maturity
    is assessed per administration and object, so the charts would be empty without saying
    why."""
    return "administration" not in viewer.visible_scope_types


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
    Output(AREA_TABLE, "children"),
    Input(PROFILE_SELECT, "value"),
    State(c.FILTERS_STORE, "data"),
    # The first answer (update_maturity) draws the profile with the rest of the page, and again
    # with new filters: this answers a choice in the dropdown only.
    prevent_initial_call=True,
)
@cached_output
def update_profile(selected, filters_data):
    return profile_parts(selected, filters_data)


def profile_parts(selected, filters_data):
    """The chosen node's radar and its areas' table (``selected`` is "scope_type:code")."""
    filters = Filters.from_store(filters_data)
    lang = filters.lang
    scope_type, _, scope_id = (selected or "").partition(":")
    viewer = current_viewer()
    with store.read_session() as session:
        # The chosen node's rows only (the country's matrix was read to pick one node from it).
        matrix = (
            maturity_matrix(
                session,
                filters.as_of,
                viewer,
                municipality=filters.municipality,
                administration=scope_id if scope_type == "administration" else None,
                scope_types=(scope_type,),
            )
            if scope_type in PROFILE_SCOPE_TYPES and scope_id
            else pd.DataFrame()
        )
        rows = (
            matrix[(matrix["scope_type"] == scope_type) & (matrix["scope_id"] == scope_id)]
            if (not matrix.empty)
            else matrix
        )
        evidence = (
            area_evidence_levels(
                session,
                filters.as_of,
                viewer,
                scope_type,
                scope_id,
                municipality=filters.municipality,
            )
            if not rows.empty
            else {}
        )
        country = (
            not selected
            and not filters.municipality
            and not filters.administration
            and visible_municipality_count(session, viewer) > MUNICIPALITIES_WITH_ADMINISTRATIONS
        )
    if country:  # the country's view offers no profile list (update_maturity)
        return empty_figure(_tr("profile_pick_municipality", lang), lang), None
    name = rows.iloc[0]["scope_name"] if not rows.empty else ""
    rows = name_areas(rows, lang)
    if rows.empty and units_only(viewer):
        return empty_figure(_tr("units_only", lang), lang), area_table(
            rows, {}, filters.as_of, lang
        )
    return (
        maturity_profile_figure(rows, name, lang),
        area_table(rows, evidence, filters.as_of, lang),
    )
