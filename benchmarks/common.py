"""Small shared helpers: timing, percentiles, machine load, the benchmark data sets."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# Every data set is generated as of this day, so figures are comparable run to run.
AS_OF = dt.date(2026, 11, 28)
SEED = 1882
NATIONAL_MUNICIPALITIES = 290
QUICK_MUNICIPALITIES = 4
DEFAULT_WORK_DIR = Path(os.environ.get("INFOSAK_BENCH_DIR", "/tmp/infosak_bench"))
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DATABASE = "infosak_bench"


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages: figures mean little without them on a shared box."""
    return [round(x, 2) for x in os.getloadavg()]


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB since it started its program.

    Linux's high-water mark of this program (VmHWM), not ru_maxrss: a process keeps in
    ru_maxrss the size its parent had when it forked it, so a load started by a benchmark that
    had just held the national rows (1.4 GB) reported 1 458 MB for a load that peaked at 800.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def children_peak_rss_mb() -> float:
    """The largest peak resident set size of this process's ended children, in MB (the ETL's
    read-ahead worker, etl.pipeline). Each counts from at least this process's size when it was
    started (see ``peak_rss_mb``): a small process's children only."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def cpu_seconds(who: int) -> float:
    """User + system CPU seconds of ``resource.RUSAGE_SELF`` or ``RUSAGE_CHILDREN`` (ended ones).

    On a shared machine the wall clock measures the neighbours as much as the code; CPU time
    says what the code itself costs (a process waiting for a core or the disk uses none).
    """
    usage = resource.getrusage(who)
    return round(usage.ru_utime + usage.ru_stime, 2)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation, as numpy's default."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Timing:
    runs: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    mean_ms: float

    def as_dict(self) -> dict:
        return {
            "runs": self.runs,
            "p50_ms": round(self.p50_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "max_ms": round(self.max_ms, 1),
            "mean_ms": round(self.mean_ms, 1),
        }


def timing_of(samples: list[float]) -> Timing:
    """p50/p95/max/mean of wall-clock samples in ms."""
    return Timing(
        runs=len(samples),
        p50_ms=percentile(samples, 50),
        p95_ms=percentile(samples, 95),
        max_ms=max(samples),
        mean_ms=statistics.fmean(samples),
    )


def time_calls(function: Callable[[], object], runs: int, warmup: int = 1) -> Timing:
    """Call ``function`` ``warmup`` times untimed, then ``runs`` times; wall-clock per call."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return timing_of(samples)


def run_module_for_json(args: list[str], timeout: float) -> tuple[dict, float]:
    """``python -m ARGS`` in a fresh interpreter (its ru_maxrss is its own, nothing else's);
    returns the JSON object on the last line of its stdout, and the wall seconds it took."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} {args[1]} subprocess failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), time.perf_counter() - start


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", "utf-8")


def ensure_dataset(directory: Path, municipalities: int, fmt: str) -> Path:
    """The generated sample set in ``directory`` (generated once; a marker file says it is done)."""
    from etl.generate import generate

    marker = directory / ".complete.json"
    if marker.exists():
        info = json.loads(marker.read_text("utf-8"))
        if info == {"municipalities": municipalities, "fmt": fmt, "as_of": AS_OF.isoformat()}:
            return directory
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.iterdir():
        if old.is_file():
            old.unlink()
    log.info("generating %s municipalities (%s) into %s", municipalities, fmt, directory)
    generate(directory, municipalities=municipalities, seed=SEED, fmt=fmt, today=AS_OF)
    marker.write_text(
        json.dumps({"municipalities": municipalities, "fmt": fmt, "as_of": AS_OF.isoformat()}),
        "utf-8",
    )
    return directory


def split_into_set_folders(flat: Path, target: Path) -> Path:
    """One folder per CSV set (hard links into ``flat``), as a site keeps one per administration.

    The load test copies some of these folders to load them again; the PostgreSQL section loads
    them. (They were first made because etl.load once listed a flat folder per file: 47 minutes
    for the national one. etl.sources lists it once now, and etl_csv loads the flat folder.)
    """
    marker = target / ".complete"
    if marker.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(flat.glob("*.csv")):
        prefix = path.stem.rpartition(".")[0]
        folder = target / prefix
        folder.mkdir(exist_ok=True)
        link = folder / path.name
        if not link.exists():
            os.link(path, link)
    marker.write_text("ok", "utf-8")
    return target


def load_targets(src: Path) -> list[Path]:
    """What to hand to load_paths: the sub-folders of ``src`` when it has any, else ``src``."""
    folders = sorted(p for p in src.iterdir() if p.is_dir())
    return folders or [src]
