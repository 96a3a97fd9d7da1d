"""Text from the store, made inert for the two renderers that read markup in plain strings.

Plotly draws every text of a figure (axis labels, trace names, legends, hover labels, titles,
annotations) through its own small HTML subset: ``<a href>`` becomes a live link, ``<b>``,
``<i>``, ``<br>``, ``<sub>``, ``<sup>`` and ``<span style>`` change what is drawn. The PDF
report is HTML laid out by WeasyPrint (``<a href>`` becomes a link annotation, ``<img>`` loads a
resource). A name such as ``<a href="https://evil.example">Socialförvaltningen</a>`` from an
uploaded workbook must show as those characters, not as a link, in both.

Both renderers decode ``&lt;``, ``&gt;`` and ``&amp;`` back to the characters, so escaping
those three (and quotes, for the report's attribute values such as ``alt``) keeps the visible
text exactly as stored. Escape at the point where data text enters a figure or the report's
HTML, once; our own templates (``<br>``, ``<extra>``, the report's tags) stay markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape as _xml_escape

_PLOT_ENTITIES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}


def plot_text(value: object) -> str:
    """``value`` as text that plotly draws literally (no tag, no entity of its own).

    Plotly decodes exactly these entities when it draws, so the label reads as stored."""
    return ("" if value is None else str(value)).translate(_PLOT_ENTITIES)


def plot_texts(values: Iterable[object]) -> list[str]:
    """:func:`plot_text` of every value (category labels, trace names)."""
    return [plot_text(v) for v in values]


def pdf_markup(text: str) -> str:
    """``text`` as text or an attribute value in the report's HTML: no tag, no entity of its
    own (the same escaping as ``html.escape`` without quote escaping, plus the quotes)."""
    return _xml_escape(text, {'"': "&quot;", "'": "&#x27;"})
