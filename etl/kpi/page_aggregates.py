"""The Risker and Åtgärder pages' counts: defined once here, counted on demand for a selection
and kept per part of the country with the KPI mart, so that the country sums its parts.

The parts are disjoint and together make the country (docs/metrics.md "Scopes and membership"):

- a municipality: the risks of the assets whose primary unit is one of its units, and the
  actions its units own;
- a governance object: its object-level risks (an analysis without asset) and its provider
  actions (no owner unit), which count once for the country and for each participant.

A view of several municipalities (the country, a CISO of two) is the sum of its municipalities'
rows and its visible objects' rows. The load writes the rows (``write``) for the dates of the KPI
mart in the mart's transaction; they are read only while the mart holds the date at the store's
current version (``etl.kpi.mart.holds_pages``), otherwise the pages count on demand with the same statements.
Säkerhetsskydd: every count is kept with and without the protected assets' risks, so each role's
view sums exactly what it counts today (etl.visibility).

The Åtgärder list's row count (``action_list``): the actions a part's list shows, split into
those on a risk of a säkerhetsskydd asset and the others (etl.visibility.shown_action), the same
for every date. A full build also writes the date's ``action_list_built`` row, which a per-part
update keeps: a date whose rows were built before these counts were kept has none, and its lists
are counted on demand (``action_list_total`` answers None).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    delete,
    exists,
    func,
    or_,
    select,
)

from etl.bulk import insert_rows
from etl.kpi import kept_tables
from etl.kpi.dates import last_month_ends, overdue_trend_days
from etl.kpi.rules import (
    action_counts_for_risk_sql,
    action_open_sql,
    action_overdue_sql,
    high_risk_sql,
)
from etl.models import (
    Action,
    Administration,
    Asset,
    GovernanceObject,
    GovernanceParticipant,
    Municipality,
    PageAggregate,
    Risk,
    RiskAnalysis,
    Unit,
)
from etl.visibility import protected_risk_ids

MUNICIPALITY = "municipality"
OBJECT = "governance_object"
# The part type of rows about the whole country (the marker below).
COUNTRY = "country"
# The row that says a date's rows were built whole by code that keeps the action list's counts
# (``action_list``): a per-part update keeps it, so a date built before those counts were kept
# has none and its action lists are counted on demand rather than summed from missing rows.
ACTION_LIST_BUILT = "action_list_built"
# How many rows the Risker page lists of the high risks without action, and so how many
# candidates each part keeps (per protected or not): the country's first rows are among them.
HIGH_RISK_LIST_LIMIT = 50
# The months of the open-actions trend.
TREND_MONTHS = 12

_COLUMNS = (
    "as_of",
    "aggregate",
    "part_type",
    "part_id",
    "likelihood",
    "consequence",
    "treatment",
    "protected",
    "month",
    "risk_id",
    "risk_code",
    "count",
)


# --------------------------------------------------------------------------- the definitions


def is_high() -> ColumnElement[bool]:
    """A high risk (etl.kpi.rules), on Risk joined to its RiskAnalysis."""
    return high_risk_sql(Risk.likelihood, Risk.consequence, RiskAnalysis.matrix_size)


def has_live_action() -> ColumnElement[bool]:
    """As in the KPI layer: a cancelled action does not count."""
    return exists().where(Action.risk_id == Risk.id, action_counts_for_risk_sql())


def high_without_action() -> ColumnElement[bool]:
    return and_(is_high(), ~has_live_action())


def high_risk_order() -> tuple:
    """The high-risk list's order: highest score first, then by code."""
    return ((Risk.likelihood * Risk.consequence).desc(), Risk.code, Risk.id)


def risk_counts_select(where, *keys, joins: Sequence = (), also: Sequence = ()) -> Select:
    """The risks under ``where`` (on Risk joined to RiskAnalysis and, outer, Asset, and
    ``joins``) counted per ``keys``, likelihood, consequence and treatment: the matrix's and
    the treatment chart's numbers in one pass (each risk joins one analysis and at most one
    asset, so every risk counts once). ``also``: more aggregate columns after the count."""
    grouped = (*keys, Risk.likelihood, Risk.consequence, Risk.treatment)
    stmt = (
        select(*grouped, func.count(), *also)
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .outerjoin(Asset, Asset.id == RiskAnalysis.asset_id)
    )
    for target, on in joins:
        stmt = stmt.join(target, on)
    return stmt.where(where).group_by(*grouped)


def open_day() -> ColumnElement:
    """An action's day in the open-actions estimate: NULL while open, else its completion."""
    return case((action_open_sql(seek=True), None), else_=Action.completed_on)


def counted_in_trend(first_end: dt.date) -> ColumnElement[bool]:
    """The actions the estimate can count at a month-end from ``first_end`` on: the open ones
    and those completed after it (cancelled ones have no date and are left out)."""
    return or_(
        action_open_sql(seek=True), and_(Action.status == "done", Action.completed_on > first_end)
    )


def open_at_month_ends(days: Iterable[tuple[object, int]], ends: Sequence[dt.date]) -> list[int]:
    """The open-actions estimate at each of ``ends`` from (open_day, count) rows: the open
    actions plus those completed after the month-end."""
    still_open = 0
    completed: list[tuple[dt.date, int]] = []
    for day, count in days:
        if day is None:
            still_open += int(count)
        else:
            completed.append((as_date(day), int(count)))
    return [still_open + sum(n for on, n in completed if on > end) for end in ends]


def as_date(value) -> dt.date:
    """A DATE from the driver (a date, or ISO text from a CASE on SQLite)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# --------------------------------------------------------------------------- the parts

_MUNICIPALITY_JOINS = (
    (Unit, Unit.id == Asset.primary_unit_id),
    (Administration, Administration.id == Unit.administration_id),
    (Municipality, Municipality.id == Administration.municipality_id),
)
_OBJECT_JOINS = ((GovernanceObject, GovernanceObject.id == RiskAnalysis.governance_object_id),)


def _risk_parts(municipalities, objects):
    """(part type, key column, joins, condition) of the risks' two kinds of part; None for a
    kind left out (an empty selection)."""
    parts = []
    if municipalities is None or municipalities:
        where = RiskAnalysis.asset_id.is_not(None)
        if municipalities is not None:
            where = and_(where, Municipality.code.in_(sorted(municipalities)))
        parts.append((MUNICIPALITY, Municipality.code, _MUNICIPALITY_JOINS, where))
    if objects is None or objects:
        where = RiskAnalysis.asset_id.is_(None)
        if objects is not None:
            where = and_(where, GovernanceObject.code.in_(sorted(objects)))
        parts.append((OBJECT, GovernanceObject.code, _OBJECT_JOINS, where))
    return parts


def _bucket(dates: Sequence[dt.date]) -> ColumnElement[int]:
    """The index of the first of ``dates`` (sorted) on or after the analysis' date."""
    return case(*[(RiskAnalysis.analysed_on <= d, i) for i, d in enumerate(dates)])


def _risk_rows(connection, dates: Sequence[dt.date], municipalities, objects) -> list[tuple]:
    rows = []
    unhandled = func.sum(case((high_without_action(), 1), else_=0))
    for part_type, key, joins, where in _risk_parts(municipalities, objects):
        protected = Asset.security_protection if part_type == MUNICIPALITY else None
        keys = [key, _bucket(dates)] + ([protected] if protected is not None else [])
        stmt = risk_counts_select(
            and_(where, RiskAnalysis.analysed_on <= dates[-1]), *keys, joins=joins, also=[unhandled]
        )
        cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(dates))
        high: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(dates))
        for found in connection.execute(stmt):
            if protected is not None:
                part_id, bucket, is_protected, lik, con, treatment, n, n_high = found
            else:
                part_id, bucket, lik, con, treatment, n, n_high = found
                is_protected = False
            for i in range(int(bucket), len(dates)):  # counted from its date on
                cells[(part_id, int(lik), int(con), treatment, bool(is_protected))][i] += int(n)
                high[(part_id, bool(is_protected))][i] += int(n_high or 0)
        for (part_id, lik, con, treatment, is_protected), counts in cells.items():
            for day, n in zip(dates, counts, strict=True):
                if n:
                    rows.append((day, "risks", part_type, part_id, lik, con, treatment,
                                 is_protected, None, None, None, n))  # fmt: skip
        for (part_id, is_protected), counts in high.items():
            for day, n in zip(dates, counts, strict=True):
                if n:
                    rows.append((day, "high_risks", part_type, part_id, None, None, None,
                                 is_protected, None, None, None, n))  # fmt: skip
    return rows


def _pick_rows(connection, dates: Sequence[dt.date], municipalities, objects) -> list[tuple]:
    """Each part's first HIGH_RISK_LIST_LIMIT high risks without action in the list's order,
    per protected or not, as of each date."""
    rows = []
    for day in dates:
        for part_type, key, joins, where in _risk_parts(municipalities, objects):
            protected = Asset.security_protection if part_type == MUNICIPALITY else None
            flag = func.coalesce(protected, False) if protected is not None else None
            partition = [key] + ([flag] if flag is not None else [])
            rank = func.row_number().over(partition_by=partition, order_by=high_risk_order())
            columns = [
                Risk.id.label("risk_id"),
                Risk.code.label("risk_code"),
                Risk.likelihood.label("likelihood"),
                Risk.consequence.label("consequence"),
                key.label("part_id"),
                rank.label("rank"),
            ]
            if flag is not None:
                columns.append(flag.label("protected"))
            inner = select(*columns).select_from(Risk)
            inner = inner.join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
            inner = inner.outerjoin(Asset, Asset.id == RiskAnalysis.asset_id)
            for target, on in joins:
                inner = inner.join(target, on)
            ranked = inner.where(
                where, RiskAnalysis.analysed_on <= day, high_without_action()
            ).subquery()
            c = ranked.c
            chosen = [c.risk_id, c.risk_code, c.likelihood, c.consequence, c.part_id]
            if flag is not None:
                chosen.append(ranked.c.protected)
            found = connection.execute(
                select(*chosen).where(ranked.c.rank <= HIGH_RISK_LIST_LIMIT)
            ).all()
            for risk_id, code, lik, con, part_id, *is_protected in found:
                is_protected = bool(is_protected[0]) if is_protected else False
                rows.append((day, "high_risk_pick", part_type, part_id, int(lik), int(con), None,
                             is_protected, None, int(risk_id), code, 1))  # fmt: skip
    return rows


def _action_rows(connection, dates: Sequence[dt.date], municipalities, objects) -> list[tuple]:
    ends = {day: last_month_ends(day, TREND_MONTHS) for day in dates}
    first_end = min(e[0] for e in ends.values())
    day_ = open_day().label("day")
    parts = []
    if municipalities is None or municipalities:
        stmt = (
            select(Municipality.code, day_, func.count())
            .select_from(Action)
            .join(Unit, Unit.id == Action.owner_unit_id)
            .join(Administration, Administration.id == Unit.administration_id)
            .join(Municipality, Municipality.id == Administration.municipality_id)
            .where(counted_in_trend(first_end))
        )
        if municipalities is not None:
            stmt = stmt.where(Municipality.code.in_(sorted(municipalities)))
        parts.append((MUNICIPALITY, stmt.group_by(Municipality.code, day_)))
    if objects is None or objects:
        stmt = (
            select(GovernanceObject.code, day_, func.count())
            .select_from(Action)
            .join(GovernanceObject, GovernanceObject.id == Action.governance_object_id)
            .where(Action.owner_unit_id.is_(None), counted_in_trend(first_end))
        )
        if objects is not None:
            stmt = stmt.where(GovernanceObject.code.in_(sorted(objects)))
        parts.append((OBJECT, stmt.group_by(GovernanceObject.code, day_)))
    rows = []
    for part_type, stmt in parts:
        days: dict[str, list[tuple[object, int]]] = defaultdict(list)
        for part_id, day, n in connection.execute(stmt):
            days[part_id].append((day, n))
        for part_id, found in days.items():
            for as_of in dates:
                values = open_at_month_ends(found, ends[as_of])
                for end, n in zip(ends[as_of], values, strict=True):
                    if n:
                        rows.append((as_of, "open_actions", part_type, part_id, None, None,
                                     None, False, dt.date(end.year, end.month, 1), None, None, n))  # fmt: skip
    return rows


def _owned_actions(connection, municipalities) -> tuple[dict, ColumnElement[bool]]:
    """Each unit's municipality code (of ``municipalities``; None: all) and the condition for
    the actions those units own, so that owned actions are counted per unit and summed per
    municipality in Python (one pass over the owner unit index, no join per action)."""
    units = (
        select(Unit.id, Municipality.code)
        .join(Administration, Administration.id == Unit.administration_id)
        .join(Municipality, Municipality.id == Administration.municipality_id)
    )
    if municipalities is not None:
        units = units.where(Municipality.code.in_(sorted(municipalities)))
    municipality_of = dict(connection.execute(units).all())
    owned = Action.owner_unit_id.is_not(None)
    if municipalities is not None:
        owned = Action.owner_unit_id.in_(units.with_only_columns(Unit.id))
    return municipality_of, owned


def _action_list_rows(connection, dates: Sequence[dt.date], municipalities, objects) -> list[tuple]:
    """The actions the Åtgärder list shows per part, per protected or not (on a risk of a
    säkerhetsskydd asset: etl.visibility.shown_action), the same as of every date (the list
    has no date). A municipality's: those its units own; an object's: its provider actions
    (no owner unit). Counted per owner unit and summed per municipality here, one pass over
    the owner unit index."""
    on_protected = Action.risk_id.in_(protected_risk_ids())
    counts: dict[tuple[str, str, bool], int] = defaultdict(int)
    if municipalities is None or municipalities:
        municipality_of, owned = _owned_actions(connection, municipalities)
        for protected, extra in ((False, None), (True, on_protected)):
            stmt = select(Action.owner_unit_id, func.count()).where(owned)
            if extra is not None:
                stmt = stmt.where(extra)
            for unit_id, n in connection.execute(stmt.group_by(Action.owner_unit_id)):
                code = municipality_of.get(unit_id)
                if code is not None:
                    counts[(MUNICIPALITY, code, protected)] += int(n)
    if objects is None or objects:
        for protected, extra in ((False, None), (True, on_protected)):
            stmt = (
                select(GovernanceObject.code, func.count())
                .select_from(Action)
                .join(GovernanceObject, GovernanceObject.id == Action.governance_object_id)
                .where(Action.owner_unit_id.is_(None))
            )
            if objects is not None:
                stmt = stmt.where(GovernanceObject.code.in_(sorted(objects)))
            if extra is not None:
                stmt = stmt.where(extra)
            for code, n in connection.execute(stmt.group_by(GovernanceObject.code)):
                counts[(OBJECT, code, protected)] += int(n)
    rows = []
    for (part_type, part_id, protected), n in sorted(counts.items()):
        if protected:
            continue
        shielded = counts.get((part_type, part_id, True), 0)
        for is_protected, count in ((False, n - shielded), (True, shielded)):
            if count:
                for day in dates:
                    rows.append((day, "action_list", part_type, part_id, None, None, None,
                                 is_protected, None, None, None, count))  # fmt: skip
    if municipalities is None and objects is None:
        for day in dates:
            rows.append((day, ACTION_LIST_BUILT, COUNTRY, "", None, None, None, False, None,
                         None, None, 1))  # fmt: skip
    return rows


# --------------------------------------------------------------------------- writing


def write(connection, dates: Iterable[dt.date], municipalities=None, objects=None) -> int:
    """Replace the rows as of ``dates`` of the parts named (codes; None: every part of that
    kind, an empty set: none) with newly counted ones, in the caller's transaction; rows
    written. The caller tags the dates (kpi_mart_date)."""
    dates = sorted(set(dates))
    if not dates or not kept_tables.present(connection, PageAggregate):
        return 0
    table = PageAggregate.__table__
    for part_type, codes in ((MUNICIPALITY, municipalities), (OBJECT, objects)):
        if codes is not None and not codes:
            continue
        stmt = delete(table).where(table.c.as_of.in_(dates), table.c.part_type == part_type)
        if codes is not None:
            stmt = stmt.where(table.c.part_id.in_(sorted(codes)))
        connection.execute(stmt)
    if municipalities is None and objects is None:
        connection.execute(
            delete(table).where(table.c.as_of.in_(dates), table.c.part_type == COUNTRY)
        )
    rows = _risk_rows(connection, dates, municipalities, objects)
    rows += _pick_rows(connection, dates, municipalities, objects)
    rows += _action_rows(connection, dates, municipalities, objects)
    rows += _action_list_rows(connection, dates, municipalities, objects)
    rows += _overdue_trend_rows(connection, dates, municipalities)
    rows.sort(
        key=lambda r: (r[0], r[1], r[2], r[3], *(("" if v is None else str(v)) for v in r[4:]))
    )

    def bind(day):
        return kept_tables.bind_date(connection, PageAggregate, day)

    bound = [(bind(r[0]), *r[1:8], bind(r[8]), *r[9:]) for r in rows]  # as_of and month
    insert_rows(connection, table, _COLUMNS, bound)
    return len(rows)


# --------------------------------------------------------------------------- reading


def _of(as_of: dt.date, aggregate: str, municipalities, objects) -> list[ColumnElement[bool]]:
    """Conditions for the rows of ``aggregate`` of the parts: ``municipalities`` and ``objects``
    are selects of codes (None: every part of that kind)."""
    t = PageAggregate
    conditions = [t.as_of == as_of, t.aggregate == aggregate]
    if municipalities is None and objects is None:
        return conditions
    parts = []
    for part_type, codes in ((MUNICIPALITY, municipalities), (OBJECT, objects)):
        if codes is None:
            parts.append(t.part_type == part_type)
        else:
            parts.append(and_(t.part_type == part_type, t.part_id.in_(codes)))
    return [*conditions, or_(*parts)]


def risk_counts(conn, as_of: dt.date, municipalities=None, objects=None) -> list[tuple]:
    """(likelihood, consequence, treatment, count) summed over the parts, protected included."""
    t = PageAggregate
    grouped = (t.likelihood, t.consequence, t.treatment)
    stmt = (
        select(*grouped, func.sum(t.count))
        .where(*_of(as_of, "risks", municipalities, objects))
        .group_by(*grouped)
    )
    return [(int(a), int(b), c, int(n)) for a, b, c, n in conn.execute(stmt)]


def protected_risk_count(conn, as_of: dt.date, municipalities=None, objects=None) -> int:
    t = PageAggregate
    stmt = select(func.sum(t.count)).where(
        *_of(as_of, "risks", municipalities, objects), t.protected.is_(True)
    )
    return int(conn.execute(stmt).scalar() or 0)


def risk_cells(
    conn,
    as_of: dt.date,
    municipalities=None,
    objects=None,
    *,
    protected: bool,
    cell: tuple[int, int] | None = None,
) -> dict[tuple[int, int], int]:
    """{(likelihood, consequence): count} of the parts' risks (of one matrix ``cell`` if given),
    those of säkerhetsskydd assets only with ``protected``: the risk list's rows per cell."""
    t = PageAggregate
    stmt = (
        select(t.likelihood, t.consequence, func.sum(t.count))
        .where(*_of(as_of, "risks", municipalities, objects))
        .group_by(t.likelihood, t.consequence)
    )
    if not protected:
        stmt = stmt.where(t.protected.is_(False))
    if cell is not None:
        stmt = stmt.where(t.likelihood == cell[0], t.consequence == cell[1])
    return {(int(lik), int(con)): int(n) for lik, con, n in conn.execute(stmt) if n}


def high_risk_count(
    conn, as_of: dt.date, municipalities=None, objects=None, *, protected: bool
) -> int:
    """High risks without action, those of säkerhetsskydd assets only with ``protected``."""
    t = PageAggregate
    stmt = select(func.sum(t.count)).where(*_of(as_of, "high_risks", municipalities, objects))
    if not protected:
        stmt = stmt.where(t.protected.is_(False))
    return int(conn.execute(stmt).scalar() or 0)


def high_risk_candidates(
    as_of: dt.date,
    municipalities=None,
    objects=None,
    *,
    protected: bool,
    limit: int = HIGH_RISK_LIST_LIMIT,
) -> Select:
    """The ids of the first ``limit`` high risks without action of the parts, in the list's
    order (high_risk_order), from the parts' kept first rows."""
    t = PageAggregate
    stmt = select(t.risk_id).where(*_of(as_of, "high_risk_pick", municipalities, objects))
    if not protected:
        stmt = stmt.where(t.protected.is_(False))
    order = ((t.likelihood * t.consequence).desc(), t.risk_code, t.risk_id)
    return stmt.order_by(*order).limit(min(limit, HIGH_RISK_LIST_LIMIT))


def open_actions(conn, as_of: dt.date, municipalities=None, objects=None) -> dict[dt.date, int]:
    """The open-actions estimate per month (first day) summed over the parts."""
    t = PageAggregate
    stmt = (
        select(t.month, func.sum(t.count))
        .where(*_of(as_of, "open_actions", municipalities, objects))
        .group_by(t.month)
    )
    return {as_date(month): int(n) for month, n in conn.execute(stmt)}


def action_list_total(
    conn, as_of: dt.date, municipalities=None, objects=None, *, protected: bool
) -> int | None:
    """The Åtgärder list's row count for the parts, the actions on risks of säkerhetsskydd
    assets only with ``protected``; None when the date's rows were built before these counts
    were kept (count on demand)."""
    t = PageAggregate
    built = select(t.id).where(t.as_of == as_of, t.aggregate == ACTION_LIST_BUILT).limit(1)
    if conn.execute(built).first() is None:
        return None
    stmt = select(func.sum(t.count)).where(*_of(as_of, "action_list", municipalities, objects))
    if not protected:
        stmt = stmt.where(t.protected.is_(False))
    return int(conn.execute(stmt).scalar() or 0)


__all__ = [
    "action_list_total",
    "counted_in_trend",
    "has_live_action",
    "high_risk_candidates",
    "high_risk_count",
    "high_risk_order",
    "is_high",
    "open_actions",
    "open_at_month_ends",
    "open_day",
    "protected_risk_count",
    "risk_counts",
    "risk_cells",
    "risk_counts_select",
    "write",
    "OVERDUE_TREND",
    "overdue_trend",
]


# --------------------------------------------------------------------------- the overdue trend

# The committee report's overdue trend (dashboard/report/gather.py): per municipality, the
# actions overdue at each of the trend's days (etl.kpi.dates.overdue_trend_days of the date) in
# ``month`` (the day itself, not a month's first day), the same count as the municipality's
# ``actions_overdue`` (etl.kpi.facts.overdue_by_day): its units' actions once each, and each
# shared action (no owner unit) of an object it takes part in once. So a view of several
# municipalities sums their rows, as compute_kpis's roll-up sums their numbers. Objects keep no
# rows of it: their shared actions are in each participant's. A per-part update rewrites the
# touched municipalities, and an object's change touches its participants (etl.kpi.mart_update).
OVERDUE_TREND = "overdue_trend"
# The row that says a date's overdue trend was built whole (as ACTION_LIST_BUILT): a date built
# before these counts were kept has none, and its trend is counted on demand.
OVERDUE_TREND_BUILT = "overdue_trend_built"


def _overdue_trend_rows(connection, dates: Sequence[dt.date], municipalities) -> list[tuple]:
    """The OVERDUE_TREND rows of ``municipalities`` (codes; None: all) as of ``dates``.

    One pass over the actions open and due before the latest trend day of all dates: each is
    counted in the bucket of the first trend day after its due date (due on a day is not overdue
    that day, etl.kpi.rules.action_is_overdue), per owner unit or object, and each day's count
    is the running sum of the buckets up to it."""
    if municipalities is not None and not municipalities:
        return []
    trend_days = {day: overdue_trend_days(day) for day in dates}
    every_day = sorted({d for days in trend_days.values() for d in days})
    bucket = case(*[(Action.due_on < d, i) for i, d in enumerate(every_day)])
    overdue = action_overdue_sql(every_day[-1], seek=True)
    buckets: dict[str, list[int]] = defaultdict(lambda: [0] * len(every_day))
    municipality_of, owned = _owned_actions(connection, municipalities)
    for unit_id, i, n in connection.execute(
        _by_bucket(Action.owner_unit_id, bucket, owned, overdue)
    ):
        code = municipality_of.get(unit_id)
        if code is not None:
            buckets[code][int(i)] += int(n)
    # The shared actions, once for each distinct participating municipality.
    pairs = select(GovernanceParticipant.governance_object_id, Municipality.code).join(
        Municipality, Municipality.id == GovernanceParticipant.municipality_id
    )
    if municipalities is not None:
        pairs = pairs.where(Municipality.code.in_(sorted(municipalities)))
    participants: dict[int, set[str]] = defaultdict(set)
    for object_id, code in connection.execute(pairs.distinct()):
        participants[object_id].add(code)
    if participants:
        shared = and_(
            Action.owner_unit_id.is_(None),
            Action.governance_object_id.in_(
                pairs.with_only_columns(GovernanceParticipant.governance_object_id)
            ),
        )
        stmt = _by_bucket(Action.governance_object_id, bucket, shared, overdue)
        for object_id, i, n in connection.execute(stmt):
            for code in participants.get(object_id, ()):
                buckets[code][int(i)] += int(n)
    rows = []
    for code, counts in buckets.items():
        running = dict(zip(every_day, itertools.accumulate(counts), strict=True))
        for as_of, days in trend_days.items():
            for day in days:
                if running[day]:
                    rows.append((as_of, OVERDUE_TREND, MUNICIPALITY, code, None, None, None,
                                 False, day, None, None, running[day]))  # fmt: skip
    if municipalities is None:
        for as_of in dates:
            rows.append((as_of, OVERDUE_TREND_BUILT, COUNTRY, "", None, None, None, False, None,
                         None, None, 1))  # fmt: skip
    return rows


def _by_bucket(key, bucket, *where) -> Select:
    """(key, bucket, count) of the actions under ``where``. The bucket's CASE is written once,
    in a subquery: repeated in GROUP BY beside an expanded IN list, SQLite's positional
    parameters were bound to the wrong places (actions due next year came back)."""
    rows = select(key.label("key"), bucket.label("bucket")).where(*where).subquery("due")
    return select(rows.c.key, rows.c.bucket, func.count()).group_by(rows.c.key, rows.c.bucket)


def overdue_trend(conn, as_of: dt.date, municipalities=None) -> list[int] | None:
    """The overdue trend as of ``as_of`` (a value per day of overdue_trend_days) summed over
    ``municipalities`` (a select of codes; None: all); None when the date's rows were built
    before the trend was kept (count on demand)."""
    t = PageAggregate
    built = select(t.id).where(t.as_of == as_of, t.aggregate == OVERDUE_TREND_BUILT).limit(1)
    if conn.execute(built).first() is None:
        return None
    stmt = select(t.month, func.sum(t.count)).where(
        t.as_of == as_of, t.aggregate == OVERDUE_TREND, t.part_type == MUNICIPALITY
    )
    if municipalities is not None:
        stmt = stmt.where(t.part_id.in_(municipalities))
    found = {as_date(day): int(n) for day, n in conn.execute(stmt.group_by(t.month))}
    return [found.get(day, 0) for day in overdue_trend_days(as_of)]
