"""Mognad's evidence: what the evidence-based level of each administration and object rests on,
and which criteria keep it from the next level (the model: etl.kpi.rules.EVIDENCE_CRITERIA)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.queries.viewer import Viewer
from etl.kpi.compute import evidence_criteria
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


__all__ = ["Holdback", "Shortfall", "area_evidence_levels", "evidence_holdbacks"]
