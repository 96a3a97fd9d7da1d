"""Render ``ReportContent`` as a tagged A4 PDF (PDF/UA-1) with WeasyPrint.

WeasyPrint lays out the HTML of ``template.report_html`` and, with the ``pdf/ua-1`` variant,
writes the structure tree from it: /Lang from the root's ``lang``, the title shown as the title
(/ViewerPreferences /DisplayDocTitle), /MarkInfo /Marked, H1/H2, Table/THead/TBody/TR/TH/TD,
Figure with /Alt from each chart's ``alt``, in content order. The fonts (Liberation Sans, else
DejaVu Sans, through fontconfig and Pango) are embedded.

One addition after WeasyPrint: every header cell gets its /Scope (Column in the table head, Row
in the body), as PDF/UA's table rules ask of a TH, besides WeasyPrint's /Headers on each TD.
"""

from __future__ import annotations

import logging

import pydyf
from weasyprint import HTML

from dashboard.report.content import ReportContent, build_content
from dashboard.report.template import report_html

log = logging.getLogger(__name__)

PDF_VARIANT = "pdf/ua-1"


def _object(pdf: pydyf.PDF, reference) -> pydyf.Dictionary | None:
    """The object a pydyf reference (``b"12 0 R"`` or ``"12 0 R"``) points to."""
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    number = int(text.split()[0])
    found = pdf.objects[number]
    return found if isinstance(found, pydyf.Dictionary) else None


def _scope_header_cells(document, pdf: pydyf.PDF) -> None:
    """Give each TH the /Scope of its place: Column under THead, Row elsewhere."""
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("S") != "/TH":
            continue
        row = _object(pdf, obj["P"])
        group = _object(pdf, row["P"]) if row is not None else None
        scope = "/Column" if group is not None and group.get("S") == "/THead" else "/Row"
        attributes = obj.get("A")
        if not isinstance(attributes, pydyf.Dictionary):
            attributes = pydyf.Dictionary({"O": "/Table"})
            obj["A"] = attributes
        attributes["Scope"] = scope


def report_document(content: ReportContent, lang: str = "sv"):
    """The laid-out report (WeasyPrint's ``Document``): pages, boxes and their text."""
    return HTML(string=report_html(content, lang)).render(pdf_variant=PDF_VARIANT)


def render_pdf(content: ReportContent, lang: str = "sv") -> bytes:
    """The report as tagged PDF bytes (A4 portrait, PDF/UA-1)."""
    pdf = report_document(content, lang).write_pdf(
        pdf_variant=PDF_VARIANT, finisher=_scope_header_cells
    )
    log.info("report PDF rendered: %d bytes", len(pdf))
    return pdf


def report_pdf(data: dict, lang: str = "sv") -> bytes:
    """Gathered (or frozen) report numbers → PDF bytes."""
    return render_pdf(build_content(data), lang)


__all__ = ["PDF_VARIANT", "render_pdf", "report_document", "report_pdf"]
