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
    chart,
    chart_card,
    create_page_header,
    empty_state,
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
    unit_todo,
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
TODO = "min-enhet-todo"
TODO_KINDS = ("unclassified", "unanalysed", "reviews_due", "overdue", "due_soon")

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
        "todo": "Att göra",
        "todo_unclassified": "Saknar aktuell klassning",
        "todo_unanalysed": "Saknar aktuell riskanalys",
        "todo_reviews_due": "Klassningar att se över inom 90 dagar",
        "todo_overdue": "Försenade åtgärder",
        "todo_due_soon": "Åtgärder som förfaller inom 30 dagar",
        "todo_follow_up": "Uppföljningsrapport att lämna",
        "todo_follow_up_item": "Rapporten för {period} (perioden slutade {date}) är inte inlämnad.",
        "todo_none": "Inget att göra här.",
        "todo_missing": "Aldrig klassad",
        "todo_expired": "Förföll {date}",
        "todo_never_analysed": "Aldrig riskanalyserad",
        "todo_lapsed": "Senaste analys {date}",
        "todo_review_on": "Ses över senast {date}",
        "todo_due_on": "Slutdatum {date}",
        "todo_days_overdue": "Slutdatum {date}, {days} dagar försenad",
        "todo_hidden": "{count} till med säkerhetsskydd räknas men visas inte.",
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
        "todo": "To do",
        "todo_unclassified": "No current classification",
        "todo_unanalysed": "No current risk analysis",
        "todo_reviews_due": "Classifications to review within 90 days",
        "todo_overdue": "Overdue actions",
        "todo_due_soon": "Actions due within 30 days",
        "todo_follow_up": "Follow-up report to submit",
        "todo_follow_up_item": "The report for {period} (the period ended {date}) is not in.",
        "todo_none": "Nothing to do here.",
        "todo_missing": "Never classified",
        "todo_expired": "Expired {date}",
        "todo_never_analysed": "Never risk-analysed",
        "todo_lapsed": "Latest analysis {date}",
        "todo_review_on": "Review by {date}",
        "todo_due_on": "Due {date}",
        "todo_days_overdue": "Due {date}, {days} days overdue",
        "todo_hidden": "{count} more under security protection are counted but not shown.",
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
            chart_card(_tr("todo", lang), html.Div(id=TODO)),
            html.Div(className="mb-3"),
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


def _todo_item_text(kind: str, row, lang: str) -> str:
    """One to-do item: what and the date that makes it due."""
    if kind in ("overdue", "due_soon"):
        name = f"{row.code} {row.title}" if row.title != row.code else row.code
        date = format_date(row.due_on, lang)
        if kind == "overdue":
            days = format_number(row.days_overdue, 0, lang)
            return f"{name} – {_tr('todo_days_overdue', lang).format(date=date, days=days)}"
        return f"{name} – {_tr('todo_due_on', lang).format(date=date)}"
    date = format_date(row.date if row.date == row.date else None, lang)
    when = {
        ("unclassified", "missing"): _tr("todo_missing", lang),
        ("unclassified", "expired"): _tr("todo_expired", lang).format(date=date),
        ("unanalysed", "missing"): _tr("todo_never_analysed", lang),
        ("unanalysed", "lapsed"): _tr("todo_lapsed", lang).format(date=date),
        ("reviews_due", "due"): _tr("todo_review_on", lang).format(date=date),
    }[(kind, row.status_code)]
    return f"{row.asset_code} {row.asset_name} – {when}"


def create_todo(todo, lang: str) -> list:
    """The unit's to-do list: one section per kind with its count (the unit's number) and its
    items, each with its date; the follow-up report last."""
    sections = []
    for kind in TODO_KINDS:
        frame = getattr(todo, kind)
        count = todo.count(kind)
        items = [html.Li(_todo_item_text(kind, row, lang)) for row in frame.itertuples()]
        hidden = todo.hidden.get(kind, 0)
        if hidden:
            items.append(
                html.Li(
                    _tr("todo_hidden", lang).format(count=format_number(hidden, 0, lang)),
                    className="text-muted",
                )
            )
        sections.append(
            html.Section(
                [
                    html.H3(
                        [f"{_tr(f'todo_{kind}', lang)} ", dbc.Badge(str(count), color="secondary")],
                        className="h6 mt-2",
                    ),
                    html.Ul(items, className="mb-2")
                    if items
                    else html.P(_tr("todo_none", lang), className="text-muted small mb-2"),
                ],
                id=f"{TODO}-{kind.replace('_', '-')}",
                **{"data-count": str(count)},
            )
        )
    due = todo.follow_up
    sections.append(
        html.Section(
            [
                html.H3(
                    [
                        f"{_tr('todo_follow_up', lang)} ",
                        dbc.Badge("1" if due else "0", color="secondary"),
                    ],
                    className="h6 mt-2",
                ),
                html.P(
                    _tr("todo_follow_up_item", lang).format(
                        period=due["period"], date=format_date(due["period_end"], lang)
                    )
                    if due
                    else _tr("todo_none", lang),
                    className="small mb-0" if due else "text-muted small mb-0",
                ),
            ],
            id=f"{TODO}-follow-up",
            **{"data-count": "1" if due else "0"},
        )
    )
    return sections


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


def _chosen_unit(session, viewer, filters: Filters, unit_code):
    """The units the viewer may pick within the filters, and the one picked (or None)."""
    options = unit_options(
        session,
        viewer,
        municipality=filters.municipality,
        administration=filters.administration,
    )
    return options, resolve_unit(options, unit_code)


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
        options, unit = _chosen_unit(session, viewer, filters, unit_code)
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


@callback(
    Output(TODO, "children"),
    Input(UNIT, "value"),
    Input(c.FILTERS_STORE, "data"),
)
@cached_output
def update_todo(unit_code, filters_data):
    filters = Filters.from_store(filters_data)
    viewer = current_viewer()
    with store.read_session() as session:
        _options, unit = _chosen_unit(session, viewer, filters, unit_code)
        if unit is None:
            return no_data(filters.lang)
        todo = unit_todo(session, filters.as_of, unit, viewer)
    return create_todo(todo, filters.lang)
