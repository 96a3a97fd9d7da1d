"""The summary table of a benchmark result: (what, measured, target, met) rows, printed with
rich or written as Markdown for docs/performance.md. Reads the JSON only; runs nothing."""

from __future__ import annotations


def etl_rows(results: dict) -> list[tuple[str, str, str, str]]:
    """One row per target of the ETL: measured, its baselines, the target and the verdict."""
    rows = []
    met = _met
    c = results.get("etl_csv", {})
    if "baseline_executemany_indexes" in c:
        e, i, n = c["etl"], c["baseline_executemany_indexes"], c["baseline_executemany_no_indexes"]
        rows.append(("1. ETL nationell CSV → SQLite",
                     f"{e['rows']} rader på {e['seconds']} s = {e['rows_per_s']} rader/s "
                     f"(varav nyckeltal {c['kpi_seconds']} s; utan dem {c['etl_rows_per_s_without_kpi']} "
                     f"rader/s, kvot {c['ratio_without_kpi']}); bar executemany med index "
                     f"{i['rows_per_s']} rader/s (kvot {c['ratio_of_baseline']}), utan sekundära "
                     f"index {n['rows_per_s']} rader/s (kvot {c['ratio_of_baseline_no_indexes']})"
                     + (f"; processortid {e['cpu_seconds']} s mot {i['cpu_seconds']} s "
                        f"(kvot {c['ratio_cpu']})" if c.get("ratio_cpu") is not None else "")
                     + (f"; medianen av {c['rounds']} omgångar: kvot "
                        + ", ".join(str(r) for r in c["ratios_of_rounds"]) if "rounds" in c
                        else ""),
                     "≥ 0,5 × bar med index", met(c["met"])))  # fmt: skip
    elif "etl" in c:  # rounds before the baselines of the same rows
        e, b = c["etl"], c["baseline_bare_sqlite3"]
        rows.append(("ETL CSV → SQLite", f"{e['rows']} rader, {e['rows_per_s']} rader/s "
                     f"(bar sqlite3: {b['rows_per_s']} rader/s, kvot {c['ratio_of_baseline']})",
                     "≥ 0,5 × bar", met(c["met"])))  # fmt: skip
    p = results.get("etl_pg", {})
    if "baseline_copy" in p:
        e, b = p["etl"], p["baseline_copy"]
        rows.append(("2. ETL nationell CSV → PostgreSQL",
                     f"{e['rows']} rader på {e['seconds']} s = {e['rows_per_s']} rader/s "
                     f"(varav nyckeltal {p['kpi_seconds']} s; utan dem {p['etl_rows_per_s_without_kpi']} "
                     f"rader/s, kvot {p['ratio_without_kpi']}); bar COPY {b['seconds']} s = "
                     f"{b['rows_per_s']} rader/s (kvot {p['ratio_of_baseline']})",
                     "≥ 0,5 × bar COPY", met(p["met"])))  # fmt: skip
    x = results.get("etl_xlsx", {})
    if "baseline_seconds" in x:
        rows.append((f"3. ETL xlsx ({x['workbooks']} arbetsböcker, hela infosak load)",
                     f"{x['etl']['seconds']} s mot calamine {x['baseline_bare_calamine']['seconds']} s"
                     f" + executemany {x['baseline_executemany_indexes']['seconds']} s = "
                     f"{x['baseline_seconds']} s (× {x['times_baseline']}; × "
                     f"{x['times_calamine_read']} mot bara läsningen)"
                     + (f"; medianen av {x['rounds']} omgångar: × "
                        + ", ".join(str(r) for r in x["ratios_of_rounds"]) if "rounds" in x
                        else "")
                     + (f"; processortid {x['etl']['cpu_seconds']} s mot {x['baseline_cpu_seconds']}"
                        f" s (× {x['times_baseline_cpu']})" if "times_baseline_cpu" in x else ""),
                     "≤ 2 × bar", met(x["met"])))  # fmt: skip
    elif "etl" in x:
        rows.append(("ETL xlsx (Sydnärke)", f"{x['etl']['seconds']} s mot calamine "
                     f"{x['baseline_bare_calamine']['seconds']} s (× {x['times_baseline']})",
                     "≤ 1,5 × bar läsning", met(x["met"])))  # fmt: skip
    u = results.get("etl_upload", {})
    if "upload" in u:
        f = u["upload"]
        rows.append((f"4. En förvaltnings arbetsbok ({u['administration']}) in i landets databas",
                     f"{f['seconds']} s ({f['outcome']}, {f['rows']} rader): inläsning "
                     f"{f['load_seconds']} s, nyckeltal {f['kpi_seconds']} s (andel {u['kpi_share']})",
                     "≤ 2 s", met(u["met"])))  # fmt: skip
    if "memory_peak_rss_mb" in c:
        rows.append(("5. Minne, nationell inläsning (SQLite)",
                     f"{c['memory_peak_rss_mb']} MB (inläsaren och dess läsprocess)",
                     "≤ 1 GB", met(c["memory_met"])))  # fmt: skip
    return rows


def summary_rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(what, measured, target, met) rows for the printed table and docs/performance.md."""
    rows = []
    met = _met

    rows.extend(etl_rows(results))
    for name, q in (("SQLite", results.get("queries_sqlite", {})),
                    ("PostgreSQL", results.get("postgresql", {}).get("queries", {}))):  # fmt: skip
        rows.extend(_page_rows(name, q.get("callbacks", [])))
        rows.extend(national_callback_rows(name, q.get("callbacks", [])))
    pg = results.get("postgresql", {})
    if "etl" in pg and "etl_pg" not in results:
        rows.append(("ETL CSV → PostgreSQL", f"{pg['etl']['rows_per_s']} rader/s, "
                     f"{pg['etl']['seconds']} s", "–", "–"))  # fmt: skip
    for scope, p in (results.get("payload", {}) or {}).items():
        if isinstance(p, dict) and "pages" in p:
            big = max(p["pages"], key=lambda page: page["first_load_bytes"])
            largest = max(page["largest_callback_bytes"] for page in p["pages"])
            static = p["static_assets_once"]["bytes"]
            rows.append((f"Nyttolast {scope} (största sida {big['page']})",
                         f"{big['first_load_bytes']} B; största svar {largest} B; "
                         f"statiska filer en gång {static} B",
                         "≤ 1,5 MB / 150 kB", met(p["met"])))  # fmt: skip
    m = results.get("memory", {})
    if "worker_after_all_pages_peak_rss_mb" in m:
        rows.append(("Minne nationell inläsning", f"{m['national_load_peak_rss_mb']} MB",
                     "≤ 1 GB", met(m["national_load_met"])))  # fmt: skip
        rows.append(("Minne en arbetsprocess", f"{m['worker_after_all_pages_peak_rss_mb']} MB",
                     "≤ 500 MB", met(m["worker_met"])))  # fmt: skip
    rows.extend(_load_test_rows(results.get("load_test", {})))
    rows.extend(browser_rows(results.get("browser", {})))
    for name, section in results.items():
        if isinstance(section, dict) and "error" in section:
            rows.append((name, section["error"][:80], "–", "FEL"))
    return rows


def _met(flag) -> str:
    return {True: "ja", False: "NEJ", None: "–"}[flag]


def _page_rows(name: str, callbacks: list[dict]) -> list[tuple[str, str, str, str]]:
    """One row per (filter, page): its slowest callback by cold p95, cold and warm figures.

    Judged on the cold figures (query_bench.query_section says why); the warm verdict is shown.
    """
    rows = []
    pages: dict[tuple[str, str], list[dict]] = {}
    for r in callbacks:
        pages.setdefault((r["scope"], r["page"]), []).append(r)
    for (scope, page), calls in pages.items():
        for r in calls:
            if "error" in r:
                rows.append((f"{name} {scope} {page} {r['callback']}", r["error"][:90],
                             "inget fel", "FEL"))  # fmt: skip
        timed = [r for r in calls if "cold" in r]
        if not timed:
            continue
        slow = max(timed, key=lambda r: r["cold"]["p95_ms"])
        failing = sum(1 for r in timed if not r["met"])
        warm_failing = sum(1 for r in timed if not r.get("warm_met"))
        bare = (f"bar SQL p95 {slow['bare_p95_ms']} ms" if "bare_p95_ms" in slow
                else f"bar SQL fel: {slow.get('bare_error', '?')[:60]}")  # fmt: skip
        verdict = _met(failing == 0) + (f" ({failing} av {len(timed)} ej)" if failing else "")
        verdict += "; varm " + _met(warm_failing == 0)
        # (runs before round 5 had no separate first call: it was one of the cold calls)
        firsts = [r for r in timed if "first_ms" in r]
        first_failing = sum(1 for r in firsts if not r.get("first_met"))
        first_text = ""
        if firsts:
            slowest_first = max(r["first_ms"] for r in firsts)
            first_text = f"; första anropet i processen högst {slowest_first} ms"
            verdict += (
                "; första "
                + _met(first_failing == 0)
                + (f" ({first_failing} ej)" if first_failing else "")
            )
        rows.append((
            f"{name} {scope} {page} ({len(timed)} anrop; långsammast {slow['callback']})",
            f"kall p50 {slow['cold']['p50_ms']} / p95 {slow['cold']['p95_ms']} ms; "
            f"varm p50 {slow['warm']['p50_ms']} / p95 {slow['warm']['p95_ms']} ms; {bare}"
            + first_text,
            (f"p95 ≤ {slow['limit_ms']} ms" if slow.get("limit_ms") is not None else "–")
            + (" och < 300 ms" if name == "SQLite" else ""),
            verdict,
        ))  # fmt: skip
    return rows


def browser_rows(section: dict) -> list[tuple[str, str, str, str]]:
    """One row per role and page of the browser section (benchmarks.browser_pages)."""
    rows = []
    for p in section.get("pages", []):
        what = f"Webbläsare {p['role']} ({p['scope']}) {p['page']}"
        if "error" in p:
            rows.append((what, p["error"][:90], "≤ 3 s", "NEJ"))
            continue
        rows.append((what,
                     f"klar efter {p['settled_s']} s; {p['kb']} kB överfört (svar "
                     f"{p['callback_kb']} kB i {p['callbacks']} anrop, långsammast "
                     f"{p['slowest_callback_ms']} ms); långa uppgifter {p['long_task_ms']} ms; "
                     f"{p['dom_nodes']} DOM-noder",
                     "≤ 3 s", _met(p["met"])))  # fmt: skip
    return rows


def national_callback_rows(name: str, callbacks: list[dict]) -> list[tuple[str, str, str, str]]:
    """The national target on any database: every callback's first call in the process and its
    cold p95 ≤ 300 ms, summarised per filter (p95 over the page callbacks' first calls)."""
    from benchmarks.common import percentile

    rows = []
    scopes: dict[str, list[dict]] = {}
    for r in callbacks:
        if "cold" in r:
            scopes.setdefault(r["scope"], []).append(r)
    for scope, calls in scopes.items():
        firsts = [r["first_ms"] for r in calls if "first_ms" in r]
        colds = [r["cold"]["p95_ms"] for r in calls]
        over = [f"{r['page']} {r['callback']}" for r in calls
                if max(r.get("first_ms", 0), r["cold"]["p95_ms"]) > 300]  # fmt: skip
        rows.append((f"{name} {scope}: alla sidors callbacks, kall process",
                     f"första anropet p95 {round(percentile(firsts, 95))} ms, max "
                     f"{round(max(firsts))} ms; kall p95 (per anrop) max {round(max(colds))} ms"
                     + (f"; över 300 ms: {', '.join(over)[:200]}" if over else ""),
                     "p95 ≤ 300 ms", _met(not over)))  # fmt: skip
    return rows


def _load_test_rows(lt: dict) -> list[tuple[str, str, str, str]]:
    if "p95_ms" not in lt:
        return []
    mix = ", ".join(f"{n} {role}" for role, n in lt.get("mix", {}).items())
    etl = lt.get("concurrent_etl") or {}
    during = etl.get("requests_while_running") or {}
    load = lt.get("load_average_during", {})
    # (runs before gunicorn.conf.py recorded no worker class: they had sync workers)
    threads = f" × {lt['threads']} trådar ({lt['worker_class']})" if "threads" in lt else ""
    rows = [(
        f"Last: {lt['users']} användare ({mix}), {lt['workers']} gunicorn-processer{threads}, "
        f"betänketid {lt['think_s'][0]:g}–{lt['think_s'][1]:g} s, {lt['seconds']} s",
        f"p50 {lt['p50_ms']} / p95 {lt['p95_ms']} / max {lt['max_ms']} ms; {lt['requests']} "
        f"anrop, {lt['errors']} fel, {lt['throughput_rps']} anrop/s, {lt['page_views']} "
        f"sidvisningar; load average {load.get('min')}–{load.get('max')} "
        f"(medel {load.get('mean')})",
        "p95 < 1 s, inga fel",
        _met(lt["met"]),
    )]  # fmt: skip
    if etl:
        rows.append((
            f"Last medan inläsningen av {etl.get('sets')} förvaltningar pågick "
            f"({etl.get('seconds')} s, returkod {etl.get('returncode')})",
            f"p50 {during.get('p50_ms')} / p95 {during.get('p95_ms')} ms; "
            f"{during.get('requests')} anrop, {during.get('errors')} fel",
            "p95 < 1 s, inga fel",
            _met(during.get("p95_ms") is not None and during["p95_ms"] < 1000
                 and not during.get("errors")),
        ))  # fmt: skip
    for kind, k in lt.get("by_kind", {}).items():
        rows.append((f"Last, anropstyp {kind}",
                     f"p50 {k['p50_ms']} / p95 {k['p95_ms']} / max {k['max_ms']} ms; "
                     f"{k['requests']} anrop, {k['errors']} fel",
                     "p95 < 1 s", _met(k["p95_ms"] is not None and k["p95_ms"] < 1000
                                       and not k["errors"])))  # fmt: skip
    return rows


def load_rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(section, when, seconds, load average before → after) of every section in the file."""
    rows = []
    for name, section in results.items():
        if name == "meta" or not isinstance(section, dict):
            continue
        # Sections that run parts (payload per filter, postgresql's queries) keep them inside.
        parts = [section, *(v for v in section.values() if isinstance(v, dict))]
        befores = [p.get("load_average_before") or p.get("load_average") for p in parts]
        afters = [p.get("load_average_after") for p in parts]
        before = next((b for b in befores if b), None)
        after = next((a for a in reversed(afters) if a), None)
        if before is None:
            rows.append((name, "–", "–", section.get("skipped", "–")))
            continue
        during = section.get("load_average_during")
        load = f"{before} → {after}" if after else f"{before}"
        if during:
            load += f"; under testet {during['min']}–{during['max']} (medel {during['mean']})"
        when = f"{section.get('taken_at', '–')} ({section.get('commit') or '?'})"
        rows.append((name, when,
                     str(section.get("section_seconds", "–")), load))  # fmt: skip
    return rows


def _markdown(header: tuple[str, ...], rows) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(str(cell).replace("|", "/") for cell in row) + " |")
    return lines


def markdown_table(results: dict) -> str:
    """The summary as Markdown tables (pasted into docs/performance.md): the figures, then the
    machine's load average (1/5/15 min) around every section."""
    lines = _markdown(("Mätning", "Uppmätt", "Mål", "Uppfyllt"), summary_rows(results))
    lines += ["", *_markdown(("Avsnitt", "Mätt (commit)", "Sekunder", "Load average 1/5/15 min"),
                             load_rows(results))]  # fmt: skip
    return "\n".join(lines) + "\n"


def print_table(results: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Infosäk: prestanda")
    for column in ("Mätning", "Uppmätt", "Mål", "Uppfyllt"):
        table.add_column(column)
    for row in summary_rows(results):
        table.add_row(*row)
    Console(width=200).print(table)
