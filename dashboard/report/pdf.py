"""Render ``ReportContent`` as a tagged A4 PDF (PDF/UA-1) with WeasyPrint.

WeasyPrint lays out the HTML of ``template.report_html`` and, with the ``pdf/ua-1`` variant,
writes the structure tree from it: /Lang from the root's ``lang``, the title shown as the title
(/ViewerPreferences /DisplayDocTitle), /MarkInfo /Marked, H1/H2, Table/THead/TBody/TR/TH/TD,
Figure with /Alt from each chart's ``alt``, in content order. The fonts (Liberation Sans, else
DejaVu Sans, through fontconfig and Pango) are embedded.

Two additions after WeasyPrint, made on its PDF objects before they are written:
- every header cell gets its /Scope (Column in the table head, Row in the body), as PDF/UA's
  table rules ask of a TH, besides WeasyPrint's /Headers on each TD;
- the page footer (title and page number, drawn in the page margin) becomes an /Artifact:
  WeasyPrint marks margin text as content but leaves it out of the structure tree, and PDF/UA-1
  wants page furniture that a screen reader skips marked as an artifact.
"""

from __future__ import annotations

import logging

import pydyf
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from dashboard.report.content import ReportContent, build_content
from dashboard.report.template import report_html

log = logging.getLogger(__name__)

PDF_VARIANT = "pdf/ua-1"


def _resolve(pdf: pydyf.PDF, reference):
    """The object a pydyf reference (``b"12 0 R"`` or ``"12 0 R"``) points to."""
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return pdf.objects[int(text.split()[0])]


def _object(pdf: pydyf.PDF, reference) -> pydyf.Dictionary | None:
    found = _resolve(pdf, reference)
    return found if isinstance(found, pydyf.Dictionary) else None


def _is_reference(value) -> bool:
    text = value.decode() if isinstance(value, bytes) else value
    return isinstance(text, str) and text.endswith(" R")


def _reachable_elements(pdf: pydyf.PDF) -> set[int]:
    """Object numbers of the structure elements reachable from the structure tree root."""
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    seen: set[int] = set()
    todo = list(root["K"])
    while todo:
        kid = todo.pop()
        if not _is_reference(kid):
            continue  # a marked-content id
        element = _object(pdf, kid)
        if element is None or element.number in seen:
            continue
        seen.add(element.number)
        kids = element.get("K", [])
        todo += list(kids) if isinstance(kids, list | pydyf.Array) else [kids]
    return seen


def _footer_as_artifact(document, pdf: pydyf.PDF) -> None:
    """Re-mark the content of structure elements outside the tree (the margin boxes) as
    /Artifact in the page streams."""
    reachable = _reachable_elements(pdf)
    orphans: dict[int, set[int]] = {}  # page object number → marked-content ids
    for obj in pdf.objects:
        if (
            isinstance(obj, pydyf.Dictionary)
            and obj.get("Type") == "/StructElem"
            and obj.number not in reachable
            and "Pg" in obj
        ):
            page = _resolve(pdf, obj["Pg"]).number
            orphans.setdefault(page, set()).update(
                kid for kid in obj.get("K", []) if isinstance(kid, int)
            )
    for page_number, mcids in orphans.items():
        page = pdf.objects[page_number]
        stream = _resolve(pdf, page["Contents"])
        ops = stream.stream
        for i, op in enumerate(ops):
            if (
                isinstance(op, pydyf.Dictionary)
                and op.get("MCID") in mcids
                and 0 < i < len(ops) - 1
                and ops[i + 1] == b"BDC"
            ):
                ops[i - 1], ops[i], ops[i + 1] = "/Artifact", b"", b"BMC"


def _finish(document, pdf: pydyf.PDF) -> None:
    _scope_header_cells(document, pdf)
    _footer_as_artifact(document, pdf)


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


def layout(html: str):
    """``html`` laid out as WeasyPrint's ``Document``. The report embeds its charts as data:
    URIs and needs nothing else, so no other resource is fetched: not a file, not a web
    address (defence in depth should a name from a workbook ever reach the HTML unescaped)."""
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).render(pdf_variant=PDF_VARIANT)


def report_document(content: ReportContent, lang: str | None = None):
    """The laid-out report (WeasyPrint's ``Document``): pages, boxes and their text, in
    ``lang`` (by default the content's own language)."""
    return layout(report_html(content, lang))


def render_pdf(content: ReportContent, lang: str | None = None) -> bytes:
    """The report as tagged PDF bytes (A4 portrait, PDF/UA-1)."""
    pdf = report_document(content, lang).write_pdf(pdf_variant=PDF_VARIANT, finisher=_finish)
    log.info("report PDF rendered: %d bytes", len(pdf))
    return pdf


def report_pdf(data: dict, lang: str = "sv") -> bytes:
    """Gathered (or frozen) report numbers → PDF bytes in ``lang``, sentences and template
    alike."""
    return render_pdf(build_content(data, lang), lang)


__all__ = ["PDF_VARIANT", "layout", "render_pdf", "report_document", "report_pdf"]
