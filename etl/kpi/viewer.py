"""Who is looking: the viewer and the SQL conditions that keep each role to its scope (DESIGN §5).

Every condition is a SQL expression over one org table, so a forged request can never widen what a
query reads. ``None`` means "no restriction"; a role without codes gets ``false()`` (sees nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select

from etl.models import Administration, GovernanceObject, GovernanceParticipant, Municipality, Unit
from etl.visibility import may_see_protected

# Roles scoped by municipality codes, by administration codes and by unit codes respectively.
MUNICIPALITY_ROLES = frozenset({"ciso", "committee", "dpo", "protection_officer"})
ADMINISTRATION_ROLES = frozenset({"security_officer", "admin_head"})
UNIT_ROLES = frozenset({"manager"})

# Every role, with the scope types of compute_kpis it gets (brief C: viewer scoping).
_ALL_SCOPES = ("municipality", "administration", "unit", "governance_object")
_VISIBLE_SCOPE_TYPES: dict[str, tuple[str, ...]] = {
    "system": _ALL_SCOPES,
    "ciso": _ALL_SCOPES,
    "security_officer": ("administration", "unit"),
    "admin_head": ("administration", "unit"),
    "manager": ("unit",),
    "committee": ("municipality", "administration"),
    "dpo": _ALL_SCOPES,
    "protection_officer": _ALL_SCOPES,
    "admin": _ALL_SCOPES,
}
ROLES = tuple(_VISIBLE_SCOPE_TYPES)


@dataclass(frozen=True)
class Viewer:
    role: str  # one of ROLES
    name: str = "system"
    municipality_codes: frozenset[str] = frozenset()
    administration_codes: frozenset[str] = frozenset()
    unit_codes: frozenset[str] = frozenset()

    @property
    def sees_all(self) -> bool:
        return self.role in ("system", "admin")

    @property
    def may_see_security_protection(self) -> bool:
        """Only the protection officer (and the system itself) may see säkerhetsskydd assets:
        the rule is etl.visibility's, which lists, exports, reports and reminders all apply."""
        return may_see_protected(self.role)

    @property
    def visible_scope_types(self) -> tuple[str, ...]:
        return _VISIBLE_SCOPE_TYPES.get(self.role, ())


SYSTEM = Viewer("system")


def municipality_ids(codes: Iterable[str]):
    """Subquery of the ids of the municipalities with ``codes``."""
    return select(Municipality.id).where(Municipality.code.in_(sorted(codes)))


def administration_ids(codes: Iterable[str]):
    """Subquery of the ids of the administrations with ``codes``."""
    return select(Administration.id).where(Administration.code.in_(sorted(codes)))


def administrations_of(municipalities):
    """Subquery of the ids of the administrations of the ``municipalities`` (a subquery)."""
    return select(Administration.id).where(Administration.municipality_id.in_(municipalities))


def objects_with_participant(column, ids) -> ColumnElement[bool]:
    """Governance objects with a participant row whose ``column`` (GovernanceParticipant's
    municipality_id or administration_id) is in ``ids`` (a subquery)."""
    participating = select(GovernanceParticipant.governance_object_id).where(column.in_(ids))
    return GovernanceObject.id.in_(participating)


def unit_scope_condition(viewer: Viewer) -> ColumnElement[bool] | None:
    """Restricts Unit rows to the viewer's scope (None = all units)."""
    if viewer.sees_all:
        return None
    if viewer.role in MUNICIPALITY_ROLES and viewer.municipality_codes:
        return Unit.administration_id.in_(
            administrations_of(municipality_ids(viewer.municipality_codes))
        )
    if viewer.role in ADMINISTRATION_ROLES and viewer.administration_codes:
        return Unit.administration_id.in_(administration_ids(viewer.administration_codes))
    if viewer.role in UNIT_ROLES and viewer.unit_codes:
        return Unit.code.in_(sorted(viewer.unit_codes))
    return false()


def visible_units(viewer: Viewer, municipality: str | None, administration: str | None):
    """The ids of the units in the viewer's scope, narrowed by the global filters."""
    query = select(Unit.id).join(Administration, Unit.administration_id == Administration.id)
    scope = unit_scope_condition(viewer)
    if scope is not None:
        query = query.where(scope)
    if administration:
        query = query.where(Administration.code == administration)
    if municipality:
        query = query.where(Administration.municipality_id.in_(municipality_ids([municipality])))
    return query


def administration_scope_condition(viewer: Viewer) -> ColumnElement[bool] | None:
    """Administration rows the viewer may see as a scope of their own (None = all)."""
    if viewer.sees_all:
        return None
    if viewer.role in MUNICIPALITY_ROLES and viewer.municipality_codes:
        return Administration.municipality_id.in_(municipality_ids(viewer.municipality_codes))
    if viewer.role in ADMINISTRATION_ROLES and viewer.administration_codes:
        return Administration.code.in_(sorted(viewer.administration_codes))
    return false()


def municipality_scope_condition(viewer: Viewer) -> ColumnElement[bool] | None:
    """Municipality rows the viewer may see as a scope of their own (None = all)."""
    if viewer.sees_all:
        return None
    if viewer.role in MUNICIPALITY_ROLES and viewer.municipality_codes:
        return Municipality.code.in_(sorted(viewer.municipality_codes))
    return false()


def governance_object_scope_condition(viewer: Viewer) -> ColumnElement[bool] | None:
    """Governance objects the viewer may see: those its municipalities take part in."""
    if viewer.sees_all:
        return None
    if viewer.role in MUNICIPALITY_ROLES and viewer.municipality_codes:
        return objects_with_participant(
            GovernanceParticipant.municipality_id, municipality_ids(viewer.municipality_codes)
        )
    return false()


def participating_object_condition(viewer: Viewer) -> ColumnElement[bool] | None:
    """Governance objects in which one of the viewer's administrations takes part by name (a
    security officer's or head's administrations; a manager's units' administrations). A
    participant row naming only a municipality does not make every administration a participant,
    as in the KPI roll-up (etl.kpi.rollup.distribute)."""
    if viewer.sees_all:
        return None
    if viewer.role in ADMINISTRATION_ROLES and viewer.administration_codes:
        administrations = administration_ids(viewer.administration_codes)
    elif viewer.role in UNIT_ROLES and viewer.unit_codes:
        administrations = select(Unit.administration_id).where(
            Unit.code.in_(sorted(viewer.unit_codes))
        )
    else:
        return false()
    return objects_with_participant(GovernanceParticipant.administration_id, administrations)


def object_aggregate_condition(viewer: Viewer) -> ColumnElement[bool] | None:
    """Governance objects whose aggregate numbers (counts and rates, never rows) the viewer may
    see: the objects of its scope (governance_object_scope_condition, rows included) and the
    objects its administrations take part in (participating_object_condition, numbers only).
    The committee sees aggregates of its municipality's objects through the first."""
    return either(governance_object_scope_condition(viewer), participating_object_condition(viewer))


def combine(*conditions: ColumnElement[bool] | None) -> ColumnElement[bool] | None:
    """AND of the given conditions, ignoring None (None when all are None)."""
    present = [c for c in conditions if c is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return and_(*present)


def either(*conditions: ColumnElement[bool] | None) -> ColumnElement[bool] | None:
    """OR of the given conditions; None (everything) as soon as one of them is None."""
    if any(c is None for c in conditions):
        return None
    return or_(*conditions)
