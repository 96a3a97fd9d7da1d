"""Table rows and cells for national-size HTML tables, built without Dash's keyword checks.

A national table has tens of thousands of cells, and ``html.Td(text)`` checks each keyword
against the component's properties on the way in (about 25 µs a cell: seconds for the report's
tables). The components here are the very same Dash classes, copied from a prototype that went
through those checks once, with the given properties set: the same objects, attributes and JSON
as ``html.Td(children, className=...)``, built five times faster. A property the class does
not have is refused, as Dash would.
"""

from __future__ import annotations

import copy

from dash import html

_PROTOTYPES = {cls: cls() for cls in (html.Td, html.Th, html.Tr)}


def _make(cls, children, **props):
    component = copy.copy(_PROTOTYPES[cls])
    component.children = children
    for name, value in props.items():
        if name not in component._prop_names:
            raise TypeError(f"{cls.__name__} cell: unexpected property {name!r}")
        if value is not None:
            setattr(component, name, value)
    return component


def td(children=None, className: str | None = None) -> html.Td:  # noqa: N803 (Dash's name)
    return _make(html.Td, children, className=className)


def th(children=None, className: str | None = None, scope: str | None = None) -> html.Th:  # noqa: N803
    return _make(html.Th, children, className=className, scope=scope)


def tr(children=None) -> html.Tr:
    return _make(html.Tr, children)
