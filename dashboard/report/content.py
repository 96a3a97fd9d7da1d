"""The committee report's content in plain Swedish, written from the numbers (pure functions).

Input is the dict of ``dashboard.report.gather.gather_report`` (or a frozen copy of it); output is
``ReportContent``: sentences and tables of strings that the HTML page and the PDF both render, so
the two always say the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dashboard.report.order import swedish_key
from etl.formatting import (
    format_change,
    format_datetime,
    format_long_date,
    format_number,
    format_percent,
)
from etl.kpi.definitions import METRICS

TABLE_COLUMNS = (
    ("assets", "Tillgångar"),
    ("classification_coverage", "Klassade"),
    ("risk_analysis_coverage", "Riskanalys"),
    ("actions_overdue", "Försenade åtgärder"),
    ("risks_high_without_action", "Höga risker utan åtgärd"),
    ("gdpr_coverage", "I registret"),
    ("follow_up_rate", "Uppföljning"),
    ("maturity_self", "Mognad"),
)
OBJECT_COLUMNS = (
    ("assets", "Tillgångar"),
    ("classification_coverage", "Klassade"),
    ("risk_analysis_coverage", "Riskanalys"),
    ("actions_overdue", "Försenade åtgärder"),
    ("risks_high_without_action", "Höga risker utan åtgärd"),
    ("maturity_self", "Mognad"),
)
# The table's counts that add up: a municipality's value is the sum of its administrations' and
# of the shared objects' rows that count for it and for none of its administrations.
SUMMED_METRICS = ("assets", "actions_overdue", "risks_high_without_action")
SHARED_ROW = "Gemensamma förvaltningsobjekt"
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
SOURCE_KINDS = {
    "organisation": "Organisation",
    "administration": "Förvaltning",
    "object": "Förvaltningsobjekt",
}


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


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


# --------------------------------------------------------------------------- small helpers


def _value(entry: dict | None, key: str = "value"):
    return None if not entry else entry.get(key)


def _kind(metric: str) -> str:
    return METRICS[metric].kind if metric in METRICS else "count"


def fmt(value, metric: str) -> str:
    kind = _kind(metric)
    if kind == "rate":
        return format_percent(value)
    if kind == "level":
        return format_number(value, 1)
    return format_number(value)


def fmt_change(now, before, metric: str) -> str:
    if now is None or before is None:
        return ""
    return format_change(now - before, _kind(metric))


def _points(change: float) -> int:
    """A change of a rate in whole percentage points (as the reader sees the rounded values)."""
    return round(change * 100)


def _trend_phrase(now, before, metric: str) -> str:
    """ ", 6 procentenheter fler än förra kvartalet" and the like (empty without a comparison)."""
    if now is None or before is None:
        return ""
    kind = _kind(metric)
    if kind == "rate":
        points = _points(now) - _points(before)
        if points == 0:
            return ", samma andel som förra kvartalet"
        word = "fler" if points > 0 else "färre"
        unit = "procentenhet" if abs(points) == 1 else "procentenheter"
        return f", {abs(points)} {unit} {word} än förra kvartalet"
    delta = now - before
    if kind == "level":
        if round(delta, 1) == 0:
            return ", oförändrat sedan förra kvartalet"
        word = "högre" if delta > 0 else "lägre"
        return f", {format_number(abs(delta), 1)} {word} än förra kvartalet"
    if delta == 0:
        return ", lika många som förra kvartalet"
    word = "fler" if delta > 0 else "färre"
    return f", {format_number(abs(delta))} {word} än förra kvartalet"


def _plural(count, singular: str, plural: str) -> str:
    return singular if count == 1 else plural


def scope_phrase(scope: dict) -> str:
    if scope["type"] == "all":
        return "alla kommuner"
    if scope["type"] == "municipality":
        return f"{scope['name']} kommun"
    return scope["name"]


# --------------------------------------------------------------------------- summary


def summary_sentences(data: dict) -> list[str]:
    """The report's first paragraph, one sentence per number that matters to a committee."""
    h = data["headline"]
    sentences = []
    assets = _value(h.get("assets"))
    classified = _value(h.get("classified_current"))
    coverage = h.get("classification_coverage", {})
    if not assets:
        sentences.append(
            "Det finns inga informationstillgångar registrerade för rapportens omfång."
        )
    else:
        sentences.append(
            f"Av {format_number(assets)} informationstillgångar har {format_number(classified)} "
            f"({format_percent(coverage.get('value'))}) en aktuell klassning"
            f"{_trend_phrase(coverage.get('value'), coverage.get('previous'), 'classification_coverage')}."
        )
        expired = _value(h.get("classifications_expired"))
        if expired:
            sentences.append(
                f"{format_number(expired)} {_plural(expired, 'klassning', 'klassningar')} "
                f"har passerat sitt översynsdatum och behöver göras om."
            )
        risk = h.get("risk_analysis_coverage", {})
        sentences.append(
            f"{format_percent(risk.get('value'))} av tillgångarna "
            f"({format_number(risk.get('numerator'))} st.) har en riskanalys från de senaste "
            f"tre åren{_trend_phrase(risk.get('value'), risk.get('previous'), 'risk_analysis_coverage')}."
        )
    overdue = h.get("actions_overdue", {})
    open_ = _value(h.get("actions_open"))
    if overdue.get("value") is not None:
        n = overdue["value"]
        sentences.append(
            f"Av {format_number(open_)} öppna åtgärder är {format_number(n)} försenade"
            f"{_trend_phrase(n, overdue.get('previous'), 'actions_overdue')}."
        )
    high = _value(h.get("risks_high_without_action"))
    if high:
        sentences.append(
            f"{format_number(high)} {_plural(high, 'hög risk saknar', 'höga risker saknar')} "
            "planerad åtgärd."
        )
    elif high == 0:
        sentences.append("Alla höga risker har en planerad åtgärd.")
    gdpr = h.get("gdpr_coverage", {})
    if gdpr.get("denominator"):
        sentences.append(
            f"Av {format_number(gdpr['denominator'])} tillgångar med personuppgifter finns "
            f"{format_number(gdpr['numerator'])} ({format_percent(gdpr['value'])}) i "
            "registerförteckningen."
        )
    follow = h.get("follow_up_rate", {})
    if follow.get("denominator"):
        sentences.append(
            f"{format_number(follow['numerator'])} av {format_number(follow['denominator'])} "
            f"enheter ({format_percent(follow['value'])}) har lämnat sin uppföljning för det "
            "senaste kvartalet."
        )
    sentences.extend(_laggard_sentence(data))
    sentences.append(_organisation_sentence(data))
    stale = [s for s in data.get("lineage", []) if s["stale"]]
    if stale:
        sentences.append(
            f"{len(stale)} {_plural(len(stale), 'källa', 'källor')} har inte lästs in på mer än "
            "90 dagar; siffrorna för dem kan vara inaktuella."
        )
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


def _laggard_sentence(data: dict) -> list[str]:
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
    lowest = _join(sorted((n for v, n in rated if v == low), key=swedish_key))
    highest = _join(sorted((n for v, n in rated if v == high), key=swedish_key))
    return [
        f"Lägst andel aktuellt klassade tillgångar har {lowest} ({format_percent(low)}), "
        f"högst har {highest} ({format_percent(high)})."
    ]


def _organisation_sentence(data: dict) -> str:
    failed = _value(data["headline"].get("org_checks_failed"))
    by_code = {a["code"]: a for a in data.get("administrations", [])}
    missing_officer = [
        administration_label(by_code[row["code"]], data) if row["code"] in by_code else row["name"]
        for row in data.get("organisation", [])
        if row["scope_type"] == "administration"
        and _value(row["metrics"].get("org_security_officer")) == 0
    ]
    if not failed:
        return "Organisationen är på plats: alla kontrollerade roller är tillsatta."
    text = f"Organisationskontrollen visar {format_number(failed)} {_plural(failed, 'brist', 'brister')}"
    if missing_officer:
        text += "; informationssäkerhetshandläggare saknas i " + _join(missing_officer)
    return text + "."


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " och " + names[-1]


# --------------------------------------------------------------------------- tables


def _cell(entry: dict | None, metric: str) -> str:
    """ "56 % (−11)": the value and, when known, its change since the previous quarter."""
    if not entry:
        return "–"
    text = fmt(entry.get("value"), metric)
    now, before = entry.get("value"), entry.get("previous")
    if now is not None and before is not None:
        kind = _kind(metric)
        if kind == "rate":
            delta = _points(now) - _points(before)
            change = f"{'+' if delta > 0 else ('±' if delta == 0 else '−')}{abs(delta)}"
        else:
            change = format_change(now - before, kind)
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


def shared_entry(municipality: dict, administrations: list[dict]) -> dict:
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
    return {"code": "", "name": SHARED_ROW, "metrics": metrics}


def kpi_rows(data: dict) -> list[tuple[str, dict]]:
    """The table's rows in order, each (kind, entry): every municipality ("municipality") with
    its administrations ("administration") and its shared objects' part ("shared") under it, so
    that the rows under a municipality add up to it; administrations whose municipality is not
    in the report follow on their own."""
    municipalities = municipalities_in_order(data)
    administrations = administrations_in_order(data)
    rows: list[tuple[str, dict]] = []
    placed: set[int] = set()
    for municipality in municipalities:
        own = [a for a in administrations if _belongs_to(a, municipality)]
        placed.update(id(a) for a in own)
        rows.append(("municipality", municipality))
        rows.extend(("administration", a) for a in own)
        rows.append(("shared", shared_entry(municipality, own)))
    rows.extend(("administration", a) for a in administrations if id(a) not in placed)
    return rows


def _shared_cell(entry: dict, metric: str) -> str:
    if metric not in SUMMED_METRICS:
        return "–"
    return _cell(entry["metrics"].get(metric), metric)


def kpi_table(data: dict) -> Table:
    headers = ["Förvaltning", *[label for _, label in TABLE_COLUMNS]]
    rows = []
    for kind, entry in kpi_rows(data):
        if kind == "municipality":
            name = f"{entry['name']} (hela kommunen)"
        elif kind == "shared":
            name = SHARED_ROW
        else:
            name = administration_label(entry, data)
        cell = _shared_cell if kind == "shared" else (lambda e, m: _cell(e["metrics"].get(m), m))
        rows.append([name, *[cell(entry, m) for m, _ in TABLE_COLUMNS]])
    note = (
        "Inom parentes: förändring sedan förra kvartalet "
        f"({format_long_date(dt.date.fromisoformat(data['previous_as_of']))}); "
        "för andelar i procentenheter."
    )
    if data.get("municipalities"):
        note += (
            " Under varje kommun står dess förvaltningar och raden Gemensamma "
            "förvaltningsobjekt: de gemensamma förvaltningsobjektens åtgärder och risker som "
            "räknas för kommunen men inte för någon av dess förvaltningar. Tillsammans ger "
            "raderna kommunens tillgångar, försenade åtgärder och höga risker utan åtgärd."
        )
    return Table(headers, rows, note)


def _yes_no(entry: dict | None) -> str:
    value = _value(entry)
    if value is None:
        return "–"
    return "Ja" if value >= 1 else "Nej"


def _share(entry: dict | None) -> str:
    if not entry or entry.get("denominator") in (None, 0):
        return _yes_no(entry)
    return f"{format_number(entry['numerator'])} av {format_number(entry['denominator'])}"


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


def organisation_table(data: dict) -> Table:
    headers = [
        "Kommun / förvaltning",
        "CISO",
        "Säkerhetshandläggare",
        "Dataskyddsombud",
        "Säkerhetsskyddschef",
        "Enheter med chef",
        "Brister",
    ]
    rows = []
    for row in organisation_in_order(data):
        m = row["metrics"]
        name = row["name"] if row["scope_type"] == "municipality" else f"  {row['name']}"
        rows.append(
            [
                name,
                _yes_no(m.get("org_ciso")),
                _share(m.get("org_security_officer")),
                _yes_no(m.get("org_dpo")),
                _yes_no(m.get("org_protection_officer")),
                _share(m.get("org_unit_managers")),
                fmt(_value(m.get("org_checks_failed")), "org_checks_failed"),
            ]
        )
    return Table(headers, rows)


def _participants(obj: dict) -> str:
    names = ", ".join(sorted(obj.get("participants", []), key=swedish_key))
    others = obj.get("other_participants", 0)
    if others:
        more = f"{others} {_plural(others, 'kommun', 'kommuner')} till"
        return f"{names} och {more}" if names else more
    return names or "–"


def objects_table(data: dict) -> Table:
    headers = ["Förvaltningsobjekt", "Leverantör", "Deltagare"]
    headers += [label for _, label in OBJECT_COLUMNS]
    if not data.get("objects_visible", True):
        return Table(
            headers,
            [],
            "De gemensamma förvaltningsobjekten visas inte var för sig för din roll; det som "
            "räknas för en kommun ingår i tabellen ovan, på raden Gemensamma förvaltningsobjekt.",
        )
    rows = [
        [
            obj["name"],
            obj.get("provider") or "–",
            _participants(obj),
            *[_cell(obj["metrics"].get(m), m) for m, _ in OBJECT_COLUMNS],
        ]
        for obj in sorted(data.get("objects", []), key=lambda o: swedish_key(o["name"]))
    ]
    note = "" if rows else "Inga gemensamma förvaltningsobjekt berör rapportens omfång."
    return Table(headers, rows, note)


def lineage_table(data: dict) -> Table:
    headers = ["Källa", "Typ", "Fil", "Inläst", "Ålder", "Status"]
    rows = []
    for src in data.get("lineage", []):
        rows.append(
            [
                src["name"],
                SOURCE_KINDS.get(src["kind"], src["kind"]),
                src["file_name"],
                src["loaded_at"][:10],
                f"{format_number(src['age_days'])} dagar",
                "Inaktuell (över 90 dagar)" if src["stale"] else "Aktuell",
            ]
        )
    note = (
        "Varje källa visas med sin senast godkända inläsning. En källa vars inläsning är äldre "
        "än 90 dagar vid rapportdatum markeras som inaktuell."
    )
    if not rows:
        note = "Inga inläsningar finns registrerade för rapportens omfång."
    return Table(headers, rows, note)


def maturity_rows(data: dict) -> list[tuple[str, float | None, float | None]]:
    return [
        (
            administration_label(a, data),
            _value(a["metrics"].get("maturity_self")),
            _value(a["metrics"].get("maturity_evidence")),
        )
        for a in administrations_in_order(data)
    ]


def compare_rows(a: dict, b: dict) -> list[list[str]]:
    """Metric, period A, period B, change (B − A) from two reports' headline numbers."""
    rows = []
    for metric in COMPARE_METRICS:
        va = _value(a["headline"].get(metric))
        vb = _value(b["headline"].get(metric))
        rows.append(
            [
                METRICS[metric].label_sv,
                fmt(va, metric),
                fmt(vb, metric),
                fmt_change(vb, va, metric) or "–",
            ]
        )
    return rows


# --------------------------------------------------------------------------- the whole report


def report_title(data: dict) -> tuple[str, str]:
    as_of = dt.date.fromisoformat(data["as_of"])
    # Reports frozen before the scope text was gathered name their scope by its type.
    scope = data.get("scope_text") or scope_phrase(data["scope"])
    if scope.startswith("Alla "):
        scope = "a" + scope[1:]  # mid-sentence: "för alla kommuner tillsammans"
    title = f"Informationssäkerhet – lägesrapport för {scope}"
    subtitle = f"Period {data['period']}, läget per {format_long_date(as_of)}"
    return title, subtitle


def build_content(data: dict) -> ReportContent:
    title, subtitle = report_title(data)
    return ReportContent(
        title=title,
        subtitle=subtitle,
        summary=summary_sentences(data),
        kpi_table=kpi_table(data),
        funnel=[(s["label"], s["count"]) for s in data.get("funnel", [])],
        overdue_trend=[(p["date"], p["value"]) for p in data.get("overdue_trend", [])],
        maturity=maturity_rows(data),
        organisation=organisation_table(data),
        objects=objects_table(data),
        lineage=lineage_table(data),
        footnotes=[
            "Rapporten innehåller bara sammanställda uppgifter (förvaltning och högre nivå): inga "
            "enskilda informationstillgångar, risker eller personer.",
            "Försenade åtgärder över tid är räknade ur dagens uppgifter per månadsskifte.",
            f"Framtagen {format_datetime(data['generated_at'])} (svensk tid).",
        ],
    )


__all__ = [
    "ReportContent",
    "Table",
    "build_content",
    "compare_rows",
    "administrations_in_order",
    "fmt",
    "kpi_rows",
    "municipalities_in_order",
    "organisation_in_order",
    "summary_sentences",
]
