"""The web upload case: one administration's workbook into a store that holds the whole country.

An administration's CSV set from the national delivery is written as the workbook its security
officer would upload (same sheets, headers and cells; one asset renamed so that the file is new
and is accepted rather than found unchanged). A copy of the national SQLite store then takes it
the way the upload page does (``dashboard.auth.uploads.load_uploads``: ``load_file`` limited to
the officer's administrations, then the run's snapshot), in a fresh process with the pages'
queries imported, as a web worker has them. Timed: the file's load, and the snapshot (the KPI
mart's update for the scopes the file touched, and the day's metric snapshot), apart and
together; the load split into reading, validating and writing, the snapshot into the mart's
update (per date) and the snapshot rows.

``python -m benchmarks.etl_upload --url URL --file F`` is the subprocess entry point; it prints
one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import resource
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from benchmarks.common import AS_OF


def administration_workbook(flat: Path, target: Path) -> tuple[Path, str]:
    """The first administration's CSV set of ``flat`` written as one xlsx; (path, its code)."""
    from openpyxl import Workbook

    from etl.reader import decode_csv, sniff_delimiter
    from etl.schema import WORKBOOK_KINDS

    sheets = {s.slug: s for s in WORKBOOK_KINDS["administration"].sheets}
    prefix = sorted(p.name.split(".")[0] for p in flat.glob("*.uppgifter.csv"))[0]
    workbook = Workbook()
    workbook.remove(workbook.active)
    renamed = False
    for path in sorted(flat.glob(f"{prefix}.*.csv")):
        sheet = sheets[path.stem.rpartition(".")[2]]
        text = decode_csv(path.read_bytes())
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)))
        if sheet.key == "assets" and len(records) > 1 and not renamed:
            name = records[0].index("Namn") if "Namn" in records[0] else 1
            records[1][name] = f"{records[1][name]} (uppdaterad)"
            renamed = True
        worksheet = workbook.create_sheet(sheet.name)
        for record in records:
            worksheet.append(record)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target, prefix


def copy_sqlite_store(source: Path, target: Path) -> str:
    """A consistent copy of the SQLite store at ``source`` (its WAL folded in); the copy's URL."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


class _Timed:
    """Wall seconds spent in some of the loader's own functions during the real load, per step
    (the functions are wrapped for this process only; the load itself is the loader's)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {"reading": 0.0, "validating": 0.0}

    def wrap(self, owner, name: str, step: str) -> None:
        function = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[step] += time.perf_counter() - start

        setattr(owner, name, timed)


def _timed_steps() -> _Timed:
    import etl.load

    timed = _Timed()
    timed.wrap(etl.load, "read_source", "reading")  # the sandboxed child process's read
    for name in ("prepare", "check", "lookup_taken"):  # parsing cells, checking codes
        timed.wrap(etl.load, name, "validating")
    timed.wrap(etl.load.OrgCodes, "current", "validating")  # the store's codes, once per file
    return timed


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the sandboxed reader)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _MartSteps(logging.Handler):
    """Catches the mart update's own timings (etl.kpi.mart_update logs them with the update)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.touched = None

    def emit(self, record: logging.LogRecord) -> None:
        self.touched = getattr(record, "touched", self.touched)


def upload(url: str, path: Path, code: str) -> dict:
    """Load ``path`` as the upload page does; the figures."""
    import dashboard.queries  # noqa: F401  the pages' kept frames join the snapshot, as in a worker
    from etl.db import make_engine
    from etl.load import load_file, new_run_id, record_snapshot

    engine = make_engine(url)
    timed = _timed_steps()
    caught = _MartSteps()
    updates = logging.getLogger("etl.kpi.mart_update")
    updates.addHandler(caught)
    updates.setLevel(logging.INFO)
    run_id = new_run_id()
    cpu_start, start = _cpu(), time.perf_counter()
    result = load_file(engine, path, loaded_by="bench", allowed_administrations={code},
                       run_id=run_id, today=AS_OF)  # fmt: skip
    cpu_loaded, loaded = _cpu(), time.perf_counter()
    if result.outcome == "accepted":
        record_snapshot(engine, run_id, AS_OF)
    cpu_done, done = _cpu(), time.perf_counter()
    engine.dispose()
    touched = caught.touched
    steps = {step: round(seconds, 3) for step, seconds in timed.seconds.items()}
    steps["writing"] = round(loaded - start - sum(timed.seconds.values()), 3)
    if touched is not None:  # updated scope by scope (else the mart was built whole)
        steps["mart"] = round(sum(touched.seconds.values()), 3)
        steps["snapshot"] = round(done - loaded - steps["mart"], 3)
    return {
        "file": path.name,
        "outcome": result.outcome,
        "issues": [i.describe() for i in result.issues[:3]],
        "rows": result.rows_total,
        "load_seconds": round(loaded - start, 3),
        "kpi_seconds": round(done - loaded, 3),
        "seconds": round(done - start, 3),
        "cpu_seconds": {
            "load": round(cpu_loaded - cpu_start, 3),
            "kpi": round(cpu_done - cpu_loaded, 3),
        },  # fmt: skip
        "steps": steps,
        "mart_update": None
        if touched is None
        else {
            "scopes": touched.count(),
            "rows_written": touched.rows_written,
            "dates_in_full": [d.isoformat() for d in touched.computed_in_full],
            "seconds": touched.seconds,
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--file", required=True, type=Path)
    parser.add_argument("--code", required=True)
    args = parser.parse_args(argv)
    sys.stdout.write(json.dumps(upload(args.url, args.file, args.code)) + "\n")


if __name__ == "__main__":
    main()
