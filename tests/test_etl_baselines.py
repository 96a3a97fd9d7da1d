"""The ETL benchmark's bare baseline writes the very rows the loader wrote, into the same tables."""

from benchmarks.etl_baselines import LEFT_EMPTY, LOADED_TABLES, sqlite_executemany, store_rows
from etl.db import make_engine, migrate
from etl.load import load_paths
from tests.workbooks import TODAY, write_admin, write_org


def _migrated(path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


def _indexes(url: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}  # fmt: skip
    engine.dispose()
    return names


def test_the_same_rows_in_the_same_tables_with_and_without_indexes(tmp_path):
    write_org(tmp_path / "in")
    write_admin(tmp_path / "in")
    loaded = _migrated(tmp_path / "loaded.db")
    engine = make_engine(loaded)
    assert load_paths(engine, [tmp_path / "in"], today=TODAY, snapshot=False).ok
    engine.dispose()
    rows = store_rows(loaded)
    assert set(rows) == set(LOADED_TABLES)
    assert rows["asset"][1] and rows["action"][1] and rows["unit"][1]

    indexed, plain = _migrated(tmp_path / "indexed.db"), _migrated(tmp_path / "plain.db")
    with_indexes = sqlite_executemany(rows, indexed, indexes=True)
    without = sqlite_executemany(rows, plain, indexes=False)
    assert (
        with_indexes["store_rows"]
        == without["store_rows"]
        == sum(len(v) for _c, v in rows.values())
    )
    for url in (indexed, plain):
        assert store_rows(url) == rows  # every row, column for column
    assert without["secondary_indexes_dropped"] > 0
    assert _indexes(indexed) >= {"ix_action_status_due"} and not _indexes(plain) & {
        "ix_action_status_due"
    }
    assert ("source", "current_load_id") in LEFT_EMPTY
