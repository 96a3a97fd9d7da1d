"""Mognad's evidence: what the evidence-based level of each administration and object rests on,
and which criteria keep it from the next level (the model: etl.kpi.rules.EVIDENCE_CRITERIA)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.queries.org import municipality_of_administrations
from dashboard.queries.viewer import Viewer
from dashboard.report.order import swedish_key
from etl.kpi.compute import compute_kpis, evidence_criteria
from etl.kpi.rules import EVIDENCE_CRITERIA, EvidenceCriterion, evidence_shortfalls

_CRITERIA = {c.code: c for c in EVIDENCE_CRITERIA}


@dataclass(frozen=True)
class Shortfall:
    """One criterion that a scope misses for its next level: its share and counts."""

    criterion: EvidenceCriterion
    numerator: float
    denominator: float
    share: float
    threshold: float


@dataclass(frozen=True)
class Holdback:
    """A scope's evidence level (None: no assets) and what keeps it from the next one."""

    scope_type: str
    scope_id: str
    scope_name: str
    level: int | None
    shortfalls: tuple[Shortfall, ...]


def evidence_holdbacks(
    session,
    as_of: dt.date,
    viewer: Viewer,
    *,
    scope_types: tuple[str, ...] = ("administration", "governance_object"),
    municipality: str | tuple[str, ...] | None = None,
    administration: str | None = None,
) -> list[Holdback]:
    """Per visible scope, its evidence level and the criteria it misses for level + 1."""
    rows = evidence_criteria(
        session,
        as_of,
        viewer,
        scope_types=list(scope_types),
        municipality=municipality,
        administration=administration,
    )
    result = []
    for (scope_type, scope_id), own in rows.groupby(["scope_type", "scope_id"], sort=False):
        by_code = own.set_index("criterion")
        raw_level = by_code["level"].iloc[0]
        level = None if pd.isna(raw_level) else int(raw_level)
        shortfalls = ()
        if level is not None:
            shortfalls = tuple(
                Shortfall(
                    c,
                    float(by_code.at[c.code, "numerator"]),
                    float(by_code.at[c.code, "denominator"]),
                    float(by_code.at[c.code, "share"]),
                    c.thresholds[level],  # the next level's threshold (levels count from 1)
                )
                for c in evidence_shortfalls(by_code["share"].to_dict(), level)
            )
        result.append(Holdback(scope_type, scope_id, own["scope_name"].iloc[0], level, shortfalls))
    return result


@dataclass(frozen=True)
class MunicipalityHoldback:
    """A municipality's own evidence level and, per criterion code, how many of its
    administrations that criterion keeps from their next level."""

    code: str
    name: str
    level: int | None
    administrations: int  # its administrations with an evidence level (with assets)
    held_back: dict[str, int]
    # The criteria that keep the municipality itself from its next level (its own counts
    # include the shared objects it takes part in, which no administration's do).
    own_shortfalls: tuple[str, ...] = ()


def municipality_holdbacks(
    session, as_of: dt.date, viewer: Viewer, limit: int
) -> tuple[list[MunicipalityHoldback], int]:
    """The country's view: at most ``limit`` visible municipalities, each with its evidence
    level, the criteria that hold it back and, per criterion, how many of its administrations
    the criterion holds back; and how many municipalities there are.

    Which municipalities: the lowest evidence level first, then the largest gap between the
    self-assessed and the evidence-based level (where self-assessment flatters most), then by
    name; read from the KPI mart. Only those shown get their evidence counted (one municipality
    at a time): counting the whole country's took seconds of CPU for rows nobody sees.
    """
    kpis = compute_kpis(
        session,
        as_of,
        viewer,
        scope_types=["municipality"],
        metrics=["maturity_self", "maturity_evidence"],
    )
    if kpis.empty:
        return [], 0
    values: dict[str, dict] = {}
    for row in kpis.itertuples(index=False):
        entry = values.setdefault(row.scope_id, {"name": row.scope_name})
        entry[row.metric] = None if pd.isna(row.value) else float(row.value)

    def order(item):
        code, entry = item
        evidence, own = entry.get("maturity_evidence"), entry.get("maturity_self")
        gap = own - evidence if own is not None and evidence is not None else float("-inf")
        return (evidence is None, evidence or 0.0, -gap, swedish_key(entry["name"]), code)

    ordered = [code for code, _ in sorted(values.items(), key=order)]
    shown = tuple(ordered[:limit])
    # The shown municipalities counted in one pass (a call per municipality cost ~0,1 s each,
    # mostly the same organisation read and fact queries over again).
    holdbacks = evidence_holdbacks(
        session, as_of, viewer, scope_types=("municipality", "administration"), municipality=shown
    )
    municipality_of = municipality_of_administrations(
        session, [h.scope_id for h in holdbacks if h.scope_type == "administration"]
    )
    rows = [_municipality_holdback(holdbacks, municipality_of, code) for code in shown]
    return rows, len(ordered)


def _municipality_holdback(
    holdbacks: list[Holdback], municipality_of: dict[str, str], code: str
) -> MunicipalityHoldback:
    own = next(h for h in holdbacks if h.scope_type == "municipality" and h.scope_id == code)
    rated = [
        h
        for h in holdbacks
        if h.scope_type == "administration"
        and municipality_of.get(h.scope_id) == code
        and h.level is not None
    ]
    counts = {c.code: 0 for c in EVIDENCE_CRITERIA}
    for h in rated:
        for shortfall in h.shortfalls:
            counts[shortfall.criterion.code] += 1
    return MunicipalityHoldback(
        code,
        own.scope_name,
        own.level,
        len(rated),
        counts,
        tuple(s.criterion.code for s in own.shortfalls),
    )


def area_evidence_levels(
    session,
    as_of: dt.date,
    viewer: Viewer,
    scope_type: str,
    scope_id: str,
    *,
    municipality: str | None = None,
) -> dict[str, int | None]:
    """One scope's evidence level per maturity area that the model has criteria for."""
    rows = evidence_criteria(
        session, as_of, viewer, scope_types=[scope_type], municipality=municipality
    )
    own = rows[rows["scope_id"] == scope_id].drop_duplicates("area")
    return {
        area: (None if pd.isna(level) else int(level))
        for area, level in zip(own["area"], own["area_level"], strict=True)
    }


__all__ = [
    "Holdback",
    "MunicipalityHoldback",
    "Shortfall",
    "area_evidence_levels",
    "evidence_holdbacks",
    "municipality_holdbacks",
]
