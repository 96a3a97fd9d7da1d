"""The closed vocabularies of the domain: stored codes and the Swedish words owners write.

Each vocabulary maps a stored code (English, as in the models) to its Swedish label. Parsing
accepts the code, the label, a documented synonym or the number, ignoring case and spaces.
"""

from __future__ import annotations

# Classification levels 0–4 per aspect (KLASSA-style label set).
CLASSIFICATION_LEVELS: dict[int, str] = {
    0: "Försumbar",
    1: "Måttlig",
    2: "Betydande",
    3: "Allvarlig",
    4: "Synnerligen allvarlig",
}
DEFAULT_LABEL_SET = "KLASSA"

# Gap-analysis maturity levels 0–5.
MATURITY_LEVELS: dict[int, str] = {
    0: "Saknas",
    1: "Initial",
    2: "Upprepbar",
    3: "Definierad",
    4: "Styrd",
    5: "Optimerad",
}

# Risk scales 1–4 (default matrix size 4).
LIKELIHOOD_LEVELS: dict[int, str] = {1: "Låg", 2: "Medel", 3: "Hög", 4: "Mycket hög"}
CONSEQUENCE_LEVELS: dict[int, str] = {1: "Liten", 2: "Måttlig", 3: "Betydande", 4: "Allvarlig"}
DEFAULT_MATRIX_SIZE = 4

TREATMENTS: dict[str, str] = {
    "reduce": "Reducera",
    "accept": "Acceptera",
    "transfer": "Överföra",
    "avoid": "Undvika",
}
TREATMENT_SYNONYMS: dict[str, str] = {
    "minska": "reduce",
    "åtgärda": "reduce",
    "överför": "transfer",
    "undvik": "avoid",
    "acceptera": "accept",
}

ACTION_STATUSES: dict[str, str] = {
    "not_started": "Ej påbörjad",
    "in_progress": "Pågår",
    "done": "Klar",
    "cancelled": "Avbruten",
}
CLOSED_ACTION_STATUSES = ("done", "cancelled")

CARRIER_TYPES: dict[str, str] = {
    "it_system": "IT-system",
    "cloud_service": "Molntjänst",
    "binder": "Pärm",
    "document_cabinet": "Dokumentskåp",
    "other": "Annat",
}

PERSONAL_DATA: dict[str, str] = {"no": "Nej", "yes": "Ja", "sensitive": "Känsliga"}
PERSONAL_DATA_SYNONYMS: dict[str, str] = {
    "känsliga personuppgifter": "sensitive",
    "känslig": "sensitive",
}

ROLES: dict[str, str] = {
    "ciso": "Informationssäkerhetssamordnare (CISO)",
    "security_officer": "Informationssäkerhetshandläggare",
    "admin_head": "Förvaltningschef",
    "manager": "Chef (informationsägare)",
    "dpo": "Dataskyddsombud",
    "protection_officer": "Säkerhetsskyddschef",
    "function_admin": "Funktionsansvarig",
}
ROLE_SYNONYMS: dict[str, str] = {
    "ciso": "ciso",
    "informationssäkerhetssamordnare": "ciso",
    "informationssäkerhetshandläggare": "security_officer",
    "förvaltningschef": "admin_head",
    "chef": "manager",
    "informationsägare": "manager",
    "dataskyddsombud": "dpo",
    "säkerhetsskyddschef": "protection_officer",
    "funktionsansvarig": "function_admin",
}

YES_WORDS = {"ja", "j", "yes", "y", "true", "sant", "1", "x"}
NO_WORDS = {"nej", "n", "no", "false", "falskt", "0"}

# Default gap-analysis area catalogue (DESIGN §3); the organisation workbook may replace it.
DEFAULT_MATURITY_AREAS: list[tuple[str, str]] = [
    ("organisation", "Organisation och roller"),
    ("styrdokument", "Styrdokument"),
    ("klassning", "Informationsklassning"),
    ("riskhantering", "Riskhantering"),
    ("atgardsuppfoljning", "Åtgärdsuppföljning"),
    ("behorighet", "Behörighetsstyrning"),
    ("kompetens", "Kompetens och utbildning"),
    ("personuppgifter", "Personuppgiftsbehandling"),
    ("incidenter", "Incidenthantering"),
    ("kontinuitet", "Kontinuitet"),
    ("leverantorer", "Leverantörer och samverkan"),
]
# The default areas' English names, by code: the one place the English UI and report take them
# from. An area an organisation adds to its own catalogue keeps the name it was given.
MATURITY_AREAS_EN: dict[str, str] = {
    "organisation": "Organisation and roles",
    "styrdokument": "Policy documents",
    "klassning": "Information classification",
    "riskhantering": "Risk management",
    "atgardsuppfoljning": "Action follow-up",
    "behorighet": "Access control",
    "kompetens": "Competence and training",
    "personuppgifter": "Personal data processing",
    "incidenter": "Incident management",
    "kontinuitet": "Continuity",
    "leverantorer": "Suppliers and cooperation",
}


def area_name(code: str, stored_name: str, lang: str = "sv") -> str:
    """A maturity area's name in ``lang``: the stored (Swedish) name, or in English the default
    area's English name; an organisation's own area keeps its stored name."""
    if lang == "en":
        return MATURITY_AREAS_EN.get(code, stored_name)
    return stored_name


def normalise(text: object) -> str:
    """Lower-case and collapse whitespace: how owners' words are compared."""
    return " ".join(str(text).split()).casefold()


def parse_choice(
    raw: object, vocabulary: dict[str, str], synonyms: dict[str, str] | None = None
) -> str | None:
    """The stored code for a code, label or synonym; None when it is not in the vocabulary."""
    word = normalise(raw)
    for code, label in vocabulary.items():
        if word in (code.casefold(), normalise(label)):
            return code
    if synonyms and word in synonyms:
        return synonyms[word]
    return None


def parse_level(raw: object, labels: dict[int, str]) -> int | None:
    """A level given as number ("2", 2, 2.0) or label ("Betydande"); None when neither."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return int(raw) if float(raw).is_integer() and int(raw) in labels else None
    word = normalise(raw)
    for number, label in labels.items():
        if word in (str(number), f"{number}.0", normalise(label), f"{number} {normalise(label)}"):
            return number
        if word.startswith(f"{number} -") or word.startswith(f"{number} –"):
            return number
    return None


def parse_bool(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    word = normalise(raw)
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def high_risk_threshold(matrix_size: int) -> int:
    """Score at or above which a risk is high: 9 on the 4×4 matrix, scaled for other sizes."""
    return max(1, round(9 * matrix_size * matrix_size / 16))
