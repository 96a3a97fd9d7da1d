"""Collect the committee report's numbers from the store: one JSON-able dict (``ReportData``).

Everything the report shows is in this dict, so that a frozen report (etl.models_report) can be
rendered again from its stored numbers alone. All numbers come from the query layer that also
feeds ``infosak kpi`` and the dashboard (compute_kpis, funnel, headline_kpis, org_check), always
with the viewer, so a report never holds more than its reader may see. Only aggregates go in:
municipality, administration and governance-object level — no asset names, risk texts or people.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import itertools
import logging
import math
import re

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from dashboard.queries.loads import load_scope_condition
from dashboard.queries.org import lists_municipalities_only, municipality_of_administrations
from dashboard.queries.overview import (
    FUNNEL_METRICS,
    NO_ROWS,
    combine_rows,
    focus_scope,
    funnel_from_rows,
    funnel_stages,
    previous_quarter,
    rows_by_metric,
)
from dashboard.queries.viewer import (
    SYSTEM,
    Viewer,
    administration_scope_condition,
    municipality_scope_condition,
)
from dashboard.report.order import swedish_key
from dashboard.report.words import words
from dashboard.scope_text import scope_text
from etl.kpi import mart, page_aggregates
from etl.kpi.compute import compute_kpis
from etl.kpi.dates import add_months, overdue_trend_days
from etl.kpi.definitions import METRICS
from etl.kpi.facts import overdue_by_day
from etl.kpi.rules import action_is_overdue, action_overdue_sql
from etl.kpi.scope import build_scope
from etl.models import (
    Action,
    Administration,
    GovernanceObject,
    GovernanceParticipant,
    Load,
    Municipality,
    Provider,
    Source,
)

log = logging.getLogger(__name__)

REPORT_VERSION = 1
STALE_AFTER_DAYS = 90

HEADLINE_METRICS = (
    "assets",
    "classified_current",
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
TABLE_METRICS = (
    "assets",
    "classification_coverage",
    "risk_analysis_coverage",
    "actions_overdue",
    "risks_high_without_action",
    "gdpr_coverage",
    "follow_up_rate",
    "maturity_self",
)
OBJECT_METRICS = (
    "assets",
    "classification_coverage",
    "risk_analysis_coverage",
    "actions_overdue",
    "risks_high_without_action",
    "maturity_self",
)
MATURITY_METRICS = ("maturity_self", "maturity_evidence")
ORG_METRICS = (
    "org_ciso",
    "org_security_officer",
    "org_dpo",
    "org_protection_officer",
    "org_unit_managers",
    "org_checks_failed",
)

_PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


class ReportError(ValueError):
    """A request the report cannot serve; the message is meant for the user, in the language
    asked for (Swedish by default)."""


def period_end(period: str, lang: str = "sv") -> dt.date:
    """ "2026-Q3" → 2026-09-30 (the last day of that quarter)."""
    match = _PERIOD.match((period or "").strip())
    if not match:
        raise ReportError(words(lang)["error_period"].format(period=repr(period)))
    year, quarter = int(match.group(1)), int(match.group(2))
    month = 3 * quarter
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_of(as_of: dt.date) -> str:
    """The quarter that contains ``as_of``, e.g. 2026-11-28 → "2026-Q4"."""
    return f"{as_of.year}-Q{(as_of.month - 1) // 3 + 1}"


def recent_periods(as_of: dt.date, count: int = 8) -> list[str]:
    """The ``count`` last quarters that ended on or before ``as_of``, newest first."""
    periods = []
    day = as_of
    while len(periods) < count:
        period = period_of(day)
        if period_end(period) <= as_of and period not in periods:
            periods.append(period)
        day = add_months(dt.date(day.year, day.month, 1), -1)
    return periods


def _clean(value) -> float | int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return round(float(value), 6) if isinstance(value, float) else value


def resolve_scope(session: Session, viewer: Viewer, code: str | None, lang: str = "sv") -> dict:
    """{"type", "code", "name", "municipality"} for a municipality or administration code.

    None means every municipality the viewer may see. A code the viewer may not see is treated as
    unknown, so the error does not reveal that it exists.
    """
    if not code:
        return {"type": "all", "code": "", "name": "Alla kommuner", "municipality": None}
    code = code.strip()
    mun = session.execute(
        select(Municipality.code, Municipality.name).where(Municipality.code == code)
    ).first()
    if mun is not None and _visible(session, viewer, "municipality", code):
        return {"type": "municipality", "code": mun[0], "name": mun[1], "municipality": mun[0]}
    adm = session.execute(
        select(Administration.code, Administration.name, Municipality.code)
        .join(Municipality, Administration.municipality_id == Municipality.id)
        .where(Administration.code == code)
    ).first()
    if adm is not None and _visible(session, viewer, "administration", code):
        return {"type": "administration", "code": adm[0], "name": adm[1], "municipality": adm[2]}
    raise ReportError(words(lang)["error_scope"].format(code=repr(code)))


def _visible(session: Session, viewer: Viewer, scope_type: str, code: str) -> bool:
    table, condition = {
        "municipality": (Municipality, municipality_scope_condition(viewer)),
        "administration": (Administration, administration_scope_condition(viewer)),
    }[scope_type]
    if scope_type not in viewer.visible_scope_types:
        return False
    query = select(table.id).where(table.code == code)
    if condition is not None:
        query = query.where(condition)
    return session.execute(query.limit(1)).first() is not None


def _filters(scope: dict) -> dict:
    if scope["type"] == "administration":
        return {"municipality": scope["municipality"], "administration": scope["code"]}
    if scope["type"] == "municipality":
        return {"municipality": scope["code"], "administration": None}
    return {"municipality": None, "administration": None}


def _kpi_frame(
    session,
    day: dt.date,
    viewer: Viewer,
    filters: dict,
    scope: dict | None = None,
    *,
    previous: bool = False,
    administrations: bool = True,
    also: dict[str, tuple[str, ...]] | None = None,
) -> pd.DataFrame:
    """The metrics the report reads of each scope type it shows (``previous``: as of the
    quarter before, for the changes): one compute_kpis call per scope type, each with only its
    own metrics. Nationally every metric of every administration was 1 356 x 25 numbers per
    date, most never read. Without ``administrations`` (the country's report) none of theirs.
    ``also``: more metrics of a scope type read anyway (the funnel's, in the same call)."""
    frames = []
    wanted = _metrics_by_type(scope or {"type": "all"}, previous, administrations)
    for scope_type, metrics in (also or {}).items():
        if scope_type in wanted:
            wanted[scope_type] |= set(metrics)
    for scope_type, metrics in wanted.items():
        frames.append(
            compute_kpis(
                session, day, viewer, scope_types=[scope_type], metrics=sorted(metrics), **filters
            )
        )
    frames = [f for f in frames if not f.empty]
    if not frames:
        return compute_kpis(session, day, viewer, scope_types=[], **filters)
    return pd.concat(frames, ignore_index=True)


def _metrics_by_type(
    scope: dict, previous: bool, administrations: bool = True
) -> dict[str, set[str]]:
    """What the report reads of each scope type: the headline of its focus scope type, the
    tables of municipalities, administrations and objects, and (as of the report date only)
    the organisation check. Without ``administrations`` the municipalities carry the maturity
    the administrations would have shown."""
    focus_type = "administration" if scope["type"] == "administration" else "municipality"
    wanted = {
        "municipality": set(TABLE_METRICS),
        "administration": {*TABLE_METRICS, "maturity_evidence"},
        "governance_object": set(OBJECT_METRICS),
    }
    wanted[focus_type] |= set(HEADLINE_METRICS)
    if not previous:
        wanted["municipality"] |= set(ORG_METRICS)
        wanted["administration"] |= set(ORG_METRICS)
    if not administrations:
        wanted["municipality"] |= set(MATURITY_METRICS)
        del wanted["administration"]
    return wanted


def _focus_rows(frame: pd.DataFrame, scope: dict) -> pd.DataFrame:
    """The rows the headline describes: the scope itself, or every visible municipality."""
    if frame.empty:
        return frame
    if scope["type"] == "all":
        return frame[frame["scope_type"] == "municipality"]
    return frame[(frame["scope_type"] == scope["type"]) & (frame["scope_id"] == scope["code"])]


def _headline(now: pd.DataFrame, before: pd.DataFrame, scope: dict) -> dict:
    """Value, numerator, denominator, previous and change per headline metric (the overview's
    rule for several municipalities: counts summed, rates Σ numerator / Σ denominator)."""
    now, before = _focus_rows(now, scope), _focus_rows(before, scope)
    now_rows, before_rows = rows_by_metric(now), rows_by_metric(before)
    result = {}
    for metric in HEADLINE_METRICS:
        kind = METRICS[metric].kind
        value, numerator, denominator = combine_rows(now_rows.get(metric, NO_ROWS), kind)
        previous = combine_rows(before_rows.get(metric, NO_ROWS), kind)[0]
        change = None if value is None or previous is None else value - previous
        result[metric] = {
            "value": _clean(value),
            "numerator": _clean(numerator),
            "denominator": _clean(denominator),
            "previous": _clean(previous),
            "change": _clean(change),
        }
    return result


def _per_scope(
    now: pd.DataFrame, before: pd.DataFrame, scope_type: str, metrics: tuple[str, ...]
) -> list[dict]:
    """One entry per visible scope of ``scope_type``: value, numerator, denominator, previous."""
    if now.empty:
        return []
    now = now[(now["scope_type"] == scope_type) & now["metric"].isin(metrics)]
    # The earlier rows of this scope type and these metrics only, read column-wise (nationally
    # the frame holds every unit's rows too: row tuples over all of it cost seconds).
    earlier = {}
    if not before.empty:
        kept = before[(before["scope_type"] == scope_type) & before["metric"].isin(metrics)]
        earlier = {
            (scope_id, metric): _clean(value)
            for scope_id, metric, value in zip(
                *_columns(kept, "scope_id", "metric", "value"), strict=True
            )
        }
    rows: dict[str, dict] = {}
    for scope_id, scope_name, metric, value, numerator, denominator in zip(
        *_columns(now, "scope_id", "scope_name", "metric", "value", "numerator", "denominator"),
        strict=True,
    ):
        entry = rows.setdefault(scope_id, {"code": scope_id, "name": scope_name, "metrics": {}})
        entry["metrics"][metric] = {
            "value": _clean(value),
            "numerator": _clean(numerator),
            "denominator": _clean(denominator),
            "previous": earlier.get((scope_id, metric)),
        }
    return sorted(rows.values(), key=lambda e: (e["name"], e["code"]))


def _columns(frame: pd.DataFrame, *names: str) -> list[list]:
    """The columns ``names`` of ``frame`` as lists: the same values as iterating each column,
    without pandas' per-element access (a country's rows were tens of thousands of calls)."""
    return [frame[name].tolist() for name in names]


def _name_municipalities(session: Session, administrations: list[dict]) -> None:
    """Each administration gets its municipality's name (names such as Socialförvaltningen recur
    in every municipality) and code (the report groups administrations under it)."""
    codes = [a["code"] for a in administrations]
    names = {
        code: (name, municipality_code)
        for code, name, municipality_code in session.execute(
            select(Administration.code, Municipality.name, Municipality.code)
            .join(Municipality, Administration.municipality_id == Municipality.id)
            .where(Administration.code.in_(codes))
        ).all()
    }
    for entry in administrations:
        name, municipality_code = names.get(entry["code"], ("", ""))
        entry["municipality_name"] = name
        entry["municipality_code"] = municipality_code


def _funnel(session, as_of, viewer, filters, now: pd.DataFrame | None = None) -> list[dict]:
    """The overview's funnel (funnel_stages): summed from the KPI rows (the mart's), not from
    every asset. With ``now`` (the report's rows as of ``as_of``, read with the funnel's
    metrics for the funnel's scope type) from those rows, as funnel_stages sums them, rather
    than a further compute_kpis call."""
    if now is None:
        frame = funnel_stages(session, as_of, viewer, **filters)
    else:
        frame = funnel_from_rows(now, viewer, **filters)
    return [
        {"stage": r.stage, "label": r.label_sv, "count": int(r.count)}
        for r in frame.itertuples(index=False)
    ]


def _overdue_trend(
    session, as_of, viewer, filters, scope: dict, overdue_now: int | None = None
) -> list[dict]:
    """Overdue actions at each of the last month-ends and at the report date, recomputed from the
    current data in one aggregated statement with compute_kpis's rules and roll-up weights
    (overdue_by_day). The store keeps no older rows: this shows when today's actions fell due.
    ``overdue_now``: the headline's count at the report date (compute_kpis's, the same sum), which
    the country's trend counts back from."""
    days = overdue_trend_days(as_of)
    scope_type = "administration" if scope["type"] == "administration" else "municipality"
    kpi_scope = build_scope(viewer, [scope_type], **filters)
    if scope_type not in kpi_scope.types:
        return [{"date": day.isoformat(), "value": 0} for day in days]
    code = scope["code"] if scope["type"] != "all" else None
    values = None
    if scope_type == "municipality":
        values = _kept_overdue_trend(session, as_of, viewer, kpi_scope, code)
    everywhere = code is None and scope_type == "municipality" and _unrestricted(kpi_scope)
    if values is None and everywhere:
        values = _overdue_everywhere(session, days, overdue_now)
    if values is None:
        values = overdue_by_day(session, days, kpi_scope, scope_type, code)
    return [
        {"date": day.isoformat(), "value": value} for day, value in zip(days, values, strict=True)
    ]


def _kept_overdue_trend(db, as_of, viewer, kpi_scope, code: str | None) -> list[int] | None:
    """The municipalities' trend summed from the counts the mart keeps per municipality
    (etl.kpi.page_aggregates.overdue_trend): the municipalities overdue_by_day would count, each
    with its own and its shared objects' actions. None when they must be counted: a viewer the
    mart does not stand for, a date it does not hold, or rows built before the trend was kept."""
    if not mart.stands_for(viewer) or not mart.holds_pages(db, as_of):
        return None
    if code is None and _unrestricted(kpi_scope):
        municipalities = None
    else:
        municipalities = select(Municipality.code)
        if kpi_scope.municipality is not None:
            municipalities = municipalities.where(kpi_scope.municipality)
        if code is not None:
            municipalities = municipalities.where(Municipality.code == code)
    return page_aggregates.overdue_trend(db, as_of, municipalities)


def _unrestricted(kpi_scope) -> bool:
    """Whether ``kpi_scope`` reads every unit and municipality (a viewer who sees everything,
    no municipality or administration chosen)."""
    return kpi_scope.unit is None and kpi_scope.municipality is None


def _overdue_everywhere(session, days: list[dt.date], overdue_now: int | None = None) -> list[int]:
    """overdue_by_day for every municipality together, from the (status, due date) index.

    The same sums: an action with an owner unit counts once (every unit has an administration
    and every administration a municipality: required keys), a shared action (no owner unit)
    once per distinct participating municipality. overdue_by_day joins each owned action to its
    municipality to learn whether it is in scope; nationally that was a million table rows read
    (1,4 s on SQLite) to learn that all are. Here the overdue actions are counted from the index
    alone, and the few without an owner unit are taken out again and added per municipality
    (found by the owner index: NOT IN, so that the status index is not chosen for them).

    An action overdue on an earlier day is overdue on the latest (the status part of the rule)
    and due before that day. So with ``overdue_now``, the count on the latest day, only the
    actions due since the first day are read (a fourth of them nationally): each day's count is
    ``overdue_now`` less those due on or after it."""
    latest, first = max(days), min(days)
    groups: dict[tuple[str, dt.date], int] = {}

    def add(statement, sign: int) -> None:
        for status, due_on, n in session.execute(statement).all():
            groups[(status, due_on)] = groups.get((status, due_on), 0) + sign * n

    def by_status_and_due(statement):
        if overdue_now is not None:
            statement = statement.where(Action.due_on >= first)
        return statement.group_by(Action.status, Action.due_on)

    counted = select(Action.status, Action.due_on, func.count())
    add(by_status_and_due(counted.where(action_overdue_sql(latest, seek=True))), 1)
    unowned = and_(Action.owner_unit_id.is_(None), action_overdue_sql(latest))
    add(by_status_and_due(counted.where(unowned)), -1)
    pairs = (
        select(
            GovernanceParticipant.governance_object_id.label("object_id"),
            GovernanceParticipant.municipality_id,
        )
        .distinct()
        .subquery("pairs")
    )
    shared = counted.join(pairs, pairs.c.object_id == Action.governance_object_id)
    add(by_status_and_due(shared.where(unowned)), 1)
    # A running sum over the due dates, not the rule per group and day.
    due = sorted(
        (d, n) for (status, d), n in groups.items() if action_is_overdue(status, d, latest)
    )
    dates = [d for d, _ in due]
    running = [0, *itertools.accumulate(n for _, n in due)]
    total = running[-1] if overdue_now is None else overdue_now
    # Due strictly before ``day``: overdue on it; the rest (due on or after it) are taken off.
    return [total - (running[-1] - running[bisect.bisect_left(dates, day)]) for day in days]


def _organisation(session, now: pd.DataFrame) -> list[dict]:
    """The organisation check per municipality, each followed by its administrations by name."""
    if now.empty:
        return []
    frame = now[now["metric"].isin(ORG_METRICS) & (now["scope_type"] != "governance_object")]
    admin_codes = sorted(frame.loc[frame["scope_type"] == "administration", "scope_id"].unique())
    parents = municipality_of_administrations(session, admin_codes)
    rows: dict[tuple[str, str], dict] = {}
    names = ("scope_type", "scope_id", "scope_name", "metric", "value", "numerator", "denominator")
    for scope_type, scope_id, scope_name, metric, value, numerator, denominator in zip(
        *_columns(frame, *names), strict=True
    ):
        entry = rows.setdefault(
            (scope_type, scope_id),
            {
                "scope_type": scope_type,
                "code": scope_id,
                "name": scope_name,
                "municipality": scope_id
                if scope_type == "municipality"
                else parents.get(scope_id, ""),
                "metrics": {},
            },
        )
        entry["metrics"][metric] = {
            "value": _clean(value),
            "numerator": _clean(numerator),
            "denominator": _clean(denominator),
        }
    return sorted(
        rows.values(),
        key=lambda e: (e["municipality"], e["scope_type"] != "municipality", e["name"]),
    )


def _objects(session, viewer: Viewer, now: pd.DataFrame, before: pd.DataFrame) -> list[dict]:
    """The visible shared objects with provider and participants. Participants outside the
    viewer's municipalities are counted, not named (the report stays within its reader's scope)."""
    objects = _per_scope(now, before, "governance_object", OBJECT_METRICS)
    if not objects:
        return objects
    codes = [o["code"] for o in objects]
    providers = dict(
        session.execute(
            select(GovernanceObject.code, Provider.name)
            .outerjoin(Provider, GovernanceObject.provider_id == Provider.id)
            .where(GovernanceObject.code.in_(codes))
        ).all()
    )
    participants = pd.DataFrame(
        session.execute(
            select(GovernanceObject.code, Municipality.name, Municipality.code)
            .join(
                GovernanceParticipant,
                GovernanceParticipant.governance_object_id == GovernanceObject.id,
            )
            .join(Municipality, GovernanceParticipant.municipality_id == Municipality.id)
            .where(GovernanceObject.code.in_(codes))
        ).all(),
        columns=["code", "municipality", "municipality_code"],
    )
    condition = municipality_scope_condition(viewer)
    visible = set(
        session.scalars(
            select(Municipality.code).where(condition)
            if condition is not None
            else select(Municipality.code)
        ).all()
    )
    # Each object's participating municipalities (first name per code), gathered in one pass
    # rather than a frame filter per object.
    by_object: dict[str, dict[str, str]] = {}
    for code, name, municipality_code in zip(
        participants["code"],
        participants["municipality"],
        participants["municipality_code"],
        strict=True,
    ):
        by_object.setdefault(code, {}).setdefault(municipality_code, name)
    for obj in objects:
        obj["provider"] = providers.get(obj["code"]) or ""
        mine = by_object.get(obj["code"], {})
        shown = [name for code, name in mine.items() if code in visible]
        obj["participants"] = sorted(shown)
        obj["other_participants"] = len(mine) - len(shown)
    return objects


def _source_in_scope(scope: dict, adm_code: str | None, mun_code: str | None) -> bool:
    """An administration's workbook belongs to an administration or municipality report only
    when it is that administration's, or one of that municipality's."""
    if scope["type"] == "administration":
        return adm_code == scope["code"]
    if scope["type"] == "municipality":
        return mun_code == scope["code"]
    return True


def _lineage(session, as_of, viewer, scope: dict, *, by_municipality: bool = False) -> list[dict]:
    """The current load of every visible source: file, when, how old at the report date. With
    ``by_municipality`` (the country's report) the administrations' workbooks are summed per
    municipality: their files are listed in each municipality's own report."""
    query = (
        select(
            Source.key,
            Source.kind,
            Administration.name,
            Administration.code,
            Municipality.code,
            GovernanceObject.name,
            GovernanceObject.code,
            Load.id,
            Load.file_name,
            Load.sha256,
            Load.started_at,
            Load.finished_at,
            Load.rows_total,
            Municipality.name,
        )
        .join(Load, Source.current_load_id == Load.id)
        .outerjoin(Administration, Source.administration_id == Administration.id)
        .outerjoin(Municipality, Administration.municipality_id == Municipality.id)
        .outerjoin(GovernanceObject, Source.governance_object_id == GovernanceObject.id)
        .order_by(Source.kind, Source.key)
    )
    condition = load_scope_condition(viewer)
    if condition is not None:
        query = query.where(condition)
    sources = []
    for row in session.execute(query).all():
        key, kind, adm_name, adm_code, mun_code, obj_name, obj_code = row[:7]
        load_id, file_name, sha256, started, finished, rows_total, mun_name = row[7:]
        if kind == "administration" and not _source_in_scope(scope, adm_code, mun_code):
            continue
        loaded_at = finished or started
        age = (as_of - loaded_at.date()).days
        sources.append(
            {
                "source": key,
                "kind": kind,
                "name": adm_name or obj_name or "Organisation",
                "load_id": load_id,
                "file_name": file_name,
                "sha256": sha256,
                "loaded_at": loaded_at.isoformat(timespec="minutes"),
                "age_days": max(age, 0),
                "stale": age > STALE_AFTER_DAYS,
                "rows": rows_total,
            }
        )
        sources[-1]["municipality"] = (mun_code, mun_name)
    if by_municipality:
        sources = _workbooks_by_municipality(sources)
    for source in sources:
        source.pop("municipality", None)
    return sources


def _workbooks_by_municipality(sources: list[dict]) -> list[dict]:
    """The administrations' workbooks as one entry per municipality (``files`` of them; loaded
    as of the oldest; ``stale_files`` older than STALE_AFTER_DAYS), after the other sources."""
    # A workbook whose administration is unknown stays a row of its own.
    summed_kind = [s for s in sources if s["kind"] == "administration" and s["municipality"][0]]
    summed_ids = {id(s) for s in summed_kind}  # not a scan of them per source: 1 580 x 1 356
    others = [s for s in sources if id(s) not in summed_ids]
    groups: dict[tuple[str, str], list[dict]] = {}
    for source in summed_kind:
        groups.setdefault(source["municipality"], []).append(source)
    summed = []
    # Municipalities alphabetically (Swedish collation), as every table of the report.
    for (code, name), files in sorted(groups.items(), key=lambda g: swedish_key(g[0][1] or "")):
        oldest = min(files, key=lambda f: f["loaded_at"])
        stale = sum(1 for f in files if f["stale"])
        summed.append(
            {
                "source": code,
                "kind": "administrations",
                "name": name,
                "files": len(files),
                "load_id": None,
                "file_name": "",
                "sha256": "",
                "loaded_at": oldest["loaded_at"],
                "age_days": oldest["age_days"],
                "stale": stale > 0,
                "stale_files": stale,
                "rows": sum(f["rows"] or 0 for f in files),
            }
        )
    return others + summed


def gather_report(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    scope: str | None = None,
    period: str | None = None,
    generated_at: dt.datetime | None = None,
    lang: str = "sv",
) -> dict:
    """Every number of the committee report as of ``as_of`` for ``scope`` (see module doc).

    For every municipality of a viewer who sees more than the pages list with their
    administrations (the country's report) the report holds municipalities only: their
    administrations are in each municipality's own report. ``lang`` is the language of a
    ReportError's message."""
    target = resolve_scope(session, viewer, scope, lang)
    filters = _filters(target)
    previous = previous_quarter(as_of)
    generated = generated_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    listed = target["type"] != "all" or not lists_municipalities_only(session, viewer)
    # The funnel's rows come with the report's own as of ``as_of`` when its scope type is read.
    funnel_type = focus_scope(filters["municipality"], filters["administration"], viewer)[0]
    funnel_in_now = funnel_type in _metrics_by_type(target, False, listed)
    also = {funnel_type: FUNNEL_METRICS} if funnel_in_now else None
    now = _kpi_frame(session, as_of, viewer, filters, target, administrations=listed, also=also)
    before = _kpi_frame(
        session, previous, viewer, filters, target, previous=True, administrations=listed
    )
    headline = _headline(now, before, target)
    municipality_metrics = TABLE_METRICS if listed else TABLE_METRICS + ("maturity_evidence",)
    data = {
        "version": REPORT_VERSION,
        "as_of": as_of.isoformat(),
        "previous_as_of": previous.isoformat(),
        "period": period or period_of(as_of),
        "scope": target,
        # Whose numbers these are, as every page says it (the committee's "all" is its own).
        "scope_text": scope_text(
            session, viewer, filters["municipality"], filters["administration"]
        ),
        "generated_at": generated.isoformat(timespec="seconds"),
        "viewer_role": viewer.role,
        "headline": headline,
        "municipalities": _per_scope(now, before, "municipality", municipality_metrics),
        "administrations": _per_scope(
            now, before, "administration", TABLE_METRICS + ("maturity_evidence",)
        ),
        "funnel": _funnel(session, as_of, viewer, filters, now if funnel_in_now else None),
        "overdue_trend": _overdue_trend(
            session, as_of, viewer, filters, target, headline["actions_overdue"]["value"]
        ),
        "organisation": _organisation(session, now),
        "objects": _objects(session, viewer, now, before),
        "objects_visible": "governance_object" in viewer.visible_scope_types,
        "lineage": _lineage(session, as_of, viewer, target, by_municipality=not listed),
        "metric_kinds": {m: METRICS[m].kind for m in METRICS},
    }
    if not listed:
        data["administrations_listed"] = False
    _name_municipalities(session, data["administrations"])
    log.info("report gathered as of %s for %s (%s)", as_of, target["code"] or "all", viewer.role)
    return data


__all__ = [
    "HEADLINE_METRICS",
    "ReportError",
    "STALE_AFTER_DAYS",
    "gather_report",
    "period_end",
    "period_of",
    "recent_periods",
    "resolve_scope",
]
