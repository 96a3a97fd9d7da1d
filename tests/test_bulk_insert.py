"""Bulk inserts: rows and ids as SQLAlchemy would store them; driver errors as SQLAlchemy errors."""

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from etl import models
from etl.bulk import insert_rows, reserve_ids


def test_reserved_ids_and_tuples_round_trip(engine):
    table = models.Municipality.__table__
    with engine.begin() as conn:
        ids = reserve_ids(conn, table, 2)
        insert_rows(conn, table, ["id", "code", "name"], [(ids[0], "1882", "Askersund"),
                                                          (ids[1], "1861", "Hallsberg")])  # fmt: skip
        more = reserve_ids(conn, table, 1)
        assert more[0] > max(ids)
        insert_rows(conn, table, ["code", "name"], [("1814", "Lekeberg")])  # the database's id
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.id, table.c.code).order_by(table.c.code)).all()
    assert [r.code for r in rows] == ["1814", "1861", "1882"]
    assert len({r.id for r in rows}) == 3


def test_dates_read_back_as_dates(engine):
    with engine.begin() as conn:
        source = reserve_ids(conn, models.Source.__table__, 1)[0]
        insert_rows(conn, models.Source.__table__, ["id", "key", "kind"],
                    [(source, "object:GO-X", "object")])  # fmt: skip
        insert_rows(conn, models.GapAnalysis.__table__, ["assessed_on", "source_id"],
                    [(dt.date(2026, 3, 1), source)])  # fmt: skip
    with engine.connect() as conn:
        day = conn.execute(select(models.GapAnalysis.__table__.c.assessed_on)).scalar_one()
    assert day == dt.date(2026, 3, 1)


def test_a_driver_error_surfaces_as_a_sqlalchemy_error(engine):
    table = models.Municipality.__table__
    with pytest.raises(SQLAlchemyError), engine.begin() as conn:
        insert_rows(conn, table, ["code", "name"], [("1882", "A"), ("1882", "B")])  # unique code


def test_one_statement_reserves_the_ids_of_several_tables(engine):
    from sqlalchemy import event

    from etl.bulk import reserve_id_blocks

    tables = [models.Asset.__table__, models.Risk.__table__, models.GapAnalysis.__table__]
    statements = []
    with engine.begin() as conn:
        event.listen(conn, "before_cursor_execute", lambda *a: statements.append(a[2]))
        ids = reserve_id_blocks(conn, dict(zip(tables, (3, 2, 0), strict=True)))
        again = reserve_id_blocks(conn, {tables[0]: 2})
    assert [len(ids[t.name]) for t in tables] == [3, 2, 0]
    assert len(set(ids["asset"])) == 3
    if engine.dialect.name == "postgresql":  # one round trip for every table; a sequence's ids
        assert len(statements) == 2  # are never handed out twice (SQLite: after the largest)
        assert set(again["asset"]).isdisjoint(ids["asset"])


def test_a_files_tables_keep_every_type_as_sqlalchemy_stores_it(engine):
    """insert_tables (binary COPY on PostgreSQL): text, ints, floats, booleans, dates, None."""
    from etl.bulk import insert_tables

    source, unit = models.Source.__table__, models.Unit.__table__
    follow_up = models.FollowUpReport.__table__
    with engine.begin() as conn:
        conn.execute(models.Municipality.__table__.insert(), {"id": 1, "code": "1882", "name": "A"})
        conn.execute(models.Administration.__table__.insert(),
                     {"id": 1, "code": "1882-SOC", "name": "Soc", "municipality_id": 1})  # fmt: skip
        insert_tables(conn, [
            (source, ["id", "key", "kind"], [(7, "administration:1882-SOC", "administration")]),
            (unit, ["id", "code", "name", "administration_id"], [(5, "1882-SOC-E1", "Å ä ö", 1)]),
            (follow_up, ["unit_id", "period", "submitted", "submitted_on",
                         "training_completion_pct", "last_access_review_on", "source_id"],
             [(5, "2026-01", True, dt.date(2026, 2, 1), 87.5, None, 7),
              (5, "2026-02", False, None, None, dt.date(2025, 12, 31), 7)]),
            (models.Asset.__table__, ["code", "name", "source_id"], []),  # nothing: skipped
        ])  # fmt: skip
    with engine.connect() as conn:
        rows = conn.execute(select(
            follow_up.c.period, follow_up.c.submitted, follow_up.c.submitted_on,
            follow_up.c.training_completion_pct, follow_up.c.last_access_review_on,
        ).order_by(follow_up.c.period)).all()  # fmt: skip
        name = conn.execute(select(unit.c.name)).scalar_one()
    assert [tuple(r) for r in rows] == [
        ("2026-01", True, dt.date(2026, 2, 1), 87.5, None),
        ("2026-02", False, None, None, dt.date(2025, 12, 31)),
    ]
    assert name == "Å ä ö"


def test_a_bad_row_in_a_files_tables_surfaces_as_a_sqlalchemy_error(engine):
    from etl.bulk import insert_tables

    table = models.Municipality.__table__
    with pytest.raises(SQLAlchemyError), engine.begin() as conn:
        insert_tables(conn, [(table, ["code", "name"], [("1882", "A"), ("1882", "B")])])


@pytest.mark.postgres
def test_a_runs_commit_does_not_wait_for_the_disk_and_the_run_waits_once(tmp_path):
    from etl.bulk import commit_without_waiting, make_durable
    from etl.db import make_engine, migrate
    from tests.conftest import empty_store_url

    urls = empty_store_url("postgresql", tmp_path)
    store = make_engine(next(urls))
    migrate(store)
    try:
        with store.begin() as conn:
            commit_without_waiting(conn)
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
        with store.begin() as conn:  # only that transaction's
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
            make_durable(conn)
    finally:
        store.dispose()
        next(urls, None)
