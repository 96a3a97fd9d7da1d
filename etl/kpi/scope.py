"""What one KPI request may read: the viewer's scope narrowed to one org node, as SQL conditions,
and the (small) organisation tables loaded under those conditions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, false, select, union

from etl.kpi.definitions import SCOPE_TYPES
from etl.kpi.frames import query_frame, where
from etl.kpi.viewer import (
    Viewer,
    administration_ids,
    administration_scope_condition,
    administrations_of,
    combine,
    governance_object_scope_condition,
    municipality_ids,
    municipality_scope_condition,
    objects_with_participant,
    unit_scope_condition,
)
from etl.models import Administration, GovernanceObject, GovernanceParticipant, Municipality, Unit


@dataclass(frozen=True)
class Scope:
    """SQL conditions per org table (None = unrestricted) and the scope types to report."""

    unit: ColumnElement[bool] | None
    administration: ColumnElement[bool] | None
    municipality: ColumnElement[bool] | None
    governance_object: ColumnElement[bool] | None
    types: tuple[str, ...]

    def unit_ids(self):
        """Subquery of the unit ids whose rows may be read (None = all)."""
        if self.unit is None:
            return None
        return select(Unit.id).where(self.unit)

    def object_ids(self):
        """Subquery of the governance objects whose object-keyed facts are needed (None = all).

        Needed are the visible objects and the objects that a visible municipality or
        administration takes part in (their shared risks and provider actions count there).
        """
        if any(c is None for c in (self.governance_object, self.municipality, self.administration)):
            return None
        return union(
            select(GovernanceObject.id).where(self.governance_object),
            select(GovernanceParticipant.governance_object_id).where(
                GovernanceParticipant.municipality_id.in_(
                    select(Municipality.id).where(self.municipality)
                )
            ),
            select(GovernanceParticipant.governance_object_id).where(
                GovernanceParticipant.administration_id.in_(
                    select(Administration.id).where(self.administration)
                )
            ),
        )


def build_scope(
    viewer: Viewer,
    scope_types: Iterable[str] | None = None,
    municipality: str | tuple[str, ...] | None = None,
    administration: str | None = None,
) -> Scope:
    """The viewer's conditions AND the narrowing to ``municipality`` (one code, or several: a
    page that shows a few municipalities counts them in one pass) and ``administration``."""
    wanted = set(SCOPE_TYPES if scope_types is None else scope_types)
    types = tuple(t for t in SCOPE_TYPES if t in wanted and t in viewer.visible_scope_types)
    unit = unit_scope_condition(viewer)
    adm = administration_scope_condition(viewer)
    mun = municipality_scope_condition(viewer)
    obj = governance_object_scope_condition(viewer)
    if municipality is not None:
        codes = (municipality,) if isinstance(municipality, str) else municipality
        mun_ids = municipality_ids(codes)
        unit = combine(unit, Unit.administration_id.in_(administrations_of(mun_ids)))
        adm = combine(adm, Administration.municipality_id.in_(mun_ids))
        mun = combine(mun, Municipality.code.in_(sorted(codes)))
        obj = combine(obj, objects_with_participant(GovernanceParticipant.municipality_id, mun_ids))
    if administration is not None:
        adm_ids = administration_ids([administration])
        unit = combine(unit, Unit.administration_id.in_(adm_ids))
        adm = combine(adm, Administration.code == administration)
        mun = false()  # a municipality is not under an administration
        obj = combine(
            obj, objects_with_participant(GovernanceParticipant.administration_id, adm_ids)
        )
    return Scope(
        unit=unit, administration=adm, municipality=mun, governance_object=obj, types=types
    )


@dataclass
class Org:
    """The organisation tables under a scope (all small: one row per org node).

    Callers only read the tables: the arrays derived from them (``unit_arrays``, ``pairs``) are
    computed once per Org.
    """

    units: pd.DataFrame  # id, code, name, administration_id, municipality_id, has_manager,
    # administration_code, administration_name
    administrations: pd.DataFrame  # id, code, name, municipality_id, is_central
    municipalities: pd.DataFrame  # id, code, name
    objects: pd.DataFrame  # id, code, name
    participants: pd.DataFrame  # governance_object_id, municipality_id, administration_id

    def table(self, scope_type: str) -> pd.DataFrame:
        """The table of the entities of ``scope_type``."""
        return {
            "municipality": self.municipalities,
            "administration": self.administrations,
            "unit": self.units,
            "governance_object": self.objects,
        }[scope_type]

    @cached_property
    def unit_arrays(self) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        """(unit id index, administration id, municipality id per unit) as int64."""
        units = self.units
        return (
            pd.Index(int_ids(units["id"])),
            int_ids(units["administration_id"]),
            int_ids(units["municipality_id"]),
        )

    def pairs(self, target: str) -> tuple[np.ndarray, np.ndarray]:
        """(object id, ``target`` id) of each distinct participation with a ``target``, sorted
        by object id."""
        found = self._pairs.get(target)
        if found is None:
            pairs = self.participants.dropna(subset=[target])
            pairs = pairs[["governance_object_id", target]].drop_duplicates()
            objects, targets = int_ids(pairs["governance_object_id"]), int_ids(pairs[target])
            order = np.argsort(objects, kind="stable")
            found = self._pairs[target] = (objects[order], targets[order])
        return found

    @cached_property
    def _pairs(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {}


def int_ids(column: pd.Series) -> np.ndarray:
    """Ids as int64, -1 where missing (None/NaN), whatever type the back end returned."""
    if column.dtype.kind in "iu":  # already whole numbers (the fact queries' ids)
        return column.to_numpy(dtype=np.int64)
    numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(numbers), -1, numbers).astype(np.int64)


def load_org(conn, scope: Scope) -> Org:
    def read(condition, *columns) -> pd.DataFrame:
        return query_frame(conn, where(select(*columns), condition))

    units = query_frame(
        conn,
        where(
            select(
                Unit.id,
                Unit.code,
                Unit.name,
                Unit.administration_id,
                Administration.municipality_id,
                Unit.manager_name,
                Administration.code.label("administration_code"),
                Administration.name.label("administration_name"),
            ).join(Administration, Unit.administration_id == Administration.id),
            scope.unit,
        ),
    )
    units["has_manager"] = units["manager_name"].fillna("").astype(str).str.strip() != ""
    object_ids = scope.object_ids()
    participant = GovernanceParticipant
    return Org(
        units.drop(columns="manager_name"),
        read(scope.administration, Administration.id, Administration.code, Administration.name,
             Administration.municipality_id, Administration.is_central),
        read(scope.municipality, Municipality.id, Municipality.code, Municipality.name),
        read(scope.governance_object, GovernanceObject.id, GovernanceObject.code,
             GovernanceObject.name),
        read(None if object_ids is None else participant.governance_object_id.in_(object_ids),
             participant.governance_object_id, participant.municipality_id,
             participant.administration_id),
    )  # fmt: skip
