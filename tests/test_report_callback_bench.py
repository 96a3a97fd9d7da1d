"""benchmarks/report_callback.py runs on a small store and prints a figure for every case."""

from __future__ import annotations

from dashboard import store
from tests import kpi_data


def test_report_callback_benchmark_times_every_case(sqlite_engine, capsys):
    from benchmarks import report_callback

    kpi_data.build_store(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    try:
        result = report_callback.main(
            [url, "--runs", "1", "--parts", "--as-of", kpi_data.AS_OF.isoformat()]
        )
    finally:
        store.configure(None)
    assert [c["case"] for c in result["cases"]] == [
        "country", "country en", "1882", "1882-KLF", "ciso 1882", "committee 1814",
    ]  # fmt: skip
    assert all(c["p95_ms"] >= c["p50_ms"] > 0 for c in result["cases"])
    assert {"_overdue_trend", "build_content", "content_component"} <= set(
        result["parts_wall_cpu_ms"]
    )
    assert '"case": "country"' in capsys.readouterr().out
