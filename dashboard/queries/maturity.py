"""Mognad's evidence: what the evidence-based level of each administration and object rests on,
and which criteria keep it from the next level (the model: etl.kpi.rules.EVIDENCE_CRITERIA)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.queries.org import municipality_of_administrations
from dashboard.queries.viewer import Viewer
from dashboard.report.order import swedish_key
from etl.kpi.compute import compute_kpis
from etl.kpi.rules import (
    EVIDENCE_CRITERIA,
    EVIDENCE_CRITERION_METRICS,
    EvidenceCriterion,
    evidence_level,
    evidence_shortfalls,
)

EVIDENCE_METRICS = sorted(
    {"maturity_evidence"}
    | {
        name
        for parts in EVIDENCE_CRITERION_METRICS.values()
        for part in parts
        for name in ((part,) if isinstance(part, str) else part[1:])
    }
)
NAN = float("nan")


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
    """A scope's evidence level (None: no assets), per criterion code its numerator,
    denominator and share (NaN without a denominator), and the criteria it misses for level + 1."""

    scope_type: str
    scope_id: str
    scope_name: str
    level: int | None
    counts: dict[str, tuple[float, float, float]]
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
    """Per visible scope with an evidence level (scope types in catalogue order, then by code),
    read through compute_kpis (the mart where it holds ``as_of`` for the viewer)."""
    kpis = compute_kpis(
        session,
        as_of,
        viewer,
        scope_types=list(scope_types),
        municipality=municipality,
        administration=administration,
        metrics=EVIDENCE_METRICS,
    )
    if kpis.empty:
        return []
    values: dict[tuple[str, str, str], dict] = {}
    for *key, metric, value, numerator, denominator in zip(
        kpis["scope_type"], kpis["scope_id"], kpis["scope_name"], kpis["metric"], kpis["value"],
        kpis["numerator"], kpis["denominator"], strict=True,
    ):  # fmt: skip
        values.setdefault(tuple(key), {})[metric] = tuple(
            NAN if v is None or pd.isna(v) else float(v) for v in (value, numerator, denominator)
        )
    result = []
    for (scope_type, scope_id, name), metrics in values.items():
        if "maturity_evidence" not in metrics:
            continue  # a scope type without an evidence level (etl.kpi.definitions)
        level = metrics["maturity_evidence"][0]
        level = None if np.isnan(level) else int(level)
        counts = {
            code: _criterion_counts(metrics, parts)
            for code, parts in EVIDENCE_CRITERION_METRICS.items()
        }
        shortfalls = ()
        if level is not None:
            shares = {code: share for code, (_, _, share) in counts.items()}
            # the next level's threshold (levels from 1)
            shortfalls = tuple(Shortfall(c, *counts[c.code], c.thresholds[level])
                               for c in evidence_shortfalls(shares, level))  # fmt: skip
        result.append(Holdback(scope_type, scope_id, name, level, counts, shortfalls))
    return result


def _criterion_counts(metrics: dict, parts: tuple) -> tuple[float, float, float]:
    def count(part) -> float:
        if part[0] == "value":
            return metrics.get(part[1], (NAN,))[0]
        return metrics.get(part[1], (NAN,))[0] - metrics.get(part[2], (NAN,))[0]

    if len(parts) == 1:  # a rate: its numerator and denominator
        _, numerator, denominator = metrics.get(parts[0], (NAN, NAN, NAN))
    else:
        numerator, denominator = count(parts[0]), count(parts[1])
    share = numerator / denominator if denominator > 0 else NAN
    return numerator, denominator, share


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
    session, as_of: dt.date, viewer: Viewer, limit: int, kpis: pd.DataFrame
) -> tuple[list[MunicipalityHoldback], int]:
    """The country's view: at most ``limit`` visible municipalities, each with its evidence
    level, the criteria that hold it back and, per criterion, how many of its administrations
    the criterion holds back; and how many municipalities there are.

    Which municipalities: the lowest evidence level first, then the largest gap between the
    self-assessed and the evidence-based level (where self-assessment flatters most), then by
    name, from ``kpis`` (the municipalities' maturity_self and maturity_evidence rows, which the
    page has read). Only those shown get their evidence read: counting the whole country's took
    seconds of CPU for rows nobody sees."""
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
    # The shown municipalities counted in one pass (a call per municipality cost ~0,1 s each).
    holdbacks = evidence_holdbacks(
        session, as_of, viewer, scope_types=("municipality", "administration"), municipality=shown
    )
    municipality_of = municipality_of_administrations(
        session, [h.scope_id for h in holdbacks if h.scope_type == "administration"]
    )
    rows = []
    for code in shown:
        own = next(h for h in holdbacks if h.scope_type == "municipality" and h.scope_id == code)
        rated = [h for h in holdbacks if h.scope_type == "administration"
                 and municipality_of.get(h.scope_id) == code and h.level is not None]  # fmt: skip
        counts = {c.code: 0 for c in EVIDENCE_CRITERIA}
        for shortfall in (s for h in rated for s in h.shortfalls):
            counts[shortfall.criterion.code] += 1
        own_shortfalls = tuple(s.criterion.code for s in own.shortfalls)
        rows.append(
            MunicipalityHoldback(
                code, own.scope_name, own.level, len(rated), counts, own_shortfalls
            )
        )
    return rows, len(ordered)


def area_evidence_levels(
    session,
    as_of: dt.date,
    viewer: Viewer,
    scope_type: str,
    scope_id: str,
    *,
    municipality: str | None = None,
) -> dict[str, int | None]:
    """One scope's evidence level per maturity area that the model has criteria for.

    An administration's are counted for that administration alone (not for every one of the
    viewer's and then picked: for the whole country that was 1 356 administrations' facts)."""
    found = [
        scope
        for scope in evidence_holdbacks(
            session,
            as_of,
            viewer,
            scope_types=(scope_type,),
            municipality=municipality,
            administration=scope_id if scope_type == "administration" else None,
        )
        if scope.scope_id == scope_id
    ]
    if not found:
        return {}
    own = found[0]
    shares = {code: np.array([share]) for code, (_, _, share) in own.counts.items()}
    assets = np.array([0.0 if own.level is None else 1.0])  # no level: no assets
    areas = dict.fromkeys(c.area for c in EVIDENCE_CRITERIA)
    return {
        area: (None if np.isnan(level[0]) else int(level[0]))
        for area in areas
        for level in [evidence_level(shares, assets, area)]
    }
