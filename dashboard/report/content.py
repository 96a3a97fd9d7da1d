"""The committee report's content in plain Swedish or English, written from the numbers (pure
functions).

Input is the dict of ``dashboard.report.gather.gather_report`` (or a frozen copy of it) and a
language; output is ``ReportContent``: sentences and tables of strings that the HTML page and the
PDF both render, so the two always say the same thing. Every word comes from ``words.WORDS``,
every number and date as ``etl.formatting`` writes it, in the same language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dashboard.figures.overview import funnel_label
from dashboard.report.order import swedish_key
from dashboard.report.words import counted, words
from etl.formatting import (
    format_change,
    format_datetime,
    format_long_date,
    format_number,
    format_percent,
)
from etl.kpi.definitions import METRICS

# Each column: (metric, key of its heading in words.WORDS).
TABLE_COLUMNS = (
    ("assets", "col_assets"),
    ("classification_coverage", "col_classified"),
    ("risk_analysis_coverage", "col_risk_analysis"),
    ("actions_overdue", "col_overdue"),
    ("risks_high_without_action", "col_high_risks"),
    ("gdpr_coverage", "col_gdpr"),
    ("follow_up_rate", "col_follow_up"),
    ("maturity_self", "col_maturity"),
)
OBJECT_COLUMNS = (
    ("assets", "col_assets"),
    ("classification_coverage", "col_classified"),
    ("risk_analysis_coverage", "col_risk_analysis"),
    ("actions_overdue", "col_overdue"),
    ("risks_high_without_action", "col_high_risks"),
    ("maturity_self", "col_maturity"),
)
# The table's counts that add up: a municipality's value is the sum of its administrations' and
# of the shared objects' rows that count for it and for none of its administrations.
SUMMED_METRICS = ("assets", "actions_overdue", "risks_high_without_action")
SHARED_ROW = words("sv")["shared_row"]
COMPARE_METRICS = (
    "assets",
    "classification_coverage",
    "classifications_expired",
    "risk_analysis_coverage",
    "risks_high_without_action",
    "actions_open",
    "actions_overdue",
    "actions_on_time_rate",
    "gdpr_coverage",
    "follow_up_rate",
    "maturity_self",
    "maturity_evidence",
    "org_checks_failed",
)


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    note: str = ""
    # How many rows the table has when ``rows`` holds only its first ones (build_content's
    # ``rows``); None: ``rows`` is the whole table.
    total: int | None = None

    @property
    def row_count(self) -> int:
        """The table's rows, written or not."""
        return len(self.rows) if self.total is None else self.total


def _first(items: list, limit: int | None) -> tuple[list, int | None]:
    """The first ``limit`` of ``items`` (all with None) and the total to record beside them
    (None when all are kept)."""
    if limit is None or len(items) <= limit:
        return items, None
    return items[:limit], len(items)


@dataclass(frozen=True)
class ReportContent:
    title: str
    subtitle: str
    summary: list[str]
    kpi_table: Table
    funnel: list[tuple[str, int]]
    overdue_trend: list[tuple[str, int]]
    maturity: list[tuple[str, float | None, float | None]]
    organisation: Table
    objects: Table
    lineage: Table
    footnotes: list[str] = field(default_factory=list)
    lang: str = "sv"
    # The maturity section's heading when its rows are not administrations (the country's
    # report compares municipalities); empty for the template's own heading.
    maturity_heading: str = ""


# --------------------------------------------------------------------------- small helpers


def _value(entry: dict | None, key: str = "value"):
    return None if not entry else entry.get(key)


def _kind(metric: str) -> str:
    return METRICS[metric].kind if metric in METRICS else "count"


def fmt(value, metric: str, lang: str = "sv") -> str:
    kind = _kind(metric)
    if kind == "rate":
        return format_percent(value, lang=lang)
    if kind == "level":
        return format_number(value, 1, lang)
    return format_number(value, lang=lang)


def fmt_change(now, before, metric: str, lang: str = "sv") -> str:
    if now is None or before is None:
        return ""
    return format_change(now - before, _kind(metric), lang)


def _points(change: float) -> int:
    """A change of a rate in whole percentage points (as the reader sees the rounded values)."""
    return round(change * 100)


def _trend_phrase(now, before, metric: str, lang: str = "sv") -> str:
    """ ", 6 procentenheter fler än förra kvartalet" and the like (empty without a comparison)."""
    if now is None or before is None:
        return ""
    w = words(lang)
    kind = _kind(metric)
    if kind == "rate":
        points = _points(now) - _points(before)
        if points == 0:
            return w["trend_rate_same"]
        unit = counted(abs(points), "point", lang)
        key = "trend_rate_up" if points > 0 else "trend_rate_down"
        return w[key].format(n=abs(points), unit=unit)
    delta = now - before
    if kind == "level":
        if round(delta, 1) == 0:
            return w["trend_level_same"]
        key = "trend_level_up" if delta > 0 else "trend_level_down"
        return w[key].format(n=format_number(abs(delta), 1, lang))
    if delta == 0:
        return w["trend_count_same"]
    key = "trend_count_up" if delta > 0 else "trend_count_down"
    return w[key].format(n=format_number(abs(delta), lang=lang))


def scope_phrase(scope: dict, lang: str = "sv") -> str:
    if scope["type"] == "all":
        return words(lang)["scope_all"]
    if scope["type"] == "municipality":
        return words(lang)["scope_municipality"].format(name=scope["name"])
    return scope["name"]


# --------------------------------------------------------------------------- summary


def summary_sentences(data: dict, lang: str = "sv") -> list[str]:
    """The report's first paragraph, one sentence per number that matters to a committee."""
    w = words(lang)

    def number(value) -> str:
        return format_number(value, lang=lang)

    def percent(value) -> str:
        return format_percent(value, lang=lang)

    h = data["headline"]
    sentences = []
    assets = _value(h.get("assets"))
    classified = _value(h.get("classified_current"))
    coverage = h.get("classification_coverage", {})
    if not assets:
        sentences.append(w["no_assets"])
    else:
        sentences.append(
            w["classified"].format(
                assets=number(assets),
                classified=number(classified),
                share=percent(coverage.get("value")),
                trend=_trend_phrase(
                    coverage.get("value"),
                    coverage.get("previous"),
                    "classification_coverage",
                    lang,
                ),
            )
        )
        expired = _value(h.get("classifications_expired"))
        if expired:
            sentences.append(counted(expired, "expired", lang).format(n=number(expired)))
        risk = h.get("risk_analysis_coverage", {})
        sentences.append(
            w["risk_analysed"].format(
                share=percent(risk.get("value")),
                n=number(risk.get("numerator")),
                trend=_trend_phrase(
                    risk.get("value"), risk.get("previous"), "risk_analysis_coverage", lang
                ),
            )
        )
    overdue = h.get("actions_overdue", {})
    open_ = _value(h.get("actions_open"))
    if overdue.get("value") is not None:
        n = overdue["value"]
        sentences.append(
            w["overdue"].format(
                open=number(open_),
                n=number(n),
                trend=_trend_phrase(n, overdue.get("previous"), "actions_overdue", lang),
            )
        )
    high = _value(h.get("risks_high_without_action"))
    if high:
        sentences.append(counted(high, "high", lang).format(n=number(high)))
    elif high == 0:
        sentences.append(w["high_none"])
    gdpr = h.get("gdpr_coverage", {})
    if gdpr.get("denominator"):
        sentences.append(
            w["gdpr"].format(
                total=number(gdpr["denominator"]),
                n=number(gdpr["numerator"]),
                share=percent(gdpr["value"]),
            )
        )
    follow = h.get("follow_up_rate", {})
    if follow.get("denominator"):
        sentences.append(
            w["follow_up"].format(
                n=number(follow["numerator"]),
                total=number(follow["denominator"]),
                share=percent(follow["value"]),
            )
        )
    sentences.extend(_laggard_sentence(data, lang))
    sentences.append(_organisation_sentence(data, lang))
    # A municipality's summed workbooks (the country's report) count each stale file.
    stale = sum(s.get("stale_files", 1) for s in data.get("lineage", []) if s["stale"])
    if stale:
        sentences.append(counted(stale, "stale", lang).format(n=stale))
    return sentences


def administration_label(entry: dict, data: dict) -> str:
    """ "Socialförvaltningen, Laxå" when the report covers administrations of several
    municipalities (their names recur), else the bare name."""
    if _several_municipalities(data.get("administrations", [])) and entry.get("municipality_name"):
        return f"{entry['name']}, {entry['municipality_name']}"
    return entry["name"]


_last_answer: tuple[list, int, bool] | None = None


def _several_municipalities(administrations: list) -> bool:
    """Whether the administrations belong to more than one municipality. Asked once per
    administration label (thousands nationally), so the answer for the last list is kept."""
    global _last_answer
    last = _last_answer
    if last is not None and last[0] is administrations and last[1] == len(administrations):
        return last[2]
    answer = len({a.get("municipality_name") for a in administrations}) > 1
    _last_answer = (administrations, len(administrations), answer)
    return answer


def _laggard_sentence(data: dict, lang: str = "sv") -> list[str]:
    """Which administration lags most on classification (only when there is more than one)."""
    rated = [
        (a["metrics"]["classification_coverage"]["value"], administration_label(a, data))
        for a in data.get("administrations", [])
        if _value(a["metrics"].get("classification_coverage")) is not None
    ]
    if len(rated) < 2:
        return []
    low = min(v for v, _ in rated)
    high = max(v for v, _ in rated)
    if low == high:
        return []
    lowest = _join(sorted((n for v, n in rated if v == low), key=swedish_key), lang)
    highest = _join(sorted((n for v, n in rated if v == high), key=swedish_key), lang)
    return [
        words(lang)["laggard"].format(
            lowest=lowest,
            low=format_percent(low, lang=lang),
            highest=highest,
            high=format_percent(high, lang=lang),
        )
    ]


def _organisation_sentence(data: dict, lang: str = "sv") -> str:
    failed = _value(data["headline"].get("org_checks_failed"))
    by_code = {a["code"]: a for a in data.get("administrations", [])}
    missing_officer = [
        administration_label(by_code[row["code"]], data) if row["code"] in by_code else row["name"]
        for row in data.get("organisation", [])
        if row["scope_type"] == "administration"
        and _value(row["metrics"].get("org_security_officer")) == 0
    ]
    w = words(lang)
    if not failed:
        return w["org_ok"]
    text = counted(failed, "org_failed", lang).format(n=format_number(failed, lang=lang))
    if missing_officer:
        text += w["org_no_officer"] + _join(missing_officer, lang)
    return text + "."


def _join(names: list[str], lang: str = "sv") -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + words(lang)["and"] + names[-1]


# --------------------------------------------------------------------------- tables


def _cell(entry: dict | None, metric: str, lang: str = "sv") -> str:
    """ "56 % (−11)": the value and, when known, its change since the previous quarter."""
    if not entry:
        return "–"
    text = fmt(entry.get("value"), metric, lang)
    now, before = entry.get("value"), entry.get("previous")
    if now is not None and before is not None:
        kind = _kind(metric)
        if kind == "rate":
            delta = _points(now) - _points(before)
            change = f"{'+' if delta > 0 else ('±' if delta == 0 else '−')}{abs(delta)}"
        else:
            change = format_change(now - before, kind, lang)
        text += f" ({change})"
    return text


def municipalities_in_order(data: dict) -> list[dict]:
    """The report's municipalities alphabetically (Swedish collation)."""
    return sorted(data.get("municipalities", []), key=lambda e: swedish_key(e["name"]))


def administrations_in_order(data: dict) -> list[dict]:
    """The report's administrations alphabetically by municipality, then by name."""
    return sorted(
        data.get("administrations", []),
        key=lambda e: (swedish_key(e.get("municipality_name", "")), swedish_key(e["name"])),
    )


def _belongs_to(administration: dict, municipality: dict) -> bool:
    """Whether ``administration`` is one of ``municipality``'s (a frozen report from before
    the municipality code was kept: by the municipality's name)."""
    code = administration.get("municipality_code")
    if code:
        return code == municipality["code"]
    return administration.get("municipality_name") == municipality["name"]


def shared_entry(municipality: dict, administrations: list[dict], lang: str = "sv") -> dict:
    """The shared objects' part of a municipality's summed counts: its value minus those of its
    administrations (docs/metrics.md: a shared object's rows count for each participating
    municipality, and for an administration only when it takes part explicitly)."""
    metrics = {}
    for metric in SUMMED_METRICS:
        total = municipality["metrics"].get(metric)
        parts = [a["metrics"].get(metric) for a in administrations]
        if not total or any(not p for p in parts):
            continue
        entry = {}
        for key in ("value", "previous"):
            values = [total.get(key), *(p.get(key) for p in parts)]
            if all(v is not None for v in values):
                entry[key] = values[0] - sum(values[1:])
        metrics[metric] = entry
    return {"code": "", "name": words(lang)["shared_row"], "metrics": metrics}


def administrations_listed(data: dict) -> bool:
    """Whether the report lists administrations (the country's report lists municipalities
    only; a report frozen before this was kept listed them)."""
    return data.get("administrations_listed", True)


def kpi_rows(data: dict, lang: str = "sv") -> list[tuple[str, dict]]:
    """The table's rows in order, each (kind, entry): every municipality ("municipality") with
    its administrations ("administration") and its shared objects' part ("shared") under it, so
    that the rows under a municipality add up to it; administrations whose municipality is not
    in the report follow on their own. A municipality without listed administrations gets no
    shared row: its whole value would be called shared."""
    municipalities = municipalities_in_order(data)
    administrations = administrations_in_order(data)
    rows: list[tuple[str, dict]] = []
    placed: set[int] = set()
    for municipality in municipalities:
        own = [a for a in administrations if _belongs_to(a, municipality)]
        placed.update(id(a) for a in own)
        rows.append(("municipality", municipality))
        if not own:
            continue
        rows.extend(("administration", a) for a in own)
        rows.append(("shared", shared_entry(municipality, own, lang)))
    rows.extend(("administration", a) for a in administrations if id(a) not in placed)
    return rows


def _shared_cell(entry: dict, metric: str, lang: str = "sv") -> str:
    if metric not in SUMMED_METRICS:
        return "–"
    return _cell(entry["metrics"].get(metric), metric, lang)


def _entry_cell(entry: dict, metric: str, lang: str = "sv") -> str:
    return _cell(entry["metrics"].get(metric), metric, lang)


def kpi_table(data: dict, lang: str = "sv", limit: int | None = None) -> Table:
    w = words(lang)
    listed = administrations_listed(data)
    first = "kpi_name" if listed else "kpi_name_municipality"
    headers = [w[first], *[w[label] for _, label in TABLE_COLUMNS]]
    rows = []
    written, total = _first(kpi_rows(data, lang), limit)
    for kind, entry in written:
        if kind == "municipality" and not listed:
            name = entry["name"]
        elif kind == "municipality":
            name = w["whole_municipality"].format(name=entry["name"])
        elif kind == "shared":
            name = w["shared_row"]
        else:
            name = administration_label(entry, data)
        cell = _shared_cell if kind == "shared" else _entry_cell
        rows.append([name, *[cell(entry, m, lang) for m, _ in TABLE_COLUMNS]])
    previous = dt.date.fromisoformat(data["previous_as_of"])
    note = w["kpi_note"].format(date=format_long_date(previous, lang))
    if data.get("municipalities"):
        note += w["kpi_note_shared"] if listed else w["kpi_note_by_municipality"]
    return Table(headers, rows, note, total)


def _yes_no(entry: dict | None, lang: str = "sv") -> str:
    value = _value(entry)
    if value is None:
        return "–"
    return words(lang)["yes" if value >= 1 else "no"]


def _share(entry: dict | None, lang: str = "sv") -> str:
    if not entry or entry.get("denominator") in (None, 0):
        return _yes_no(entry, lang)
    return words(lang)["share_of"].format(
        n=format_number(entry["numerator"], lang=lang),
        total=format_number(entry["denominator"], lang=lang),
    )


def organisation_in_order(data: dict) -> list[dict]:
    """Municipalities alphabetically, each followed by its administrations alphabetically."""
    rows = data.get("organisation", [])
    names = {r["code"]: r["name"] for r in rows if r["scope_type"] == "municipality"}
    names |= {a["code"]: a.get("municipality_name", "") for a in data.get("administrations", [])}

    def municipality_name(row: dict) -> str:
        if row["scope_type"] == "municipality":
            return row["name"]
        return names.get(row["municipality"]) or names.get(row["code"]) or row["municipality"]

    return sorted(
        rows,
        key=lambda r: (
            swedish_key(municipality_name(r)),
            r["scope_type"] != "municipality",
            swedish_key(r["name"]),
        ),
    )


def organisation_table(data: dict, lang: str = "sv", limit: int | None = None) -> Table:
    w = words(lang)
    headers = [
        w[key]
        for key in (
            "org_name",
            "org_ciso",
            "org_security_officer",
            "org_dpo",
            "org_protection_officer",
            "org_unit_managers",
            "org_failed",
        )
    ]
    rows = []
    written, total = _first(organisation_in_order(data), limit)
    for row in written:
        m = row["metrics"]
        name = row["name"] if row["scope_type"] == "municipality" else f"  {row['name']}"
        rows.append(
            [
                name,
                _yes_no(m.get("org_ciso"), lang),
                _share(m.get("org_security_officer"), lang),
                _yes_no(m.get("org_dpo"), lang),
                _yes_no(m.get("org_protection_officer"), lang),
                _share(m.get("org_unit_managers"), lang),
                fmt(_value(m.get("org_checks_failed")), "org_checks_failed", lang),
            ]
        )
    return Table(headers, rows, total=total)


def _participants(obj: dict, lang: str = "sv") -> str:
    names = ", ".join(sorted(obj.get("participants", []), key=swedish_key))
    others = obj.get("other_participants", 0)
    if others:
        more = counted(others, "more_municipalities", lang).format(n=others)
        return f"{names}{words(lang)['and']}{more}" if names else more
    return names or "–"


def objects_table(data: dict, lang: str = "sv", limit: int | None = None) -> Table:
    w = words(lang)
    headers = [w["object_name"], w["provider"], w["participants"]]
    headers += [w[label] for _, label in OBJECT_COLUMNS]
    if not data.get("objects_visible", True):
        return Table(headers, [], w["objects_hidden"])
    ordered = sorted(data.get("objects", []), key=lambda o: swedish_key(o["name"]))
    written, total = _first(ordered, limit)
    rows = [
        [
            obj["name"],
            obj.get("provider") or "–",
            _participants(obj, lang),
            *[_cell(obj["metrics"].get(m), m, lang) for m, _ in OBJECT_COLUMNS],
        ]
        for obj in written
    ]
    note = "" if rows else w["objects_none"]
    return Table(headers, rows, note, total)


def lineage_table(data: dict, lang: str = "sv", limit: int | None = None) -> Table:
    w = words(lang)
    headers = [
        w[key]
        for key in (
            "source",
            "source_kind",
            "source_file",
            "source_loaded",
            "source_age",
            "source_status",
        )
    ]
    rows = []
    written, total = _first(data.get("lineage", []), limit)
    for src in written:
        kind = w.get(f"kind_{src['kind']}", src["kind"])
        rows.append(
            [
                src["name"],
                kind,
                _lineage_file(src, lang),
                src["loaded_at"][:10],
                w["days"].format(n=format_number(src["age_days"], lang=lang)),
                _lineage_status(src, lang),
            ]
        )
    note = w["lineage_note"] if rows else w["lineage_none"]
    if any("files" in src for src in data.get("lineage", [])):
        note += w["lineage_note_by_municipality"]
    return Table(headers, rows, note, total)


def _lineage_file(src: dict, lang: str) -> str:
    """The file's name, or for a municipality's summed workbooks how many they are."""
    if "files" not in src:
        return src["file_name"]
    return counted(src["files"], "workbooks", lang).format(n=format_number(src["files"], lang=lang))


def _lineage_status(src: dict, lang: str) -> str:
    w = words(lang)
    if not src["stale"]:
        return w["current"]
    if "files" not in src:
        return w["stale"]
    count = src["stale_files"]
    return counted(count, "stale_files", lang).format(n=format_number(count, lang=lang))


def maturity_rows(data: dict) -> list[tuple[str, float | None, float | None]]:
    """(name, self-assessed, evidence-based) per administration, or per municipality in a
    report that lists municipalities only."""
    if not administrations_listed(data):
        return [
            (
                m["name"],
                _value(m["metrics"].get("maturity_self")),
                _value(m["metrics"].get("maturity_evidence")),
            )
            for m in municipalities_in_order(data)
        ]
    return [
        (
            administration_label(a, data),
            _value(a["metrics"].get("maturity_self")),
            _value(a["metrics"].get("maturity_evidence")),
        )
        for a in administrations_in_order(data)
    ]


def compare_rows(a: dict, b: dict, lang: str = "sv") -> list[list[str]]:
    """Metric, period A, period B, change (B − A) from two reports' headline numbers."""
    rows = []
    for metric in COMPARE_METRICS:
        va = _value(a["headline"].get(metric))
        vb = _value(b["headline"].get(metric))
        rows.append(
            [
                METRICS[metric].label_en if lang == "en" else METRICS[metric].label_sv,
                fmt(va, metric, lang),
                fmt(vb, metric, lang),
                fmt_change(vb, va, metric, lang) or "–",
            ]
        )
    return rows


# --------------------------------------------------------------------------- the whole report


def report_scope_text(data: dict, lang: str = "sv") -> str:
    """Whose numbers the report holds, in ``lang``: the scope text gathered in that language
    (``scope_texts``), the Swedish one of ``gather_report``, or for a report frozen before the
    scope text was gathered its scope by type."""
    gathered = data.get("scope_texts", {}).get(lang)
    if gathered:
        return gathered
    if lang == "sv" and data.get("scope_text"):
        return data["scope_text"]
    return scope_phrase(data["scope"], lang)


def report_title(data: dict, lang: str = "sv") -> tuple[str, str]:
    w = words(lang)
    as_of = dt.date.fromisoformat(data["as_of"])
    scope = report_scope_text(data, lang)
    if scope.startswith(("Alla ", "All ")):
        scope = scope[0].lower() + scope[1:]  # mid-sentence: "för alla kommuner tillsammans"
    title = w["title"].format(scope=scope)
    subtitle = w["subtitle"].format(period=data["period"], date=format_long_date(as_of, lang))
    return title, subtitle


def build_content(data: dict, lang: str = "sv", rows: int | None = None) -> ReportContent:
    """The whole report in ``lang`` ("sv" or "en"; any other language reads Swedish).

    ``rows``: write at most this many rows of each table (the page shows its first ones; the
    PDF and the workbook all): the same first rows, each table knowing its total
    (``Table.row_count``). A national report's tables were 8 000 numbers to write for 200 shown.
    """
    lang = lang if lang == "en" else "sv"
    w = words(lang)
    title, subtitle = report_title(data, lang)
    return ReportContent(
        title=title,
        subtitle=subtitle,
        summary=summary_sentences(data, lang),
        kpi_table=kpi_table(data, lang, rows),
        funnel=[
            (funnel_label(s.get("stage", ""), s["label"], lang), s["count"])
            for s in data.get("funnel", [])
        ],
        overdue_trend=[(p["date"], p["value"]) for p in data.get("overdue_trend", [])],
        maturity=maturity_rows(data),
        organisation=organisation_table(data, lang, rows),
        objects=objects_table(data, lang, rows),
        lineage=lineage_table(data, lang, rows),
        footnotes=[
            w["footnote_aggregates"],
            w["footnote_trend"],
            w["footnote_generated"].format(when=format_datetime(data["generated_at"], lang)),
        ],
        lang=lang,
        maturity_heading="" if administrations_listed(data) else w["maturity_by_municipality"],
    )


__all__ = [
    "ReportContent",
    "Table",
    "build_content",
    "compare_rows",
    "administrations_in_order",
    "administrations_listed",
    "fmt",
    "kpi_rows",
    "municipalities_in_order",
    "organisation_in_order",
    "summary_sentences",
]
