"""Page callbacks at scale, called directly, against the bare SQL aggregate each page needs.

For every page and every filter set (whole country, one municipality, one administration) each
initial callback of the page (benchmarks.page_calls) is timed twice over:

- cold: ``cold_runs`` calls, each after emptying the app's output cache, so the callback reads
  the KPI mart the load built and computes the rest from the store, as on a fresh server process;
- warm: one untimed call, then ``runs`` timed calls with the cache as the calls leave it.

The bare baseline is hand-written SQL, run through the same engine, computing the aggregate the
page shows (no ORM, no pandas, no figures): the floor a page cannot beat.

The process collects garbage as a served one: the built app is frozen
(dashboard.garbage_collection.settle_heap, as gunicorn and ``infosak serve`` do).

Targets (issue 6): p95 <= 1.5 x bare p95 + 30 ms; on SQLite also p95 < 300 ms. Judged on the cold
figures (see query_section); the warm verdict is reported beside it.

Which date is measured. The data is generated as of a fixed day (benchmarks.common.AS_OF), so
its rows are the same run to run. The pages ask for *today* (the date filter defaults to it),
and a deployed server has the KPI mart for today: the load builds it for its own day and the
daily ``infosak mart`` (etl.kpi.snapshot.refresh_mart) for each day after. So the callbacks are
measured as of today (``served_day``; ``--as-of`` sets another), after ``prepare_mart`` has
built the mart for that day when the store did not hold it yet (this writes: measure a copy of
a store that must stay as it is). Measuring as of the generation day instead, on a store loaded
on another day, would time the on-demand computation of every number, which no user gets once
the daily refresh runs; that figure is kept as its own, labelled section (``on_demand_section``,
``--on-demand``): a date the mart does not hold, as a user who picks a past date gets it.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time

from sqlalchemy import Date, Engine, bindparam, select, text

from benchmarks.common import AS_OF, Timing, load_average, time_calls, timing_of
from benchmarks.page_calls import PAGES, build_app, page_calls
from dashboard.garbage_collection import settle_heap

log = logging.getLogger(__name__)

SQLITE_P95_LIMIT_MS = 300.0
RATIO_LIMIT = 1.5
SLACK_MS = 30.0

_UNIT_SCOPE = """JOIN unit u ON u.id = {column}
JOIN administration ad ON ad.id = u.administration_id
JOIN municipality m ON m.id = ad.municipality_id"""

BARE_SQL: dict[str, list[str]] = {
    "assets": [
        """
SELECT ad.code, COUNT(*) AS assets,
       SUM(CASE WHEN c.next_review_on >= :as_of THEN 1 ELSE 0 END) AS current,
       SUM(CASE WHEN a.personal_data IN ('yes', 'sensitive') AND a.register_ref IS NULL
           THEN 1 ELSE 0 END) AS gdpr_missing
FROM asset a """
        + _UNIT_SCOPE.format(column="a.primary_unit_id")
        + """
LEFT JOIN (SELECT asset_id, MAX(next_review_on) AS next_review_on
           FROM classification GROUP BY asset_id) c ON c.asset_id = a.id
{where} GROUP BY ad.code"""
    ],
    "actions": [
        """
SELECT ad.code, ac.status, COUNT(*) AS n,
       SUM(CASE WHEN ac.due_on < :as_of AND ac.status NOT IN ('done', 'cancelled')
           THEN 1 ELSE 0 END) AS overdue
FROM action ac """
        + _UNIT_SCOPE.format(column="ac.owner_unit_id")
        + """
{where} GROUP BY ad.code, ac.status"""
    ],
    "action_rows": [
        """
SELECT ac.code, ac.title, ac.status, ac.due_on, ac.responsible, u.code
FROM action ac """
        + _UNIT_SCOPE.format(column="ac.owner_unit_id")
        + """
{where} ORDER BY ac.due_on, ac.id LIMIT 100"""
    ],
    "risks": [
        """
SELECT r.likelihood, r.consequence, COUNT(*) AS n,
       SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM action x WHERE x.risk_id = r.id
                                 AND x.status <> 'cancelled')
           THEN 1 ELSE 0 END) AS without_action
FROM risk r JOIN risk_analysis ra ON ra.id = r.risk_analysis_id
JOIN asset a ON a.id = ra.asset_id """
        + _UNIT_SCOPE.format(column="a.primary_unit_id")
        + """
{where} GROUP BY r.likelihood, r.consequence"""
    ],
    "objects": [
        """
SELECT g.code, COUNT(DISTINCT a.id) AS assets, COUNT(DISTINCT ac.id) AS actions
FROM governance_object g
LEFT JOIN asset a ON a.governance_object_id = g.id
LEFT JOIN action ac ON ac.governance_object_id = g.id
GROUP BY g.code"""
    ],
    "one_unit": [
        """
SELECT a.code, a.name, MAX(c.next_review_on)
FROM asset a JOIN unit u ON u.id = a.primary_unit_id
LEFT JOIN classification c ON c.asset_id = a.id
WHERE u.id = (SELECT MIN(u2.id) FROM unit u2
              JOIN administration ad ON ad.id = u2.administration_id
              JOIN municipality m ON m.id = ad.municipality_id {where})
GROUP BY a.code, a.name""",
        """
SELECT ac.code, ac.status, ac.due_on FROM action ac
WHERE ac.owner_unit_id = (SELECT MIN(u2.id) FROM unit u2
              JOIN administration ad ON ad.id = u2.administration_id
              JOIN municipality m ON m.id = ad.municipality_id {where})""",
    ],
    "loads": [
        "SELECT id, file_name, outcome, rows_total, started_at FROM load ORDER BY id DESC LIMIT 100"
    ],
    "maturity": [
        """
SELECT ad.code, ga.area_id, gs.level
FROM gap_assessment ga JOIN gap_analysis gs2 ON gs2.id = ga.gap_analysis_id
JOIN administration ad ON ad.id = gs2.administration_id
JOIN municipality m ON m.id = ad.municipality_id
JOIN (SELECT administration_id, MAX(assessed_on) AS latest FROM gap_analysis
      WHERE assessed_on <= :as_of GROUP BY administration_id) last
  ON last.administration_id = gs2.administration_id AND last.latest = gs2.assessed_on
JOIN gap_assessment gs ON gs.id = ga.id
{where}"""
    ],
}
PAGE_BASELINES: dict[str, list[str]] = {
    "/": ["assets", "actions", "risks"],
    "/tackning": ["assets"],
    "/atgarder": ["actions", "action_rows"],
    "/risker": ["risks"],
    "/forvaltningsobjekt": ["objects"],
    "/min-enhet": ["one_unit"],
    "/inlasningar": ["loads"],
    "/mognad": ["maturity", "assets", "actions"],
    "/rapport": ["assets", "actions", "risks", "maturity"],
}


def served_day() -> dt.date:
    """The date the pages ask for when nobody picks one: today (dashboard.filters)."""
    return dt.date.today()


def prepare_mart(engine: Engine, as_of: dt.date) -> dict:
    """Make the KPI mart hold ``as_of``, as the daily ``infosak mart`` does on a deployed server
    (writes only when it does not hold it yet); says what it found and did."""
    from etl.kpi import mart
    from etl.kpi.snapshot import refresh_mart

    with engine.connect() as conn:
        held = mart.holds(conn, as_of)
    if held:
        return {"as_of": as_of.isoformat(), "held_before": True, "built_rows": 0, "seconds": 0.0}
    start = time.perf_counter()
    written = refresh_mart(engine, as_of)
    return {"as_of": as_of.isoformat(), "held_before": False, "built_rows": written,
            "seconds": round(time.perf_counter() - start, 1)}  # fmt: skip


def filter_sets(engine: Engine, as_of: dt.date = AS_OF) -> dict[str, dict]:
    """Whole country, the municipality with most assets, and its largest administration, as of
    ``as_of``."""
    with engine.connect() as conn:
        row = conn.execute(
            text("""
            SELECT m.code, ad.code, COUNT(*) AS n FROM asset a
            JOIN unit u ON u.id = a.primary_unit_id
            JOIN administration ad ON ad.id = u.administration_id
            JOIN municipality m ON m.id = ad.municipality_id
            WHERE m.code = '1882'
            GROUP BY m.code, ad.code ORDER BY n DESC, ad.code LIMIT 1""")
        ).first()
    municipality, administration = (row[0], row[1]) if row else (None, None)
    base = {"as_of": as_of.isoformat(), "lang": "sv", "municipality": None, "administration": None}
    sets = {"country": base}
    if municipality:
        sets["municipality"] = {**base, "municipality": municipality}
        sets["administration"] = {**base, "municipality": municipality,
                                  "administration": administration}  # fmt: skip
    return sets


def _bare_statement(sql: str, filters: dict):
    conditions, params = [], {"as_of": dt.date.fromisoformat(filters["as_of"])}
    if filters.get("municipality"):
        conditions.append("m.code = :mun")
        params["mun"] = filters["municipality"]
    if filters.get("administration"):
        conditions.append("ad.code = :adm")
        params["adm"] = filters["administration"]
    where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    statement = text(sql.format(where=where))
    if ":as_of" in sql:
        statement = statement.bindparams(bindparam("as_of", type_=Date))
    return statement, {k: v for k, v in params.items() if f":{k}" in statement.text}


def bare_page(engine: Engine, page: str, filters: dict):
    """A function running the page's bare SQL once (every statement, rows fetched)."""
    statements = [
        _bare_statement(sql, filters) for name in PAGE_BASELINES[page] for sql in BARE_SQL[name]
    ]

    def run() -> None:
        with engine.connect() as conn:
            for statement, params in statements:
                conn.execute(statement, params).all()

    return run


def evaluate(p95: float, bare_p95: float | None, dialect: str) -> dict:
    if bare_p95 is None:  # the bare SQL failed: no baseline, so the target cannot be judged met
        return {"limit_ms": None, "met": False}
    limit = RATIO_LIMIT * bare_p95 + SLACK_MS
    met = p95 <= limit and (dialect != "sqlite" or p95 < SQLITE_P95_LIMIT_MS)
    return {"limit_ms": round(limit, 1), "met": met}


def clear_result_caches() -> None:
    """Empty the app's result caches, so the next call computes from the store (a cold call).

    The output cache (dashboard.output_cache) is the one the pages use; any module of
    dashboard.queries that offers ``clear_cache()`` is emptied too, so a cache added later does
    not silently turn the cold figures warm.
    """
    import importlib
    import pkgutil

    import dashboard.queries as queries
    from dashboard import output_cache

    output_cache.clear()
    for info in pkgutil.iter_modules(queries.__path__):
        module = sys.modules.get(f"{queries.__name__}.{info.name}")
        if module is None:
            module = importlib.import_module(f"{queries.__name__}.{info.name}")
        clear = getattr(module, "clear_cache", None)
        if callable(clear):
            clear()


def time_cold_calls(function, runs: int) -> Timing:
    """``runs`` calls, each after emptying the result caches (the clearing is not timed)."""
    samples = []
    for _ in range(runs):
        clear_result_caches()
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return timing_of(samples)


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def measure_page(engine: Engine, app, page: str, scope: str, filters: dict, runs: int,
                 cold_runs: int, bare_runs: int | None = None) -> list[dict]:  # fmt: skip
    """Every initial callback of ``page`` for ``filters``: cold and warm timings, bare SQL.

    Anything that fails (the bare SQL, building the page's calls, one callback) is recorded in
    the rows and the rest goes on: one broken page must not hide the figures of the others.
    """
    dialect = engine.dialect.name
    rows: list[dict] = []
    try:
        bare = time_calls(bare_page(engine, page, filters), bare_runs or runs)
        bare_figures = {"bare_p50_ms": round(bare.p50_ms, 1), "bare_p95_ms": round(bare.p95_ms, 1)}
    except Exception as exc:  # the baseline is ours; its failure is reported beside the page
        log.exception("%s %s %s bare SQL failed", dialect, scope, page)
        bare, bare_figures = None, {"bare_error": _error(exc)}
    try:
        calls = page_calls(app, page, filters, block_size=100)
    except Exception as exc:
        log.exception("%s %s %s: building the page's calls failed", dialect, scope, page)
        return [{"scope": scope, "page": page, "callback": "(sidan)", "error": _error(exc),
                 "met": False, **bare_figures}]  # fmt: skip
    for call in calls:
        row = {"scope": scope, "page": page, "callback": call.name, **bare_figures}
        try:
            # The process's first call of this callback and filter pays one-time costs too
            # (SQLAlchemy compiles each statement shape once per process, figure templates are
            # built once): reported on its own. A cold call is what a running worker does after
            # a load: caches emptied, the statements already compiled.
            first = time_cold_calls(call.call, 1)
            cold = time_cold_calls(call.call, cold_runs)
            warm = time_calls(call.call, runs, warmup=1) if runs else None
        except Exception as exc:  # a failing callback is a finding, not the end
            log.exception("%s %s %s failed", dialect, scope, call.name)
            rows.append({**row, "error": _error(exc), "met": False})
            continue
        bare_p95 = bare.p95_ms if bare is not None else None
        judged = evaluate(cold.p95_ms, bare_p95, dialect)
        rows.append({
            **row, "first_ms": round(first.p50_ms, 1), "cold": cold.as_dict(),
            **({"warm": warm.as_dict(),
                "warm_met": evaluate(warm.p95_ms, bare_p95, dialect)["met"]} if warm else {}),
            "limit_ms": judged["limit_ms"], "met": judged["met"],
            "first_met": evaluate(first.p50_ms, bare_p95, dialect)["met"],
        })  # fmt: skip
        log.info("%s %s %s cold p95 %.0f ms (bare %s)", dialect, scope, call.name,
                 cold.p95_ms, bare_p95)  # fmt: skip
    return rows


def kept_facts(engine: Engine) -> dict:
    """The dates the KPI mart holds for the store's current version: {as_of: rows}."""
    from sqlalchemy import func

    from etl.kpi.mart import store_version
    from etl.models import KpiMart, KpiMartDate

    with engine.connect() as conn:
        current = store_version(conn)
        dates = conn.scalars(
            select(KpiMartDate.as_of).where(KpiMartDate.store_version == current)
        ).all()
        counts = dict(
            conn.execute(select(KpiMart.as_of, func.count()).group_by(KpiMart.as_of)).all()
        )
    return {day.isoformat(): counts.get(day, 0) for day in sorted(dates)}


def query_section(engine: Engine, runs: int = 20, cold_runs: int = 5, pages=PAGES,
                  as_of: dt.date | None = None) -> dict:  # fmt: skip
    """Every page callback x filter set on ``engine`` as of ``as_of`` (default today, the date
    the pages ask for), with the mart built for that date first (``prepare_mart``); cold and
    warm timings and targets.

    The target is judged on the cold figures: the issue compares a callback with the bare SQL it
    needs, and a cached answer runs no SQL at all; the cache is also emptied by every load and is
    per server process. The warm figures (what a user sees between loads on a worker that has
    served the same filter before) are reported beside them with their own verdict.
    """
    as_of = as_of or served_day()
    dialect = engine.dialect.name
    load_before = load_average()
    prepared = prepare_mart(engine, as_of)
    kept = kept_facts(engine)
    app = build_app(engine)
    # As every way of serving the app does once it is built (gunicorn, infosak serve).
    settle_heap()
    sets = filter_sets(engine, as_of)
    results = []
    for scope, filters in sets.items():
        for page in pages:
            results.extend(measure_page(engine, app, page, scope, filters, runs, cold_runs))
    clear_result_caches()
    return {
        "dialect": dialect,
        "as_of": as_of.isoformat(),
        "data_generated_as_of": AS_OF.isoformat(),
        "mart": prepared,
        "runs_per_callback": {"warm": runs, "cold": cold_runs, "bare": runs},
        "filters": {
            k: {kk: v[kk] for kk in ("municipality", "administration")} for k, v in sets.items()
        },
        "targets": f"p95 <= {RATIO_LIMIT} x bare p95 + {SLACK_MS:.0f} ms"
        + (f"; p95 < {SQLITE_P95_LIMIT_MS:.0f} ms on SQLite" if dialect == "sqlite" else ""),
        "judged_on": "cold (result caches emptied before every call)",
        # What the store's mart holds and a cold call reads (etl/kpi/mart.py): cold is "first
        # request after a load or the daily mart refresh", not "no aggregates".
        "kept_facts": kept,
        "callbacks": results,
        "met": bool(results) and all(r["met"] for r in results),
        "warm_met": bool(results) and all(r.get("warm_met") for r in results),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


def on_demand_section(engine: Engine, cold_runs: int = 1, pages=PAGES,
                      as_of: dt.date = AS_OF) -> dict:  # fmt: skip
    """Every page callback x filter set as of ``as_of``, a date the mart does not hold (by
    default the data's generation day, for a store loaded on another day): every number is then
    computed on demand, as for a user who picks a past date. Cold only (no warm runs), reported
    for information: not what a user gets for today's date, and not judged against the target.
    The section says so when the mart does hold the date (then the figures are not on demand).
    """
    from etl.kpi import mart

    dialect = engine.dialect.name
    load_before = load_average()
    with engine.connect() as conn:
        held = mart.holds(conn, as_of)
    app = build_app(engine)
    # As every way of serving the app does once it is built (gunicorn, infosak serve).
    settle_heap()
    sets = filter_sets(engine, as_of)
    results = []
    for scope, filters in sets.items():
        for page in pages:
            results.extend(measure_page(engine, app, page, scope, filters, 0, cold_runs,
                                        bare_runs=max(cold_runs, 3)))  # fmt: skip
    clear_result_caches()
    return {
        "dialect": dialect,
        "as_of": as_of.isoformat(),
        "label": "on demand: a date the KPI mart does not hold"
        if not held
        else "NOT on demand: the mart holds this date",
        "mart_holds_date": held,
        "runs_per_callback": {"cold": cold_runs},
        "callbacks": results,
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure an existing store (e.g. a national one) without building one: every page given,
    each in a fresh process when run once per page, figures to stdout and ``--out``."""
    import argparse
    import json
    from pathlib import Path

    from etl.db import make_engine

    parser = argparse.ArgumentParser(prog="python -m benchmarks.query_bench")
    parser.add_argument("url", help="SQLAlchemy URL of a loaded store")
    parser.add_argument("--pages", nargs="+", default=list(PAGES), choices=PAGES)
    parser.add_argument("--runs", type=int, default=3, help="warm runs per callback")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold runs per callback")
    parser.add_argument("--as-of", type=dt.date.fromisoformat,
                        help="the date measured (default today; the mart is built for it "
                        "when the store does not hold it: this writes to the store)")  # fmt: skip
    parser.add_argument("--on-demand", action="store_true",
                        help=f"also time one cold call per callback as of {AS_OF} "
                        "(the generation day: a date the mart does not hold)")  # fmt: skip
    parser.add_argument("--out", type=Path, help="write the section as JSON here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    engine = make_engine(args.url)
    section = query_section(engine, args.runs, args.cold_runs, pages=tuple(args.pages),
                            as_of=args.as_of)  # fmt: skip
    if args.on_demand:
        section["on_demand"] = on_demand_section(engine, pages=tuple(args.pages))
    engine.dispose()
    print("as of", section["as_of"], "mart:", section["mart"])
    rows = [("", r) for r in section["callbacks"]]
    rows += [("on demand ", r) for r in section.get("on_demand", {}).get("callbacks", [])]
    for label, row in rows:
        cold = row.get("cold", {})
        print(f"{label}{row['scope']:<14} {row['page']:<20} {row['callback']:<38} "
              f"first {row.get('first_ms', '-'):>8} cold p50 {cold.get('p50_ms', '-'):>8} "
              f"p95 {cold.get('p95_ms', '-'):>8} bare p95 {row.get('bare_p95_ms', '-'):>7} "
              f"{row.get('error', '')}")  # fmt: skip
    print("load average before/after:", section["load_average_before"],
          section["load_average_after"])  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(section, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
