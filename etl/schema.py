"""The input format: every sheet and column an owner fills in, declared once.

The reader, the validator, the template writer, the sample generator and docs/input-format.md
all read these declarations, so a column is added or renamed in exactly one place.

Workbook kinds
- ``organisation``: municipalities, administrations, units, roles, providers, governance objects
  and their participants, optionally the maturity-area catalogue and settings.
- ``administration``: one administration's assets, classifications, risk analyses, risks, gap
  analysis, actions and follow-up reports.
- ``object``: the same sheets for one shared governance object (no follow-up reports).

Every workbook starts with the sheet ``Uppgifter`` (cover) whose rows are key/value pairs:
``Typ`` (Organisation | Förvaltning | Förvaltningsobjekt) and ``Kod`` (the administration's or the
object's code; any short name for the organisation workbook). Typ + Kod identify the *source*: a
newer file with the same Typ + Kod replaces the rows of the earlier one.

CSV: each sheet may come as its own CSV file named ``<prefix>.<sheet slug>.csv`` (for example
``1882-SOC.tillgangar.csv``); the files sharing a prefix form one workbook and load as one unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from etl import vocab


class ColumnType(StrEnum):
    TEXT = "text"
    CODE = "code"  # an identifier: trimmed, case kept
    CODE_LIST = "code_list"  # codes separated by comma or semicolon
    DATE = "date"  # ISO, Swedish (2026-03-01, 1/3/2026, 1 mars 2026) or an Excel date cell
    BOOL = "bool"  # Ja/Nej
    CLASS_LEVEL = "class_level"  # 0–4 or label
    MATURITY_LEVEL = "maturity_level"  # 0–5 or label
    LIKELIHOOD = "likelihood"  # 1–matrix size or label
    CONSEQUENCE = "consequence"
    TREATMENT = "treatment"
    ACTION_STATUS = "action_status"
    CARRIER_TYPE = "carrier_type"
    PERSONAL_DATA = "personal_data"
    ROLE = "role"
    WORKBOOK_KIND = "workbook_kind"
    PERCENT = "percent"  # 0–100, "85", "85 %", "85,5", 0.85 from a percent-formatted cell
    PERIOD = "period"  # "2026-Q3" (also "2026 Q3", "Q3 2026", "2026-H1" for half years)
    INT = "int"


# The choices a dropdown offers in the template, per type (Swedish labels).
CHOICES: dict[ColumnType, list[str]] = {
    ColumnType.BOOL: ["Ja", "Nej"],
    ColumnType.CLASS_LEVEL: [f"{n} {label}" for n, label in vocab.CLASSIFICATION_LEVELS.items()],
    ColumnType.MATURITY_LEVEL: [f"{n} {label}" for n, label in vocab.MATURITY_LEVELS.items()],
    ColumnType.LIKELIHOOD: [f"{n} {label}" for n, label in vocab.LIKELIHOOD_LEVELS.items()],
    ColumnType.CONSEQUENCE: [f"{n} {label}" for n, label in vocab.CONSEQUENCE_LEVELS.items()],
    ColumnType.TREATMENT: list(vocab.TREATMENTS.values()),
    ColumnType.ACTION_STATUS: list(vocab.ACTION_STATUSES.values()),
    ColumnType.CARRIER_TYPE: list(vocab.CARRIER_TYPES.values()),
    ColumnType.PERSONAL_DATA: list(vocab.PERSONAL_DATA.values()),
    ColumnType.ROLE: list(vocab.ROLES.values()),
    ColumnType.WORKBOOK_KIND: ["Organisation", "Förvaltning", "Förvaltningsobjekt"],
}


@dataclass(frozen=True)
class Column:
    header: str  # Swedish header as an owner writes it
    key: str  # field name in code
    type: ColumnType
    required: bool = False
    help_sv: str = ""
    help_en: str = ""
    aliases: tuple[str, ...] = ()  # other headers accepted for this column


@dataclass(frozen=True)
class Sheet:
    name: str  # Swedish sheet name
    slug: str  # ASCII name for CSV files
    key: str  # name in code
    columns: tuple[Column, ...]
    required: bool = True
    help_sv: str = ""
    help_en: str = ""
    # For key/value sheets (the cover): rows are "Fält | Värde" rather than a table.
    key_value: bool = False

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class WorkbookKind:
    key: str  # organisation | administration | object
    label_sv: str
    sheets: tuple[Sheet, ...] = field(default_factory=tuple)

    def sheet(self, key: str) -> Sheet:
        return next(s for s in self.sheets if s.key == key)


C = Column
T = ColumnType

# The sheet tables are aligned by hand, one column per line pair: a table reads better than
# the formatter's one argument per line.
# fmt: off
COVER = Sheet(
    "Uppgifter",
    "uppgifter",
    "cover",
    (
        C("Typ", "kind", T.WORKBOOK_KIND, True, "Organisation, Förvaltning eller Förvaltningsobjekt",
          "Organisation, Administration (Förvaltning) or Governance object"),
        C("Kod", "code", T.CODE, True, "Förvaltningens eller objektets kod, t.ex. 1882-SOC",
          "Code of the administration or object, e.g. 1882-SOC"),
        C("Upprättad av", "prepared_by", T.TEXT, False, "Vem som sammanställt filen",
          "Who prepared the file"),
        C("Datum", "prepared_on", T.DATE, False, "När filen sammanställdes", "When prepared"),
    ),
    help_sv="Filens typ och kod. Typ + Kod avgör vilken källa en ny fil ersätter.",
    help_en="The file's kind and code. Kind + code decide which source a newer file replaces.",
    key_value=True,
)

# ---------------------------------------------------------------- organisation workbook

MUNICIPALITIES = Sheet(
    "Kommuner", "kommuner", "municipalities",
    (
        C("Kommunkod", "code", T.CODE, True, "SCB:s kommunkod, t.ex. 1882", "SCB code, e.g. 1882"),
        C("Namn", "name", T.TEXT, True, "Kommunens namn", "Municipality name"),
    ),
)
ADMINISTRATIONS = Sheet(
    "Förvaltningar", "forvaltningar", "administrations",
    (
        C("Förvaltningskod", "code", T.CODE, True, "Unik kod, t.ex. 1882-SOC", "Unique code"),
        C("Namn", "name", T.TEXT, True, "Förvaltningens namn", "Administration name"),
        C("Kommunkod", "municipality", T.CODE, True, "Kommun som förvaltningen tillhör",
          "Municipality code"),
        C("Central förvaltning", "is_central", T.BOOL, False,
          "Ja för kommunledningsförvaltningen", "Yes for the central administration"),
    ),
)
UNITS = Sheet(
    "Enheter", "enheter", "units",
    (
        C("Enhetskod", "code", T.CODE, True, "Unik kod, t.ex. 1882-SOC-IFO", "Unique code"),
        C("Namn", "name", T.TEXT, True, "Enhetens namn", "Unit name"),
        C("Förvaltningskod", "administration", T.CODE, True, "Förvaltning enheten tillhör",
          "Administration code"),
        C("Chef", "manager_name", T.TEXT, False, "Enhetens chef (informationsägare)",
          "Unit manager (information owner)"),
        C("Chefens e-post", "manager_email", T.TEXT, False, "Chefens e-postadress",
          "Manager's e-mail"),
    ),
)
ROLES = Sheet(
    "Roller", "roller", "roles",
    (
        C("Namn", "person_name", T.TEXT, True, "Personens namn", "Person's name"),
        C("E-post", "email", T.TEXT, False, "E-postadress", "E-mail"),
        C("Roll", "role", T.ROLE, True, "Roll enligt riktlinjen", "Role per the policy"),
        C("Organisation", "node", T.CODE, True,
          "Kod för kommun, förvaltning, enhet eller förvaltningsobjekt rollen gäller",
          "Code of the municipality, administration, unit or governance object"),
    ),
)
PROVIDERS = Sheet(
    "Leverantörer", "leverantorer", "providers",
    (
        C("Leverantörskod", "code", T.CODE, True, "Unik kod, t.ex. SNIT", "Unique code"),
        C("Namn", "name", T.TEXT, True, "Leverantörens namn", "Provider name"),
    ),
    required=False,
)
OBJECTS = Sheet(
    "Förvaltningsobjekt", "forvaltningsobjekt", "governance_objects",
    (
        C("Objektkod", "code", T.CODE, True, "Unik kod, t.ex. GO-EKO", "Unique code"),
        C("Namn", "name", T.TEXT, True, "Objektets namn", "Object name"),
        C("Leverantörskod", "provider", T.CODE, False, "Leverantör som driver objektet",
          "Provider running the object"),
        C("Beskrivning", "description", T.TEXT, False, "Kort beskrivning", "Short description"),
    ),
    required=False,
)
PARTICIPANTS = Sheet(
    "Deltagare", "deltagare", "participants",
    (
        C("Objektkod", "governance_object", T.CODE, True, "Förvaltningsobjektets kod",
          "Governance object code"),
        C("Kommunkod", "municipality", T.CODE, True, "Deltagande kommun",
          "Participating municipality"),
        C("Förvaltningskod", "administration", T.CODE, False,
          "Deltagande förvaltning (tom = hela kommunen)",
          "Participating administration (blank = whole municipality)"),
    ),
    required=False,
)
AREAS = Sheet(
    "Områden", "omraden", "areas",
    (
        C("Områdeskod", "code", T.CODE, True, "Kort kod för området", "Short area code"),
        C("Namn", "name", T.TEXT, True, "Områdets namn", "Area name"),
        C("Ordning", "sort_order", T.INT, False, "Sorteringsordning", "Sort order"),
    ),
    required=False,
    help_sv="Katalogen av områden för nulägesanalys. Utelämnas bladet gäller standardkatalogen.",
    help_en="The gap-analysis area catalogue. When absent the default catalogue applies.",
)
SETTINGS = Sheet(
    "Inställningar", "installningar", "settings",
    (
        C("Inställning", "key", T.CODE, True, "t.ex. riskmatris_storlek", "e.g. riskmatris_storlek"),
        C("Värde", "value", T.TEXT, True, "Värdet", "Value"),
    ),
    required=False,
)

# ---------------------------------------------------------------- administration / object data

ASSETS = Sheet(
    "Tillgångar", "tillgangar", "assets",
    (
        C("Tillgångs-ID", "code", T.CODE, True, "Unik kod för informationstillgången",
          "Unique asset code"),
        C("Namn", "name", T.TEXT, True, "Informationstillgångens namn", "Asset name"),
        C("Informationsbärare", "carrier_name", T.TEXT, False,
          "System, pärm eller skåp där informationen finns", "System, binder or cabinet"),
        C("Typ av bärare", "carrier_type", T.CARRIER_TYPE, True, "IT-system, Molntjänst, Pärm …",
          "Carrier type"),
        C("Ägande enheter", "owners", T.CODE_LIST, True,
          "Enhetskoder, kommaseparerade; den första är ansvarig ägare",
          "Owner unit codes, comma-separated; the first is the primary owner"),
        C("Förvaltningsobjekt", "governance_object", T.CODE, False,
          "Objektkod om tillgången ingår i ett gemensamt förvaltningsobjekt",
          "Governance object code, if shared"),
        C("Personuppgifter", "personal_data", T.PERSONAL_DATA, True, "Nej, Ja eller Känsliga",
          "No, Yes or Sensitive"),
        C("Registerförteckning", "register_ref", T.TEXT, False,
          "Referens i nämndens registerförteckning (GDPR art. 30)",
          "Reference in the record of processing (GDPR art. 30)"),
        C("Säkerhetsskydd", "security_protection", T.BOOL, False,
          "Ja om informationen omfattas av säkerhetsskyddslagen", "Yes if säkerhetsskydd applies"),
    ),
)
CLASSIFICATIONS = Sheet(
    "Klassningar", "klassningar", "classifications",
    (
        C("Tillgångs-ID", "asset", T.CODE, True, "Tillgången som klassats", "Classified asset"),
        C("Klassningsdatum", "classified_on", T.DATE, True, "Datum för klassningen",
          "Classification date"),
        C("Nästa översyn", "next_review_on", T.DATE, False,
          "Tom = klassningsdatum + 36 månader", "Blank = classification date + 36 months"),
        C("Konfidentialitet", "confidentiality", T.CLASS_LEVEL, True, "0–4 eller etikett",
          "0–4 or label"),
        C("Riktighet", "integrity", T.CLASS_LEVEL, True, "0–4 eller etikett", "0–4 or label"),
        C("Tillgänglighet", "availability", T.CLASS_LEVEL, True, "0–4 eller etikett",
          "0–4 or label"),
        C("Spårbarhet", "traceability", T.CLASS_LEVEL, False, "Frivillig, 0–4", "Optional, 0–4"),
        C("Deltagande ägare", "participants", T.CODE_LIST, False,
          "Enhetskoder för ägarna som deltog", "Unit codes of the owners who took part"),
        C("Modell", "model_version", T.TEXT, False, "Klassningsmodell och version, t.ex. KLASSA 5",
          "Model and version"),
        C("Nivåskala", "label_set", T.TEXT, False, "Etikettuppsättning, standard KLASSA",
          "Label set, default KLASSA"),
    ),
    required=False,
)
RISK_ANALYSES = Sheet(
    "Riskanalyser", "riskanalyser", "risk_analyses",
    (
        C("Analys-ID", "code", T.CODE, True, "Unik kod för riskanalysen", "Unique analysis code"),
        C("Tillgångs-ID", "asset", T.CODE, False,
          "Analyserad tillgång (tom = hela förvaltningsobjektet)",
          "Analysed asset (blank = the whole governance object)"),
        C("Analysdatum", "analysed_on", T.DATE, True, "Datum för analysen", "Analysis date"),
        C("Ansvarig", "responsible", T.TEXT, False, "Ansvarig för analysen", "Responsible"),
    ),
    required=False,
)
RISKS = Sheet(
    "Risker", "risker", "risks",
    (
        C("Risk-ID", "code", T.CODE, True, "Unik kod för risken", "Unique risk code"),
        C("Analys-ID", "analysis", T.CODE, True, "Riskanalysen risken hör till", "Analysis code"),
        C("Beskrivning", "description", T.TEXT, True, "Vad kan hända?", "What can happen?"),
        C("Sannolikhet", "likelihood", T.LIKELIHOOD, True, "1–4 eller Låg/Medel/Hög/Mycket hög",
          "1–4 or label"),
        C("Konsekvens", "consequence", T.CONSEQUENCE, True,
          "1–4 eller Liten/Måttlig/Betydande/Allvarlig", "1–4 or label"),
        C("Hantering", "treatment", T.TREATMENT, True, "Reducera, Acceptera, Överföra, Undvika",
          "Reduce, accept, transfer, avoid"),
    ),
    required=False,
)
GAP_ANALYSIS = Sheet(
    "Nulägesanalys", "nulagesanalys", "gap_analysis",
    (
        C("Datum", "assessed_on", T.DATE, True, "Datum för bedömningen", "Assessment date"),
        C("Område", "area", T.CODE, True, "Områdets kod eller namn", "Area code or name"),
        C("Nivå", "level", T.MATURITY_LEVEL, True, "0–5 eller Saknas … Optimerad",
          "0–5 or label"),
        C("Kommentar", "comment", T.TEXT, False, "Motivering", "Comment"),
    ),
    required=False,
)
ACTIONS = Sheet(
    "Åtgärder", "atgarder", "actions",
    (
        C("Åtgärds-ID", "code", T.CODE, True, "Unik kod för åtgärden", "Unique action code"),
        C("Beskrivning", "title", T.TEXT, True, "Vad ska göras?", "What is to be done?"),
        C("Risk-ID", "risk", T.CODE, False, "Risken åtgärden hanterar", "Risk addressed"),
        C("Område", "area", T.CODE, False, "Nulägesanalysens område (om inte från en risk)",
          "Gap area (if not from a risk)"),
        C("Ägande enhet", "owner_unit", T.CODE, False, "Enhet som äger åtgärden",
          "Owner unit"),
        C("Leverantör", "provider", T.CODE, False, "Leverantör som äger åtgärden (delade objekt)",
          "Provider owning the action (shared objects)"),
        C("Ansvarig", "responsible", T.TEXT, False, "Ansvarig person", "Responsible person"),
        C("Ansvarigs e-post", "responsible_email", T.TEXT, False, "För påminnelser",
          "For reminders"),
        C("Förfallodatum", "due_on", T.DATE, True, "När åtgärden ska vara klar", "Due date"),
        C("Status", "status", T.ACTION_STATUS, True, "Ej påbörjad, Pågår, Klar, Avbruten",
          "Status"),
        C("Klardatum", "completed_on", T.DATE, False, "Krävs när status är Klar",
          "Required when status is Klar"),
    ),
    required=False,
)
FOLLOW_UPS = Sheet(
    "Uppföljning", "uppfoljning", "follow_ups",
    (
        C("Enhetskod", "unit", T.CODE, True, "Enheten som rapporterar", "Reporting unit"),
        C("Period", "period", T.PERIOD, True, "Kvartal, t.ex. 2026-Q3", "Quarter, e.g. 2026-Q3"),
        C("Inlämnad", "submitted", T.BOOL, True, "Ja/Nej", "Yes/No"),
        C("Inlämningsdatum", "submitted_on", T.DATE, False, "Datum rapporten lämnades",
          "Submission date"),
        C("Andel utbildade (%)", "training_completion_pct", T.PERCENT, False,
          "Andel medarbetare som genomgått utbildning", "Staff training completion"),
        C("Senaste behörighetsöversyn", "last_access_review_on", T.DATE, False,
          "Datum för senaste översyn av behörigheter", "Date of last access-rights review"),
    ),
    required=False,
)
# fmt: on

ORGANISATION = WorkbookKind(
    "organisation",
    "Organisation",
    (
        COVER,
        MUNICIPALITIES,
        ADMINISTRATIONS,
        UNITS,
        ROLES,
        PROVIDERS,
        OBJECTS,
        PARTICIPANTS,
        AREAS,
        SETTINGS,
    ),
)
ADMINISTRATION = WorkbookKind(
    "administration",
    "Förvaltning",
    (COVER, ASSETS, CLASSIFICATIONS, RISK_ANALYSES, RISKS, GAP_ANALYSIS, ACTIONS, FOLLOW_UPS),
)
GOVERNANCE_OBJECT = WorkbookKind(
    "object",
    "Förvaltningsobjekt",
    (COVER, ASSETS, CLASSIFICATIONS, RISK_ANALYSES, RISKS, GAP_ANALYSIS, ACTIONS),
)
WORKBOOK_KINDS: dict[str, WorkbookKind] = {
    k.key: k for k in (ORGANISATION, ADMINISTRATION, GOVERNANCE_OBJECT)
}
KIND_BY_LABEL: dict[str, str] = {
    "organisation": "organisation",
    "förvaltning": "administration",
    "administration": "administration",
    "förvaltningsobjekt": "object",
    "object": "object",
}
ALL_SHEETS: tuple[Sheet, ...] = tuple(
    dict.fromkeys(s for k in WORKBOOK_KINDS.values() for s in k.sheets)
)

# Settings understood in the organisation workbook's "Inställningar" sheet.
SETTING_MATRIX_SIZE = "riskmatris_storlek"
