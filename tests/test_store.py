"""The store: migrations create every table, SQLite pragmas hold, constraints bite."""

import datetime as dt

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from etl import models
from etl.db import session_factory


def test_migration_creates_every_model_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(models.Base.metadata.tables) <= tables


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() > 0


def test_unit_needs_an_existing_administration(engine):
    with pytest.raises(IntegrityError), session_factory(engine)() as s, s.begin():
        s.add(models.Unit(code="U1", name="Enhet", administration_id=999))


def test_classification_level_out_of_range_is_refused(engine):
    Session = session_factory(engine)
    with Session() as s, s.begin():
        m = models.Municipality(code="1882", name="Askersund")
        a = models.Administration(code="A", name="Adm", municipality=m)
        u = models.Unit(code="U", name="Enhet", administration=a)
        src = models.Source(key="administration:A", kind="administration")
        s.add_all([m, a, u, src])
        s.flush()
        asset = models.Asset(
            code="T1",
            name="Tillgång",
            carrier_type="it_system",
            primary_unit_id=u.id,
            source_id=src.id,
        )
        s.add(asset)
        s.flush()
        asset_id, source_id = asset.id, src.id
    with pytest.raises(IntegrityError), Session() as s, s.begin():
        s.add(
            models.Classification(
                asset_id=asset_id,
                classified_on=dt.date(2026, 1, 1),
                confidentiality=5,
                integrity=1,
                availability=1,
                source_id=source_id,
            )
        )
