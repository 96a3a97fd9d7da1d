"""A run collects garbage less often while it loads, and gives the caller its thresholds back;
it gives its memory back before the KPI step when it holds much."""

import gc

import pytest

from etl import load
from etl.db import make_engine, migrate
from etl.load import LOAD_GC_THRESHOLD, load_paths
from tests.workbooks import write_admin, write_org


def test_thresholds_raised_during_the_run_and_restored_after(tmp_path):
    write_org(tmp_path / "in")
    write_admin(tmp_path / "in")
    engine = make_engine(f"sqlite:///{tmp_path / 'gc.db'}")
    migrate(engine)
    before = gc.get_threshold()
    during = []
    try:
        gc.set_threshold(700, 10, 10)
        run = load_paths(engine, [tmp_path / "in"], snapshot=False,
                         progress=lambda *_: during.append(gc.get_threshold()))  # fmt: skip
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
        engine.dispose()
    assert run.ok and during and set(during) == {LOAD_GC_THRESHOLD}


@pytest.mark.parametrize(("least", "given_back"), [(0, 1), (1 << 50, 0)])
def test_memory_given_back_before_the_kpi_step_only_by_a_run_holding_more_than_the_bound(
    tmp_path, monkeypatch, least, given_back
):
    """Closing the pool and a full collection cost a run of 29 municipalities' workbooks 0.24 s
    for nothing: only a run whose process holds more than ``RETURN_MEMORY_MIN_BYTES`` (the
    national one) gives its memory back before the KPI step, whatever its number of files."""
    write_org(tmp_path / "in")
    write_admin(tmp_path / "in")
    engine = make_engine(f"sqlite:///{tmp_path / 'memory.db'}")
    migrate(engine)
    real_return = load._return_memory
    returned = []
    monkeypatch.setattr(load, "RETURN_MEMORY_MIN_BYTES", least)
    monkeypatch.setattr(load, "_return_memory",
                        lambda store: returned.append(store) or real_return(store))  # fmt: skip
    try:
        run = load_paths(engine, [tmp_path / "in"])
    finally:
        engine.dispose()
    assert run.ok and len(returned) == given_back
