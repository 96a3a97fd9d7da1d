"""The PDF layout's own words (headings, notes, chart descriptions) in Swedish and English.

The report's sentences and table headings come from ``content.build_content``; this table holds
only what the PDF template adds around them, so that one ``lang`` switches every word the
template writes. Each language's entry has the same keys (tests/test_report_pdf_tagged.py holds
them to that).
"""

from __future__ import annotations

from collections.abc import Mapping

# The PDF's /Lang for each language of the text table (BCP 47, as the HTML lang attribute).
PDF_LANG = {"sv": "sv-SE", "en": "en"}

TEXT: Mapping[str, Mapping[str, str]] = {
    "sv": {
        "summary": "Sammanfattning",
        "kpi_table": "Nyckeltal per förvaltning",
        "funnel": "Täckningstratten",
        "trend": "Försenade åtgärder över tid",
        "maturity": "Mognad per förvaltning (0–5)",
        "organisation": "Organisationskontroll",
        "objects": "Gemensamma förvaltningsobjekt",
        "lineage": "Datakällor",
        "no_data": "Inga uppgifter.",
        "no_maturity": "Ingen mognad är bedömd ännu.",
        "page": "Sida",
        "page_of": "av",
        "order_note": (
            "Ordning: kommunerna i bokstavsordning (svensk sortering, å ä ö sist), var och en "
            "följd av sina förvaltningar i bokstavsordning och de gemensamma "
            "förvaltningsobjektens del, så att raderna under en kommun summerar till den."
        ),
        "organisation_order_note": (
            "Ordning: kommunerna i bokstavsordning, var och en följd av sina förvaltningar i "
            "bokstavsordning."
        ),
        "funnel_alt": "Stapeldiagram, täckningstratten: {items}.",
        "trend_alt": (
            "Linjediagram, antal försenade åtgärder vid varje månadsskifte och på rapportdagen: "
            "{items}."
        ),
        "maturity_alt": (
            "Stapeldiagram, mognad på skalan 0–5 per förvaltning (självskattad, belagd): {items}."
        ),
        "maturity_item": "{name} självskattad {self}, belagd {evidence}",
        "self_assessed": "Självskattad",
        "evidence_based": "Belagd",
        "maturity_name": "Förvaltning",
        "maturity_table_note": (
            "Mognaden visas som tabell när rapporten omfattar fler än {limit} förvaltningar."
        ),
    },
    "en": {
        "summary": "Summary",
        "kpi_table": "Key figures per administration",
        "funnel": "Coverage funnel",
        "trend": "Overdue actions over time",
        "maturity": "Maturity per administration (0–5)",
        "organisation": "Organisation check",
        "objects": "Shared governance objects",
        "lineage": "Data sources",
        "no_data": "No data.",
        "no_maturity": "No maturity has been assessed yet.",
        "page": "Page",
        "page_of": "of",
        "order_note": (
            "Order: municipalities alphabetically (Swedish collation, å ä ö last), each followed "
            "by its administrations alphabetically and the shared governance objects' part, so "
            "that the rows under a municipality add up to it."
        ),
        "organisation_order_note": (
            "Order: municipalities alphabetically, each followed by its administrations "
            "alphabetically."
        ),
        "funnel_alt": "Bar chart, coverage funnel: {items}.",
        "trend_alt": (
            "Line chart, number of overdue actions at each month end and on the report date: "
            "{items}."
        ),
        "maturity_alt": (
            "Bar chart, maturity on the scale 0–5 per administration (self-assessed, "
            "evidence-based): {items}."
        ),
        "maturity_item": "{name} self-assessed {self}, evidence-based {evidence}",
        "self_assessed": "Self-assessed",
        "evidence_based": "Evidence-based",
        "maturity_name": "Administration",
        "maturity_table_note": (
            "Maturity is shown as a table when the report covers more than {limit} administrations."
        ),
    },
}


def report_text(lang: str) -> Mapping[str, str]:
    """The template's words in ``lang`` (Swedish for any language without a table)."""
    return TEXT.get(lang, TEXT["sv"])


def pdf_lang(lang: str) -> str:
    return PDF_LANG.get(lang, PDF_LANG["sv"])


__all__ = ["PDF_LANG", "TEXT", "pdf_lang", "report_text"]
