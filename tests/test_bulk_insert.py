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
