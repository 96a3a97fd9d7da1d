"""National fact rows kept in the store at load time, so that no request aggregates the raw tables.

Every fact query (``_kpi_facts``) groups by (unit, governance object) and restricts a scope by the
same two columns, so a scoped request's fact rows are exactly the national rows of its units and
objects. The load's snapshot step computes the national facts as of its day anyway; it keeps them
here (``materialize``) for that day and for the quarter before (the cards' comparison), with the
report's overdue trend for that day, tagged
with the store version they were computed on. A request of any scope then filters those rows
(``scoped_facts``); when the store has changed since, or for another date, it gets ``None`` and
queries the tables as before, without storing what it computed: only a load writes here.
tests/test_kpi_materialized.py holds both paths equal for every role.

The rows are stored as an ``.npz`` archive of plain numeric columns (``allow_pickle=False``): a
few MB for the whole country, read and decoded in milliseconds, never code.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import struct
import weakref
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, inspect, select

from etl.kpi import cache, facts
from etl.kpi.dates import Cutoffs, overdue_trend_days
from etl.kpi.scope import Scope, build_scope
from etl.kpi.viewer import SYSTEM
from etl.models import KpiFactFrame

log = logging.getLogger(__name__)

# Each kind's national query; follow-up rows have a unit and no object.
FACT_QUERIES: dict[str, Callable] = {
    "asset": facts.asset_facts,
    "risk": facts.risk_facts,
    "action": facts.action_facts,
    "follow_up": facts.follow_up_facts,
}
# The report's overdue trend (one column per day of overdue_trend_days), kept for the load's day.
TREND_KIND = "overdue_trend"
_COLUMNS_ENTRY = "__columns__"


def _overdue_trend(conn, cut: Cutoffs, scope: Scope) -> pd.DataFrame:
    return facts.overdue_by_day_facts(conn, overdue_trend_days(cut.as_of), scope)


QUERIES: dict[str, Callable] = {**FACT_QUERIES, TREND_KIND: _overdue_trend}
# Dates kept per store version: the load's two (its day and the quarter before), and room for
# a second snapshot of the same version (the last written dates stay).
MAX_KEPT_DATES = 6


def encode(frame: pd.DataFrame) -> bytes:
    """The frame's columns as an npz archive; raises TypeError for a non-numeric column."""
    arrays = {}
    for index, column in enumerate(frame.columns):
        values = frame[column].to_numpy()
        if values.dtype == object:  # an all-NULL column comes back as objects: keep it numeric
            try:
                values = pd.to_numeric(frame[column]).to_numpy(dtype=float)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"column {column!r} is not numeric") from exc
        if values.dtype.kind not in "biuf":
            raise TypeError(f"column {column!r} is not numeric ({values.dtype})")
        arrays[f"c{index}"] = values
    arrays[_COLUMNS_ENTRY] = np.array([str(c) for c in frame.columns])
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def decode(payload: bytes) -> pd.DataFrame:
    return _decode_columns(payload).frame()


@dataclass(frozen=True)
class KeptColumns:
    """A kept frame's columns as arrays (views on the payload when stored plainly): a scoped
    request takes its few rows from them without building the national frame first."""

    arrays: dict[str, np.ndarray]
    row_count: int  # what the result cache counts against its bound

    def frame(self, rows: np.ndarray | None = None) -> pd.DataFrame:
        """The frame of all rows, or of the rows where the boolean ``rows`` is set."""
        if rows is None:
            return pd.DataFrame(self.arrays)
        return pd.DataFrame({c: values[rows] for c, values in self.arrays.items()})


def _decode_columns(payload: bytes) -> KeptColumns:
    arrays = _stored_arrays(payload)
    if arrays is None:  # not as encode writes it (e.g. compressed): numpy's own reader decides
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            arrays = {name.removesuffix(".npy"): archive[name] for name in archive.files}
    columns = [str(c) for c in arrays[_COLUMNS_ENTRY]]
    named = {c: arrays[f"c{i}"] for i, c in enumerate(columns)}
    return KeptColumns(named, len(next(iter(named.values()))) if named else 0)


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip member's local header, before its name
_NPY_HEADERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def _stored_arrays(payload: bytes) -> dict[str, np.ndarray] | None:
    """The archive's arrays as views on ``payload``, or None unless every member is a stored
    (uncompressed) plain .npy, which is what ``encode`` writes.

    np.load copies each member through zipfile, checking its CRC: for a national frame that was
    most of a request's reading time. The payload comes from our own table, so the view skips it.
    """
    view = memoryview(payload)
    arrays = {}
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = archive.infolist()
        for member in members:
            if member.compress_type != zipfile.ZIP_STORED or not member.filename.endswith(".npy"):
                return None
            fields = _LOCAL_HEADER.unpack_from(view, member.header_offset)
            start = member.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10]
            body = io.BytesIO(view[start : start + member.file_size])
            read_header = _NPY_HEADERS.get(np.lib.format.read_magic(body))
            if read_header is None:
                return None
            shape, fortran, dtype = read_header(body)
            if fortran or dtype.hasobject or len(shape) != 1:
                return None
            arrays[member.filename.removesuffix(".npy")] = np.frombuffer(
                payload, dtype=dtype, count=shape[0], offset=start + body.tell()
            )
    except (zipfile.BadZipFile, ValueError, struct.error):
        return None
    return arrays


_table_seen: weakref.WeakSet = weakref.WeakSet()


def _table_exists(conn) -> bool:
    """Whether the store has kpi_fact_frame (migration 0005). A store not yet upgraded is read
    and loaded without kept facts; a True answer is remembered per engine."""
    engine = cache.engine_of(conn)
    if engine in _table_seen:
        return True
    connection = conn.connection() if hasattr(conn, "get_bind") else conn
    if not inspect(connection).has_table(KpiFactFrame.__tablename__):
        return False
    _table_seen.add(engine)
    return True


def version_key(version: tuple) -> str:
    return json.dumps(list(version))


def materialize(session, as_of_dates: Iterable[dt.date], trend_day: dt.date | None = None) -> int:
    """Compute and keep the national facts of every kind as of each date (and the overdue trend
    as of ``trend_day``), for the store version the session sees; returns the number of frames
    written (0 when the store changed meanwhile).

    Runs in the caller's transaction; rows of other versions are deleted.
    """
    if not _table_exists(session):
        return 0
    facts.prepare_connection(session)
    version = cache.store_version(session)
    national = build_scope(SYSTEM)
    frames = {
        (as_of, kind): query(session, Cutoffs(as_of), national)
        for as_of in sorted(set(as_of_dates))
        for kind, query in FACT_QUERIES.items()
    }
    if trend_day is not None:
        frames[trend_day, TREND_KIND] = _overdue_trend(session, Cutoffs(trend_day), national)
    # On PostgreSQL each statement sees the latest commit: a load committed between the queries
    # would leave rows of two versions under one tag. Keep them only if nothing changed.
    if cache.store_version(session) != version:
        log.info("store changed while materializing facts: not kept")
        return 0
    _write(session, version_key(version), frames)
    log.info("kept national facts as of %s (%d frames)", sorted(set(as_of_dates)), len(frames))
    return len(frames)


def overdue_trend_facts(conn, as_of: dt.date, scope: Scope) -> pd.DataFrame:
    """Per (unit_id, object_id, shared): open actions overdue at each of overdue_trend_days
    (columns overdue_0, overdue_1, ...), kept or queried."""
    return facts_for(conn, TREND_KIND, as_of, scope)


def _write(session, key: str, frames: dict[tuple[dt.date, str], pd.DataFrame]) -> None:
    """Replace the kept frames of version ``key`` for these (date, kind)s; drop other versions
    and, beyond MAX_KEPT_DATES, this version's least recently written dates."""
    table = KpiFactFrame.__table__
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    session.execute(delete(table).where(table.c.store_version != key))
    for (as_of, kind), frame in frames.items():
        session.execute(
            delete(table).where(
                table.c.store_version == key, table.c.as_of == as_of, table.c.kind == kind
            )
        )
        session.execute(
            insert(table).values(
                store_version=key,
                as_of=as_of,
                kind=kind,
                created_at=now,
                row_count=len(frame),
                payload=encode(frame),
            )
        )
    newest = (
        select(table.c.as_of)
        .where(table.c.store_version == key)
        .group_by(table.c.as_of)
        .order_by(func.max(table.c.created_at).desc(), table.c.as_of.desc())
        .limit(MAX_KEPT_DATES)
    )
    kept_dates = [row[0] for row in session.execute(newest)]
    session.execute(
        delete(table).where(table.c.store_version == key, table.c.as_of.notin_(kept_dates))
    )


def forget(engine) -> None:
    """Drop every kept frame: after editing the store outside the ETL (which the store version
    does not see), together with ``_kpi_cache.clear()``."""
    with engine.begin() as conn:
        if _table_exists(conn):
            conn.execute(delete(KpiFactFrame.__table__))


def keep_frames(
    session, as_of: dt.date, computations: dict[str, Callable[[], pd.DataFrame]]
) -> int:
    """Compute national frames (kind -> computation) and keep them as of ``as_of`` for the store
    version the session sees, in the caller's transaction, beside the load's other kept frames;
    returns the number written (0: the store changed meanwhile, or has no kpi_fact_frame yet).
    For the pages' own national counts (risk cells, asset gaps, open actions by month)."""
    if not _table_exists(session):
        return 0
    version = cache.store_version(session)
    frames = {(as_of, kind): compute() for kind, compute in computations.items()}
    if cache.store_version(session) != version:  # as in materialize
        log.info("store changed while keeping %s: not kept", sorted(computations))
        return 0
    _write(session, version_key(version), frames)
    log.info("kept national %s as of %s", sorted(computations), as_of)
    return len(frames)


def smallest_int_type(values: pd.Series) -> type:
    """The smallest integer type that holds ``values``: a kept frame is decoded whole by every
    request, and most counts per unit fit a byte."""
    low, high = int(values.min()), int(values.max())
    for kind in (np.uint8, np.uint16, np.int16, np.int32):
        if np.iinfo(kind).min <= low and high <= np.iinfo(kind).max:
            return kind
    return np.int64


def compact(values: np.ndarray) -> np.ndarray:
    """Float ``values`` for a kept frame: whole numbers from 0 in the smallest integer type, -1
    standing for a missing (NaN) one; anything else as floats. Kept KPI numerators and
    denominators are mostly small counts; ``expand`` reads them back."""
    present = values[~np.isnan(values)]
    if len(present) and (present.min() < 0 or np.any(np.mod(present, 1) != 0)):
        return values
    missing = np.isnan(values)
    whole = np.where(missing, -1, values)
    return whole.astype(smallest_int_type(pd.Series(whole))) if len(whole) else whole


def expand(values: np.ndarray) -> np.ndarray:
    """``compact``'s values as floats again (NaN for -1)."""
    if values.dtype.kind == "f":
        return values.astype("float64")
    return np.where(values < 0, np.nan, values.astype("float64"))


def facts_for(
    conn, kind: str, as_of: dt.date, scope: Scope, scope_key: tuple | None = None
) -> pd.DataFrame:
    """The fact rows of ``kind`` under ``scope``: filtered from the kept national rows, else
    queried. Never stored here: only a load keeps frames, a request only reads (DESIGN §6).
    ``scope_key``: see scoped_facts."""
    kept = scoped_facts(conn, kind, as_of, scope, scope_key)
    if kept is not None:
        return kept
    return QUERIES[kind](conn, Cutoffs(as_of), scope)


def kept_national(conn, kind: str, as_of: dt.date) -> pd.DataFrame | None:
    """The kept national rows of ``kind`` as of ``as_of`` at the current store version."""
    kept = _national_columns(conn, kind, as_of)
    return None if kept is None else kept.frame()


def kept_columns(conn, kind: str, as_of: dt.date) -> KeptColumns | None:
    """The kept national rows of ``kind`` as of ``as_of`` at the current store version, as
    arrays (decoded once per process and version; read only)."""
    return _national_columns(conn, kind, as_of)


def _national_columns(conn, kind: str, as_of: dt.date) -> KeptColumns | None:
    if not _table_exists(conn):
        return None
    table = KpiFactFrame.__table__
    frame_id = conn.execute(
        select(table.c.id).where(
            table.c.store_version == version_key(cache.current_version(conn)),
            table.c.as_of == as_of,
            table.c.kind == kind,
        )
    ).scalar()
    if frame_id is None:
        return None

    def read() -> KeptColumns:
        return _decode_columns(_payload(conn, frame_id))

    # Decoded once per process while the version lasts (the id changes with the version); the
    # arrays are only read, never changed.
    return cache.cached(conn, ("kept_facts", frame_id), read)


def _payload(conn, frame_id: int) -> bytes:
    """The kept frame's bytes. On PostgreSQL with psycopg they come in binary: as text, bytea
    travels hex-encoded and decoding a national frame of a few MB took longer than reading it."""
    connection = conn.connection() if hasattr(conn, "get_bind") else conn
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        driver = connection.connection.driver_connection
        with driver.cursor(binary=True) as cursor:
            cursor.execute("SELECT payload FROM kpi_fact_frame WHERE id = %s", (frame_id,))
            return bytes(cursor.fetchone()[0])
    table = KpiFactFrame.__table__
    return conn.execute(select(table.c.payload).where(table.c.id == frame_id)).scalar_one()


def _ids(conn, subquery) -> np.ndarray:
    return np.fromiter((row[0] for row in conn.execute(subquery)), dtype=np.int64)


def _scope_ids(conn, scope: Scope) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(unit ids, object ids) whose fact rows ``scope`` reads; None = all."""
    units, objects = scope.unit_ids(), scope.object_ids()
    return (
        None if units is None else _ids(conn, units),
        None if objects is None else _ids(conn, objects),
    )


def scoped_facts(
    conn, kind: str, as_of: dt.date, scope: Scope, scope_key: tuple | None = None
) -> pd.DataFrame | None:
    """``FACT_QUERIES[kind](conn, Cutoffs(as_of), scope)`` from the kept national rows, or None
    when none are kept for this store version and date.

    ``scope_key`` names ``scope`` for the result cache (as kpi's callers do): a page reads four
    kinds for two dates under one scope, and its ids are then looked up once, not eight times.
    """
    national = _national_columns(conn, kind, as_of)
    if national is None:
        return None
    if scope.unit is None:  # the fact queries do not restrict such a scope at all
        return national.frame()
    if scope_key is None:
        unit_ids, object_ids = _scope_ids(conn, scope)
    else:
        unit_ids, object_ids = cache.cached(
            conn, ("scope_ids", scope_key), lambda: _scope_ids(conn, scope)
        )
    in_scope = np.isin(national.arrays["unit_id"], unit_ids)
    if kind != "follow_up":
        object_id = national.arrays["object_id"].astype("float64")
        if object_ids is None:
            in_scope |= ~np.isnan(object_id)
        else:
            in_scope |= np.isin(object_id, object_ids)
    return national.frame(in_scope)


__all__ = [
    "FACT_QUERIES",
    "decode",
    "encode",
    "facts_for",
    "forget",
    "materialize",
    "overdue_trend_facts",
    "scoped_facts",
]
