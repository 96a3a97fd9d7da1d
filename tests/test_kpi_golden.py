"""``infosak kpi --format json`` prints, byte for byte, what it printed before the KPI code was
restructured, for the generated Sydnärke set (the outputs are kept gzipped in tests/golden/).
The generated 29-municipality set is compared by ``python -m benchmarks.kpi_golden`` (3 to 4
minutes per back end: too long for the suite) against the sha256 in tests/golden/.

The sets are generated as of GENERATED_ON (``generate`` defaults to the real today, which would
make the outputs change every day); the as-of dates are the month-end after it, a month-end half
a year before and the year-end before. Everything runs through the installed ``infosak`` command
in fresh processes, as a user runs it, loaded with today's date as ``infosak load`` does.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import empty_store_url

GOLDEN = Path(__file__).parent / "golden"
GENERATED_ON = "2026-11-28"
AS_OF_DATES = ("2026-11-30", "2026-06-30", "2025-12-31")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
INFOSAK = str(Path(sys.executable).with_name("infosak"))


def infosak(*args: str) -> bytes:
    """The command's standard output; fails the test with its error output on a non-zero exit."""
    done = subprocess.run([INFOSAK, *args], capture_output=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    return done.stdout


def generated_store(folder: Path, url: str, municipalities: int) -> None:
    files = folder / "files"
    infosak("generate", "--out", str(files), "--municipalities", str(municipalities),
            "--today", GENERATED_ON)  # fmt: skip
    infosak("load", str(files), "--database-url", url)


def kpi_json(url: str, as_of: str) -> bytes:
    return infosak("kpi", "--format", "json", "--as-of", as_of, "--database-url", url)


@pytest.fixture(scope="module", params=BACKENDS)
def sample_store(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    urls = empty_store_url(request.param, folder)
    url = next(urls)
    generated_store(folder, url, 4)
    yield url
    urls.close()


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_kpi_json_of_the_sample_is_unchanged(sample_store, as_of):
    expected = gzip.decompress((GOLDEN / f"kpi_sample_{as_of}.json.gz").read_bytes())
    printed = kpi_json(sample_store, as_of)
    if printed != expected:  # name the first differing row rather than two 500 kB strings
        new, old = json.loads(printed)["rows"], json.loads(expected)["rows"]
        first = next((i for i, (a, b) in enumerate(zip(new, old, strict=False)) if a != b), None)
        detail = f"row {first}: {new[first]} != {old[first]}" if first is not None else ""
        pytest.fail(f"{len(new)} rows printed, {len(old)} expected; {detail}")
