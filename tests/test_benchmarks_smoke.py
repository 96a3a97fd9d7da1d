"""The benchmark command runs end to end on a tiny set, and the KPI numbers follow the store.

No speed is asserted here (timings on a shared machine prove nothing in a test); the benchmark
JSON must have every section, each with figures or a recorded reason.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from etl import models
from etl.kpi.compute import compute_kpis
from tests.kpi_data import AS_OF, build_store

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_run_writes_every_section(tmp_path):
    out = tmp_path / "latest.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--quick",
            "--runs",
            "1",
            "--users",
            "2",
            "--work",
            str(tmp_path / "work"),
            "--out",
            str(out),
        ],  # fmt: skip
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text("utf-8"))
    for section in ("etl_csv", "etl_upload", "etl_xlsx", "etl_pg", "queries_sqlite", "postgresql",
                    "payload", "memory", "load_test", "browser", "meta"):  # fmt: skip
        assert section in results, section
        assert "error" not in results[section], results[section]
    assert results["postgresql"]["skipped"]  # no --pg-url in quick mode
    etl = results["etl_csv"]
    assert etl["etl"]["rows"] > 0 and etl["etl"]["accepted"] == etl["etl"]["files"]
    assert etl["baseline_bare_sqlite3"]["rows"] > 0
    for baseline in ("baseline_executemany_indexes", "baseline_executemany_no_indexes"):
        assert etl[baseline]["store_rows"] >= etl["etl"]["rows"], etl[baseline]
        assert isinstance(etl["met"], bool) and etl["etl"]["cpu_seconds"] > 0
    assert results["etl_xlsx"]["etl"]["accepted"] == results["etl_xlsx"]["workbooks"]
    assert results["etl_xlsx"]["baseline_seconds"] > 0
    assert len(results["etl_xlsx"]["ratios_of_rounds"]) == results["etl_xlsx"]["rounds"] == 1
    assert len(results["etl_csv"]["ratios_of_rounds"]) == results["etl_csv"]["rounds"] == 1
    assert isinstance(results["etl_xlsx"]["met"], bool)
    upload = results["etl_upload"]
    assert upload["upload"]["outcome"] == "accepted" and upload["upload"]["rows"] > 0, upload
    assert upload["upload"]["kpi_seconds"] > 0 and isinstance(upload["met"], bool)
    assert results["etl_pg"]["skipped"]  # no --pg-url in quick mode
    queries = results["queries_sqlite"]["callbacks"]
    assert {q["scope"] for q in queries} == {"country", "municipality", "administration"}
    pages = {q["page"] for q in queries}
    assert {"/", "/tackning", "/atgarder", "/risker", "/mognad", "/rapport"} <= pages
    assert not [q for q in queries if "error" in q], [q for q in queries if "error" in q][:3]
    for q in queries:  # first, cold and warm figures, the bare baseline and a verdict on each
        assert q["cold"]["runs"] >= 1 and q["warm"]["runs"] >= 1, q
        assert q["first_ms"] >= 0 and isinstance(q["first_met"], bool), q
        assert q["bare_p95_ms"] >= 0 and isinstance(q["met"], bool), q
    for scope in ("country", "municipality", "administration"):
        payload = results["payload"][scope]
        assert all(p["all_ok"] for p in payload["pages"]), payload
        assert all(p["first_load_bytes"] > 0 for p in payload["pages"])
    assert results["memory"]["worker_after_all_pages_peak_rss_mb"] > 0
    load = results["load_test"]
    assert load["requests"] > 0 and load["errors"] == 0, load["error_samples"]
    assert load["logins"]["requests"] == 2 and load["logins"]["errors"] == 0
    assert load["mix"] == {"ciso": 1, "security_officer": 1}
    assert {"GET page", "dash.page_router"} <= set(load["by_kind"])
    assert sum(k["requests"] for k in load["by_kind"].values()) == load["requests"]
    assert load["concurrent_etl"]["returncode"] == 0
    assert json.loads(load["concurrent_etl"]["result"])["rows"] > 0  # it really loaded rows
    assert load["gunicorn_worker_timeouts"] == 0 and load["gunicorn_log_errors"] == 0
    assert {p["role"] for p in results["browser"]["pages"]} == {"admin", "ciso", "committee"}
    assert "Infosäk: prestanda" in done.stdout

    table = tmp_path / "table.md"
    subprocess.run([sys.executable, "-m", "benchmarks.run", "--out", str(out), "--markdown",
                    str(table)], cwd=ROOT, check=True, timeout=120)  # fmt: skip
    markdown = table.read_text("utf-8")
    for page in ("/tackning", "/rapport"):  # one row per filter and page
        assert sum(f"SQLite {s} {page} (" in markdown for s in ("country", "municipality",
                   "administration")) == 3, markdown  # fmt: skip
    assert "| Last: 2 användare" in markdown and "| load_test |" in markdown


def _hand_counted_store(tmp_path) -> str:
    """A migrated SQLite store with the hand-counted data, by URL."""
    from etl.db import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    migrate(engine)
    build_store(engine)
    engine.dispose()
    return url


@pytest.mark.slow
@pytest.mark.browser
def test_browser_section_measures_every_page_of_the_role(tmp_path):
    """Each page the committee may open gets its first-visit figures from a real Chromium
    against a real gunicorn; no timing is judged here, only that the figures exist."""
    from benchmarks.browser_pages import browser_section, role_pages
    from tests.browser_site import require_browser

    require_browser()
    url = _hand_counted_store(tmp_path)
    section = browser_section(url, tmp_path / "work", roles=("committee",), workers=1)
    pages = section["pages"]
    assert [p["page"] for p in pages] == role_pages(url, "committee")
    assert "/rapport" in [p["page"] for p in pages] and "/logg" not in [p["page"] for p in pages]
    assert not [p for p in pages if "error" in p], pages
    dash_pages = [p for p in pages if p["callbacks"]]
    assert {"/", "/mognad", "/rapport"} <= {p["page"] for p in dash_pages}
    for p in pages:
        assert p["settled_s"] > 0 and p["kb"] > 0 and p["dom_nodes"] > 0, p
        assert isinstance(p["met"], bool) and p["server_tracebacks"] == 0, p
    for p in dash_pages:
        assert p["callback_kb"] > 0 and p["slowest_callback_ms"] > 0, p
    assert section["users"] == {"committee": pages[0]["scope"]}


@pytest.mark.slow
@pytest.mark.browser
def test_browser_section_measures_only_the_pages_asked_for(tmp_path):
    """``pages=`` restricts the visits (one page measured before and after a change)."""
    from benchmarks.browser_pages import browser_section
    from tests.browser_site import require_browser

    require_browser()
    url = _hand_counted_store(tmp_path)
    section = browser_section(
        url, tmp_path / "work", roles=("committee",), workers=1, pages=("/mognad",)
    )
    assert [p["page"] for p in section["pages"]] == ["/mognad"]
    assert "error" not in section["pages"][0] and section["pages"][0]["callbacks"] > 0


def test_a_broken_page_is_recorded_and_the_others_still_measured(sqlite_engine):
    from benchmarks.query_bench import query_section

    build_store(sqlite_engine)
    section = query_section(sqlite_engine, runs=1, cold_runs=1,
                            pages=("/inlasningar", "/finns-inte"))  # fmt: skip
    by_page = {}
    for row in section["callbacks"]:
        by_page.setdefault(row["page"], []).append(row)
    assert all("cold" in r and "warm" in r for r in by_page["/inlasningar"])
    assert [r["error"].split(":")[0] for r in by_page["/finns-inte"]] == ["LookupError"] * 3
    assert section["met"] is False


def test_callbacks_are_measured_as_of_today_with_the_mart_built_for_it(sqlite_engine):
    """The pages ask for today and a deployed server has the mart for today: the callback
    benchmark measures that, building the mart for the day when the store lacks it, and times
    the generation day (a date the mart does not hold) only in its own, labelled section."""
    from benchmarks.common import AS_OF as GENERATED_AS_OF
    from benchmarks.query_bench import filter_sets, on_demand_section, query_section

    build_store(sqlite_engine)
    today = dt.date.today()
    section = query_section(sqlite_engine, runs=1, cold_runs=1, pages=("/inlasningar",))
    assert section["as_of"] == today.isoformat()
    assert section["mart"]["held_before"] is False and section["mart"]["built_rows"] > 0
    assert today.isoformat() in section["kept_facts"]
    assert section["kept_facts"][today.isoformat()] > 0
    assert {r["scope"] for r in section["callbacks"]} == {"country", "municipality",
                                                          "administration"}  # fmt: skip
    assert {f["as_of"] for f in filter_sets(sqlite_engine, today).values()} == {today.isoformat()}
    again = query_section(sqlite_engine, runs=1, cold_runs=1, pages=("/inlasningar",))
    assert again["mart"] == {"as_of": today.isoformat(), "held_before": True, "built_rows": 0,
                             "seconds": 0.0}  # fmt: skip

    on_demand = on_demand_section(sqlite_engine, pages=("/inlasningar",))
    assert on_demand["as_of"] == GENERATED_AS_OF.isoformat() != today.isoformat()
    assert on_demand["mart_holds_date"] is False and on_demand["label"].startswith("on demand")
    assert all("cold" in r and "warm" not in r for r in on_demand["callbacks"])


def test_load_test_users_have_the_documented_mix_and_real_accounts(sqlite_engine):
    from benchmarks.load_test import ensure_accounts, mix, personas
    from dashboard.auth.users import get_user, resolve_scope, scope_codes

    build_store(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    chosen = personas(url, 50)
    counts = mix(chosen)
    assert len(chosen) == 50 and len({p.account for p in chosen}) == 50
    assert (counts["ciso"], counts["committee"], counts["admin"]) == (1, 1, 1)
    assert counts["security_officer"] + counts["manager"] == 47
    assert 0.35 < counts["security_officer"] / 47 < 0.55
    ensure_accounts(url, chosen)
    ensure_accounts(url, chosen)  # a second run replaces the accounts rather than failing
    with Session(sqlite_engine) as s:
        for persona in chosen:
            user = get_user(s, persona.account)
            assert user.role == persona.role and scope_codes(user) == list(persona.scope)
            if persona.scope:
                assert resolve_scope(s, persona.scope) is not None


def test_kpi_numbers_follow_the_store_version(sqlite_engine):
    """What the load built is read only while the store is unchanged; a new load shows at once."""
    build_store(sqlite_engine)

    def assets_1882() -> int:
        with Session(sqlite_engine) as s:
            frame = compute_kpis(s, AS_OF, scope_types=["municipality"], metrics=["assets"])
        return int(frame.loc[frame["scope_id"] == "1882", "value"].iloc[0])

    before = assets_1882()
    assert assets_1882() == before
    with Session(sqlite_engine) as s, s.begin():
        source = models.Source(key="administration:1882-SOC", kind="administration")
        s.add(source)
        s.flush()
        s.add(models.Load(run_id="t", source_id=source.id, file_name="x", sha256="0" * 64,
                          started_at=dt.datetime(2026, 11, 28), outcome="accepted"))  # fmt: skip
        unit = s.query(models.Unit).filter_by(code="1882-SOC-IFO").one()
        s.add(models.Asset(code="NY-1", name="Ny", carrier_type="it_system",
                           personal_data="no", primary_unit_id=unit.id, source_id=source.id))  # fmt: skip
    assert assets_1882() == before + 1
    # A caller changing its copy does not change what the next caller gets.
    with Session(sqlite_engine) as s:
        frame = compute_kpis(s, AS_OF, scope_types=["municipality"], metrics=["assets"])
        frame.loc[:, "value"] = -1
    assert assets_1882() == before + 1
