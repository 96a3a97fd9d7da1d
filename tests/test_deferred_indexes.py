"""A first load of many sources defers the owners' tables' indexes and always builds them again."""

from __future__ import annotations

import pytest

from etl import generate, indexes
from etl import load as load_module
from etl.db import migrate
from etl.load import ACCEPTED, load_paths
from tests.workbooks import TODAY

DEFERRED = {str(i.name) for t in indexes.OWNER_TABLES for i in indexes.deferrable_indexes(t)}
KEPT = {"ix_action_source_id", "ix_follow_up_report_unit_id", "ix_classification_asset_date",
        "ix_action_risk_status_due"}  # fmt: skip
TABLES = ("asset", "asset_owner", "classification", "classification_participant",
          "risk_analysis", "risk", "gap_analysis", "gap_assessment", "action",
          "follow_up_report", "load", "source")  # fmt: skip


@pytest.fixture(scope="module")
def delivery(tmp_path_factory):
    """The generated sample delivery as CSV sets: one organisation and 22 other sources."""
    folder = tmp_path_factory.mktemp("delivery")
    generate.generate(folder, municipalities=4, fmt="csv", today=TODAY)
    return folder


def store_indexes(engine) -> dict[str, str]:
    """Index name -> definition, for the owners' tables."""
    names = ", ".join(f"'{t}'" for t in indexes.OWNER_TABLES)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            sql = (f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                   f"({names})")  # fmt: skip
        else:
            sql = (f"SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                   f"current_schema() AND tablename IN ({names})")  # fmt: skip
        return {name: definition for name, definition in conn.exec_driver_sql(sql)}


def contents(engine) -> dict[str, list[tuple]]:
    columns = {"load": "source_id, file_name, sha256, outcome, rows_total, counts_json"}
    with engine.connect() as conn:
        return {
            t: [
                tuple(r)
                for r in conn.exec_driver_sql(
                    f'SELECT {columns.get(t, "*")} FROM "{t}" ORDER BY 1, 2'
                )
            ]  # fmt: skip
            for t in TABLES
        }


def test_the_deferred_set_spares_what_the_loader_reads():
    assert set() == DEFERRED & KEPT
    assert {"ix_action_status_due", "ix_action_responsible", "ix_asset_owner_unit_id"} <= DEFERRED
    assert not any(name.endswith("_source_id") for name in DEFERRED)


def test_a_first_load_drops_them_while_it_runs_and_builds_them_after(engine, delivery):
    before = store_indexes(engine)
    assert set(before) >= DEFERRED | KEPT
    during = []

    def progress(index: int, total: int, label: str) -> None:
        if index == total - 1:  # between the last two sources
            during.append(store_indexes(engine))

    result = load_paths(engine, [delivery], today=TODAY, progress=progress, snapshot=False)
    assert {f.outcome for f in result.files} == {ACCEPTED}
    assert len(result.files) == 23
    assert DEFERRED.isdisjoint(during[0])
    assert set(during[0]) >= KEPT
    assert store_indexes(engine) == before
    assert set(result.seconds) == {"files", "indexes", "statistics"}  # no snapshot asked for


def test_the_same_rows_as_a_load_that_keeps_its_indexes(tmp_path, delivery, monkeypatch):
    from etl.db import make_engine

    stores = []
    for name, threshold in (("deferred", indexes.DEFER_MIN_SOURCES), ("kept", 10**9)):
        monkeypatch.setattr(load_module, "DEFER_MIN_SOURCES", threshold)
        store = make_engine(f"sqlite:///{tmp_path / name}.db")
        migrate(store)
        during = []
        load_paths(store, [delivery], today=TODAY, snapshot=False,
                   progress=lambda i, n, _, s=store, d=during: d.append(store_indexes(s))
                   if i == n - 1 else None)  # fmt: skip
        stores.append((store, during[0]))
    (deferred, deferred_during), (kept, kept_during) = stores
    assert DEFERRED.isdisjoint(deferred_during) and set(kept_during) >= DEFERRED
    expected = contents(kept)
    assert contents(deferred) == expected
    assert sum(len(rows) for rows in expected.values()) > 5000
    assert store_indexes(deferred) == store_indexes(kept)
    for store, _ in stores:
        store.dispose()


def test_a_run_that_fails_midway_builds_them_too(engine, delivery):
    before = store_indexes(engine)

    def progress(index: int, total: int, label: str) -> None:
        if index == 5:
            raise KeyboardInterrupt  # an operator's Ctrl-C between two files

    with pytest.raises(KeyboardInterrupt):
        load_paths(engine, [delivery], today=TODAY, progress=progress)
    assert store_indexes(engine) == before
    with engine.connect() as conn:  # the files before the interruption stay loaded
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM load").scalar() == 5


def test_a_killed_run_is_repaired_by_the_next_run_or_a_migrate(engine, delivery):
    before = store_indexes(engine)
    for repair in (lambda: migrate(engine), lambda: load_paths(engine, [], today=TODAY)):
        with engine.begin() as conn:  # what a run killed after deferring leaves behind
            assert indexes.DeferredIndexes().drop(conn)
        assert DEFERRED.isdisjoint(store_indexes(engine))
        repair()
        assert store_indexes(engine) == before


def test_tables_with_rows_keep_their_indexes(engine, delivery, tmp_path):
    first = sorted(p for p in delivery.iterdir() if p.name.startswith(("organisation.", "1882-")))
    load_paths(engine, first, today=TODAY, snapshot=False)
    before = store_indexes(engine)
    during = []
    load_paths(engine, [delivery], today=TODAY, snapshot=False,
               progress=lambda i, n, _: during.append(store_indexes(engine)) if i == n - 1
               else None)  # fmt: skip
    assert during[0] == before == store_indexes(engine)


# --------------------------------------------------------------------------- PostgreSQL's keys
# Only PostgreSQL can drop a foreign key (SQLite cannot alter a table's constraints).


@pytest.fixture
def pg_engine(tmp_path):
    from etl.db import make_engine
    from tests.conftest import empty_store_url

    urls = empty_store_url("postgresql", tmp_path)
    store = make_engine(next(urls))
    migrate(store)
    yield store
    store.dispose()
    next(urls, None)  # drops the schema


DEFERRED_KEYS = {(t, indexes._key_column(k)) for t in indexes.OWNER_TABLES
                 for k in indexes.deferrable_foreign_keys(t)}  # fmt: skip


def store_keys(engine) -> dict[tuple[str, str], tuple[str, bool]]:
    """(table, column) -> (definition, validated) of the owners' tables' foreign keys."""
    names = ", ".join(f"'{t}'" for t in indexes.OWNER_TABLES)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT c.conrelid::regclass::text, a.attname, pg_get_constraintdef(c.oid), "
            "c.convalidated FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
            "AND a.attnum = c.conkey[1] WHERE c.contype = 'f' AND c.connamespace = "
            f"current_schema()::regnamespace AND c.conrelid::regclass::text IN ({names})"
        )  # fmt: skip
        return {(table, column): (definition, valid) for table, column, definition, valid in rows}


def test_the_deferred_keys_are_those_to_the_organisation():
    assert {("action", "owner_unit_id"), ("asset", "primary_unit_id"),
            ("follow_up_report", "unit_id"), ("gap_assessment", "area_id")} <= DEFERRED_KEYS  # fmt: skip
    assert not any(column in ("source_id", "asset_id", "risk_id") for _t, column in DEFERRED_KEYS)


@pytest.mark.postgres
def test_a_first_postgresql_load_adds_the_organisation_keys_once_after(pg_engine, delivery):
    before = store_keys(pg_engine)
    assert set(before) > DEFERRED_KEYS
    during = []

    def progress(index: int, total: int, label: str) -> None:
        if index == total - 1:
            during.append(store_keys(pg_engine))

    result = load_paths(pg_engine, [delivery], today=TODAY, progress=progress, snapshot=False)
    assert {f.outcome for f in result.files} == {ACCEPTED}
    assert set(during[0]) == set(before) - DEFERRED_KEYS  # the cascading keys stay throughout
    assert store_keys(pg_engine) == before  # every key back, checked (validated)


@pytest.mark.postgres
def test_a_killed_postgresql_run_gets_its_keys_back(pg_engine):
    before = store_keys(pg_engine)
    with pg_engine.begin() as conn:  # what a run killed after deferring leaves behind
        dropped = indexes.DeferredIndexes().drop(conn)
    assert {f"{t}_{c}_fkey" for t, c in DEFERRED_KEYS} <= set(dropped)
    assert DEFERRED_KEYS.isdisjoint(store_keys(pg_engine))
    migrate(pg_engine)
    assert store_keys(pg_engine) == before


@pytest.mark.postgres
def test_a_row_that_fails_its_key_still_gets_the_key_for_new_rows(pg_engine, caplog):
    deferred = indexes.DeferredIndexes()
    with pg_engine.begin() as conn:
        deferred.drop(conn)
        source = conn.exec_driver_sql(
            "INSERT INTO source (key, kind) VALUES ('administration:X', 'administration') "
            "RETURNING id").scalar()  # fmt: skip
        conn.exec_driver_sql(  # a unit that does not exist: only possible while the key is gone
            "INSERT INTO follow_up_report (unit_id, period, submitted, source_id) "
            f"VALUES (999999, '2026-01', true, {source})"
        )
    with pg_engine.begin() as conn:
        deferred.restore(conn)
    keys = store_keys(pg_engine)
    assert set(keys) >= DEFERRED_KEYS
    assert keys[("follow_up_report", "unit_id")][1] is False  # NOT VALID: old rows unchecked
    assert all(valid for key, (_d, valid) in keys.items() if key != ("follow_up_report", "unit_id"))
    assert "follow_up_report_unit_id_fkey" in caplog.text
