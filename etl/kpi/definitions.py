"""The metric catalogue: every number the dashboard shows, with its exact definition.

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
    description_sv: str
    description_en: str
    higher_is_better: bool
    scopes: tuple[str, ...]


_CATALOGUE = [
    Metric(
        "assets", "Informationstillgångar", "Information assets", "count",
        "Antal informationstillgångar. En tillgång hör till sin primära ägarenhet (och dess "
        "förvaltning och kommun) och till sitt förvaltningsobjekt.",
        "Number of information assets. An asset belongs to the unit of its primary owner (and "
        "that unit's administration and municipality) and to its governance object.",
        True, _ALL,
    ),
    Metric(
        "classified_current", "Aktuellt klassade", "Currently classified", "count",
        "Tillgångar vars senaste klassning (klassad senast per datumet) har nästa "
        "översynsdatum, eller klassningsdatum + 36 månader, på eller efter datumet.",
        "Assets whose latest classification on or before the as-of date has its next review "
        "date (or classified date + 36 months) on or after the as-of date.",
        True, _ALL,
    ),
    Metric(
        "classification_coverage", "Klassningsgrad", "Classification coverage", "rate",
        "Aktuellt klassade tillgångar / tillgångar.",
        "Currently classified assets / assets.",
        True, _ALL,
    ),
    Metric(
        "classifications_expired", "Förfallna klassningar", "Expired classifications", "count",
        "Tillgångar vars senaste klassning är förfallen (översynsdatum före datumet).",
        "Assets whose latest classification is expired (review date before the as-of date).",
        False, _ALL,
    ),
    Metric(
        "assets_unclassified", "Oklassade tillgångar", "Unclassified assets", "count",
        "Tillgångar utan någon klassning på eller före datumet.",
        "Assets with no classification on or before the as-of date.",
        False, _ALL,
    ),
    Metric(
        "reviews_due_90d", "Översyn inom 90 dagar", "Reviews due in 90 days", "count",
        "Aktuella klassningar vars översynsdatum infaller inom [datumet, datumet + 90 dagar].",
        "Current classifications whose review date falls within [as-of, as-of + 90 days].",
        False, _ALL,
    ),
    Metric(
        "risk_analysis_coverage", "Andel riskanalyserade", "Risk-analysis coverage", "rate",
        "Tillgångar med en riskanalys daterad inom de senaste 36 månaderna "
        "(efter datumet − 36 månader, till och med datumet) / tillgångar.",
        "Assets with a risk analysis dated in (as-of − 36 months, as-of] / assets.",
        True, _ALL,
    ),
    Metric(
        "risks", "Risker", "Risks", "count",
        "Risker i riskanalyser daterade på eller före datumet. En objektsanalys räknas för "
        "objektet och för varje deltagande kommun.",
        "Risks in risk analyses dated on or before the as-of date. An object-level analysis "
        "counts for the object and for each participating municipality.",
        False, _ALL,
    ),
    Metric(
        "risks_high", "Höga risker", "High risks", "count",
        "Risker med sannolikhet × konsekvens ≥ tröskeln (9 på 4×4-matrisen).",
        "Risks with likelihood × consequence ≥ the threshold (9 on the 4×4 matrix).",
        False, _ALL,
    ),
    Metric(
        "risks_high_without_action",
        "Höga risker utan åtgärd", "High risks without action", "count",
        "Höga risker som saknar åtgärd (avbrutna åtgärder räknas inte).",
        "High risks without an action (cancelled actions do not count).",
        False, _ALL,
    ),
    Metric(
        "action_plan_coverage", "Åtgärdsplanerade risker", "Action-plan coverage", "rate",
        "Risker som kräver åtgärd (behandling Reducera eller hög risk) och har en åtgärd som "
        "inte är avbruten / risker som kräver åtgärd.",
        "Risks needing action (treatment reduce or high score) that have a non-cancelled "
        "action / risks needing action.",
        True, _ALL,
    ),
    Metric(
        "funnel_classified", "Tratt: klassade", "Funnel: classified", "count",
        "Tratt steg 2: tillgångar med aktuell klassning.",
        "Funnel stage 2: assets with a current classification.",
        True, _ALL,
    ),
    Metric(
        "funnel_risk_analysed", "Tratt: riskanalyserade", "Funnel: risk-analysed", "count",
        "Tratt steg 3: aktuellt klassade och riskanalyserade inom 36 månader.",
        "Funnel stage 3: currently classified and risk-analysed within 36 months.",
        True, _ALL,
    ),
    Metric(
        "funnel_action_planned", "Tratt: åtgärdsplanerade", "Funnel: action planned", "count",
        "Tratt steg 4: dessutom har varje risk som kräver åtgärd en åtgärd.",
        "Funnel stage 4: in addition every risk of the asset needing action has an action.",
        True, _ALL,
    ),
    Metric(
        "funnel_on_time", "Tratt: i tid", "Funnel: on time", "count",
        "Tratt steg 5: dessutom är ingen av åtgärderna på tillgångens risker försenad.",
        "Funnel stage 5: in addition none of the actions on the asset's risks is overdue.",
        True, _ALL,
    ),
    Metric(
        "actions_open", "Öppna åtgärder", "Open actions", "count",
        "Åtgärder med status Ej påbörjad eller Pågår. Åtgärder hör till ägarenheten; "
        "leverantörens åtgärder till objektet och varje deltagande kommun och förvaltning.",
        "Actions not done or cancelled. Actions belong to their owner unit; provider actions "
        "to the object and each participating municipality and administration.",
        False, _ALL,
    ),
    Metric(
        "actions_overdue", "Försenade åtgärder", "Overdue actions", "count",
        "Öppna åtgärder med slutdatum före datumet.",
        "Open actions due before the as-of date.",
        False, _ALL,
    ),
    Metric(
        "actions_overdue_1_30", "Försenade 1–30 dagar", "Overdue 1–30 days", "count",
        "Försenade åtgärder, 1–30 dagar efter slutdatum.",
        "Overdue actions, 1–30 days past due.",
        False, _ALL,
    ),
    Metric(
        "actions_overdue_31_90", "Försenade 31–90 dagar", "Overdue 31–90 days", "count",
        "Försenade åtgärder, 31–90 dagar efter slutdatum.",
        "Overdue actions, 31–90 days past due.",
        False, _ALL,
    ),
    Metric(
        "actions_overdue_91_180", "Försenade 91–180 dagar", "Overdue 91–180 days", "count",
        "Försenade åtgärder, 91–180 dagar efter slutdatum.",
        "Overdue actions, 91–180 days past due.",
        False, _ALL,
    ),
    Metric(
        "actions_overdue_over_180", "Försenade över 180 dagar", "Overdue over 180 days", "count",
        "Försenade åtgärder, mer än 180 dagar efter slutdatum.",
        "Overdue actions, more than 180 days past due.",
        False, _ALL,
    ),
    Metric(
        "actions_on_time_rate", "Åtgärder klara i tid", "Actions done on time", "rate",
        "Klara åtgärder med slutförandedatum på eller före slutdatum / klara åtgärder "
        "slutförda på eller före datumet.",
        "Done actions completed on or before their due date / done actions completed on or "
        "before the as-of date.",
        True, _ALL,
    ),
    Metric(
        "gdpr_coverage", "Registerförteckning", "GDPR register coverage", "rate",
        "Tillgångar med personuppgifter (Ja eller Känsliga) som har en referens till "
        "registerförteckningen / tillgångar med personuppgifter.",
        "Assets with personal data (yes or sensitive) that have a register reference / "
        "assets with personal data.",
        True, _ALL,
    ),
    Metric(
        "shared_owner_participation", "Delägares medverkan", "Shared-owner participation", "rate",
        "För tillgångar med flera ägare: ägare som deltog i den senaste klassningen / ägare "
        "(en oklassad tillgång bidrar med 0).",
        "For assets with several owners: owners who took part in the latest classification / "
        "owners (an unclassified asset contributes 0).",
        True, _ALL,
    ),
    Metric(
        "follow_up_rate", "Uppföljning inlämnad", "Follow-up rate", "rate",
        "Enheter som lämnat uppföljning för perioden (senaste kvartal som slutat senast "
        "datumet) / enheter.",
        "Units with a submitted report for the period (the last quarter ended on or before "
        "the as-of date) / units.",
        True, _ORG,
    ),
    Metric(
        "training_completion", "Utbildade medarbetare", "Training completion", "rate",
        "Medelvärdet av andelen utbildad personal bland enheter som rapporterat perioden.",
        "Mean staff training completion over units that reported the period.",
        True, _ORG,
    ),
    Metric(
        "access_review_current", "Aktuell behörighetsgenomgång", "Access review current", "rate",
        "Enheter vars senaste rapport anger en behörighetsgenomgång inom 12 månader före "
        "datumet / enheter.",
        "Units whose latest report gives an access review within the 12 months before the "
        "as-of date / units.",
        True, _ORG,
    ),
    Metric(
        "maturity_self", "Mognad (självskattad)", "Maturity (self-assessed)", "level",
        "Medelnivån 0–5 över områdenas senaste bedömning (varje område från den senaste "
        "nulägesanalys som bedömt det); för en kommun medelvärdet över dess förvaltningar som "
        "har en.",
        "Mean level 0–5 over each area's latest assessment (from the latest gap analysis that "
        "assessed it); for a municipality the mean over its administrations that have one.",
        True, _GAP,
    ),
    Metric(
        "maturity_evidence", "Mognad (belagd)", "Maturity (evidence-based)", "level",
        "Högsta nivån 0–5 vars krav alla är uppfyllda: andel klassade, förfallna klassningar, "
        "riskanalyserade, åtgärdsplanerade risker, försenade åtgärder, åtgärder klara i tid, "
        "registerförteckning och uppföljning har var sin gräns per nivå.",
        "The highest level 0–5 whose requirements are all met: classification coverage, expired "
        "classifications, risk-analysis and action-plan coverage, overdue actions, on-time rate, "
        "GDPR coverage and follow-up each have a threshold per level.",
        True, _ALL,
    ),
    Metric(
        "org_ciso", "CISO utsedd", "CISO assigned", "count",
        "1 om en informationssäkerhetssamordnare är utsedd på kommunen eller dess "
        "centrala förvaltning, annars 0.",
        "1 when a CISO is assigned on the municipality or its central administration, else 0.",
        True, _TOP,
    ),
    Metric(
        "org_security_officer", "Säkerhetshandläggare", "Security officer", "rate",
        "Förvaltning: 1/0 om minst en informationssäkerhetshandläggare finns. Kommun: andel "
        "förvaltningar med minst en.",
        "Administration: 1/0 for at least one security officer. Municipality: share of "
        "administrations with at least one.",
        True, _TOP,
    ),
    Metric(
        "org_dpo", "Dataskyddsombud utsett", "DPO assigned", "count",
        "1 om ett dataskyddsombud är utsett på kommunen eller förvaltningen, annars 0.",
        "1 when a DPO is assigned on the municipality or the administration, else 0.",
        True, _TOP,
    ),
    Metric(
        "org_protection_officer",
        "Säkerhetsskyddschef utsedd", "Protection officer assigned", "count",
        "1 om en säkerhetsskyddschef är utsedd på kommunen eller förvaltningen, annars 0.",
        "1 when a security protection officer is assigned on the municipality or the "
        "administration, else 0.",
        True, _TOP,
    ),
    Metric(
        "org_unit_managers", "Enheter med chef", "Units with a manager", "rate",
        "Enheter med angiven chef / enheter.",
        "Units with a manager name / units.",
        True, _TOP,
    ),
    Metric(
        "org_checks_failed", "Brister i organisationen", "Organisation checks failed", "count",
        "Antal av kontrollerna ovan som inte är uppfyllda (en andel under 100 % räknas som "
        "brist; en andel utan nämnare räknas inte).",
        "Number of the checks above that fail (a rate below 100 % fails; a rate without "
        "denominator is not counted).",
        False, _TOP,
    ),
]  # fmt: skip

METRICS: dict[str, Metric] = {m.name: m for m in _CATALOGUE}
METRIC_ORDER: dict[str, int] = {name: i for i, name in enumerate(METRICS)}


def metrics_for_scope(scope_type: str) -> list[str]:
    """Names of the metrics computed for ``scope_type``, in display order."""
    return [m.name for m in METRICS.values() if scope_type in m.scopes]
