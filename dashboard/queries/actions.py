"""The Åtgärder page's lists and chart aggregates (its headline numbers come from compute_kpis).

Which actions a viewer sees follows the metric definitions (docs/metrics.md): an action belongs
to its owner unit; a provider's action in a shared object's workbook (no owner unit) belongs to
the object and to each participant, so it is visible to whoever may see the object and is counted
for a municipality or administration that takes part in the object.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from dashboard.grid import GridColumn, Shortcut, casefold, fetch_block, filtered_query, labelled
from dashboard.queries.viewer import (
    SYSTEM,
    Viewer,
    governance_object_scope_condition,
    unit_scope_condition,
    visible_units,
)
from etl import vocab
from etl.kpi import mart, page_aggregates, rules
from etl.kpi.dates import last_month_ends
from etl.models import (
    Action,
    Administration,
    GovernanceObject,
    GovernanceParticipant,
    Municipality,
    Provider,
    Unit,
)
from etl.visibility import protected_action_ids, shown_action

STATUS_LABELS = {
    "sv": dict(vocab.ACTION_STATUSES),
    "en": {
        "not_started": "Not started",
        "in_progress": "In progress",
        "done": "Done",
        "cancelled": "Cancelled",
    },
}


@dataclass(frozen=True)
class ActionFilters:
    """The page's own controls above the grid (all optional)."""

    administration: str | None = None
    unit: str | None = None
    governance_object: str | None = None
    responsible: str | None = None
    statuses: tuple[str, ...] = ()
    overdue_only: bool = False

    @classmethod
    def from_controls(
        cls,
        administration=None,
        unit=None,
        governance_object=None,
        responsible=None,
        statuses=None,
        overdue_only=None,
    ) -> ActionFilters:
        """From callback values; anything malformed is dropped (never trusted)."""
        texts = [
            str(value)[:200] if isinstance(value, str) and value.strip() else None
            for value in (administration, unit, governance_object, responsible)
        ]
        if isinstance(statuses, str):
            statuses = [statuses]
        valid = tuple(s for s in (statuses or []) if s in vocab.ACTION_STATUSES)
        return cls(*texts, valid, bool(overdue_only) and overdue_only not in ([], "false"))


def visible_objects(viewer: Viewer, municipality: str | None, administration: str | None) -> Select:
    """Objects whose provider actions count here: visible, and taking part in the filter (an
    administration only as an explicit participant: only it shares the provider's actions)."""
    query = select(GovernanceObject.id)
    scope = governance_object_scope_condition(viewer)
    if scope is not None:
        query = query.where(scope)
    for code, model, participant in (
        (municipality, Municipality, GovernanceParticipant.municipality_id),
        (administration, Administration, GovernanceParticipant.administration_id),
    ):
        if code:
            taking_part = (
                select(GovernanceParticipant.governance_object_id)
                .join(model, participant == model.id)
                .where(model.code == code)
            )
            query = query.where(GovernanceObject.id.in_(taking_part))
    return query


def action_scope_condition(
    viewer: Viewer, municipality: str | None = None, administration: str | None = None
) -> ColumnElement[bool]:
    """Actions the viewer may see within the global filters."""
    return or_(*action_scope_parts(viewer, municipality, administration))


def action_scope_parts(
    viewer: Viewer, municipality: str | None = None, administration: str | None = None
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """action_scope_condition as two disjoint parts, the visible units' own actions and the
    provider actions of visible objects: as a UNION ALL each part is one index search, where
    SQLite reads their OR by fetching every action's row."""
    own = Action.owner_unit_id.in_(visible_units(viewer, municipality, administration))
    shared = and_(
        Action.owner_unit_id.is_(None),
        Action.governance_object_id.in_(visible_objects(viewer, municipality, administration)),
    )
    return own, shared


def _in_scope(columns: list, viewer: Viewer, *conditions, **where: str | None) -> CompoundSelect:
    """``columns`` of the viewer's actions under ``conditions``, read as the UNION ALL of the
    two parts of action_scope_parts."""
    parts = action_scope_parts(viewer, **where)
    return union_all(*[select(*columns).where(part, *conditions) for part in parts])


def kept_parts(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    municipality: str | None = None,
    administration: str | None = None,
) -> tuple | None:
    """The parts of the country (etl.kpi.page_aggregates) whose kept counts sum to the
    selection's, as (municipality codes, object codes) selects (None: every part of the kind);
    None when the counts must be made on demand: an administration's view (its objects' rows
    are not shared with it), a viewer the mart does not stand for, or a date it does not hold."""
    if administration or not mart.stands_for(viewer) or not mart.holds_pages(session, as_of):
        return None
    if unit_scope_condition(viewer) is None and not municipality:
        return None, None
    administration_ids = select(Unit.administration_id).where(
        Unit.id.in_(visible_units(viewer, municipality, None))
    )
    municipality_ids = select(Administration.municipality_id).where(
        Administration.id.in_(administration_ids)
    )
    municipalities = select(Municipality.code).where(Municipality.id.in_(municipality_ids))
    objects = select(GovernanceObject.code).where(
        GovernanceObject.id.in_(visible_objects(viewer, municipality, None))
    )
    return municipalities, objects


def detail_condition(viewer: Viewer) -> ColumnElement[bool] | None:
    """None when the viewer may see row-level detail; false() for aggregate-only roles (the
    committee sees aggregates, never lists: DESIGN §5)."""
    return false() if viewer.role in rules.AGGREGATE_ONLY_ROLES else None


def action_list_conditions(
    viewer: Viewer, *, protected_once: bool = False
) -> list[ColumnElement[bool]]:
    """What every list of actions adds to the scope: no rows for aggregate-only roles, and no
    action on a risk of a säkerhetsskydd asset unless the viewer may see those (etl.visibility;
    counts include them, unnamed). ``protected_once`` names the protected actions once (a CTE)
    for a statement of many parts: as six subqueries SQLite listed them six times."""
    conditions = [detail_condition(viewer), shown_action(viewer.role)]
    if protected_once and conditions[1] is not None:
        protected = protected_action_ids().cte("protected_actions")
        conditions[1] = Action.id.notin_(select(protected.c.id))
    return [c for c in conditions if c is not None]


def _page_conditions(filters: ActionFilters, as_of: dt.date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.administration:
        administration_units = (
            select(Unit.id)
            .join(Administration, Unit.administration_id == Administration.id)
            .where(Administration.code == filters.administration)
        )
        conditions.append(Action.owner_unit_id.in_(administration_units))
    if filters.unit:
        conditions.append(
            Action.owner_unit_id.in_(select(Unit.id).where(Unit.code == filters.unit))
        )
    if filters.governance_object:
        code = GovernanceObject.code == filters.governance_object
        conditions.append(Action.governance_object_id.in_(select(GovernanceObject.id).where(code)))
    if filters.responsible:
        responsible = filters.responsible.lower()
        conditions.append(casefold(Action.responsible).contains(responsible, autoescape=True))
    if filters.statuses:
        conditions.append(Action.status.in_(filters.statuses))
    if filters.overdue_only:
        conditions.append(rules.action_overdue_sql(as_of, seek=True))
    return conditions


def status_label_expression(lang: str = "sv") -> ColumnElement[str]:
    return labelled(Action.status, STATUS_LABELS.get(lang, STATUS_LABELS["sv"]))


def action_grid_columns(as_of: dt.date, lang: str = "sv") -> dict[str, GridColumn]:
    return {
        "code": GridColumn(Action.code),
        "title": GridColumn(Action.title),
        "administration_name": GridColumn(Administration.name),
        "owner_name": GridColumn(func.coalesce(Unit.name, Provider.name)),
        "governance_object_name": GridColumn(GovernanceObject.name),
        "responsible": GridColumn(Action.responsible),
        "due_on": GridColumn(Action.due_on, "date"),
        "status": GridColumn(status_label_expression(lang), "set"),
        "completed_on": GridColumn(Action.completed_on, "date"),
        "days_overdue": GridColumn(rules.days_overdue_sql(as_of), "number"),
    }


# Field → (kind, Swedish header, English header), in display order.
ACTION_FIELDS: dict[str, tuple[str, str, str]] = {
    "code": ("text", "Id", "Id"),
    "title": ("text", "Åtgärd", "Action"),
    "administration_name": ("text", "Förvaltning", "Administration"),
    "owner_name": ("text", "Enhet/leverantör", "Unit/provider"),
    "governance_object_name": ("text", "Förvaltningsobjekt", "Governance object"),
    "responsible": ("text", "Ansvarig", "Responsible"),
    "due_on": ("date", "Slutdatum", "Due"),
    "status": ("set", "Status", "Status"),
    "completed_on": ("date", "Klar", "Completed"),
    "days_overdue": ("number", "Dagar försenad", "Days overdue"),
}


def action_grid_select(
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    lang: str = "sv",
    filters: ActionFilters | None = None,
    **where: str | None,
) -> Select:
    """Visible actions as labelled rows for the grid and the export (one row per action);
    ``where``: the global filters (municipality, administration)."""
    columns = action_grid_columns(as_of, lang)
    return (
        select(Action.id.label("id"), *[c.expression.label(f) for f, c in columns.items()])
        .select_from(Action)
        .outerjoin(Unit, Action.owner_unit_id == Unit.id)
        .outerjoin(Administration, Unit.administration_id == Administration.id)
        .outerjoin(Provider, Action.provider_id == Provider.id)
        .outerjoin(GovernanceObject, Action.governance_object_id == GovernanceObject.id)
        .where(action_scope_condition(viewer, **where))
        .where(*_page_conditions(filters or ActionFilters(), as_of))
        .where(*action_list_conditions(viewer))
    )


def default_order(as_of: dt.date) -> tuple:
    """Overdue first (oldest due date first), then open, then by due date."""
    return (rules.action_sort_rank_sql(as_of), Action.due_on.asc())


# Deeper blocks than this are picked by sorting every row: each part of the walk reads up to
# start + limit index entries.
WIDE_WALK_MAX_START = 20_000


def _outside(column, values: tuple[str, ...]) -> ColumnElement[bool]:
    """``column`` is none of ``values``, as ranges an index on ``column`` seeks (a NOT IN made
    SQLite read the whole index)."""
    ordered = sorted(values)
    parts = [column < ordered[0], column > ordered[-1]]
    parts += [and_(column > low, column < high) for low, high in pairwise(ordered)]
    return or_(*parts)


def _wide_block_keys(
    session: Session,
    as_of: dt.date,
    scope: ColumnElement[bool],
    filters: ActionFilters,
    start: int,
    limit: int,
) -> list | None:
    """The ids of rows [start, start + limit) in the default order, from each status' first
    ``start + limit`` rows in due-date order; None (sort every row) for a deep block or when
    some action has a status outside the vocabulary (the walk would miss it). Each part is one
    index range of (status, due_on), in rank order (ranks as in rules.action_sort_rank_sql)."""
    parts = []
    for status in vocab.ACTION_STATUSES:
        if filters.statuses and status not in filters.statuses:
            continue
        if status in rules.OPEN_ACTION_STATUSES:
            parts.append((0, and_(Action.status == status, Action.due_on < as_of)))
            if not filters.overdue_only:
                parts.append((1, and_(Action.status == status, Action.due_on >= as_of)))
        elif not filters.overdue_only:
            parts.append((2, Action.status == status))
    if start > WIDE_WALK_MAX_START or not parts:
        return None
    branches = [
        select(Action.id.label("id"), literal(rank).label("rank"), Action.due_on.label("due_on"))
        .where(condition, scope)
        .order_by(Action.due_on.asc(), Action.id)
        .limit(start + limit)
        .subquery()
        for rank, condition in parts
    ]
    unknown = select(Action.id).where(_outside(Action.status, tuple(vocab.ACTION_STATUSES)))
    if session.execute(unknown.limit(1)).first() is not None:
        return None
    walked = union_all(*[select(branch) for branch in branches]).subquery("walked")
    picked = select(walked.c.id).order_by(walked.c.rank, walked.c.due_on.asc(), walked.c.id)
    return list(session.scalars(picked.limit(limit).offset(start)))


def actions_block(
    session: Session,
    viewer: Viewer,
    request: object,
    as_of: dt.date,
    *,
    lang: str = "sv",
    filters: ActionFilters | None = None,
    **where: str | None,
) -> dict:
    """One ``getRowsResponse`` of the actions grid. Its first look counts and orders the keys
    without the joins, the viewer's actions read as the two parts of action_scope_parts."""
    filters = filters or ActionFilters()
    columns = [Action.id.label("id"), Action.status.label("status"), Action.due_on.label("due_on")]
    extra = _page_conditions(filters, as_of) + action_list_conditions(viewer)
    keys = _in_scope(columns, viewer, *extra, **where).subquery("action_keys")
    narrowed = (filters.administration, filters.unit, filters.governance_object)
    block_keys = None
    if (
        unit_scope_condition(viewer) is None
        and detail_condition(viewer) is None
        and not (any(where.values()) or any(narrowed) or filters.responsible)
    ):
        # (Nearly) every action of the store: walking the status index in due-date order finds
        # a block's rows at once, where a narrower selection is found faster from its units.
        scope = and_(
            action_scope_condition(viewer), *action_list_conditions(viewer, protected_once=True)
        )

        def block_keys(session: Session, start: int, limit: int) -> list | None:
            return _wide_block_keys(session, as_of, scope, filters, start, limit)

    def total(session: Session) -> int | None:
        # The unfiltered list's row count summed from the counts kept per part where they
        # stand for the viewer; the committee's (no rows) and a page filter's are counted.
        if filters != ActionFilters() or detail_condition(viewer) is not None:
            return None
        parts = kept_parts(session, as_of, viewer, **where)
        if parts is None:
            return None
        shown = viewer.may_see_security_protection
        return page_aggregates.action_list_total(session, as_of, *parts, protected=shown)

    rank = rules.action_sort_rank_sql(as_of, keys.c.status, keys.c.due_on)
    shortcut = Shortcut(
        count_query=select(keys.c.id),
        keys_query=select(keys.c.id).order_by(rank, keys.c.due_on.asc(), keys.c.id),
        total=total,
        block_keys=block_keys,
    )
    return fetch_block(
        session,
        action_grid_select(as_of, viewer, lang=lang, filters=filters, **where),
        action_grid_columns(as_of, lang),
        request,
        default_order=default_order(as_of),
        tiebreaker=Action.id,
        shortcut=shortcut,
    )


def actions_export_select(
    as_of: dt.date, viewer: Viewer, request: object, *, lang: str = "sv", **where
) -> Select:
    """The grid's rows under its current filter and sort, unsliced (for the Excel export);
    ``where``: action_grid_select's global filters and page filters."""
    return filtered_query(
        action_grid_select(as_of, viewer, lang=lang, **where),
        action_grid_columns(as_of, lang),
        request,
        default_order=default_order(as_of),
        tiebreaker=Action.id,
    )


def control_options(
    session: Session,
    viewer: Viewer,
    *,
    municipality: str | None = None,
    administration: str | None = None,
    page_administration: str | None = None,
) -> dict[str, list[dict]]:
    """Dropdown options for the page's controls, limited to what the viewer may see."""
    units = visible_units(viewer, municipality, administration)
    administrations = (
        select(Administration.code, Administration.name)
        .where(Administration.id.in_(select(Unit.administration_id).where(Unit.id.in_(units))))
        .order_by(Administration.name)
    )
    unit_options = (
        select(Unit.code, Unit.name)
        .join(Administration, Unit.administration_id == Administration.id)
        .where(Unit.id.in_(units))
        .order_by(Unit.name)
    )
    if page_administration:
        unit_options = unit_options.where(Administration.code == page_administration)
    objects = (
        select(GovernanceObject.code, GovernanceObject.name)
        .where(
            or_(
                GovernanceObject.id.in_(visible_objects(viewer, municipality, administration)),
                # Per object, does one visible unit own an action of it (an index search per
                # object), rather than every visible action's object collected first.
                exists().where(
                    Action.governance_object_id == GovernanceObject.id,
                    Action.owner_unit_id.in_(units),
                ),
            )
        )
        .order_by(GovernanceObject.name)
    )
    return {
        key: [{"label": name, "value": code} for code, name in session.execute(query)]
        for key, query in (
            ("administrations", administrations),
            ("units", unit_options),
            ("objects", objects),
        )
    }


def open_actions_by_month(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    months: int = page_aggregates.TREND_MONTHS,
    **where: str | None,
) -> pd.DataFrame:
    """Actions not yet completed at the end of each of the last ``months`` months (month, value):
    still open, or completed after that month end. Actions have no start date and cancelled ones
    no cancellation date, so both are left out (the page says so)."""
    ends = last_month_ends(as_of, months)
    if not ends:
        return pd.DataFrame({"month": [], "value": []})
    months_shown = [dt.date(e.year, e.month, 1) for e in ends]
    parts = kept_parts(session, as_of, viewer, **where)
    if parts is not None and months == page_aggregates.TREND_MONTHS:
        kept = page_aggregates.open_actions(session, as_of, *parts)
        values = [kept.get(m, 0) for m in months_shown]
        return pd.DataFrame({"month": months_shown, "value": values})
    # One grouped pass instead of a CASE per month over every action: open actions in one
    # group (day NULL), done ones by completion day; each month end then counts the open ones
    # plus those completed after it.
    day = page_aggregates.open_day().label("day")
    counted = page_aggregates.counted_in_trend(min(ends))
    scoped = _in_scope([day], viewer, counted, **where).subquery("counted")
    rows = session.execute(select(scoped.c.day, func.count()).group_by(scoped.c.day)).all()
    values = page_aggregates.open_at_month_ends(rows, ends)
    return pd.DataFrame({"month": months_shown, "value": values})
