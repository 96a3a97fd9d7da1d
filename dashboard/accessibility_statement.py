"""The accessibility statement (tillgänglighetsredogörelse) required by the Swedish law on
accessibility to digital public services (2018:1937), in the structure of DIGG's model.

One text, two renderings: ``statement_components`` for the Dash page (dashboard/pages/
accessibility.py) and ``statement_html`` for the public, script-free page that the server
answers at the same path (``install_statement_route``), so that someone who cannot log in can
still read it and report a problem.

The reporting address comes from INFOSAK_ACCESSIBILITY_CONTACT (an e-mail address becomes a
mailto link); without it the statement points to the municipality's registry.
"""

from __future__ import annotations

import datetime as dt
import os

from flask import Flask, render_template_string, request

from dashboard.i18n import Texts, translate

STATEMENT_PATH = "/tillganglighet"
CONTACT_ENV = "INFOSAK_ACCESSIBILITY_CONTACT"
# The date of the last review of the service against WCAG 2.1 AA (update with each review).
LAST_REVIEWED = dt.date(2026, 12, 6)

TEXT: Texts = {
    "sv": {
        "title": "Tillgänglighetsredogörelse för Infosäk",
        "intro": (
            "Kommunen står bakom Infosäk, tjänsten för uppföljning av informationssäkerhetsarbetet. "
            "Vi vill att så många som möjligt ska kunna använda den. Här beskriver vi hur Infosäk "
            "uppfyller lagen (2018:1937) om tillgänglighet till digital offentlig service, vilka "
            "kända brister som finns och hur du kan rapportera brister till oss så att vi kan "
            "åtgärda dem."
        ),
        "how_h": "Hur tillgänglig är tjänsten?",
        "how": (
            "Vi vet att delar av tjänsten inte är helt tillgängliga. Se avsnittet om innehåll som "
            "inte är tillgängligt nedan."
        ),
        "alt_h": "Vad kan du göra om du inte kan använda delar av tjänsten?",
        "alt": (
            "Om du behöver innehållet i en annan form, till exempel rapportens siffror som "
            "tillgänglig text, kontakta oss på adressen nedan. Rapportens siffror finns också som "
            "Excel-arbetsbok på sidan Rapport."
        ),
        "report_h": "Rapportera brister i tjänstens tillgänglighet",
        "report": (
            "Vi strävar hela tiden efter att förbättra tjänstens tillgänglighet. Om du upptäcker "
            "problem som inte beskrivs på den här sidan, eller om du anser att vi inte uppfyller "
            "lagens krav, meddela oss så att vi får veta att problemet finns:"
        ),
        "contact_default": (
            "kommunens registratur (kontaktuppgifterna finns på kommunens webbplats); "
            "ange ”Infosäk – tillgänglighet” i ärendet"
        ),
        "enforce_h": "Tillsyn",
        "enforce": (
            "Myndigheten för digital förvaltning (DIGG) har ansvaret för tillsyn över lagen om "
            "tillgänglighet till digital offentlig service. Om du inte är nöjd med hur vi hanterar "
            "dina synpunkter kan du kontakta DIGG och påtala det:"
        ),
        "digg": "Anmäl brist på digg.se",
        "tech_h": "Teknisk information om tjänstens tillgänglighet",
        "tech": (
            "Tjänsten är delvis förenlig med lagen om tillgänglighet till digital offentlig "
            "service, på grund av de brister som beskrivs nedan."
        ),
        "gaps_h": "Innehåll som inte är tillgängligt",
        "gaps": [
            "Nämndrapportens PDF är taggad enligt PDF/UA-1 (språk, rubriker, tabeller med "
            "rubrikceller, diagram med textalternativ som bär siffrorna) och prövas automatiskt, "
            "men har ännu inte granskats med veraPDF eller med skärmläsare. Samma siffror finns "
            "i rapportens Excel-arbetsbok.",
            "Vid 320 pixlars bredd blir diagrammen små och mognadsprofilens områdesnamn får inte "
            "plats; diagrammets tabell (”Visa som tabell”) är då den läsbara formen.",
            "Rullgardinsmenyerna (från ramverket Dash) får sina tillgänglighetsattribut av ett "
            "eget skript; utan JavaScript fungerar inte tjänsten alls.",
        ],
        "tested_h": "Hur vi testat tjänsten",
        "tested": (
            "Vi har själva granskat tjänsten. Varje sida prövas automatiskt med axe-core mot WCAG "
            "2.1 nivå A och AA för varje roll, på svenska och engelska, och ett test går igenom "
            "inloggning, filter, sortering och export med enbart tangentbord."
        ),
        "reviewed": "Senaste bedömningen gjordes den {date}. Redogörelsen uppdaterades senast den {date}.",
        "back": "Till Infosäk",
        "other_language": "English",
        "other_lang": "en",
    },
    "en": {
        "title": "Accessibility statement for Infosäk",
        "intro": (
            "The municipality runs Infosäk, the service that follows up its information-security "
            "work. We want as many people as possible to be able to use it. This statement "
            "describes how Infosäk meets the Swedish law (2018:1937) on accessibility to digital "
            "public services, which problems we know of and how to report a problem to us so "
            "that we can fix it."
        ),
        "how_h": "How accessible is the service?",
        "how": (
            "We know that parts of the service are not fully accessible. See the section on "
            "content that is not accessible below."
        ),
        "alt_h": "What can you do if you cannot use parts of the service?",
        "alt": (
            "If you need the content in another form, for example the report's figures as "
            "accessible text, contact us at the address below. The report's figures are also "
            "available as an Excel workbook on the Report page."
        ),
        "report_h": "Reporting accessibility problems",
        "report": (
            "We keep working to improve the service's accessibility. If you find a problem not "
            "described on this page, or think that we do not meet the law's requirements, let us "
            "know:"
        ),
        "contact_default": (
            "the municipality's registry (contact details on the municipality's website); "
            "mark your message “Infosäk – accessibility”"
        ),
        "enforce_h": "Enforcement procedure",
        "enforce": (
            "The Agency for Digital Government (DIGG) is responsible for enforcing the law on "
            "accessibility to digital public services. If you are not satisfied with how we "
            "handle your report, you can contact DIGG:"
        ),
        "digg": "Report a problem at digg.se",
        "tech_h": "Technical information about the service's accessibility",
        "tech": (
            "The service is partially compliant with the law on accessibility to digital public "
            "services, because of the shortcomings listed below."
        ),
        "gaps_h": "Content that is not accessible",
        "gaps": [
            "The committee report's PDF is tagged as PDF/UA-1 (language, headings, tables with "
            "header cells, charts with text alternatives carrying their figures) and checked "
            "automatically, but has not yet been reviewed with veraPDF or a screen reader. The "
            "same figures are in the report's Excel workbook.",
            "At 320 pixels width the charts are small and the maturity profile's area names do "
            "not fit; the chart's table (“Show as table”) is then the readable form.",
            "The drop-down menus (from the Dash framework) get their accessibility attributes "
            "from a script of our own; without JavaScript the service does not work at all.",
        ],
        "tested_h": "How we tested the service",
        "tested": (
            "We reviewed the service ourselves. Every page is checked automatically with axe-core "
            "against WCAG 2.1 levels A and AA for every role, in Swedish and English, and a test "
            "walks through login, filters, sorting and export with the keyboard alone."
        ),
        "reviewed": "The last review was made on {date}. This statement was last updated on {date}.",
        "back": "Back to Infosäk",
        "other_language": "Svenska",
        "other_lang": "sv",
    },
}


def _t(key: str, lang: str):
    return TEXT.get(lang, TEXT["sv"]).get(key) or translate(TEXT, key, lang)


def contact(lang: str) -> tuple[str, str | None]:
    """The reporting address as (text, mailto href or None)."""
    value = os.environ.get(CONTACT_ENV, "").strip()
    if not value:
        return _t("contact_default", lang), None
    return value, (f"mailto:{value}" if "@" in value and " " not in value else None)


def sections(lang: str) -> list[dict]:
    """The statement as data: headings with paragraphs, a list, a contact or a link."""
    text, href = contact(lang)
    return [
        {"heading": None, "paragraphs": [_t("intro", lang)]},
        {"heading": _t("how_h", lang), "paragraphs": [_t("how", lang)]},
        {"heading": _t("alt_h", lang), "paragraphs": [_t("alt", lang)]},
        {
            "heading": _t("report_h", lang),
            "paragraphs": [_t("report", lang)],
            "contact": {"text": text, "href": href},
        },
        {
            "heading": _t("enforce_h", lang),
            "paragraphs": [_t("enforce", lang)],
            "link": {"text": _t("digg", lang), "href": "https://www.digg.se/tdosanmalan"},
        },
        {"heading": _t("tech_h", lang), "paragraphs": [_t("tech", lang)]},
        {"heading": _t("gaps_h", lang), "paragraphs": [], "items": _t("gaps", lang)},
        {
            "heading": _t("tested_h", lang),
            "paragraphs": [
                _t("tested", lang),
                _t("reviewed", lang).format(date=LAST_REVIEWED.isoformat()),
            ],
        },
    ]


PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} – Infosäk</title>
<link rel="stylesheet" href="/assets/00-bootstrap-5.3.3.min.css">
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<a class="visually-hidden-focusable app-skip-link" href="#main">{{ skip }}</a>
<main class="container py-5" id="main" tabindex="-1" style="max-width: 48rem">
  <div class="d-flex flex-wrap justify-content-between align-items-baseline column-gap-3">
    <h1 class="h3" style="min-width: 0">{{ title }}</h1>
    <a href="{{ path }}?sprak={{ other_lang }}" lang="{{ other_lang }}">{{ other_language }}</a>
  </div>
  {% for s in sections %}
  <section>
    {% if s.heading %}<h2 class="h5 mt-4">{{ s.heading }}</h2>{% endif %}
    {% for p in s.paragraphs %}<p>{{ p }}</p>{% endfor %}
    {% if s.get('items') %}<ul>{% for i in s.get('items') %}<li>{{ i }}</li>{% endfor %}</ul>{% endif %}
    {% if s.contact %}<p id="statement-contact">{% if s.contact.href %}<a href="{{ s.contact.href }}">{{ s.contact.text }}</a>{% else %}{{ s.contact.text }}{% endif %}</p>{% endif %}
    {% if s.link %}<p><a href="{{ s.link.href }}">{{ s.link.text }}</a></p>{% endif %}
  </section>
  {% endfor %}
  <p class="mt-4"><a href="/?sprak={{ lang }}">{{ back }}</a></p>
</main>
</body>
</html>
"""


def statement_html(lang: str) -> str:
    lang = lang if lang in TEXT else "sv"
    return render_template_string(
        PAGE,
        lang=lang,
        title=_t("title", lang),
        sections=sections(lang),
        back=_t("back", lang),
        skip="Hoppa till innehållet" if lang == "sv" else "Skip to content",
        path=STATEMENT_PATH,
        other_lang=_t("other_lang", lang),
        other_language=_t("other_language", lang),
    )


def install_statement_route(server: Flask) -> None:
    """Answer GET /tillganglighet with the plain page, logged in or not (the guard lists the
    path as public). Inside the app, links to it are followed by the Dash page instead."""

    def accessibility_statement():
        return statement_html(request.args.get("sprak", "sv"))

    server.add_url_rule(STATEMENT_PATH, "accessibility_statement", accessibility_statement)
