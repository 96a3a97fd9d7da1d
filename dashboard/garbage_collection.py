"""Python's garbage collector in a process that serves the app.

The serving process holds a large heap of objects that live as long as it does: the imported
modules of pandas, SQLAlchemy, Dash and plotly, and the app's layouts and callback map. Each
generation-2 (full) collection walks all of them; during a national page callback that was a
pause of 150-200 ms on top of a 110 ms call (docs/performance.md, "Omgång 8" and "Omgång 11").

``settle_heap`` moves what exists once the app is built out of the collector's generations
(``gc.freeze``): a full collection then walks only what the requests themselves created. Every
way the app is served calls it once the app is built:

- gunicorn (dashboard/gunicorn_config.py): in the master after ``preload_app`` built the app,
  before the workers are forked (``when_ready``), so that no worker's collector writes into the
  pages it shares with the master; and in each worker after its warm-up request
  (``post_worker_init``), for what Dash's first-request set-up created there;
- ``infosak serve`` / ``infosak demo`` (infosak_cli/serve_cmd.py), before Dash's own server
  starts;
- the callback benchmark (benchmarks/query_bench.py), so that its fresh process collects as a
  served one does.

Frozen objects are never collected: the ``gc.collect()`` first frees what start-up left as
garbage, so only live objects are frozen. Nothing else changes: the thresholds stay Python's.
"""

from __future__ import annotations

import gc


def settle_heap() -> int:
    """Collect the garbage left by start-up, then freeze every remaining object.

    Returns how many objects are frozen in all (``gc.get_freeze_count()``). Calling it again
    (the gunicorn worker after the master) freezes what was created in between.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
