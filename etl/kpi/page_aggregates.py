"""The Risker and Åtgärder pages' counts (and the report's overdue trend): defined once here,
counted on demand for a selection and kept per part of the country with the KPI mart.

The parts are disjoint and make the country (docs/metrics.md "Scopes and membership"): each
municipality and each governance object (its object-level risks and provider actions, counted
once for the country and for each participant), so a view of several municipalities sums its
parts' rows, with or without the säkerhetsskydd assets (etl.visibility). A full build also writes
marker rows that a per-part update keeps: a date without them is counted on demand.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict, namedtuple
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Select, and_, case, delete, exists, func, or_, select

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
COUNTRY = "country"  # the part type of the marker rows
ACTION_LIST_BUILT = "action_list_built"
# The report's overdue trend per municipality at each overdue_trend_days day (in ``month``): its
# ``actions_overdue`` (etl.kpi.facts.overdue_by_day), shared actions included (no object rows).
OVERDUE_TREND = "overdue_trend"
OVERDUE_TREND_BUILT = "overdue_trend_built"
# The Risker page lists this many high risks without action; each part keeps as many.
HIGH_RISK_LIST_LIMIT = 50
TREND_MONTHS = 12  # the months of the open-actions trend

# One kept row; every kind of count leaves the columns it does not use at their defaults.
_Row = namedtuple(
    "_Row",
    "as_of aggregate part_type part_id likelihood consequence treatment protected month risk_id "
    "risk_code count",
    defaults=(None, None, None, False, None, None, None, 1),
)
_SUM = func.sum(PageAggregate.count)


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


def _join(stmt: Select, joins: Sequence) -> Select:
    for target, on in joins:
        stmt = stmt.join(target, on)
    return stmt


# From a unit to its municipality.
_TO_MUNICIPALITY = (
    (Administration, Administration.id == Unit.administration_id),
    (Municipality, Municipality.id == Administration.municipality_id),
)


def _risks(*columns, joins: Sequence = ()) -> Select:
    """Risk joined to its RiskAnalysis, outer to its Asset, and to ``joins``: each risk once."""
    stmt = (
        select(*columns)
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .outerjoin(Asset, Asset.id == RiskAnalysis.asset_id)
    )
    return _join(stmt, joins)


def risk_counts_select(where, *keys, joins: Sequence = (), also: Sequence = ()) -> Select:
    """The risks under ``where`` counted per ``keys``, likelihood, consequence and treatment (the
    matrix's and the treatment chart's numbers in one pass); ``also``: more aggregate columns."""
    grouped = (*keys, Risk.likelihood, Risk.consequence, Risk.treatment)
    return _risks(*grouped, func.count(), *also, joins=joins).where(where).group_by(*grouped)


def open_day() -> ColumnElement:
    """An action's day in the open-actions estimate: NULL while open, else its completion."""
    return case((action_open_sql(seek=True), None), else_=Action.completed_on)


def counted_in_trend(first_end: dt.date) -> ColumnElement[bool]:
    """The actions the estimate counts at a month-end from ``first_end`` on: the open ones and
    those completed after it (cancelled ones have no date)."""
    return or_(
        action_open_sql(seek=True), and_(Action.status == "done", Action.completed_on > first_end)
    )


def open_at_month_ends(days: Iterable[tuple[object, int]], ends: Sequence[dt.date]) -> list[int]:
    """The open-actions estimate at each of ``ends`` from (open_day, count) rows."""
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


def _kinds(municipalities, objects) -> list[tuple[str, object]]:
    """(part type, codes; None: every part) of the kinds of part asked for (not an empty set)."""
    return [
        (t, c) for t, c in ((MUNICIPALITY, municipalities), (OBJECT, objects)) if c is None or c
    ]


# Per part type: the key, the joins from a risk to it, its risks, and their säkerhetsskydd flag.
_RISK_PARTS = {
    MUNICIPALITY: (
        Municipality.code,
        ((Unit, Unit.id == Asset.primary_unit_id), *_TO_MUNICIPALITY),
        RiskAnalysis.asset_id.is_not(None),
        Asset.security_protection,
    ),
    OBJECT: (
        GovernanceObject.code,
        ((GovernanceObject, GovernanceObject.id == RiskAnalysis.governance_object_id),),
        RiskAnalysis.asset_id.is_(None),
        None,
    ),
}


def _risk_parts(municipalities, objects):
    for part_type, codes in _kinds(municipalities, objects):
        key, joins, where, protected = _RISK_PARTS[part_type]
        if codes is not None:
            where = and_(where, key.in_(sorted(codes)))
        yield part_type, key, joins, where, [] if protected is None else [protected]


def _actions_of(part_type: str, codes, *columns) -> tuple[ColumnElement, Select]:
    """(key, select of key and ``columns``) of a part's actions: a municipality's units', an
    object's provider actions (no owner unit)."""
    if part_type == MUNICIPALITY:
        key = Municipality.code
        stmt = select(key, *columns).select_from(Action).join(Unit, Unit.id == Action.owner_unit_id)
        stmt = _join(stmt, _TO_MUNICIPALITY)
    else:
        key = GovernanceObject.code
        stmt = (
            select(key, *columns)
            .select_from(Action)
            .join(GovernanceObject, GovernanceObject.id == Action.governance_object_id)
            .where(Action.owner_unit_id.is_(None))
        )
    return key, stmt if codes is None else stmt.where(key.in_(sorted(codes)))


def _owned_actions(connection, municipalities) -> tuple[dict, ColumnElement[bool]]:
    """Each unit's municipality code (of ``municipalities``; None: all) and the condition for
    their actions: counted per unit and summed in Python (no join per action)."""
    units = _join(select(Unit.id, Municipality.code), _TO_MUNICIPALITY)
    if municipalities is None:
        return dict(connection.execute(units).all()), Action.owner_unit_id.is_not(None)
    units = units.where(Municipality.code.in_(sorted(municipalities)))
    owned = Action.owner_unit_id.in_(units.with_only_columns(Unit.id))
    return dict(connection.execute(units).all()), owned


def _provider_actions(connection, objects) -> tuple[dict, ColumnElement[bool]]:
    """Each governance object's code (of ``objects``; None: all) and the condition for its
    provider actions (no owner unit), counted per object id (as _owned_actions)."""
    found = select(GovernanceObject.id, GovernanceObject.code)
    provided = Action.owner_unit_id.is_(None)
    if objects is None:
        return dict(connection.execute(found).all()), provided
    found = found.where(GovernanceObject.code.in_(sorted(objects)))
    chosen = Action.governance_object_id.in_(found.with_only_columns(GovernanceObject.id))
    return dict(connection.execute(found).all()), and_(provided, chosen)


def _bucket(dates: Sequence[dt.date]) -> ColumnElement[int]:
    """The index of the first of ``dates`` (sorted) on or after the analysis' date."""
    return case(*[(RiskAnalysis.analysed_on <= d, i) for i, d in enumerate(dates)])


def _risk_rows(connection, dates: Sequence[dt.date], municipalities, objects) -> list[_Row]:
    """Per part: the risks per matrix cell and treatment, counted per date bucket in one pass
    and summed up to each date."""
    rows = []
    for part_type, key, joins, where, flag in _risk_parts(municipalities, objects):
        stmt = risk_counts_select(
            and_(where, RiskAnalysis.analysed_on <= dates[-1]),
            *(key, _bucket(dates), *flag),
            joins=joins,
        )
        counts: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(dates))
        for part_id, bucket, *protected, lik, con, treatment, n in connection.execute(stmt):
            shielded = bool(protected and protected[0])
            counts[(part_id, shielded, int(lik), int(con), treatment)][int(bucket)] += int(n)
        for (part_id, shielded, *cell), per_bucket in counts.items():
            as_of_dates = zip(dates, itertools.accumulate(per_bucket), strict=True)
            rows += [_Row(day, "risks", part_type, part_id, *cell, protected=shielded, count=n)
                     for day, n in as_of_dates if n]  # fmt: skip
    return rows


def _high_risk_rows(connection, dates: Sequence[dt.date], municipalities, objects) -> list[_Row]:
    """Per part and protected or not: the high risks without action as of each date, and the
    first HIGH_RISK_LIST_LIMIT of them in the list's order, from one ordered pass over them (a
    risk is in a date's list when fewer than the limit of that date's come before it)."""
    rows = []
    for part_type, key, joins, where, flag in _risk_parts(municipalities, objects):
        flag = [func.coalesce(column, False) for column in flag]
        listed = (Risk.id, Risk.code, Risk.likelihood, Risk.consequence)
        stmt = (
            _risks(key, *flag, _bucket(dates), *listed, joins=joins)
            .where(where, RiskAnalysis.analysed_on <= dates[-1], high_without_action())
            .order_by(*high_risk_order())
        )
        found: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(dates))
        for part_id, *protected, bucket, risk_id, code, lik, con in connection.execute(stmt):
            shielded = bool(protected and protected[0])
            counts = found[(part_id, shielded)]
            for i in range(int(bucket), len(dates)):
                if counts[i] < HIGH_RISK_LIST_LIMIT:
                    rows.append(_Row(dates[i], "high_risk_pick", part_type, part_id, int(lik),
                                     int(con), protected=shielded, risk_id=int(risk_id),
                                     risk_code=code))  # fmt: skip
                counts[i] += 1
        rows += [_Row(day, "high_risks", part_type, part_id, protected=shielded, count=n)
                 for (part_id, shielded), counts in found.items()
                 for day, n in zip(dates, counts, strict=True) if n]  # fmt: skip
    return rows


def month_end_bucket(ends: Sequence[dt.date]) -> ColumnElement[int]:
    """An action's bucket among ``ends`` (sorted): all of them while open, else the number of
    ends before its completion; 0 for what counted_in_trend(ends[0]) leaves out. The
    open-actions estimate at ``ends[i]`` is the count of the buckets above i, as
    open_at_month_ends counts it. Without a WHERE on the status, SQLite reads the actions from
    the owner's covering index instead of seeking each row through the status index."""
    whens = [(action_open_sql(seek=True), len(ends))]
    whens += [(Action.status != "done", 0), (Action.completed_on.is_(None), 0)]
    whens += [(Action.completed_on <= end, i) for i, end in enumerate(ends)]
    return case(*whens, else_=len(ends))


def _action_rows(connection, dates: Sequence[dt.date], municipalities, objects) -> list[_Row]:
    """Per part: the open-actions estimate at the TREND_MONTHS month-ends before each date.
    The estimate at a month-end does not depend on the date, so the ends of all dates are
    counted in one grouped pass per kind of part (a bucket per action, no row per day)."""
    ends = {day: last_month_ends(day, TREND_MONTHS) for day in dates}
    every_end = sorted({end for days in ends.values() for end in days})
    bucket = month_end_bucket(every_end)
    buckets: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * (len(every_end) + 1))
    for part_type, codes in _kinds(municipalities, objects):
        if part_type == MUNICIPALITY:
            code_of, actions = _owned_actions(connection, codes)
            key = Action.owner_unit_id
        else:
            code_of, actions = _provider_actions(connection, codes)
            key = Action.governance_object_id
        for part_key, i, n in connection.execute(_by_bucket(key, bucket, actions)):
            if (code := code_of.get(part_key)) is not None:
                buckets[(part_type, code)][int(i)] += int(n)
    months = {end: dt.date(end.year, end.month, 1) for end in every_end}
    rows = []
    for (part_type, part_id), counts in buckets.items():
        from_bucket = list(itertools.accumulate(reversed(counts)))[::-1]
        open_at = {end: from_bucket[i + 1] for i, end in enumerate(every_end)}
        for as_of in dates:
            rows += [_Row(as_of, "open_actions", part_type, part_id, month=months[end], count=n)
                     for end in ends[as_of] if (n := open_at[end])]  # fmt: skip
    return rows


def _action_list_rows(connection, dates: Sequence[dt.date], municipalities, objects) -> list[_Row]:
    """The Åtgärder list's rows per part, on a säkerhetsskydd asset's risk or not; no date."""
    on_protected = Action.risk_id.in_(protected_risk_ids())
    counts: dict[tuple[str, str, bool], int] = defaultdict(int)
    for part_type, codes in _kinds(municipalities, objects):
        if part_type == MUNICIPALITY:  # per owner unit, summed per municipality here
            municipality_of, owned = _owned_actions(connection, codes)
            key, stmt = (
                Action.owner_unit_id,
                select(Action.owner_unit_id, func.count()).where(owned),
            )
        else:
            municipality_of = None
            key, stmt = _actions_of(part_type, codes, func.count())
        for protected in (False, True):
            extra = [on_protected] if protected else []
            for part_id, n in connection.execute(stmt.where(*extra).group_by(key)):
                code = part_id if municipality_of is None else municipality_of.get(part_id)
                if code is not None:
                    counts[(part_type, code, protected)] += int(n)
    rows = []
    for (part_type, part_id, protected), n in counts.items():
        if not protected:
            shielded = counts.get((part_type, part_id, True), 0)
            for is_protected, count in ((False, n - shielded), (True, shielded)):
                rows += [_Row(day, "action_list", part_type, part_id, protected=is_protected,
                              count=count) for day in dates if count]  # fmt: skip
    return rows


def _overdue_trend_rows(connection, dates: Sequence[dt.date], municipalities) -> list[_Row]:
    """OVERDUE_TREND rows in one pass: each action open and due before the latest trend day in
    the bucket of the first trend day after its due date; a day sums the buckets up to it."""
    if municipalities is not None and not municipalities:
        return []
    trend_days = {day: overdue_trend_days(day) for day in dates}
    every_day = sorted({d for days in trend_days.values() for d in days})
    bucket = case(*[(Action.due_on < d, i) for i, d in enumerate(every_day)])
    # Spelled NOT IN (not seek): SQLite reads the owner's covering index instead of each row
    # through the status index, twice as fast.
    overdue = action_overdue_sql(every_day[-1])
    buckets: dict[str, list[int]] = defaultdict(lambda: [0] * len(every_day))
    municipality_of, owned = _owned_actions(connection, municipalities)
    for unit_id, i, n in connection.execute(
        _by_bucket(Action.owner_unit_id, bucket, owned, overdue)
    ):
        if (code := municipality_of.get(unit_id)) is not None:
            buckets[code][int(i)] += int(n)
    # The shared actions, once for each distinct participating municipality.
    pairs = select(GovernanceParticipant.governance_object_id, Municipality.code)
    pairs = pairs.join(Municipality, Municipality.id == GovernanceParticipant.municipality_id)
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
            rows += [_Row(as_of, OVERDUE_TREND, MUNICIPALITY, code, month=day, count=running[day])
                     for day in days if running[day]]  # fmt: skip
    return rows


def _by_bucket(key, bucket, *where) -> Select:
    """(key, bucket, count) of the actions under ``where``. The bucket's CASE is written once,
    in a subquery: repeated in GROUP BY beside an expanded IN list, SQLite's positional
    parameters were bound to the wrong places (actions due next year came back)."""
    rows = select(key.label("key"), bucket.label("bucket")).where(*where).subquery("due")
    return select(rows.c.key, rows.c.bucket, func.count()).group_by(rows.c.key, rows.c.bucket)


def counted(connection, dates: Iterable[dt.date], municipalities=None, objects=None) -> list:
    """The rows ``write`` keeps for these dates and parts. It only reads: the KPI step counts
    them on a connection of its own while it writes the mart (etl.kpi.snapshot)."""
    dates = sorted(set(dates))
    rows = _risk_rows(connection, dates, municipalities, objects)
    rows += _high_risk_rows(connection, dates, municipalities, objects)
    rows += _action_rows(connection, dates, municipalities, objects)
    rows += _action_list_rows(connection, dates, municipalities, objects)
    rows += _overdue_trend_rows(connection, dates, municipalities)
    if municipalities is None and objects is None:
        rows += [_Row(day, marker, COUNTRY, "") for day in dates
                 for marker in (ACTION_LIST_BUILT, OVERDUE_TREND_BUILT)]  # fmt: skip
    return rows


def write(connection, dates: Iterable[dt.date], municipalities=None, objects=None,
          rows: list | None = None) -> int:  # fmt: skip
    """Replace the rows as of ``dates`` of the parts named (codes; None: every part of that
    kind, an empty set: none), in the caller's transaction, which tags the dates; rows written.
    ``rows``: ``counted`` for the same dates and parts at the store version being tagged."""
    dates = sorted(set(dates))
    if not dates or not kept_tables.present(connection, PageAggregate):
        return 0
    table = PageAggregate.__table__
    whole = municipalities is None and objects is None
    kinds = _kinds(municipalities, objects) + ([(COUNTRY, None)] if whole else [])
    for part_type, codes in kinds:
        stmt = delete(table).where(table.c.as_of.in_(dates), table.c.part_type == part_type)
        connection.execute(
            stmt if codes is None else stmt.where(table.c.part_id.in_(sorted(codes)))
        )
    if rows is None:
        rows = counted(connection, dates, municipalities, objects)
    # Each date bound once (a bind per row took as long as the inserts); the order of the rows
    # is not needed (no reader relies on the ids).
    days = {r.as_of for r in rows} | {r.month for r in rows}
    bound = {day: kept_tables.bind_date(connection, PageAggregate, day) for day in days}
    insert_rows(connection, table, _Row._fields, [
        (bound[r.as_of], *r[1:8], bound[r.month], *r[9:]) for r in rows
    ])  # fmt: skip
    return len(rows)


def _select(as_of: dt.date, aggregate: str, municipalities, objects, *columns,
            protected: bool = True) -> Select:  # fmt: skip
    """``columns`` of the rows of ``aggregate`` of the parts (selects of codes; None: every part
    of that kind), those about säkerhetsskydd assets only with ``protected``."""
    t = PageAggregate
    stmt = select(*columns).where(t.as_of == as_of, t.aggregate == aggregate)
    if municipalities is not None or objects is not None:
        stmt = stmt.where(or_(*(
            t.part_type == part_type if codes is None
            else and_(t.part_type == part_type, t.part_id.in_(codes))
            for part_type, codes in ((MUNICIPALITY, municipalities), (OBJECT, objects))
        )))  # fmt: skip
    return stmt if protected else stmt.where(t.protected.is_(False))


def _total(conn, stmt: Select) -> int:
    return int(conn.execute(stmt).scalar() or 0)


def _built(conn, as_of: dt.date, marker: str) -> bool:
    """Whether the date's rows were built whole by code that keeps the counts ``marker`` names."""
    t = PageAggregate
    stmt = select(t.id).where(t.as_of == as_of, t.aggregate == marker).limit(1)
    return conn.execute(stmt).first() is not None


def risk_counts(conn, as_of: dt.date, municipalities=None, objects=None) -> list[tuple]:
    """(likelihood, consequence, treatment, count) summed over the parts, protected included."""
    t = PageAggregate
    cell = (t.likelihood, t.consequence, t.treatment)
    stmt = _select(as_of, "risks", municipalities, objects, *cell, _SUM).group_by(*cell)
    return [(int(a), int(b), c, int(n)) for a, b, c, n in conn.execute(stmt)]


def protected_risk_count(conn, as_of: dt.date, municipalities=None, objects=None) -> int:
    stmt = _select(as_of, "risks", municipalities, objects, _SUM)
    return _total(conn, stmt.where(PageAggregate.protected.is_(True)))


def risk_cells(conn, as_of: dt.date, municipalities=None, objects=None, *, protected: bool,
               cell: tuple[int, int] | None = None) -> dict[tuple[int, int], int]:  # fmt: skip
    """{(likelihood, consequence): count} of the parts' risks (of one matrix ``cell`` if given),
    those of säkerhetsskydd assets only with ``protected``: the risk list's rows per cell."""
    t = PageAggregate
    stmt = _select(as_of, "risks", municipalities, objects, t.likelihood, t.consequence, _SUM,
                   protected=protected).group_by(t.likelihood, t.consequence)  # fmt: skip
    if cell is not None:
        stmt = stmt.where(t.likelihood == cell[0], t.consequence == cell[1])
    return {(int(lik), int(con)): int(n) for lik, con, n in conn.execute(stmt) if n}


def high_risk_count(conn, as_of: dt.date, municipalities=None, objects=None, *,
                    protected: bool) -> int:  # fmt: skip
    """High risks without action, those of säkerhetsskydd assets only with ``protected``."""
    return _total(conn, _select(as_of, "high_risks", municipalities, objects, _SUM,
                                protected=protected))  # fmt: skip


def high_risk_candidates(as_of: dt.date, municipalities=None, objects=None, *, protected: bool,
                         limit: int = HIGH_RISK_LIST_LIMIT) -> Select:  # fmt: skip
    """The ids of the first ``limit`` high risks without action of the parts, in the list's
    order (high_risk_order), from the parts' kept first rows."""
    t = PageAggregate
    stmt = _select(as_of, "high_risk_pick", municipalities, objects, t.risk_id, protected=protected)
    order = ((t.likelihood * t.consequence).desc(), t.risk_code, t.risk_id)
    return stmt.order_by(*order).limit(min(limit, HIGH_RISK_LIST_LIMIT))


def open_actions(conn, as_of: dt.date, municipalities=None, objects=None) -> dict[dt.date, int]:
    """The open-actions estimate per month (first day) summed over the parts."""
    t = PageAggregate
    stmt = _select(as_of, "open_actions", municipalities, objects, t.month, _SUM)
    return {as_date(month): int(n) for month, n in conn.execute(stmt.group_by(t.month))}


def action_list_total(conn, as_of: dt.date, municipalities=None, objects=None, *,
                      protected: bool) -> int | None:  # fmt: skip
    """The Åtgärder list's row count for the parts, the actions on risks of säkerhetsskydd
    assets only with ``protected``; None when the date has no such counts (count on demand)."""
    if not _built(conn, as_of, ACTION_LIST_BUILT):
        return None
    return _total(conn, _select(as_of, "action_list", municipalities, objects, _SUM,
                                protected=protected))  # fmt: skip


def overdue_trend(conn, as_of: dt.date, municipalities=None) -> list[int] | None:
    """The overdue trend as of ``as_of`` (a value per day of overdue_trend_days) summed over
    ``municipalities`` (a select of codes; None: all); None when the date has no trend kept."""
    if not _built(conn, as_of, OVERDUE_TREND_BUILT):
        return None
    t = PageAggregate
    stmt = select(t.month, _SUM).where(
        t.as_of == as_of, t.aggregate == OVERDUE_TREND, t.part_type == MUNICIPALITY
    )
    if municipalities is not None:
        stmt = stmt.where(t.part_id.in_(municipalities))
    found = {as_date(day): int(n) for day, n in conn.execute(stmt.group_by(t.month))}
    return [found.get(day, 0) for day in overdue_trend_days(as_of)]
