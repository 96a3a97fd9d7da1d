"""Concurrency (issue 7.3): readers keep working while a load writes; loads are serialised; a
load that cannot get the write lock in time says so in Swedish, and "database is locked" never
reaches a user.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from etl import models
from etl.db import PG_LOCK_KEY
from etl.kpi.compute import kpi_json
from etl.load import ACCEPTED, REJECTED, UNCHANGED, load_paths
from tests.hostile_corpus import write_big_admin_csv
from tests.workbooks import TODAY, write_admin, write_org

ROOT = Path(__file__).resolve().parent.parent
ASSETS = 15_000
CLI = [sys.executable, "-c", "from infosak_cli import main; main()"]


def cli_load(url: str, path: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, "load", "--database-url", url, str(path)], cwd=ROOT, env={**os.environ, **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def outcomes(engine, file_name: str) -> list[str]:
    with Session(engine) as s:
        return sorted(
            s.scalars(select(models.Load.outcome).where(models.Load.file_name == file_name))
        )


def assert_user_output_clean(output: str) -> None:
    assert "Traceback" not in output
    assert "database is locked" not in output.casefold()
    assert "OperationalError" not in output


@pytest.fixture
def prepared(engine, tmp_path):
    """The store with the organisation and the small 1882-SOC file; and the big 1882-SOC file."""
    assert load_paths(engine, [write_org(tmp_path), write_admin(tmp_path)], today=TODAY).ok
    return write_big_admin_csv(tmp_path / "big", ASSETS)


# --------------------------------------------------------------------------- two loads at once


@pytest.mark.slow
def test_two_cli_loads_at_once_are_serialised(engine, store_url, prepared):
    first, second = cli_load(store_url, prepared), cli_load(store_url, prepared)
    outputs = [first.communicate(timeout=180)[0], second.communicate(timeout=180)[0]]
    for child, output in zip((first, second), outputs, strict=True):
        assert child.returncode == 0, output
        assert_user_output_clean(output)
    # One of them loaded the file; the other waited for it and found the same file already in.
    assert outcomes(engine, "1882-SOC.*.csv") == [ACCEPTED, UNCHANGED]
    with Session(engine) as s:  # the big file replaced the small one, once
        assert s.scalar(select(func.count()).select_from(models.Asset)) == ASSETS


# --------------------------------------------------------------------------- lock held too long


def _hold_write_lock(engine, store_url: str):
    """A connection holding the store's writer lock, as a long load would."""
    if engine.dialect.name == "sqlite":
        conn = sqlite3.connect(engine.url.database, timeout=1)
        conn.isolation_level = None
        conn.execute("BEGIN IMMEDIATE")
        return conn.close
    holder_engine = create_engine(store_url)
    holder = holder_engine.connect()
    holder.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})

    def release() -> None:
        holder.rollback()  # ends the transaction, and with it the lock
        holder.close()
        holder_engine.dispose()

    return release


def test_a_load_that_cannot_get_the_lock_says_so_in_swedish(engine, store_url, prepared):
    release = _hold_write_lock(engine, store_url)
    try:
        started = time.perf_counter()
        child = cli_load(store_url, prepared, INFOSAK_LOAD_WAIT_SECONDS="2")
        output = child.communicate(timeout=120)[0]
        seconds = time.perf_counter() - started
    finally:
        release()
    assert child.returncode == 1, output
    assert "Databasen är upptagen av en annan inläsning" in output
    assert_user_output_clean(output)
    assert seconds < 30
    assert outcomes(engine, "1882-SOC.*.csv") == []  # nothing recorded while the store was busy
    engine.dispose()
    run = load_paths(engine, [prepared], today=TODAY)  # once free, the load goes through
    assert [f.outcome for f in run.files] == [ACCEPTED]


def test_busy_rejection_in_process(engine, store_url, prepared, monkeypatch):
    monkeypatch.setenv("INFOSAK_LOAD_WAIT_SECONDS", "1")
    release = _hold_write_lock(engine, store_url)
    try:
        run = load_paths(engine, [prepared], today=TODAY)
    finally:
        release()
    [result] = run.files
    assert result.outcome == REJECTED
    assert [i.message_sv for i in result.issues] == [
        "Databasen är upptagen av en annan inläsning. Vänta en stund och försök igen; inget har "
        "ändrats."
    ]


# --------------------------------------------------------------------------- readers during a load


@pytest.mark.slow
def test_readers_keep_working_while_a_load_writes(sqlite_engine, tmp_path):
    engine = sqlite_engine
    assert load_paths(engine, [write_org(tmp_path), write_admin(tmp_path)], today=TODAY).ok
    big = write_big_admin_csv(tmp_path / "big", ASSETS)
    with Session(engine) as s:
        before = kpi_json(s, TODAY)
    url = str(engine.url)
    writer = cli_load(url, big)
    errors: list[BaseException] = []
    seen: list[dict] = []

    def read_until_done() -> None:
        while writer.poll() is None:
            try:
                with Session(engine) as s:
                    seen.append(kpi_json(s, TODAY))
            except BaseException as exc:  # noqa: BLE001 - any failure of a reader is the finding
                errors.append(exc)
                return

    readers = [threading.Thread(target=read_until_done) for _ in range(3)]
    for reader in readers:
        reader.start()
    output = writer.communicate(timeout=180)[0]
    for reader in readers:
        reader.join(timeout=60)
    assert writer.returncode == 0, output
    assert errors == []
    assert len(seen) >= 3  # the readers really ran during the load
    with Session(engine) as s:
        final = kpi_json(s, TODAY)
    assert final != before
    # Every read saw a whole store: the one before the load, or the one after it.
    assert all(state in (before, final) for state in seen)
    print(f"{len(seen)} reads during the load, {sum(s == before for s in seen)} before it")
