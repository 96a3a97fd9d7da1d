"""A first load writes its files in batches, with the outcomes of a file-by-file load.

Every file is still checked on its own against what the files before it left; a bad file is
rejected alone with its located messages; a second file of a source, or anything another
process loads meanwhile, sends the files file by file as before.
"""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import event

from etl import generate
from etl import load as load_module
from etl.db import make_engine, migrate
from etl.load import ACCEPTED, REJECTED, UNCHANGED, load_file, load_paths
from tests.conftest import empty_store_url
from tests.workbooks import TODAY

# Every table a load writes; the columns that differ between two runs of the same files are left
# out (the run's id and its clock).
TABLES = {
    "source": "*", "asset": "*", "asset_owner": "*", "classification": "*",
    "classification_participant": "*", "risk_analysis": "*", "risk": "*", "gap_analysis": "*",
    "gap_assessment": "*", "action": "*", "follow_up_report": "*",
    "load": "id, source_id, file_name, sha256, outcome, loaded_by, rows_total, counts_json, "
            "error_count",
    "load_error": "*",
}  # fmt: skip


@pytest.fixture(scope="module")
def delivery(tmp_path_factory):
    """Four municipalities' CSV sets, one with a unit nobody has, one whose cover is garbage,
    and a later folder with a changed file for a source loaded before it."""
    folder = tmp_path_factory.mktemp("delivery")
    generate.generate(folder, municipalities=4, fmt="csv", today=TODAY)
    assets = folder / "1860-SOC.tillgangar.csv"  # an owner unit nobody has, in one row
    assets.write_bytes(
        re.sub(rb"([,;])1860-SOC-", rb"\g<1>1860-NOPE-", assets.read_bytes(), count=1)
    )
    (folder / "1861-SBF.uppgifter.csv").write_bytes(b"\x00\xff\xfe garbage \x00" * 40)
    again = tmp_path_factory.mktemp("again")
    for path in folder.glob("1814-BUF.*.csv"):
        shutil.copy(path, again / path.name)
    followups = again / "1814-BUF.uppfoljning.csv"
    followups.write_bytes(followups.read_bytes().rstrip(b"\r\n").rsplit(b"\n", 1)[0] + b"\n")
    return [folder, again]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def stores(request, tmp_path):
    """Two empty, migrated stores on each back end (PostgreSQL: schemas of their own)."""
    made, urls = [], []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        generator = empty_store_url(request.param, tmp_path / name)
        urls.append(generator)
        store = make_engine(next(generator))
        migrate(store)
        made.append(store)
    yield made
    for store in made:
        store.dispose()
    for generator in urls:
        for _ in generator:  # drops the schema
            pass


def contents(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table: [
                tuple(r)
                for r in conn.exec_driver_sql(f'SELECT {columns} FROM "{table}" ORDER BY 1, 2')
            ]  # fmt: skip
            for table, columns in TABLES.items()
        }


def outcomes(result) -> list[tuple]:
    return [(f.path.name, f.source_key, f.outcome, [i.describe() for i in f.issues], f.counts,
             f.load_id, f.file_name) for f in result.files]  # fmt: skip


def files_statements(engine, delivery) -> tuple[object, int]:
    """A load of ``delivery`` and the statements it ran for the files after the organisation."""
    statements: list[str] = []
    start: list[int] = []
    end: list[int] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    result = load_paths(engine, delivery, today=TODAY, snapshot=False,
                        progress=lambda i, n, _: start.append(len(statements)) if i == 1 else None,
                        on_file=lambda _: end.append(len(statements)))  # fmt: skip
    return result, end[-1] - start[0]


def test_the_same_store_and_results_as_a_file_by_file_load(stores, delivery, monkeypatch):
    batched, alone = stores
    monkeypatch.setattr(load_module, "BATCH_FILES", 4)  # several batches, one in flight
    first, batched_statements = files_statements(batched, delivery)
    monkeypatch.setattr(load_module, "BATCH_MIN_SOURCES", 10**9)
    second, statements = files_statements(alone, delivery)
    assert outcomes(first) == outcomes(second)
    by_outcome = {f.outcome for f in first.files}
    assert by_outcome == {ACCEPTED, REJECTED}
    rejected = [f for f in first.files if f.outcome == REJECTED]
    assert {f.path.name.split(".")[0] for f in rejected} == {"1860-SOC", "1861-SBF"}
    assert any(i.row and i.sheet for i in rejected[0].issues + rejected[1].issues)  # located
    assert [f.outcome for f in first.files if "again" in str(f.path)] == [ACCEPTED]  # replaced
    expected = contents(alone)
    assert contents(batched) == expected
    assert len(expected["load_error"]) >= 2 and len(expected["asset"]) > 300
    if batched.dialect.name == "postgresql":
        # A few statements per batch of four files (COPY is not counted) against about ten per
        # file.
        assert batched_statements * 4 < statements, (batched_statements, statements)
    else:  # SQLite's inserts are statements too: a batch's tables in one each, not per file
        assert batched_statements * 2 < statements, (batched_statements, statements)


def test_a_load_by_another_process_meanwhile_sends_the_files_one_by_one(stores, delivery,
                                                                        monkeypatch, caplog):  # fmt: skip
    batched, reference = stores
    monkeypatch.setattr(load_module, "BATCH_FILES", 4)
    caplog.set_level("INFO", logger="etl.load")
    other = make_engine(batched.url.render_as_string(hide_password=False))
    foreign = sorted(delivery[0].glob("1882-*.uppgifter.csv"))[-1]  # loaded after index 10

    def progress(index: int, total: int, label: str) -> None:
        if index == 10:  # between two files of a batch: another process loads one file
            assert load_file(other, foreign, today=TODAY).outcome in (ACCEPTED, REJECTED)

    result = load_paths(batched, delivery, today=TODAY, snapshot=False, progress=progress)
    other.dispose()
    monkeypatch.setattr(load_module, "BATCH_MIN_SOURCES", 10**9)
    expected = load_paths(reference, delivery, today=TODAY, snapshot=False)

    def shown(run) -> list[tuple]:
        return [(f.path.name, f.outcome if f.source_key != "administration:" + foreign.name[:8]
                 else "-", [i.describe() for i in f.issues], f.counts) for f in run.files]  # fmt: skip

    assert shown(result) == shown(expected)
    assert [f.outcome for f in result.files].count(UNCHANGED) == 1  # the other process's file
    assert "loads file by file (_Stale)" in caplog.text

    def owners(engine) -> dict[str, list[tuple]]:
        with engine.connect() as conn:
            return {table: sorted(conn.exec_driver_sql(
                f"SELECT t.code, s.key FROM {table} t JOIN source s ON s.id = t.source_id"))
                for table in ("asset", "risk_analysis", "risk", "action")}  # fmt: skip

    assert owners(batched) == owners(reference)
