"""Check that ``infosak kpi --format json`` still prints, byte for byte, what it printed before the
KPI code was restructured, on the generated 29-municipality set:
``python -m benchmarks.kpi_golden [--backend sqlite|postgresql] [--pg-url URL]``.

The set is generated as of 2026-11-28, loaded with ``infosak load`` into a fresh store and each
date's output hashed; the expected sha256 per date are tests/golden/kpi_29_municipalities_sha256.json
(the outputs are 7 MB each). A check rather than a test: it takes 3 to 4 minutes per back end on
the development machine (generate 60 s, load 30 s, three kpi runs; more on a busy machine). The
Sydnärke set's outputs are compared in the test suite (tests/test_kpi_golden.py).
Exit 0 when every hash matches, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "tests" / "golden" / "kpi_29_municipalities_sha256.json"
GENERATED_ON = "2026-11-28"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
INFOSAK = str(Path(sys.executable).with_name("infosak"))


def infosak(*args: str) -> bytes:
    done = subprocess.run([INFOSAK, *args], capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"infosak {args[0]} failed:\n{done.stderr.decode(errors='replace')}")
    return done.stdout


def hashes(url: str, folder: Path, dates: list[str]) -> dict[str, str]:
    files = folder / "files"
    infosak("generate", "--out", str(files), "--municipalities", "29", "--today", GENERATED_ON)
    infosak("load", str(files), "--database-url", url)
    return {
        as_of: hashlib.sha256(
            infosak("kpi", "--format", "json", "--as-of", as_of, "--database-url", url)
        ).hexdigest()
        for as_of in dates
    }


def check(backend: str, pg_url: str) -> bool:
    expected = json.loads(EXPECTED.read_text())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        if backend == "sqlite":
            printed = hashes(f"sqlite:///{Path(folder) / 'store.db'}", Path(folder), list(expected))
        else:
            schema = f"golden_{uuid.uuid4().hex[:12]}"
            admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                sep = "&" if "?" in pg_url else "?"
                url = f"{pg_url}{sep}options=-csearch_path%3D{schema}"
                printed = hashes(url, Path(folder), list(expected))
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    same = printed == expected
    seconds = time.perf_counter() - started
    for as_of in expected:
        verdict = "same" if printed[as_of] == expected[as_of] else "DIFFERENT"
        print(f"{backend} {as_of}: {verdict}")
    print(f"{backend}: {seconds:.0f} s")
    return same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = [check(backend, args.pg_url) for backend in backends]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
