"""The PDF report's charts as SVG, each with a text alternative made from the same numbers.

Each function takes the plain lists of ``ReportContent`` and returns a ``Chart``: the SVG drawing
(embedded as an image in the report's HTML; the PDF tags it as a Figure) and ``alt``, the text a
screen reader reads instead, which names every value the drawing shows. Both come from one list
in one function, so the picture and its description cannot disagree. Every data text is escaped
before it enters the SVG (names come from uploaded workbooks).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from etl.formatting import MONTHS_EN, MONTHS_SV, format_number

PRIMARY = "#1f4e79"
SECONDARY = "#8fb3d9"
WARNING = "#c0504d"
GRID = "#d0d5da"
INK = "#222222"
FONT = "Liberation Sans, DejaVu Sans, sans-serif"
WIDTH = 510  # CSS px at 96 dpi inside the A4 text width (180 mm ≈ 680 px): room for the margins


@dataclass(frozen=True)
class Chart:
    svg: str
    alt: str
    width: int
    height: int

    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _svg(width: int, height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="9" fill="{INK}">'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", size: float = 9) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}">'
        f"{escape(text)}</text>"
    )


def nice_max(value: float) -> float:
    """The axis end: 5, or the value rounded up at its leading digit (17 → 20, 417 → 500)."""
    if value <= 5:
        return 5
    step = 10 ** (len(str(int(value))) - 1)
    return ((int(value) // step) + 1) * step


def month_label(iso: str, lang: str = "sv") -> str:
    """ "nov. 26" ("Nov 26" in English): the month of a trend point as the axis names it."""
    day = dt.date.fromisoformat(iso)
    months = MONTHS_EN if lang == "en" else MONTHS_SV
    return f"{months[day.month - 1]} {str(day.year)[2:]}"


def funnel_chart(stages: list[tuple[str, int]], text: Mapping[str, str], lang: str = "sv") -> Chart:
    """The coverage funnel as horizontal bars, widest stage on top, each bar labelled."""
    label_width, value_room, bar_height, gap = 150, 50, 18, 8
    height = len(stages) * (bar_height + gap) + gap
    top = nice_max(max((count for _, count in stages), default=0))
    span = WIDTH - label_width - value_room
    body = []
    for i, (label, count) in enumerate(stages):
        y = gap + i * (bar_height + gap)
        length = span * (count or 0) / top
        body.append(_text(label_width - 6, y + 13, label, "end"))
        body.append(
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{PRIMARY}"/>'
        )
        body.append(_text(label_width + length + 4, y + 13, format_number(count, lang=lang)))
    items = "; ".join(f"{label} {format_number(count, lang=lang)}" for label, count in stages)
    return Chart(_svg(WIDTH, height, body), text["funnel_alt"].format(items=items), WIDTH, height)


def trend_chart(points: list[tuple[str, int]], text: Mapping[str, str], lang: str = "sv") -> Chart:
    """Overdue actions at each month-end (and the report date) as a line; the axis starts at 0."""
    left, right, top_pad, bottom, height = 40, 20, 14, 30, 170
    plot_h = height - top_pad - bottom
    plot_w = WIDTH - left - right
    values = [value for _, value in points]
    top = nice_max(max(values, default=0))
    body = []
    for step in range(5):
        tick = top * step / 4
        y = top_pad + plot_h - plot_h * step / 4
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
        )
        body.append(_text(left - 4, y + 3, format_number(tick, lang=lang), "end", 8))
    count = max(len(points) - 1, 1)
    # At most about eight month names fit under the axis: name every n-th point and the last.
    every = -(-len(points) // 8)
    coords = []
    for i, (day, value) in enumerate(points):
        x = left + plot_w * i / count
        y = top_pad + plot_h - plot_h * value / top
        coords.append(f"{x:.1f},{y:.1f}")
        last = len(points) - 1
        if (i % every == 0 and last - i >= every) or i == last:
            body.append(_text(x, height - 12, month_label(day, lang), "middle", 8))
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{WARNING}"/>')
    if len(coords) > 1:
        body.append(
            f'<polyline points="{" ".join(coords)}" fill="none" stroke="{WARNING}" '
            'stroke-width="2"/>'
        )
    if points:
        x, y = coords[-1].split(",")
        body.append(_text(float(x), float(y) - 6, format_number(values[-1], lang=lang), "end", 8))
    items = "; ".join(
        f"{month_label(day, lang)} {format_number(value, lang=lang)}" for day, value in points
    )
    return Chart(_svg(WIDTH, height, body), text["trend_alt"].format(items=items), WIDTH, height)


def _level(value: float | None, lang: str = "sv") -> str:
    return format_number(value, 1, lang)


def maturity_chart(
    rows: list[tuple[str, float | None, float | None]],
    text: Mapping[str, str],
    lang: str = "sv",
) -> Chart:
    """Self-assessed and evidence-based maturity (0–5) per administration, side by side."""
    label_width, right, bar, pair_gap, legend = 190, 30, 8, 10, 24
    height = len(rows) * (2 * bar + pair_gap) + pair_gap + legend
    span = WIDTH - label_width - right
    body = []
    for step in range(6):
        x = label_width + span * step / 5
        body.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - legend:.1f}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
        )
        body.append(_text(x, height - legend + 10, str(step), "middle", 8))
    for i, (name, own, evidence) in enumerate(rows):
        y = pair_gap + i * (2 * bar + pair_gap)
        body.append(_text(label_width - 6, y + bar + 3, name, "end", 8))
        for j, (value, colour) in enumerate(((own, PRIMARY), (evidence, SECONDARY))):
            length = span * (value or 0) / 5
            body.append(
                f'<rect x="{label_width}" y="{y + j * bar}" width="{length:.1f}" '
                f'height="{bar}" fill="{colour}"/>'
            )
            body.append(
                _text(label_width + length + 3, y + j * bar + 7, _level(value, lang), size=7)
            )
    legend_y = height - 6
    for k, (label, colour) in enumerate(
        ((text["self_assessed"], PRIMARY), (text["evidence_based"], SECONDARY))
    ):
        x = label_width + k * 110
        body.append(f'<rect x="{x}" y="{legend_y - 8}" width="10" height="8" fill="{colour}"/>')
        body.append(_text(x + 14, legend_y, label, size=8))
    items = "; ".join(
        text["maturity_item"].format(
            name=name, self=_level(own, lang), evidence=_level(evidence, lang)
        )
        for name, own, evidence in rows
    )
    return Chart(_svg(WIDTH, height, body), text["maturity_alt"].format(items=items), WIDTH, height)


__all__ = ["Chart", "funnel_chart", "maturity_chart", "month_label", "nice_max", "trend_chart"]
