"""Upgrades (issue 7.4): a store made at the first migration and filled with the sample set keeps
every row and every number when it is upgraded to head, on SQLite and PostgreSQL; the latest
migration (and every one back to 0001) can be undone and redone without losing data.
"""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from etl.db import alembic_config, make_engine, migrate
from etl.generate import generate
from etl.kpi.compute import kpi_json
from etl.load import load_paths
from tests.workbooks import TODAY

FIRST = "0001"


def head_revision(engine) -> str:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def table_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in inspect(conn).get_table_names()
            if name != "alembic_version"
        }


def same_rows(older: dict[str, int], newer: dict[str, int]) -> bool:
    """Every table both schemas have holds the same rows; a table only the older schema has
    (one a later migration replaced, such as the kept frames the KPI mart replaced) is empty."""
    shared = set(older) & set(newer)
    return {k: older[k] for k in shared} == {k: newer[k] for k in shared} and all(
        older[k] == 0 for k in set(older) - shared
    )


def snapshot(engine) -> tuple[dict[str, int], dict]:
    with Session(engine) as session:
        return table_counts(engine), kpi_json(session, TODAY)


def filled_store_at_first_migration(store_url, tmp_path):
    engine = make_engine(store_url)
    migrate(engine, FIRST)
    assert current_revision(engine) == FIRST
    generate(tmp_path / "sample", municipalities=4, seed=1882, fmt="xlsx", today=TODAY)
    run = load_paths(engine, [tmp_path / "sample"], today=TODAY)
    assert run.ok and len(run.files) > 10
    return engine


def test_a_store_filled_at_0001_keeps_its_data_through_the_upgrade(store_url, tmp_path):
    engine = filled_store_at_first_migration(store_url, tmp_path)
    counts, kpis = snapshot(engine)
    assert counts["asset"] > 100 and counts["action"] > 50 and counts["metric_snapshot"] > 0

    migrate(engine)

    assert current_revision(engine) == head_revision(engine) != FIRST
    after_counts, after_kpis = snapshot(engine)
    assert {k: after_counts[k] for k in counts} == counts
    assert set(after_counts) > set(counts)  # the later migrations added (empty) tables
    assert all(after_counts[k] == 0 for k in set(after_counts) - set(counts))
    assert after_kpis == kpis
    # The upgraded store goes on working: the same files again change nothing.
    run = load_paths(engine, [tmp_path / "sample"], today=TODAY)
    assert {f.outcome for f in run.files} == {"unchanged"}
    engine.dispose()


def test_downgrade_and_upgrade_round_trips(store_url, tmp_path):
    engine = filled_store_at_first_migration(store_url, tmp_path)
    migrate(engine)
    counts, kpis = snapshot(engine)
    cfg = alembic_config(engine)
    head = head_revision(engine)

    command.downgrade(cfg, "-1")  # the latest migration
    assert current_revision(engine) != head
    down_counts, down_kpis = snapshot(engine)
    assert down_kpis == kpis
    assert same_rows(down_counts, counts)
    command.upgrade(cfg, "head")
    assert snapshot(engine) == (counts, kpis)

    command.downgrade(cfg, FIRST)  # every migration back to the first, then up again
    first_counts, first_kpis = snapshot(engine)
    assert first_kpis == kpis
    assert same_rows(first_counts, counts)
    command.upgrade(cfg, "head")
    assert current_revision(engine) == head
    assert snapshot(engine) == (counts, kpis)
    engine.dispose()
