"""One short line per page and role: what the role sees there and why (DESIGN §5), shown under
the filters beside whose numbers they are (dashboard.scope_text). Which pages a role may open at
all is dashboard.auth.page_access's table; this only explains what an open page holds."""

from __future__ import annotations

# What each role sees anywhere, and why.
ROLE_NOTES: dict[str, dict[str, str]] = {
    "sv": {
        "ciso": "Som informationssäkerhetssamordnare ser du hela kommunen och dess gemensamma "
        "förvaltningsobjekt.",
        "security_officer": "Som informationssäkerhetshandläggare ser du din förvaltning och "
        "siffrorna för de objekt den deltar i.",
        "admin_head": "Som förvaltningschef ser du din förvaltning och siffrorna för de objekt "
        "den deltar i.",
        "manager": "Som informationsägare ser du dina enheter.",
        "committee": "Nämnden ser sammanställda siffror, aldrig enskilda tillgångar, risker "
        "eller åtgärder.",
        "dpo": "Som dataskyddsombud ser du kommunen, med personuppgifterna i fokus.",
        "protection_officer": "Som säkerhetsskyddschef ser du kommunen, även tillgångar med "
        "säkerhetsskydd.",
        "admin": "Som administratör ser du alla kommuner.",
    },
    "en": {
        "ciso": "As the information security coordinator you see the whole municipality and "
        "its shared governance objects.",
        "security_officer": "As a security officer you see your administration and the "
        "numbers of the objects it takes part in.",
        "admin_head": "As head of administration you see your administration and the numbers "
        "of the objects it takes part in.",
        "manager": "As an information owner you see your units.",
        "committee": "The committee sees aggregated numbers, never single assets, risks or "
        "actions.",
        "dpo": "As the data protection officer you see the municipality, with personal data "
        "in focus.",
        "protection_officer": "As the security protection officer you see the municipality, "
        "assets under security protection included.",
        "admin": "As an administrator you see every municipality.",
    },
}

# Where a page holds something else for a role than ROLE_NOTES says: (path, role) -> line.
PAGE_NOTES: dict[str, dict[tuple[str, str], str]] = {
    "sv": {
        ("/risker", "committee"): "Nämnden ser riskerna som matris och fördelning; enskilda "
        "risker listas inte.",
        ("/atgarder", "committee"): "Nämnden ser åtgärderna som siffror och diagram; enskilda "
        "åtgärder listas inte.",
        ("/tackning", "committee"): "Nämnden ser täckningen som siffror och diagram; enskilda "
        "tillgångar listas inte.",
        ("/forvaltningsobjekt", "security_officer"): "Du ser siffrorna för de objekt din "
        "förvaltning deltar i; objektens åtgärdslistor visas för kommunens samordnare.",
        ("/forvaltningsobjekt", "admin_head"): "Du ser siffrorna för de objekt din förvaltning "
        "deltar i; objektens åtgärdslistor visas för kommunens samordnare.",
        ("/forvaltningsobjekt", "manager"): "Du ser siffrorna för de objekt din förvaltning "
        "deltar i; objektens åtgärdslistor visas för kommunens samordnare.",
        ("/min-enhet", "manager"): "Det här är enhetens att göra-lista: det som ska klassas, "
        "riskanalyseras, ses över, åtgärdas och rapporteras, med datum.",
    },
    "en": {
        ("/risker", "committee"): "The committee sees the risks as a matrix and a breakdown; "
        "single risks are not listed.",
        ("/atgarder", "committee"): "The committee sees the actions as numbers and charts; "
        "single actions are not listed.",
        ("/tackning", "committee"): "The committee sees the coverage as numbers and charts; "
        "single assets are not listed.",
        ("/forvaltningsobjekt", "security_officer"): "You see the numbers of the objects your "
        "administration takes part in; their action lists are for the municipality's "
        "coordinator.",
        ("/forvaltningsobjekt", "admin_head"): "You see the numbers of the objects your "
        "administration takes part in; their action lists are for the municipality's "
        "coordinator.",
        ("/forvaltningsobjekt", "manager"): "You see the numbers of the objects your "
        "administration takes part in; their action lists are for the municipality's "
        "coordinator.",
        ("/min-enhet", "manager"): "This is the unit's to-do list: what is to be classified, "
        "risk-analysed, reviewed, acted on and reported, with dates.",
    },
}


def role_note(path: str, role: str, lang: str = "sv") -> str:
    """The line for ``role`` on the page at ``path`` ("" for the system, which is no person)."""
    lang = lang if lang in ROLE_NOTES else "sv"
    return PAGE_NOTES[lang].get((path, role)) or ROLE_NOTES[lang].get(role, "")
