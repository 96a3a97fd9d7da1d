"""What the grids' list queries share: the walk that reads one block of a country-wide list
part by part in its default order, where sorting every row of the country first cost seconds."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Select

from dashboard.grid import GridColumn
from dashboard.queries.viewer import Viewer

# (skip, take) -> the part's rows [skip, skip + take) in the list's order (take, or more).
Read = Callable[[int, int], list]


def country_wide(
    viewer: Viewer, municipality: str | None = None, administration: str | None = None
) -> bool:
    """Whether a grid lists the whole country, the only lists walked: a municipality's rows are
    sorted whole at little cost."""
    return viewer.sees_all and not municipality and not administration


def walk(parts: Iterable[tuple[int | None, Read]], start: int, limit: int) -> list:
    """Keys of rows [start, start + limit) of a list made of ``parts`` in order, each part
    (its row count, or None when unknown; its reader). A part of known count that ends before
    ``start`` is not read; one of unknown count is read from its first row."""
    keys: list = []
    position, end = 0, start + limit
    for count, read in parts:
        if count is None:
            rows = read(0, end - position)
            keys += rows[max(start - position, 0) :]
            position += len(rows)
        else:
            if position + count > start:
                skip = max(start - position, 0)
                keys += read(skip, min(end, position + count) - position - skip)
            position += count
        if position >= end:
            break
    return keys[:limit]


def grid_columns(query: Select, fields: dict[str, tuple[str, str, str]]) -> dict[str, GridColumn]:
    """Grid field → the SQL expression of that labelled column, to filter and sort on."""
    selected = query.selected_columns
    return {field: GridColumn(selected[field], kind) for field, (kind, _, _) in fields.items()}
