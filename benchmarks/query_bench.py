"""Page callbacks at scale, called directly, against the bare SQL aggregate each page needs.

For every page and every filter set (whole country, one municipality, one administration) each
initial callback of the page (benchmarks.page_calls) runs ``runs`` times after one untimed
warm-up call, whose time is kept as ``first_ms`` (an empty cache, if the page caches). The bare
baseline is hand-written SQL, run through the same engine, computing the aggregate the page shows
(no ORM, no pandas, no figures): the floor a page cannot beat.

Targets (issue 6): p95 <= 1.5 x bare p95 + 30 ms; on SQLite also p95 < 300 ms.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Date, Engine, bindparam, text

from benchmarks.common import AS_OF, load_average, time_calls
from benchmarks.page_calls import PAGES, build_app, page_calls

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


def filter_sets(engine: Engine) -> dict[str, dict]:
    """Whole country, the municipality with most assets, and its largest administration."""
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
    base = {"as_of": AS_OF.isoformat(), "lang": "sv", "municipality": None, "administration": None}
    sets = {"country": base}
    if municipality:
        sets["municipality"] = {**base, "municipality": municipality}
        sets["administration"] = {**base, "municipality": municipality,
                                  "administration": administration}  # fmt: skip
    return sets


def _bare_statement(sql: str, filters: dict):
    conditions, params = [], {"as_of": AS_OF}
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


def evaluate(p95: float, bare_p95: float, dialect: str) -> dict:
    limit = RATIO_LIMIT * bare_p95 + SLACK_MS
    met = p95 <= limit and (dialect != "sqlite" or p95 < SQLITE_P95_LIMIT_MS)
    return {"limit_ms": round(limit, 1), "met": met}


def query_section(engine: Engine, runs: int = 20, pages=PAGES) -> dict:
    """Every page callback x filter set on ``engine``; timings and targets as a dict."""
    dialect = engine.dialect.name
    load_before = load_average()
    app = build_app(engine)
    results = []
    for scope, filters in filter_sets(engine).items():
        for page in pages:
            bare = time_calls(bare_page(engine, page, filters), runs)
            for call in page_calls(app, page, filters, block_size=100):
                start = time.perf_counter()
                try:
                    call.call()
                except Exception as exc:  # a failing callback is a finding, not the end
                    log.exception("%s %s %s failed", dialect, scope, call.name)
                    results.append({"scope": scope, "page": page, "callback": call.name,
                                    "error": f"{type(exc).__name__}: {exc}"[:300],
                                    "met": False})  # fmt: skip
                    continue
                first_ms = (time.perf_counter() - start) * 1000
                timing = time_calls(call.call, runs, warmup=0)
                check = evaluate(timing.p95_ms, bare.p95_ms, dialect)
                results.append({
                    "scope": scope, "page": page, "callback": call.name,
                    "first_ms": round(first_ms, 1), **timing.as_dict(),
                    "bare_p50_ms": round(bare.p50_ms, 1), "bare_p95_ms": round(bare.p95_ms, 1),
                    **check,
                })  # fmt: skip
                log.info("%s %s %s p95 %.0f ms (bare %.0f)", dialect, scope, call.name,
                         timing.p95_ms, bare.p95_ms)  # fmt: skip
    return {
        "dialect": dialect,
        "runs_per_callback": runs,
        "filters": {
            k: {kk: v[kk] for kk in ("municipality", "administration")}
            for k, v in filter_sets(engine).items()
        },  # fmt: skip
        "targets": f"p95 <= {RATIO_LIMIT} x bare p95 + {SLACK_MS:.0f} ms"
        + (f"; p95 < {SQLITE_P95_LIMIT_MS:.0f} ms on SQLite" if dialect == "sqlite" else ""),
        "callbacks": results,
        "met": all(r["met"] for r in results),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }
