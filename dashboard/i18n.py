"""UI strings: Swedish first, English behind the language switch.

App-wide strings live here; a page keeps its own strings in a ``TEXT`` dict of the same shape
and looks them up with ``translate(TEXT, key, lang)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

Texts = Mapping[str, Mapping[str, str]]

TEXT: Texts = {
    "sv": {
        "app_title": "Infosäk",
        "app_subtitle": "Informationssäkerhetsarbetet i kommunen",
        "municipality": "Kommun",
        "administration": "Förvaltning",
        "as_of": "Per datum",
        "all_municipalities": "Alla kommuner",
        "all_administrations": "Alla förvaltningar",
        "administrations_after_municipality": "Välj kommun först",
        "language": "Språk",
        "empty_store_title": "Inga uppgifter ännu",
        "empty_store_body": (
            "Det finns inga inlästa arbetsböcker. Läs in organisationens och förvaltningarnas "
            "arbetsböcker med kommandot ”infosak load MAPP”, eller starta demoläget med "
            "”infosak demo”."
        ),
        "no_data": "Inga uppgifter för det här urvalet.",
        "error_title": "Något gick fel",
        "error_body": "Sidan kunde inte visa uppgifterna. Försök igen; felet är loggat.",
        "demo_banner": "Demoläge – påhittade uppgifter för Askersund och Sydnärke.",
        "not_found": "Sidan finns inte.",
        "back_home": "Till översikten",
        "change_since_quarter": "sedan förra kvartalet",
        "export_excel": "Exportera till Excel",
        "loading": "Hämtar …",
        "date_ignored": (
            "Datumet i adressen ({text}) kunde inte läsas och används inte; visar i dag."
        ),
    },
    "en": {
        "app_title": "Infosäk",
        "app_subtitle": "The municipality's information-security work",
        "municipality": "Municipality",
        "administration": "Administration",
        "as_of": "As of",
        "all_municipalities": "All municipalities",
        "all_administrations": "All administrations",
        "administrations_after_municipality": "Choose a municipality first",
        "language": "Language",
        "empty_store_title": "No data yet",
        "empty_store_body": (
            "No workbooks have been loaded. Load the organisation's and the administrations' "
            "workbooks with “infosak load FOLDER”, or start the demo with “infosak demo”."
        ),
        "no_data": "No data for this selection.",
        "error_title": "Something went wrong",
        "error_body": "The page could not show its data. Try again; the error has been logged.",
        "demo_banner": "Demo mode – fictional data for Askersund and Sydnärke.",
        "not_found": "This page does not exist.",
        "back_home": "Back to the overview",
        "change_since_quarter": "since last quarter",
        "export_excel": "Export to Excel",
        "loading": "Loading …",
        "date_ignored": (
            "The date in the address ({text}) could not be read and is not used; showing today."
        ),
    },
}


def translate(texts: Texts, key: str, lang: str = "sv") -> str:
    """The text for ``key`` in ``lang``, falling back to Swedish, then to the key itself."""
    return texts.get(lang, {}).get(key) or texts.get("sv", {}).get(key) or key


def translator(texts: Texts) -> Callable[[str, str], str]:
    """A page's lookup function over its own ``TEXT``: ``_tr = translator(TEXT)``."""

    def lookup(key: str, lang: str = "sv") -> str:
        return translate(texts, key, lang)

    return lookup


t = translator(TEXT)
