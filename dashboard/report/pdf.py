"""Render ``ReportContent`` as an A4 PDF with reportlab (pure Python: works after pip install).

The standard Helvetica with WinAnsi encoding covers å ä ö, the en dash and the no-break space;
``pdf_text`` maps the few other characters of the Swedish formatting (the minus sign).
"""

from __future__ import annotations

import io
import logging

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dashboard.markup import pdf_markup
from dashboard.report import charts
from dashboard.report.charts import pdf_text
from dashboard.report.content import ReportContent, build_content
from dashboard.report.content import Table as ContentTable

log = logging.getLogger(__name__)

_styles = getSampleStyleSheet()
TITLE = ParagraphStyle("title", parent=_styles["Title"], fontSize=16, alignment=TA_LEFT)
SUBTITLE = ParagraphStyle("subtitle", parent=_styles["Normal"], textColor=colors.grey)
H2 = ParagraphStyle("h2", parent=_styles["Heading2"], fontSize=12, spaceBefore=10)
BODY = ParagraphStyle("body", parent=_styles["Normal"], fontSize=10, leading=14)
SMALL = ParagraphStyle("small", parent=_styles["Normal"], fontSize=7.5, leading=9)
NOTE = ParagraphStyle("note", parent=SMALL, textColor=colors.grey)
CELL = ParagraphStyle("cell", parent=_styles["Normal"], fontSize=7, leading=8.5)
HEAD = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """Every paragraph of the report: its text (names from the store) is never read as markup."""
    return Paragraph(pdf_markup(pdf_text(text)), style)


def _table(table: ContentTable, widths: list[float] | None = None) -> list:
    if not table.rows:
        return [_p(table.note or "Inga uppgifter.", NOTE)]
    data = [[_p(h, HEAD) for h in table.headers]]
    data += [[_p(cell, CELL) for cell in row] for row in table.rows]
    flow = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    flow.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dce6f0")),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f4f6f8")]),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b8c0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    out = [flow]
    if table.note:
        out += [Spacer(1, 2 * mm), _p(table.note, NOTE)]
    return out


def _even(total: float, first: float, count: int) -> list[float]:
    return [first] + [(total - first) / count] * count


def _story(content: ReportContent, width: float) -> list:
    story: list = [_p(content.title, TITLE), _p(content.subtitle, SUBTITLE), Spacer(1, 4 * mm)]
    story.append(_p("Sammanfattning", H2))
    story += [_p(sentence, BODY) for sentence in content.summary]
    story.append(_p("Nyckeltal per förvaltning", H2))
    story += _table(content.kpi_table, _even(width, 32 * mm, len(content.kpi_table.headers) - 1))
    story.append(
        KeepTogether(
            [
                _p("Täckningstratten", H2),
                charts.funnel_chart(content.funnel, width=width)
                if content.funnel
                else charts.empty_chart("Inga uppgifter."),
            ]
        )
    )
    story.append(
        KeepTogether(
            [
                _p("Försenade åtgärder över tid", H2),
                charts.trend_chart(content.overdue_trend, width=width)
                if content.overdue_trend
                else charts.empty_chart("Inga uppgifter."),
            ]
        )
    )
    rated = [r for r in content.maturity if r[1] is not None or r[2] is not None]
    story.append(
        KeepTogether(
            [
                _p("Mognad per förvaltning (0–5)", H2),
                charts.maturity_chart(rated, width=width)
                if rated
                else charts.empty_chart("Ingen mognad är bedömd ännu."),
            ]
        )
    )
    story.append(_p("Organisationskontroll", H2))
    story += _table(content.organisation, _even(width, 45 * mm, 6))
    story.append(_p("Gemensamma förvaltningsobjekt", H2))
    story += _table(content.objects, _even(width, 30 * mm, 8))
    story.append(_p("Datakällor", H2))
    story += _table(
        content.lineage, [38 * mm, 24 * mm, width - 132 * mm, 22 * mm, 18 * mm, 30 * mm]
    )
    story.append(Spacer(1, 4 * mm))
    story += [_p(note, NOTE) for note in content.footnotes]
    return story


def _page_footer(title: str):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(doc.leftMargin, 10 * mm, pdf_text(title))
        canvas.drawRightString(A4[0] - doc.rightMargin, 10 * mm, f"Sida {doc.page}")
        canvas.restoreState()

    return draw


def render_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes (A4 portrait)."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=pdf_text(content.title),
        author="Infosäk",
        subject=pdf_text(content.subtitle),
    )
    footer = _page_footer(f"{content.title} · {content.subtitle}")
    doc.build(_story(content, doc.width), onFirstPage=footer, onLaterPages=footer)
    log.info("report PDF rendered: %d bytes", buffer.tell())
    return buffer.getvalue()


def report_pdf(data: dict) -> bytes:
    """Gathered (or frozen) report numbers → PDF bytes."""
    return render_pdf(build_content(data))


__all__ = ["render_pdf", "report_pdf"]
