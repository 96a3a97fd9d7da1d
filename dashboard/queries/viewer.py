"""Who may see what: defined at the etl level (etl.kpi.viewer), where the KPI computation that the
load runs needs it; re-exported here for the dashboard's queries and pages."""

from etl.kpi.viewer import (  # noqa: F401
    ADMINISTRATION_ROLES,
    MUNICIPALITY_ROLES,
    ROLES,
    SYSTEM,
    UNIT_ROLES,
    Viewer,
    administration_scope_condition,
    governance_object_scope_condition,
    municipality_scope_condition,
    object_aggregate_condition,
    unit_scope_condition,
    visible_units,
)
