"""Crash safety (issue 7.2): a load killed with SIGKILL at any moment leaves the store intact.

One large administration file (20 000 assets, replacing the 1882-SOC file already loaded) is
loaded in a child process, killed after N ms for several N spread over the load's measured
duration. After each kill: ``PRAGMA integrity_check`` is ok, kpi_json equals either the store before
the load or after a complete load (never anything in between), and the next load completes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from etl import models
from etl.db import make_engine, migrate
from etl.kpi.compute import kpi_json
from etl.load import ACCEPTED, UNCHANGED, load_paths
from tests.hostile_corpus import write_big_admin_csv
from tests.workbooks import TODAY, write_admin, write_object, write_org

ROOT = Path(__file__).resolve().parent.parent
ASSETS = 20_000
KILL_FRACTIONS = (0.15, 0.35, 0.55, 0.7, 0.85, 1.0)


def kpis(url: str) -> dict:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return kpi_json(session, TODAY)
    finally:
        engine.dispose()


def integrity(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("PRAGMA integrity_check").scalar()
    finally:
        engine.dispose()


def start_load(url: str, path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.hostile_corpus", url, str(path)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """(baseline store file, big file, kpi before, kpi after, seconds of a complete load)."""
    d = tmp_path_factory.mktemp("crash")
    baseline = d / "baseline.db"
    engine = make_engine(f"sqlite:///{baseline}")
    migrate(engine)
    files = [write_org(d), write_admin(d), write_object(d)]
    assert load_paths(engine, files, today=TODAY).ok
    engine.dispose()
    big = write_big_admin_csv(d / "big", ASSETS)

    complete = d / "complete.db"
    shutil.copy(baseline, complete)
    started = time.perf_counter()
    child = start_load(f"sqlite:///{complete}", big)
    assert child.wait(timeout=120) == 0, child.stderr.read()
    seconds = time.perf_counter() - started
    before, after = kpis(f"sqlite:///{baseline}"), kpis(f"sqlite:///{complete}")
    assert before != after
    return baseline, big, before, after, seconds


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_the_store_whole(scenario, tmp_path):
    baseline, big, before, after, seconds = scenario
    seen = []
    for fraction in KILL_FRACTIONS:
        store = tmp_path / f"killed-{fraction}.db"
        shutil.copy(baseline, store)
        url = f"sqlite:///{store}"
        child = start_load(url, big)
        time.sleep(seconds * fraction)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stderr.close()

        assert integrity(url) == "ok", fraction
        state = kpis(url)
        assert state in (before, after), f"half-loaded store after a kill at {fraction:.0%}"
        seen.append("before" if state == before else "after")

        engine = make_engine(url)
        run = load_paths(engine, [big], today=TODAY)
        engine.dispose()
        assert run.files[0].outcome in (ACCEPTED, UNCHANGED), run.files[0].issues[:3]
        assert (run.files[0].outcome == UNCHANGED) == (seen[-1] == "after")
        assert kpis(url) == after
        assert integrity(url) == "ok"
    # The kills were spread over the load: the early ones certainly hit it before its commit.
    assert seen[0] == "before", seen
    print(f"kills at {KILL_FRACTIONS} of {seconds:.1f} s: {seen}")


def accepted_files(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return list(s.scalars(
                select(models.Load.file_name).where(models.Load.outcome == ACCEPTED)
                .order_by(models.Load.id)
            ))  # fmt: skip
    finally:
        engine.dispose()


def test_a_killed_run_of_several_files_keeps_exactly_the_committed_ones(scenario, tmp_path):
    """One run of two files (org, then the big one) killed during the second: the store holds
    exactly the files whose load committed, each whole; the next run completes."""
    _, big, _, _, seconds = scenario
    both = tmp_path / "both"
    both.mkdir()
    shutil.copy(write_org(tmp_path / "org"), both)
    for member in big.parent.glob("*.csv"):
        shutil.copy(member, both)
    url = f"sqlite:///{tmp_path / 'multi.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    child = start_load(url, both)
    deadline = time.monotonic() + 60
    while not accepted_files(url) and time.monotonic() < deadline:  # the org file committed
        time.sleep(0.05)
    time.sleep(seconds * 0.3)  # well inside the big file's load
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    child.stderr.close()

    assert integrity(url) == "ok"
    committed = accepted_files(url)
    assert committed[:1] == ["organisation.xlsx"], committed
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    engine = make_engine(reference)
    migrate(engine)
    files = [write_org(tmp_path / "ref")] + ([big] if len(committed) == 2 else [])
    assert load_paths(engine, files, today=TODAY).ok
    engine.dispose()
    assert kpis(url) == kpis(reference)  # whole files only
    engine = make_engine(url)
    run = load_paths(engine, [both], today=TODAY)
    engine.dispose()
    assert [f.outcome for f in run.files] == [
        UNCHANGED,
        UNCHANGED if len(committed) == 2 else ACCEPTED,
    ]
    assert integrity(url) == "ok"
