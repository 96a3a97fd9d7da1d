"""Vector charts for the PDF report, drawn with reportlab.graphics (no browser, no image files).

Each function takes plain lists from ``ReportContent`` and returns a ``Drawing`` that platypus
flows like any other element. Labels go through ``pdf_text`` so that every glyph exists in the
standard Helvetica (WinAnsi) encoding.
"""

from __future__ import annotations

import datetime as dt

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from etl.formatting import MONTHS_SV, format_number

PRIMARY = colors.HexColor("#1f4e79")
SECONDARY = colors.HexColor("#8fb3d9")
WARNING = colors.HexColor("#c0504d")
FONT = "Helvetica"

# Characters outside WinAnsi that the Swedish formatting uses, and what the PDF prints instead.
_REPLACEMENTS = {"\u2212": "\u2013", "\u2009": " ", "\u202f": "\u00a0", "✓": "Ja", "✗": "Nej"}


def pdf_text(text: str) -> str:
    """``text`` with every character the standard PDF fonts (cp1252) can show."""
    for bad, good in _REPLACEMENTS.items():
        text = text.replace(bad, good)
    return text.encode("cp1252", errors="replace").decode("cp1252")


def _nice_max(value: float) -> float:
    if value <= 5:
        return 5
    step = 10 ** (len(str(int(value))) - 1)
    return ((int(value) // step) + 1) * step


def funnel_chart(stages: list[tuple[str, int]], width: float = 460, height: float = 150) -> Drawing:
    """The coverage funnel as horizontal bars, widest stage on top, each bar labelled."""
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 130, 10
    chart.width, chart.height = width - 170, height - 20
    values = [count for _, count in stages][::-1]
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = [pdf_text(label) for label, _ in stages][::-1]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(max(values or [0]))
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: pdf_text(format_number(v))
    chart.bars[0].fillColor = PRIMARY
    chart.barLabelFormat = lambda v: pdf_text(format_number(v))
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _month_label(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{MONTHS_SV[day.month - 1]} {str(day.year)[2:]}"


def trend_chart(points: list[tuple[str, int]], width: float = 460, height: float = 150) -> Drawing:
    """Overdue actions at each month-end (and the report date) as a line."""
    drawing = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y = 40, 25
    chart.width, chart.height = width - 60, height - 40
    values = [value for _, value in points] or [0]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [pdf_text(_month_label(d)) for d, _ in points] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(max(values))
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: pdf_text(format_number(v))
    chart.lines[0].strokeColor = WARNING
    chart.lines[0].strokeWidth = 2
    drawing.add(chart)
    return drawing


def maturity_chart(
    rows: list[tuple[str, float | None, float | None]], width: float = 460
) -> Drawing:
    """Self-assessed and evidence-based maturity (0–5) per administration, side by side."""
    height = max(120, 26 * len(rows) + 50)
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 170, 30
    chart.width, chart.height = width - 190, height - 40
    ordered = rows[::-1]
    chart.data = [
        [r[1] if r[1] is not None else 0 for r in ordered] or [0],
        [r[2] if r[2] is not None else 0 for r in ordered] or [0],
    ]
    chart.categoryAxis.categoryNames = [pdf_text(r[0]) for r in ordered] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 5
    chart.valueAxis.valueStep = 1
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = PRIMARY
    chart.bars[1].fillColor = SECONDARY
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x, 12
    legend.fontName = FONT
    legend.fontSize = 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(PRIMARY, "Självskattad"), (SECONDARY, "Belagd")]
    drawing.add(legend)
    return drawing


def empty_chart(message: str, width: float = 460, height: float = 30) -> Drawing:
    drawing = Drawing(width, height)
    drawing.add(String(0, 10, pdf_text(message), fontName=FONT, fontSize=9))
    return drawing


__all__ = ["empty_chart", "funnel_chart", "maturity_chart", "pdf_text", "trend_chart"]
