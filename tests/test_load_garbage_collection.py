"""A run collects garbage less often while it loads, and gives the caller its thresholds back."""

import gc

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
