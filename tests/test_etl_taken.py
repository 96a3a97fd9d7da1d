"""A first load knows which ids its own files took (etl.taken) and answers as the store would.

Each test compares ``load_paths`` (which keeps the ids in memory while it is the only writer)
with loading the same sources one by one with ``load_file`` (which asks the store every time).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl import generate
from etl import load as load_module
from etl.db import make_engine, migrate
from etl.load import ACCEPTED, REJECTED, load_file, load_paths
from etl.sources import expand_sources, split_organisations
from tests.workbooks import TODAY

TABLES = ("asset", "asset_owner", "classification", "risk_analysis", "risk", "action",
          "follow_up_report", "source")  # fmt: skip


def _copy_set(folder: Path, prefix: str, new_prefix: str) -> None:
    for path in folder.glob(f"{prefix}.*.csv"):
        shutil.copy(path, folder / path.name.replace(prefix, new_prefix, 1))


def _append_asset(folder: Path, prefix: str, code: str) -> None:
    """One more asset in the set: a copy of its first asset with the id ``code``."""
    path = folder / f"{prefix}.tillgangar.csv"
    first = path.read_text("utf-8-sig").splitlines()[1]
    with path.open("a", encoding="utf-8") as fh:
        fh.write(";".join([code, *first.split(";")[1:]]) + "\n")


@pytest.fixture(scope="module")
def delivery(tmp_path_factory) -> Path:
    """The sample delivery with ids taken within the run, and one source loaded twice:

    - 1814-KLF holds an extra asset 1814-KLF-X001; ``zzz-again`` is 1814-KLF again without it,
      and ``zzz-more`` (1814-SOC again) then names it: free by then, so refused only for lying
      in 1814-KLF's namespace (etl.namespace), not as taken;
    - 1861-BUF takes 1814-BUF's first asset id (owned by a file loaded before it).
    """
    folder = tmp_path_factory.mktemp("delivery")
    generate.generate(folder, municipalities=4, fmt="csv", today=TODAY)
    _copy_set(folder, "1814-KLF", "zzz-again")
    _copy_set(folder, "1814-SOC", "zzz-more")
    _append_asset(folder, "1814-KLF", "1814-KLF-X001")
    _append_asset(folder, "zzz-more", "1814-KLF-X001")
    _append_asset(folder, "1861-BUF", "1814-BUF-T001")
    return folder


def _results(files) -> list[tuple]:
    return [(f.path.name, f.source_key, f.outcome, f.issues, f.counts) for f in files]


def _contents(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {t: [tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{t}" ORDER BY 1')]
                for t in TABLES}  # fmt: skip


def _one_by_one(engine, folder: Path, progress=None) -> list:
    organisations, others = split_organisations(expand_sources([folder]))
    results = []
    for index, source in enumerate(organisations + others):
        if progress:
            progress(index, 0, "")
        results.append(load_file(engine, source.path, today=TODAY))
    return results


def _fresh(tmp_path: Path, name: str):
    engine = make_engine(f"sqlite:///{tmp_path / name}.db")
    migrate(engine)
    return engine


def test_a_first_load_tells_taken_ids_as_the_store_does(tmp_path, delivery):
    run_engine, file_engine = _fresh(tmp_path, "run"), _fresh(tmp_path, "files")
    run = load_paths(run_engine, [delivery], today=TODAY, snapshot=False)
    files = _one_by_one(file_engine, delivery)
    assert _results(run.files) == _results(files)
    assert _contents(run_engine) == _contents(file_engine)
    taker = next(f for f in run.files if f.source_key == "administration:1861-BUF")
    assert taker.outcome == REJECTED
    assert any("1814-BUF-T001 is already used by Förvaltning 1814-BUF" in i.message_en
               for i in taker.issues)  # fmt: skip
    again = [f for f in run.files if f.path.name.startswith(("zzz-again", "zzz-more"))]
    assert [f.outcome for f in again] == [ACCEPTED, REJECTED]
    # 1814-KLF-X001 was free again: not "already used", only outside 1814-SOC's namespace.
    assert [i.message_en for i in again[1].issues] == [
        "Asset id 1814-KLF-X001 lies outside this file's namespace. A file for administration "
        "1814-SOC may only create codes that start with 1814-SOC-, e.g. 1814-SOC-X001."
    ]
    for engine in (run_engine, file_engine):
        engine.dispose()


def test_another_load_meanwhile_sends_the_run_back_to_the_store(tmp_path, delivery,
                                                                monkeypatch):  # fmt: skip
    """Between two of the run's files another writer gives 1861-SOC an id of 1860-KLF's.

    A loader refuses that id outside 1861-SOC's namespace, so the other writer loads 1861-SOC
    and then renames one of its assets in place: what a store loaded before namespaces were
    enforced may hold.

    The run loads file by file here, so that the other writer comes between the same commits
    as in the one-by-one load and the rows get the same ids (a batch would commit the files
    before it after it; tests/test_batch_load.py covers that case).
    """
    monkeypatch.setattr(load_module, "BATCH_MIN_SOURCES", 10**9)
    other = tmp_path / "other"
    other.mkdir()
    for path in delivery.glob("1861-SOC.*.csv"):
        shutil.copy(path, other / path.name)
    _append_asset(other, "1861-SOC", "1861-SOC-T999")

    def progress_for(engine):
        def progress(index: int, total: int, label: str) -> None:
            if index == 3:
                assert load_paths(engine, [other], today=TODAY, snapshot=False).ok
                with engine.begin() as conn:
                    conn.exec_driver_sql(
                        "UPDATE asset SET code = '1860-KLF-T001' WHERE code = '1861-SOC-T999'"
                    )

        return progress

    run_engine, file_engine = _fresh(tmp_path, "run"), _fresh(tmp_path, "files")
    run = load_paths(run_engine, [delivery], today=TODAY, snapshot=False,
                     progress=progress_for(run_engine))  # fmt: skip
    files = _one_by_one(file_engine, delivery, progress_for(file_engine))
    assert _results(run.files) == _results(files)
    assert _contents(run_engine) == _contents(file_engine)
    klf = next(f for f in run.files if f.source_key == "administration:1860-KLF")
    assert klf.outcome == REJECTED
    assert [i.message_en for i in klf.issues if "1860-KLF-T001" in i.message_en] == [
        "Asset id 1860-KLF-T001 is already used by Förvaltning 1861-SOC. Codes must be unique; "
        "choose another."
    ]
    for engine in (run_engine, file_engine):
        engine.dispose()
