"""Mognad's evidence: what the evidence-based level of each administration and object rests on,
and which criteria keep it from the next level (the model: etl.kpi.rules.EVIDENCE_CRITERIA)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from dashboard.queries.viewer import Viewer
from etl.kpi.compute import evidence_criteria
from etl.kpi.rules import EVIDENCE_CRITERIA, EvidenceCriterion, evidence_shortfalls
from etl.models import Administration, Municipality

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
    municipality: str | None = None,
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

    @property
    def held_back_total(self) -> int:
        """Administrations held back, counted once per criterion (the table's order)."""
        return sum(self.held_back.values())


def municipality_holdbacks(session, as_of: dt.date, viewer: Viewer) -> list[MunicipalityHoldback]:
    """Per visible municipality: its evidence level and, for each criterion of the model, the
    number of its visible administrations that the criterion holds back (one evidence
    computation for both scope types). Ordered as the country view shows them: lowest level
    first (no level last), then most administrations held back, then by code."""
    holdbacks = evidence_holdbacks(
        session, as_of, viewer, scope_types=("municipality", "administration")
    )
    municipality_of = dict(
        session.execute(
            select(Administration.code, Municipality.code).join(
                Municipality, Administration.municipality_id == Municipality.id
            )
        ).all()
    )
    counts: dict[str, dict[str, int]] = {}
    rated: dict[str, int] = {}
    for h in holdbacks:
        if h.scope_type != "administration" or h.level is None:
            continue
        code = municipality_of.get(h.scope_id)
        rated[code] = rated.get(code, 0) + 1
        own = counts.setdefault(code, {})
        for shortfall in h.shortfalls:
            key = shortfall.criterion.code
            own[key] = own.get(key, 0) + 1
    rows = [
        MunicipalityHoldback(
            h.scope_id,
            h.scope_name,
            h.level,
            rated.get(h.scope_id, 0),
            {c.code: counts.get(h.scope_id, {}).get(c.code, 0) for c in EVIDENCE_CRITERIA},
            tuple(s.criterion.code for s in h.shortfalls),
        )
        for h in holdbacks
        if h.scope_type == "municipality"
    ]
    return sorted(
        rows,
        key=lambda r: (r.level is None, r.level or 0, -r.held_back_total, r.code),
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
