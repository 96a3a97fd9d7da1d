"""The web upload case: one administration's workbook into a store that holds the whole country.

An administration's CSV set from the national delivery is written as the workbook its security
officer would upload (same sheets, headers and cells; one asset renamed so that the file is new
and is accepted rather than found unchanged). A copy of the national SQLite store then takes it
the way the upload page does (``dashboard.auth.uploads.load_uploads``: ``load_file`` limited to
the officer's administrations, then the run's snapshot), in a fresh process with the pages'
queries imported, as a web worker has them. Timed: the file's load, and the snapshot (the KPI
recomputation after every accepted load), apart and together.

``python -m benchmarks.etl_upload --url URL --file F`` is the subprocess entry point; it prints
one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
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


def upload(url: str, path: Path, code: str) -> dict:
    """Load ``path`` as the upload page does; the figures."""
    import dashboard.queries  # noqa: F401  the pages' kept frames join the snapshot, as in a worker
    from etl.db import make_engine
    from etl.load import load_file, new_run_id, record_snapshot

    engine = make_engine(url)
    run_id = new_run_id()
    start = time.perf_counter()
    result = load_file(engine, path, loaded_by="bench", allowed_administrations={code},
                       run_id=run_id, today=AS_OF)  # fmt: skip
    loaded = time.perf_counter()
    if result.outcome == "accepted":
        record_snapshot(engine, run_id, AS_OF)
    done = time.perf_counter()
    engine.dispose()
    return {
        "file": path.name,
        "outcome": result.outcome,
        "issues": [i.describe() for i in result.issues[:3]],
        "rows": result.rows_total,
        "load_seconds": round(loaded - start, 3),
        "kpi_seconds": round(done - loaded, 3),
        "seconds": round(done - start, 3),
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
