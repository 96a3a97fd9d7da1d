"""After a load the planner has statistics for the tables the load wrote (SQLite and PostgreSQL)."""

from sqlalchemy import text

from etl.load import load_paths
from tests.workbooks import TODAY, write_admin, write_org


def analysed_tables(engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            has_stats = conn.execute(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            ).scalar()
            if not has_stats:
                return set()
            return set(conn.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1")).scalars())
        return set(conn.execute(text(
            "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL "
            "AND schemaname = current_schema()"  # not another test's schema
        )).scalars())  # fmt: skip


def test_a_load_leaves_planner_statistics(engine, tmp_path):
    assert "action" not in analysed_tables(engine)
    result = load_paths(engine, [write_org(tmp_path), write_admin(tmp_path)], today=TODAY)
    assert [f.outcome for f in result.files] == ["accepted", "accepted"]
    assert {"asset", "risk", "action", "unit"} <= analysed_tables(engine)


def test_a_run_that_accepts_nothing_does_not_analyse(engine, tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    load_paths(engine, [tmp_path / "broken.xlsx"], today=TODAY)
    assert "action" not in analysed_tables(engine)
