"""The metric catalogue: every number the dashboard shows, its labels, kind and scope types.

The definitions are those of docs/metrics.md (DESIGN §4 made exact). ``scopes`` lists the scope
types a metric is computed for; compute_kpis returns one row per (scope, applicable metric).
"""

from __future__ import annotations

from dataclasses import dataclass

SCOPE_TYPES = ("municipality", "administration", "unit", "governance_object")
SCOPE_TYPE_LABELS_SV = {
    "municipality": "Kommun",
    "administration": "Förvaltning",
    "unit": "Enhet",
    "governance_object": "Förvaltningsobjekt",
}

_ALL = SCOPE_TYPES
_ORG = ("municipality", "administration", "unit")
_TOP = ("municipality", "administration")
_GAP = ("municipality", "administration", "governance_object")


@dataclass(frozen=True)
class Metric:
    name: str
    label_sv: str
    label_en: str
    kind: str  # "count" | "rate" | "level"
    higher_is_better: bool
    scopes: tuple[str, ...]


_CATALOGUE = [
    Metric("assets", "Informationstillgångar", "Information assets", "count", True, _ALL),
    Metric("classified_current", "Aktuellt klassade", "Currently classified", "count", True, _ALL),
    Metric("classification_coverage", "Klassningsgrad", "Classification coverage",
           "rate", True, _ALL),
    Metric("classifications_expired", "Förfallna klassningar", "Expired classifications",
           "count", False, _ALL),
    Metric("assets_unclassified", "Oklassade tillgångar", "Unclassified assets",
           "count", False, _ALL),
    Metric("reviews_due_90d", "Översyn inom 90 dagar", "Reviews due in 90 days",
           "count", False, _ALL),
    Metric("risk_analysis_coverage", "Andel riskanalyserade", "Risk-analysis coverage",
           "rate", True, _ALL),
    Metric("risks", "Risker", "Risks", "count", False, _ALL),
    Metric("risks_high", "Höga risker", "High risks", "count", False, _ALL),
    Metric("risks_high_without_action", "Höga risker utan åtgärd", "High risks without action",
           "count", False, _ALL),
    Metric("action_plan_coverage", "Åtgärdsplanerade risker", "Action-plan coverage",
           "rate", True, _ALL),
    Metric("funnel_classified", "Tratt: klassade", "Funnel: classified", "count", True, _ALL),
    Metric("funnel_risk_analysed", "Tratt: riskanalyserade", "Funnel: risk-analysed",
           "count", True, _ALL),
    Metric("funnel_action_planned", "Tratt: åtgärdsplanerade", "Funnel: action planned",
           "count", True, _ALL),
    Metric("funnel_on_time", "Tratt: i tid", "Funnel: on time", "count", True, _ALL),
    Metric("actions_open", "Öppna åtgärder", "Open actions", "count", False, _ALL),
    Metric("actions_overdue", "Försenade åtgärder", "Overdue actions", "count", False, _ALL),
    Metric("actions_overdue_1_30", "Försenade 1–30 dagar", "Overdue 1–30 days",
           "count", False, _ALL),
    Metric("actions_overdue_31_90", "Försenade 31–90 dagar", "Overdue 31–90 days",
           "count", False, _ALL),
    Metric("actions_overdue_91_180", "Försenade 91–180 dagar", "Overdue 91–180 days",
           "count", False, _ALL),
    Metric("actions_overdue_over_180", "Försenade över 180 dagar", "Overdue over 180 days",
           "count", False, _ALL),
    Metric("actions_on_time_rate", "Åtgärder klara i tid", "Actions done on time",
           "rate", True, _ALL),
    Metric("gdpr_coverage", "Registerförteckning", "GDPR register coverage", "rate", True, _ALL),
    Metric("shared_owner_participation", "Delägares medverkan", "Shared-owner participation",
           "rate", True, _ALL),
    Metric("follow_up_rate", "Uppföljning inlämnad", "Follow-up rate", "rate", True, _ORG),
    Metric("training_completion", "Utbildade medarbetare", "Training completion",
           "rate", True, _ORG),
    Metric("access_review_current", "Aktuell behörighetsgenomgång", "Access review current",
           "rate", True, _ORG),
    Metric("maturity_self", "Mognad (självskattad)", "Maturity (self-assessed)",
           "level", True, _GAP),
    Metric("maturity_evidence", "Mognad (belagd)", "Maturity (evidence-based)",
           "level", True, _ALL),
    Metric("org_ciso", "CISO utsedd", "CISO assigned", "count", True, _TOP),
    Metric("org_security_officer", "Säkerhetshandläggare", "Security officer", "rate", True, _TOP),
    Metric("org_dpo", "Dataskyddsombud utsett", "DPO assigned", "count", True, _TOP),
    Metric("org_protection_officer", "Säkerhetsskyddschef utsedd", "Protection officer assigned",
           "count", True, _TOP),
    Metric("org_unit_managers", "Enheter med chef", "Units with a manager", "rate", True, _TOP),
    Metric("org_checks_failed", "Brister i organisationen", "Organisation checks failed",
           "count", False, _TOP),
]  # fmt: skip

METRICS: dict[str, Metric] = {m.name: m for m in _CATALOGUE}
METRIC_ORDER: dict[str, int] = {name: i for i, name in enumerate(METRICS)}


def metrics_for_scope(scope_type: str) -> list[str]:
    """Names of the metrics computed for ``scope_type``, in display order."""
    return [m.name for m in METRICS.values() if scope_type in m.scopes]
