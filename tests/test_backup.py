"""Backup and restore of the SQLite store, also while another connection is writing."""

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl.backup import BackupError, backup_sqlite, restore_sqlite
from etl.db import make_engine, migrate
from etl.models import Municipality


def _count_municipalities(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        n = s.scalar(select(func.count()).select_from(Municipality))
    engine.dispose()
    return n


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as s, s.begin():
        s.add_all(
            [
                Municipality(code="1882", name="Askersund"),
                Municipality(code="1861", name="Hallsberg"),
            ]
        )
    engine.dispose()
    return url, tmp_path / "live.db"


def test_backup_is_consistent_while_a_write_is_in_flight(store, tmp_path):
    url, path = store
    writer = sqlite3.connect(path)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO municipality (code, name) VALUES ('1860', 'Laxå')")
    try:
        out = backup_sqlite(url, tmp_path / "copy.db")
    finally:
        writer.rollback()
        writer.close()
    assert _count_municipalities(f"sqlite:///{out}") == 2
    with sqlite3.connect(out) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_brings_back_the_backed_up_rows(store, tmp_path):
    url, path = store
    out = backup_sqlite(url, tmp_path / "copy.db")
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM municipality")
    assert _count_municipalities(url) == 0
    restore_sqlite(url, out)
    assert _count_municipalities(url) == 2


def test_restore_refuses_a_file_that_is_not_a_store(store, tmp_path):
    url, _ = store
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(BackupError, match="ingen SQLite-databas"):
        restore_sqlite(url, bogus)
    assert _count_municipalities(url) == 2


def test_backup_of_postgresql_points_to_pg_dump():
    with pytest.raises(BackupError, match="pg_dump"):
        backup_sqlite("postgresql+psycopg://postgres@127.0.0.1/test", Path("x"))
