"""The report's sentences, table headings and notes in Swedish and English.

``content.build_content`` writes every word of the report from this table (the template's own
words, such as section headings, are in ``text``). Each language has the same keys
(tests/test_report_english.py holds them to that). A count's word comes in two keys, ``_one``
and ``_many``: Swedish and English both change the noun (and English the verb) after 1.
"""

from __future__ import annotations

from collections.abc import Mapping

WORDS: Mapping[str, Mapping[str, str]] = {
    "sv": {
        # Table columns (the key figures and the shared objects).
        "col_assets": "Tillgångar",
        "col_classified": "Klassade",
        "col_risk_analysis": "Riskanalys",
        "col_overdue": "Försenade åtgärder",
        "col_high_risks": "Höga risker utan åtgärd",
        "col_gdpr": "I registret",
        "col_follow_up": "Uppföljning",
        # The self-assessed level, named so: the Mognad page's headline is the evidence-based one.
        "col_maturity": "Självskattad mognad",
        "shared_row": "Gemensamma förvaltningsobjekt",
        # The country's report (more municipalities than the pages list with administrations).
        "kpi_name_municipality": "Kommun",
        "kpi_note_by_municipality": (
            " Raderna är kommuner; varje kommuns förvaltningar står i kommunens egen rapport. "
            "En kommuns rad räknar med de gemensamma förvaltningsobjekt kommunen deltar i, så "
            "raderna summeras till rapportens totaler."
        ),
        "maturity_by_municipality": "Mognad per kommun (0–5)",
        # Errors shown to the user.
        "error_period": "Ogiltig period: {period}. Ange t.ex. 2026-Q3.",
        "error_scope": "Okänd kommun eller förvaltning: {code}.",
        "kind_organisation": "Organisation",
        "kind_administration": "Förvaltning",
        "kind_object": "Förvaltningsobjekt",
        "kind_administrations": "Förvaltningarnas arbetsböcker",
        "workbooks_one": "{n} arbetsbok",
        "workbooks_many": "{n} arbetsböcker",
        "stale_files_one": "{n} inaktuell (över 90 dagar)",
        "stale_files_many": "{n} inaktuella (över 90 dagar)",
        # Changes since the previous quarter, appended to a sentence.
        "trend_rate_same": ", samma andel som förra kvartalet",
        "trend_rate_up": ", {n} {unit} fler än förra kvartalet",
        "trend_rate_down": ", {n} {unit} färre än förra kvartalet",
        "point_one": "procentenhet",
        "point_many": "procentenheter",
        "trend_level_same": ", oförändrat sedan förra kvartalet",
        "trend_level_up": ", {n} högre än förra kvartalet",
        "trend_level_down": ", {n} lägre än förra kvartalet",
        "trend_count_same": ", lika många som förra kvartalet",
        "trend_count_up": ", {n} fler än förra kvartalet",
        "trend_count_down": ", {n} färre än förra kvartalet",
        # Scope.
        "scope_all": "alla kommuner",
        "scope_municipality": "{name} kommun",
        "title": "Informationssäkerhet – lägesrapport för {scope}",
        "subtitle": "Period {period}, läget per {date}",
        # Summary sentences.
        "no_assets": "Det finns inga informationstillgångar registrerade för rapportens omfång.",
        "classified": (
            "Av {assets} informationstillgångar har {classified} ({share}) en aktuell "
            "klassning{trend}."
        ),
        "expired_one": "{n} klassning har passerat sitt översynsdatum och behöver göras om.",
        "expired_many": "{n} klassningar har passerat sitt översynsdatum och behöver göras om.",
        "risk_analysed": (
            "{share} av tillgångarna ({n} st.) har en riskanalys från de senaste tre åren{trend}."
        ),
        "overdue": "Av {open} öppna åtgärder är {n} försenade{trend}.",
        "high_one": "{n} hög risk saknar planerad åtgärd.",
        "high_many": "{n} höga risker saknar planerad åtgärd.",
        "high_none": "Alla höga risker har en planerad åtgärd.",
        "gdpr": (
            "Av {total} tillgångar med personuppgifter finns {n} ({share}) i registerförteckningen."
        ),
        "follow_up": (
            "{n} av {total} enheter ({share}) har lämnat sin uppföljning för det senaste kvartalet."
        ),
        "stale_one": (
            "{n} källa har inte lästs in på mer än 90 dagar; siffrorna för dem kan vara inaktuella."
        ),
        "stale_many": (
            "{n} källor har inte lästs in på mer än 90 dagar; siffrorna för dem kan vara "
            "inaktuella."
        ),
        "laggard": (
            "Lägst andel aktuellt klassade tillgångar har {lowest} ({low}), högst har {highest} "
            "({high})."
        ),
        "org_ok": "Organisationen är på plats: alla kontrollerade roller är tillsatta.",
        "org_failed_one": "Organisationskontrollen visar {n} brist",
        "org_failed_many": "Organisationskontrollen visar {n} brister",
        "org_no_officer": "; informationssäkerhetshandläggare saknas i ",
        "and": " och ",
        # The key-figure table.
        "kpi_name": "Förvaltning",
        "whole_municipality": "{name} (hela kommunen)",
        "kpi_note": (
            "Inom parentes: förändring sedan förra kvartalet ({date}); för andelar i "
            "procentenheter."
        ),
        "kpi_note_shared": (
            " Under varje kommun står dess förvaltningar och raden Gemensamma "
            "förvaltningsobjekt: de gemensamma förvaltningsobjektens åtgärder och risker som "
            "räknas för kommunen men inte för någon av dess förvaltningar. Tillsammans ger "
            "raderna kommunens tillgångar, försenade åtgärder och höga risker utan åtgärd."
        ),
        # The organisation table.
        "yes": "Ja",
        "no": "Nej",
        "share_of": "{n} av {total}",
        "org_name": "Kommun / förvaltning",
        "org_ciso": "CISO",
        "org_security_officer": "Säkerhetshandläggare",
        "org_dpo": "Dataskyddsombud",
        "org_protection_officer": "Säkerhetsskyddschef",
        "org_unit_managers": "Enheter med chef",
        "org_failed": "Brister",
        # The shared objects' table.
        "object_name": "Förvaltningsobjekt",
        "provider": "Leverantör",
        "participants": "Deltagare",
        "more_municipalities_one": "{n} kommun till",
        "more_municipalities_many": "{n} kommuner till",
        "objects_hidden": (
            "De gemensamma förvaltningsobjekten visas inte var för sig för din roll; det som "
            "räknas för en kommun ingår i tabellen ovan, på raden Gemensamma förvaltningsobjekt."
        ),
        "objects_none": "Inga gemensamma förvaltningsobjekt berör rapportens omfång.",
        # The data sources' table.
        "source": "Källa",
        "source_kind": "Typ",
        "source_file": "Fil",
        "source_loaded": "Inläst",
        "source_age": "Ålder",
        "source_status": "Status",
        "days": "{n} dagar",
        "stale": "Inaktuell (över 90 dagar)",
        "current": "Aktuell",
        "lineage_note": (
            "Varje källa visas med sin senast godkända inläsning. En källa vars inläsning är "
            "äldre än 90 dagar vid rapportdatum markeras som inaktuell."
        ),
        "lineage_none": "Inga inläsningar finns registrerade för rapportens omfång.",
        "lineage_note_by_municipality": (
            " Förvaltningarnas arbetsböcker räknas per kommun, med den äldsta inläsningen; "
            "varje fil står i kommunens egen rapport."
        ),
        # Footnotes.
        "footnote_aggregates": (
            "Rapporten innehåller bara sammanställda uppgifter (förvaltning och högre nivå): "
            "inga enskilda informationstillgångar, risker eller personer."
        ),
        "footnote_trend": (
            "Försenade åtgärder över tid är räknade ur dagens uppgifter per månadsskifte."
        ),
        "footnote_generated": "Framtagen {when} (svensk tid).",
    },
    "en": {
        "col_assets": "Assets",
        "col_classified": "Classified",
        "col_risk_analysis": "Risk analysis",
        "col_overdue": "Overdue actions",
        "col_high_risks": "High risks without action",
        "col_gdpr": "In the register",
        "col_follow_up": "Follow-up",
        "col_maturity": "Self-assessed maturity",
        "shared_row": "Shared governance objects",
        "kpi_name_municipality": "Municipality",
        "kpi_note_by_municipality": (
            " The rows are municipalities; each municipality's administrations are listed in "
            "the municipality's own report. A municipality's row counts the shared governance "
            "objects it takes part in, so the rows add up to the report's totals."
        ),
        "maturity_by_municipality": "Maturity per municipality (0–5)",
        "error_period": "Invalid period: {period}. Give e.g. 2026-Q3.",
        "error_scope": "Unknown municipality or administration: {code}.",
        "kind_organisation": "Organisation",
        "kind_administration": "Administration",
        "kind_object": "Governance object",
        "kind_administrations": "The administrations' workbooks",
        "workbooks_one": "{n} workbook",
        "workbooks_many": "{n} workbooks",
        "stale_files_one": "{n} out of date (over 90 days)",
        "stale_files_many": "{n} out of date (over 90 days)",
        "trend_rate_same": ", the same share as last quarter",
        "trend_rate_up": ", {n} {unit} higher than last quarter",
        "trend_rate_down": ", {n} {unit} lower than last quarter",
        "point_one": "percentage point",
        "point_many": "percentage points",
        "trend_level_same": ", unchanged since last quarter",
        "trend_level_up": ", {n} higher than last quarter",
        "trend_level_down": ", {n} lower than last quarter",
        "trend_count_same": ", as many as last quarter",
        "trend_count_up": ", {n} more than last quarter",
        "trend_count_down": ", {n} fewer than last quarter",
        "scope_all": "all municipalities",
        "scope_municipality": "{name} municipality",
        "title": "Information security – status report for {scope}",
        "subtitle": "Period {period}, status as of {date}",
        "no_assets": "No information assets are registered within the report's scope.",
        "classified": (
            "Of {assets} information assets, {classified} ({share}) have a current "
            "classification{trend}."
        ),
        "expired_one": "{n} classification has passed its review date and must be redone.",
        "expired_many": "{n} classifications have passed their review date and must be redone.",
        "risk_analysed": (
            "{share} of the assets ({n}) have a risk analysis from the last three years{trend}."
        ),
        "overdue": "Of {open} open actions, {n} are overdue{trend}.",
        "high_one": "{n} high risk has no planned action.",
        "high_many": "{n} high risks have no planned action.",
        "high_none": "Every high risk has a planned action.",
        "gdpr": (
            "Of {total} assets with personal data, {n} ({share}) are in the record of "
            "processing activities."
        ),
        "follow_up": (
            "{n} of {total} units ({share}) have submitted their follow-up for the latest quarter."
        ),
        "stale_one": (
            "{n} source has not been loaded for more than 90 days; its figures may be out of date."
        ),
        "stale_many": (
            "{n} sources have not been loaded for more than 90 days; their figures may be out "
            "of date."
        ),
        "laggard": (
            "The lowest share of currently classified assets is in {lowest} ({low}), the "
            "highest in {highest} ({high})."
        ),
        "org_ok": "The organisation is in place: every role checked is filled.",
        "org_failed_one": "The organisation check shows {n} gap",
        "org_failed_many": "The organisation check shows {n} gaps",
        "org_no_officer": "; no information security officer in ",
        "and": " and ",
        "kpi_name": "Administration",
        "whole_municipality": "{name} (whole municipality)",
        "kpi_note": (
            "In brackets: change since last quarter ({date}); for shares in percentage points."
        ),
        "kpi_note_shared": (
            " Under each municipality come its administrations and the row Shared governance "
            "objects: the shared governance objects' actions and risks that count for the "
            "municipality but for none of its administrations. Together the rows give the "
            "municipality's assets, overdue actions and high risks without action."
        ),
        "yes": "Yes",
        "no": "No",
        "share_of": "{n} of {total}",
        "org_name": "Municipality / administration",
        "org_ciso": "CISO",
        "org_security_officer": "Security officer",
        "org_dpo": "Data protection officer",
        "org_protection_officer": "Protective security officer",
        "org_unit_managers": "Units with a manager",
        "org_failed": "Gaps",
        "object_name": "Governance object",
        "provider": "Provider",
        "participants": "Participants",
        "more_municipalities_one": "{n} more municipality",
        "more_municipalities_many": "{n} more municipalities",
        "objects_hidden": (
            "The shared governance objects are not shown one by one for your role; what counts "
            "for a municipality is in the table above, on the row Shared governance objects."
        ),
        "objects_none": "No shared governance objects concern the report's scope.",
        "source": "Source",
        "source_kind": "Type",
        "source_file": "File",
        "source_loaded": "Loaded",
        "source_age": "Age",
        "source_status": "Status",
        "days": "{n} days",
        "stale": "Out of date (over 90 days)",
        "current": "Current",
        "lineage_note": (
            "Each source is shown with its latest accepted load. A source whose load is more "
            "than 90 days old on the report date is marked as out of date."
        ),
        "lineage_none": "No loads are registered within the report's scope.",
        "lineage_note_by_municipality": (
            " The administrations' workbooks are counted per municipality, with the oldest "
            "load; each file is listed in the municipality's own report."
        ),
        "footnote_aggregates": (
            "The report holds aggregated figures only (administration level and above): no "
            "individual information assets, risks or people."
        ),
        "footnote_trend": (
            "Overdue actions over time are counted from today's data at each month end."
        ),
        "footnote_generated": "Produced {when} (Swedish time).",
    },
}


def words(lang: str) -> Mapping[str, str]:
    """The report's words in ``lang`` (Swedish for any language without a table)."""
    return WORDS.get(lang, WORDS["sv"])


def counted(count, key: str, lang: str) -> str:
    """The ``_one`` or ``_many`` form of ``key`` for ``count``."""
    return words(lang)[f"{key}_one" if count == 1 else f"{key}_many"]


__all__ = ["WORDS", "counted", "words"]
