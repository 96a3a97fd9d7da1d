"""``ReportContent`` as one HTML document, the source of the tagged PDF.

The HTML carries the structure the PDF's tags are made from: ``lang`` on the root (the PDF's
/Lang), ``<title>`` (the title a reader shows), one ``h1`` and an ``h2`` per section, tables
with ``th scope="col"`` column headers and ``th scope="row"`` row headers, and each chart as an
``img`` whose ``alt`` names its numbers. Content order is reading order: nothing is positioned
out of flow. Every text from the report goes through ``escape`` (names from uploaded workbooks
must not become markup), every word of the template through the sv/en table in ``text``.
"""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.markup import pdf_markup as escape
from dashboard.report import charts
from dashboard.report.content import ReportContent
from dashboard.report.content import Table as ContentTable
from dashboard.report.text import pdf_lang, report_text
from dashboard.report.words import words
from etl.formatting import format_number

# Past this many administrations a bar per administration no longer fits a page: the maturity
# is then a table (which also reads better than a long figure description).
MATURITY_CHART_LIMIT = 30
# The organisation table marks an administration under its municipality with leading spaces.
_INDENT = "  "

PAGE = """
@page {
  size: A4;
  margin: 15mm 15mm 18mm 15mm;
  @bottom-left { content: string(doctitle); font-size: 7pt; color: #555; }
  @bottom-right {
    content: "%(page)s " counter(page) " %(of)s " counter(pages);
    font-size: 7pt; color: #555;
  }
}
"""
STYLE = """
/* Words break only at spaces: no hyphenation, no break inside a word (a name such as
   Kommunledningsförvaltningen stays whole; its column widens instead). The three properties
   are inherited, so the root sets them for every element (a universal selector would be
   matched against each of the national report's tens of thousands of elements). */
html {
  font-family: "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 10pt; color: #222;
  hyphens: none; overflow-wrap: normal; word-break: normal;
}
h1 { font-size: 16pt; margin: 0 0 2pt 0; string-set: doctitle content(); }
h2 { font-size: 12pt; margin: 12pt 0 4pt 0; break-after: avoid; }
p { margin: 0 0 4pt 0; line-height: 1.35; }
.subtitle { color: #555; margin-bottom: 10pt; }
.note { font-size: 7.5pt; color: #555; }
table { border-collapse: collapse; width: 100%; font-size: 7pt; margin-bottom: 3pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 0.25pt solid #b0b8c0; padding: 2pt 3pt; vertical-align: top; text-align: left; }
thead th { background: #dce6f0; }
tbody th { font-weight: normal; }
tr.even { background: #f4f6f8; }
th.indent { padding-left: 10pt; }
.chart { break-inside: avoid; }
img { display: block; max-width: 100%; }
"""


def _table(table: ContentTable, text: Mapping[str, str], css_class: str) -> str:
    if not table.rows:
        return f'<p class="note">{escape(table.note or text["no_data"])}</p>'
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in table.headers)
    body = []
    for number, row in enumerate(table.rows):
        name, *cells = row
        indent = ' class="indent"' if name.startswith(_INDENT) else ""
        # Striped rows by a class, not by :nth-child (matched sibling by sibling, that selector
        # costs seconds on the national report's thousand-row tables).
        stripe = ' class="even"' if number % 2 else ""
        body.append(
            f'<tr{stripe}><th scope="row"{indent}>{escape(name.strip())}</th>'
            + "".join(f"<td>{escape(cell)}</td>" for cell in cells)
            + "</tr>"
        )
    out = (
        f'<table class="{css_class}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
    if table.note:
        out += f'<p class="note">{escape(table.note)}</p>'
    return out


def _figure(chart: charts.Chart) -> str:
    return (
        f'<img src="{chart.data_uri()}" alt="{escape(chart.alt)}" '
        f'style="width: {chart.width}px; height: {chart.height}px">'
    )


def _section(heading: str, body: str, css_class: str = "") -> str:
    attr = f' class="{css_class}"' if css_class else ""
    return f"<section{attr}><h2>{escape(heading)}</h2>{body}</section>"


def _maturity(content: ReportContent, text: Mapping[str, str], lang: str) -> str:
    rated = [r for r in content.maturity if r[1] is not None or r[2] is not None]
    if not rated:
        return f'<p class="note">{escape(text["no_maturity"])}</p>'
    if len(rated) <= MATURITY_CHART_LIMIT:
        return _figure(charts.maturity_chart(rated, text, lang))
    # The country's report rates municipalities (its maturity heading says so).
    by_municipality = bool(content.maturity_heading)
    name_header = words(lang)["kpi_name_municipality"] if by_municipality else text["maturity_name"]
    table = ContentTable(
        [name_header, text["self_assessed"], text["evidence_based"]],
        [[name, format_number(a, 1, lang), format_number(b, 1, lang)] for name, a, b in rated],
        text["maturity_table_note"].format(limit=MATURITY_CHART_LIMIT),
    )
    return _table(table, text, "maturity")


def report_html(content: ReportContent, lang: str | None = None) -> str:
    """The whole report as an HTML document in ``lang`` (the template's words; the report's
    sentences are as ``content`` has them), by default in the content's own language."""
    lang = lang or content.lang
    text = report_text(lang)
    no_data = f'<p class="note">{escape(text["no_data"])}</p>'
    summary = "".join(f"<p>{escape(sentence)}</p>" for sentence in content.summary)
    kpi = f'<p class="note">{escape(text["order_note"])}</p>' + _table(
        content.kpi_table, text, "kpi"
    )
    funnel = _figure(charts.funnel_chart(content.funnel, text, lang)) if content.funnel else no_data
    trend = (
        _figure(charts.trend_chart(content.overdue_trend, text, lang))
        if content.overdue_trend
        else no_data
    )
    organisation = f'<p class="note">{escape(text["organisation_order_note"])}</p>' + _table(
        content.organisation, text, "organisation"
    )
    footnotes = "".join(f'<p class="note">{escape(note)}</p>' for note in content.footnotes)
    page = PAGE % {"page": _css_string(text["page"]), "of": _css_string(text["page_of"])}
    return (
        "<!DOCTYPE html>"
        f'<html lang="{pdf_lang(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(content.title)}</title>"
        f'<meta name="description" content="{escape(content.subtitle)}">'
        '<meta name="author" content="Infosäk">'
        f"<style>{page}{STYLE}</style></head><body>"
        f"<h1>{escape(content.title)}</h1>"
        f'<p class="subtitle">{escape(content.subtitle)}</p>'
        + _section(text["summary"], summary)
        + _section(text["kpi_table"], kpi)
        + _section(text["funnel"], funnel, "chart")
        + _section(text["trend"], trend, "chart")
        + _section(
            content.maturity_heading or text["maturity"], _maturity(content, text, lang), "chart"
        )
        + _section(text["organisation"], organisation)
        + _section(text["objects"], _table(content.objects, text, "objects"))
        + _section(text["lineage"], _table(content.lineage, text, "lineage"))
        + f'<div class="footnotes">{footnotes}</div>'
        + "</body></html>"
    )


def _css_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


__all__ = ["MATURITY_CHART_LIMIT", "report_html"]
