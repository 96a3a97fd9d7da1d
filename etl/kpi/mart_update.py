"""The KPI mart brought up to date for the scopes a load touched, instead of rebuilt whole.

A file replaces one source's rows (etl.load_data), and every number of a scope is a sum over
rows that belong to it (docs/metrics.md "Scopes and membership"). So a load can change the
numbers of the scopes its source's rows belonged to before and after it: the units owning the
rows, their administrations and municipalities, the gap analyses' administrations, the rows'
governance objects and, for an object's *shared* rows, every participant. The loader notes the
rows before the load (``footprint``) and hands them over (``remember``) in this process; a load
this process did not see, an organisation workbook or a load touching more than half the
country makes ``update`` decline, and the caller builds the mart whole. A touched municipality
is computed again from all its detail (maturity is a mean of means, shared rows count for
participants), by compute_kpis's code; only the touched scopes' rows are replaced, and the dates
are tagged with the new version in the same transaction, under the store's writer lock.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field, fields

import pandas as pd
from sqlalchemy import and_, bindparam, delete, func, insert, literal, or_, select, text
from sqlalchemy.orm import Session

from etl.kpi import coverage_gaps, kept_tables, mart, page_aggregates
from etl.kpi.compute import compute_kpis, compute_scope
from etl.kpi.definitions import SCOPE_TYPES
from etl.kpi.scope import Scope
from etl.kpi.viewer import SYSTEM
from etl.models import (
    Administration,
    CoverageGap,
    GovernanceObject,
    GovernanceParticipant,
    KpiMart,
    KpiMartDate,
    Load,
    MetricSnapshot,
    Municipality,
    PageAggregate,
    Source,
    Unit,
)

log = logging.getLogger(__name__)

# A run of more loads than this is a delivery, not an upload: the mart is built whole.
MAX_LOADS = 200
# Recomputing more than this share of the municipalities costs about what a full build does.
MAX_MUNICIPALITY_SHARE = 0.5
# Loads noted by this process and not yet folded into the mart (oldest dropped beyond this).
_MAX_NOTED = 100_000


@dataclass(frozen=True)
class Footprint:
    """The org entities (ids) that a source's rows belong to."""

    units: frozenset[int] = frozenset()
    administrations: frozenset[int] = frozenset()
    objects: frozenset[int] = frozenset()
    shared_objects: frozenset[int] = frozenset()  # objects with rows counted for participants

    def __or__(self, other: Footprint) -> Footprint:
        return Footprint(*(getattr(self, f.name) | getattr(other, f.name) for f in fields(self)))


NOTHING = Footprint()

# (kind, column, table, condition) of the ids of each kind among the rows of the sources :ids:
# the rows etl.load_data writes, and the entity each belongs to (docs/metrics.md).
_FOOTPRINT_SQL = (
    ("units", "primary_unit_id", "asset", ""),
    ("units", "owner_unit_id", "action", ""),
    ("units", "unit_id", "follow_up_report", ""),
    ("administrations", "administration_id", "gap_analysis", ""),
    ("objects", "governance_object_id", "asset", ""),
    ("objects", "governance_object_id", "risk_analysis", ""),
    ("objects", "governance_object_id", "action", ""),
    ("objects", "governance_object_id", "gap_analysis", ""),
    ("shared_objects", "governance_object_id", "risk_analysis", " AND asset_id IS NULL"),
    ("shared_objects", "governance_object_id", "action", " AND owner_unit_id IS NULL"),
)
_FOOTPRINT = text(
    " UNION ".join(
        f"SELECT '{kind}' AS kind, {column} AS id FROM {table} WHERE source_id IN :ids{condition}"
        for kind, column, table, condition in _FOOTPRINT_SQL
    )
).bindparams(bindparam("ids", expanding=True))


def footprint(connection, source_ids) -> Footprint:
    """The entities the current rows of ``source_ids`` belong to (one query)."""
    ids = sorted({int(i) for i in source_ids})
    if not ids:
        return NOTHING
    found: dict[str, set[int]] = {kind: set() for kind, *_ in _FOOTPRINT_SQL}
    for kind, entity in connection.execute(_FOOTPRINT, {"ids": ids}):
        if entity is not None:
            found[kind].add(int(entity))
    return Footprint(**{kind: frozenset(ids) for kind, ids in found.items()})


# (store, accepted load id) -> (the file's sha256, the footprint of its source's rows just
# before it replaced them): one process may load into several stores, whose load ids repeat.
_NOTED: dict[tuple[str, int], tuple[str, Footprint]] = {}


def _store(bind) -> str:
    return bind.url.render_as_string(hide_password=True)


def remember(engine, load_id: int | None, sha256: str, before: Footprint) -> None:
    """Note an accepted load of this process and what its source held before it (committed)."""
    if load_id is None:
        return
    _NOTED[(_store(engine), int(load_id))] = (sha256, before)
    while len(_NOTED) > _MAX_NOTED:
        del _NOTED[next(iter(_NOTED))]


def _forget_up_to(store: str, load_id: int) -> None:
    for key in [k for k in _NOTED if k[0] == store and k[1] <= load_id]:
        del _NOTED[key]


@dataclass
class Touched:
    """What an update recomputed (entity codes per scope type) and what it wrote."""

    scopes: dict[str, set[str]] = field(default_factory=dict)
    computed_in_full: list[dt.date] = field(default_factory=list)
    rows_written: int = 0
    page_rows_written: int = 0  # etl.kpi.page_aggregates' rows
    # Whether the day's snapshot must hold every scope (the mart was last updated another day).
    whole_snapshot: bool = True
    seconds: dict[str, float] = field(default_factory=dict)

    def count(self) -> int:
        return sum(len(codes) for codes in self.scopes.values())


def _loads_since(session, load_id: int) -> list[tuple[int, int | None, str | None, str | None]]:
    """(id, source id, source kind, file hash) of the accepted loads after ``load_id``."""
    return session.execute(
        select(Load.id, Load.source_id, Source.kind, Load.sha256)
        .outerjoin(Source, Source.id == Load.source_id)
        .where(Load.outcome == "accepted", Load.id > load_id)
        .order_by(Load.id)
    ).all()


def _changed(session, built: str, now: str) -> tuple[Footprint, int] | None:
    """What changed between the store versions ``built`` (the mart's) and ``now``, and the
    newest accepted load; None when that is not known here (a load of another process, an
    organisation workbook, too many loads, a change made outside the loads)."""
    since, accepted = json.loads(built)[:2]
    loads = _loads_since(session, since or 0)
    if len(loads) > MAX_LOADS or (accepted or 0) + len(loads) != json.loads(now)[1]:
        return None
    if not loads and built != now:  # rows deleted or edited outside the ETL
        return None
    changed = NOTHING
    store = _store(session.get_bind())
    for load_id, _source, kind, sha256 in loads:
        noted = _NOTED.get((store, load_id))
        if kind not in ("administration", "object") or noted is None or noted[0] != sha256:
            return None
        changed = changed | noted[1]
    sources = {source for _, source, *_ in loads if source is not None}
    newest = max([since or 0, *(i for i, *_ in loads)])
    return changed | footprint(session.connection(), sources), newest


def _ids_in(column, ids) -> object:
    return column.in_(sorted(ids)) if ids else literal(False)


def _expand(session, changed: Footprint) -> tuple[Scope, dict[str, set[str]]] | None:
    """The scope to compute (every administration and unit of each touched municipality, the
    touched objects) and the codes of the touched scopes per scope type; None when too big."""

    def of(*columns, key, ids) -> list:  # the rows of ``ids`` (by ``key``), no query for none
        return session.execute(select(*columns).where(key.in_(sorted(ids)))).all() if ids else []

    participants = of(
        GovernanceParticipant.municipality_id,
        GovernanceParticipant.administration_id,
        key=GovernanceParticipant.governance_object_id,
        ids=changed.shared_objects,
    )
    unit_rows = of(Unit.code, Unit.administration_id, key=Unit.id, ids=changed.units)
    administrations = set(changed.administrations) | {a for _, a in unit_rows}
    administrations |= {a for _, a in participants if a is not None}
    municipality_ids = {m for m, _ in participants}
    municipality_ids |= {
        m for (m,) in of(Administration.municipality_id, key=Administration.id, ids=administrations)
    }
    count = session.scalar(select(func.count()).select_from(Municipality)) or 0
    if len(municipality_ids) > max(1, int(count * MAX_MUNICIPALITY_SHARE)):
        return None
    detail = Administration.municipality_id.in_(sorted(municipality_ids))
    detail_or_touched = detail | _ids_in(Administration.id, administrations)
    scope = Scope(
        unit=Unit.administration_id.in_(select(Administration.id).where(detail_or_touched)),
        administration=detail_or_touched,
        municipality=_ids_in(Municipality.id, municipality_ids),
        governance_object=_ids_in(GovernanceObject.id, changed.objects),
        types=tuple(SCOPE_TYPES),
    )

    def codes(table, ids) -> set[str]:
        return {code for (code,) in of(table.code, key=table.id, ids=ids)}

    touched = {
        "municipality": codes(Municipality, municipality_ids),
        "administration": codes(Administration, administrations),
        "unit": {code for code, _ in unit_rows},
        "governance_object": codes(GovernanceObject, changed.objects),
    }
    return scope, touched


def _delete(connection, as_of: dt.date, touched: dict[str, set[str]] | None = None) -> None:
    """Delete the mart's rows as of ``as_of`` (of the ``touched`` scopes only)."""
    if touched is None:
        connection.execute(delete(KpiMart).where(KpiMart.as_of == as_of))
    for scope_type, codes in (touched or {}).items():
        if codes:
            connection.execute(
                delete(KpiMart).where(
                    KpiMart.as_of == as_of,
                    KpiMart.scope_type == scope_type,
                    KpiMart.scope_id.in_(sorted(codes)),
                )
            )


def _only(frame: pd.DataFrame, touched: dict[str, set[str]]) -> pd.DataFrame:
    keys = {(t, c) for t, codes in touched.items() for c in codes}
    chosen = [(t, c) in keys for t, c in zip(frame["scope_type"], frame["scope_id"], strict=True)]
    return frame[chosen]


def update(session: Session, as_of: dt.date) -> Touched | None:
    """Bring the mart up to date for a load run ending on ``as_of``, in the caller's
    transaction (which must hold the writer lock); None, with nothing written, when it cannot
    be done scope by scope (then build it whole: etl.kpi.snapshot)."""
    if not mart.present(session):
        return None
    held = dict(session.execute(select(KpiMartDate.as_of, KpiMartDate.store_version)).all())
    if not held or len(set(held.values())) != 1:
        return None
    wanted = mart.mart_dates(as_of)
    kept = [d for d in wanted if d in held]
    if not kept:
        return None
    version = mart.store_version(session)
    clock = time.perf_counter()
    changed = _changed(session, next(iter(held.values())), version)
    if changed is None:
        return None
    footprint_, newest = changed
    expanded = _expand(session, footprint_)
    if expanded is None:
        return None
    scope, touched = expanded
    connection = session.connection()
    result = Touched(scopes=touched, whole_snapshot=set(held) != set(wanted))
    result.seconds["scopes"] = round(time.perf_counter() - clock, 3)
    for day in held:
        if day not in wanted:
            _delete(connection, day)
    kept_tables.forget(connection, CoverageGap, PageAggregate, keep=wanted)
    for day in wanted:
        clock = time.perf_counter()
        if day in held:
            if not result.count():
                continue
            rows = _only(compute_scope(session, day, scope), touched)
            _delete(connection, day, touched)
            coverage_gaps.write(connection, [day], touched["municipality"])
        else:  # a date the mart did not hold (a new day): every scope
            rows = compute_kpis(session, day, SYSTEM)
            _delete(connection, day)
            result.computed_in_full.append(day)
            coverage_gaps.write(connection, [day])
        result.rows_written += mart.insert_frame(connection, day, rows)
        result.seconds[day.isoformat()] = round(time.perf_counter() - clock, 3)
    # The pages' counts: the touched parts of the held dates, every part of a new date.
    clock = time.perf_counter()
    if result.count():
        result.page_rows_written += page_aggregates.write(
            connection, kept, touched["municipality"], touched["governance_object"]
        )
    result.page_rows_written += page_aggregates.write(connection, result.computed_in_full)
    result.seconds["pages"] = round(time.perf_counter() - clock, 3)
    if mart.store_version(session) != version:  # cannot happen under the writer lock
        raise RuntimeError("the store changed while the KPI mart was updated")
    connection.execute(delete(KpiMartDate))
    connection.execute(
        insert(KpiMartDate), [{"as_of": d, "store_version": version} for d in wanted]
    )
    _forget_up_to(_store(session.get_bind()), newest)
    log.info(
        "KPI mart updated as of %s: %d scopes, %d rows (in full: %s; seconds %s)",
        wanted, result.count(), result.rows_written, result.computed_in_full, result.seconds,
        extra={"touched": result},  # for a benchmark's handler
    )  # fmt: skip
    return result


def snapshot_from_mart(connection, as_of: dt.date, taken_at: dt.datetime, run_id: str | None,
                       scopes: dict[str, set[str]] | None = None) -> int:  # fmt: skip
    """metric_snapshot rows as of ``as_of`` copied in one statement from the mart's rows of that
    date (up to date), for every scope or only ``scopes`` (enough when the day has a snapshot of
    every other scope at the same numbers: a trend reads a month's last one); rows written."""
    columns = ("scope_type", "scope_id", "metric", "value", "numerator", "denominator")
    target = MetricSnapshot.__table__
    source = select(
        literal(as_of, target.c.as_of.type),
        literal(taken_at, target.c.taken_at.type),
        literal(run_id, target.c.run_id.type),
        *(getattr(KpiMart, c) for c in columns),
    ).where(KpiMart.as_of == as_of)
    if scopes is not None:
        chosen = [
            and_(KpiMart.scope_type == scope_type, KpiMart.scope_id.in_(sorted(codes)))
            for scope_type, codes in scopes.items()
            if codes
        ]
        if not chosen:
            return 0
        source = source.where(or_(*chosen))
    # In the order of uq_kpi_mart_row, which finds the date's rows: read along it without a
    # sort (ordered by id, SQLite sorted the 430 000 rows of a national date first). Each
    # scope's metric has one row per snapshot, so the order of the copies is not read.
    in_index_order = source.order_by(KpiMart.scope_type, KpiMart.scope_id, KpiMart.metric)
    statement = insert(target).from_select(
        ["as_of", "taken_at", "run_id", *columns], in_index_order
    )
    return connection.execute(statement).rowcount
