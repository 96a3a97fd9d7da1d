"""The Åtgärder page's lists and chart aggregates (its headline numbers come from compute_kpis).

Which actions a viewer sees follows the metric definitions (docs/metrics.md): an action belongs
to its owner unit; a provider's action in a shared object's workbook (no owner unit) belongs to
the object and to each participant, so it is visible to whoever may see the object and is counted
for a municipality or administration that takes part in the object.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from itertools import pairwise

import pandas as pd
from sqlalchemy import (
    ColumnElement,
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
from etl.kpi import mart, page_aggregates
from etl.kpi.dates import last_month_ends
from etl.kpi.rules import (
    AGGREGATE_ONLY_ROLES,
    OPEN_ACTION_STATUSES,
    action_open_sql,
    action_overdue_sql,
    action_sort_rank_sql,
    days_overdue_sql,
)
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

log = logging.getLogger(__name__)

STATUS_LABELS = {
    "sv": dict(vocab.ACTION_STATUSES),
    "en": {
        "not_started": "Not started",
        "in_progress": "In progress",
        "done": "Done",
        "cancelled": "Cancelled",
    },
}


# --------------------------------------------------------------------------- scoping


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

        def text(value) -> str | None:
            return str(value)[:200] if isinstance(value, str) and value.strip() else None

        if isinstance(statuses, str):
            statuses = [statuses]
        valid = tuple(s for s in (statuses or []) if s in vocab.ACTION_STATUSES)
        overdue = bool(overdue_only) and overdue_only not in ([], "false")
        return cls(
            text(administration),
            text(unit),
            text(governance_object),
            text(responsible),
            valid,
            overdue,
        )


def visible_objects(viewer: Viewer, municipality: str | None, administration: str | None) -> Select:
    """Objects whose provider actions count here: visible, and taking part in the filter."""
    query = select(GovernanceObject.id)
    scope = governance_object_scope_condition(viewer)
    if scope is not None:
        query = query.where(scope)
    if municipality:
        query = query.where(
            GovernanceObject.id.in_(
                select(GovernanceParticipant.governance_object_id)
                .join(Municipality, GovernanceParticipant.municipality_id == Municipality.id)
                .where(Municipality.code == municipality)
            )
        )
    if administration:
        # Only an explicit administration participant shares the provider's actions.
        query = query.where(
            GovernanceObject.id.in_(
                select(GovernanceParticipant.governance_object_id)
                .join(Administration, GovernanceParticipant.administration_id == Administration.id)
                .where(Administration.code == administration)
            )
        )
    return query


def action_scope_condition(
    viewer: Viewer, municipality: str | None = None, administration: str | None = None
) -> ColumnElement[bool]:
    """Actions the viewer may see within the global filters."""
    return or_(*action_scope_parts(viewer, municipality, administration))


def action_scope_parts(
    viewer: Viewer, municipality: str | None = None, administration: str | None = None
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """action_scope_condition as two disjoint parts: the visible units' own actions, and the
    provider actions (no owner unit) of visible objects. Read as a UNION ALL of the two, each
    part is one index search; SQLite reads their OR by fetching every action's row."""
    own = Action.owner_unit_id.in_(visible_units(viewer, municipality, administration))
    shared = and_(
        Action.owner_unit_id.is_(None),
        Action.governance_object_id.in_(visible_objects(viewer, municipality, administration)),
    )
    return own, shared


def kept_parts(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    municipality: str | None,
    administration: str | None,
) -> tuple | None:
    """The parts of the country (etl.kpi.page_aggregates) whose kept counts sum to the
    selection's, as (municipality codes, object codes) selects (None: every part of the kind);
    None when the counts must be made on demand: an administration's view (its objects' rows
    are not shared with it), a viewer the mart does not stand for, or a date it does not hold."""
    if administration or not mart.stands_for(viewer) or not mart.holds_pages(session, as_of):
        return None
    if unit_scope_condition(viewer) is None and not municipality:
        return None, None
    municipalities = select(Municipality.code).where(
        Municipality.id.in_(
            select(Administration.municipality_id).where(
                Administration.id.in_(
                    select(Unit.administration_id).where(
                        Unit.id.in_(visible_units(viewer, municipality, None))
                    )
                )
            )
        )
    )
    objects = select(GovernanceObject.code).where(
        GovernanceObject.id.in_(visible_objects(viewer, municipality, None))
    )
    return municipalities, objects


def detail_condition(viewer: Viewer) -> ColumnElement[bool] | None:
    """None when the viewer may see row-level detail; false() for aggregate-only roles (the
    committee sees aggregates, never lists: DESIGN §5)."""
    return false() if viewer.role in AGGREGATE_ONLY_ROLES else None


def action_list_conditions(viewer: Viewer) -> list[ColumnElement[bool]]:
    """What every list of actions (grid, export, Min enhet, the objects' tables) adds to the
    scope: no rows for aggregate-only roles, and no action on a risk of a säkerhetsskydd asset
    unless the viewer may see those (etl.visibility). Counts leave these out: they include
    protected actions, unnamed."""
    return [c for c in (detail_condition(viewer), shown_action(viewer.role)) if c is not None]


def is_open() -> ColumnElement[bool]:
    """The open rule (etl.kpi.rules), spelled so a list's WHERE seeks the status index."""
    return action_open_sql(seek=True)


def is_overdue(as_of: dt.date) -> ColumnElement[bool]:
    """The overdue rule (etl.kpi.rules), spelled as is_open."""
    return action_overdue_sql(as_of, seek=True)


def _page_conditions(filters: ActionFilters, as_of: dt.date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.administration:
        conditions.append(
            Action.owner_unit_id.in_(
                select(Unit.id)
                .join(Administration, Unit.administration_id == Administration.id)
                .where(Administration.code == filters.administration)
            )
        )
    if filters.unit:
        conditions.append(
            Action.owner_unit_id.in_(select(Unit.id).where(Unit.code == filters.unit))
        )
    if filters.governance_object:
        conditions.append(
            Action.governance_object_id.in_(
                select(GovernanceObject.id).where(
                    GovernanceObject.code == filters.governance_object
                )
            )
        )
    if filters.responsible:
        conditions.append(
            casefold(Action.responsible).contains(filters.responsible.lower(), autoescape=True)
        )
    if filters.statuses:
        conditions.append(Action.status.in_(filters.statuses))
    if filters.overdue_only:
        conditions.append(is_overdue(as_of))
    return conditions


# --------------------------------------------------------------------------- the grid


def status_label_expression(lang: str = "sv") -> ColumnElement[str]:
    return labelled(Action.status, STATUS_LABELS.get(lang, STATUS_LABELS["sv"]))


def action_grid_columns(as_of: dt.date, lang: str = "sv") -> dict[str, GridColumn]:
    overdue_days = days_overdue_sql(as_of)
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
        "days_overdue": GridColumn(overdue_days, "number"),
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
    municipality: str | None = None,
    administration: str | None = None,
    filters: ActionFilters | None = None,
) -> Select:
    """Visible actions as labelled rows for the grid and the export (one row per action)."""
    columns = action_grid_columns(as_of, lang)
    query = (
        select(
            Action.id.label("id"),
            *[column.expression.label(field) for field, column in columns.items()],
        )
        .select_from(Action)
        .outerjoin(Unit, Action.owner_unit_id == Unit.id)
        .outerjoin(Administration, Unit.administration_id == Administration.id)
        .outerjoin(Provider, Action.provider_id == Provider.id)
        .outerjoin(GovernanceObject, Action.governance_object_id == GovernanceObject.id)
        .where(action_scope_condition(viewer, municipality, administration))
    )
    for condition in _page_conditions(filters or ActionFilters(), as_of):
        query = query.where(condition)
    return query.where(*action_list_conditions(viewer))


def default_order(as_of: dt.date) -> tuple:
    """Overdue first (oldest due date first), then open, then by due date: what needs
    attention is on top."""
    return (action_sort_rank_sql(as_of), Action.due_on.asc())


def action_grid_shortcut(
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
    filters: ActionFilters | None = None,
) -> Shortcut:
    """The grid's count and key order without its joins, the viewer's actions read as the two
    disjoint parts of action_scope_parts."""
    extra = _page_conditions(filters or ActionFilters(), as_of) + action_list_conditions(viewer)
    parts = [
        select(Action.id.label("id"), Action.status.label("status"), Action.due_on.label("due_on"))
        .where(part)
        .where(*extra)
        for part in action_scope_parts(viewer, municipality, administration)
    ]
    keys = union_all(*parts).subquery("action_keys")
    block_keys = None
    if _is_wide(viewer, municipality, administration, filters or ActionFilters()):
        scope = and_(
            action_scope_condition(viewer, municipality, administration),
            *_walk_list_conditions(viewer),
        )

        def block_keys(session: Session, start: int, limit: int) -> list | None:
            return _wide_block_keys(session, as_of, scope, filters or ActionFilters(), start, limit)

    def total(session: Session) -> int | None:
        # The unfiltered list's row count summed from the counts kept per part where they
        # stand for the viewer; the committee's (no rows) and a page filter's are counted.
        if filters not in (None, ActionFilters()) or detail_condition(viewer) is not None:
            return None
        parts = kept_parts(session, as_of, viewer, municipality, administration)
        if parts is None:
            return None
        shown = viewer.may_see_security_protection
        return page_aggregates.action_list_total(session, as_of, *parts, protected=shown)

    return Shortcut(
        count_query=select(keys.c.id),
        keys_query=select(keys.c.id).order_by(
            action_sort_rank_sql(as_of, keys.c.status, keys.c.due_on),
            keys.c.due_on.asc(),
            keys.c.id,
        ),
        total=total,
        block_keys=block_keys,
    )


# Deeper blocks than this are picked by sorting every row, as before: each part of the walk
# reads up to start + limit index entries.
WIDE_WALK_MAX_START = 20_000


def _walk_list_conditions(viewer: Viewer) -> list[ColumnElement[bool]]:
    """action_list_conditions for the walk, the säkerhetsskydd condition's actions named once
    (a CTE) for all its parts: as six subqueries SQLite listed the protected actions six times
    (the national first block 460 ms instead of 125 at load 5)."""
    conditions = [c for c in (detail_condition(viewer),) if c is not None]
    if shown_action(viewer.role) is not None:
        protected = protected_action_ids().cte("protected_actions")
        conditions.append(Action.id.notin_(select(protected.c.id)))
    return conditions


def _is_wide(
    viewer: Viewer, municipality: str | None, administration: str | None, filters: ActionFilters
) -> bool:
    """Whether the grid shows (nearly) every action of the store: then walking the status index
    in due-date order finds a block's rows at once, where a narrow selection is found faster
    from its units."""
    narrowing = (filters.administration, filters.unit, filters.governance_object)
    return (
        unit_scope_condition(viewer) is None
        and detail_condition(viewer) is None
        and not municipality
        and not administration
        and not any(narrowing)
        and not filters.responsible
    )


def _outside(column, values: tuple[str, ...]) -> ColumnElement[bool]:
    """``column`` is none of ``values``, as ranges an index on ``column`` seeks (a NOT IN made
    SQLite read the whole index)."""
    ordered = sorted(values)
    parts = [column < ordered[0], column > ordered[-1]]
    parts += [and_(column > low, column < high) for low, high in pairwise(ordered)]
    return or_(*parts)


def _wide_parts(as_of: dt.date, filters: ActionFilters) -> list[tuple[int, ColumnElement[bool]]]:
    """(rank, condition) of every status and due-date range the default order walks, each one
    index range of (status, due_on), in rank order; ranks as in action_sort_rank_sql."""
    parts = []
    for status in vocab.ACTION_STATUSES:
        if filters.statuses and status not in filters.statuses:
            continue
        if status in OPEN_ACTION_STATUSES:
            parts.append((0, and_(Action.status == status, Action.due_on < as_of)))
            if not filters.overdue_only:
                parts.append((1, and_(Action.status == status, Action.due_on >= as_of)))
        elif not filters.overdue_only:
            parts.append((2, Action.status == status))
    return parts


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
    some action has a status outside the vocabulary (the walk would miss it)."""
    if start > WIDE_WALK_MAX_START:
        return None
    parts = _wide_parts(as_of, filters)
    if not parts:
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
    picked = (
        select(walked.c.id)
        .order_by(walked.c.rank, walked.c.due_on.asc(), walked.c.id)
        .limit(limit)
        .offset(start)
    )
    return list(session.scalars(picked))


def actions_block(
    session: Session,
    viewer: Viewer,
    request: object,
    as_of: dt.date,
    *,
    lang: str = "sv",
    municipality: str | None = None,
    administration: str | None = None,
    filters: ActionFilters | None = None,
) -> dict:
    """One ``getRowsResponse`` of the actions grid."""
    where = {"municipality": municipality, "administration": administration, "filters": filters}
    query = action_grid_select(as_of, viewer, lang=lang, **where)
    return fetch_block(
        session,
        query,
        action_grid_columns(as_of, lang),
        request,
        default_order=default_order(as_of),
        tiebreaker=Action.id,
        shortcut=action_grid_shortcut(as_of, viewer, **where),
    )


def actions_export_select(
    as_of: dt.date,
    viewer: Viewer,
    request: object,
    *,
    lang: str = "sv",
    municipality: str | None = None,
    administration: str | None = None,
    filters: ActionFilters | None = None,
) -> Select:
    """The grid's rows under its current filter and sort, unsliced (for the Excel export)."""
    query = action_grid_select(
        as_of,
        viewer,
        lang=lang,
        municipality=municipality,
        administration=administration,
        filters=filters,
    )
    return filtered_query(
        query,
        action_grid_columns(as_of, lang),
        request,
        default_order=default_order(as_of),
        tiebreaker=Action.id,
    )


# --------------------------------------------------------------------------- options


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
    admin_rows = session.execute(
        select(Administration.code, Administration.name)
        .where(Administration.id.in_(select(Unit.administration_id).where(Unit.id.in_(units))))
        .order_by(Administration.name)
    ).all()
    unit_query = (
        select(Unit.code, Unit.name)
        .join(Administration, Unit.administration_id == Administration.id)
        .where(Unit.id.in_(units))
        .order_by(Unit.name)
    )
    if page_administration:
        unit_query = unit_query.where(Administration.code == page_administration)
    object_rows = session.execute(
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
    ).all()
    return {
        "administrations": [{"label": n, "value": c} for c, n in admin_rows],
        "units": [{"label": n, "value": c} for c, n in session.execute(unit_query).all()],
        "objects": [{"label": n, "value": c} for c, n in object_rows],
    }


# --------------------------------------------------------------------------- open over time


def open_actions_by_month(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
    months: int = page_aggregates.TREND_MONTHS,
) -> pd.DataFrame:
    """Actions not yet completed at the end of each of the last ``months`` months (month, value).

    An estimate from the current rows: an action counts at a month end when it is still open, or
    was completed after that month end. The store has no start date for actions and cancelled
    ones have no cancellation date, so both are left out; the page says so. A view of several
    municipalities sums the values the load keeps per part (etl.kpi.page_aggregates).
    """
    ends = last_month_ends(as_of, months)
    if not ends:
        return pd.DataFrame({"month": [], "value": []})
    months_shown = [dt.date(e.year, e.month, 1) for e in ends]
    parts = kept_parts(session, as_of, viewer, municipality, administration)
    if parts is not None and months == page_aggregates.TREND_MONTHS:
        kept = page_aggregates.open_actions(session, as_of, *parts)
        return pd.DataFrame(
            {"month": months_shown, "value": [kept.get(m, 0) for m in months_shown]}
        )
    # One grouped pass instead of a CASE per month over every action: open actions in one
    # group (day NULL), done ones completed after the first month end by completion day; each
    # month end then counts the open ones plus those completed after it.
    day = page_aggregates.open_day().label("day")
    counted = page_aggregates.counted_in_trend(min(ends))
    parts = union_all(
        *[
            select(day).where(part, counted)
            for part in action_scope_parts(viewer, municipality, administration)
        ]
    ).subquery("counted")
    rows = session.execute(select(parts.c.day, func.count()).group_by(parts.c.day)).all()
    values = page_aggregates.open_at_month_ends(rows, ends)
    return pd.DataFrame({"month": months_shown, "value": values})
