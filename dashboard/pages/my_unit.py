"""Min enhet: one unit — its assets and their classification status, reviews due within 90 days,
its actions, and its latest follow-up report (submitted, training, last access review)."""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard import constants as c
from dashboard import store
from dashboard.cells import td, tr
from dashboard.chart_table import chart_with_table, register_chart_tables
from dashboard.figures.actions import aging_figure
from dashboard.filters import Filters, query_language
from dashboard.i18n import translator
from dashboard.layout import (
    chart_card,
    create_page_header,
    empty_state,
    graph_config,
    kpi_card,
    metric_card_id,
    no_data,
)
from dashboard.output_cache import cached_output
from dashboard.queries.my_unit import (
    MAX_UNIT_OPTIONS,
    hidden_unit_actions,
    latest_follow_up,
    resolve_unit,
    reviews_due,
    unit_actions,
    unit_assets,
    unit_kpis,
    unit_options,
)
from dashboard.viewer_context import current_viewer
from etl.formatting import format_date, format_number, format_percent, format_value
from etl.kpi.compute import AGING_BUCKETS
from etl.kpi.definitions import METRICS

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/min-enhet", name="Min enhet", name_en="My unit", order=6)

UNIT = "min-enhet-unit"
CARDS = "min-enhet-cards"
AGING = "min-enhet-aging"
ASSETS = "min-enhet-assets"
REVIEWS = "min-enhet-reviews"
ACTIONS = "min-enhet-actions"
FOLLOW_UP = "min-enhet-follow-up"

CARD_METRICS = (
    "assets",
    "classification_coverage",
    "reviews_due_90d",
    "actions_open",
    "actions_overdue",
)

TEXT = {
    "sv": {
        "title": "Min enhet",
        "lead": "Enhetens informationstillgångar, klassningar att se över, åtgärder och "
        "uppföljning.",
        "unit": "Enhet",
        "pick": "Välj enhet",
        "no_units": "Det finns ingen enhet som du får se.",
        "narrow": "Du får se fler än {count} enheter. Välj kommun eller förvaltning i filtret "
        "för att välja enhet.",
        "cards_note": "Siffrorna räknar tillgångar där enheten är primär ägare.",
        "aging": "Enhetens försenade åtgärder",
        "assets": "Informationstillgångar",
        "reviews": "Översyn inom 90 dagar",
        "no_reviews": "Ingen klassning behöver ses över de närmaste 90 dagarna.",
        "actions": "Åtgärder, försenade först",
        "no_actions": "Enheten har inga åtgärder.",
        "follow_up": "Uppföljning",
        "no_report": "Ingen uppföljning är inlämnad ännu.",
        "period": "Period",
        "submitted": "Inlämnad",
        "yes": "Ja",
        "no": "Nej",
        "training": "Utbildad personal",
        "access_review": "Senaste behörighetsgenomgång",
        "older_period": "Senaste rapporten gäller {period}; perioden nu är {current}.",
        "asset_code": "Id",
        "asset_name": "Informationstillgång",
        "carrier_name": "Informationsbärare",
        "governance_object_name": "Förvaltningsobjekt",
        "owner_role": "Roll",
        "status": "Klassning",
        "classified_on": "Klassad",
        "review_on": "Översyn senast",
        "code": "Id",
        "action_title": "Åtgärd",
        "responsible": "Ansvarig",
        "due_on": "Slutdatum",
        "action_status": "Status",
        "days_overdue": "Dagar försenad",
        "shown": "Visar {shown} av {total}.",
        "hidden": "{count} tillgångar med säkerhetsskydd visas inte.",
        "hidden_actions": "{count} åtgärder för tillgångar med säkerhetsskydd räknas i siffrorna "
        "men visas inte.",
    },
    "en": {
        "title": "My unit",
        "lead": "The unit's information assets, classifications to review, actions and follow-up.",
        "unit": "Unit",
        "pick": "Choose a unit",
        "no_units": "There is no unit you may see.",
        "narrow": "You may see more than {count} units. Choose a municipality or "
        "administration in the filter to choose a unit.",
        "cards_note": "The numbers count assets of which the unit is the primary owner.",
        "aging": "The unit's overdue actions",
        "assets": "Information assets",
        "reviews": "Reviews due within 90 days",
        "no_reviews": "No classification is due for review in the next 90 days.",
        "actions": "Actions, overdue first",
        "no_actions": "The unit has no actions.",
        "follow_up": "Follow-up",
        "no_report": "No follow-up report has been submitted yet.",
        "period": "Period",
        "submitted": "Submitted",
        "yes": "Yes",
        "no": "No",
        "training": "Staff trained",
        "access_review": "Latest access review",
        "older_period": "The latest report is for {period}; the period now is {current}.",
        "asset_code": "Id",
        "asset_name": "Information asset",
        "carrier_name": "Carrier",
        "governance_object_name": "Governance object",
        "owner_role": "Role",
        "status": "Classification",
        "classified_on": "Classified",
        "review_on": "Review by",
        "code": "Id",
        "action_title": "Action",
        "responsible": "Responsible",
        "due_on": "Due",
        "action_status": "Status",
        "days_overdue": "Days overdue",
        "shown": "Showing {shown} of {total}.",
        "hidden": "{count} assets under security protection are not shown.",
        "hidden_actions": "{count} actions of assets under security protection are counted but "
        "not shown.",
    },
}
STATUS_CLASS = {"current": "status-ok", "expired": "status-bad", "missing": "status-bad"}


_tr = translator(TEXT)


# Each chart's "Visa som tabell" (dashboard/chart_table.py).
register_chart_tables(AGING)


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
            dbc.Row(
                dbc.Col(
                    [
                        dbc.Label(_tr("unit", lang), html_for=UNIT),
                        dcc.Dropdown(id=UNIT, placeholder=_tr("pick", lang), clearable=False),
                    ],
                    xs=12,
                    md=6,
                    lg=4,
                ),
                className="mb-3",
            ),
            dbc.Row(id=CARDS, className="g-3 mb-3"),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(_tr("follow_up", lang), html.Div(id=FOLLOW_UP)),
                        xs=12,
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        chart_card(
                            _tr("aging", lang),
                            chart_with_table(
                                dcc.Loading(dcc.Graph(id=AGING, config=graph_config(lang))),
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
            chart_card(_tr("reviews", lang), html.Div(id=REVIEWS)),
            html.Div(className="mb-3"),
            chart_card(_tr("actions", lang), html.Div(id=ACTIONS)),
            html.Div(className="mb-3"),
            chart_card(_tr("assets", lang), html.Div(id=ASSETS)),
        ]
    )


# --------------------------------------------------------------------------- pieces (pure)


def _cell(field: str, value, lang: str):
    if field in ("classified_on", "review_on", "due_on", "completed_on"):
        return format_date(value if value == value else None, lang)
    if field == "days_overdue":
        return "–" if value is None or value != value else format_number(value, 0, lang)
    return "–" if value is None or value != value else str(value)  # plain text, never markup


def create_table(
    frame: pd.DataFrame,
    fields: list[tuple[str, str]],
    lang: str,
    table_id: str,
    status_field: str | None = None,
):
    header = html.Thead(html.Tr([html.Th(_tr(label, lang), scope="col") for _, label in fields]))
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for field, _ in fields:
            css = ""
            if status_field and field == "status":
                css = STATUS_CLASS.get(record.get(status_field), "")
            if (
                field == "days_overdue"
                and record.get(field) == record.get(field)
                and record.get(field) is not None
            ):
                css = "status-bad"
            cells.append(td(_cell(field, record.get(field), lang), className=css))
        rows.append(tr(cells))  # dashboard.cells: the same components, unchecked (faster)
    return html.Div(
        dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, className="mb-1", id=table_id),
        className="table-responsive",
    )


ASSET_TABLE = [
    ("asset_code", "asset_code"),
    ("asset_name", "asset_name"),
    ("carrier_name", "carrier_name"),
    ("governance_object_name", "governance_object_name"),
    ("owner_role", "owner_role"),
    ("status", "status"),
    ("classified_on", "classified_on"),
    ("review_on", "review_on"),
]
REVIEW_TABLE = [
    ("asset_code", "asset_code"),
    ("asset_name", "asset_name"),
    ("owner_role", "owner_role"),
    ("review_on", "review_on"),
]
ACTION_TABLE = [
    ("code", "code"),
    ("title", "action_title"),
    ("responsible", "responsible"),
    ("due_on", "due_on"),
    ("status", "action_status"),
    ("days_overdue", "days_overdue"),
]


def create_cards(kpis: pd.DataFrame, lang: str) -> list:
    cards = []
    for metric in CARD_METRICS:
        m = METRICS[metric]
        value = kpis["value"].get(metric) if not kpis.empty else None
        cards.append(
            dbc.Col(
                kpi_card(
                    metric_card_id("min-enhet", metric),
                    m.label_en if lang == "en" else m.label_sv,
                    format_value(value, m.kind, lang),
                ),
                xs=12,
                sm=6,
                md=4,
                xl=True,
            )
        )
    cards.append(dbc.Col(html.P(_tr("cards_note", lang), className="small text-muted mb-0"), xs=12))
    return cards


def aging_frame(kpis: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for metric, bucket in AGING_BUCKETS:
        value = kpis["value"].get(metric) if not kpis.empty else None
        rows.append(
            {"bucket": bucket, "count": 0 if value is None or value != value else int(value)}
        )
    return pd.DataFrame(rows, columns=["bucket", "count"])


def create_follow_up(report: dict | None, lang: str):
    if report is None:
        return html.P(_tr("no_report", lang), className="text-muted")
    training = report["training_completion_pct"]
    training_text = "–" if training is None else format_percent(training / 100, 0, lang)
    items = [
        (_tr("period", lang), report["period"]),
        (
            _tr("submitted", lang),
            _tr("yes" if report["submitted"] else "no", lang)
            + (f" ({format_date(report['submitted_on'], lang)})" if report["submitted_on"] else ""),
        ),
        (_tr("training", lang), training_text),
        (_tr("access_review", lang), format_date(report["last_access_review_on"], lang)),
    ]
    parts = [
        html.Dl(
            [
                element
                for label, value in items
                for element in (html.Dt(label), html.Dd(value, className="mb-2"))
            ],
            className="mb-0",
            id="min-enhet-follow-up-list",
        )
    ]
    if report["period"] != report["current_period"]:
        parts.append(
            html.P(
                _tr("older_period", lang).format(
                    period=report["period"], current=report["current_period"]
                ),
                className="small status-bad mb-0",
            )
        )
    return parts


def _count_note(shown: int, total: int, lang: str):
    if total <= shown:
        return None
    return html.P(
        _tr("shown", lang).format(
            shown=format_number(shown, 0, lang), total=format_number(total, 0, lang)
        ),
        className="small text-muted",
    )


# --------------------------------------------------------------------------- callbacks


@callback(
    Output(UNIT, "options"),
    Output(UNIT, "value"),
    Input(c.FILTERS_STORE, "data"),
    State(UNIT, "value"),
)
@cached_output
def update_picker(filters_data, current):
    filters = Filters.from_store(filters_data)
    with store.read_session() as session:
        options = unit_options(
            session,
            current_viewer(),
            municipality=filters.municipality,
            administration=filters.administration,
        )
    return options or [], resolve_unit(options, current)


@callback(
    Output(CARDS, "children"),
    Output(AGING, "figure"),
    Output(FOLLOW_UP, "children"),
    Output(REVIEWS, "children"),
    Output(ACTIONS, "children"),
    Output(ASSETS, "children"),
    Input(UNIT, "value"),
    Input(c.FILTERS_STORE, "data"),
)
@cached_output
def update_unit(unit_code, filters_data):
    filters = Filters.from_store(filters_data)
    lang, as_of = filters.lang, filters.as_of
    viewer = current_viewer()
    with store.read_session() as session:
        options = unit_options(
            session,
            viewer,
            municipality=filters.municipality,
            administration=filters.administration,
        )
        unit = resolve_unit(options, unit_code)
        if unit is None:
            message = (
                _tr("no_units", lang)
                if options is not None
                else _tr("narrow", lang).format(count=format_number(MAX_UNIT_OPTIONS, 0, lang))
            )
            empty = html.P(message, className="text-muted")
            return [], aging_figure(None, lang), empty, no_data(lang), no_data(lang), no_data(lang)
        kpis = unit_kpis(session, as_of, unit, viewer)
        assets, asset_total, hidden = unit_assets(session, as_of, unit, viewer, lang=lang)
        actions, action_total = unit_actions(session, as_of, unit, viewer, lang=lang)
        hidden_actions = hidden_unit_actions(session, unit, viewer)
        report = latest_follow_up(session, as_of, unit, viewer)
    due = reviews_due(assets, as_of)
    reviews = (
        create_table(due, REVIEW_TABLE, lang, "min-enhet-reviews-table")
        if not due.empty
        else html.P(_tr("no_reviews", lang), className="text-muted")
    )
    action_part = [
        create_table(actions, ACTION_TABLE, lang, "min-enhet-actions-table")
        if not actions.empty
        else html.P(_tr("no_actions", lang), className="text-muted"),
        _count_note(len(actions), action_total, lang) if not actions.empty else None,
        html.P(
            _tr("hidden_actions", lang).format(count=hidden_actions),
            className="small text-muted",
            id="min-enhet-hidden-actions",
        )
        if hidden_actions
        else None,
    ]
    asset_part = [
        create_table(
            assets, ASSET_TABLE, lang, "min-enhet-assets-table", status_field="status_code"
        )
        if not assets.empty
        else no_data(lang),
        _count_note(len(assets), asset_total, lang),
        html.P(_tr("hidden", lang).format(count=hidden), className="small text-muted")
        if hidden
        else None,
    ]
    return (
        create_cards(kpis, lang),
        aging_figure(aging_frame(kpis), lang),
        create_follow_up(report, lang),
        reviews,
        action_part,
        asset_part,
    )
