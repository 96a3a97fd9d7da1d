"""Who may see what: defined at the etl level (etl.kpi.viewer), where the KPI computation that the
load runs needs it; re-exported here for the dashboard's queries and pages."""

from etl.kpi.viewer import (
    ADMINISTRATION_ROLES,
    MUNICIPALITY_ROLES,
    ROLES,
    SYSTEM,
    UNIT_ROLES,
    Viewer,
    administration_scope_condition,
    combine,
    either,
    governance_object_scope_condition,
    municipality_scope_condition,
    object_aggregate_condition,
    participating_object_condition,
    unit_scope_condition,
    visible_units,
)

__all__ = [
    "ADMINISTRATION_ROLES",
    "MUNICIPALITY_ROLES",
    "ROLES",
    "SYSTEM",
    "UNIT_ROLES",
    "Viewer",
    "administration_scope_condition",
    "combine",
    "either",
    "governance_object_scope_condition",
    "municipality_scope_condition",
    "object_aggregate_condition",
    "participating_object_condition",
    "unit_scope_condition",
    "visible_units",
]
