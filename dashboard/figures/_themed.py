"""Small figures built as plain dicts on the shared theme, without plotly's property checks.

``apply_theme`` on a figure re-validates the whole template (about 3 ms a figure, several per
page). The themed layout it produces depends only on the language and the height, so it is made
once by ``apply_theme`` itself (the theme stays defined in theme.py) and reused as JSON; the
figure's own layout and traces, built by our code as plotly would coerce them, are added
unchecked, as ``theme.with_traces`` does for traces.
"""

from __future__ import annotations

import functools
import json

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from dashboard.figures.theme import apply_theme


@functools.lru_cache(maxsize=64)
def _themed_layout(lang: str, height: int | None) -> str:
    return to_json_plotly(apply_theme(go.Figure(), lang, height=height).layout)


def themed_figure(
    traces: list[dict], layout: dict, lang: str = "sv", height: int | None = None
) -> go.Figure:
    """The figure ``apply_theme(go.Figure(traces, layout), lang, height)`` would give.

    ``layout`` holds plotly's nested form ({"title": {"text": ...}}), not the magic
    underscore shorthand, and no key that apply_theme sets (separators, template, height)."""
    return go.Figure(
        data=traces, layout={**layout, **json.loads(_themed_layout(lang, height))}, _validate=False
    )
